// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../../common/contract';
import { setApiForTests } from '../api';
import { useAppStore } from '../stores/app';
import { useIntakeStore } from '../stores/intake';
import { FakeFailure } from '../testing/fake-api';
import { appInfo, dossier } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import IntakeView from '../views/IntakeView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const ticket: Ticket = {
  id: 3,
  number: 'A003',
  service: 'TTHC',
  priority: false,
  state: 'called',
  takenAt: '2025-07-15T08:00',
  calledAt: '2025-07-15T09:00',
  counter: 'Q01',
  serviceName: 'Thủ tục hành chính',
  targetCounter: null,
  callCount: 1,
  finishedAt: null,
  outcome: null,
  dossierCode: null,
  waitSeconds: 0,
  serviceSeconds: 0,
  printedAt: null,
  printError: null,
};

describe('queue panel', () => {
  it('calls the next number with F2 and shows it big; a received draft is cleared for the new applicant', async () => {
    let waiting: Ticket[] = [{ ...ticket, state: 'waiting' }];
    let current: Ticket | null = null;
    const h = setupHarness({
      'queue.state': () => ({ counter: 'Q01', current, waiting, skipped: [], held: [] }),
      'queue.callNext': () => {
        if (!waiting.length) throw new FakeFailure('QUEUE_EMPTY');
        waiting = [];
        current = ticket;
        return ticket;
      },
    });
    useIntakeStore().draft.result = dossier();
    const wrapper = mountWith(IntakeView, h);
    await settle();
    expect(wrapper.get('[data-testid="queue-waiting"]').text()).toBe('Đang chờ: 1');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', cancelable: true }));
    await settle();
    expect(wrapper.get('[data-testid="queue-current"]').text()).toBe('A003');
    expect(useIntakeStore().draft.result).toBeNull();
    expect(document.activeElement?.id).toBe('applicant-id');

    await wrapper.get('[data-testid="queue-call-next"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="queue-empty"]').text()).toBe('Hàng đợi trống');
    wrapper.unmount();
  });
  it('holds the current ticket, finishes one, and calls a skipped person back from the list', async () => {
    const skipped: Ticket = { ...ticket, id: 2, number: 'A002', state: 'skipped' };
    let state = {
      counter: 'Q01',
      current: ticket as Ticket | null,
      waiting: [] as Ticket[],
      skipped: [skipped],
      held: [] as Ticket[],
    };
    const h = setupHarness({
      'queue.state': () => state,
      'queue.hold': () => {
        state = { ...state, current: null, held: [{ ...ticket, state: 'held' }] };
        return state;
      },
      'queue.finish': () => {
        state = { ...state, current: null };
        return state;
      },
      'queue.callTicket': (p) => {
        const called = [...state.held, ...state.skipped].find((t) => t.id === p?.ticketId)!;
        state = {
          ...state,
          current: { ...called, state: 'called' },
          held: state.held.filter((t) => t.id !== called.id),
          skipped: state.skipped.filter((t) => t.id !== called.id),
        };
        return state.current!;
      },
    });
    const wrapper = mountWith(IntakeView, h);
    await settle();
    expect(wrapper.get('[data-testid="queue-current"]').text()).toBe('A003');
    expect(wrapper.get('[data-testid="queue-aside"]').text()).toContain('A002');
    await wrapper.get('[data-testid="queue-hold"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="queue-current"]').text()).toBe('—');
    expect(wrapper.get('[data-testid="queue-aside"]').text()).toContain('A003');
    expect(wrapper.get('[data-testid="queue-finish"]').attributes('disabled')).toBeDefined();
    await wrapper.get('[data-testid="queue-call-A002"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('queue.callTicket').map((c) => c.params)).toEqual([{ ticketId: 2 }]);
    expect(wrapper.get('[data-testid="queue-current"]').text()).toBe('A002');
    await wrapper.get('[data-testid="queue-finish"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('queue.finish')).toHaveLength(1);
    expect(wrapper.get('[data-testid="queue-current"]').text()).toBe('—');
    wrapper.unmount();
  });

  describe('the link of a desk enrolled at a centre', () => {
    const enrolled = (state: 'connected' | 'unreachable' | 'revoked' | 'broken', reason: string | null = null) => ({
      ...appInfo,
      centre: { name: 'Quầy 1', url: 'https://192.168.1.10:8443', counter: 'Q01', state, reason },
    });
    const waitingState = () => ({
      counter: 'Q01',
      current: null,
      waiting: [{ ...ticket, state: 'waiting' as const }],
      skipped: [],
      held: [],
    });

    it('connected: says so, and F2 calls through as before', async () => {
      let called = false;
      const h = setupHarness({
        'app.info': () => enrolled('connected'),
        'queue.state': () => (called ? { ...waitingState(), current: ticket, waiting: [] } : waitingState()),
        'queue.callNext': () => {
          called = true;
          return ticket;
        },
      });
      await useAppStore().loadInfo();
      const wrapper = mountWith(IntakeView, h);
      await settle();
      expect(wrapper.get('[data-testid="queue-link"]').text()).toBe('Trung tâm: đã kết nối');
      expect(wrapper.get('[data-testid="queue-call-next"]').attributes('disabled')).toBeUndefined();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', cancelable: true }));
      await settle();
      expect(h.fake.callsOf('queue.callNext')).toHaveLength(1);
      expect(wrapper.get('[data-testid="queue-current"]').text()).toBe('A003');
      wrapper.unmount();
    });

    it('unreachable: says receiving goes on, the queue buttons wait with the reason, F2 sends nothing; back: reloads', async () => {
      const h = setupHarness({
        'app.info': () => enrolled('connected'),
        'queue.state': waitingState,
        'queue.callNext': () => ticket,
      });
      await useAppStore().loadInfo();
      const wrapper = mountWith(IntakeView, h);
      await settle();
      const reason = 'Không kết nối được tới trung tâm (ECONNREFUSED).';
      h.fake.emit('queue.link', { state: 'unreachable', reason });
      await settle();
      const box = wrapper.get('[data-testid="queue-link"]');
      expect(box.text()).toContain('Không kết nối được trung tâm — vẫn tiếp nhận hồ sơ bình thường');
      expect(box.text()).toContain(reason);
      const call = wrapper.get('[data-testid="queue-call-next"]');
      expect(call.attributes('disabled')).toBeDefined();
      expect(call.attributes('title')).toBe(reason);
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', cancelable: true }));
      await settle();
      expect(h.fake.callsOf('queue.callNext')).toHaveLength(0);
      expect(wrapper.text()).toContain('CENTRE_UNREACHABLE');

      const reads = h.fake.callsOf('queue.state').length;
      h.fake.emit('queue.link', { state: 'connected', reason: null });
      await settle();
      expect(wrapper.get('[data-testid="queue-link"]').text()).toBe('Trung tâm: đã kết nối');
      expect(wrapper.get('[data-testid="queue-call-next"]').attributes('disabled')).toBeUndefined();
      expect(h.fake.callsOf('queue.state').length).toBeGreaterThan(reads);
      expect(wrapper.text()).not.toContain('CENTRE_UNREACHABLE');
      wrapper.unmount();
    });

    it('revoked: says the desk was revoked and keeps the queue buttons off', async () => {
      const h = setupHarness({
        'app.info': () => enrolled('revoked', 'Máy này đã bị thu hồi quyền kết nối tới trung tâm.'),
        'queue.state': waitingState,
      });
      await useAppStore().loadInfo();
      const wrapper = mountWith(IntakeView, h);
      await settle();
      expect(wrapper.get('[data-testid="queue-link"]').text()).toContain('Máy đã bị thu hồi khỏi trung tâm');
      expect(wrapper.get('[data-testid="queue-call-next"]').attributes('disabled')).toBeDefined();
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'F2', cancelable: true }));
      await settle();
      expect(h.fake.callsOf('queue.callNext')).toHaveLength(0);
      expect(wrapper.text()).toContain('CENTRE_DEVICE_REVOKED');
      wrapper.unmount();
    });

    it('not enrolled (or a broken enrolment): no link line, nothing waits', async () => {
      for (const info of [appInfo, enrolled('broken', 'centre.json hỏng')]) {
        const h = setupHarness({ 'app.info': () => info, 'queue.state': waitingState });
        await useAppStore().loadInfo();
        const wrapper = mountWith(IntakeView, h);
        await settle();
        expect(wrapper.find('[data-testid="queue-link"]').exists()).toBe(false);
        expect(wrapper.get('[data-testid="queue-call-next"]').attributes('disabled')).toBeUndefined();
        wrapper.unmount();
      }
    });
  });
});

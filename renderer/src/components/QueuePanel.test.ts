// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../../common/contract';
import { setApiForTests } from '../api';
import { useIntakeStore } from '../stores/intake';
import { FakeFailure } from '../testing/fake-api';
import { dossier } from '../testing/fixtures';
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
});

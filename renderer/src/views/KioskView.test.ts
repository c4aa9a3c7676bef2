// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { ResultOf, Ticket } from '../../../common/contract';
import { setApiForTests } from '../api';
import { setConnectionState } from '../api/connection';
import { FakeFailure } from '../testing/fake-api';
import { mountWith, settle, setupHarness } from '../testing/mount';
import KioskView from './KioskView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const setup: ResultOf<'queue.setup'> = {
  services: [
    { code: 'CT', name: 'Chứng thực', prefix: 'A', procedures: [] },
    { code: 'HT', name: 'Hộ tịch', prefix: 'B', procedures: [] },
  ],
  counters: [{ id: 'Q01', name: 'Quầy 1', services: ['CT', 'HT'] }],
  priority: { mode: 'first' },
  deskCounter: 'Q01',
};

function ticket(number: string, service: string, priority: boolean): Ticket {
  return {
    id: 40,
    number,
    service,
    priority,
    state: 'waiting',
    takenAt: '2026-12-04T08:05',
    calledAt: null,
    counter: null,
    serviceName: service === 'HT' ? 'Hộ tịch' : 'Chứng thực',
    targetCounter: null,
    callCount: 0,
    finishedAt: null,
    outcome: null,
    dossierCode: null,
    waitSeconds: 0,
    serviceSeconds: 0,
    printedAt: null,
    printError: null,
  };
}

describe('kiosk', () => {
  it('shows each service with who waits, takes a priority ticket and shows number, people ahead and print result', async () => {
    const h = setupHarness({
      'queue.setup': () => setup,
      'queue.board': () => ({
        day: '2026-12-04',
        counters: [],
        waiting: [{ service: 'CT', name: 'Chứng thực', count: 4 }],
      }),
      'queue.takeTicket': (p) => ({
        ticket: ticket('B007', p.service!, p.priority),
        print: 'printed',
        printError: null,
        peopleAhead: 2,
      }),
    });
    const wrapper = mountWith(KioskView, h);
    await settle();
    expect(wrapper.get('[data-testid="kiosk-service-CT"]').text()).toContain('Đang chờ: 4 người');
    expect(wrapper.get('[data-testid="kiosk-service-HT"]').text()).toContain('Đang chờ: 0 người');

    await wrapper.get('[data-testid="kiosk-priority"]').trigger('click');
    await wrapper.get('[data-testid="kiosk-service-HT"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('queue.takeTicket').map((c) => c.params)).toEqual([{ service: 'HT', priority: true }]);
    expect(wrapper.get('[data-testid="kiosk-ticket-number"]').text()).toBe('B007');
    expect(wrapper.get('[data-testid="kiosk-ahead"]').text()).toBe('Trước bạn còn 2 người');
    expect(wrapper.get('[data-testid="kiosk-ticket"]').text()).toContain('Số ưu tiên');
    expect(wrapper.get('[data-testid="kiosk-print"]').text()).toContain('nhận phiếu');

    await wrapper.get('[data-testid="kiosk-done"]').trigger('click');
    expect(wrapper.find('[data-testid="kiosk-ticket"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="kiosk-priority"]').attributes('aria-pressed')).toBe('false');
    wrapper.unmount();
  });

  it('takes a ticket with the number keys and keeps the number on screen when the printer fails; reprint works', async () => {
    let printed = false;
    const h = setupHarness({
      'queue.setup': () => setup,
      'queue.board': () => ({ day: '2026-12-04', counters: [], waiting: [] }),
      'queue.takeTicket': (p) => ({
        ticket: ticket('A012', p.service!, false),
        print: 'failed',
        peopleAhead: 0,
        printError: { code: 'PRINTER_PAPER_OUT', message: 'Máy in vé: paper out (DLE EOT 4)' },
      }),
      'queue.reprint': () => {
        printed = true;
        return { ticket: ticket('A012', 'CT', false), print: 'printed', printError: null, peopleAhead: 0 };
      },
    });
    const wrapper = mountWith(KioskView, h);
    await settle();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '1', cancelable: true }));
    await settle();
    expect(h.fake.callsOf('queue.takeTicket').map((c) => c.params)).toEqual([{ service: 'CT', priority: false }]);
    expect(wrapper.get('[data-testid="kiosk-ticket-number"]').text()).toBe('A012');
    expect(wrapper.get('[data-testid="kiosk-print"]').text()).toContain('Không in được phiếu');
    expect(wrapper.get('[data-testid="kiosk-print"]').text()).toContain('Máy in hết giấy');
    expect(wrapper.get('[data-testid="kiosk-print"]').text()).not.toContain('paper out');
    expect(wrapper.get('[data-testid="kiosk-ahead"]').text()).toBe('Bạn là người tiếp theo');

    await wrapper.get('[data-testid="kiosk-reprint"]').trigger('click');
    await settle();
    expect(printed).toBe(true);
    expect(h.fake.callsOf('queue.reprint').map((c) => c.params)).toEqual([{ ticketId: 40 }]);
    expect(wrapper.get('[data-testid="kiosk-print"]').text()).toContain('nhận phiếu');

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', cancelable: true }));
    await settle();
    expect(wrapper.find('[data-testid="kiosk-ticket"]').exists()).toBe(false);
    // A key beyond the number of services takes nothing.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '7', cancelable: true }));
    await settle();
    expect(h.fake.callsOf('queue.takeTicket')).toHaveLength(1);
    wrapper.unmount();
  });

  it('shows the error in Vietnamese when taking a ticket fails, and stays on the services', async () => {
    const h = setupHarness({
      'queue.setup': () => setup,
      'queue.board': () => ({ day: '2026-12-04', counters: [], waiting: [] }),
      'queue.takeTicket': () => {
        throw new FakeFailure('QUEUE_SERVICE_UNKNOWN');
      },
    });
    const wrapper = mountWith(KioskView, h);
    await settle();
    await wrapper.get('[data-testid="kiosk-service-CT"]').trigger('click');
    await settle();
    expect(wrapper.text()).toContain('Dịch vụ này không có trong hàng đợi');
    expect(wrapper.find('[data-testid="kiosk-ticket"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="kiosk-service-CT"]').exists()).toBe(true);
    wrapper.unmount();
  });

  it('starts on the services when shown again, not on the last ticket taken', async () => {
    const h = setupHarness({
      'queue.setup': () => setup,
      'queue.board': () => ({ day: '2026-12-04', counters: [], waiting: [] }),
      'queue.takeTicket': (p) => ({
        ticket: ticket('A001', p.service!, p.priority),
        print: 'printed',
        printError: null,
        peopleAhead: 0,
      }),
    });
    const first = mountWith(KioskView, h);
    await settle();
    await first.get('[data-testid="kiosk-service-CT"]').trigger('click');
    await settle();
    expect(first.get('[data-testid="kiosk-ticket-number"]').text()).toBe('A001');
    first.unmount();
    const again = mountWith(KioskView, h);
    await settle();
    expect(again.find('[data-testid="kiosk-ticket"]').exists()).toBe(false);
    expect(again.find('[data-testid="kiosk-service-CT"]').exists()).toBe(true);
    again.unmount();
  });

  it('while the centre cannot be reached: says so, takes no number (touch or key), and recovers by itself', async () => {
    const h = setupHarness({
      'queue.setup': () => setup,
      'queue.board': () => ({ day: '2026-12-04', counters: [], waiting: [] }),
      'queue.takeTicket': (p) => ({
        ticket: ticket('A001', p.service!, p.priority),
        print: 'none',
        printError: null,
        peopleAhead: 0,
      }),
    });
    const wrapper = mountWith(KioskView, h);
    await settle();
    expect(wrapper.find('[data-testid="kiosk-paused"]').exists()).toBe(false);
    expect(h.fake.callsOf('queue.setup')).toHaveLength(1);

    setConnectionState('reconnecting');
    await settle();
    expect(wrapper.get('[data-testid="kiosk-paused"]').text()).toContain('Hệ thống lấy số tạm dừng');
    const button = wrapper.get('[data-testid="kiosk-service-CT"]');
    expect(button.attributes('disabled')).toBeDefined();
    await button.trigger('click');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '1' }));
    await settle();
    expect(h.fake.callsOf('queue.takeTicket')).toHaveLength(0);
    expect(wrapper.find('[data-testid="kiosk-ticket"]').exists()).toBe(false);

    setConnectionState('open');
    await settle();
    expect(wrapper.find('[data-testid="kiosk-paused"]').exists()).toBe(false);
    // The services and counts are read again once the link is back.
    expect(h.fake.callsOf('queue.setup')).toHaveLength(2);
    expect(wrapper.get('[data-testid="kiosk-service-CT"]').attributes('disabled')).toBeUndefined();
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '1' }));
    await settle();
    expect(h.fake.callsOf('queue.takeTicket').map((c) => c.params)).toEqual([{ service: 'CT', priority: false }]);
    wrapper.unmount();
  });
});

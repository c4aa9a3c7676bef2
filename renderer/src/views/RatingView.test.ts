// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../../common/contract';
import { setApiForTests } from '../api';
import { FakeFailure } from '../testing/fake-api';
import { mountWith, settle, setupHarness } from '../testing/mount';
import RatingView from './RatingView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const served: Ticket = {
  id: 7,
  number: 'A007',
  service: 'CT',
  serviceName: 'Chứng thực',
  priority: false,
  state: 'done',
  takenAt: '2026-12-04T08:00',
  calledAt: '2026-12-04T08:10',
  counter: 'Q01',
  targetCounter: null,
  callCount: 1,
  finishedAt: '2026-12-04T08:20',
  outcome: 'served',
  dossierCode: '000.00.12.H56-261204-0001',
  waitSeconds: 600,
  serviceSeconds: 600,
  printedAt: null,
  printError: null,
  rating: null,
};

describe('rating screen', () => {
  it('waits idle, asks the served applicant when the queue changes, rates with a key and thanks', async () => {
    let toRate: Ticket | null = null;
    const h = setupHarness({
      'queue.toRate': () => toRate,
      'queue.rate': (p) => {
        toRate = null;
        return { ...served, rating: p.rating };
      },
    });
    const wrapper = mountWith(RatingView, h);
    await settle();
    expect(wrapper.get('[data-testid="rating-idle"]').text()).toContain('xin kính chào');

    toRate = served;
    h.fake.emit('queue.changed', { counter: 'Q01', current: null });
    await settle();
    expect(wrapper.get('[data-testid="rating-question"]').text()).toContain('A007');

    window.dispatchEvent(new KeyboardEvent('keydown', { key: '1', cancelable: true }));
    await settle();
    expect(h.fake.callsOf('queue.rate').map((c) => c.params)).toEqual([{ ticketId: 7, rating: 3 }]);
    expect(wrapper.get('[data-testid="rating-thanks"]').text()).toContain('Cảm ơn');
    wrapper.unmount();
  });

  it('shows why a rating was refused and asks again for what is left to rate', async () => {
    let toRate: Ticket | null = served;
    const h = setupHarness({
      'queue.toRate': () => toRate,
      'queue.rate': () => {
        toRate = null;
        throw new FakeFailure('TICKET_STATE_INVALID', 'Số A007 đã được đánh giá.');
      },
    });
    const wrapper = mountWith(RatingView, h);
    await settle();
    await wrapper.get('[data-testid="rating-1"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('queue.rate').map((c) => c.params)).toEqual([{ ticketId: 7, rating: 1 }]);
    expect(wrapper.find('[data-testid="rating-thanks"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="rating-idle"]').exists()).toBe(true);
    expect(wrapper.get('[role="alert"]').text()).toContain('Trạng thái của số thứ tự không cho phép thao tác này');
    wrapper.unmount();
  });
});

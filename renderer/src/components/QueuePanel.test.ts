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

const ticket: Ticket = { id: 3, number: 'A003', service: 'TTHC', priority: false, state: 'called', takenAt: '2025-07-15T08:00', calledAt: '2025-07-15T09:00', counter: 'Q01' };

describe('queue panel', () => {
  it('calls the next number with F2 and shows it big; a received draft is cleared for the new applicant', async () => {
    let waiting: Ticket[] = [{ ...ticket, state: 'waiting' }];
    let current: Ticket | null = null;
    const h = setupHarness({
      'queue.state': () => ({ counter: 'Q01', current, waiting, skipped: [] }),
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
});

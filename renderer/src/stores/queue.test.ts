// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { Ticket } from '../../../common/contract';
import { setApiForTests } from '../api';
import { FakeFailure } from '../testing/fake-api';
import { setupHarness } from '../testing/mount';
import { useQueueStore } from './queue';

afterEach(() => setApiForTests(null));

const ticket = (number: string, state: Ticket['state'] = 'waiting'): Ticket => ({
  id: Number(number.slice(1)),
  number,
  service: 'HO-TICH',
  serviceName: 'Hộ tịch',
  priority: false,
  state,
  takenAt: '2025-07-15T08:00',
  calledAt: null,
  counter: state === 'waiting' ? null : 'Q01',
  targetCounter: null,
  callCount: 0,
  finishedAt: null,
  outcome: null,
  dossierCode: null,
  waitSeconds: 0,
  serviceSeconds: 0,
  printedAt: null,
  printError: null,
});

describe('queue store', () => {
  it('follows queue.changed for its own counter only, and only once it knows which one it is', async () => {
    const h = setupHarness({
      'queue.state': () => ({ counter: 'Q01', current: null, waiting: [ticket('A001')], skipped: [], held: [] }),
    });
    const queue = useQueueStore();
    queue.listen();
    h.fake.emit('queue.changed', { counter: 'Q02', waiting: [ticket('B001'), ticket('B002')] });
    expect(queue.waitingCount).toBe(0);
    await queue.load();
    expect(queue.waitingCount).toBe(1);
    h.fake.emit('queue.changed', { counter: 'Q02', waiting: [] });
    expect(queue.waitingCount).toBe(1);
    h.fake.emit('queue.changed', { counter: 'Q01', waiting: [], held: [ticket('A001', 'held')] });
    expect(queue.waitingCount).toBe(0);
    expect(queue.held.map((t) => t.number)).toEqual(['A001']);
    queue.stop();
  });

  it('shows a queue error and keeps the screen usable', async () => {
    setupHarness({
      'queue.hold': () => {
        throw new FakeFailure('TICKET_STATE_INVALID');
      },
    });
    const queue = useQueueStore();
    expect(await queue.hold()).toBe(false);
    expect(queue.error?.code).toBe('TICKET_STATE_INVALID');
    expect(queue.busy).toBe(false);
  });
});

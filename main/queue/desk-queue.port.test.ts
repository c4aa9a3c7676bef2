import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { tempDir } from '../store/testing/store-fixtures';
import { localDeskQueue, type DeskQueue } from './desk-queue.port';
import { queueHarness, type QueueHarness } from './testing/queue-harness';

let temp: ReturnType<typeof tempDir>;
let h: QueueHarness;
let queue: DeskQueue;

beforeEach(() => {
  temp = tempDir('motcua-desk-queue-');
  h = queueHarness({ dataDir: temp.dir });
  queue = localDeskQueue(h.queue, (id) => h.store.queue.get(id));
});
afterEach(() => {
  h.close();
  temp.cleanup();
});

describe('the desk’s own queue behind the port', () => {
  it('answers as the service does, as promises', async () => {
    const taken = await queue.take('HO-TICH', false, 'canbo');
    const called = await queue.callNext(undefined, 'canbo');
    expect(called.id).toBe(taken.ticket.id);
    expect((await queue.state(undefined)).current?.id).toBe(taken.ticket.id);
    expect(h.queue.state('Q01').current?.id).toBe(taken.ticket.id);
    expect(queue.ticket(taken.ticket.id)).toEqual({ id: taken.ticket.id, number: taken.ticket.number });
    expect(queue.ticket(9999)).toBeNull();
    expect((await queue.setup()).deskCounter).toBe('Q01');
  });

  it('turns the service’s throws into rejections with the same codes', async () => {
    const empty = queue.callNext(undefined, 'canbo');
    await expect(empty).rejects.toBeInstanceOf(AppError);
    await expect(empty).rejects.toMatchObject({ code: 'QUEUE_EMPTY' });
    await expect(queue.state('Q99')).rejects.toMatchObject({ code: 'QUEUE_COUNTER_UNKNOWN' });
    await expect(queue.recall(undefined, 'canbo')).rejects.toMatchObject({ code: 'TICKET_STATE_INVALID' });
  });

  it('finishForDossier stays synchronous and finishes the local ticket', async () => {
    const taken = await queue.take('HO-TICH', false, 'canbo');
    await queue.callNext(undefined, 'canbo');
    expect(queue.finishForDossier(taken.ticket.id, '000.00.12.H56-250715-0001', 'canbo')).toBeUndefined();
    expect(h.store.queue.get(taken.ticket.id)?.state).toBe('done');
  });
});

/**
 * Run by `queue.crash.test.ts` in its own process: takes two tickets, calls the first, then dies
 * by SIGKILL in the middle of the next call's transaction (after the first ticket was finished in
 * it, before the second was called and the transaction committed).
 */
import { queueHarness } from './queue-harness';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: crash-child DATA_DIR');
const h = queueHarness({ dataDir });
await h.queue.take('HO-TICH', false, 'kiosk');
await h.queue.take('HO-TICH', false, 'kiosk');
h.queue.callNext('Q01', 'canbo');
const append = h.store.audit.append.bind(h.store.audit);
h.store.audit.append = (input) => {
  if (input.action === 'queue.call') process.kill(process.pid, 'SIGKILL');
  return append(input);
};
process.stdout.write('calling\n');
h.queue.callNext('Q01', 'canbo');
process.stdout.write('not reached\n');

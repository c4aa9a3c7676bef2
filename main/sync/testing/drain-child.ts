import { openStore } from '../../store/store';
import { OutboxSender } from '../outbox-sender';
import { clients } from './sync-fixture';

/**
 * A sync engine in its own process, for the crash test: drains the outbox of `<dataDir>` to the
 * two simulators until nothing is owed, printing `sent N` as rows are recorded. The test kills it
 * with SIGKILL at random moments and starts it again on the same store.
 *   node bin/run-ts.mjs main/sync/testing/drain-child.ts <dataDir> <nationalUrl> <provincialUrl>
 */
const [dataDir, nationalUrl, provincialUrl] = process.argv.slice(2);
if (!dataDir || !nationalUrl || !provincialUrl) {
  process.stderr.write('usage: drain-child.ts <dataDir> <nationalUrl> <provincialUrl>\n');
  process.exit(2);
}
const store = openStore({ dataDir });
const c = clients(nationalUrl, provincialUrl, 300);
const sender = new OutboxSender(
  {
    outbox: store.outbox,
    national: c.national,
    provincial: c.provincial,
    onProgress: (counts) => process.stdout.write(`sent ${counts.sent}\n`),
  },
  {
    batch: 5,
    baseDelayMs: 5,
    maxDelayMs: 40,
    maxAttempts: 1000,
    breaker: { failureThreshold: 3, openMs: 30, maxOpenMs: 100 },
  },
);
process.stdout.write('ready\n');
for (;;) {
  await sender.drainOnce();
  const counts = store.outbox.counts();
  if (counts.pending + counts.retrying === 0) break;
  await new Promise((r) => setTimeout(r, 10));
}
store.close();
process.stdout.write('done\n');

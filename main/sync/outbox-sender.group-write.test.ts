import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startNationalPortalSimulator,
  type NationalPortalSimulator,
} from '../remotes/national-portal/national-portal.simulator';
import { startProvincialSimulator, type ProvincialSimulator } from '../remotes/provincial/provincial.simulator';
import { openStore, type Store } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { lineLogger } from '../kernel/testing/line-logger';
import { OutboxSender } from './outbox-sender';
import { clients, dossierCode, enqueueDossier } from './testing/sync-fixture';

/**
 * A round's outcomes are recorded in one write (docs/architecture.md, "Sync" → Sender): one
 * commit per round instead of one fsync per row, and a commit that fails records none of them,
 * so the rows are looked up again and nothing reaches the portal twice.
 */
let temp: ReturnType<typeof tempDir>;
let store: Store;
let national: NationalPortalSimulator;
let provincial: ProvincialSimulator;

beforeEach(async () => {
  temp = tempDir('motcua-group-write-');
  store = openStore({ dataDir: temp.dir });
  national = await startNationalPortalSimulator();
  provincial = await startProvincialSimulator();
});

afterEach(async () => {
  store.close();
  await Promise.all([national.close(), provincial.close()]);
  temp.cleanup();
});

function sender(outbox: Store['outbox'], log: string[] = []): OutboxSender {
  const c = clients(national.url, provincial.url);
  return new OutboxSender(
    { outbox, national: c.national, provincial: c.provincial, log: lineLogger(log) },
    { batch: 20 },
  );
}

/** Only the rows of the first round (creates, hand-offs): the steps are taken out of this drain. */
function firstRoundOnly(): void {
  store.transaction(() => {
    for (const row of [...store.outbox.listByStatus('pending', 1000)]) {
      if (row.kind === 'dossier.progress') store.outbox.markDead(row.id, 'not part of this test', 'rejected', null, 0);
    }
  });
}

describe('OutboxSender: a round recorded in one write', () => {
  it('records the outcomes of a round (a group of creates, the hand-offs) in one transaction', async () => {
    for (let n = 1; n <= 6; n++) enqueueDossier(store, n, Date.now());
    firstRoundOnly();
    const writesPerGroup: number[] = [];
    const real = store.outbox;
    let inGroup = -1;
    const counting: Store['outbox'] = Object.assign(Object.create(real) as Store['outbox'], {
      recordTogether(writes: () => void): void {
        inGroup = writesPerGroup.push(0) - 1;
        try {
          real.recordTogether(writes);
        } finally {
          inGroup = -1;
        }
      },
      markSent(id: number, sentAt: number, remoteRef: string | null): void {
        if (inGroup >= 0) writesPerGroup[inGroup] = (writesPerGroup[inGroup] ?? 0) + 1;
        real.markSent(id, sentAt, remoteRef);
      },
    });
    const result = await sender(counting).drainOnce();
    expect(result).toMatchObject({ sent: 12, failed: 0 });
    expect(writesPerGroup).toEqual([12]);
    expect(store.outbox.counts()).toMatchObject({ sent: 12, pending: 0, retrying: 0 });
    expect(national.state.calls.filter((c) => c.service === 'DongBoHoSoMC')).toHaveLength(1);
  });

  it('a failed commit records none of the round; the next drain looks them up and sends nothing twice', async () => {
    for (let n = 1; n <= 4; n++) enqueueDossier(store, n, Date.now());
    firstRoundOnly();
    const real = store.outbox;
    const failing: Store['outbox'] = Object.assign(Object.create(real) as Store['outbox'], {
      recordTogether(writes: () => void): void {
        real.recordTogether(() => {
          writes();
          throw new Error('disk I/O error');
        });
      },
    });
    const log: string[] = [];
    const first = await sender(failing, log).drainOnce();
    expect(first).toMatchObject({ sent: 0, failed: 0, dead: 0 });
    expect(log.some((l) => l.includes("recording a round's results failed: disk I/O error"))).toBe(true);
    const rows = store.outbox.listByStatus('pending', 100).filter((r) => r.kind === 'dossier.upsert');
    expect(rows.map((r) => r.lastErrorCode)).toEqual([
      'OUTCOME_UNKNOWN',
      'OUTCOME_UNKNOWN',
      'OUTCOME_UNKNOWN',
      'OUTCOME_UNKNOWN',
    ]);
    expect(national.state.dossiers.size).toBe(4);

    const second = await sender(real).drainOnce();
    expect(second).toMatchObject({ sent: 8, failed: 0 });
    for (let n = 1; n <= 4; n++) {
      expect(national.state.dossiers.get(dossierCode(n))).toMatchObject({ createCount: 1, updateCount: 0 });
      // The hand-off went again with its idempotency key: the province recognised it, holds it once.
      expect(provincial.state.dossiers.get(dossierCode(n))).toMatchObject({
        receiveCount: 1,
        idempotencyKeys: [`${dossierCode(n)}:handoff`],
      });
    }
    expect(national.state.calls.filter((c) => c.service === 'TraCuuHoSo')).toHaveLength(4);
  });
});

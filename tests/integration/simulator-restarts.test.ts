import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createCore } from '../../main/core/compose';

/**
 * "After restarts the desk exhausted its reserve and refused every dossier for the day": a training
 * desk restarted many times in one day. Each start leases a block of numbers from the in-core
 * provincial twin; the twin used to forget its counters on restart and lease 1-20 again, which the
 * desk refused (the block overlaps one it holds), so every dossier after the first run took a
 * number from the desk's offline reserve (100 numbers) until it ran out. The twin now keeps its
 * counters in the data folder (docs/operations.md, "Simulators").
 */
const RESTARTS = 8;
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-sim-restarts-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe('a training desk restarted many times in one day', () => {
  it('gets a fresh leased block at every start and never touches its reserve', async () => {
    const codes: string[] = [];
    const refusals: string[] = [];
    const leaseBlocks: number[] = [];
    for (let run = 0; run < RESTARTS; run++) {
      const token = `training-token-${String(run).padStart(2, '0')}-${'x'.repeat(16)}`;
      const core = await createCore({ dataDir, startSync: false, simulatorToken: token });
      try {
        expect(core.trainingMode).toBe(true);
        // The simulators' admin endpoint takes the core's token (browser mode: the launch token).
        expect(core.simulators?.provincial.adminToken).toBe(token);
        expect(core.simulators?.national.adminToken).toBe(token);
        const agencyId = core.config.agency.id;
        const today = core.clock.today();
        // What the start's upkeep leased is used up, as by a busy morning at the desk.
        const blockSize = core.config.sync.leaseBlockSize;
        for (let i = 0; i < blockSize; i++) {
          try {
            codes.push(core.store.transaction(() => core.codes.allocate(today)));
          } catch (err) {
            refusals.push(`run ${run}: ${(err as { code?: string }).code ?? String(err)}`);
          }
        }
        leaseBlocks.push(core.store.sequences.blocks(agencyId, today).filter((b) => b.source === 'lease').length);
      } finally {
        await core.close();
      }
    }
    // The desk never refused a dossier (DOSSIER_CODE_EXHAUSTED), every start added a leased block,
    // and no number came from the reserve (9000+).
    expect(refusals).toEqual([]);
    expect(leaseBlocks).toEqual(Array.from({ length: RESTARTS }, (_, run) => run + 1));
    expect(codes.filter((c) => Number(c.slice(-4)) >= 9000)).toEqual([]);
    expect(new Set(codes).size).toBe(codes.length);
  }, 180_000);
});

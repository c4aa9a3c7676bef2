import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { killLoop } from './durability-rig';

/**
 * kill -9 of a real core process while it receives dossiers over its WebSocket, eight times, each
 * time started again on the same data folder; the unanswered receives are sent again with their
 * request ids (as the screen does). The long run (≥ 50 kills) is `bench/durability/run.ts`, figures
 * in bench/README.md ("Durability").
 */
const base = mkdtempSync(join(tmpdir(), 'motcua-kill-loop-'));
const keyDir = join(base, 'keys');
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('kill -9 while receiving', () => {
  it(
    'keeps every acknowledged dossier exactly once, with its outbox rows and audit entry, after 8 kills',
    async () => {
      process.env.MOTCUA_KEY_DIR = keyDir;
      const result = await killLoop({
        dataDir: join(base, 'data'),
        env: { MOTCUA_KEY_DIR: keyDir },
        kills: 8,
        minMs: 500,
        maxMs: 2500,
      });
      const { check } = result;
      expect(result.errors).toEqual([]);
      expect(result.acknowledged).toBeGreaterThan(0);
      expect(check.integrity).toEqual(['ok']);
      expect(check.auditChainOk, check.auditDetail).toBe(true);
      expect(check.lost).toEqual([]);
      expect(check.duplicateRequests).toBe(0);
      expect(check.duplicateCodes).toBe(0);
      expect(check.badOutbox).toEqual([]);
      expect(check.badAudit).toEqual([]);
      // Every request was answered in the end (the last start answered the ones in flight at the last kill).
      expect(check.dossiers).toBe(result.acknowledged);
    },
    15 * 60_000,
  );
});

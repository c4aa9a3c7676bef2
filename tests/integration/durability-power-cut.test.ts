import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../main/store/store';
import { checkStore, powerCutCopies, snapshotSound } from './durability-rig';

/**
 * Power-cut style copies: while a real core process commits receives, the test stops it
 * (SIGSTOP), copies `motcua.sqlite`, then `-wal`, then `-shm` at the file level, and lets it go on
 * (SIGCONT), at 24 random moments; each copy is then opened as the desk opens its store.
 *
 * Why this is honest: a stopped process has no write half done (a `write` call completes or has
 * not started), so the three files are what the disk's page cache held at that instant, which is
 * what a crash of the process, or of the machine with the cache flushed, leaves. Opening a copy
 * runs SQLite's WAL recovery exactly as after a power cut: committed transactions found in the
 * WAL are replayed, a transaction cut short (no commit frame) is ignored. Every copy must pass
 * `PRAGMA integrity_check` and the audit chain, hold every receive acknowledged before the copy
 * (the answer goes out after the commit), and each dossier in it must be whole: its three outbox
 * rows and its audit entry (one transaction). What a real power cut adds that this cannot show:
 * writes still in the page cache are lost, possibly out of order. The store runs with
 * `synchronous=FULL` (docs/architecture.md, "Store"): each commit fsyncs the WAL before the answer,
 * so an acknowledged receive is on the disk, and SQLite's WAL checksums drop a torn tail. A live
 * copy (the process not stopped) is not such a state: a checkpoint between copying the database
 * file and the WAL gives a mix no crash produces; bench/durability/run.ts measures that case.
 */
const base = mkdtempSync(join(tmpdir(), 'motcua-power-cut-'));
const keyDir = join(base, 'keys');
afterAll(() => {
  rmSync(base, { recursive: true, force: true });
});

describe('power-cut style copies of the store', () => {
  it(
    'opens every copy taken mid-write whole: integrity ok, acknowledged receives present, no half dossier',
    async () => {
      process.env.MOTCUA_KEY_DIR = keyDir;
      const result = await powerCutCopies({
        dataDir: join(base, 'data'),
        copiesDir: join(base, 'copies'),
        env: { MOTCUA_KEY_DIR: keyDir },
        copies: 24,
        frozen: true,
        minGapMs: 150,
        maxGapMs: 900,
      });
      const unsound = result.snapshots.filter((s) => !snapshotSound(s));
      expect(unsound.map((s) => JSON.stringify(s))).toEqual([]);
      expect(result.acknowledged).toBeGreaterThan(0);
      // The copies did catch dossiers, and WAL frames that only recovery brings into the database.
      expect(result.snapshots.some((s) => (s.check?.dossiers ?? 0) > 0)).toBe(true);
      expect(result.snapshots.some((s) => s.walBytes > 0)).toBe(true);

      // The check itself sees a half dossier: one outbox row taken out of the fullest copy.
      const fullest = [...result.snapshots].sort((a, b) => (b.check?.dossiers ?? 0) - (a.check?.dossiers ?? 0))[0]!;
      const dir = join(base, 'copies', `copy-${String(fullest.index).padStart(3, '0')}`);
      const store = openStore({ dataDir: dir });
      try {
        // Outbox rows are never deleted (a trigger refuses it); this copy is thrown away, so its trigger may go.
        for (const name of store.db
          .prepare<[], string>(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'outbox' AND sql LIKE '%DELETE%'",
          )
          .pluck()
          .all()) {
          store.db.exec(`DROP TRIGGER "${name}"`);
        }
        store.db
          .prepare("DELETE FROM outbox WHERE id = (SELECT max(id) FROM outbox WHERE kind = 'dossier.handoff')")
          .run();
      } finally {
        store.close();
      }
      expect(checkStore(dir).badOutbox).toHaveLength(1);
    },
    10 * 60_000,
  );
});

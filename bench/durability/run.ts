/**
 * Durability of the store under a real core process receiving dossiers over its WebSocket
 * (`tests/integration/durability-rig.ts`; the short versions run in the test suite):
 *   1. kill -9 loop: `--kills` (50) SIGKILLs at random moments while receiving, each followed by a
 *      start on the same data folder and the unanswered receives sent again with their request ids;
 *      at the end every acknowledged dossier present exactly once, codes unique, three outbox rows
 *      and one audit entry per dossier, audit chain and `PRAGMA integrity_check` ok;
 *   2. power-cut style copies: `--copies` (100) copies of db, -wal, -shm taken with the writer
 *      stopped (SIGSTOP), each opened and checked;
 *   3. the same number of live copies (writer running, db then -wal then -shm, as a file backup
 *      tool copies), checked the same way: how often such a copy is not a sound store.
 *
 *   npm run bench:durability -- [--kills 50] [--copies 100] [--seed 1] [--result FILE]
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killLoop, powerCutCopies, snapshotSound, type PowerCutResult } from '../../tests/integration/durability-rig';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { Random } from '../lib/random';

const args = new Args();
const kills = args.int('kills', 50);
const copies = args.int('copies', 100);
const seed = args.int('seed', 1);
const here = dirname(fileURLToPath(import.meta.url));
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-durability.json`);

const base = mkdtempSync(join(tmpdir(), 'motcua-bench-durability-'));
const keyDir = join(base, 'keys');
process.env.MOTCUA_KEY_DIR = keyDir;
const env = { MOTCUA_KEY_DIR: keyDir };
const prng = new Random(seed);
const random = () => prng.next();
const before = loadavg();

function copySummary(r: PowerCutResult) {
  const sound = r.snapshots.filter(snapshotSound);
  const unsound = r.snapshots.filter((s) => !snapshotSound(s));
  return {
    copies: r.snapshots.length,
    sound: sound.length,
    unsound: unsound.length,
    withWalFrames: r.snapshots.filter((s) => s.walBytes > 0).length,
    /** Distinct WAL checkpoint sequence numbers seen: more than one means checkpoints ran between copies. */
    walCheckpointSeqs: [...new Set(r.snapshots.map((s) => s.walCheckpointSeq))],
    walBytes: {
      min: Math.min(...r.snapshots.map((s) => s.walBytes)),
      max: Math.max(...r.snapshots.map((s) => s.walBytes)),
    },
    dossiersInCopies: {
      min: Math.min(...r.snapshots.map((s) => s.check?.dossiers ?? 0)),
      max: Math.max(...r.snapshots.map((s) => s.check?.dossiers ?? 0)),
    },
    acknowledged: r.acknowledged,
    ms: r.ms,
    problems: unsound.slice(0, 10).map((s) => ({
      index: s.index,
      openError: s.openError,
      integrity: s.check?.integrity.slice(0, 3),
      auditChainOk: s.check?.auditChainOk,
      lost: s.check?.lost.length,
      badOutbox: s.check?.badOutbox.slice(0, 3),
      badAudit: s.check?.badAudit.slice(0, 3),
    })),
  };
}

try {
  console.log(`kill -9 loop: ${kills} kills…`);
  const loop = await killLoop({
    dataDir: join(base, 'kill-data'),
    env,
    kills,
    minMs: 500,
    maxMs: 3000,
    random,
    onKill: (n, acknowledged) => {
      if (n % 5 === 0) console.log(`  ${n} kills, ${acknowledged} acknowledged`);
    },
  });
  console.log(`power-cut style copies: ${copies} frozen…`);
  const frozen = await powerCutCopies({
    dataDir: join(base, 'frozen-data'),
    copiesDir: join(base, 'frozen-copies'),
    env,
    copies,
    frozen: true,
    minGapMs: 100,
    maxGapMs: 600,
    random,
  });
  rmSync(join(base, 'frozen-copies'), { recursive: true, force: true });
  console.log(`live copies: ${copies}…`);
  const live = await powerCutCopies({
    dataDir: join(base, 'live-data'),
    copiesDir: join(base, 'live-copies'),
    env,
    copies,
    frozen: false,
    minGapMs: 100,
    maxGapMs: 600,
    random,
  });
  rmSync(join(base, 'live-copies'), { recursive: true, force: true });

  const c = loop.check;
  const result = {
    at: new Date().toISOString(),
    machine: machineInfo(),
    loadavg: { before, after: loadavg() },
    seed,
    killLoop: {
      kills: loop.kills,
      acknowledged: loop.acknowledged,
      resent: loop.resent,
      errors: loop.errors.length,
      dossiers: c.dossiers,
      lost: c.lost.length,
      duplicateRequests: c.duplicateRequests,
      duplicateCodes: c.duplicateCodes,
      badOutbox: c.badOutbox.length,
      badAudit: c.badAudit.length,
      integrity: c.integrity,
      auditChainOk: c.auditChainOk,
      auditDetail: c.auditDetail,
      ms: loop.ms,
      startMs: loop.startMs,
    },
    frozenCopies: copySummary(frozen),
    liveCopies: copySummary(live),
  };
  mkdirSync(dirname(resultFile), { recursive: true });
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  const k = result.killLoop;
  console.log(
    `\nkill -9 loop: ${k.kills} kills, ${k.acknowledged} acknowledged, ${k.resent} resent, lost ${k.lost}, duplicate requests ${k.duplicateRequests}, duplicate codes ${k.duplicateCodes}, bad outbox ${k.badOutbox}, bad audit ${k.badAudit}, integrity ${k.integrity.join(',')}, audit chain ${k.auditChainOk ? 'ok' : 'BROKEN'} (${k.auditDetail}), ${(k.ms / 1000).toFixed(0)} s`,
  );
  for (const [name, s] of [
    ['frozen copies', result.frozenCopies],
    ['live copies', result.liveCopies],
  ] as const) {
    console.log(
      `${name}: ${s.sound}/${s.copies} sound, ${s.withWalFrames} with WAL frames (${s.walBytes.min}–${s.walBytes.max} bytes, checkpoint sequences ${s.walCheckpointSeqs.join(',')}), dossiers per copy ${s.dossiersInCopies.min}–${s.dossiersInCopies.max}, ${(s.ms / 1000).toFixed(0)} s`,
    );
  }
  console.log(`\nresult: ${resultFile}`);
} finally {
  rmSync(base, { recursive: true, force: true });
}

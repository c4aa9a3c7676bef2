/**
 * Sign-in cost (docs/architecture.md, "Sign-in"):
 *   1. time per scrypt hash at N = 2^15 and 2^17 (r = 8, p = 1), sync and on the thread pool;
 *   2. the core's responsiveness under 50 concurrent wrong sign-ins: the latency of another RPC
 *      (`queue.state` of a signed-in officer, asked from a timer every `--gap` ms, so it waits for
 *      the event loop) while they are checked, against the same RPC idle, at both costs;
 *   3. the answer time of a wrong password for a name that is no account, an account, and a locked
 *      account (first attempt of each name on a fresh connection: no throttle wait), interleaved.
 *
 *   npm run bench:passwords -- [--hashes 10] [--gap 20] [--names 40] [--result FILE]
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createCore, type Core } from '../../main/core/compose';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';
import { PasswordHasher, type ScryptCost } from '../../main/store/password';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { fmtMs, summarise, table, type LatencySummary } from '../lib/stats';

const args = new Args();
const hashes = args.int('hashes', 10);
const gapMs = args.int('gap', 20);
const names = args.int('names', 40);
const here = dirname(fileURLToPath(import.meta.url));
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-passwords.json`);

const COSTS: Record<string, ScryptCost> = { '2^15': { N: 2 ** 15, r: 8, p: 1 }, '2^17': { N: 2 ** 17, r: 8, p: 1 } };

let connection = 10_000;
function context(): CallContext {
  let user: SessionUser | null = null;
  return {
    get user() {
      return user;
    },
    connectionId: connection++,
    setUser: (u) => {
      user = u;
    },
  };
}

async function hashTimes(cost: ScryptCost): Promise<{ sync: LatencySummary; async: LatencySummary }> {
  const hasher = new PasswordHasher({ cost });
  const sync: number[] = [];
  const pool: number[] = [];
  hasher.hash('warm-up');
  for (let i = 0; i < hashes; i += 1) {
    let t = performance.now();
    hasher.hash(`mat-khau-${i}`);
    sync.push(performance.now() - t);
    t = performance.now();
    await hasher.hashAsync(`mat-khau-${i}`);
    pool.push(performance.now() - t);
  }
  return { sync: summarise(sync), async: summarise(pool) };
}

/** `queue.state` asked every `gapMs` from a timer until `done()`; each sample is the wall time of one call. */
async function probe(core: Core, officer: CallContext, done: () => boolean): Promise<number[]> {
  const samples: number[] = [];
  while (!done()) {
    await new Promise((r) => setTimeout(r, gapMs));
    const t = performance.now();
    const r = await core.rpc.call('queue.state', {}, officer);
    if (!r.ok) throw new Error(`queue.state: ${r.error.code}`);
    samples.push(performance.now() - t);
  }
  return samples;
}

interface LoadRun {
  cost: string;
  idle: LatencySummary;
  during: LatencySummary;
  burstMs: number;
  signIns: number;
}

async function underLoad(costName: string, cost: ScryptCost): Promise<LoadRun> {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-bench-pw-'));
  process.env.MOTCUA_KEY_DIR = join(dataDir, 'keys');
  const core = await createCore({ dataDir: join(dataDir, 'data'), startSync: false, passwordCost: cost });
  try {
    const officer = context();
    const login = await core.rpc.call('auth.login', { username: 'canbo', password: 'daotao-canbo' }, officer);
    if (!login.ok) throw new Error('sign-in failed');
    let idleDone = false;
    const idleTimer = setTimeout(() => {
      idleDone = true;
    }, 3000);
    const idle = await probe(core, officer, () => idleDone);
    clearTimeout(idleTimer);
    let burstDone = false;
    const started = performance.now();
    const burst = Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        core.rpc.call('auth.login', { username: `khach${i}`, password: 'sai' }, context()),
      ),
    ).then((r) => {
      burstDone = true;
      return r;
    });
    const [during, answers] = await Promise.all([probe(core, officer, () => burstDone), burst]);
    if (answers.some((a) => a.ok)) throw new Error('a wrong sign-in succeeded');
    return {
      cost: costName,
      idle: summarise(idle),
      during: summarise(during),
      burstMs: Math.round(performance.now() - started),
      signIns: answers.length,
    };
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface AnswerTimes {
  cost: string;
  unknown: LatencySummary;
  known: LatencySummary;
  locked: LatencySummary;
  codes: Record<string, string[]>;
}

async function answerTimes(): Promise<AnswerTimes> {
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-bench-pw-'));
  process.env.MOTCUA_KEY_DIR = join(dataDir, 'keys');
  mkdirSync(join(dataDir, 'data'));
  const core = await createCore({ dataDir: join(dataDir, 'data'), startSync: false });
  try {
    // One real 2^17 hash shared by the accounts (the check costs the same; making 2 × names hashes would take minutes).
    const hash = core.store.accounts.passwords.hash('mat-khau-dung');
    const insert = core.store.db.prepare(
      "INSERT INTO accounts (username, display_name, role, password_hash) VALUES (?, ?, 'officer', ?)",
    );
    for (let i = 0; i < names; i += 1) {
      insert.run(`canbo${i}`, `Cán bộ ${i}`, hash);
      insert.run(`khoa${i}`, `Khóa ${i}`, hash);
    }
    core.store.db
      .prepare("UPDATE accounts SET locked_until = ? WHERE username LIKE 'khoa%'")
      .run(Date.now() + 3_600_000);
    const times: Record<'unknown' | 'known' | 'locked', number[]> = { unknown: [], known: [], locked: [] };
    const codes: Record<string, Set<string>> = { unknown: new Set(), known: new Set(), locked: new Set() };
    for (let i = 0; i < names; i += 1) {
      for (const [kind, username] of [
        ['unknown', `khong-co-${i}`],
        ['known', `canbo${i}`],
        ['locked', `khoa${i}`],
      ] as const) {
        const t = performance.now();
        const r = await core.rpc.call('auth.login', { username, password: 'sai-mat-khau' }, context());
        times[kind].push(performance.now() - t);
        codes[kind]!.add(r.ok ? 'ok' : r.error.code);
      }
    }
    return {
      cost: '2^17',
      unknown: summarise(times.unknown),
      known: summarise(times.known),
      locked: summarise(times.locked),
      codes: Object.fromEntries(Object.entries(codes).map(([k, v]) => [k, [...v]])),
    };
  } finally {
    await core.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

const load = { before: loadavg() };
const hashResults: Record<string, { sync: LatencySummary; async: LatencySummary }> = {};
for (const [name, cost] of Object.entries(COSTS)) hashResults[name] = await hashTimes(cost);
const loadRuns: LoadRun[] = [];
for (const [name, cost] of Object.entries(COSTS)) loadRuns.push(await underLoad(name, cost));
const answers = await answerTimes();
const result = {
  at: new Date().toISOString(),
  machine: machineInfo(),
  loadavg: { ...load, after: loadavg() },
  hashes,
  gapMs,
  names,
  hashResults,
  loadRuns,
  answers,
};
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);

console.log(
  table(
    ['scrypt cost', 'sync p50 ms', 'sync p95 ms', 'thread pool p50 ms', 'thread pool p95 ms'],
    Object.entries(hashResults).map(([name, r]) => [
      name,
      fmtMs(r.sync.p50Ms),
      fmtMs(r.sync.p95Ms),
      fmtMs(r.async.p50Ms),
      fmtMs(r.async.p95Ms),
    ]),
  ),
);
console.log();
console.log(
  table(
    ['cost', 'queue.state idle p50/p95 ms', 'during 50 wrong sign-ins p50/p95 ms', 'max ms', 'n', 'burst s'],
    loadRuns.map((r) => [
      r.cost,
      `${fmtMs(r.idle.p50Ms)} / ${fmtMs(r.idle.p95Ms)}`,
      `${fmtMs(r.during.p50Ms)} / ${fmtMs(r.during.p95Ms)}`,
      fmtMs(r.during.maxMs),
      String(r.during.count),
      (r.burstMs / 1000).toFixed(1),
    ]),
  ),
);
console.log();
console.log(
  table(
    ['wrong password for', 'p50 ms', 'p95 ms', 'answers'],
    (['unknown', 'known', 'locked'] as const).map((k) => [
      k,
      fmtMs(answers[k].p50Ms),
      fmtMs(answers[k].p95Ms),
      answers.codes[k]!.join(','),
    ]),
  ),
);
console.log(`\nresult: ${resultFile}`);

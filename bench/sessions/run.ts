/**
 * What the session rules cost per call (docs/architecture.md, "Sessions"): every call over a
 * connection reads the account's session epoch from the store (one row by the unique index on
 * username) and judges the session. Measured on a real store on disk:
 *   1. the epoch read alone (`AccountsRepository.sessionStanding`);
 *   2. a signed-in connection's `auth.me` through the RPC server, with the epoch read (as the core
 *      runs) and without it (no revocation check), interleaved in rounds.
 *
 *   npm run bench:sessions -- [--reads 50000] [--calls 5000] [--rounds 5] [--result FILE]
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RpcServerMessage } from '../../common/contract';
import { AccountsService } from '../../main/admin/accounts.service';
import { systemClock } from '../../main/kernel/clock';
import { createHandlers, type HandlerDeps } from '../../main/core/handlers';
import type { Logger } from '../../main/kernel/logger';
import { RpcServer } from '../../main/core/rpc-server';
import { openStore } from '../../main/store/store';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { fmtMs, summarise, table } from '../lib/stats';

const args = new Args();
const reads = args.int('reads', 50_000);
const calls = args.int('calls', 5_000);
const rounds = args.int('rounds', 5);
const here = dirname(fileURLToPath(import.meta.url));
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-sessions.json`);

process.env.MOTCUA_KEY_DIR ??= join(tmpdir(), 'motcua-bench-keys');
const dataDir = mkdtempSync(join(tmpdir(), 'motcua-bench-sessions-'));
const store = openStore({ dataDir, passwordCost: { N: 2 ** 10, r: 8, p: 1 } });
for (let i = 0; i < 50; i += 1)
  store.accounts.create({
    username: `canbo${i}`,
    displayName: `Cán bộ ${i}`,
    role: 'officer',
    password: 'mat-khau-dung',
  });
const quiet: Logger = { log: () => undefined, child: () => quiet };

function server(withEpoch: boolean): RpcServer {
  const deps = {
    accounts: new AccountsService(store, systemClock),
    store,
    clock: systemClock,
  } as unknown as HandlerDeps;
  return new RpcServer(
    createHandlers(deps),
    quiet,
    withEpoch ? { accountStanding: (u) => store.accounts.sessionStanding(u) } : {},
  );
}

async function signedIn(rpc: RpcServer): Promise<(method: string) => Promise<RpcServerMessage>> {
  let nextId = 1;
  const waiting = new Map<number, (m: RpcServerMessage) => void>();
  const conn = rpc.connect((m) => {
    if (m.kind === 'response') waiting.get(m.id)?.(m);
  });
  const call = (method: string, params: unknown = {}) =>
    new Promise<RpcServerMessage>((resolve) => {
      const id = nextId++;
      waiting.set(id, resolve);
      conn.receive({ kind: 'request', id, method, params });
    });
  await call('auth.login', { username: 'canbo7', password: 'mat-khau-dung' });
  return call;
}

const readSamples: number[] = [];
for (let i = 0; i < reads; i += 1) {
  const t = performance.now();
  store.accounts.sessionStanding(`canbo${i % 50}`);
  readSamples.push((performance.now() - t) * 1000);
}

const withEpoch = await signedIn(server(true));
const withoutEpoch = await signedIn(server(false));
const perCall = { with: [] as number[], without: [] as number[] };
for (let r = 0; r < rounds; r += 1) {
  for (const [name, call] of [
    ['with', withEpoch],
    ['without', withoutEpoch],
  ] as const) {
    const t = performance.now();
    for (let i = 0; i < calls; i += 1) await call('auth.me');
    perCall[name].push(((performance.now() - t) * 1000) / calls);
  }
}
store.close();
rmSync(dataDir, { recursive: true, force: true });

const result = {
  at: new Date().toISOString(),
  machine: machineInfo(),
  loadavg: loadavg(),
  reads,
  calls,
  rounds,
  epochReadUs: summarise(readSamples),
  authMeUsPerCall: { withEpochRead: summarise(perCall.with), withoutEpochRead: summarise(perCall.without) },
};
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
console.log(
  table(
    ['measure (µs)', 'p50', 'p95', 'max'],
    [
      [
        'epoch read (one row by username)',
        fmtMs(result.epochReadUs.p50Ms),
        fmtMs(result.epochReadUs.p95Ms),
        fmtMs(result.epochReadUs.maxMs),
      ],
      [
        'auth.me per call, epoch read (rounds)',
        fmtMs(result.authMeUsPerCall.withEpochRead.p50Ms),
        fmtMs(result.authMeUsPerCall.withEpochRead.p95Ms),
        fmtMs(result.authMeUsPerCall.withEpochRead.maxMs),
      ],
      [
        'auth.me per call, no epoch read (rounds)',
        fmtMs(result.authMeUsPerCall.withoutEpochRead.p50Ms),
        fmtMs(result.authMeUsPerCall.withoutEpochRead.p95Ms),
        fmtMs(result.authMeUsPerCall.withoutEpochRead.maxMs),
      ],
    ],
  ),
);
console.log(
  `load average ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}; written ${resultFile}`,
);

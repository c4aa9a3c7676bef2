/**
 * Sync under load: how fast the desk drains a big outbox to the two remotes, and what
 * that does to the desk's own RPC latency.
 *
 * - The remotes are the simulators in a child process (`main/remotes/run-simulators.ts`), real HTTP
 *   on 127.0.0.1, no added latency: the drain rate is the desk's own ceiling, not a network's.
 * - The desk is a real core (`createCore`, training data, store on disk with its WAL and
 *   `synchronous=FULL`), given HTTP clients for those simulators and the chunked file transfer.
 * - `--dossiers N` received dossiers are put in the store (dossier, person) with the three outbox
 *   rows a walk-in receive writes (DongBoHoSoMC, the reception step, the hand-off with one ~8 KB
 *   file inline, so every hand-off also uploads a file). Not timed. The sender sends the creates
 *   of each round in one DongBoHoSoMC and looks a dossier up only after an unknown outcome; the
 *   portal's calls per service are recorded.
 * - RPC latency: `dossier.search` and `queue.state` through `core.rpc.call` (schemas, roles,
 *   handler), asked by a client in a worker thread over a message port (as the window asks the
 *   core host) and timed there, so it includes waiting for the core's busy event loop; one call
 *   every `--gap` ms, alternating; first while idle, then while the sender drains (`drainOnce`
 *   back to back until nothing is pending), then idle again. The idle figures are the reference
 *   measured in the same run.
 *
 *   npm run bench:sync -- [--dossiers 10000] [--gap 20] [--idle-samples 300] [--result FILE]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import type { MethodName } from '../../common/contract';
import { createCore } from '../../main/core/compose';
import { createNationalPortalClient } from '../../main/remotes/national-portal/national-portal.client';
import { TRAINING_DSTCODE, TRAINING_NATIONAL_USER } from '../../main/remotes/national-portal/national-portal.simulator';
import { receptionStep, toWireDossier, toWireProgressStep } from '../../main/remotes/national-portal/wire-format';
import { createFileTransfer } from '../../main/remotes/provincial/file-transfer';
import { clientCredentialsToken } from '../../main/remotes/provincial/oauth-token';
import { createProvincialClient } from '../../main/remotes/provincial/provincial.client';
import { TRAINING_PROVINCIAL_CLIENT } from '../../main/remotes/provincial/provincial.simulator';
import { newDossier } from '../../main/store/testing/store-fixtures';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { Random } from '../lib/random';
import { BenchSession } from '../lib/session';
import { fmtMs, ratio, summarise, table, type LatencySummary } from '../lib/stats';
import { familyNames, randomPerson } from '../lib/vn-people';

const args = new Args();
const dossiers = args.int('dossiers', 10_000);
const gapMs = args.int('gap', 20);
const idleSamples = args.int('idle-samples', 300);
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-sync.json`);
const AGENCY = '000.00.12.H56';

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function startSimulators(): Promise<{
  child: ChildProcess;
  national: string;
  provincial: string;
  token: string;
}> {
  // The admin endpoint (`/__sim/state` below) needs the simulators' token.
  const token = randomBytes(24).toString('base64url');
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'run-ts.mjs'), join(root, 'main', 'remotes', 'run-simulators.ts')],
    {
      env: { ...process.env, NATIONAL_PORT: '0', PROVINCIAL_PORT: '0', SIMULATOR_TOKEN: token },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`simulators did not start: ${out}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const national = /national portal simulator:\s+(http:\/\/\S+)/.exec(out)?.[1];
      const provincial = /provincial system simulator:\s+(http:\/\/\S+)/.exec(out)?.[1];
      if (national && provincial) {
        clearTimeout(timer);
        resolve({ child, national, provincial, token });
      }
    });
    child.once('exit', (code) => reject(new Error(`simulators exited (${code}): ${out}`)));
  });
}

interface Sampled {
  search: number[];
  queueState: number[];
}

/**
 * The client of the RPC, in a worker thread: like the window's end of the message port, it
 * posts a request and waits for the answer, so the time includes waiting for the core's event
 * loop (which the sender keeps busy), not only the handler. One call every `gap` ms, alternating
 * `dossier.search` and `queue.state`; it stops when told to or after `max` calls per method.
 */
const CLIENT = `
const { parentPort, workerData } = require('node:worker_threads');
const { performance } = require('node:perf_hooks');
let stop = false;
let max = Infinity;
const pending = new Map();
let next = 0;
parentPort.on('message', (m) => {
  if (m.type === 'answer') { const p = pending.get(m.id); pending.delete(m.id); p(m); }
  if (m.type === 'start') { stop = false; max = m.max ?? Infinity; run(); }
  if (m.type === 'stop') stop = true;
});
function call(method, params) {
  const id = next++;
  return new Promise((resolve) => { pending.set(id, resolve); parentPort.postMessage({ type: 'call', id, method, params }); });
}
async function run() {
  const out = { search: [], queueState: [] };
  let turn = 0;
  while (!stop && Math.min(out.search.length, out.queueState.length) < max) {
    const search = turn++ % 2 === 0;
    const started = performance.now();
    const answer = await call(search ? 'dossier.search' : 'queue.state', search ? { query: workerData.names[turn % workerData.names.length], limit: 20 } : {});
    const ms = performance.now() - started;
    if (!answer.ok) { parentPort.postMessage({ type: 'error', message: answer.message }); return; }
    (search ? out.search : out.queueState).push(ms);
    await new Promise((r) => setTimeout(r, workerData.gapMs));
  }
  parentPort.postMessage({ type: 'done', out });
}
`;

class RpcClient {
  private readonly worker: Worker;
  private done: ((s: Sampled) => void) | null = null;
  private failed: ((e: Error) => void) | null = null;

  constructor(session: BenchSession, names: string[]) {
    this.worker = new Worker(CLIENT, { eval: true, workerData: { names, gapMs } });
    this.worker.on(
      'message',
      (m: { type: string; id?: number; method?: MethodName; params?: unknown; out?: Sampled; message?: string }) => {
        if (m.type === 'call') {
          void session.call(m.method!, m.params).then((r) =>
            this.worker.postMessage({
              type: 'answer',
              id: m.id,
              ok: r.ok,
              message: r.ok ? null : `${r.error.code} ${r.error.message}`,
            }),
          );
        } else if (m.type === 'done') this.done?.(m.out!);
        else if (m.type === 'error') this.failed?.(new Error(m.message));
      },
    );
  }

  /** Samples until `stop()` or `max` calls per method. */
  sample(max?: number): Promise<Sampled> {
    return new Promise((resolve, reject) => {
      this.done = resolve;
      this.failed = reject;
      this.worker.postMessage({ type: 'start', max });
    });
  }

  stop(): void {
    this.worker.postMessage({ type: 'stop' });
  }

  close(): Promise<number> {
    return this.worker.terminate();
  }
}

async function main(): Promise<void> {
  const machine = machineInfo();
  const loadBefore = loadavg();
  const sims = await startSimulators();
  log(`simulators: ${sims.national} ${sims.provincial}`);
  const dataDir = mkdtempSync(join(tmpdir(), 'motcua-bench-sync-'));
  const timeoutMs = 10_000;
  const core = await createCore({
    dataDir,
    startSync: false,
    remotes: {
      national: createNationalPortalClient({
        baseUrl: sims.national,
        ...TRAINING_NATIONAL_USER,
        dstcode: TRAINING_DSTCODE,
        agencyCode: AGENCY,
        timeoutMs,
      }),
      provincial: createProvincialClient({ baseUrl: sims.provincial, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs }),
      transfer: createFileTransfer({
        baseUrl: sims.provincial,
        token: clientCredentialsToken({ baseUrl: sims.provincial, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs }),
        timeoutMs,
      }),
    },
  });
  const session = new BenchSession(core);
  await session.login();
  const random = new Random(20261204);
  const names = familyNames().slice(0, 30);

  // Seed: N received dossiers with their outbox rows (as intake writes them), 500 per transaction.
  const seedStarted = performance.now();
  const { store } = core;
  const procedure = store.catalogue.get('2.000635') ?? store.catalogue.search('', 1)[0];
  if (!procedure) throw new Error('no procedure in the training catalogue');
  const now = Date.now();
  for (let from = 0; from < dossiers; from += 500) {
    store.transaction(() => {
      for (let i = from; i < Math.min(from + 500, dossiers); i++) {
        const day = 1 + Math.floor(i / 9000);
        const code = `${AGENCY}-2512${String(day).padStart(2, '0')}-${String((i % 9000) + 1).padStart(4, '0')}`;
        const person = store.people.upsert({
          kind: 'citizen',
          ...randomPerson(random, { currentYear: 2026 }),
          portalVerified: true,
        });
        const d = store.dossiers.insert(
          newDossier(person, {
            code,
            requestId: randomUUID(),
            procedureCode: procedure.code,
            procedureName: procedure.name,
          }),
        );
        const wire = toWireDossier(d, { agencyId: AGENCY, receivingUnit: 'Bộ phận Một cửa' });
        const step = toWireProgressStep(
          receptionStep(d, { handlerTitle: 'Cán bộ tiếp nhận', department: 'Bộ phận Một cửa' }),
        );
        const bytes = Buffer.concat([Buffer.from(`%PDF-1.4 giay tiep nhan ${code}\n`), randomBytes(8000)]);
        const file = {
          name: `${code}-giay-tiep-nhan.pdf`,
          sha256: createHash('sha256').update(bytes).digest('hex'),
          base64: bytes.toString('base64'),
        };
        store.outbox.enqueue({
          target: 'national',
          kind: 'dossier.upsert',
          dossierCode: code,
          idempotencyKey: `${code}/upsert/1`,
          payload: { dossier: wire, isUpdating: false },
          now,
        });
        store.outbox.enqueue({
          target: 'national',
          kind: 'dossier.progress',
          dossierCode: code,
          idempotencyKey: `${code}/progress/1`,
          payload: { steps: [step] },
          now,
        });
        store.outbox.enqueue({
          target: 'provincial',
          kind: 'dossier.handoff',
          dossierCode: code,
          idempotencyKey: `${code}/handoff`,
          payload: { dossier: wire, files: [file] },
          now,
        });
      }
    });
  }
  log(
    `seeded ${dossiers} dossiers (${(3 * dossiers).toLocaleString('en')} outbox rows) in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
  );

  // Warm-up, then idle reference.
  const client = new RpcClient(session, names);
  await client.sample(20);
  const idleBefore = await client.sample(idleSamples);

  // Drain while sampling.
  const delay = monitorEventLoopDelay({ resolution: 1 });
  let drains = 0;
  const elu = performance.eventLoopUtilization();
  const drainStarted = performance.now();
  delay.enable();
  const sampling = client.sample();
  const halfway: { at: number | null } = { at: null };
  const drainer = (async () => {
    for (;;) {
      await core.sender.drainOnce();
      drains += 1;
      const c = store.outbox.counts();
      if (halfway.at === null && c.sent >= (3 * dossiers) / 2) halfway.at = performance.now() - drainStarted;
      if (c.pending + c.retrying === 0) break;
    }
  })();
  await drainer;
  const drainSeconds = (performance.now() - drainStarted) / 1000;
  client.stop();
  const during = await sampling;
  const busy = performance.eventLoopUtilization(elu).utilization;
  delay.disable();
  const counts = store.outbox.counts();

  const idleAfter = await client.sample(idleSamples);
  await client.close();

  // What the remotes hold.
  const simToken = { 'x-sim-token': sims.token };
  const nationalState = (await (await fetch(`${sims.national}/__sim/state`, { headers: simToken })).json()) as {
    dossiers: unknown[];
    callsByService?: Record<string, number>;
  };
  const provincialState = (await (await fetch(`${sims.provincial}/__sim/state`, { headers: simToken })).json()) as {
    dossiers: unknown[];
  };

  const idleSearch = summarise([...idleBefore.search, ...idleAfter.search]);
  const idleQueue = summarise([...idleBefore.queueState, ...idleAfter.queueState]);
  const drainSearch = summarise(during.search);
  const drainQueue = summarise(during.queueState);
  const result = {
    bench: 'sync',
    at: new Date().toISOString(),
    machine,
    loadAverage: { before: loadBefore, after: loadavg() },
    settings: {
      dossiers,
      outboxRows: 3 * dossiers,
      gapMs,
      idleSamples,
      fileBytesPerHandOff: 8000 + 40,
      sender: { batch: 20, note: 'compose defaults' },
    },
    drain: {
      seconds: Math.round(drainSeconds * 100) / 100,
      dossiersPerSecond: Math.round((dossiers / drainSeconds) * 10) / 10,
      rowsPerSecond: Math.round(((3 * dossiers) / drainSeconds) * 10) / 10,
      halfwaySeconds: halfway.at === null ? null : Math.round(halfway.at / 10) / 100,
      drains,
      counts,
      remote: { nationalDossiers: nationalState.dossiers.length, provincialDossiers: provincialState.dossiers.length },
      // National calls per service (auth = logins): creates go in one DongBoHoSoMC per round's batch, TraCuuHoSo only
      // after an unknown outcome.
      nationalCalls: nationalState.callsByService ?? {},
      eventLoopDelayMs: { p50: delay.percentile(50) / 1e6, p99: delay.percentile(99) / 1e6, max: delay.max / 1e6 },
      eventLoopUtilization: Math.round(busy * 1000) / 1000,
    },
    rpc: {
      idle: { 'dossier.search': idleSearch, 'queue.state': idleQueue },
      draining: { 'dossier.search': drainSearch, 'queue.state': drainQueue },
      p95RatioDrainingToIdle: {
        'dossier.search': ratio(drainSearch.p95Ms, idleSearch.p95Ms),
        'queue.state': ratio(drainQueue.p95Ms, idleQueue.p95Ms),
      },
    },
  };

  const row = (label: string, s: LatencySummary): string[] => [
    label,
    String(s.count),
    fmtMs(s.p50Ms),
    fmtMs(s.p95Ms),
    fmtMs(s.p99Ms),
    fmtMs(s.maxMs),
  ];
  process.stdout.write(
    `\nDrain: ${dossiers} dossiers (${3 * dossiers} rows) in ${drainSeconds.toFixed(1)} s = ${result.drain.dossiersPerSecond} dossiers/s, ${result.drain.rowsPerSecond} rows/s; counts ${JSON.stringify(counts)}; remotes hold ${result.drain.remote.nationalDossiers} / ${result.drain.remote.provincialDossiers}; national calls ${JSON.stringify(result.drain.nationalCalls)}\n`,
  );
  process.stdout.write(
    `Core event loop while draining: ${(busy * 100).toFixed(0)} % busy; delay (1 ms timer) p50 ${result.drain.eventLoopDelayMs.p50.toFixed(1)} ms, p99 ${result.drain.eventLoopDelayMs.p99.toFixed(1)} ms, max ${result.drain.eventLoopDelayMs.max.toFixed(1)} ms\n\n`,
  );
  process.stdout.write(
    `${table(
      ['RPC', 'n', 'p50', 'p95', 'p99', 'max'],
      [
        row('dossier.search idle', idleSearch),
        row('dossier.search draining', drainSearch),
        row('queue.state idle', idleQueue),
        row('queue.state draining', drainQueue),
      ],
    )}\n`,
  );
  process.stdout.write(
    `p95 draining ÷ idle: search ${result.rpc.p95RatioDrainingToIdle['dossier.search']}, queue.state ${result.rpc.p95RatioDrainingToIdle['queue.state']}\n`,
  );

  mkdirSync(dirname(resultFile), { recursive: true });
  writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
  log(`wrote ${resultFile}`);

  await core.close();
  sims.child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:sync failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});

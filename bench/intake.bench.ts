/**
 * Receiving dossiers through the core on a large store, against the same receives into an empty
 * store. Every receive is `core.rpc.call('intake.receive', …)`: params schema, validation,
 * appointment, dossier number, the transaction with person, dossier, outbox rows and audit entry,
 * then the receipt PDF rendered and written to the blob store.
 *
 *   node bin/run-ts.mjs bench/intake.bench.ts --store DIR [--n 2000] [--warmup 20] [--per-day 8000]
 *
 * The render and blob-write parts are timed by wrapping `DossierForms.prototype.receipt` and
 * `.keep`, so the second figure is each receive minus its own rendering time.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dossier, DossierDocumentKind, PersonInput, Procedure } from '../common/contract';
import { createCore, type Core } from '../main/core/compose';
import { DossierForms } from '../main/intake/dossier-forms';
import { Args, isMain } from './lib/args';
import { Random } from './lib/random';
import { BenchSession } from './lib/session';
import { fmtMs, ratio, summarise, table, type LatencySummary } from './lib/stats';
import { openStoreDb } from './lib/store-db';
import { freshWorkingDay } from './lib/store-days';
import { randomPerson } from './lib/vn-people';

/** Walk-in procedures the workload draws from, with how often each is asked for. */
const WORKLOAD: readonly (readonly [string, number])[] = [
  ['2.000815', 30],
  ['2.000884', 14],
  ['1.001193', 12],
  ['1.004873', 10],
  ['2.000635', 8],
  ['1.000894', 6],
  ['1.004222', 6],
  ['1.000656', 4],
];

export interface IntakeRun {
  label: string;
  days: string[];
  n: number;
  errors: number;
  errorSamples: string[];
  loopSeconds: number;
  dossiersPerSecond: number;
  full: LatencySummary;
  withoutRender: LatencySummary;
  withoutRenderAndBlob: LatencySummary;
  render: LatencySummary;
  blobWrite: LatencySummary;
  /** Time inside `store.transaction` (the receive transaction and any other during the call). */
  transaction: LatencySummary;
  /** The rest: RPC checks, lookups before and after the transaction, appointment, result mapping. */
  rest: LatencySummary;
  /** Dossiers in the store before this run. */
  storeDossiersBefore: number;
}

export interface IntakeBenchResult {
  n: number;
  returningApplicants: number;
  large: IntakeRun;
  empty: IntakeRun;
  ratio: {
    perSecond: number | null;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    withoutRenderP50: number | null;
    withoutRenderP95: number | null;
    withoutRenderP99: number | null;
  };
}

interface Request {
  applicant: PersonInput;
  procedureCode: string;
  channel: 'walk-in';
}

/** Times spent in receipt rendering and blob keeping since the last reset (receives run one at a time). */
const timing = { render: 0, keep: 0, tx: 0 };

function instrumentForms(): () => void {
  const receipt = DossierForms.prototype.receipt;
  const keep = DossierForms.prototype.keep;
  DossierForms.prototype.receipt = async function (this: DossierForms, d: Dossier): Promise<Uint8Array> {
    const t = performance.now();
    try {
      return await receipt.call(this, d);
    } finally {
      timing.render += performance.now() - t;
    }
  };
  DossierForms.prototype.keep = async function (
    this: DossierForms,
    code: string,
    kind: DossierDocumentKind,
    bytes: Uint8Array,
    at: string,
  ): Promise<string> {
    const t = performance.now();
    try {
      return await keep.call(this, code, kind, bytes, at);
    } finally {
      timing.keep += performance.now() - t;
    }
  };
  return () => {
    DossierForms.prototype.receipt = receipt;
    DossierForms.prototype.keep = keep;
  };
}

function countDossiers(dataDir: string): number {
  const opened = openStoreDb(dataDir);
  if (!opened) return 0;
  try {
    return opened.db.prepare<[], number>('SELECT count(*) FROM dossiers').pluck().get() ?? 0;
  } finally {
    opened.close();
  }
}

interface StoredPersonRow {
  id_number: string;
  full_name: string;
  old_id_number: string | null;
  birth_date: string | null;
  sex: 'Nam' | 'Nữ' | null;
  address: string | null;
  id_issue_date: string | null;
  phone: string | null;
  email: string | null;
}

/**
 * The workload: `returning` share of applicants already in the large store (exact stored data,
 * as after an ID-card scan), the rest new people. The same list is received into both stores.
 */
export function buildRequests(largeDir: string, count: number, returning: number, seed: number): Request[] {
  const random = new Random(seed);
  const currentYear = new Date().getUTCFullYear();
  const opened = openStoreDb(largeDir);
  if (!opened) throw new Error(`no store in ${largeDir}`);
  const { db } = opened;
  try {
    const bounds = db
      .prepare<[], { lo: number | null; hi: number | null }>('SELECT min(id) AS lo, max(id) AS hi FROM people')
      .get();
    const byId = db.prepare<
      [number],
      StoredPersonRow
    >(`SELECT id_number, full_name, old_id_number, birth_date, sex, address,
      id_issue_date, phone, email FROM people WHERE id = ? AND kind = 'citizen'`);
    const totalWeight = WORKLOAD.reduce((s, [, w]) => s + w, 0);
    const requests: Request[] = [];
    for (let i = 0; i < count; i++) {
      let applicant: PersonInput | null = null;
      if (bounds?.lo != null && bounds.hi != null && random.chance(returning)) {
        const row = byId.get(random.int(bounds.lo, bounds.hi));
        if (row) {
          applicant = {
            kind: 'citizen',
            idNumber: row.id_number,
            fullName: row.full_name,
            oldIdNumber: row.old_id_number,
            birthDate: row.birth_date,
            sex: row.sex,
            address: row.address,
            idIssueDate: row.id_issue_date,
            phone: row.phone,
            email: row.email,
            portalVerified: true,
          };
        }
      }
      if (applicant === null) {
        const p = randomPerson(random, { currentYear });
        applicant = { kind: 'citizen', ...p, portalVerified: true };
      }
      let roll = random.next() * totalWeight;
      let procedureCode = WORKLOAD[0]?.[0] ?? '2.000815';
      for (const [code, weight] of WORKLOAD) {
        roll -= weight;
        if (roll < 0) {
          procedureCode = code;
          break;
        }
      }
      requests.push({ applicant, procedureCode, channel: 'walk-in' });
    }
    return requests;
  } finally {
    opened.close();
  }
}

function componentsFor(p: Procedure) {
  return p.components.map((c) => ({
    componentCode: c.code,
    originals: Math.max(c.originals, 1),
    copies: c.copies,
    source: 'paper' as const,
  }));
}

async function openCore(
  dataDir: string,
  day: string,
): Promise<{ core: Core; session: BenchSession; procedures: Map<string, Procedure> }> {
  const core = await createCore({ dataDir, fixedNow: `${day}T07:30`, startSync: false });
  const session = new BenchSession(core);
  await session.login();
  const procedures = new Map<string, Procedure>();
  for (const [code] of WORKLOAD) procedures.set(code, await session.ok('catalogue.get', { code }));
  return { core, session, procedures };
}

/** Adds the time spent in this core's store transactions to `timing.tx`. */
function timeTransactions(core: Core): void {
  const store = core.store;
  const original = store.transaction.bind(store);
  store.transaction = <T>(fn: () => T): T => {
    const t = performance.now();
    try {
      return original(fn);
    } finally {
      timing.tx += performance.now() - t;
    }
  };
}

async function closeCore(core: Core): Promise<void> {
  // Let the background lease refill started by the last receive finish before the store closes.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await core.close();
}

/**
 * One store receiving: its core, session and current day. The core is reopened on a fresh day
 * when the day's dossier numbers (`perDay`) are used up; reopening is not timed.
 */
class Lane {
  readonly full: number[] = [];
  readonly render: number[] = [];
  readonly keep: number[] = [];
  readonly tx: number[] = [];
  readonly errorSamples: string[] = [];
  readonly days: string[] = [];
  errors = 0;
  loopMs = 0;
  private open: { core: Core; session: BenchSession; procedures: Map<string, Procedure> } | null = null;
  private usedToday = 0;

  constructor(
    readonly label: string,
    readonly dataDir: string,
    private day: string,
    private readonly perDay: number,
  ) {}

  private async ensureOpen(): Promise<{ session: BenchSession; procedures: Map<string, Procedure> }> {
    if (this.open && this.usedToday >= this.perDay) {
      await closeCore(this.open.core);
      this.open = null;
      this.day = freshWorkingDay(this.dataDir, this.day);
    }
    if (!this.open) {
      this.open = await openCore(this.dataDir, this.day);
      timeTransactions(this.open.core);
      this.days.push(this.day);
      this.usedToday = 0;
    }
    return this.open;
  }

  /** Receives one dossier; returns the elapsed milliseconds of the RPC call (or null when it failed). */
  async receive(req: Request, record: boolean): Promise<number | null> {
    const { session, procedures } = await this.ensureOpen();
    const p = procedures.get(req.procedureCode);
    if (!p) throw new Error(`procedure ${req.procedureCode} not loaded`);
    const params = {
      requestId: randomUUID(),
      applicant: req.applicant,
      procedureCode: req.procedureCode,
      channel: req.channel,
      components: componentsFor(p),
    };
    timing.render = 0;
    timing.keep = 0;
    timing.tx = 0;
    const t = performance.now();
    const r = await session.call('intake.receive', params);
    const ms = performance.now() - t;
    this.usedToday += 1;
    if (!r.ok) {
      if (!record) throw new Error(`warm-up receive failed on ${this.label}: ${r.error.code} ${r.error.message}`);
      this.errors += 1;
      if (this.errorSamples.length < 5) this.errorSamples.push(`${r.error.code}: ${r.error.message}`);
      return null;
    }
    if (record) {
      this.full.push(ms);
      this.render.push(timing.render);
      this.keep.push(timing.keep);
      this.tx.push(timing.tx);
      this.loopMs += ms;
    }
    return ms;
  }

  async close(): Promise<void> {
    if (this.open) await closeCore(this.open.core);
    this.open = null;
  }

  result(n: number, storeDossiersBefore: number): IntakeRun {
    const withoutRender = this.full.map((ms, k) => ms - (this.render[k] ?? 0));
    const withoutBoth = this.full.map((ms, k) => ms - (this.render[k] ?? 0) - (this.keep[k] ?? 0));
    return {
      label: this.label,
      days: this.days,
      n,
      errors: this.errors,
      errorSamples: this.errorSamples,
      loopSeconds: this.loopMs / 1000,
      dossiersPerSecond: Math.round((this.full.length / (this.loopMs / 1000)) * 10) / 10,
      full: summarise(this.full),
      withoutRender: summarise(withoutRender),
      withoutRenderAndBlob: summarise(withoutBoth),
      render: summarise(this.render),
      blobWrite: summarise(this.keep),
      transaction: summarise(this.tx),
      rest: summarise(this.full.map((ms, k) => ms - (this.render[k] ?? 0) - (this.keep[k] ?? 0) - (this.tx[k] ?? 0))),
      storeDossiersBefore,
    };
  }
}

/**
 * Receives the same requests into the large store and into an empty one, alternating blocks of
 * `block` receives between the two so that machine noise over time (other processes, CPU
 * frequency) falls on both alike. Receives are sequential, one at a time, like one desk.
 */
export async function runIntakeBench(opts: {
  largeDir: string;
  n: number;
  warmup?: number;
  perDay?: number;
  returning?: number;
  block?: number;
  seed?: number;
  log?: (line: string) => void;
}): Promise<IntakeBenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const warmupCount = opts.warmup ?? 20;
  const perDay = Math.min(opts.perDay ?? 8000, 8900);
  const block = Math.max(1, opts.block ?? 50);
  const returning = opts.returning ?? 0.5;
  const all = buildRequests(opts.largeDir, opts.n + warmupCount, returning, opts.seed ?? 4242);
  const warmup = all.slice(0, warmupCount);
  const requests = all.slice(warmupCount);
  const restore = instrumentForms();
  const emptyDir = mkdtempSync(join(tmpdir(), 'motcua-bench-empty-'));
  const firstDay = freshWorkingDay(opts.largeDir);
  const largeBefore = countDossiers(opts.largeDir);
  const large = new Lane('large', opts.largeDir, firstDay, perDay);
  const empty = new Lane('empty', emptyDir, firstDay, perDay);
  try {
    log(
      `intake: ${opts.n} receives into the large store ${opts.largeDir} (${largeBefore} dossiers) and the same into an empty store ${emptyDir}, from ${firstDay}, alternating blocks of ${block}; ${warmupCount} warm-up receives each first`,
    );
    for (const req of warmup) {
      await large.receive(req, false);
      await empty.receive(req, false);
    }
    const started = performance.now();
    for (let i = 0; i < requests.length; i += block) {
      const chunk = requests.slice(i, i + block);
      const lanes = (i / block) % 2 === 0 ? [large, empty] : [empty, large];
      for (const lane of lanes) for (const req of chunk) await lane.receive(req, true);
      const done = Math.min(i + block, requests.length);
      if (done % 500 === 0 || done === requests.length) {
        log(
          `intake: ${done}/${requests.length} each (${((performance.now() - started) / 1000).toFixed(0)} s; large p50 so far ${fmtMs(summarise(large.full).p50Ms)} ms, empty ${fmtMs(summarise(empty.full).p50Ms)} ms)`,
        );
      }
    }
    const largeRun = large.result(opts.n, largeBefore);
    const emptyRun = empty.result(opts.n, 0);
    return {
      n: opts.n,
      returningApplicants: returning,
      large: largeRun,
      empty: emptyRun,
      ratio: {
        perSecond: ratio(largeRun.dossiersPerSecond, emptyRun.dossiersPerSecond),
        p50: ratio(largeRun.full.p50Ms, emptyRun.full.p50Ms),
        p95: ratio(largeRun.full.p95Ms, emptyRun.full.p95Ms),
        p99: ratio(largeRun.full.p99Ms, emptyRun.full.p99Ms),
        withoutRenderP50: ratio(largeRun.withoutRender.p50Ms, emptyRun.withoutRender.p50Ms),
        withoutRenderP95: ratio(largeRun.withoutRender.p95Ms, emptyRun.withoutRender.p95Ms),
        withoutRenderP99: ratio(largeRun.withoutRender.p99Ms, emptyRun.withoutRender.p99Ms),
      },
    };
  } finally {
    await large.close();
    await empty.close();
    restore();
    rmSync(emptyDir, { recursive: true, force: true });
  }
}

export function intakeTable(r: IntakeBenchResult): string {
  const row = (metric: string, pick: (run: IntakeRun) => number, fmt: (v: number) => string = fmtMs): string[] => {
    const a = pick(r.large);
    const b = pick(r.empty);
    const q = ratio(a, b);
    return [metric, fmt(a), fmt(b), q === null ? '-' : `${q.toFixed(2)}×`];
  };
  return table(
    ['intake.receive', 'large store', 'empty store', 'ratio'],
    [
      row(
        'dossiers/second (full path)',
        (x) => x.dossiersPerSecond,
        (v) => v.toFixed(1),
      ),
      row('full p50 ms', (x) => x.full.p50Ms),
      row('full p95 ms', (x) => x.full.p95Ms),
      row('full p99 ms', (x) => x.full.p99Ms),
      row('without receipt render p50 ms', (x) => x.withoutRender.p50Ms),
      row('without receipt render p95 ms', (x) => x.withoutRender.p95Ms),
      row('without receipt render p99 ms', (x) => x.withoutRender.p99Ms),
      row('without render + blob write p50 ms', (x) => x.withoutRenderAndBlob.p50Ms),
      row('without render + blob write p95 ms', (x) => x.withoutRenderAndBlob.p95Ms),
      row('receipt render p50 ms', (x) => x.render.p50Ms),
      row('receipt render p95 ms', (x) => x.render.p95Ms),
      row('blob write + addDocument p50 ms', (x) => x.blobWrite.p50Ms),
      row('blob write + addDocument p95 ms', (x) => x.blobWrite.p95Ms),
      row('receive transaction p50 ms', (x) => x.transaction.p50Ms),
      row('receive transaction p95 ms', (x) => x.transaction.p95Ms),
      row('receive transaction p99 ms', (x) => x.transaction.p99Ms),
      row('rest (rpc, reads, mapping) p50 ms', (x) => x.rest.p50Ms),
      row('rest (rpc, reads, mapping) p95 ms', (x) => x.rest.p95Ms),
      row(
        'errors',
        (x) => x.errors,
        (v) => String(v),
      ),
    ],
  );
}

if (isMain(import.meta.url)) {
  const args = new Args();
  const store = args.string('store');
  if (!store) {
    console.error(
      'usage: node bin/run-ts.mjs bench/intake.bench.ts --store DIR [--n 2000] [--warmup 20] [--per-day 8000]  (seed DIR with bench/seed-large-store.ts)',
    );
    process.exit(2);
  }
  const result = await runIntakeBench({
    largeDir: store,
    n: args.int('n', 2000),
    warmup: args.int('warmup', 20),
    perDay: args.int('per-day', 8000),
    block: args.int('block', 50),
  });
  console.log(intakeTable(result));
  console.log(JSON.stringify(result, null, 2));
}

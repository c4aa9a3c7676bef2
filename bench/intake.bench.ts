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
import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dossier, DossierDocumentKind, PersonInput, Procedure } from '../common/contract';
import { createCore, type Core } from '../main/core/compose';
import { DossierForms } from '../main/intake/dossier-forms';
import { DATABASE_FILE } from '../main/store/store';
import { Args, isMain } from './lib/args';
import { Random } from './lib/random';
import { BenchSession } from './lib/session';
import { fmtMs, ratio, summarise, table, type LatencySummary } from './lib/stats';
import { freshWorkingDay } from './lib/store-days';
import { randomPerson } from './lib/vn-people';

/** Walk-in procedures the workload draws from, with how often each is asked for. */
const WORKLOAD: readonly (readonly [string, number])[] = [
  ['2.000815', 30], ['2.000884', 14], ['1.001193', 12], ['1.004873', 10], ['2.000635', 8], ['1.000894', 6], ['1.004222', 6], ['1.000656', 4],
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
  /** Dossiers in the store before this run. */
  storeDossiersBefore: number;
}

export interface IntakeBenchResult {
  n: number;
  returningApplicants: number;
  large: IntakeRun;
  empty: IntakeRun;
  ratio: { perSecond: number | null; p50: number | null; p95: number | null; p99: number | null; withoutRenderP50: number | null; withoutRenderP95: number | null; withoutRenderP99: number | null };
}

interface Request {
  applicant: PersonInput;
  procedureCode: string;
  channel: 'walk-in';
}

/** Times spent in receipt rendering and blob keeping since the last reset (receives run one at a time). */
const timing = { render: 0, keep: 0 };

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
  DossierForms.prototype.keep = async function (this: DossierForms, code: string, kind: DossierDocumentKind, bytes: Uint8Array, at: string): Promise<string> {
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
  try {
    const db = new Database(join(dataDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
    try {
      return db.prepare<[], number>('SELECT count(*) FROM dossiers').pluck().get() ?? 0;
    } finally {
      db.close();
    }
  } catch {
    return 0;
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
  const db = new Database(join(largeDir, DATABASE_FILE), { readonly: true, fileMustExist: true });
  try {
    const bounds = db.prepare<[], { lo: number | null; hi: number | null }>('SELECT min(id) AS lo, max(id) AS hi FROM people').get();
    const byId = db.prepare<[number], StoredPersonRow>(`SELECT id_number, full_name, old_id_number, birth_date, sex, address,
      id_issue_date, phone, email FROM people WHERE id = ? AND kind = 'citizen'`);
    const totalWeight = WORKLOAD.reduce((s, [, w]) => s + w, 0);
    const requests: Request[] = [];
    for (let i = 0; i < count; i++) {
      let applicant: PersonInput | null = null;
      if (bounds?.lo != null && bounds.hi != null && random.chance(returning)) {
        const row = byId.get(random.int(bounds.lo, bounds.hi));
        if (row) {
          applicant = {
            kind: 'citizen', idNumber: row.id_number, fullName: row.full_name, oldIdNumber: row.old_id_number, birthDate: row.birth_date,
            sex: row.sex, address: row.address, idIssueDate: row.id_issue_date, phone: row.phone, email: row.email, portalVerified: true,
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
        if (roll < 0) { procedureCode = code; break; }
      }
      requests.push({ applicant, procedureCode, channel: 'walk-in' });
    }
    return requests;
  } finally {
    db.close();
  }
}

function componentsFor(p: Procedure) {
  return p.components.map((c) => ({ componentCode: c.code, originals: Math.max(c.originals, 1), copies: c.copies, source: 'paper' as const }));
}

async function openCore(dataDir: string, day: string): Promise<{ core: Core; session: BenchSession; procedures: Map<string, Procedure> }> {
  const core = await createCore({ dataDir, fixedNow: `${day}T07:30`, startSync: false });
  const session = new BenchSession(core);
  await session.login();
  const procedures = new Map<string, Procedure>();
  for (const [code] of WORKLOAD) procedures.set(code, await session.ok('catalogue.get', { code }));
  return { core, session, procedures };
}

async function closeCore(core: Core): Promise<void> {
  // Let the background lease refill started by the last receive finish before the store closes.
  await new Promise((resolve) => setTimeout(resolve, 300));
  await core.close();
}

/** Receives `requests` into the store at `dataDir`, moving to a fresh day every `perDay` dossiers. */
export async function receiveAll(opts: {
  label: string; dataDir: string; firstDay: string; requests: readonly Request[]; warmup: readonly Request[]; perDay: number;
  log: (line: string) => void;
}): Promise<IntakeRun> {
  const storeDossiersBefore = countDossiers(opts.dataDir);
  const full: number[] = [];
  const render: number[] = [];
  const keep: number[] = [];
  const errorSamples: string[] = [];
  let errors = 0;
  const days: string[] = [];
  let loopMs = 0;
  let day = opts.firstDay;
  let i = 0;
  let warmed = false;
  while (i < opts.requests.length) {
    days.push(day);
    const { core, session, procedures } = await openCore(opts.dataDir, day);
    try {
      const receive = async (req: Request) => {
        const p = procedures.get(req.procedureCode);
        if (!p) throw new Error(`procedure ${req.procedureCode} not loaded`);
        return session.call('intake.receive', {
          requestId: randomUUID(), applicant: req.applicant, procedureCode: req.procedureCode, channel: req.channel, components: componentsFor(p),
        });
      };
      if (!warmed) {
        for (const req of opts.warmup) {
          const r = await receive(req);
          if (!r.ok) throw new Error(`warm-up receive failed: ${r.error.code} ${r.error.message}`);
        }
        warmed = true;
      }
      const end = Math.min(opts.requests.length, i + opts.perDay - (days.length === 1 ? opts.warmup.length : 0));
      const loopStarted = performance.now();
      for (; i < end; i++) {
        const req = opts.requests[i];
        if (!req) break;
        timing.render = 0;
        timing.keep = 0;
        const t = performance.now();
        const r = await receive(req);
        const ms = performance.now() - t;
        if (!r.ok) {
          errors += 1;
          if (errorSamples.length < 5) errorSamples.push(`${r.error.code}: ${r.error.message}`);
          continue;
        }
        full.push(ms);
        render.push(timing.render);
        keep.push(timing.keep);
        if ((i + 1) % 500 === 0) opts.log(`intake[${opts.label}]: ${i + 1}/${opts.requests.length} on ${day} (last ${ms.toFixed(1)} ms)`);
      }
      loopMs += performance.now() - loopStarted;
    } finally {
      await closeCore(core);
    }
    if (i < opts.requests.length) day = freshWorkingDay(opts.dataDir, day);
  }
  const withoutRender = full.map((ms, k) => ms - (render[k] ?? 0));
  const withoutBoth = full.map((ms, k) => ms - (render[k] ?? 0) - (keep[k] ?? 0));
  return {
    label: opts.label, days, n: opts.requests.length, errors, errorSamples,
    loopSeconds: loopMs / 1000,
    dossiersPerSecond: Math.round((full.length / (loopMs / 1000)) * 10) / 10,
    full: summarise(full), withoutRender: summarise(withoutRender), withoutRenderAndBlob: summarise(withoutBoth),
    render: summarise(render), blobWrite: summarise(keep), storeDossiersBefore,
  };
}

export async function runIntakeBench(opts: {
  largeDir: string; n: number; warmup?: number; perDay?: number; returning?: number; seed?: number; log?: (line: string) => void;
}): Promise<IntakeBenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const warmupCount = opts.warmup ?? 20;
  const perDay = Math.min(opts.perDay ?? 8000, 8900);
  if (perDay <= warmupCount) throw new Error('--per-day must exceed the warm-up count');
  const returning = opts.returning ?? 0.5;
  const all = buildRequests(opts.largeDir, opts.n + warmupCount, returning, opts.seed ?? 4242);
  const warmup = all.slice(0, warmupCount);
  const requests = all.slice(warmupCount);
  const restore = instrumentForms();
  try {
    const firstDay = freshWorkingDay(opts.largeDir);
    log(`intake: ${opts.n} receives into the large store ${opts.largeDir} from ${firstDay} (${warmupCount} warm-up receives first)`);
    const large = await receiveAll({ label: 'large', dataDir: opts.largeDir, firstDay, requests, warmup, perDay, log });
    const emptyDir = mkdtempSync(join(tmpdir(), 'motcua-bench-empty-'));
    let empty: IntakeRun;
    try {
      log(`intake: the same ${opts.n} receives into an empty store ${emptyDir} from ${firstDay}`);
      empty = await receiveAll({ label: 'empty', dataDir: emptyDir, firstDay, requests, warmup, perDay, log });
    } finally {
      rmSync(emptyDir, { recursive: true, force: true });
    }
    return {
      n: opts.n, returningApplicants: returning, large, empty,
      ratio: {
        perSecond: ratio(large.dossiersPerSecond, empty.dossiersPerSecond),
        p50: ratio(large.full.p50Ms, empty.full.p50Ms),
        p95: ratio(large.full.p95Ms, empty.full.p95Ms),
        p99: ratio(large.full.p99Ms, empty.full.p99Ms),
        withoutRenderP50: ratio(large.withoutRender.p50Ms, empty.withoutRender.p50Ms),
        withoutRenderP95: ratio(large.withoutRender.p95Ms, empty.withoutRender.p95Ms),
        withoutRenderP99: ratio(large.withoutRender.p99Ms, empty.withoutRender.p99Ms),
      },
    };
  } finally {
    restore();
  }
}

export function intakeTable(r: IntakeBenchResult): string {
  const row = (metric: string, pick: (run: IntakeRun) => number, fmt: (v: number) => string = fmtMs): string[] => {
    const a = pick(r.large);
    const b = pick(r.empty);
    const q = ratio(a, b);
    return [metric, fmt(a), fmt(b), q === null ? '-' : `${q.toFixed(2)}×`];
  };
  return table(['intake.receive', 'large store', 'empty store', 'ratio'], [
    row('dossiers/second (full path)', (x) => x.dossiersPerSecond, (v) => v.toFixed(1)),
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
    row('errors', (x) => x.errors, (v) => String(v)),
  ]);
}

if (isMain(import.meta.url)) {
  const args = new Args();
  const store = args.string('store');
  if (!store) {
    console.error('usage: node bin/run-ts.mjs bench/intake.bench.ts --store DIR [--n 2000] [--warmup 20] [--per-day 8000]  (seed DIR with bench/seed-large-store.ts)');
    process.exit(2);
  }
  const result = await runIntakeBench({ largeDir: store, n: args.int('n', 2000), warmup: args.int('warmup', 20), perDay: args.int('per-day', 8000) });
  console.log(intakeTable(result));
  console.log(JSON.stringify(result, null, 2));
}

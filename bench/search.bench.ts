/**
 * Search latency through the core (`core.rpc.call`) on the large store, against the same
 * queries on a small reference store (10,000 people by default), both open at once and queried
 * in alternating blocks so that machine noise falls on both alike.
 *
 *   node bin/run-ts.mjs bench/search.bench.ts --store DIR [--reference DIR] [--queries 1000]
 *
 * Without `--reference`, a reference store of `--reference-people` people (and a fifth as many
 * dossiers) is seeded in a temp folder with the same generator, so its people are the first
 * people of the large store and exact-ID queries hit in both.
 */
import { rmSync } from 'node:fs';
import type { MethodName } from '../common/contract';
import { foldVietnamese } from '../common/domain';
import { createCore, type Core } from '../main/core/compose';
import { TRAINING_CONFIG } from '../main/core/config';
import { Args, isMain } from './lib/args';
import { Random, Weighted } from './lib/random';
import { BenchSession } from './lib/session';
import { fmtMs, ratio, summarise, table, type LatencySummary } from './lib/stats';
import { openStoreDb } from './lib/store-db';
import { freshWorkingDay } from './lib/store-days';
import { familyNames, randomFullName } from './lib/vn-people';
import { readSeedInfo, seedLargeStore } from './seed-large-store';

type SearchMethod = Extract<MethodName, 'applicant.search' | 'dossier.search' | 'catalogue.search'>;

export interface QuerySet {
  key: string;
  label: string;
  method: SearchMethod;
  examples: string[];
  queries: string[];
  warmup: string[];
}

export interface SearchSide {
  latency: LatencySummary;
  meanHits: number;
  emptyResults: number;
  errors: number;
}

export interface SearchKindResult {
  key: string;
  label: string;
  method: SearchMethod;
  examples: string[];
  large: SearchSide;
  reference: SearchSide;
  ratio: { p50: number | null; p95: number | null; p99: number | null };
}

export interface SearchBenchResult {
  queriesPerKind: number;
  referenceStore: { people: number; dossiers: number };
  largeStore: { people: number; dossiers: number };
  kinds: SearchKindResult[];
}

function yymmdd(day: string): string {
  return day.slice(2, 4) + day.slice(5, 7) + day.slice(8, 10);
}

interface StoreFacts {
  people: number;
  dossiers: number;
  /** Dossiers per receipt day. */
  perDay: Map<string, number>;
  idNumberOf: (id: number) => string | undefined;
  close(): void;
}

function storeFacts(dataDir: string): StoreFacts {
  const opened = openStoreDb(dataDir);
  if (!opened) throw new Error(`no store in ${dataDir}`);
  const { db } = opened;
  const people = db.prepare<[], number>('SELECT count(*) FROM people').pluck().get() ?? 0;
  const dossiers = db.prepare<[], number>('SELECT count(*) FROM dossiers').pluck().get() ?? 0;
  const perDay = new Map<string, number>();
  for (const row of db
    .prepare<[], { day: string; n: number }>(
      'SELECT substr(received_at, 1, 10) AS day, count(*) AS n FROM dossiers GROUP BY day',
    )
    .all()) {
    perDay.set(row.day, row.n);
  }
  const byId = db.prepare<[number], string>('SELECT id_number FROM people WHERE id = ?').pluck();
  return { people, dossiers, perDay, idNumberOf: (id) => byId.get(id), close: () => opened.close() };
}

/** The query sets, identical for both stores. */
export function buildQueries(opts: {
  large: StoreFacts;
  reference: StoreFacts;
  count: number;
  warmup: number;
  seed: number;
}): QuerySet[] {
  const random = new Random(opts.seed);
  const agency = TRAINING_CONFIG.agency.id;
  const families = new Weighted(familyNames().map((name, rank) => [name, 1 / (rank + 1)] as const));
  const sharedDays = [...opts.reference.perDay.keys()].filter((d) => (opts.large.perDay.get(d) ?? 0) > 0).sort();
  if (sharedDays.length === 0) throw new Error('the two stores have no receipt day in common');
  const maxId = Math.min(opts.reference.people, opts.large.people);

  const sets: { key: string; label: string; method: SearchMethod; make: () => string }[] = [
    {
      key: 'applicant-full-name',
      label: 'applicant.search full name, no diacritics',
      method: 'applicant.search',
      make: () => foldVietnamese(randomFullName(random)),
    },
    {
      key: 'applicant-family-middle',
      label: 'applicant.search family + middle name',
      method: 'applicant.search',
      make: () => foldVietnamese(randomFullName(random).split(' ').slice(0, 2).join(' ')),
    },
    {
      key: 'applicant-one-word',
      label: 'applicant.search one word (family name)',
      method: 'applicant.search',
      make: () => foldVietnamese(families.pick(random)),
    },
    {
      key: 'applicant-id',
      label: 'applicant.search exact 12-digit ID',
      method: 'applicant.search',
      make: () => {
        const id = random.int(1, maxId);
        const a = opts.reference.idNumberOf(id);
        const b = opts.large.idNumberOf(id);
        if (a === undefined || a !== b)
          throw new Error(
            `person ${id} differs between the stores (${a ?? '-'} / ${b ?? '-'}): seed both with the same --seed`,
          );
        return a;
      },
    },
    {
      key: 'dossier-code-day',
      label: 'dossier.search code prefix {agency}-{yyMMdd}',
      method: 'dossier.search',
      make: () => `${agency}-${yymmdd(random.pick(sharedDays))}`,
    },
    {
      key: 'dossier-code-prefix',
      label: 'dossier.search code prefix {agency}-{yyMMdd}-00',
      method: 'dossier.search',
      make: () => `${agency}-${yymmdd(random.pick(sharedDays))}-00`,
    },
    {
      key: 'dossier-code-exact',
      label: 'dossier.search exact code',
      method: 'dossier.search',
      make: () => {
        const day = random.pick(sharedDays);
        const max = Math.min(opts.reference.perDay.get(day) ?? 1, opts.large.perDay.get(day) ?? 1);
        return `${agency}-${yymmdd(day)}-${String(random.int(1, max)).padStart(4, '0')}`;
      },
    },
    {
      key: 'dossier-applicant-name',
      label: 'dossier.search applicant full name, no diacritics',
      method: 'dossier.search',
      make: () => foldVietnamese(randomFullName(random)),
    },
    {
      key: 'catalogue-khai-sinh',
      label: 'catalogue.search "khai sinh"',
      method: 'catalogue.search',
      make: () => 'khai sinh',
    },
  ];
  return sets.map((s) => {
    const warmup = Array.from({ length: opts.warmup }, () => s.make());
    const queries = Array.from({ length: opts.count }, () => s.make());
    return { key: s.key, label: s.label, method: s.method, queries, warmup, examples: queries.slice(0, 3) };
  });
}

class SearchLane {
  constructor(
    readonly core: Core,
    readonly session: BenchSession,
  ) {}

  static async open(dataDir: string): Promise<SearchLane> {
    const core = await createCore({ dataDir, fixedNow: `${freshWorkingDay(dataDir)}T09:00`, startSync: false });
    const session = new BenchSession(core);
    await session.login();
    return new SearchLane(core, session);
  }

  async query(method: SearchMethod, query: string): Promise<{ ms: number; hits: number | null }> {
    const t = performance.now();
    const r = await this.session.call(method, { query });
    const ms = performance.now() - t;
    return { ms, hits: r.ok ? r.value.length : null };
  }
}

class SideStats {
  readonly ms: number[] = [];
  hits = 0;
  empty = 0;
  errors = 0;

  add(r: { ms: number; hits: number | null }): void {
    if (r.hits === null) {
      this.errors += 1;
      return;
    }
    this.ms.push(r.ms);
    this.hits += r.hits;
    if (r.hits === 0) this.empty += 1;
  }

  result(): SearchSide {
    return {
      latency: summarise(this.ms),
      meanHits: Math.round((this.hits / Math.max(1, this.ms.length)) * 10) / 10,
      emptyResults: this.empty,
      errors: this.errors,
    };
  }
}

export async function runSearchBench(opts: {
  largeDir: string;
  referenceDir?: string | undefined;
  referencePeople?: number;
  queries?: number;
  warmup?: number;
  block?: number;
  seed?: number;
  storeSeed?: number;
  log?: (line: string) => void;
}): Promise<SearchBenchResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const count = opts.queries ?? 1000;
  const block = Math.max(1, opts.block ?? 100);
  let referenceDir = opts.referenceDir;
  let ownReference = false;
  if (!referenceDir) {
    const people = opts.referencePeople ?? 10_000;
    const largeSeed = readSeedInfo(opts.largeDir);
    const seeded = await seedLargeStore({
      people,
      dossiers: Math.round(people / 5),
      seed: opts.storeSeed ?? largeSeed?.seed,
      until: largeSeed?.lastDay,
      log: (line) => log(`reference ${line}`),
    });
    referenceDir = seeded.dataDir;
    ownReference = true;
  }
  const large = storeFacts(opts.largeDir);
  const reference = storeFacts(referenceDir);
  let sets: QuerySet[];
  try {
    sets = buildQueries({ large, reference, count, warmup: opts.warmup ?? 20, seed: opts.seed ?? 9090 });
  } finally {
    large.close();
    reference.close();
  }
  const largeLane = await SearchLane.open(opts.largeDir);
  const referenceLane = await SearchLane.open(referenceDir);
  try {
    const kinds: SearchKindResult[] = [];
    for (const set of sets) {
      for (const q of set.warmup) {
        await largeLane.query(set.method, q);
        await referenceLane.query(set.method, q);
      }
      const a = new SideStats();
      const b = new SideStats();
      const started = performance.now();
      for (let i = 0; i < set.queries.length; i += block) {
        const chunk = set.queries.slice(i, i + block);
        const order =
          (i / block) % 2 === 0
            ? ([
                [largeLane, a],
                [referenceLane, b],
              ] as const)
            : ([
                [referenceLane, b],
                [largeLane, a],
              ] as const);
        for (const [lane, stats] of order) for (const q of chunk) stats.add(await lane.query(set.method, q));
      }
      const large = a.result();
      const ref = b.result();
      kinds.push({
        key: set.key,
        label: set.label,
        method: set.method,
        examples: set.examples,
        large,
        reference: ref,
        ratio: {
          p50: ratio(large.latency.p50Ms, ref.latency.p50Ms),
          p95: ratio(large.latency.p95Ms, ref.latency.p95Ms),
          p99: ratio(large.latency.p99Ms, ref.latency.p99Ms),
        },
      });
      log(
        `search: ${set.label}: large p50 ${fmtMs(large.latency.p50Ms)} / p95 ${fmtMs(large.latency.p95Ms)} / p99 ${fmtMs(large.latency.p99Ms)} ms, reference p50 ${fmtMs(ref.latency.p50Ms)} ms (${((performance.now() - started) / 1000).toFixed(0)} s)`,
      );
    }
    return {
      queriesPerKind: count,
      referenceStore: { people: reference.people, dossiers: reference.dossiers },
      largeStore: { people: large.people, dossiers: large.dossiers },
      kinds,
    };
  } finally {
    await largeLane.core.close();
    await referenceLane.core.close();
    if (ownReference) rmSync(referenceDir, { recursive: true, force: true });
  }
}

export function searchTable(r: SearchBenchResult): string {
  const rows: string[][] = [];
  for (const k of r.kinds) {
    for (const [name, pick] of [
      ['p50', (s: SearchSide) => s.latency.p50Ms],
      ['p95', (s: SearchSide) => s.latency.p95Ms],
      ['p99', (s: SearchSide) => s.latency.p99Ms],
    ] as const) {
      const q = ratio(pick(k.large), pick(k.reference));
      rows.push([
        `${k.label} ${name} ms`,
        fmtMs(pick(k.large)),
        fmtMs(pick(k.reference)),
        q === null ? '-' : `${q.toFixed(2)}×`,
      ]);
    }
    rows.push([`${k.label} mean hits`, String(k.large.meanHits), String(k.reference.meanHits), '']);
  }
  return table(
    [
      'search',
      `large (${r.largeStore.people.toLocaleString('en')} people)`,
      `reference (${r.referenceStore.people.toLocaleString('en')})`,
      'ratio',
    ],
    rows,
  );
}

if (isMain(import.meta.url)) {
  const args = new Args();
  const store = args.string('store');
  if (!store) {
    console.error(
      'usage: node bin/run-ts.mjs bench/search.bench.ts --store DIR [--reference DIR] [--reference-people 10000] [--queries 1000]',
    );
    process.exit(2);
  }
  const result = await runSearchBench({
    largeDir: store,
    referenceDir: args.string('reference'),
    referencePeople: args.int('reference-people', 10_000),
    queries: args.int('queries', 1000),
    warmup: args.int('warmup', 20),
    block: args.int('block', 100),
  });
  console.log(searchTable(result));
  console.log(JSON.stringify(result, null, 2));
}

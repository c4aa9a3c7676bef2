/**
 * Cost of the encrypted store (docs/operations.md, "Data at rest"). Two stores built the same
 * way in the same run, on the same disk: `plain` (no key) and `encrypted` (SQLCipher 4 scheme,
 * the `database` key of a `FileKeyStore` in the temp folder), both WAL + synchronous=FULL as in
 * the core.
 *   - seed: `--people` people and `--dossiers` dossiers through the repositories (FTS triggers
 *     fill the search tables), the same PRNG seed for both;
 *   - receive: one dossier per transaction as intake writes it (person, number, dossier, outbox
 *     row, audit entry), blocks of `--block` alternating between the stores;
 *   - search: `people.search` and `dossiers.search` on names and ID prefixes of seeded people,
 *     after reopening each store (SQLite's page cache starts empty and must read, and for the
 *     encrypted store decrypt, every page it touches; the OS file cache is warm for both);
 *   - migration: the time to encrypt a copy of the plain store in place of an older store
 *     (`encryptPlaintextDatabase`), and both file sizes.
 *
 *   node bin/run-ts.mjs bench/encryption/run.ts [--people 20000] [--dossiers 5000] [--n 1000] [--queries 1000]
 *     [--block 100] [--result FILE]
 */
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FileKeyStore } from '../../main/store/key-store';
import { maskIdNumber } from '../../main/kernel/mask';
import { encryptPlaintextDatabase } from '../../main/store/store-migration';
import { DATABASE_FILE, openStore, type Store } from '../../main/store/store';
import { newDossier } from '../../main/store/testing/store-fixtures';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { Random } from '../lib/random';
import { fmtBytes, fmtMs, ratio, summarise, table, type LatencySummary } from '../lib/stats';
import { randomPerson, type NewPerson } from '../lib/vn-people';

const args = new Args();
const peopleCount = args.int('people', 20_000);
const dossierCount = args.int('dossiers', 5_000);
const n = args.int('n', 1000);
const queries = args.int('queries', 1000);
const block = args.int('block', 100);
const here = dirname(fileURLToPath(import.meta.url));
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-encryption.json`);

type Variant = 'plain' | 'encrypted';
const variants: Variant[] = ['plain', 'encrypted'];
const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-enc-'));
const keys = new FileKeyStore(join(dir, 'keys'));
const auditKey = randomBytes(32);
const dataDir = (v: Variant) => join(dir, v);
const open = (v: Variant): Store =>
  openStore({ dataDir: dataDir(v), keyStore: v === 'encrypted' ? keys : null, audit: { key: auditKey } });
const AGENCY = '000.00.12.H56';

function seed(store: Store, people: NewPerson[]): number {
  const t0 = performance.now();
  const ids: number[] = [];
  for (let i = 0; i < people.length; i += 1000) {
    store.transaction(() => {
      for (const p of people.slice(i, i + 1000)) ids.push(store.people.upsert({ kind: 'citizen', ...p }).id);
    });
  }
  const random = new Random(7);
  for (let i = 0; i < dossierCount; i += 500) {
    store.transaction(() => {
      for (let k = i; k < Math.min(i + 500, dossierCount); k++) {
        const applicant = store.people.get(ids[random.int(0, ids.length - 1)] ?? 1);
        if (!applicant) continue;
        const code = `${AGENCY}-250101-${String(k).padStart(6, '0')}`;
        store.dossiers.insert(newDossier(applicant, { code, requestId: `seed-${k}` }));
        store.audit.append({
          at: '2025-01-01T08:00',
          actor: 'canbo1',
          action: 'dossier.receive',
          entity: 'dossier',
          entityId: code,
          details: { applicant: maskIdNumber(applicant.idNumber) },
        });
      }
    });
  }
  store.sequences.addBlock({ agencyId: AGENCY, date: '2026-12-07', from: 1, to: 9999, source: 'lease' });
  return performance.now() - t0;
}

const random = new Random(42);
const people = Array.from({ length: peopleCount }, () => randomPerson(random, { currentYear: 2026 }));
const applicants = Array.from({ length: n + block }, () => randomPerson(random, { currentYear: 2026 }));
const started = new Date().toISOString();
const load = loadavg().map((v) => Math.round(v * 100) / 100);

const seedMs: Record<Variant, number> = { plain: 0, encrypted: 0 };
for (const v of variants) {
  const store = open(v);
  seedMs[v] = seed(store, people);
  store.close();
}

// Receive, alternating blocks so machine noise falls on both.
const receiveSamples: Record<Variant, number[]> = { plain: [], encrypted: [] };
const stores: Record<Variant, Store> = { plain: open('plain'), encrypted: open('encrypted') };
const taken: Record<Variant, number> = { plain: 0, encrypted: 0 };
function receive(v: Variant, record: boolean): void {
  const store = stores[v];
  const person = applicants[taken[v] % applicants.length] as NewPerson;
  taken[v] += 1;
  const a = performance.now();
  store.transaction(() => {
    const applicant = store.people.upsert({ kind: 'citizen', ...person });
    const number = store.sequences.take(AGENCY, '2026-12-07');
    const code = `${AGENCY}-261207-${String(number?.sequence ?? 0).padStart(4, '0')}`;
    store.dossiers.insert(newDossier(applicant, { code, requestId: `bench-${v}-${taken[v]}` }));
    store.outbox.enqueue({
      target: 'national',
      kind: 'dossier.upsert',
      dossierCode: code,
      idempotencyKey: `${code}:1`,
      payload: { code },
      now: Date.now(),
    });
    store.audit.append({
      at: '2026-12-07T09:00',
      actor: 'canbo1',
      action: 'dossier.receive',
      entity: 'dossier',
      entityId: code,
      details: { applicant: maskIdNumber(applicant.idNumber) },
    });
  });
  if (record) receiveSamples[v].push(performance.now() - a);
}
for (const v of variants) for (let i = 0; i < 20; i++) receive(v, false);
for (let done = 0, round = 0; done < n; done += block, round++) {
  const size = Math.min(block, n - done);
  for (let k = 0; k < variants.length; k++) {
    const v = variants[(k + round) % variants.length] as Variant;
    for (let i = 0; i < size; i++) receive(v, true);
  }
}
for (const v of variants) stores[v].close();

// Search on a freshly opened store each (SQLite's cache empty), queries alternating.
const searchSamples: Record<Variant, { people: number[]; dossiers: number[] }> = {
  plain: { people: [], dossiers: [] },
  encrypted: { people: [], dossiers: [] },
};
const reopened: Record<Variant, Store> = { plain: open('plain'), encrypted: open('encrypted') };
const queryRandom = new Random(99);
for (let q = 0; q < queries; q++) {
  const person = people[queryRandom.int(0, people.length - 1)] as NewPerson;
  const words = person.fullName.split(' ');
  const text = q % 3 === 0 ? person.idNumber.slice(0, 9) : `${words[0] ?? ''} ${words[words.length - 1] ?? ''}`;
  for (const v of q % 2 === 0 ? variants : [...variants].reverse()) {
    const store = reopened[v];
    let a = performance.now();
    store.people.search(text, 20);
    searchSamples[v].people.push(performance.now() - a);
    a = performance.now();
    store.dossiers.search(text, 20);
    searchSamples[v].dossiers.push(performance.now() - a);
  }
}
for (const v of variants) reopened[v].close();

// Migration: an older (plain) store of this size encrypted in place.
const migrateFile = join(dir, 'migrate', DATABASE_FILE);
mkdirSync(dirname(migrateFile), { recursive: true });
copyFileSync(join(dataDir('plain'), DATABASE_FILE), migrateFile);
const m0 = performance.now();
const migrated = encryptPlaintextDatabase(migrateFile, keys.obtain('database'));
const migrateMs = performance.now() - m0;

const sizes = {
  plain: statSync(join(dataDir('plain'), DATABASE_FILE)).size,
  encrypted: statSync(join(dataDir('encrypted'), DATABASE_FILE)).size,
};
rmSync(dir, { recursive: true, force: true });

const rows: {
  variant: Variant;
  seedMs: number;
  receive: LatencySummary;
  peopleSearch: LatencySummary;
  dossierSearch: LatencySummary;
  fileBytes: number;
}[] = variants.map((v) => ({
  variant: v,
  seedMs: Math.round(seedMs[v]),
  receive: summarise(receiveSamples[v]),
  peopleSearch: summarise(searchSamples[v].people),
  dossierSearch: summarise(searchSamples[v].dossiers),
  fileBytes: sizes[v],
}));
const [plain, encrypted] = rows as [(typeof rows)[number], (typeof rows)[number]];
console.log(
  `Store encryption: ${peopleCount} people, ${dossierCount} dossiers seeded; N=${n} receives per store in blocks of ${block}; ${queries} queries per kind\n`,
);
type StoreFigures = typeof plain;
/** One line of the table: the figure of each store and their ratio. */
const compare = (label: string, pick: (v: StoreFigures) => number, fmt: (x: number) => string): string[] => [
  label,
  fmt(pick(plain)),
  fmt(pick(encrypted)),
  String(ratio(pick(encrypted), pick(plain))),
];
console.log(
  table(
    ['', 'plain', 'encrypted', 'encrypted / plain'],
    [
      compare(
        'seed (s)',
        (v) => v.seedMs,
        (x) => (x / 1000).toFixed(1),
      ),
      compare('receive p50 ms', (v) => v.receive.p50Ms, fmtMs),
      compare('receive p95 ms', (v) => v.receive.p95Ms, fmtMs),
      compare('people.search p50 ms', (v) => v.peopleSearch.p50Ms, fmtMs),
      compare('people.search p95 ms', (v) => v.peopleSearch.p95Ms, fmtMs),
      compare('dossier.search p50 ms', (v) => v.dossierSearch.p50Ms, fmtMs),
      compare('dossier.search p95 ms', (v) => v.dossierSearch.p95Ms, fmtMs),
      compare('file size', (v) => v.fileBytes, fmtBytes),
    ],
  ),
);
console.log(
  `\nencrypting an older plain store of ${fmtBytes(sizes.plain)} (${migrated.tables} tables, ${migrated.rows} rows): ${(migrateMs / 1000).toFixed(2)} s`,
);
const result = {
  started,
  machine: machineInfo(),
  loadAverageAtStart: load,
  options: {
    people: peopleCount,
    dossiers: dossierCount,
    n,
    queries,
    block,
    cipher: 'sqlcipher (SQLCipher 4: AES-256-CBC, HMAC-SHA512)',
  },
  rows,
  migration: { fileBytes: sizes.plain, tables: migrated.tables, rows: migrated.rows, ms: Math.round(migrateMs) },
};
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten ${resultFile}`);

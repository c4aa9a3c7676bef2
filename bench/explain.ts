/**
 * Why a search costs what it costs on a given store: for sample queries, the FTS expression the
 * app builds, how many rows it matches, the time of the match alone, the time of the repository
 * search (`store.people.search` / `store.dossiers.search`, without the RPC layer) and the
 * `EXPLAIN QUERY PLAN` of the statements the repositories run.
 *
 *   node bin/run-ts.mjs bench/explain.ts --store DIR [--day YYYY-MM-DD] [--repeat 5]
 */
import { TRAINING_CONFIG } from '../main/core/config';
import { toFtsQuery } from '../main/store/search-query';
import { openStore, type Store } from '../main/store/store';
import { Args, isMain } from './lib/args';
import { fmtMs, table } from './lib/stats';

/** The statements of PeopleRepository / DossiersRepository / CatalogueRepository search, for their plans. */
const PLANS: Record<string, string> = {
  'people byExact (people.repository.ts)':
    'SELECT p.id FROM people p WHERE p.id_number = ? OR p.old_id_number = ? ORDER BY p.id LIMIT ?',
  'people byNamePrefix (people.repository.ts)':
    'SELECT p.id FROM people p WHERE p.name_fold >= ? AND p.name_fold < ? ORDER BY p.name_fold, p.id LIMIT ?',
  'people byText (people.repository.ts)': `SELECT p.id FROM (
      SELECT rowid AS id, rank AS score FROM people_fts WHERE people_fts MATCH ? ORDER BY rowid DESC LIMIT ?
    ) f JOIN people p ON p.id = f.id ORDER BY f.score, p.name_fold, p.id LIMIT ?`,
  'dossiers byCodeRange (dossiers.repository.ts)':
    'SELECT d.id FROM dossiers d WHERE d.code >= ? AND d.code < ? ORDER BY d.code LIMIT ?',
  'dossiers exact (dossiers.repository.ts)': `SELECT d.id FROM dossiers d WHERE d.code = ? OR d.applicant_id_number = ?
    ORDER BY d.received_at DESC, d.id DESC LIMIT ?`,
  'dossiers byText (dossiers.repository.ts)': `SELECT d.id FROM (
      SELECT rowid AS id, rank AS score FROM dossiers_fts WHERE dossiers_fts MATCH ? ORDER BY rowid DESC LIMIT ?
    ) f JOIN dossiers d ON d.id = f.id ORDER BY f.score, d.received_at DESC, d.id DESC LIMIT ?`,
};

function plan(store: Store, sql: string): string {
  const params = (sql.match(/\?/g) ?? []).map(() => 'x');
  const rows = store.db
    .prepare<string[], { id: number; parent: number; detail: string }>(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...params);
  const depth = new Map<number, number>([[0, 0]]);
  return rows
    .map((r) => {
      const d = (depth.get(r.parent) ?? 0) + 1;
      depth.set(r.id, d);
      return `${'  '.repeat(d - 1)}${r.detail}`;
    })
    .join('\n');
}

function timed<T>(repeat: number, fn: () => T): { ms: number; value: T } {
  let value = fn();
  const samples: number[] = [];
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    value = fn();
    samples.push(performance.now() - t);
  }
  samples.sort((a, b) => a - b);
  return { ms: samples[Math.floor(samples.length / 2)] ?? 0, value };
}

export function explain(dataDir: string, opts: { day?: string | undefined; repeat?: number } = {}): string {
  const store = openStore({ dataDir });
  try {
    const repeat = opts.repeat ?? 5;
    const agency = TRAINING_CONFIG.agency.id;
    const day =
      opts.day ??
      store.db
        .prepare<[], string>(
          `SELECT substr(received_at, 1, 10) FROM dossiers
      GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`,
        )
        .pluck()
        .get() ??
      '2026-06-15';
    const yymmdd = day.slice(2, 4) + day.slice(5, 7) + day.slice(8, 10);
    const someId =
      store.db
        .prepare<[], string>('SELECT id_number FROM people WHERE id = (SELECT max(id) / 2 FROM people)')
        .pluck()
        .get() ?? '001203004567';
    const someCode =
      store.db
        .prepare<[string], string>('SELECT code FROM dossiers WHERE code LIKE ? ORDER BY code LIMIT 1 OFFSET 11')
        .pluck()
        .get(`${agency}-${yymmdd}-%`) ?? `${agency}-${yymmdd}-0012`;

    const people = ['nguyen', 'dang', 'tran thi', 'nguyen van dung', 'le thi thu ha', someId];
    const dossiers = [`${agency}-${yymmdd}`, `${agency}-${yymmdd}-00`, someCode, 'nguyen thi lan', someId];
    const count = (ftsTable: string) =>
      store.db.prepare<[string], number>(`SELECT count(*) FROM ${ftsTable} WHERE ${ftsTable} MATCH ?`).pluck();
    const peopleCount = count('people_fts');
    const dossierCount = count('dossiers_fts');

    const rows: string[][] = [];
    for (const q of people) {
      const fts = toFtsQuery(q) ?? '';
      const matched = timed(repeat, () => peopleCount.get(fts) ?? 0);
      const search = timed(repeat, () => store.people.search(q, 20));
      rows.push([
        'applicant.search',
        q,
        fts,
        String(matched.value),
        fmtMs(matched.ms),
        fmtMs(search.ms),
        String(search.value.length),
      ]);
    }
    for (const q of dossiers) {
      const fts = toFtsQuery(q) ?? '';
      const matched = timed(repeat, () => dossierCount.get(fts) ?? 0);
      const search = timed(repeat, () => store.dossiers.search(q, 50));
      rows.push([
        'dossier.search',
        q,
        fts,
        String(matched.value),
        fmtMs(matched.ms),
        fmtMs(search.ms),
        String(search.value.length),
      ]);
    }
    const counts = store.db
      .prepare<[], { people: number; dossiers: number }>(
        'SELECT (SELECT count(*) FROM people) AS people, (SELECT count(*) FROM dossiers) AS dossiers',
      )
      .get();
    const out = [
      `store ${dataDir}: ${counts?.people ?? 0} people, ${counts?.dossiers ?? 0} dossiers; median of ${repeat} runs after one warm-up`,
      '',
      table(['method', 'query', 'FTS MATCH', 'FTS rows', 'MATCH ms', 'repository ms', 'results'], rows),
      '',
    ];
    for (const [name, sql] of Object.entries(PLANS)) out.push(`${name}:`, plan(store, sql), '');
    return out.join('\n');
  } finally {
    store.close();
  }
}

if (isMain(import.meta.url)) {
  const args = new Args();
  const dir = args.string('store');
  if (!dir) {
    console.error('usage: node bin/run-ts.mjs bench/explain.ts --store DIR [--day YYYY-MM-DD] [--repeat 5]');
    process.exit(2);
  }
  console.log(explain(dir, { day: args.string('day'), repeat: args.int('repeat', 5) }));
}

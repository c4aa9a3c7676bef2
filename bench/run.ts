/**
 * All benchmarks in order: seed (or reuse) the large store, intake on it against an empty store,
 * search on it against a 10,000-people store. Writes bench/results/latest.json and prints tables.
 *
 *   npm run bench -- [--people 1000000] [--dossiers 200000] [--n 2000] [--queries 1000] [--out DIR]
 *   quick check:  npm run bench -- --people 100000 --dossiers 20000 --n 300
 *
 * Without --out the store lives in <tmp>/motcua-bench-store-<people>-<dossiers> and later runs
 * of the same size reuse it (each intake run adds its N dossiers to it).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { intakeTable, runIntakeBench } from './intake.bench';
import { Args } from './lib/args';
import { machineInfo } from './lib/machine';
import { fmtBytes, fmtMs, table } from './lib/stats';
import { searchTable, runSearchBench } from './search.bench';
import { databaseBytes, seedLargeStore } from './seed-large-store';

const args = new Args();
const people = args.int('people', 1_000_000);
const dossiers = args.int('dossiers', 200_000);
const n = args.int('n', 2000);
const queries = args.int('queries', 1000);
const referencePeople = args.int('reference-people', 10_000);
const out = args.string('out') ?? join(tmpdir(), `motcua-bench-store-${people}-${dossiers}`);
const skipIntake = args.flag('skip-intake');
const skipSearch = args.flag('skip-search');
const resultFile = args.string('result') ?? join(dirname(fileURLToPath(import.meta.url)), 'results', 'latest.json');

const log = (line: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${line}`);
const startedAt = new Date().toISOString();
const machine = machineInfo();
log(
  `machine: ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, ${machine.platform}, node ${machine.node}, SQLite ${machine.sqlite}`,
);

const seed = await seedLargeStore({ out, people, dossiers, log });
const intake = skipIntake ? null : await runIntakeBench({ largeDir: seed.dataDir, n, log });
const search = skipSearch ? null : await runSearchBench({ largeDir: seed.dataDir, queries, referencePeople, log });

const result = {
  startedAt,
  finishedAt: new Date().toISOString(),
  machine,
  options: { people, dossiers, n, queries, referencePeople, out },
  seed: {
    dataDir: seed.dataDir,
    reused: seed.reused,
    seededAt: seed.seededAt,
    seconds: seed.seconds,
    rows: seed.rows,
    window: { from: seed.firstDay, to: seed.lastDay },
    dbBytesAfterSeed: seed.dbBytes,
    dbBytesNow: databaseBytes(seed.dataDir),
  },
  intake,
  search,
};
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);

console.log('');
console.log(
  table(
    ['store', 'value'],
    [
      ['people / dossiers', `${people.toLocaleString('en')} / ${dossiers.toLocaleString('en')}`],
      [
        'seeding time',
        `${seed.seconds.total.toFixed(1)} s (people ${seed.seconds.people.toFixed(1)} s, dossiers ${seed.seconds.dossiers.toFixed(1)} s)${seed.reused ? ', reused' : ''}`,
      ],
      ['database on disk after seeding', fmtBytes(seed.dbBytes)],
    ],
  ),
);
if (intake) {
  console.log('');
  console.log(intakeTable(intake));
}
if (search) {
  console.log('');
  console.log(searchTable(search));
}
console.log('');
log(`wrote ${resultFile}`);
if (intake && (intake.large.errors > 0 || intake.empty.errors > 0)) {
  log(
    `intake errors: large ${intake.large.errors} ${intake.large.errorSamples.join(' | ')}; empty ${intake.empty.errors} ${intake.empty.errorSamples.join(' | ')}`,
  );
  process.exitCode = 1;
}
if (search) {
  const slowest = [...search.kinds].sort((a, b) => b.large.latency.p95Ms - a.large.latency.p95Ms)[0];
  if (slowest) log(`slowest search at p95: ${slowest.label} (${fmtMs(slowest.large.latency.p95Ms)} ms)`);
}

/**
 * A simulated day of a one-stop centre (docs/architecture.md, "Centre"): `--desks` desk clients
 * (the desk's production client, mutual TLS, each with its feed open), 2 kiosks and 2 displays
 * (browser devices on `wss /rpc` with their cookie), `--tickets` tickets on a morning-peak arrival
 * curve and `--dossiers` received dossiers, the 8-hour day compressed into `--minutes`.
 *
 * The centre is a child process (`motcua-desk centre init`, then `centre run` with its embedded
 * PostgreSQL); its CPU and memory, and its PostgreSQL's, are sampled from /proc once a second.
 * References in the same run: `hello` on the same desk connections (the floor of call-next), a
 * raw `pg_notify` → LISTEN round trip on the same database (the floor of the display's update).
 * At the end the database is checked: no ticket called twice, no dossier number issued twice
 * (the run FAILS otherwise), and the replication lag is read from the stored rows.
 *
 *   npm run bench:centre -- [--desks 30] [--tickets 1500] [--dossiers 1200] [--minutes 4] [--seed 7]
 *                        [--no-desk-feeds] [--result FILE]
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { centrePaths, loadCentreConfig } from '../../main/centre/centre-config';
import { embeddedUrl } from '../../main/centre/centre-database';
import { openCentreDb } from '../../main/centre/database/sql';
import { DeviceRegistry } from '../../main/centre/security/device-registry';
import { loadCentreTls } from '../../main/centre/security/tls-files';
import { systemClock } from '../../main/kernel/clock';
import { silentLogger } from '../../main/kernel/logger';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { fmtBytes, fmtMs, ratio, summarise, table } from '../lib/stats';
import { freePort } from '../../main/kernel/free-port';
import { initCentre, startCentre, UsageSampler } from './centre-process';
import { benchQueue, counterId, runDay, type DayStats } from './day';
import { BrowserDevice, enrolDesk, type BenchDesk } from './devices';

const args = new Args();
const desks = args.int('desks', 30);
const tickets = args.int('tickets', 1500);
const dossiers = args.int('dossiers', 1200);
const minutes = Number(args.string('minutes') ?? '4');
const seed = args.int('seed', 7);
const deskFeeds = !args.flag('no-desk-feeds');
if (!(minutes > 0) || desks < 1 || dossiers > tickets) {
  throw new Error('--minutes must be > 0, --desks >= 1, --dossiers <= --tickets');
}
const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-centre.json`);
/** A desk slot (0-9) per active desk of an agency: beyond ten desks, the next agency's. */
const DESKS_PER_AGENCY = 10;
const agencyOf = (i: number) => `000.00.12.H${56 + Math.floor(i / DESKS_PER_AGENCY)}`;

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

/** `pg_notify` → LISTEN on the centre's database, one every `gapMs`, until stopped. */
async function notifyReference(url: string, gapMs: number): Promise<{ stop(): Promise<number[]> }> {
  const listener = new pg.Client({ connectionString: url });
  const sender = new pg.Client({ connectionString: url });
  await listener.connect();
  await sender.connect();
  const sent = new Map<string, number>();
  const samples: number[] = [];
  listener.on('notification', (n) => {
    const t0 = sent.get(n.payload ?? '');
    if (t0 !== undefined) samples.push(performance.now() - t0);
  });
  await listener.query('LISTEN motcua_bench_ping');
  let n = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const id = String(++n);
      sent.set(id, performance.now());
      await sender.query("SELECT pg_notify('motcua_bench_ping', $1)", [id]);
      await new Promise((r) => setTimeout(r, gapMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      await new Promise((r) => setTimeout(r, 200));
      await listener.end();
      await sender.end();
      return samples;
    },
  };
}

interface Checks {
  ticketsIssued: number;
  ticketsCalled: number;
  ticketsServed: number;
  ticketsCalledTwice: number;
  callAuditsRepeated: number;
  dossierRows: number;
  receivedEntries: number;
  codesReceivedTwice: number;
  blocks: number;
  blockOverlaps: number;
  replicationLagMs: number[];
  database: Record<string, number>;
  tables: Record<string, unknown>[];
}

async function databaseChecks(url: string): Promise<Checks> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const one = async (sql: string): Promise<number> => Number((await c.query<{ n: string }>(sql)).rows[0]?.n ?? 0);
    const lag = await c.query<{ ms: string }>(
      `SELECT extract(epoch FROM received_at - at) * 1000 AS ms FROM replicated_entries WHERE kind = 'dossier.received'`,
    );
    return {
      ticketsIssued: await one('SELECT count(*) AS n FROM queue_tickets'),
      ticketsCalled: await one('SELECT count(*) AS n FROM queue_tickets WHERE call_count > 0'),
      ticketsServed: await one("SELECT count(*) AS n FROM queue_tickets WHERE outcome = 'served'"),
      ticketsCalledTwice: await one('SELECT count(*) AS n FROM queue_tickets WHERE call_count > 1'),
      callAuditsRepeated: await one(
        `SELECT count(*) AS n FROM (SELECT entity_id FROM centre_audit WHERE action = 'queue.call'
         GROUP BY entity_id HAVING count(*) > 1) t`,
      ),
      dossierRows: await one('SELECT count(*) AS n FROM centre_dossiers'),
      receivedEntries: await one("SELECT count(*) AS n FROM replicated_entries WHERE kind = 'dossier.received'"),
      codesReceivedTwice: await one(
        `SELECT count(*) AS n FROM (SELECT payload->>'code' FROM replicated_entries WHERE kind = 'dossier.received'
         GROUP BY 1 HAVING count(*) > 1) t`,
      ),
      blocks: await one('SELECT count(*) AS n FROM dossier_number_blocks'),
      blockOverlaps: await one(
        `SELECT count(*) AS n FROM dossier_number_blocks a JOIN dossier_number_blocks b
         ON a.agency_id = b.agency_id AND a.day = b.day AND a.id < b.id
         AND int4range(a.first_seq, a.last_seq, '[]') && int4range(b.first_seq, b.last_seq, '[]')`,
      ),
      replicationLagMs: lag.rows.map((r) => Number(r.ms)),
      // Where PostgreSQL's time went: the whole run's counters of this database (statistics views).
      database: (
        await c.query(
          `SELECT xact_commit::float8 AS commits, xact_rollback::float8 AS rollbacks,
                  tup_returned::float8 AS "rowsScanned", tup_fetched::float8 AS "rowsFetched" FROM pg_stat_database WHERE datname = current_database()`,
        )
      ).rows[0] as Record<string, number>,
      tables: (
        await c.query(
          `SELECT relname AS table, seq_scan::float8 AS "seqScans", seq_tup_read::float8 AS "seqRowsRead",
                  coalesce(idx_scan, 0)::float8 AS "indexScans", coalesce(idx_tup_fetch, 0)::float8 AS "indexRowsFetched",
                  n_live_tup::float8 AS rows
           FROM pg_stat_user_tables ORDER BY seq_tup_read + coalesce(idx_tup_fetch, 0) DESC LIMIT 6`,
        )
      ).rows as Record<string, unknown>[],
    };
  } finally {
    await c.end();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-centre-'));
const started = new Date().toISOString();
const load = loadavg().map((v) => Math.round(v * 100) / 100);
const [port, embeddedPort] = [await freePort(), await freePort()];
log(`centre folder ${dir}; ${desks} desks, ${tickets} tickets, ${dossiers} dossiers, day in ${minutes} min`);
const centre = await (async () => {
  try {
    initCentre({ root, centreDir: dir, agencyId: agencyOf(0), port, embeddedPort, queue: benchQueue(desks) });
    return await startCentre(root, dir);
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
})();
const config = loadCentreConfig(dir);
const dbUrl = embeddedUrl(dir, config.database.embeddedPort)!;
const db = openCentreDb({ url: dbUrl, log: silentLogger, max: 2 });
const tls = loadCentreTls(centrePaths(dir).tls);
const registry = new DeviceRegistry({
  db,
  clock: systemClock,
  log: silentLogger,
  ca: { certPem: tls.caPem, keyPem: tls.caKeyPem },
  agencyId: config.agency.id,
});
const failed: string[] = [];
let stats: DayStats | null = null;
let usage: ReturnType<UsageSampler['stop']> | null = null;
let notifySamples: number[] = [];
let checks: Checks | null = null;
const deskList: BenchDesk[] = [];
const browsers: BrowserDevice[] = [];
try {
  log(`centre ${centre.url} (pid ${centre.child.pid}); enrolling devices`);
  for (let i = 0; i < desks; i++) {
    deskList.push(
      await enrolDesk(registry, {
        url: centre.url,
        caPem: tls.caPem,
        name: `Quầy số ${i + 1}`,
        counter: counterId(i),
        agencyId: agencyOf(i),
      }),
    );
  }
  const enrolBrowser = (kind: 'kiosk' | 'display', name: string) =>
    BrowserDevice.enrol(registry, { url: centre.url, caPem: tls.caPem, kind, name });
  const kiosks = [await enrolBrowser('kiosk', 'Kiosk sảnh 1'), await enrolBrowser('kiosk', 'Kiosk sảnh 2')];
  const displays = [await enrolBrowser('display', 'Màn hình 1'), await enrolBrowser('display', 'Màn hình 2')];
  browsers.push(...kiosks, ...displays);
  // Every desk connection warmed (TLS session, keep-alive socket) before the day.
  await Promise.all(deskList.map((d) => d.client.hello()));

  const sampler = new UsageSampler(centre.child.pid!, centrePaths(dir).postgres);
  sampler.start();
  const reference = await notifyReference(dbUrl, 250);
  log('day starts');
  stats = await runDay(
    { tickets, dossiers, dayMs: minutes * 60_000, seed, deskFeeds },
    { desks: deskList, kiosks, displays },
    log,
  );
  notifySamples = await reference.stop();
  usage = sampler.stop();
  checks = await databaseChecks(dbUrl);
} catch (err) {
  failed.push(`run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
} finally {
  for (const d of deskList) d.client.close();
  for (const b of browsers) b.close();
  await db.close();
  const code = await centre.stop();
  if (code !== 0) failed.push(`centre exited with ${code}`);
  if (failed.length > 0) log(centre.output().slice(-4000));
  rmSync(dir, { recursive: true, force: true });
}

if (stats && checks && usage) {
  const s = stats;
  const otherErrors = Object.entries(s.errors).filter(([code]) => code !== 'QUEUE_EMPTY');
  if (otherErrors.length)
    failed.push(`errors other than QUEUE_EMPTY: ${JSON.stringify(Object.fromEntries(otherErrors))}`);
  if (checks.ticketsCalledTwice || checks.callAuditsRepeated || s.duplicateCallsSeen)
    failed.push(
      `a ticket was called twice (db ${checks.ticketsCalledTwice}, audit ${checks.callAuditsRepeated}, desks ${s.duplicateCallsSeen})`,
    );
  if (checks.codesReceivedTwice || checks.blockOverlaps || s.duplicateCodesSent)
    failed.push(
      `a dossier number was issued twice (db ${checks.codesReceivedTwice}, blocks ${checks.blockOverlaps}, desks ${s.duplicateCodesSent})`,
    );
  if (checks.ticketsIssued !== tickets || checks.ticketsServed !== tickets)
    failed.push(`tickets: ${checks.ticketsIssued} issued, ${checks.ticketsServed} served of ${tickets}`);
  if (checks.dossierRows !== dossiers) failed.push(`dossiers: ${checks.dossierRows} rows of ${dossiers}`);
  if (s.rejectedEntries.length) failed.push(`replication refused ${JSON.stringify(s.rejectedEntries.slice(0, 5))}`);
  if (s.displayMissing) failed.push(`${s.displayMissing} display events missing`);
}

const figures = stats &&
  checks &&
  usage && {
    callNext: summarise(stats.callNext),
    helloReference: summarise(stats.hello),
    callNextOverHelloP50: ratio(summarise(stats.callNext).p50Ms, summarise(stats.hello).p50Ms),
    callNextOverHelloP95: ratio(summarise(stats.callNext).p95Ms, summarise(stats.hello).p95Ms),
    displayUpdate: summarise(stats.display),
    displayEventsBeforeAnswer: stats.displayBeforeAnswer,
    notifyReference: summarise(notifySamples),
    displayOverNotifyP50: ratio(summarise(stats.display).p50Ms, summarise(notifySamples).p50Ms),
    displayOverNotifyP95: ratio(summarise(stats.display).p95Ms, summarise(notifySamples).p95Ms),
    displayTargetP95Ms: 300,
    replicationLag: summarise(checks.replicationLagMs),
    replicateRoundTrip: summarise(stats.replicate),
    lease: summarise(stats.lease),
    takeTicket: summarise(stats.take),
    finish: summarise(stats.finish),
    boardRead: summarise(stats.boardRead),
    tickets: { issued: stats.issued, called: stats.called, served: stats.served },
    dossiers: { replicated: stats.dossiers, statusChanges: stats.statusChanges, leases: stats.leases },
    errors: stats.errors,
    deskFeedMessages: stats.deskFeedMessages,
    deviceEvents: stats.deviceEvents,
    checks: { ...checks, replicationLagMs: undefined },
    centre: usage.centre,
    postgres: usage.postgres,
  };

if (figures) {
  const row = (name: string, l: ReturnType<typeof summarise>) => [
    name,
    String(l.count),
    fmtMs(l.p50Ms),
    fmtMs(l.p95Ms),
    fmtMs(l.p99Ms),
    fmtMs(l.maxMs),
  ];
  console.log(`\nCentre day: ${desks} desks, ${tickets} tickets, ${dossiers} dossiers, 8 h in ${minutes} min\n`);
  console.log(
    table(
      ['figure (ms)', 'n', 'p50', 'p95', 'p99', 'max'],
      [
        row('call-next (desk)', figures.callNext),
        row('  ref: hello, same connections', figures.helloReference),
        row('display update (answer → queue.called)', figures.displayUpdate),
        row('  ref: pg_notify → LISTEN', figures.notifyReference),
        row('replication lag (at → received_at)', figures.replicationLag),
        row('replicate round trip (desk)', figures.replicateRoundTrip),
        row('numbers/lease', figures.lease),
        row('finish', figures.finish),
        row('kiosk takeTicket', figures.takeTicket),
        row('display/kiosk queue.board', figures.boardRead),
      ],
    ),
  );
  console.log(
    `\ncall-next / hello: p50 ${figures.callNextOverHelloP50}×, p95 ${figures.callNextOverHelloP95}×; ` +
      `display / notify: p50 ${figures.displayOverNotifyP50}×, p95 ${figures.displayOverNotifyP95}× ` +
      `(target display p95 < 300 ms: ${figures.displayUpdate.p95Ms < 300 ? 'met' : 'MISSED'})`,
  );
  console.log(
    `tickets issued/called/served ${figures.tickets.issued}/${figures.tickets.called}/${figures.tickets.served}; ` +
      `dossiers ${figures.dossiers.replicated} (+${figures.dossiers.statusChanges} status changes, ${figures.dossiers.leases} leases); ` +
      `errors ${JSON.stringify(figures.errors)}`,
  );
  const u = (name: string, x: typeof figures.centre) =>
    `${name}: CPU mean ${x.cpuMeanPercent} % / peak ${x.cpuPeakPercent} % of a core (${x.cpuSeconds} s), peak RSS ${fmtBytes(x.peakRssBytes)}${x.hwmBytes ? ` (VmHWM ${fmtBytes(x.hwmBytes)})` : ''}`;
  console.log(
    `feeds: ${figures.deskFeedMessages} desk feed messages, ${figures.deviceEvents} kiosk/display events; ` +
      `database: ${JSON.stringify(figures.checks.database)}`,
  );
  console.log(u('centre process', figures.centre));
  console.log(u(`postgres (${figures.postgres.processes ?? '?'} processes)`, figures.postgres));
}

const result = {
  started,
  machine: machineInfo(),
  loadAverageAtStart: load,
  loadAverageAtEnd: loadavg().map((v) => Math.round(v * 100) / 100),
  options: {
    desks,
    tickets,
    dossiers,
    minutes,
    seed,
    deskFeeds,
    compression: Math.round((8 * 60) / minutes),
    kiosks: 2,
    displays: 2,
  },
  passed: failed.length === 0,
  failures: failed,
  figures,
};
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten ${resultFile}`);
if (failed.length) {
  console.error(`\nFAILED:\n- ${failed.join('\n- ')}`);
  process.exitCode = 1;
}

/**
 * Builds a large desk store for the benchmarks: N people and M dossiers received over the last
 * 365 days, through a store opened with `openStore` (migrations, the `fold()` SQL function and the
 * search triggers in place, so the FTS tables are filled by the app's own triggers). Everything is
 * written with the store's and the intake's own code: people with the people repository, numbers
 * with the dossier-code allocator from leased blocks, dossiers and status changes with the dossiers
 * repository, outbox rows and audit entries with `main/intake/dossier-trail.ts` (as the intake
 * service writes them), the outbox repository and the audit chain's `append`; so the seeded
 * store verifies, and a change to the chain or the outbox format reaches the seed too.
 *
 *   node bin/run-ts.mjs bench/seed-large-store.ts [--out DIR] [--people 1000000] [--dossiers 200000]
 *     [--until YYYY-MM-DD] [--seed 20261122]
 *
 * A folder holding a finished seed with the same sizes is reused as it is.
 */
import { createHash, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Procedure, type DossierComponent, type Fee, type PersonInput } from '../common/contract';
import { addDays, buildHolidayCalendar, computeAppointment, DEFAULT_OFFICE_HOURS, WorkingTime } from '../common/domain';
import { TRAINING_ACCOUNTS } from '../main/admin/accounts.service';
import { localToEpoch, toLocalDateTime } from '../main/kernel/clock';
import { seedCatalogue } from '../main/core/training-seed';
import { TRAINING_CONFIG } from '../main/core/config';
import { resourcesDir } from '../main/kernel/resources';
import { silentLogger } from '../main/kernel/logger';
import { maskIdNumber } from '../main/kernel/mask';
import { DossierCodeAllocator } from '../main/intake/dossier-code.allocator';
import { enqueueDossierSync, receivedAudit, statusAudit } from '../main/intake/dossier-trail';
import type { OutboxItem } from '../main/store/outbox.port';
import { DATABASE_FILE, openStore, type Store } from '../main/store/store';
import { Args, isMain } from './lib/args';
import { fmtBytes } from './lib/stats';
import { Random, Weighted } from './lib/random';
import { randomPerson } from './lib/vn-people';

export const SEED_MARKER = 'bench-seed.json';
const PARTIAL_MARKER = 'bench-seed.partial';
const ROWS_PER_TRANSACTION = 50_000;
/** Dossiers per transaction: each writes about a dozen rows (dossier, components, fees, history, outbox, audit). */
const DOSSIERS_PER_TRANSACTION = 4_000;
const LEASE_BLOCK = TRAINING_CONFIG.sync.leaseBlockSize;

export interface SeedOptions {
  /** Folder for the store; a new temp folder when absent. */
  out?: string | undefined;
  people: number;
  dossiers: number;
  /** Last day of the 365-day window (`YYYY-MM-DD`, Vietnam time); default yesterday. */
  until?: string | undefined;
  seed?: number | undefined;
  log?: (line: string) => void;
}

export interface SeedInfo {
  dataDir: string;
  people: number;
  dossiers: number;
  seed: number;
  firstDay: string;
  lastDay: string;
  seededAt: string;
  seconds: { total: number; people: number; dossiers: number; checkpoint: number };
  rows: Record<string, number>;
  dbBytes: number;
}

export interface SeedResult extends SeedInfo {
  reused: boolean;
}

/** What a finished seed recorded about itself, or null for a folder this seeder did not fill. */
export function readSeedInfo(dataDir: string): SeedInfo | null {
  const file = join(dataDir, SEED_MARKER);
  if (!existsSync(file)) return null;
  return JSON.parse(readFileSync(file, 'utf8')) as SeedInfo;
}

/** Bytes of the database file with its WAL and shared-memory files. */
export function databaseBytes(dataDir: string): number {
  let total = 0;
  for (const suffix of ['', '-wal', '-shm']) {
    const file = join(dataDir, DATABASE_FILE + suffix);
    if (existsSync(file)) total += statSync(file).size;
  }
  return total;
}

function vietnamToday(): string {
  return toLocalDateTime(Date.now()).slice(0, 10);
}

function loadProcedures(): Procedure[] {
  const raw = JSON.parse(readFileSync(join(resourcesDir(), 'seed', 'catalogue.json'), 'utf8')) as unknown[];
  return raw.map((p) => Procedure.parse(p));
}

/** How often each procedure is asked for at a commune desk (certifications and civil status dominate). */
const PROCEDURE_WEIGHT: Record<string, number> = {
  '2.000815': 30,
  '2.000884': 14,
  '1.001193': 12,
  '1.004873': 10,
  '2.000635': 8,
  '1.000894': 6,
  '1.004222': 6,
  '1.000656': 4,
  '1.001022': 2,
  '1.004837': 1,
  '1.012812': 2,
  '2.001909': 3,
  '1.001731': 2,
};
const CHANNEL_WEIGHT = { 'walk-in': 0.8, online: 0.15, post: 0.05 } as const;

export async function seedLargeStore(opts: SeedOptions): Promise<SeedResult> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const dataDir = opts.out ?? mkdtempSync(join(tmpdir(), 'motcua-bench-'));
  const seed = opts.seed ?? 20261122;
  const markerFile = join(dataDir, SEED_MARKER);
  if (existsSync(markerFile)) {
    const info = JSON.parse(readFileSync(markerFile, 'utf8')) as SeedInfo;
    if (info.people !== opts.people || info.dossiers !== opts.dossiers) {
      throw new Error(
        `${dataDir} holds a seed of ${info.people} people / ${info.dossiers} dossiers, not ${opts.people} / ${opts.dossiers}: use another --out`,
      );
    }
    log(
      `seed: reusing ${dataDir} (${info.people} people, ${info.dossiers} dossiers, seeded ${info.seededAt} in ${info.seconds.total.toFixed(1)} s)`,
    );
    return { ...info, dataDir, dbBytes: databaseBytes(dataDir), reused: true };
  }
  if (existsSync(join(dataDir, DATABASE_FILE))) {
    if (!existsSync(join(dataDir, PARTIAL_MARKER))) {
      throw new Error(`${dataDir} already holds a store that this seeder did not finish writing; refusing to touch it`);
    }
    log(`seed: removing the unfinished seed in ${dataDir}`);
    for (const name of [DATABASE_FILE, `${DATABASE_FILE}-wal`, `${DATABASE_FILE}-shm`, 'blobs', 'logs']) {
      rmSync(join(dataDir, name), { recursive: true, force: true });
    }
  }
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, PARTIAL_MARKER), new Date().toISOString());

  const until = opts.until ?? addDays(vietnamToday(), -1);
  const firstDay = addDays(until, -364);
  const started = performance.now();
  const store = openStore({ dataDir });
  // Bulk-load settings for this connection only; the app's own connections keep WAL + synchronous=FULL.
  store.db.pragma('synchronous = OFF');
  store.db.pragma('cache_size = -1000000');
  store.db.pragma('temp_store = MEMORY');
  seedCatalogue(store);

  log(
    `seed: ${opts.people.toLocaleString('en')} people, ${opts.dossiers.toLocaleString('en')} dossiers from ${firstDay} to ${until} into ${dataDir}`,
  );
  const peopleStarted = performance.now();
  seedPeople(store, opts.people, seed, log);
  const peopleSeconds = (performance.now() - peopleStarted) / 1000;
  log(`seed: people done in ${peopleSeconds.toFixed(1)} s`);

  const dossiersStarted = performance.now();
  seedDossiers(store, { count: opts.dossiers, firstDay, lastDay: until, seed: seed + 1, log });
  const dossierSeconds = (performance.now() - dossiersStarted) / 1000;
  log(`seed: dossiers done in ${dossierSeconds.toFixed(1)} s`);

  const checkpointStarted = performance.now();
  store.db.pragma('wal_checkpoint(TRUNCATE)');
  const checkpointSeconds = (performance.now() - checkpointStarted) / 1000;
  const rows: Record<string, number> = {};
  for (const table of [
    'people',
    'dossiers',
    'dossier_components',
    'dossier_fees',
    'dossier_status_history',
    'outbox',
    'audit_log',
    'code_blocks',
    'procedures',
  ]) {
    rows[table] = store.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
  }
  store.close();
  const total = (performance.now() - started) / 1000;

  const info: SeedInfo = {
    dataDir,
    people: opts.people,
    dossiers: opts.dossiers,
    seed,
    firstDay,
    lastDay: until,
    seededAt: new Date().toISOString(),
    seconds: { total, people: peopleSeconds, dossiers: dossierSeconds, checkpoint: checkpointSeconds },
    rows,
    dbBytes: databaseBytes(dataDir),
  };
  writeFileSync(markerFile, `${JSON.stringify(info, null, 2)}\n`);
  rmSync(join(dataDir, PARTIAL_MARKER), { force: true });
  log(`seed: finished in ${total.toFixed(1)} s; database ${fmtBytes(info.dbBytes)}; rows ${JSON.stringify(rows)}`);
  return { ...info, reused: false };
}

/** People in ID order of insertion, with the people repository; a (rare) personal ID already stored is drawn again. */
function seedPeople(store: Store, count: number, seed: number, log: (line: string) => void): void {
  const random = new Random(seed);
  const currentYear = Number(vietnamToday().slice(0, 4));
  const batch = (n: number) =>
    store.transaction(() => {
      for (let i = 0; i < n; i++) {
        for (;;) {
          const p = randomPerson(random, { currentYear });
          if (store.people.findByIdNumber('citizen', p.idNumber) !== null) continue;
          const person: PersonInput = {
            kind: 'citizen',
            idNumber: p.idNumber,
            fullName: p.fullName,
            oldIdNumber: p.oldIdNumber,
            birthDate: p.birthDate,
            sex: p.sex,
            address: p.address,
            idIssueDate: p.idIssueDate,
            phone: p.phone,
            email: p.email,
            portalVerified: p.portalVerified,
          };
          store.people.upsert(person);
          break;
        }
      }
    });
  const started = performance.now();
  for (let done = 0; done < count;) {
    const n = Math.min(ROWS_PER_TRANSACTION, count - done);
    batch(n);
    done += n;
    const seconds = (performance.now() - started) / 1000;
    log(
      `seed: people ${done.toLocaleString('en')}/${count.toLocaleString('en')} (${Math.round(done / seconds).toLocaleString('en')}/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`,
    );
  }
}

/** Random receipt times inside office hours, ascending. */
function receiptTimes(random: Random, day: string, n: number): string[] {
  const slots: number[] = [];
  const morning = [7 * 60 + 30, 11 * 60 + 29];
  const afternoon = [13 * 60 + 30, 16 * 60 + 59];
  for (let i = 0; i < n; i++) {
    const [from, to] = random.chance(0.6) ? morning : afternoon;
    slots.push(random.int(from ?? 0, to ?? 0));
  }
  slots.sort((a, b) => a - b);
  return slots.map((m) => `${day}T${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`);
}

function plusMinutes(local: string, minutes: number): string {
  return toLocalDateTime(localToEpoch(local) + minutes * 60_000);
}

function seedDossiers(
  store: Store,
  opts: { count: number; firstDay: string; lastDay: string; seed: number; log: (line: string) => void },
): void {
  const { db } = store;
  const random = new Random(opts.seed);
  const agency = TRAINING_CONFIG.agency;
  const officer = TRAINING_ACCOUNTS.find((a) => a.role === 'officer') ?? TRAINING_ACCOUNTS[0];
  if (!officer) throw new Error('no training officer account');
  const procedures = loadProcedures();
  const procedurePick = new Weighted(procedures.map((p) => [p, PROCEDURE_WEIGHT[p.code] ?? 1] as const));
  const years = [
    Number(opts.firstDay.slice(0, 4)) - 1,
    Number(opts.lastDay.slice(0, 4)),
    Number(opts.lastDay.slice(0, 4)) + 1,
  ];
  const workingTime = new WorkingTime(
    buildHolidayCalendar([...new Set(years)], store.calendar.listNotices()),
    DEFAULT_OFFICE_HOURS,
  );
  // The desk's numbers come from leased blocks only (no provincial system to ask: the blocks are added per day below).
  const codes = new DossierCodeAllocator({
    store,
    provincial: null,
    agencyId: agency.id,
    deskSlot: agency.deskSlot,
    blockSize: LEASE_BLOCK,
    log: silentLogger,
  });
  const trail = { agencyId: agency.id, agencyName: agency.name };

  const days: string[] = [];
  for (let day = opts.firstDay; day <= opts.lastDay; day = addDays(day, 1))
    if (workingTime.isWorkingDay(day)) days.push(day);
  if (days.length === 0 && opts.count > 0) throw new Error('no working day in the seeding window');
  const perDay = new Array<number>(days.length).fill(0);
  for (let i = 0; i < opts.count; i++) perDay[Math.floor(random.next() * days.length)]! += 1;
  const busiest = Math.max(0, ...perDay);
  if (busiest > 8999)
    throw new Error(`${busiest} dossiers on one day exceed the 8999 leasable numbers: seed fewer dossiers`);

  const bounds = db
    .prepare<[], { lo: number | null; hi: number | null }>('SELECT min(id) AS lo, max(id) AS hi FROM people')
    .get();
  const lo = bounds?.lo ?? null;
  const hi = bounds?.hi ?? null;
  if (opts.count > 0 && (lo === null || hi === null)) throw new Error('seed people before dossiers');
  const knownPeople = new Set<number>();

  /** The rows a change enqueued, recorded as sent a little later (as the sender loop would). */
  const sent = (rows: OutboxItem[], at: string) => {
    const sentAt = localToEpoch(at) + random.int(2_000, 120_000);
    for (const row of rows) {
      const ref = createHash('sha1').update(`${row.idempotencyKey}/${random.next()}`).digest('hex').slice(0, 16);
      store.outbox.markSent(row.id, sentAt, ref);
    }
  };

  const writeOne = (day: string, receivedAt: string) => {
    const personId = random.int(lo ?? 1, hi ?? 1);
    const person = store.people.get(personId);
    if (!person) throw new Error(`person ${personId} missing`);
    const p = procedurePick.pick(random);
    const offered = p.channels.map((c) => [c, CHANNEL_WEIGHT[c.channel]] as const);
    const terms = new Weighted(offered).pick(random);
    const appointment = computeAppointment({
      receivedAt,
      duration: terms.duration,
      unit: terms.unit,
      cutoff: p.cutoff,
      workingTime,
    });
    const components: DossierComponent[] = p.components
      .filter((c) => c.required || random.chance(0.5))
      .map((c) => ({
        componentCode: c.code,
        name: c.name,
        documentCode: c.documentCode,
        originals: Math.max(c.originals, c.required ? 1 : 0),
        copies: c.copies,
        source: 'paper',
        reusedDocumentId: null,
        consentAt: null,
        digitisedDocumentId: null,
      }));
    const fees: Fee[] = terms.fees;
    const roll = random.next();
    const finalStatus = roll < 0.03 ? 3 : roll < 0.08 ? 5 : 2;
    const delivery = terms.channel === 'post' || random.chance(0.05) ? 'post' : 'desk';
    const contactPhone = person.phone !== null && random.chance(0.8) ? person.phone : null;
    const ticketNumber =
      terms.channel === 'walk-in' && random.chance(0.7) ? String(random.int(1, 120)).padStart(3, '0') : null;

    // What `applicant.lookup` and the person's save at Receive put in the audit trail
    // (main/intake/applicant.service.ts).
    const masked = maskIdNumber(person.idNumber);
    const known = knownPeople.has(person.id);
    store.audit.append({
      at: receivedAt,
      actor: officer.username,
      action: 'applicant.lookup',
      entity: 'person',
      entityId: masked,
      details: { kind: person.kind, foundLocal: known, foundNational: true, nationalReachable: true },
    });
    store.audit.append({
      at: receivedAt,
      actor: officer.username,
      action: known ? 'person.update' : 'person.create',
      entity: 'person',
      entityId: masked,
      details: known ? { kind: person.kind, changed: [], declined: [] } : { kind: person.kind },
    });
    knownPeople.add(person.id);

    // Receive, as `IntakeService.receive` writes it (main/intake/intake.service.ts).
    const d = store.dossiers.insert({
      code: codes.allocate(day),
      requestId: randomUUID(),
      status: 2,
      channel: terms.channel,
      applicant: person,
      procedureCode: p.code,
      procedureName: p.name,
      receivedAt,
      appointmentAt: appointment.due,
      summary: p.name,
      contactPhone,
      contactEmail: null,
      delivery,
      components,
      fees,
      officer: officer.displayName,
      ticketNumber,
      note: 'Tiếp nhận hồ sơ tại Bộ phận Một cửa',
    });
    sent(
      enqueueDossierSync(store.outbox, d, p, {
        ...trail,
        stepName: 'Tiếp nhận hồ sơ',
        first: true,
        at: receivedAt,
        now: localToEpoch(receivedAt),
      }),
      receivedAt,
    );
    store.audit.append(receivedAudit(d, officer.username));

    if (finalStatus !== 2) {
      // Refusal or supplement request, as `IntakeService.refuse` / `requestSupplement` write it.
      const at = plusMinutes(receivedAt, random.int(1, 20));
      const note =
        finalStatus === 3
          ? 'Từ chối tiếp nhận: Không thuộc thẩm quyền giải quyết'
          : 'Yêu cầu bổ sung: Thiếu bản sao giấy tờ chứng minh nơi cư trú';
      const step = finalStatus === 3 ? 'Từ chối tiếp nhận hồ sơ' : 'Yêu cầu bổ sung, hoàn thiện hồ sơ';
      const updated = store.dossiers.setStatus(d.code, finalStatus, officer.displayName, note, at);
      sent(
        enqueueDossierSync(store.outbox, updated, p, {
          ...trail,
          stepName: step,
          first: false,
          at,
          now: localToEpoch(at),
        }),
        at,
      );
      store.audit.append(
        statusAudit(updated, d.status, officer.username, at, finalStatus === 3 ? { reasons: 1 } : { missing: 1 }),
      );
    }
  };

  const writeDay = (dayIndex: number) => {
    const day = days[dayIndex] ?? '';
    const n = perDay[dayIndex] ?? 0;
    // The blocks the day's numbers are leased in (of the configured lease size, the last one partly used).
    for (let from = 1; from <= Math.max(n, 1); from += LEASE_BLOCK) {
      store.sequences.addBlock({ agencyId: agency.id, date: day, from, to: from + LEASE_BLOCK - 1, source: 'lease' });
    }
    const times = receiptTimes(random, day, n);
    for (let i = 0; i < n; i++) writeOne(day, times[i] ?? `${day}T08:00`);
  };

  const started = performance.now();
  let done = 0;
  let dayIndex = 0;
  while (dayIndex < days.length) {
    store.transaction(() => {
      let inTx = 0;
      while (dayIndex < days.length && inTx < DOSSIERS_PER_TRANSACTION) {
        inTx += perDay[dayIndex] ?? 0;
        writeDay(dayIndex);
        dayIndex += 1;
      }
      done += inTx;
    });
    const seconds = (performance.now() - started) / 1000;
    opts.log(
      `seed: dossiers ${done.toLocaleString('en')}/${opts.count.toLocaleString('en')} (up to ${days[dayIndex - 1] ?? ''}; ${Math.round(done / Math.max(seconds, 0.001)).toLocaleString('en')}/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`,
    );
  }
}

if (isMain(import.meta.url)) {
  const args = new Args();
  const result = await seedLargeStore({
    out: args.string('out'),
    people: args.int('people', 1_000_000),
    dossiers: args.int('dossiers', 200_000),
    until: args.string('until'),
    seed: args.int('seed', 20261122),
  });
  console.log(
    JSON.stringify(
      {
        dataDir: result.dataDir,
        reused: result.reused,
        seconds: result.seconds,
        dbBytes: result.dbBytes,
        rows: result.rows,
      },
      null,
      2,
    ),
  );
}

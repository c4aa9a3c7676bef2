/**
 * Builds a large desk store for the benchmarks: N people and M dossiers received over the last
 * 365 days, written straight into the tables the repositories read, through a store opened with
 * `openStore` (migrations, the `fold()` SQL function and the search triggers in place, so the FTS
 * tables are filled by the app's own triggers).
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
import { Procedure, type Dossier, type DossierComponent, type Fee, type Person } from '../common/contract';
import { addDays, buildHolidayCalendar, computeAppointment, DEFAULT_OFFICE_HOURS, formatDossierCode, foldVietnamese, WorkingTime } from '../common/domain';
import { TRAINING_ACCOUNTS } from '../main/admin/accounts.service';
import { localToEpoch, toLocalDateTime } from '../main/core/clock';
import { seedCatalogue } from '../main/core/compose';
import { TRAINING_CONFIG } from '../main/core/config';
import { resourcesRoot } from '../main/core/repo-root';
import { receptionStep, toWireDossier, toWireProgressStep } from '../main/remotes/national-portal/wire-format';
import { auditHash, auditMac, GENESIS_HASH } from '../main/store/audit.repository';
import { keyStoreFor } from '../main/store/key-store';
import { canonicalJson } from '../main/store/canonical-json';
import { maskIdNumber } from '../main/store/mask';
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
  out?: string;
  people: number;
  dossiers: number;
  /** Last day of the 365-day window (`YYYY-MM-DD`, Vietnam time); default yesterday. */
  until?: string;
  seed?: number;
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
  const raw = JSON.parse(readFileSync(join(resourcesRoot(), 'seed', 'catalogue.json'), 'utf8')) as unknown[];
  return raw.map((p) => Procedure.parse(p));
}

/** How often each procedure is asked for at a commune desk (certifications and civil status dominate). */
const PROCEDURE_WEIGHT: Record<string, number> = {
  '2.000815': 30, '2.000884': 14, '1.001193': 12, '1.004873': 10, '2.000635': 8, '1.000894': 6, '1.004222': 6,
  '1.000656': 4, '1.001022': 2, '1.004837': 1, '1.012812': 2, '2.001909': 3, '1.001731': 2,
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
      throw new Error(`${dataDir} holds a seed of ${info.people} people / ${info.dossiers} dossiers, not ${opts.people} / ${opts.dossiers}: use another --out`);
    }
    log(`seed: reusing ${dataDir} (${info.people} people, ${info.dossiers} dossiers, seeded ${info.seededAt} in ${info.seconds.total.toFixed(1)} s)`);
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

  log(`seed: ${opts.people.toLocaleString('en')} people, ${opts.dossiers.toLocaleString('en')} dossiers from ${firstDay} to ${until} into ${dataDir}`);
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
  for (const table of ['people', 'dossiers', 'dossier_components', 'dossier_fees', 'dossier_status_history', 'outbox', 'audit_log', 'code_blocks', 'procedures']) {
    rows[table] = store.db.prepare<[], number>(`SELECT count(*) FROM ${table}`).pluck().get() ?? 0;
  }
  store.close();
  const total = (performance.now() - started) / 1000;

  const info: SeedInfo = {
    dataDir, people: opts.people, dossiers: opts.dossiers, seed, firstDay, lastDay: until, seededAt: new Date().toISOString(),
    seconds: { total, people: peopleSeconds, dossiers: dossierSeconds, checkpoint: checkpointSeconds },
    rows, dbBytes: databaseBytes(dataDir),
  };
  writeFileSync(markerFile, `${JSON.stringify(info, null, 2)}\n`);
  rmSync(join(dataDir, PARTIAL_MARKER), { force: true });
  log(`seed: finished in ${total.toFixed(1)} s; database ${fmtBytes(info.dbBytes)}; rows ${JSON.stringify(rows)}`);
  return { ...info, reused: false };
}

interface PeopleRow {
  idNumber: string;
  fullName: string;
  oldIdNumber: string | null;
  birthDate: string;
  sex: string;
  address: string;
  idIssueDate: string | null;
  phone: string | null;
  email: string | null;
  portalVerified: number;
  nameFold: string;
}

function isUniqueViolation(err: unknown): boolean {
  return err instanceof Error && 'code' in err && (err as { code: unknown }).code === 'SQLITE_CONSTRAINT_UNIQUE';
}

/** People in ID order of insertion; a (rare) duplicate personal ID is drawn again. */
function seedPeople(store: Store, count: number, seed: number, log: (line: string) => void): void {
  const random = new Random(seed);
  const currentYear = Number(vietnamToday().slice(0, 4));
  const insert = store.db.prepare<[PeopleRow]>(`
    INSERT INTO people (kind, id_number, full_name, old_id_number, birth_date, sex, address, id_issue_date, phone, email,
                        portal_verified, name_fold)
    VALUES ('citizen', @idNumber, @fullName, @oldIdNumber, @birthDate, @sex, @address, @idIssueDate, @phone, @email,
            @portalVerified, @nameFold)`);
  const batch = store.db.transaction((n: number) => {
    for (let i = 0; i < n; i++) {
      for (;;) {
        const p = randomPerson(random, { currentYear });
        const fullName = p.fullName.trim().replace(/\s+/g, ' ');
        try {
          insert.run({
            idNumber: p.idNumber, fullName, oldIdNumber: p.oldIdNumber, birthDate: p.birthDate, sex: p.sex, address: p.address,
            idIssueDate: p.idIssueDate, phone: p.phone, email: p.email, portalVerified: p.portalVerified ? 1 : 0,
            nameFold: foldVietnamese(fullName),
          });
          break;
        } catch (err) {
          if (!isUniqueViolation(err)) throw err;
        }
      }
    }
  });
  const started = performance.now();
  for (let done = 0; done < count;) {
    const n = Math.min(ROWS_PER_TRANSACTION, count - done);
    batch(n);
    done += n;
    const seconds = (performance.now() - started) / 1000;
    log(`seed: people ${done.toLocaleString('en')}/${count.toLocaleString('en')} (${Math.round(done / seconds).toLocaleString('en')}/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`);
  }
}

interface PersonRow {
  id: number;
  id_number: string;
  full_name: string;
  old_id_number: string | null;
  birth_date: string | null;
  sex: 'Nam' | 'Nữ' | null;
  address: string | null;
  id_issue_date: string | null;
  phone: string | null;
  email: string | null;
  portal_verified: number;
}

interface DossierInsert {
  code: string;
  requestId: string;
  status: number;
  channel: string;
  personId: number;
  applicantJson: string;
  applicantName: string;
  applicantIdNumber: string;
  procedureCode: string;
  procedureName: string;
  receivedAt: string;
  appointmentAt: string | null;
  summary: string;
  contactPhone: string | null;
  delivery: string;
  totalFee: number;
  officer: string;
  ticketNumber: string | null;
  createdAt: string;
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

function seedDossiers(store: Store, opts: { count: number; firstDay: string; lastDay: string; seed: number; log: (line: string) => void }): void {
  const { db } = store;
  const random = new Random(opts.seed);
  const agency = TRAINING_CONFIG.agency;
  const officer = TRAINING_ACCOUNTS.find((a) => a.role === 'officer') ?? TRAINING_ACCOUNTS[0];
  if (!officer) throw new Error('no training officer account');
  const procedures = loadProcedures();
  const procedurePick = new Weighted(procedures.map((p) => [p, PROCEDURE_WEIGHT[p.code] ?? 1] as const));
  const years = [Number(opts.firstDay.slice(0, 4)) - 1, Number(opts.lastDay.slice(0, 4)), Number(opts.lastDay.slice(0, 4)) + 1];
  const workingTime = new WorkingTime(buildHolidayCalendar([...new Set(years)], store.calendar.listNotices()), DEFAULT_OFFICE_HOURS);

  const days: string[] = [];
  for (let day = opts.firstDay; day <= opts.lastDay; day = addDays(day, 1)) if (workingTime.isWorkingDay(day)) days.push(day);
  if (days.length === 0 && opts.count > 0) throw new Error('no working day in the seeding window');
  const perDay = new Array<number>(days.length).fill(0);
  for (let i = 0; i < opts.count; i++) perDay[Math.floor(random.next() * days.length)]! += 1;
  const busiest = Math.max(0, ...perDay);
  if (busiest > 8999) throw new Error(`${busiest} dossiers on one day exceed the 8999 leasable numbers: seed fewer dossiers`);

  const bounds = db.prepare<[], { lo: number | null; hi: number | null }>('SELECT min(id) AS lo, max(id) AS hi FROM people').get();
  const lo = bounds?.lo ?? null;
  const hi = bounds?.hi ?? null;
  if (opts.count > 0 && (lo === null || hi === null)) throw new Error('seed people before dossiers');
  const personById = db.prepare<[number], PersonRow>(`SELECT id, id_number, full_name, old_id_number, birth_date, sex, address,
    id_issue_date, phone, email, portal_verified FROM people WHERE id = ?`);

  const insertDossier = db.prepare<[DossierInsert]>(`
    INSERT INTO dossiers (code, request_id, status, channel, person_id, applicant_json, applicant_name, applicant_id_number,
      procedure_code, procedure_name, received_at, appointment_at, summary, contact_phone, contact_email, delivery, total_fee,
      officer, ticket_number, created_at)
    VALUES (@code, @requestId, @status, @channel, @personId, @applicantJson, @applicantName, @applicantIdNumber,
      @procedureCode, @procedureName, @receivedAt, @appointmentAt, @summary, @contactPhone, NULL, @delivery, @totalFee,
      @officer, @ticketNumber, @createdAt)`);
  const insertComponent = db.prepare<[number, number, string, string, string | null, number, number]>(`
    INSERT INTO dossier_components (dossier_id, position, component_code, name, document_code, originals, copies, source,
      reused_document_id, consent_at, digitised_document_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, 'paper', NULL, NULL, NULL)`);
  const insertFee = db.prepare<[number, number, string, string, number]>(
    'INSERT INTO dossier_fees (dossier_id, position, code, name, amount) VALUES (?, ?, ?, ?, ?)',
  );
  const insertHistory = db.prepare<[number, string, number, string, string]>(
    'INSERT INTO dossier_status_history (dossier_id, at, status, actor, note) VALUES (?, ?, ?, ?, ?)',
  );
  const insertOutbox = db.prepare<[string, string, string, string, string, number, number, number, string]>(`
    INSERT INTO outbox (target, kind, dossier_code, idempotency_key, payload_json, status, attempts, next_attempt_at, last_error,
      created_at, sent_at, remote_ref)
    VALUES (?, ?, ?, ?, ?, 'sent', 1, ?, NULL, ?, ?, ?)`);
  const insertAudit = db.prepare<[number, string, string, string, string, string | null, string, string, string]>(`
    INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details_json, prev_hash, hash)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertBlock = db.prepare<[string, string, number, number, number, string]>(
    "INSERT INTO code_blocks (agency_id, date, from_seq, to_seq, next_seq, source, created_at) VALUES (?, ?, ?, ?, ?, 'lease', ?)",
  );

  const last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1').get();
  let auditId = last?.id ?? 0;
  let prevHash = last?.hash ?? GENESIS_HASH;
  const chain = store.audit.start();
  const auditKey = keyStoreFor().obtain('audit');
  const audit = (at: string, actor: string, action: string, entity: string, entityId: string | null, details: Record<string, unknown>) => {
    auditId += 1;
    const detailsJson = canonicalJson(details);
    const fields = { id: auditId, at, actor, action, entity, entityId, detailsJson };
    // Keyed as `AuditRepository.append` does, so the seeded chain verifies (migration 0009).
    const hash = chain && auditId >= chain.firstKeyedId ? auditMac(auditKey, chain.chainId, prevHash, fields) : auditHash(prevHash, fields);
    insertAudit.run(auditId, at, actor, action, entity, entityId, detailsJson, prevHash, hash);
    prevHash = hash;
  };
  const knownPeople = new Set<number>();

  const outbox = (d: Dossier, p: Procedure, first: boolean, at: string, stepName: string) => {
    const wire = toWireDossier(d, { agencyId: agency.id, receivingUnit: agency.name, sectorCode: p.sectorCode, sectorName: p.sectorName });
    const seq = d.history.length;
    const now = localToEpoch(at);
    const sentAt = now + random.int(2_000, 120_000);
    const step = first
      ? receptionStep(d, { handlerTitle: 'Cán bộ tiếp nhận', department: 'Bộ phận Một cửa' })
      : { dossierCode: d.code, handler: d.officer, handlerTitle: 'Cán bộ tiếp nhận', at, department: 'Bộ phận Một cửa', content: stepName, status: d.status, startedAt: at, dueAt: d.appointmentAt };
    const ref = () => createHash('sha1').update(`${d.code}/${seq}/${random.next()}`).digest('hex').slice(0, 16);
    insertOutbox.run('national', 'dossier.upsert', d.code, `${d.code}/upsert/${seq}`, JSON.stringify({ dossier: wire, isUpdating: !first }), now, now, sentAt, ref());
    insertOutbox.run('national', 'dossier.progress', d.code, `${d.code}/progress/${seq}`, JSON.stringify({ steps: [toWireProgressStep(step)] }), now, now, sentAt, ref());
    if (first) insertOutbox.run('provincial', 'dossier.handoff', d.code, `${d.code}/handoff`, JSON.stringify({ dossier: wire }), now, now, sentAt, ref());
  };

  const writeOne = (day: string, sequence: number, receivedAt: string) => {
    const personId = random.int(lo ?? 1, hi ?? 1);
    const row = personById.get(personId);
    if (!row) throw new Error(`person ${personId} missing`);
    const person: Person = {
      id: row.id, kind: 'citizen', idNumber: row.id_number, fullName: row.full_name, oldIdNumber: row.old_id_number,
      birthDate: row.birth_date, sex: row.sex, address: row.address, idIssueDate: row.id_issue_date, phone: row.phone,
      email: row.email, portalVerified: row.portal_verified === 1,
    };
    const p = procedurePick.pick(random);
    const offered = p.channels.map((c) => [c, CHANNEL_WEIGHT[c.channel]] as const);
    const terms = new Weighted(offered).pick(random);
    const appointment = computeAppointment({ receivedAt, duration: terms.duration, unit: terms.unit, cutoff: p.cutoff, workingTime });
    const code = formatDossierCode(agency.id, day, sequence);
    const components: DossierComponent[] = p.components
      .filter((c) => c.required || random.chance(0.5))
      .map((c) => ({
        componentCode: c.code, name: c.name, documentCode: c.documentCode, originals: Math.max(c.originals, c.required ? 1 : 0),
        copies: c.copies, source: 'paper', reusedDocumentId: null, consentAt: null, digitisedDocumentId: null,
      }));
    const fees: Fee[] = terms.fees;
    const totalFee = fees.reduce((s, f) => s + f.amount, 0);
    const roll = random.next();
    const finalStatus = roll < 0.03 ? 3 : roll < 0.08 ? 5 : 2;
    const delivery = terms.channel === 'post' || random.chance(0.05) ? 'post' : 'desk';
    const contactPhone = person.phone !== null && random.chance(0.8) ? person.phone : null;
    const receiveNote = 'Tiếp nhận hồ sơ tại Bộ phận Một cửa';
    const history: Dossier['history'] = [{ at: receivedAt, status: 2, actor: officer.displayName, note: receiveNote }];

    const d: Dossier = {
      id: 0, code, status: 2, channel: terms.channel, applicantName: person.fullName, applicantIdNumber: person.idNumber,
      procedureCode: p.code, procedureName: p.name, receivedAt, appointmentAt: appointment.due, officer: officer.displayName,
      sync: { national: 'synced', provincial: 'synced' }, applicant: person, summary: p.name, contactPhone, contactEmail: null,
      delivery, components, fees, totalFee, ticketNumber: terms.channel === 'walk-in' && random.chance(0.7) ? String(random.int(1, 120)).padStart(3, '0') : null,
      previousAppointmentAt: null, documents: [], history,
    };
    const result = insertDossier.run({
      code, requestId: randomUUID(), status: finalStatus, channel: d.channel, personId: person.id, applicantJson: JSON.stringify(person),
      applicantName: person.fullName, applicantIdNumber: person.idNumber, procedureCode: p.code, procedureName: p.name,
      receivedAt, appointmentAt: d.appointmentAt, summary: d.summary, contactPhone, delivery, totalFee, officer: d.officer,
      ticketNumber: d.ticketNumber, createdAt: new Date(localToEpoch(receivedAt)).toISOString(),
    });
    const id = Number(result.lastInsertRowid);
    d.id = id;
    components.forEach((c, i) => insertComponent.run(id, i, c.componentCode, c.name, c.documentCode, c.originals, c.copies));
    fees.forEach((f, i) => insertFee.run(id, i, f.code, f.name, f.amount));
    insertHistory.run(id, receivedAt, 2, officer.displayName, receiveNote);

    const masked = maskIdNumber(person.idNumber);
    audit(receivedAt, officer.username, 'applicant.lookup', 'person', masked, { kind: 'citizen', foundLocal: knownPeople.has(person.id), foundNational: true, nationalReachable: true });
    audit(receivedAt, officer.username, knownPeople.has(person.id) ? 'person.update' : 'person.create', 'person', masked, { kind: 'citizen' });
    knownPeople.add(person.id);
    outbox(d, p, true, receivedAt, 'Tiếp nhận hồ sơ');
    audit(receivedAt, officer.username, 'dossier.receive', 'dossier', code, {
      procedure: p.code, channel: d.channel, applicant: masked, appointmentAt: d.appointmentAt, components: components.length, reused: 0,
    });

    if (finalStatus !== 2) {
      const at = plusMinutes(receivedAt, random.int(1, 20));
      const note = finalStatus === 3 ? 'Từ chối tiếp nhận: Không thuộc thẩm quyền giải quyết' : 'Yêu cầu bổ sung: Thiếu bản sao giấy tờ chứng minh nơi cư trú';
      const step = finalStatus === 3 ? 'Từ chối tiếp nhận hồ sơ' : 'Yêu cầu bổ sung, hoàn thiện hồ sơ';
      insertHistory.run(id, at, finalStatus, officer.displayName, note);
      d.status = finalStatus;
      d.history = [...history, { at, status: finalStatus, actor: officer.displayName, note }];
      outbox(d, p, false, at, step);
      audit(at, officer.username, `dossier.status-${finalStatus}`, 'dossier', code, finalStatus === 3 ? { from: 2, to: 3, reasons: 1 } : { from: 2, to: 5, missing: 1 });
    }
  };

  const writeDay = (dayIndex: number) => {
    const day = days[dayIndex] ?? '';
    const n = perDay[dayIndex] ?? 0;
    const times = receiptTimes(random, day, n);
    for (let seq = 1; seq <= n; seq++) writeOne(day, seq, times[seq - 1] ?? `${day}T08:00`);
    // The leased blocks the numbers came from (blocks of the configured lease size, the last one partly used).
    const createdAt = new Date(localToEpoch(`${day}T07:00`)).toISOString();
    for (let from = 1; from <= Math.max(n, 1); from += LEASE_BLOCK) {
      const to = from + LEASE_BLOCK - 1;
      insertBlock.run(agency.id, day, from, to, Math.min(to + 1, n + 1), createdAt);
    }
  };

  const started = performance.now();
  let done = 0;
  let dayIndex = 0;
  while (dayIndex < days.length) {
    db.transaction(() => {
      let inTx = 0;
      while (dayIndex < days.length && inTx < DOSSIERS_PER_TRANSACTION) {
        inTx += perDay[dayIndex] ?? 0;
        writeDay(dayIndex);
        dayIndex += 1;
      }
      done += inTx;
    })();
    const seconds = (performance.now() - started) / 1000;
    opts.log(`seed: dossiers ${done.toLocaleString('en')}/${opts.count.toLocaleString('en')} (up to ${days[dayIndex - 1] ?? ''}; ${Math.round(done / Math.max(seconds, 0.001)).toLocaleString('en')}/s, rss ${Math.round(process.memoryUsage().rss / 2 ** 20)} MiB)`);
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
  console.log(JSON.stringify({ dataDir: result.dataDir, reused: result.reused, seconds: result.seconds, dbBytes: result.dbBytes, rows: result.rows }, null, 2));
}

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, Procedure } from '../../common/contract';
import { addDays, DEFAULT_OFFICE_HOURS, type OfficeHours } from '../../common/domain';
import { createDrivers, createTicketPrinter, documentPrinterSetting, type BarcodeReader, type Drivers, type TicketPrinter } from '../../drivers';
import { startBarcodeReader } from './barcode-forwarding';
import { AccountsService, TRAINING_ACCOUNTS } from '../admin/accounts.service';
import { createOcrPool } from '../digitise/ocr/worker-pool';
import { DigitiseStation } from '../digitise/station/digitise-station.service';
import { stationPipelines } from '../digitise/station/pipeline-factory';
import { ApplicantService } from '../intake/applicant.service';
import { DossierCodeAllocator } from '../intake/dossier-code.allocator';
import { DossierForms } from '../intake/dossier-forms';
import { IntakeService } from '../intake/intake.service';
import { WorkingTimeProvider } from '../intake/working-time';
import { defaultQueueConfig, ticketPrinterConfig, toSetup, trainingQueueConfig } from '../queue/queue-config';
import { QueueService } from '../queue/queue.service';
import { ResultIntake } from '../returns/result-intake';
import { ReturnsService } from '../returns/returns.service';
import { ResultsRepository } from '../store/results.repository';
import { createNationalPortalClient } from '../remotes/national-portal/national-portal.client';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import { startNationalPortalSimulator, TRAINING_DSTCODE, TRAINING_NATIONAL_USER, type NationalPortalSimulator } from '../remotes/national-portal/national-portal.simulator';
import { createProvincialClient } from '../remotes/provincial/provincial.client';
import { createFileTransfer, type FileTransfer } from '../remotes/provincial/file-transfer';
import { clientCredentialsToken } from '../remotes/provincial/oauth-token';
import { toWireProcedure } from '../remotes/national-portal/wire-format';
import type { ProvincialSystem } from '../remotes/provincial/provincial.port';
import { startProvincialSimulator, TRAINING_PROVINCIAL_CLIENT, type ProvincialSimulator } from '../remotes/provincial/provincial.simulator';
import { restrictUmask, tightenDataDir } from '../store/data-dir-permissions';
import { restrictDataDirAcl } from '../store/windows-acl';
import { AuditAnchor, defaultCheckpointDir } from '../store/audit-checkpoint';
import { keyStoreFor } from '../store/key-store';
import { openStore, type Store } from '../store/store';
import type { ScryptCost } from '../store/password';
import type { LoginThrottleOptions } from './login-throttle';
import { OutboxSender } from '../sync/outbox-sender';
import { StatusPuller } from '../sync/status-puller';
import { SyncService } from '../sync/sync.service';
import { ReferencePuller } from '../sync/reference-puller';
import { shiftedClock, systemClock, type Clock } from './clock';
import { loadConfig, printedFolder, type Config } from './config';
import { scannerDriverConfig } from './scanners-config';
import { createSigning } from './signing-setup';
import { createHandlers } from './handlers';
import { createLogger, type Logger } from './logger';
import { repoRoot, resourcesRoot } from './repo-root';
import { RpcServer } from './rpc-server';

export interface CoreOptions {
  dataDir: string;
  clock?: Clock;
  /** `YYYY-MM-DDTHH:mm`: run the clock from this Vietnam time (training scenarios, tests). */
  fixedNow?: string;
  console?: boolean;
  /** Replace the remotes (tests); otherwise simulators in training mode, the configured ones in production. */
  remotes?: { national: NationalPortal; provincial: ProvincialSystem; transfer?: FileTransfer };
  /** Start the outbox sender loop (default true). */
  startSync?: boolean;
  /** scrypt cost of new password hashes and the decoy (default 2^17, `main/store/password.ts`); tests pass a small one. */
  passwordCost?: ScryptCost;
  /** Waits between wrong sign-ins (`login-throttle.ts`); tests shorten them. */
  loginThrottle?: LoginThrottleOptions;
  /** Admin token of the training simulators' `/__sim/*` (browser mode: the launch token); default a random one. */
  simulatorToken?: string;
}

export interface Core {
  rpc: RpcServer;
  config: Config;
  trainingMode: boolean;
  dataDir: string;
  store: Store;
  drivers: Drivers;
  log: Logger;
  clock: Clock;
  sender: OutboxSender;
  statusPuller: StatusPuller;
  /** Return of results (issue 6). */
  returns: ReturnsService;
  resultIntake: ResultIntake;
  sync: SyncService;
  /** Catalogue, lists, units and holiday notices pulled with their effective dates. */
  reference: ReferencePuller;
  intake: IntakeService;
  queue: QueueService;
  /** The kiosk's ticket printer (the twin in training mode); null when none is configured. */
  ticketPrinter: TicketPrinter | null;
  digitise: DigitiseStation;
  /** Batch signing and verification (issue 4). */
  signing: ReturnType<typeof createSigning>['signing'];
  codes: DossierCodeAllocator;
  /** The serial barcode reader, when one is configured. */
  barcode: BarcodeReader | null;
  simulators: { national: NationalPortalSimulator; provincial: ProvincialSimulator } | null;
  close(): Promise<void>;
}

export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

/** The composition root, top to bottom: config → logs → drivers → store → remotes → services → RPC. */
export async function createCore(opts: CoreOptions): Promise<Core> {
  // Data at rest (docs/operations.md): owner-only from here on, and an older store narrowed to it.
  const umaskSet = restrictUmask();
  const permissions = tightenDataDir(opts.dataDir);
  const { config, trainingMode } = loadConfig(opts.dataDir);
  const clock = opts.clock ?? (opts.fixedNow ? shiftedClock(opts.fixedNow) : systemClock);
  const log = createLogger({ file: join(opts.dataDir, 'logs', 'core.log'), console: opts.console ?? false, scope: 'core', ...(config.log ? { rotation: config.log } : {}) });
  log.log('info', 'core.start', { trainingMode, agency: config.agency.id, counter: config.counter.id });
  if (permissions) {
    log.log(permissions.failed.length ? 'warn' : 'info', 'data-dir.permissions', {
      umask: umaskSet ? '077' : 'unchanged', dirs: permissions.dirs, files: permissions.files,
      tightened: permissions.tightened, failed: permissions.failed.slice(0, 5),
    });
  }
  if (process.platform === 'win32') {
    try {
      restrictDataDirAcl(opts.dataDir);
      log.log('info', 'data-dir.acl', { restricted: true });
    } catch (error) {
      log.log('warn', 'data-dir.acl', { restricted: false, error: error instanceof Error ? error.message.slice(0, 200) : String(error) });
    }
  }

  const drivers = createDrivers({
    mode: trainingMode ? 'training' : 'production',
    documentPrinter: documentPrinterSetting(trainingMode ? 'training' : 'production', config.devices.documentPrinter, printedFolder(opts.dataDir)),
    scanner: scannerDriverConfig(config.scanners),
  });

  // One key store outside the data folder: the audit chain's key and its checkpoints beside it
  // (docs/operations.md, "Audit chain"), the store encrypted with its `database` key ("Data at rest").
  const keys = keyStoreFor();
  const auditKey = keys.obtain('audit');
  const auditCheckpointDir = config.audit?.checkpointDir ?? defaultCheckpointDir(keys.location);
  const store = openStore({ dataDir: opts.dataDir, keyStore: keys, ...(opts.passwordCost ? { passwordCost: opts.passwordCost } : {}), audit: { key: auditKey, checkpointDir: auditCheckpointDir } });
  if (store.encryption.migrated) log.log('info', 'store.encrypted', { ...store.encryption.migrated, keyStore: keys.kind, keyDir: keys.location });
  // Blobs written before encryption are sealed in place in the background; close() stops it between two files.
  const stopSealing = new AbortController();
  const blobSealing = store.blobs.sealExisting(stopSealing.signal).then(
    (sealed) => { if (sealed.sealed || sealed.skipped.length) log.log('info', 'blobs.sealed', { sealed: sealed.sealed, skipped: sealed.skipped.length }); },
    (error: unknown) => log.log('warn', 'blobs.seal-failed', { error: error instanceof Error ? error.message : String(error) }),
  );
  if (!store.audit.keyMatches()) log.log('error', 'audit.key-replaced', { keyDir: keys.location });
  const auditAnchor = new AuditAnchor({
    audit: store.audit, key: auditKey, dir: auditCheckpointDir, deskId: `${config.agency.id}/${config.counter.id}`, clock,
    onError: (error) => log.log('warn', 'audit.checkpoint-failed', { dir: auditCheckpointDir, error: error instanceof Error ? error.message : String(error) }),
  });
  // Not awaited: a slow or offline checkpoint folder (a network share) must not hold up the desk.
  void auditAnchor.start();
  // The decoy hash for names that are no account, made now (off the event loop), not on the first such name.
  const decoyReady = store.accounts.passwords.prepareDecoy();
  const remotes = opts.remotes ? { transfer: null, ...opts.remotes, simulators: null } : await createRemotes(config, trainingMode, log, opts);

  const officeHours: OfficeHours = config.officeHours ?? DEFAULT_OFFICE_HOURS;
  const workingTime = new WorkingTimeProvider(store, officeHours, () => clock.today());
  let rpc: RpcServer | null = null;

  const accounts = new AccountsService(store, clock);
  const applicants = new ApplicantService({ store, national: remotes.national, agencyId: config.agency.id, clock, log: log.child('applicant') });
  const codes = new DossierCodeAllocator({
    store, provincial: remotes.provincial, agencyId: config.agency.id, deskSlot: config.agency.deskSlot,
    blockSize: config.sync.leaseBlockSize, log: log.child('codes'),
  });
  const forms = new DossierForms(store, { agencyId: config.agency.id, agencyName: config.agency.name, counterName: config.counter.name, training: trainingMode });
  const sender = new OutboxSender({
    outbox: store.outbox,
    national: remotes.national,
    provincial: remotes.provincial,
    now: () => clock.now(),
    log: (line) => log.log('info', 'sync', { line }),
    onProgress: (counts) => rpc?.broadcast('sync.progress', { pending: counts.pending, retrying: counts.retrying, dead: counts.dead, sent: counts.sent, lastError: store.outbox.lastError() }),
    // Hand-off files go up in resumable, sha256-checked chunks (none when tests pass their own remotes).
    ...(remotes.transfer ? { transfer: remotes.transfer } : {}),
    loadFiles: async (code) => {
      const d = store.dossiers.getByCode(code);
      if (!d) return [];
      const receipt = await forms.load(d, 'receipt', clock.localNow());
      return [{ name: `${code}-giay-tiep-nhan.pdf`, sha256: receipt.sha256, base64: Buffer.from(receipt.bytes).toString('base64') }];
    },
    // Mirrored in the store so `motcua-desk sync status` (another process) can show it.
    onBreakerChange: (target, snap) => {
      try {
        store.syncState.saveHealth({ remote: target, breakerState: snap.state, openedAt: snap.openedAt, retryAt: snap.retryAt, lastError: snap.lastError, updatedAt: clock.now() });
      } catch (err) {
        log.log('warn', 'sync.breaker-save-failed', { error: String(err) });
      }
    },
  }, {
    ...(config.sync.maxAttempts !== undefined ? { maxAttempts: config.sync.maxAttempts } : {}),
    ...(config.sync.baseDelayMs !== undefined ? { baseDelayMs: config.sync.baseDelayMs } : {}),
    ...(config.sync.maxDelayMs !== undefined ? { maxDelayMs: config.sync.maxDelayMs } : {}),
    breaker: {
      ...(config.sync.breakerFailures !== undefined ? { failureThreshold: config.sync.breakerFailures } : {}),
      ...(config.sync.breakerOpenMs !== undefined ? { openMs: config.sync.breakerOpenMs } : {}),
    },
  });
  // Return of results: result files announced with status 9 are fetched, checked and filed by the pull.
  const results = new ResultsRepository(store.db);
  const deskUnit = { agencyId: config.agency.id, agencyName: config.agency.name };
  const resultIntake = new ResultIntake({
    store, results, provincial: remotes.provincial, clock, log: log.child('results'), desk: deskUnit,
    ...(remotes.transfer ? { download: { transfer: remotes.transfer, dir: join(opts.dataDir, 'downloads') } } : {}),
    onStored: (code, status) => rpc?.broadcast('dossier.changed', { code, status }),
  });
  const statusPuller = new StatusPuller({
    store, provincial: remotes.provincial, now: () => clock.now(), log: (line) => log.log('info', 'sync', { line }), hooks: resultIntake,
    onDossierChanged: (code, status) => rpc?.broadcast('dossier.changed', { code, status }),
  });
  const sync = new SyncService({ store, now: () => clock.now(), breakers: () => sender.breakerStates(), nudge: () => sender.nudge() });
  const reference = new ReferencePuller({
    store, national: remotes.national, provincial: remotes.provincial, today: () => clock.today(), now: () => clock.now(),
    log: (line) => log.log('info', 'reference', { line }),
  });
  // Queue: services and counters from the config (training: the seed matching the catalogue).
  const queueConfig = config.queue ?? (trainingMode ? trainingQueueConfig(resourcesRoot()) : defaultQueueConfig(config.counter));
  const ticketPrinterSetting = ticketPrinterConfig(queueConfig, trainingMode);
  const ticketPrinter = ticketPrinterSetting ? createTicketPrinter(trainingMode ? 'training' : 'production', ticketPrinterSetting) : null;
  const queue = new QueueService({
    store, clock, log: log.child('queue'), setup: toSetup(queueConfig, config.counter.id), printer: ticketPrinter,
    agency: { id: config.agency.id, name: config.agency.name },
    onCalled: (called) => rpc?.broadcast('queue.called', called),
    onChanged: (state) => rpc?.broadcast('queue.changed', state),
  });
  queue.configure();
  const intake = new IntakeService({
    store, clock, log: log.child('intake'), applicants, codes, forms, workingTime, printer: drivers.documentPrinter,
    agencyId: config.agency.id, agencyName: config.agency.name,
    onOutbox: () => sender.nudge(),
    onDossierChanged: (code, status) => rpc?.broadcast('dossier.changed', { code, status }),
    tickets: queue,
  });
  // OCR workers start on the first page and are shared by every batch.
  const ocrPool = createOcrPool();
  const digitise = new DigitiseStation({
    store, pipelines: stationPipelines(ocrPool), scanners: drivers.scanners, clock, log: log.child('digitise'),
    agency: { id: config.agency.id, name: config.agency.name },
    defaultProfile: config.scanners.defaultProfile,
    onEvent: (progress) => rpc?.broadcast('digitise.progress', progress),
    onOutbox: () => sender.nudge(),
    onDossierChanged: (code, status) => rpc?.broadcast('dossier.changed', { code, status }),
  });
  const returns = new ReturnsService({
    store, results, intake: resultIntake, clock, log: log.child('returns'), workingTime, printer: drivers.documentPrinter,
    desk: { agencyId: config.agency.id, agencyName: config.agency.name, counterName: config.counter.name, training: trainingMode },
    onOutbox: () => sender.nudge(),
    onDossierChanged: (code, status) => rpc?.broadcast('dossier.changed', { code, status }),
  });
  const signing = createSigning({ config, trainingMode, store, clock, log: log.child('signing'), rpc: () => rpc, dataDir: opts.dataDir });

  if (trainingMode) {
    seedCatalogue(store);
    accounts.seedTrainingAccounts();
    queue.seedTraining(6);
  }

  const sessionConfig = { idleTimeoutMinutes: config.session?.idleTimeoutMinutes ?? 15, maxHours: config.session?.maxHours ?? 12 };
  rpc = new RpcServer(createHandlers({
    version: packageVersion(), trainingMode, agency: config.agency, counter: config.counter,
    trainingAccounts: trainingMode ? [...TRAINING_ACCOUNTS] : [], accounts, applicants, intake, queue, store, sync, clock, digitise, signing: signing.signing, returns,
    ...(config.barcode?.wedge ? { barcodeWedge: config.barcode.wedge } : {}),
    session: sessionConfig,
  }), log.child('rpc'), {
    now: () => clock.now(),
    resumeIdleMs: sessionConfig.idleTimeoutMinutes * 60_000,
    sessionMaxMs: sessionConfig.maxHours * 60 * 60_000,
    // Every call of a session compares the account's epoch as stored (the command line changes it from another process).
    accountStanding: (username) => store.accounts.sessionStanding(username),
    ...(opts.loginThrottle ? { loginThrottle: opts.loginThrottle } : {}),
  });
  const barcode = startBarcodeReader({
    mode: trainingMode ? 'training' : 'production', config: config.barcode, log: log.child('barcode'),
    broadcast: (event, payload) => rpc?.broadcast(event, payload),
  });
  // Batches left open by the last run: pages captured but not yet processed are processed now.
  digitise.resume();

  // Background upkeep: holiday notices and dossier-number leases for today and the next days.
  const upkeep = async () => {
    const year = Number(clock.today().slice(0, 4));
    if (await reference.pullHolidayNotices([year, year + 1])) workingTime.invalidate();
    const wt = workingTime.get();
    let day = clock.today();
    await codes.refill(day);
    for (let i = 0; i < 2; i++) {
      day = wt.nextWorkingDay(addDays(day, 1));
      await codes.refill(day);
    }
  };
  // Catalogue (with effective dates), agencies, sectors, administrative units: in the background,
  // each pull on its own, so a slow portal delays nothing; due catalogue changes applied first.
  let referenceRun: Promise<void> = Promise.resolve();
  const refreshReference = (): void => {
    referenceRun = referenceRun.then(async () => {
      const steps: [string, () => unknown][] = [
        ['catalogue.apply-due', () => reference.applyDue()],
        ['catalogue.pull', () => reference.pullCatalogue()],
        ['reference.agencies', () => reference.pullAgenciesAndSectors()],
        ['reference.units', () => reference.pullAdministrativeUnits()],
      ];
      for (const [what, run] of steps) {
        try {
          await run();
        } catch (err) {
          log.log('warn', `${what}-failed`, { error: err instanceof Error ? err.message : String(err) });
        }
      }
    });
  };
  const upkeepTimer = setInterval(() => { void upkeep(); refreshReference(); }, 10 * 60_000);
  upkeepTimer.unref();
  await upkeep().catch((err: unknown) => log.log('warn', 'upkeep.failed', { error: String(err) }));
  if (opts.startSync !== false) sender.start(config.sync.intervalMs);
  if (opts.startSync !== false) refreshReference();
  // Status changes from the provincial system; a failed pull is retried at the next interval.
  const pull = () => statusPuller.pullOnce().then(() => resultIntake.retryPending()).finally(() => sender.nudge()).catch((err: unknown) => log.log('warn', 'sync.pull-failed', { error: err instanceof Error ? err.message : String(err) }));
  const pullTimer = opts.startSync !== false ? setInterval(() => { void pull(); }, config.sync.pullIntervalMs ?? 60_000) : null;
  pullTimer?.unref();
  await decoyReady;

  return {
    rpc, config, trainingMode, dataDir: opts.dataDir, reference, store, drivers, log, clock, sender, statusPuller, returns, resultIntake, sync, intake, queue, ticketPrinter, digitise, signing: signing.signing, codes, barcode,
    simulators: remotes.simulators,
    async close() {
      clearInterval(upkeepTimer);
      if (pullTimer) clearInterval(pullTimer);
      await barcode?.close();
      await sender.stop();
      await referenceRun;
      await statusPuller.settled();
      await signing.close();
      await digitise.close();
      await ocrPool.close();
      await ticketPrinter?.close();
      await auditAnchor.close();
      stopSealing.abort();
      await blobSealing;
      store.close();
      if (remotes.simulators) {
        await remotes.simulators.national.close();
        await remotes.simulators.provincial.close();
      }
      log.log('info', 'core.stop');
    },
  };
}

async function createRemotes(config: Config, trainingMode: boolean, log: Logger, opts: CoreOptions) {
  if (trainingMode) {
    // The twin publishes the seed catalogue, so the training desk's catalogue pull changes nothing.
    const procedures = seedProcedures().map((p) => toWireProcedure(p, { updatedAt: `${p.effectiveFrom}T00:00` }));
    // What the twins must not forget across restarts (lease counters, issued ids) lives in the data folder.
    const simDir = join(opts.dataDir, 'simulators');
    const token = opts.simulatorToken ? { adminToken: opts.simulatorToken } : {};
    const national = await startNationalPortalSimulator({ users: [{ ...TRAINING_NATIONAL_USER }], dstcode: TRAINING_DSTCODE, procedures, stateFile: join(simDir, 'national.sqlite'), ...token });
    const provincial = await startProvincialSimulator({ clients: [{ ...TRAINING_PROVINCIAL_CLIENT }], stateFile: join(simDir, 'provincial.sqlite'), ...token });
    return {
      national: createNationalPortalClient({ baseUrl: national.url, ...TRAINING_NATIONAL_USER, dstcode: TRAINING_DSTCODE, agencyCode: config.agency.id, timeoutMs: 5000 }),
      provincial: createProvincialClient({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 5000 }),
      transfer: createFileTransfer({ baseUrl: provincial.url, token: clientCredentialsToken({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 5000 }), timeoutMs: 5000 }),
      simulators: { national, provincial },
    };
  }
  const n = config.remotes.national;
  const p = config.remotes.provincial;
  if (!n || !p) {
    throw new AppError('CONFIG_INVALID', `Cấu hình không hợp lệ: remotes.${n ? 'provincial' : 'national'}: cần khai báo cả hai hệ thống khi không ở chế độ đào tạo`, { fields: [`remotes.${n ? 'provincial' : 'national'}`] });
  }
  const password = secretFromEnv(n.passwordEnv, 'remotes.national.passwordEnv');
  const secret = secretFromEnv(p.clientSecretEnv, 'remotes.provincial.clientSecretEnv');
  return {
    national: createNationalPortalClient({ baseUrl: n.baseUrl, username: n.username, password, dstcode: n.dstcode, agencyCode: config.agency.id, log: (line) => log.log('info', 'national', { line }) }),
    provincial: createProvincialClient({ baseUrl: p.baseUrl, clientId: p.clientId, clientSecret: secret, log: (line) => log.log('info', 'provincial', { line }) }),
    transfer: createFileTransfer({
      baseUrl: p.baseUrl, token: clientCredentialsToken({ baseUrl: p.baseUrl, clientId: p.clientId, clientSecret: secret }),
      log: (line) => log.log('info', 'provincial', { line }),
    }),
    simulators: null,
  };
}

function secretFromEnv(name: string, field: string): string {
  const value = process.env[name];
  if (!value) throw new AppError('CONFIG_INVALID', `Cấu hình không hợp lệ: ${field}: biến môi trường ${name} chưa được đặt`, { fields: [field] });
  return value;
}

function seedProcedures(): Procedure[] {
  const raw = JSON.parse(readFileSync(join(resourcesRoot(), 'seed', 'catalogue.json'), 'utf8')) as unknown[];
  return raw.map((p) => Procedure.parse(p));
}

/** Training catalogue from resources/seed (idempotent: upserts by procedure code). */
export function seedCatalogue(store: Store): number {
  const procedures = seedProcedures();
  store.transaction(() => { for (const p of procedures) store.catalogue.upsertProcedure(p); });
  return procedures.length;
}

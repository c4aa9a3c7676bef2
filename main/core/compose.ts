import { join } from 'node:path';
import {
  createDrivers,
  documentPrinterSetting,
  type BarcodeReader,
  type Drivers,
  type TicketPrinter,
} from '../../drivers';
import { TRAINING_ACCOUNTS } from '../admin/accounts.service';
import type { DigitiseStation } from '../digitise/station/digitise-station';
import type { DossierCodeAllocator } from '../intake/dossier-code.allocator';
import type { IntakeService } from '../intake/intake.service';
import { shiftedClock, systemClock, type Clock } from '../kernel/clock';
import { createLogger, type Logger } from '../kernel/logger';
import { packageVersion } from '../kernel/resources';
import type { QueueService } from '../queue/queue.service';
import type { DeskQueue } from '../queue/desk-queue.port';
import type { CentreLink } from '../remotes/centre/centre.port';
import type { Enrolment } from '../remotes/centre/enrolment';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import type { NationalPortalSimulator } from '../remotes/national-portal/national-portal.simulator';
import type { FileTransfer } from '../remotes/provincial/file-transfer.port';
import type { ProvincialSystem } from '../remotes/provincial/provincial.port';
import type { ProvincialSimulator } from '../remotes/provincial/provincial.simulator';
import type { ResultIntake } from '../returns/result-intake';
import type { ReturnsService } from '../returns/returns.service';
import type { ScryptCost } from '../store/password';
import type { Store } from '../store/store';
import type { OutboxSender } from '../sync/outbox-sender';
import type { ReferencePuller } from '../sync/reference-puller';
import type { StatusPuller } from '../sync/status-puller';
import type { SyncService } from '../sync/sync.service';
import { startBarcodeReader } from './barcode-forwarding';
import { setUpCentre, type CentreSetup, type CoreCentre } from './centre-setup';
import { loadConfig, printedFolder, type Config } from './config';
import { lockDownDataDir } from './data-dir-setup';
import { EventHub } from './event-hub';
import { createHandlers } from './handlers';
import type { LoginThrottleOptions } from './login-throttle';
import { createRemotes } from './remotes-setup';
import { RpcServer } from './rpc-server';
import { scannerDriverConfig } from './scanners-config';
import { createServices, type Services } from './services-setup';
import { openCoreStore } from './store-setup';
import { seedTraining } from './training-seed';
import { startUpkeep } from './upkeep';

export interface CoreOptions {
  dataDir: string;
  clock?: Clock;
  /** `YYYY-MM-DDTHH:mm`: run the clock from this Vietnam time (training scenarios, tests). */
  fixedNow?: string | undefined;
  console?: boolean;
  /** Replace the remotes (tests); otherwise simulators in training mode, the configured ones in production. */
  remotes?: { national: NationalPortal; provincial: ProvincialSystem; transfer?: FileTransfer };
  /** Start the outbox sender loop (default true). */
  startSync?: boolean;
  /**
   * scrypt cost of new password hashes and the decoy (default 2^17, `main/store/password.ts`); tests pass a small one.
   */
  passwordCost?: ScryptCost;
  /** Waits between wrong sign-ins (`login-throttle.ts`); tests shorten them. */
  loginThrottle?: LoginThrottleOptions;
  /** Admin token of the training simulators' `/__sim/*` (browser mode: the launch token); default a random one. */
  simulatorToken?: string;
  /** Tests: the link to the enrolled centre; default the production client (centre-setup.ts). */
  centreLink?: (enrolment: Enrolment) => CentreLink;
}

export interface Core {
  rpc: RpcServer;
  /** The core's events (`event-hub.ts`): what the services publish, before the RPC server sends it. */
  events: EventHub;
  config: Config;
  trainingMode: boolean;
  dataDir: string;
  store: Store;
  drivers: Drivers;
  log: Logger;
  clock: Clock;
  sender: OutboxSender;
  statusPuller: StatusPuller;
  /** Return of results. */
  returns: ReturnsService;
  resultIntake: ResultIntake;
  sync: SyncService;
  /** Catalogue, lists, units and holiday notices pulled with their effective dates. */
  reference: ReferencePuller;
  intake: IntakeService;
  queue: QueueService;
  /** The queue the handlers use: the centre's when enrolled, else `queue`. */
  deskQueue: DeskQueue;
  /** The centre this desk is enrolled at (`<data dir>/centre/`); null when it runs alone or the enrolment is broken. */
  centre: CoreCentre | null;
  /** The kiosk's ticket printer (the twin in training mode); null when none is configured. */
  ticketPrinter: TicketPrinter | null;
  digitise: DigitiseStation;
  /** Batch signing and verification. */
  signing: Services['signing'];
  codes: DossierCodeAllocator;
  /** The serial barcode reader, when one is configured. */
  barcode: BarcodeReader | null;
  simulators: { national: NationalPortalSimulator; provincial: ProvincialSimulator } | null;
  close(): Promise<void>;
}

/**
 * The composition root, top to bottom: config → logs → data folder → drivers → keys and store →
 * remotes → events → services → RPC → background upkeep. `close()` takes it down in reverse.
 */
export async function createCore(opts: CoreOptions): Promise<Core> {
  const dataDir = lockDownDataDir(opts.dataDir);
  const { config, trainingMode } = loadConfig(opts.dataDir);
  const mode = trainingMode ? 'training' : 'production';
  const clock = opts.clock ?? (opts.fixedNow ? shiftedClock(opts.fixedNow) : systemClock);
  const log = createLogger({
    file: join(opts.dataDir, 'logs', 'core.log'),
    console: opts.console ?? false,
    scope: 'core',
    ...(config.log ? { rotation: config.log } : {}),
  });
  log.log('info', 'core.start', { trainingMode, agency: config.agency.id, counter: config.counter.id });
  dataDir.finish(log);

  const drivers = createDrivers({
    mode,
    documentPrinter: documentPrinterSetting(mode, config.devices.documentPrinter, printedFolder(opts.dataDir)),
    scanner: scannerDriverConfig(config.scanners),
  });
  const storage = openCoreStore({ dataDir: opts.dataDir, config, clock, log, passwordCost: opts.passwordCost });
  const store = storage.store;
  const remotes = await createRemotes({
    config,
    trainingMode,
    dataDir: opts.dataDir,
    log,
    simulatorToken: opts.simulatorToken,
    given: opts.remotes,
  });

  const events = new EventHub(log.child('events'));
  // Enrolled at a centre: its queue, its numbers and its feed (docs/architecture.md, "Centre").
  const centre = setUpCentre({
    dataDir: opts.dataDir,
    clock,
    log,
    ...(opts.centreLink ? { makeLink: opts.centreLink } : {}),
  });
  const services = createServices({
    config,
    trainingMode,
    dataDir: opts.dataDir,
    store,
    drivers,
    remotes,
    events,
    clock,
    log,
    centre,
  });
  centre.start(events);
  if (trainingMode) seedTraining(store, services.accounts, services.queue);

  const rpc = createRpc({
    config,
    trainingMode,
    store,
    clock,
    log,
    events,
    services,
    centre,
    loginThrottle: opts.loginThrottle,
  });
  const barcode = startBarcodeReader({ mode, config: config.barcode, log: log.child('barcode'), events });
  // Batches left open by the last run: pages captured but not yet processed are processed now.
  services.digitise.resume();
  const upkeep = await startUpkeep({
    ...services,
    clock,
    log,
    intervals: config.sync,
    startSync: opts.startSync !== false,
  });
  await storage.decoyReady;

  return {
    // The services (sender, status puller, intake, queue, station, signing, …) as they are, then the rest.
    ...services,
    rpc,
    events,
    config,
    trainingMode,
    dataDir: opts.dataDir,
    store,
    drivers,
    log,
    clock,
    barcode,
    centre: centre.centre,
    simulators: remotes.simulators,
    async close() {
      // The timers stop at once; the reference refresh and status pull in flight are awaited once the sender has
      // stopped.
      const upkeepSettled = upkeep.close();
      await barcode?.close();
      await services.sender.stop();
      await upkeepSettled;
      await services.close();
      centre.close();
      await storage.close();
      await remotes.close();
      log.log('info', 'core.stop');
    },
  };
}

/** The RPC server over the handlers; it subscribes to the event hub as it is made. */
function createRpc(deps: {
  config: Config;
  trainingMode: boolean;
  store: Store;
  clock: Clock;
  log: Logger;
  events: EventHub;
  services: Services;
  centre: CentreSetup;
  loginThrottle: LoginThrottleOptions | undefined;
}): RpcServer {
  const { config, trainingMode, store, clock, services } = deps;
  const session = {
    idleTimeoutMinutes: config.session?.idleTimeoutMinutes ?? 15,
    maxHours: config.session?.maxHours ?? 12,
  };
  const handlers = createHandlers({
    version: packageVersion(),
    trainingMode,
    agency: config.agency,
    counter: config.counter,
    trainingAccounts: trainingMode ? [...TRAINING_ACCOUNTS] : [],
    accounts: services.accounts,
    applicants: services.applicants,
    intake: services.intake,
    queue: services.deskQueue,
    store,
    sync: services.sync,
    clock,
    digitise: services.digitise,
    signing: services.signing,
    returns: services.returns,
    ...(config.barcode?.wedge ? { barcodeWedge: config.barcode.wedge } : {}),
    session,
    centre: () => deps.centre.info(),
  });
  return new RpcServer(handlers, deps.log.child('rpc'), {
    events: deps.events,
    clock,
    resumeIdleMs: session.idleTimeoutMinutes * 60_000,
    sessionMaxMs: session.maxHours * 60 * 60_000,
    // Every call of a session compares the account's epoch as stored (the command line changes it from another
    // process).
    accountStanding: (username) => store.accounts.sessionStanding(username),
    ...(deps.loginThrottle ? { loginThrottle: deps.loginThrottle } : {}),
  });
}

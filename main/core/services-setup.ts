import { join } from 'node:path';
import { DEFAULT_OFFICE_HOURS } from '../../common/domain';
import { createTicketPrinter, type Drivers, type TicketPrinter } from '../../drivers';
import { AccountsService } from '../admin/accounts.service';
import { createOcrPool } from '../digitise/ocr/worker-pool';
import { DigitiseStation } from '../digitise/station/digitise-station';
import { stationPipelines } from '../digitise/station/pipeline-factory';
import { ApplicantService } from '../intake/applicant.service';
import { DossierCodeAllocator } from '../intake/dossier-code.allocator';
import { DossierForms } from '../intake/dossier-forms';
import { IntakeService } from '../intake/intake.service';
import { WorkingTimeProvider } from '../intake/working-time';
import type { Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import { resourcesDir } from '../kernel/resources';
import { defaultQueueConfig, ticketPrinterConfig, toSetup, trainingQueueConfig } from '../queue/queue-config';
import { QueueService } from '../queue/queue.service';
import { localDeskQueue, type DeskQueue } from '../queue/desk-queue.port';
import { ResultIntake } from '../returns/result-intake';
import { ReturnsService } from '../returns/returns.service';
import { createSigning } from '../signing/signing-setup';
import { ResultsRepository } from '../store/results.repository';
import type { Store } from '../store/store';
import { OutboxSender } from '../sync/outbox-sender';
import { ReferencePuller } from '../sync/reference-puller';
import { StatusPuller } from '../sync/status-puller';
import { SyncService } from '../sync/sync.service';
import type { CentreSetup } from './centre-setup';
import type { Config } from './config';
import type { EventHub } from './event-hub';
import type { Remotes } from './remotes-setup';

export interface Services {
  accounts: AccountsService;
  applicants: ApplicantService;
  codes: DossierCodeAllocator;
  workingTime: WorkingTimeProvider;
  sender: OutboxSender;
  resultIntake: ResultIntake;
  statusPuller: StatusPuller;
  sync: SyncService;
  reference: ReferencePuller;
  /** The kiosk's ticket printer (the twin in training mode); null when none is configured. */
  ticketPrinter: TicketPrinter | null;
  queue: QueueService;
  /** The queue the handlers use: the centre's when the desk is enrolled, else `queue` (desk-queue.port.ts). */
  deskQueue: DeskQueue;
  intake: IntakeService;
  digitise: DigitiseStation;
  returns: ReturnsService;
  signing: ReturnType<typeof createSigning>['signing'];
  /** Signing, the digitisation station, the OCR workers and the ticket printer, in that order. */
  close(): Promise<void>;
}

/**
 * The desk's services, each with the core's clock, a logger of its own and the event hub. Changes
 * that wrote outbox rows wake the sender; the sender's counts go out as `sync.progress`.
 */
export function createServices(deps: {
  config: Config;
  trainingMode: boolean;
  dataDir: string;
  store: Store;
  drivers: Drivers;
  remotes: Remotes;
  events: EventHub;
  clock: Clock;
  log: Logger;
  /** The centre this desk is enrolled at (centre-setup.ts); absent or not enrolled: as before. */
  centre?: Pick<CentreSetup, 'queue' | 'numbers' | 'centre'>;
}): Services {
  const { config, trainingMode, store, drivers, remotes, events, clock, log } = deps;
  const agency = { id: config.agency.id, name: config.agency.name };
  const desk = {
    agencyId: config.agency.id,
    agencyName: config.agency.name,
    counterName: config.counter.name,
    training: trainingMode,
  };

  const workingTime = new WorkingTimeProvider(store, config.officeHours ?? DEFAULT_OFFICE_HOURS, clock);
  const accounts = new AccountsService(store, clock);
  const applicants = new ApplicantService({
    store,
    national: remotes.national,
    agencyId: config.agency.id,
    clock,
    log: log.child('applicant'),
  });
  const codes = new DossierCodeAllocator({
    store,
    // Enrolled at a centre: the centre leases the numbers and gave the reserve slot (docs/architecture.md, "Centre").
    provincial: deps.centre?.numbers?.lessor ?? remotes.provincial,
    agencyId: config.agency.id,
    deskSlot: deps.centre?.numbers ? deps.centre.numbers.deskSlot : config.agency.deskSlot,
    blockSize: config.sync.leaseBlockSize,
    log: log.child('codes'),
  });
  const forms = new DossierForms(store, desk);
  // Enrolled: each change also writes the centre's copy, which the sender replicates (docs/architecture.md, "Centre").
  const enrolled = deps.centre?.centre ?? null;
  store.outbox.replicateToCentre(
    enrolled
      ? {
          deviceId: enrolled.enrolment.deviceId,
          centreId: enrolled.enrolment.centreId,
          counter: enrolled.enrolment.counter,
        }
      : null,
  );
  const sender = new OutboxSender(
    {
      outbox: store.outbox,
      national: remotes.national,
      provincial: remotes.provincial,
      centre: enrolled?.link ?? null,
      clock,
      log: log.child('outbox'),
      onProgress: (counts) =>
        events.publish('sync.progress', {
          pending: counts.pending,
          retrying: counts.retrying,
          dead: counts.dead,
          sent: counts.sent,
          lastError: store.outbox.lastError(),
        }),
      // Hand-off files go up in resumable, sha256-checked chunks (none when tests pass their own remotes).
      ...(remotes.transfer ? { transfer: remotes.transfer } : {}),
      loadFiles: async (code) => {
        const d = store.dossiers.getByCode(code);
        if (!d) return [];
        const receipt = await forms.load(d, 'receipt', clock.localNow());
        return [
          {
            name: `${code}-giay-tiep-nhan.pdf`,
            sha256: receipt.sha256,
            base64: Buffer.from(receipt.bytes).toString('base64'),
          },
        ];
      },
      // Mirrored in the store so `motcua-desk sync status` (another process) can show it.
      onBreakerChange: (target, snap) => {
        try {
          store.syncState.saveHealth({
            remote: target,
            breakerState: snap.state,
            openedAt: snap.openedAt,
            retryAt: snap.retryAt,
            lastError: snap.lastError,
            updatedAt: clock.now(),
          });
        } catch (err) {
          log.log('warn', 'sync.breaker-save-failed', { error: String(err) });
        }
      },
    },
    {
      ...(config.sync.maxAttempts !== undefined ? { maxAttempts: config.sync.maxAttempts } : {}),
      ...(config.sync.baseDelayMs !== undefined ? { baseDelayMs: config.sync.baseDelayMs } : {}),
      ...(config.sync.maxDelayMs !== undefined ? { maxDelayMs: config.sync.maxDelayMs } : {}),
      breaker: {
        ...(config.sync.breakerFailures !== undefined ? { failureThreshold: config.sync.breakerFailures } : {}),
        ...(config.sync.breakerOpenMs !== undefined ? { openMs: config.sync.breakerOpenMs } : {}),
      },
    },
  );
  const nudgeSender = (): void => sender.nudge();
  // Return of results: result files announced with status 9 are fetched, checked and filed by the pull.
  const results = new ResultsRepository(store.db);
  const resultIntake = new ResultIntake({
    store,
    results,
    provincial: remotes.provincial,
    clock,
    log: log.child('results'),
    events,
    desk: { agencyId: config.agency.id, agencyName: config.agency.name },
    ...(remotes.transfer ? { download: { transfer: remotes.transfer, dir: join(deps.dataDir, 'downloads') } } : {}),
  });
  const statusPuller = new StatusPuller({
    store,
    provincial: remotes.provincial,
    clock,
    log: log.child('status-pull'),
    events,
    hooks: resultIntake,
  });
  const sync = new SyncService({ store, clock, breakers: () => sender.breakerStates(), nudge: nudgeSender });
  const reference = new ReferencePuller({
    store,
    national: remotes.national,
    provincial: remotes.provincial,
    clock,
    log: log.child('reference'),
  });
  // Queue: services and counters from the config (training: the seed matching the catalogue).
  const queueConfig =
    config.queue ?? (trainingMode ? trainingQueueConfig(resourcesDir()) : defaultQueueConfig(config.counter));
  const ticketPrinterSetting = ticketPrinterConfig(queueConfig, trainingMode);
  const ticketPrinter = ticketPrinterSetting
    ? createTicketPrinter(trainingMode ? 'training' : 'production', ticketPrinterSetting)
    : null;
  const queue = new QueueService({
    store,
    clock,
    log: log.child('queue'),
    events,
    setup: toSetup(queueConfig, config.counter.id),
    printer: ticketPrinter,
    agency,
  });
  queue.configure();
  const deskQueue = deps.centre?.queue ?? localDeskQueue(queue, (id) => store.queue.get(id));
  const intake = new IntakeService({
    store,
    clock,
    log: log.child('intake'),
    events,
    applicants,
    codes,
    forms,
    workingTime,
    printer: drivers.documentPrinter,
    agencyId: config.agency.id,
    agencyName: config.agency.name,
    onOutbox: nudgeSender,
    tickets: deskQueue,
  });
  // OCR workers start on the first page and are shared by every batch.
  const ocrPool = createOcrPool();
  const digitise = new DigitiseStation({
    store,
    pipelines: stationPipelines(ocrPool),
    scanners: drivers.scanners,
    clock,
    log: log.child('digitise'),
    events,
    agency,
    defaultProfile: config.scanners.defaultProfile,
    onOutbox: nudgeSender,
  });
  const returns = new ReturnsService({
    store,
    results,
    intake: resultIntake,
    clock,
    log: log.child('returns'),
    events,
    workingTime,
    printer: drivers.documentPrinter,
    desk,
    onOutbox: nudgeSender,
  });
  const signing = createSigning({
    config,
    trainingMode,
    store,
    clock,
    log: log.child('signing'),
    dataDir: deps.dataDir,
    onProgress: (progress) => events.publish('signing.progress', progress),
  });

  return {
    accounts,
    applicants,
    codes,
    workingTime,
    sender,
    resultIntake,
    statusPuller,
    sync,
    reference,
    ticketPrinter,
    queue,
    deskQueue,
    intake,
    digitise,
    returns,
    signing: signing.signing,
    async close() {
      await signing.close();
      await digitise.close();
      await ocrPool.close();
      await ticketPrinter?.close();
    },
  };
}

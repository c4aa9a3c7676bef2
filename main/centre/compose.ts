import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createTicketPrinter, type TicketPrinter } from '../../drivers';
import { systemClock, type Clock } from '../kernel/clock';
import { silentLogger, type Logger } from '../kernel/logger';
import { packageVersion, repoRoot } from '../kernel/resources';
import { centrePaths, externalDatabaseUrl, maskDatabaseUrl, type CentreConfig } from './centre-config';
import { ensureCentreIdentity, takeAgencyLock, type AgencyLock, type CentreIdentityRow } from './centre-identity';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './database/embedded-postgres';
import { migrateCentre } from './database/migrate';
import { openCentreDb, type CentreDb, type Unlisten } from './database/sql';
import { DossierNumberLeases } from './numbers/dossier-numbers';
import { CentreQueueService } from './queue/centre-queue.service';
import { startQueueFeed, type QueueFeed } from './queue/queue-feed';
import { ReplicationIngest } from './replication/ingest';
import type { AuthenticatedDevice } from './security/device';
import { DEVICE_CHANNEL, DeviceRegistry } from './security/device-registry';
import { loadCentreTls } from './security/tls-files';
import { createDeskApi } from './server/desk-api';
import { createDeskFeed } from './server/desk-feed';
import { createDeviceRpc } from './server/device-rpc';
import { startCentreServer, type CentreServer } from './server/https-server';
import { createPairingHandler } from './server/pairing-page';
import type { AttemptLimiter } from './server/rate-limit';

/**
 * The centre's composition root (docs/architecture.md, "Centre"). Order of start: database
 * (embedded or `database.url`), migrations, identity (a database of another agency is refused),
 * the agency lock (a second centre for the agency is refused), TLS files, services, the queue's
 * configuration, the feed, the HTTPS server, the revocation listener. `close()` stops them in
 * reverse order, the embedded PostgreSQL last. A failed start undoes what it had started.
 */
export interface CreateCentreOptions {
  centreDir: string;
  config: CentreConfig;
  clock?: Clock;
  log?: Logger;
  /** Training: simulated kiosk printers whatever `devices.mode` says. */
  training?: boolean;
  /** Overrides the database (tests: a fresh database of the test server). */
  databaseUrl?: string;
  /** Overrides `listen.port` (tests: 0 = any free port). */
  port?: number;
  /** The built renderer for browser devices; default `out/renderer` when it exists. */
  rendererDir?: string | null;
  env?: NodeJS.ProcessEnv;
  /** Pairing attempts per address (tests loosen it); default 5 refused / 30 in all per minute. */
  limiter?: AttemptLimiter;
  /** Called when the centre must stop on its own (the agency lock was taken elsewhere). */
  onFatal?: (err: Error) => void;
}

export interface Centre {
  url: string;
  port: number;
  identity: CentreIdentityRow;
  db: CentreDb;
  registry: DeviceRegistry;
  queue: CentreQueueService;
  feed: QueueFeed;
  numbers: DossierNumberLeases;
  ingest: ReplicationIngest;
  server: CentreServer;
  close(): Promise<void>;
}

export function defaultRendererDir(): string | null {
  const dir = join(repoRoot(), 'out', 'renderer');
  return existsSync(join(dir, 'index.html')) ? dir : null;
}

export async function createCentre(opts: CreateCentreOptions): Promise<Centre> {
  const { config, centreDir } = opts;
  const log = opts.log ?? silentLogger;
  const clock = opts.clock ?? systemClock;
  const paths = centrePaths(centreDir);
  const training = opts.training ?? config.devices.mode === 'training';
  // What has been started, stopped in reverse order by close() or by a failed start.
  const undo: { name: string; run: () => Promise<void> | void }[] = [];
  const stopAll = async (): Promise<void> => {
    while (undo.length) {
      const step = undo.pop()!;
      try {
        await step.run();
      } catch (err) {
        log.log('warn', 'centre.stop-step-failed', { step: step.name, error: errorText(err) });
      }
    }
  };

  try {
    let url = opts.databaseUrl ?? externalDatabaseUrl(config, opts.env);
    let embedded: EmbeddedPostgres | null = null;
    if (!url) {
      embedded = await startEmbeddedPostgres({
        clusterDir: paths.postgres,
        passwordFile: paths.postgresPassword,
        port: config.database.embeddedPort,
        log: log.child('postgres'),
      });
      const stop = embedded.stop.bind(embedded);
      undo.push({ name: 'postgres', run: stop });
      url = embedded.url();
    }
    log.log('info', 'centre.database', { url: maskDatabaseUrl(url), embedded: embedded !== null });

    const db = openCentreDb({ url, log: log.child('db') });
    undo.push({ name: 'db', run: () => db.close() });
    await migrateCentre(db, { log });
    const identity = await ensureCentreIdentity(db, config.agency);

    let fatal: Error | null = null;
    const lock: AgencyLock = await takeAgencyLock({
      db,
      agencyId: identity.agencyId,
      log,
      onLost: (err) => {
        fatal = err;
        opts.onFatal?.(err);
      },
    });
    undo.push({ name: 'agency-lock', run: () => lock.close() });

    const tls = loadCentreTls(paths.tls);
    const registry = new DeviceRegistry({
      db,
      clock,
      log: log.child('devices'),
      ca: { certPem: tls.caPem, keyPem: tls.caKeyPem },
      agencyId: identity.agencyId,
    });

    const printers = new Map<string, TicketPrinter>();
    undo.push({
      name: 'printers',
      run: async () => {
        await Promise.all([...printers.values()].map((p) => p.close().catch(() => undefined)));
        printers.clear();
      },
    });
    const printerFor = (kiosk: AuthenticatedDevice | null): TicketPrinter | null => {
      if (!kiosk || (!kiosk.printer && !training)) return null;
      let printer = printers.get(kiosk.id);
      if (!printer) {
        printer =
          training || !kiosk.printer
            ? createTicketPrinter('training', { kind: 'simulated', paper: config.devices.paper })
            : createTicketPrinter('production', { kind: 'escpos', target: kiosk.printer, paper: config.devices.paper });
        printers.set(kiosk.id, printer);
      }
      return printer;
    };

    const agency = { id: identity.agencyId, name: identity.agencyName };
    const queue = new CentreQueueService({
      db,
      clock,
      log: log.child('queue'),
      setup: { services: config.queue.services, counters: config.queue.counters, priority: config.queue.priority },
      agency,
      printerFor,
    });
    await queue.configure();
    const feed = await startQueueFeed({ db, queue, log: log.child('feed') });
    undo.push({ name: 'feed', run: () => feed.close() });

    const numbers = new DossierNumberLeases({
      db,
      clock,
      log: log.child('numbers'),
      blockSize: config.numbers.blockSize,
    });
    const ingest = new ReplicationIngest({ db, clock, log: log.child('replication') });

    const version = packageVersion();
    const deskFeed = createDeskFeed({ feed, log: log.child('desk-feed') });
    undo.push({ name: 'desk-feed', run: () => deskFeed.close() });
    const deviceRpc = createDeviceRpc({
      queue,
      feed,
      log: log.child('device-rpc'),
      info: () => ({ version, trainingMode: training, agencyId: agency.id, agencyName: agency.name }),
    });
    undo.push({ name: 'device-rpc', run: () => deviceRpc.close() });

    const server = await startCentreServer({
      tls: { keyPem: tls.serverKeyPem, certPem: tls.serverCertPem, caPem: tls.caPem },
      listen: { address: config.listen.address, port: opts.port ?? config.listen.port },
      registry,
      clock,
      log: log.child('server'),
      deskApi: createDeskApi({
        identity: { centreId: identity.centreId, agencyId: agency.id, agencyName: agency.name, version },
        registry,
        queue,
        numbers,
        ingest,
        clock,
        log: log.child('desk-api'),
      }),
      deskFeed,
      deviceRpc,
      handlePairing: createPairingHandler({ registry, log: log.child('pairing'), secureCookie: true }),
      rendererDir: opts.rendererDir === undefined ? defaultRendererDir() : opts.rendererDir,
      ...(opts.limiter ? { limiter: opts.limiter } : {}),
    });
    undo.push({ name: 'server', run: () => server.close() });

    // A revoked device loses its open sockets at once; after a lost LISTEN, every connected one is checked.
    const unlisten: Unlisten = await db.listen(
      DEVICE_CHANNEL,
      (payload) => {
        const id = revokedId(payload);
        if (id) {
          log.log('info', 'centre.device.revoked', { device: id });
          server.closeDevice(id);
        }
      },
      () => {
        registry.list().then(
          (devices) => devices.filter((d) => d.revokedAt).forEach((d) => server.closeDevice(d.id)),
          (err: unknown) => log.log('warn', 'centre.device.recheck-failed', { error: errorText(err) }),
        );
      },
    );
    undo.push({ name: 'device-listen', run: () => unlisten() });

    if (fatal) throw fatal;
    log.log('info', 'centre.started', { url: server.url, agency: agency.id, training });
    let closing: Promise<void> | null = null;
    return {
      url: server.url,
      port: server.port,
      identity,
      db,
      registry,
      queue,
      feed,
      numbers,
      ingest,
      server,
      close() {
        closing ??= stopAll().then(() => log.log('info', 'centre.stopped', {}));
        return closing;
      },
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

function revokedId(payload: string): string | null {
  try {
    const parsed = JSON.parse(payload) as { revoked?: unknown };
    return typeof parsed.revoked === 'string' ? parsed.revoked : null;
  } catch {
    return null;
  }
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

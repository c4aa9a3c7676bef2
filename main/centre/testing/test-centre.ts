import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { resourcesDir } from '../../kernel/resources';
import { trainingQueueConfig } from '../../queue/queue-config';
import { centrePaths, writeCentreConfig, type CentreConfig, type CentreConfigInput } from '../centre-config';
import { createCentre, type Centre } from '../compose';
import type { TestPostgres } from '../database/testing/test-postgres';
import type { DeviceKind } from '../security/device';
import { createAttemptLimiter, type AttemptLimiter } from '../server/rate-limit';
import { initCentreTls, type CentreTls } from '../security/tls-files';
import { enrolTestDesk, TestDeskClient } from './desk-client';

/**
 * A whole centre for tests: a temporary centre folder (config, TLS files for 127.0.0.1 and
 * localhost), a fresh database on the test PostgreSQL, the HTTPS server on a free port of
 * 127.0.0.1, the training queue (`resources/seed/queue.json`: counters Q01-Q03).
 */
export interface TestCentre extends Centre {
  centreDir: string;
  config: CentreConfig;
  tls: CentreTls;
  databaseUrl: string;
  /** A pairing code made by IT (`centre enrol`). */
  pairingCode(p: {
    kind: DeviceKind;
    name: string;
    counter?: string | null;
    printer?: string | null;
    ttlMinutes?: number;
  }): Promise<string>;
  /** A desk enrolled through the API, ready for mutual-TLS calls. */
  enrolDesk(p: { name: string; counter?: string | null }): Promise<{ client: TestDeskClient; deviceId: string }>;
  /** A client without a certificate (not enrolled). */
  anonymous(): TestDeskClient;
  /** Closes the centre and removes its folder. */
  stop(): Promise<void>;
}

export function testCentreConfig(overrides: Partial<CentreConfigInput> = {}): CentreConfigInput {
  return {
    agency: { id: '000.00.12.H56', name: 'UBND xã Thử Nghiệm' },
    listen: { address: '127.0.0.1', port: 8443 },
    hosts: ['127.0.0.1', 'localhost'],
    queue: trainingQueueConfig(resourcesDir()),
    devices: { mode: 'training', paper: 80 },
    ...overrides,
  };
}

export async function startTestCentre(
  pg: TestPostgres,
  opts: {
    config?: Partial<CentreConfigInput>;
    clock?: Clock;
    log?: Logger;
    databaseUrl?: string;
    centreDir?: string;
    /** The built renderer to serve to browser devices (end-to-end tests); default none. */
    rendererDir?: string | null;
    /** Pairing attempts per address; default loose enough for a test file's many enrolments. */
    limiter?: AttemptLimiter;
  } = {},
): Promise<TestCentre> {
  const centreDir = opts.centreDir ?? mkdtempSync(join(tmpdir(), 'motcua-test-centre-'));
  const config = writeCentreConfig(centreDir, testCentreConfig(opts.config));
  const tls = await initCentreTls(centrePaths(centreDir).tls, {
    hosts: config.hosts,
    commonName: `${config.agency.name} CA`,
    force: true,
  });
  const databaseUrl = opts.databaseUrl ?? (await pg.freshDatabase());
  const centre = await createCentre({
    centreDir,
    config,
    databaseUrl,
    // Any free port of 127.0.0.1 (the file says 8443, as a real one would).
    port: 0,
    rendererDir: opts.rendererDir ?? null,
    limiter: opts.limiter ?? createAttemptLimiter({ maxFailures: 1000, maxAttempts: 1000 }),
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.log ? { log: opts.log } : {}),
  });
  return Object.assign(centre, {
    centreDir,
    config,
    tls,
    databaseUrl,
    async pairingCode(p: {
      kind: DeviceKind;
      name: string;
      counter?: string | null;
      printer?: string | null;
      ttlMinutes?: number;
    }) {
      const made = await centre.registry.createPairingCode({ ...p, actor: 'it' });
      return made.code;
    },
    async enrolDesk(p: { name: string; counter?: string | null }) {
      const code = await centre.registry.createPairingCode({
        kind: 'desk',
        name: p.name,
        counter: p.counter === undefined ? 'Q01' : p.counter,
        actor: 'it',
      });
      const { client, answer } = await enrolTestDesk(centre.url, tls.caPem, code.code);
      return { client, deviceId: (answer.body.device as { id: string }).id };
    },
    anonymous() {
      return new TestDeskClient({ url: centre.url, caPem: tls.caPem });
    },
    async stop() {
      await centre.close();
      if (!opts.centreDir) rmSync(centreDir, { recursive: true, force: true });
    },
  });
}

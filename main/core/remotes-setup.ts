import { join } from 'node:path';
import { AppError } from '../../common/contract';
import type { Logger } from '../kernel/logger';
import { createNationalPortalClient } from '../remotes/national-portal/national-portal.client';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from '../remotes/national-portal/national-portal.simulator';
import { toWireProcedure } from '../remotes/national-portal/wire-format';
import { createFileTransfer } from '../remotes/provincial/file-transfer';
import type { FileTransfer } from '../remotes/provincial/file-transfer.port';
import { clientCredentialsToken } from '../remotes/provincial/oauth-token';
import { createProvincialClient } from '../remotes/provincial/provincial.client';
import type { ProvincialSystem } from '../remotes/provincial/provincial.port';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from '../remotes/provincial/provincial.simulator';
import type { Config } from './config';
import { seedProcedures } from './training-seed';

/** The two remote systems the desk talks to, as the services see them. */
export interface Remotes {
  national: NationalPortal;
  provincial: ProvincialSystem;
  /** Chunked, resumable hand-off files and result downloads; null when tests pass remotes without it. */
  transfer: FileTransfer | null;
  /** The training twins, when the desk runs them. */
  simulators: { national: NationalPortalSimulator; provincial: ProvincialSimulator } | null;
  /** Stops the training twins (nothing else holds resources). */
  close(): Promise<void>;
}

/**
 * The remotes of this desk: the ones a test passes (`given`); in training mode the two twins,
 * started here with their state kept in the data folder; otherwise the configured systems, with
 * their secrets read from the environment variables the configuration names.
 */
export async function createRemotes(opts: {
  config: Config;
  trainingMode: boolean;
  dataDir: string;
  log: Logger;
  /** Admin token of the twins' `/__sim/*`; default a random one. */
  simulatorToken?: string | undefined;
  given?: { national: NationalPortal; provincial: ProvincialSystem; transfer?: FileTransfer } | undefined;
}): Promise<Remotes> {
  if (opts.given) return { transfer: null, ...opts.given, simulators: null, close: () => Promise.resolve() };
  return opts.trainingMode
    ? trainingRemotes(opts.config, opts.dataDir, opts.simulatorToken)
    : configuredRemotes(opts.config, opts.log);
}

async function trainingRemotes(config: Config, dataDir: string, simulatorToken: string | undefined): Promise<Remotes> {
  // The twin publishes the seed catalogue, so the training desk's catalogue pull changes nothing.
  const procedures = seedProcedures().map((p) => toWireProcedure(p, { updatedAt: `${p.effectiveFrom}T00:00` }));
  // What the twins must not forget across restarts (lease counters, issued ids) lives in the data folder.
  const simDir = join(dataDir, 'simulators');
  const token = simulatorToken ? { adminToken: simulatorToken } : {};
  const national = await startNationalPortalSimulator({
    users: [{ ...TRAINING_NATIONAL_USER }],
    dstcode: TRAINING_DSTCODE,
    procedures,
    stateFile: join(simDir, 'national.sqlite'),
    ...token,
  });
  const provincial = await startProvincialSimulator({
    clients: [{ ...TRAINING_PROVINCIAL_CLIENT }],
    stateFile: join(simDir, 'provincial.sqlite'),
    ...token,
  });
  return {
    national: createNationalPortalClient({
      baseUrl: national.url,
      ...TRAINING_NATIONAL_USER,
      dstcode: TRAINING_DSTCODE,
      agencyCode: config.agency.id,
      timeoutMs: 5000,
    }),
    provincial: createProvincialClient({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 5000 }),
    transfer: createFileTransfer({
      baseUrl: provincial.url,
      token: clientCredentialsToken({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 5000 }),
      timeoutMs: 5000,
    }),
    simulators: { national, provincial },
    async close() {
      await national.close();
      await provincial.close();
    },
  };
}

function configuredRemotes(config: Config, log: Logger): Remotes {
  const n = config.remotes.national;
  const p = config.remotes.provincial;
  if (!n || !p) {
    throw new AppError(
      'CONFIG_INVALID',
      `Cấu hình không hợp lệ: remotes.${n ? 'provincial' : 'national'}: cần khai báo cả hai hệ thống khi không ở chế độ đào tạo`,
      { fields: [`remotes.${n ? 'provincial' : 'national'}`] },
    );
  }
  const password = secretFromEnv(n.passwordEnv, 'remotes.national.passwordEnv');
  const secret = secretFromEnv(p.clientSecretEnv, 'remotes.provincial.clientSecretEnv');
  return {
    national: createNationalPortalClient({
      baseUrl: n.baseUrl,
      username: n.username,
      password,
      dstcode: n.dstcode,
      agencyCode: config.agency.id,
      log: log.child('national'),
    }),
    provincial: createProvincialClient({
      baseUrl: p.baseUrl,
      clientId: p.clientId,
      clientSecret: secret,
      log: log.child('provincial'),
    }),
    transfer: createFileTransfer({
      baseUrl: p.baseUrl,
      token: clientCredentialsToken({ baseUrl: p.baseUrl, clientId: p.clientId, clientSecret: secret }),
      log: log.child('provincial'),
    }),
    simulators: null,
    close: () => Promise.resolve(),
  };
}

/** A secret the configuration names by its environment variable; CONFIG_INVALID when it is not set. */
export function secretFromEnv(name: string, field: string): string {
  const value = process.env[name];
  if (!value)
    throw new AppError('CONFIG_INVALID', `Cấu hình không hợp lệ: ${field}: biến môi trường ${name} chưa được đặt`, {
      fields: [field],
    });
  return value;
}

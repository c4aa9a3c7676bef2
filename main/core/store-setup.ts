import type { Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import { AuditAnchor, defaultCheckpointDir } from '../store/audit-checkpoint';
import { keyStoreFor } from '../store/key-store';
import type { ScryptCost } from '../store/password';
import { openStore, type Store } from '../store/store';
import type { Config } from './config';

/**
 * The store with its keys. One key store outside the data folder: the audit chain's key and its
 * checkpoints beside it (docs/operations.md, "Audit chain"), the store encrypted with its
 * `database` key ("Data at rest"). Blobs written before encryption are sealed in the background,
 * audit checkpoints are written in the background, and the decoy password hash is made now.
 */
export function openCoreStore(opts: {
  dataDir: string;
  config: Config;
  clock: Clock;
  log: Logger;
  passwordCost?: ScryptCost | undefined;
}): { store: Store; decoyReady: Promise<unknown>; close(): Promise<void> } {
  const { config, clock, log } = opts;
  const keys = keyStoreFor();
  const auditKey = keys.obtain('audit');
  const auditCheckpointDir = config.audit?.checkpointDir ?? defaultCheckpointDir(keys.location);
  const store = openStore({
    dataDir: opts.dataDir,
    keyStore: keys,
    ...(opts.passwordCost ? { passwordCost: opts.passwordCost } : {}),
    audit: { key: auditKey, checkpointDir: auditCheckpointDir },
  });
  if (store.encryption.migrated)
    log.log('info', 'store.encrypted', { ...store.encryption.migrated, keyStore: keys.kind, keyDir: keys.location });
  // Blobs written before encryption are sealed in place in the background; close() stops it between two files.
  const stopSealing = new AbortController();
  const blobSealing = store.blobs.sealExisting(stopSealing.signal).then(
    (sealed) => {
      if (sealed.sealed || sealed.skipped.length)
        log.log('info', 'blobs.sealed', { sealed: sealed.sealed, skipped: sealed.skipped.length });
    },
    (error: unknown) =>
      log.log('warn', 'blobs.seal-failed', { error: error instanceof Error ? error.message : String(error) }),
  );
  if (!store.audit.keyMatches()) log.log('error', 'audit.key-replaced', { keyDir: keys.location });
  const auditAnchor = new AuditAnchor({
    audit: store.audit,
    key: auditKey,
    dir: auditCheckpointDir,
    deskId: `${config.agency.id}/${config.counter.id}`,
    clock,
    onError: (error) =>
      log.log('warn', 'audit.checkpoint-failed', {
        dir: auditCheckpointDir,
        error: error instanceof Error ? error.message : String(error),
      }),
  });
  // Not awaited: a slow or offline checkpoint folder (a network share) must not hold up the desk.
  void auditAnchor.start();
  // The decoy hash for names that are no account, made now (off the event loop), not on the first such name.
  const decoyReady = store.accounts.passwords.prepareDecoy();
  return {
    store,
    decoyReady,
    /** The audit checkpoint, then the blob sealing (stopped between two files), then the store. */
    async close() {
      await auditAnchor.close();
      stopSealing.abort();
      await blobSealing;
      store.close();
    },
  };
}

import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AccountsRepository } from './accounts.repository';
import { checkAnchors, type AnchorCheck } from './audit-checkpoint';
import { AuditRepository, type ChainCheck } from './audit.repository';
import { BatchesRepository } from './batches.repository';
import { blobKeyFrom } from './blob-encryption';
import { BlobStore, type BlobCheck } from './blob-store';
import { CalendarRepository } from './calendar.repository';
import { CatalogueRepository } from './catalogue.repository';
import { PRIVATE_DIR_MODE } from '../kernel/file-modes';
import { openDatabase } from './database';
import type { Db } from './db';
import { DocumentsRepository } from './documents.repository';
import { DossiersRepository } from './dossiers.repository';
import { keyStoreFor, type KeyStore } from './key-store';
import { OutboxRepository } from './outbox.repository';
import { PeopleRepository } from './people.repository';
import { PasswordHasher, type ScryptCost } from './password';
import { QueueRepository } from './queue.repository';
import { ReferenceDataRepository } from './reference-data.repository';
import { SequenceRepository } from './sequence.repository';
import { SettingsRepository } from './settings.repository';
import { CIPHER, databaseFileState, databaseKeyFor } from './store-encryption';
import type { EncryptionReport } from './store-migration';
import { SyncStateRepository } from './sync-state.repository';

export const DATABASE_FILE = 'motcua.sqlite';
export const BLOB_DIR = 'blobs';

export interface IntegrityReport {
  /** `['ok']` when SQLite finds nothing wrong. */
  database: string[];
  audit: ChainCheck;
  /** The chain against its checkpoints outside the data folder; null when no checkpoint folder was given. */
  auditAnchors: AnchorCheck | null;
  blobs: BlobCheck;
}

export interface Store {
  readonly db: Db;
  readonly accounts: AccountsRepository;
  readonly people: PeopleRepository;
  readonly catalogue: CatalogueRepository;
  readonly documents: DocumentsRepository;
  readonly dossiers: DossiersRepository;
  readonly sequences: SequenceRepository;
  readonly outbox: OutboxRepository;
  readonly audit: AuditRepository;
  readonly calendar: CalendarRepository;
  readonly queue: QueueRepository;
  readonly settings: SettingsRepository;
  /** Pull cursors, remote statuses per dossier, circuit breakers (the sync engine's state). */
  readonly syncState: SyncStateRepository;
  /** Procedure changes with their effective dates, agencies, sectors, administrative units (migration 0007). */
  readonly referenceData: ReferenceDataRepository;
  /** Digitisation batches in progress (survive a restart). */
  readonly batches: BatchesRepository;
  readonly blobs: BlobStore;
  /**
   * Whether the database file is encrypted, and whether this open encrypted it (docs/operations.md, "Data at rest").
   */
  readonly encryption: StoreEncryption;
  /**
   * Runs `fn` in one SQLite transaction (nested calls become savepoints): a dossier, its outbox
   * rows and its audit entry commit together or not at all. `fn` must be synchronous.
   */
  transaction<T>(fn: () => T): T;
  /** Every blob hash the database refers to. */
  referencedBlobs(): string[];
  /** SQLite integrity check, audit chain and blob re-hash (slow: reads every blob). */
  checkIntegrity(): Promise<IntegrityReport>;
  close(): void;
}

/**
 * The audit chain's key and checkpoint folder (docs/architecture.md, "Audit chain: keyed and
 * anchored"). `key: null` means the key is missing: the store opens, appends are refused and the
 * chain is reported unverifiable. Absent (the command line, tests): the `audit` key of the default
 * key store, created on first use only while the chain has not been sealed with a key; once it has,
 * a missing key stays missing (a new key would only make the chain unverifiable).
 */
export interface StoreAuditOptions {
  key: Buffer | null;
  /** Where `checkIntegrity` looks for the chain's checkpoints. */
  checkpointDir?: string;
}

export interface StoreEncryption {
  encrypted: boolean;
  /** Set when this open found the store unencrypted and encrypted it. */
  migrated: EncryptionReport | null;
}

/**
 * Opens the desk's data directory: `<dataDir>/motcua.sqlite` and `<dataDir>/blobs`.
 * `keyStore`: where the `database` key lives. The desk (core and command line) always passes one
 * (`keyStoreFor()`), so its store is encrypted and an older unencrypted store is encrypted on
 * this open. `null`: plain SQLite only. Absent (tests, benches): a new or unencrypted store stays
 * plain, an encrypted one is opened with the desk's own key store (its key is never created here).
 */
export function openStore(options: {
  dataDir: string;
  passwordCost?: ScryptCost;
  audit?: StoreAuditOptions;
  keyStore?: KeyStore | null;
}): Store {
  mkdirSync(options.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const dbFile = path.join(options.dataDir, DATABASE_FILE);
  const keyStore =
    options.keyStore !== undefined
      ? options.keyStore
      : databaseFileState(dbFile) === 'encrypted'
        ? keyStoreFor()
        : null;
  let migrated: EncryptionReport | null = null;
  const databaseKey = keyStore ? databaseKeyFor(dbFile, keyStore) : null;
  const db = openDatabase(dbFile, databaseKey, {
    onEncrypted: (report) => {
      migrated = report;
    },
  });
  const outbox = new OutboxRepository(db);
  const auditKey = options.audit ? options.audit.key : defaultAuditKey(db);
  const audit = new AuditRepository(db, { key: auditKey });
  if (migrated) {
    // Counts only: the trail says when the store was encrypted, never what it holds.
    const { tables, rows } = migrated;
    try {
      audit.append({
        at: new Date().toISOString(),
        actor: 'system',
        action: 'store.encrypt',
        entity: 'store',
        entityId: DATABASE_FILE,
        details: { cipher: CIPHER, tables, rows },
      });
    } catch {
      /* no audit key: the store opens all the same, and doctor reports the key */
    }
  }
  const blobs = new BlobStore(path.join(options.dataDir, BLOB_DIR), databaseKey ? blobKeyFrom(databaseKey) : null);
  const referenced = db
    .prepare<[], string>(
      `
    SELECT blob_sha256 FROM documents WHERE blob_sha256 IS NOT NULL
    UNION SELECT blob_sha256 FROM dossier_documents
    UNION SELECT original_blob_sha256 FROM document_pages
    UNION SELECT original_blob_sha256 FROM digitise_batch_pages
    UNION SELECT processed_blob_sha256 FROM digitise_batch_pages WHERE processed_blob_sha256 IS NOT NULL
    UNION SELECT thumbnail_blob_sha256 FROM digitise_batch_pages WHERE thumbnail_blob_sha256 IS NOT NULL`,
    )
    .pluck();

  return {
    db,
    accounts: new AccountsRepository(
      db,
      new PasswordHasher(options.passwordCost ? { cost: options.passwordCost } : {}),
    ),
    people: new PeopleRepository(db),
    catalogue: new CatalogueRepository(db),
    documents: new DocumentsRepository(db),
    dossiers: new DossiersRepository(db, outbox),
    sequences: new SequenceRepository(db),
    outbox,
    audit,
    calendar: new CalendarRepository(db),
    queue: new QueueRepository(db),
    settings: new SettingsRepository(db),
    syncState: new SyncStateRepository(db),
    referenceData: new ReferenceDataRepository(db),
    batches: new BatchesRepository(db),
    blobs,
    encryption: { encrypted: keyStore !== null, migrated },
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    referencedBlobs(): string[] {
      return referenced.all();
    },
    async checkIntegrity(): Promise<IntegrityReport> {
      const database = db.prepare<[], string>('PRAGMA integrity_check').pluck().all();
      const checkpointDir = options.audit?.checkpointDir;
      const auditAnchors = checkpointDir ? checkAnchors(audit, checkpointDir, auditKey) : null;
      return { database, audit: audit.verifyChain(), auditAnchors, blobs: await blobs.verifyAll(referenced.all()) };
    },
    close(): void {
      if (db.open) db.close();
    },
  };
}

/** The default key store's `audit` key; created only for a chain not yet sealed with a key (see StoreAuditOptions). */
function defaultAuditKey(db: Db): Buffer | null {
  const keys = keyStoreFor();
  const existing = keys.read('audit');
  if (existing) return existing;
  const sealed =
    db.prepare<[], number>('SELECT count(*) FROM audit_chain_start WHERE seal IS NOT NULL').pluck().get() ?? 0;
  return sealed > 0 ? null : keys.obtain('audit');
}

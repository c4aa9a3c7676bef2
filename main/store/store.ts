import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { AccountsRepository } from './accounts.repository';
import { AuditRepository, type ChainCheck } from './audit.repository';
import { BatchesRepository } from './batches.repository';
import { BlobStore, type BlobCheck } from './blob-store';
import { CalendarRepository } from './calendar.repository';
import { CatalogueRepository } from './catalogue.repository';
import { PRIVATE_DIR_MODE } from './data-dir-permissions';
import { openDatabase, type Db } from './database';
import { DocumentsRepository } from './documents.repository';
import { DossiersRepository } from './dossiers.repository';
import { OutboxRepository } from './outbox.repository';
import { PeopleRepository } from './people.repository';
import { QueueRepository } from './queue.repository';
import { ReferenceDataRepository } from './reference-data.repository';
import { SequenceRepository } from './sequence.repository';
import { SettingsRepository } from './settings.repository';
import { SyncStateRepository } from './sync-state.repository';

export const DATABASE_FILE = 'motcua.sqlite';
export const BLOB_DIR = 'blobs';

export interface IntegrityReport {
  /** `['ok']` when SQLite finds nothing wrong. */
  database: string[];
  audit: ChainCheck;
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

/** Opens the desk's data directory: `<dataDir>/motcua.sqlite` and `<dataDir>/blobs`. */
export function openStore(options: { dataDir: string }): Store {
  mkdirSync(options.dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const db = openDatabase(path.join(options.dataDir, DATABASE_FILE));
  const outbox = new OutboxRepository(db);
  const audit = new AuditRepository(db);
  const blobs = new BlobStore(path.join(options.dataDir, BLOB_DIR));
  const referenced = db.prepare<[], string>(`
    SELECT blob_sha256 FROM documents WHERE blob_sha256 IS NOT NULL
    UNION SELECT blob_sha256 FROM dossier_documents
    UNION SELECT original_blob_sha256 FROM document_pages
    UNION SELECT original_blob_sha256 FROM digitise_batch_pages
    UNION SELECT processed_blob_sha256 FROM digitise_batch_pages WHERE processed_blob_sha256 IS NOT NULL
    UNION SELECT thumbnail_blob_sha256 FROM digitise_batch_pages WHERE thumbnail_blob_sha256 IS NOT NULL`).pluck();

  return {
    db,
    accounts: new AccountsRepository(db),
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
    transaction<T>(fn: () => T): T {
      return db.transaction(fn).immediate();
    },
    referencedBlobs(): string[] {
      return referenced.all();
    },
    async checkIntegrity(): Promise<IntegrityReport> {
      const database = db.prepare<[], string>('PRAGMA integrity_check').pluck().all();
      return { database, audit: audit.verifyChain(), blobs: await blobs.verifyAll(referenced.all()) };
    },
    close(): void {
      if (db.open) db.close();
    },
  };
}

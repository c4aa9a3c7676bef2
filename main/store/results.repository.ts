import type { Db } from './db';

/** A result document the provincial system announced for a dossier (migration 0006). */
export interface DossierResult {
  id: number;
  dossierCode: string;
  remoteId: string;
  fileName: string;
  expectedSha256: string;
  sizeBytes: number;
  documentCode: string;
  documentName: string;
  number: string | null;
  url: string | null;
  state: 'pending' | 'stored';
  attempts: number;
  lastErrorCode: string | null;
  blobSha256: string | null;
  /** Row id in `documents` once filed in the owner's document store. */
  documentId: number | null;
  announcedAt: number;
  storedAt: number | null;
}

/** What the status feed announced: the result row before any download. */
export type NewDossierResult = Pick<
  DossierResult,
  | 'dossierCode'
  | 'remoteId'
  | 'fileName'
  | 'expectedSha256'
  | 'sizeBytes'
  | 'documentCode'
  | 'documentName'
  | 'number'
  | 'url'
  | 'announcedAt'
>;

export interface ResultDocument {
  ownerIdNumber: string;
  ownerName: string;
  documentCode: string;
  documentName: string;
  number: string | null;
  issuer: string | null;
  /** `YYYY-MM-DD`. */
  issuedOn: string | null;
  blobSha256: string;
  dossierCode: string;
  procedureCode: string;
  sectorCode: string | null;
  sizeBytes: number;
  summary: string;
}

export type CollectorKind = 'applicant' | 'authorised';

export interface DossierReturn {
  dossierCode: string;
  returnedAt: string;
  officer: string;
  collectorKind: CollectorKind;
  collectorName: string;
  collectorIdNumber: string | null;
  authorisation: string | null;
  delivery: 'desk' | 'post';
  trackingNumber: string | null;
  note: string;
}

export interface DelayLetter {
  id: number;
  dossierCode: string;
  issuedAt: string;
  previousAppointmentAt: string;
  newAppointmentAt: string;
  extensionDays: number;
  reason: string;
  officer: string;
  blobSha256: string;
}

interface ResultRow {
  id: number;
  dossier_code: string;
  remote_id: string;
  file_name: string;
  expected_sha256: string;
  size_bytes: number;
  document_code: string;
  document_name: string;
  number: string | null;
  url: string | null;
  state: 'pending' | 'stored';
  attempts: number;
  last_error_code: string | null;
  blob_sha256: string | null;
  document_id: number | null;
  announced_at: number;
  stored_at: number | null;
}

function toResult(r: ResultRow): DossierResult {
  return {
    id: r.id,
    dossierCode: r.dossier_code,
    remoteId: r.remote_id,
    fileName: r.file_name,
    expectedSha256: r.expected_sha256,
    sizeBytes: r.size_bytes,
    documentCode: r.document_code,
    documentName: r.document_name,
    number: r.number,
    url: r.url,
    state: r.state,
    attempts: r.attempts,
    lastErrorCode: r.last_error_code,
    blobSha256: r.blob_sha256,
    documentId: r.document_id,
    announcedAt: r.announced_at,
    storedAt: r.stored_at,
  };
}

/**
 * Results, hand-overs and delay letters (the return of results). Its own repository over the
 * same database, so the tables of migration 0006 stay out of the dossier repository.
 */
export class ResultsRepository {
  private readonly s;

  constructor(db: Db) {
    // Prepared once: the status pull and the return screen call these on every page and view.
    this.s = {
      announce:
        db.prepare<NewDossierResult>(`INSERT INTO dossier_results (dossier_code, remote_id, file_name, expected_sha256, size_bytes,
          document_code, document_name, number, url, announced_at)
        VALUES (@dossierCode, @remoteId, @fileName, @expectedSha256, @sizeBytes, @documentCode, @documentName, @number, @url, @announcedAt)
        ON CONFLICT (dossier_code, remote_id) DO NOTHING`),
      byRemoteId: db.prepare<[string, string], ResultRow>(
        'SELECT * FROM dossier_results WHERE dossier_code = ? AND remote_id = ?',
      ),
      markStored: db.prepare<[string, number, number, number]>(
        "UPDATE dossier_results SET state = 'stored', blob_sha256 = ?, document_id = ?, stored_at = ?, last_error_code = NULL WHERE id = ? AND state = 'pending'",
      ),
      markFailed: db.prepare<[string, number]>(
        'UPDATE dossier_results SET attempts = attempts + 1, last_error_code = ? WHERE id = ?',
      ),
      pending: db.prepare<[number, number], ResultRow>(
        "SELECT * FROM dossier_results WHERE state = 'pending' AND attempts < ? ORDER BY id LIMIT ?",
      ),
      forDossier: db.prepare<[string], ResultRow>('SELECT * FROM dossier_results WHERE dossier_code = ? ORDER BY id'),
      addReturn:
        db.prepare<DossierReturn>(`INSERT INTO dossier_returns (dossier_code, returned_at, officer, collector_kind, collector_name,
          collector_id_number, authorisation, delivery, tracking_number, note)
        VALUES (@dossierCode, @returnedAt, @officer, @collectorKind, @collectorName, @collectorIdNumber, @authorisation, @delivery, @trackingNumber, @note)`),
      returnOf: db.prepare<[string], Record<string, unknown>>('SELECT * FROM dossier_returns WHERE dossier_code = ?'),
      addDelayLetter: db.prepare<
        Omit<DelayLetter, 'id'>
      >(`INSERT INTO dossier_delay_letters (dossier_code, issued_at, previous_appointment_at,
          new_appointment_at, extension_days, reason, officer, blob_sha256)
        VALUES (@dossierCode, @issuedAt, @previousAppointmentAt, @newAppointmentAt, @extensionDays, @reason, @officer, @blobSha256)`),
      delayLetters: db.prepare<[string], Record<string, unknown>>(
        'SELECT * FROM dossier_delay_letters WHERE dossier_code = ? ORDER BY id',
      ),
      fileResultDocument:
        db.prepare<ResultDocument>(`INSERT INTO documents (owner_id_number, owner_name, document_code, document_name, number,
          issuer, issued_on, valid_until, permanent, source, blob_sha256, kind, dossier_code, procedure_code, sector_code, size_bytes, summary)
        VALUES (@ownerIdNumber, @ownerName, @documentCode, @documentName, @number, @issuer, @issuedOn, NULL, 1, 'local', @blobSha256, 'result',
          @dossierCode, @procedureCode, @sectorCode, @sizeBytes, @summary)`),
      processedCodes: db
        .prepare<[number], string>(
          `SELECT d.code FROM dossiers d WHERE d.status = 9
        ORDER BY (SELECT max(h.at) FROM dossier_status_history h WHERE h.dossier_id = d.id AND h.status = 9), d.id LIMIT ?`,
        )
        .pluck(),
    };
  }

  /** Records an announced result once; a repeat (same dossier and remote id) returns the row already there. */
  announce(r: NewDossierResult): DossierResult {
    this.s.announce.run(r);
    const row = this.byRemoteId(r.dossierCode, r.remoteId);
    if (!row) throw new Error('result insert returned nothing');
    return row;
  }

  /** Marks a result stored (its blob checked against the announced hash) and filed as document `documentId`. */
  markStored(id: number, blobSha256: string, documentId: number, at: number): void {
    if (this.s.markStored.run(blobSha256, documentId, at, id).changes !== 1)
      throw new Error(`result ${id} is not pending`);
  }

  markFailed(id: number, code: string): void {
    this.s.markFailed.run(code, id);
  }

  /** Results still to download with fewer than `maxAttempts` failed tries, oldest first. */
  pending(limit = 50, maxAttempts = Number.MAX_SAFE_INTEGER): DossierResult[] {
    return this.s.pending.all(maxAttempts, limit).map(toResult);
  }

  forDossier(code: string): DossierResult[] {
    return this.s.forDossier.all(code).map(toResult);
  }

  byRemoteId(code: string, remoteId: string): DossierResult | null {
    const row = this.s.byRemoteId.get(code, remoteId);
    return row ? toResult(row) : null;
  }

  addReturn(r: DossierReturn): void {
    this.s.addReturn.run(r);
  }

  returnOf(code: string): DossierReturn | null {
    const row = this.s.returnOf.get(code);
    if (!row) return null;
    return {
      dossierCode: row['dossier_code'] as string,
      returnedAt: row['returned_at'] as string,
      officer: row['officer'] as string,
      collectorKind: row['collector_kind'] as CollectorKind,
      collectorName: row['collector_name'] as string,
      collectorIdNumber: row['collector_id_number'] as string | null,
      authorisation: row['authorisation'] as string | null,
      delivery: row['delivery'] as 'desk' | 'post',
      trackingNumber: row['tracking_number'] as string | null,
      note: row['note'] as string,
    };
  }

  addDelayLetter(l: Omit<DelayLetter, 'id'>): DelayLetter {
    const info = this.s.addDelayLetter.run(l);
    return { id: Number(info.lastInsertRowid), ...l };
  }

  delayLetters(code: string): DelayLetter[] {
    return this.s.delayLetters.all(code).map((r) => ({
      id: r['id'] as number,
      dossierCode: r['dossier_code'] as string,
      issuedAt: r['issued_at'] as string,
      previousAppointmentAt: r['previous_appointment_at'] as string,
      newAppointmentAt: r['new_appointment_at'] as string,
      extensionDays: r['extension_days'] as number,
      reason: r['reason'] as string,
      officer: r['officer'] as string,
      blobSha256: r['blob_sha256'] as string,
    }));
  }

  /**
   * Files a result in its owner's document store (`documents`, kind 'result', source 'local'):
   * found by owner and code like any other document, reusable in later dossiers. Not converted
   * from paper: the processing unit issued it electronically.
   */
  fileResultDocument(doc: ResultDocument): number {
    return Number(this.s.fileResultDocument.run(doc).lastInsertRowid);
  }

  /** Codes of dossiers in status 9 (processed), oldest processing end first. */
  processedCodes(limit = 500): string[] {
    return this.s.processedCodes.all(limit);
  }
}

import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, type Dossier } from '../../common/contract';
import type { Clock } from '../kernel/clock';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';
import type { ProgressStep } from '../remotes/national-portal/wire-format';
import type { FileTransfer } from '../remotes/provincial/file-transfer.port';
import type { ProvincialSystem, ResultReference, StatusChange } from '../remotes/provincial/provincial.port';
import { RemoteError } from '../remotes/remote-error';
import type { DossierResult, ResultsRepository } from '../store/results.repository';
import type { Store } from '../store/store';
import type { StatusPullHooks } from '../sync/status-puller';
import { enqueueNational, type DeskUnit } from './national-rows';

const STATUS_PROCESSED = 9;
/**
 * Automatic retries of one file stop after this many failures (about a day at the default pull
 * interval); "Tải lại kết quả" (`returns.refetch`) still tries it.
 */
export const MAX_AUTO_ATTEMPTS = 1440;

export interface ResultIntakeDeps {
  store: Store;
  results: ResultsRepository;
  provincial: Pick<ProvincialSystem, 'resultFile'>;
  clock: Clock;
  log: Logger;
  desk: DeskUnit;
  /** `dossier.changed` after a retry stored a file (outside a pull): tell the screens. */
  events?: EventPublisher;
  /**
   * The resumable download (`GET /api/files/{id}` with `Range`): a dropped connection continues
   * where it stopped, in the same attempt or the next one (the `.part` file stays in `dir`).
   * Without it, or for a remote that does not offer the file there (404), the one-piece
   * `resultFile` answer is used.
   */
  download?: { transfer: Pick<FileTransfer, 'download'>; dir: string };
}

type Fetched = { ok: true; sha256: string; size: number } | { ok: false; code: string };

/**
 * The provincial system reports a dossier processed (status 9) with its result document. Hooked
 * into the status pull (`StatusPullHooks`):
 * 1. before the page's transaction, each announced file is downloaded, its sha256 compared with
 *    the announcement, and only then put in the blob store (a mismatch is never stored);
 * 2. inside the page's transaction, the result is recorded; a verified file is filed in the
 *    owner's document store (kind 'result') and audited; the dossier's move to 9 writes the
 *    national portal's rows (DongBoHoSoMC with NgayKetThucXuLy and the result list, and the
 *    "Đã xử lý xong" step);
 * 3. a file that could not be fetched stays `pending` (attempts, last error code) and is tried
 *    again after every pull (`retryPending`) or on demand; the status itself is never held back.
 */
export class ResultIntake implements StatusPullHooks {
  private readonly fetched = new Map<string, Fetched>();

  constructor(private readonly deps: ResultIntakeDeps) {}

  async beforePage(changes: readonly StatusChange[]): Promise<void> {
    const { store, results } = this.deps;
    for (const change of changes) {
      if (change.status !== STATUS_PROCESSED || !change.result) continue;
      if (!store.dossiers.getByCode(change.dossierCode)) continue;
      if (results.byRemoteId(change.dossierCode, change.result.id)?.state === 'stored') continue;
      this.fetched.set(key(change.dossierCode, change.result.id), await this.fetch(change.dossierCode, change.result));
    }
  }

  onChange(change: StatusChange, moved: boolean): void {
    const { store, results, clock } = this.deps;
    let d = store.dossiers.getByCode(change.dossierCode);
    if (!d) return;
    let newlyStored: DossierResult | null = null;
    if (change.status === STATUS_PROCESSED && change.result) {
      const ref = change.result;
      const row = results.announce({
        dossierCode: d.code,
        remoteId: ref.id,
        fileName: ref.fileName,
        expectedSha256: ref.sha256,
        sizeBytes: ref.size,
        documentCode: ref.documentCode,
        documentName: ref.documentName,
        number: ref.number,
        url: ref.url,
        announcedAt: clock.now(),
      });
      const k = key(d.code, ref.id);
      const got = this.fetched.get(k);
      this.fetched.delete(k);
      if (row.state === 'pending' && got) {
        if (got.ok) {
          this.file(row, d, got.sha256, change.changedAt);
          newlyStored = row;
        } else {
          results.markFailed(row.id, got.code);
        }
      }
    }
    if (moved && change.status === STATUS_PROCESSED) {
      d = store.dossiers.getByCode(d.code)!;
      enqueueNational(
        store,
        results,
        this.deps.desk,
        d,
        `processed-${d.history.length}`,
        processedStep(d, this.deps.desk, change.note),
        clock.now(),
      );
    } else if (newlyStored) {
      enqueueNational(store, results, this.deps.desk, d, `result-${newlyStored.id}`, null, clock.now());
    }
  }

  /**
   * Downloads results still pending: all of one dossier (an officer asked), or up to 20 with fewer
   * than `MAX_AUTO_ATTEMPTS` failures (after each pull). Returns how many were stored.
   */
  async retryPending(dossierCode?: string): Promise<number> {
    const { store, results, clock } = this.deps;
    const rows =
      dossierCode === undefined
        ? results.pending(20, MAX_AUTO_ATTEMPTS)
        : results.forDossier(dossierCode).filter((r) => r.state === 'pending');
    let stored = 0;
    const changed = new Map<string, number>();
    for (const row of rows) {
      const got = await this.fetch(row.dossierCode, {
        id: row.remoteId,
        fileName: row.fileName,
        sha256: row.expectedSha256,
        size: row.sizeBytes,
        documentCode: row.documentCode,
        documentName: row.documentName,
        number: row.number,
        url: row.url,
      });
      store.transaction(() => {
        const current = results.byRemoteId(row.dossierCode, row.remoteId);
        const d = store.dossiers.getByCode(row.dossierCode);
        if (!current || current.state !== 'pending' || !d) return;
        if (!got.ok) {
          results.markFailed(current.id, got.code);
          return;
        }
        this.file(current, d, got.sha256, clock.now());
        enqueueNational(store, results, this.deps.desk, d, `result-${current.id}`, null, clock.now());
        stored += 1;
        changed.set(d.code, d.status);
      });
    }
    for (const [code, status] of changed) this.deps.events?.publish('dossier.changed', { code, status });
    return stored;
  }

  /** The file's bytes: resumable download first, the one-piece answer when the remote has no other. */
  private async bytesOf(ref: ResultReference): Promise<Uint8Array> {
    const download = this.deps.download;
    if (download !== undefined) {
      mkdirSync(download.dir, { recursive: true, mode: 0o700 });
      const target = join(download.dir, `${ref.id.replace(/[^A-Za-z0-9._-]/g, '_')}.download`);
      try {
        const got = await download.transfer.download(ref.id, target, ref.sha256);
        try {
          return new Uint8Array(readFileSync(got.path));
        } finally {
          unlinkSync(got.path);
        }
      } catch (err) {
        // 404: this remote offers the file only in one piece.
        if (!(err instanceof RemoteError && err.code === 'REMOTE_REJECTED' && err.status === 404)) throw err;
      }
    }
    return (await this.deps.provincial.resultFile(ref.id)).bytes;
  }

  private async fetch(code: string, ref: ResultReference): Promise<Fetched> {
    try {
      const file = { bytes: await this.bytesOf(ref) };
      const sha256 = createHash('sha256').update(file.bytes).digest('hex');
      if (sha256 !== ref.sha256.toLowerCase()) {
        this.deps.log.log('warn', 'result.checksum-mismatch', {
          code,
          remoteId: ref.id,
          expected: ref.sha256,
          got: sha256,
          size: file.bytes.length,
        });
        return { ok: false, code: 'RESULT_CHECKSUM_MISMATCH' };
      }
      if (Buffer.from(file.bytes.subarray(0, 5)).toString('latin1') !== '%PDF-') {
        this.deps.log.log('warn', 'result.not-pdf', { code, remoteId: ref.id });
        return { ok: false, code: 'RESULT_NOT_PDF' };
      }
      const put = await this.deps.store.blobs.put(file.bytes);
      return { ok: true, sha256: put.sha256, size: file.bytes.length };
    } catch (err) {
      if (
        err instanceof RemoteError &&
        err.code === 'REMOTE_BAD_RESPONSE' &&
        /sha256|announces another file/.test(err.message)
      ) {
        this.deps.log.log('warn', 'result.checksum-mismatch', { code, remoteId: ref.id, expected: ref.sha256 });
        return { ok: false, code: 'RESULT_CHECKSUM_MISMATCH' };
      }
      const errorCode = err instanceof RemoteError || err instanceof AppError ? err.code : 'INTERNAL';
      this.deps.log.log('warn', 'result.fetch-failed', { code, remoteId: ref.id, error: errorCode });
      return { ok: false, code: errorCode };
    }
  }

  /** Inside a transaction: file the verified result in the owner's document store, mark it stored, audit. */
  private file(row: DossierResult, d: Dossier, sha256: string, at: number): void {
    const { store, results, clock } = this.deps;
    const p = store.catalogue.get(d.procedureCode);
    const documentId = results.fileResultDocument({
      ownerIdNumber: d.applicant.idNumber,
      ownerName: d.applicant.fullName,
      documentCode: row.documentCode !== '' ? row.documentCode : (p?.resultCode ?? 'KQ'),
      documentName: row.documentName,
      number: row.number,
      issuer: p?.agencyName ?? null,
      issuedOn: clock.localNow().slice(0, 10),
      blobSha256: sha256,
      dossierCode: d.code,
      procedureCode: d.procedureCode,
      sectorCode: p?.sectorCode ?? null,
      sizeBytes: row.sizeBytes,
      summary: `Kết quả giải quyết hồ sơ ${d.code}`,
    });
    results.markStored(row.id, sha256, documentId, at);
    store.audit.append({
      at: clock.localNow(),
      actor: 'sync',
      action: 'dossier.result-stored',
      entity: 'dossier',
      entityId: d.code,
      details: { remoteId: row.remoteId, sha256, size: row.sizeBytes, document: `L:${documentId}` },
    });
  }
}

function key(code: string, remoteId: string): string {
  return `${code}\u0000${remoteId}`;
}

function processedStep(d: Dossier, desk: DeskUnit, note: string): ProgressStep {
  const at = [...d.history].reverse().find((h) => h.status === STATUS_PROCESSED)?.at ?? d.receivedAt;
  return {
    dossierCode: d.code,
    handler: desk.agencyName,
    handlerTitle: 'Đơn vị giải quyết',
    at,
    department: desk.agencyName,
    content: note !== '' ? `Đã xử lý xong: ${note}` : 'Đã xử lý xong hồ sơ',
    status: STATUS_PROCESSED,
    startedAt: at,
    dueAt: d.appointmentAt,
  };
}

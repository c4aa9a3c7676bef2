import { randomUUID, X509Certificate } from 'node:crypto';
import type { z } from 'zod';
import {
  AppError,
  isErrorCode,
  type EventPayload,
  type SigningDocumentResult,
  type SigningJob,
  type SigningStatus,
  type VerifyParams,
  type VerifyResult,
} from '../../common/contract';
import { isDeviceError } from '../../drivers/device-error';
import type { TokenProvider } from '../../drivers/token/token.port';
import type { Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import type { SessionUser } from '../../common/contract';
import type { EffectiveSigning } from './signing-config';
import { signBatch, type BatchDocument } from './batch';
import { commonNameOf } from './pades';
import { DIGITISED_REASON } from './sign-stage';
import { openTokenKey, type OpenedTokenKey } from './token-key';
import type { TimestampAuthority } from './tsa';
import { verifyPdf, type SignatureReport } from './verify';
import type { Store } from '../store/store';
import { centreOrderKey } from '../store/outbox-centre';
import { errorMessage } from '../kernel/error-message';

type Progress = EventPayload<'signing.progress'>;

export interface BatchSigningDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** Null: signing is off on this workstation (status says so, signBatch answers SIGN_NOT_CONFIGURED). */
  settings: EffectiveSigning | null;
  tokens: TokenProvider;
  agencyName: string;
  /** Configured trust anchors (DER or PEM bytes). */
  trustAnchors: readonly Uint8Array[];
  timestampAuthority?: TimestampAuthority;
  onEvent: (progress: Progress) => void;
  /** Check each signed PDF (integrity) before it replaces the stored one; default true. */
  verifyAfterSigning?: boolean;
}

interface Job {
  view: SigningJob;
  abort: AbortController;
  done: Promise<void>;
}

/** A PDF that already carries a signature dictionary is never signed again by the station. */
export function hasSignature(pdf: Uint8Array): boolean {
  return /\/ByteRange\s*\[/.test(Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength).toString('latin1'));
}

const MAX_KEPT_JOBS = 20;

/**
 * Batch signing at the digitisation station, after OCR and metadata
 * (docs/architecture.md, "Signing and verification").
 * The officer finishes the batch's documents (searchable PDF + mandatory metadata), then signs
 * them all with ONE token login: `start` opens the token session and logs in with the PIN typed in
 * the UI (a wrong PIN is answered right away), then signs document after document in the
 * background with progress events, a result per document and cancel. Each signed PDF is checked,
 * stored as a new blob and the document row pointed at it together with an audit entry; one bad
 * document fails alone. The session is closed when the job ends (finished, cancelled or token
 * lost), so nothing of the login outlives the batch; the PIN itself is never kept or logged.
 */
export class BatchSigning {
  private readonly jobs = new Map<string, Job>();
  private running: Job | null = null;
  private trainingAnchors: Uint8Array[] | null = null;

  constructor(private readonly deps: BatchSigningDeps) {}

  status(): SigningStatus {
    const s = this.deps.settings;
    return {
      enabled: s !== null,
      simulated: s?.simulated ?? false,
      tokenLabel: s?.simulated ? null : (s?.tokenLabel ?? null),
      keyId: s?.keyId ?? null,
      timestamp: this.deps.timestampAuthority !== undefined,
      visibleStamp: s?.stamp.visible ?? false,
      trustAnchors: this.deps.trustAnchors.length,
      running: this.running ? structuredClone(this.running.view) : null,
    };
  }

  /** Logs in, then signs the batch's unsigned documents in the background. */
  async start(batchId: string, pin: string, user: SessionUser, documentIds?: readonly string[]): Promise<SigningJob> {
    const settings = this.deps.settings;
    if (settings === null)
      throw new AppError('SIGN_NOT_CONFIGURED', 'Máy trạm chưa bật ký số (mục signing của cấu hình).');
    if (this.running) throw new AppError('SIGN_BUSY', 'Token đang ký một lô khác.', { jobId: this.running.view.jobId });
    // Reserved before anything slow (reading PDFs, the login) so a double click cannot open two sessions.
    const job: Job = {
      view: {
        jobId: randomUUID(),
        batchId,
        state: 'running',
        done: 0,
        total: 0,
        signed: 0,
        failed: 0,
        signer: '',
        startedAt: this.deps.clock.localNow(),
        documents: [],
      },
      abort: new AbortController(),
      done: Promise.resolve(),
    };
    this.running = job;
    let documents: Candidate[];
    try {
      documents = await this.documentsOf(batchId, documentIds);
    } catch (err) {
      this.running = null;
      throw err;
    }
    job.view.total = documents.length;
    job.view.documents = documents.map((d) => d.result);
    if (documents.every((d) => d.result.state === 'skipped')) {
      // Nothing left to sign: no login at all.
      this.running = null;
      this.remember(job);
      job.done = this.run(job, null, documents, user);
      await job.done;
      return structuredClone(job.view);
    }
    let opened: OpenedTokenKey;
    try {
      opened = await openTokenKey(
        this.deps.tokens,
        {
          keyId: settings.keyId,
          ...(settings.tokenLabel && !settings.simulated ? { tokenLabel: settings.tokenLabel } : {}),
        },
        pin,
      );
    } catch (err) {
      this.running = null;
      this.deps.log.log('warn', 'signing.login-failed', {
        batchId,
        code: isDeviceError(err) ? err.code : 'SIGN_FAILED',
      });
      throw toAppError(err);
    }
    job.view.signer = commonNameOf(opened.key.certificate);
    this.remember(job);
    this.deps.log.log('info', 'signing.start', {
      jobId: job.view.jobId,
      batchId,
      documents: documents.length,
      keyId: opened.key.keyId,
      actor: user.username,
    });
    job.done = this.run(job, opened, documents, user).finally(() => {
      if (this.running === job) this.running = null;
    });
    return structuredClone(job.view);
  }

  cancel(jobId: string): { done: true } {
    const job = this.mustJob(jobId);
    job.abort.abort();
    return { done: true };
  }

  job(jobId: string): SigningJob {
    return structuredClone(this.mustJob(jobId).view);
  }

  /** Resolves when the job has ended and its token session is closed (tests, shutdown). */
  async settled(jobId: string): Promise<SigningJob> {
    const job = this.mustJob(jobId);
    await job.done;
    return structuredClone(job.view);
  }

  async verify(params: z.output<typeof VerifyParams>): Promise<VerifyResult> {
    let pdf: Uint8Array;
    let fileName: string;
    let documentId: string | null = null;
    if ('documentId' in params) {
      const doc = this.deps.store.documents.get(params.documentId);
      if (!doc || doc.blobSha256 === null)
        throw new AppError('DOCUMENT_UNKNOWN', `Không có tệp PDF của tài liệu ${params.documentId.slice(0, 80)}.`, {
          field: 'documentId',
        });
      pdf = await this.deps.store.blobs.get(doc.blobSha256);
      fileName = `${doc.documentName} (${doc.id}).pdf`;
      documentId = doc.id;
    } else {
      pdf = new Uint8Array(Buffer.from(params.file.base64, 'base64'));
      fileName = params.file.name;
      if (pdf.length === 0) throw new AppError('VALIDATION_FAILED', 'Tệp rỗng.', { field: 'file' });
    }
    const anchors = [...this.deps.trustAnchors, ...(await this.trainingCa())];
    const report = await verifyPdf(pdf, { trustAnchors: anchors, now: new Date(this.deps.clock.now()) });
    return {
      fileName,
      documentId,
      sizeBytes: pdf.length,
      trustAnchors: anchors.length,
      signatures: report.signatures.map(toCheck),
      problem: report.problem ?? null,
    };
  }

  /** Cancels a running job and waits (bounded) for its session to close. */
  async close(waitMs = 10_000): Promise<void> {
    const job = this.running;
    if (!job) return;
    job.abort.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      job.done,
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  // ---- internals ------------------------------------------------------------------------------

  private async run(job: Job, opened: OpenedTokenKey | null, documents: Candidate[], user: SessionUser): Promise<void> {
    const { store, settings } = { store: this.deps.store, settings: this.deps.settings! };
    const byId = new Map(documents.map((d) => [d.result.documentId, d]));
    const todo = documents.filter((d) => d.result.state === 'waiting');
    for (const d of documents) if (d.result.state === 'skipped') this.finishOne(job, d.result);
    const stamp = settings.stamp.visible
      ? {
          page: settings.stamp.page,
          ...(settings.stamp.rect ? { rect: settings.stamp.rect } : {}),
          ...(this.deps.agencyName ? { agency: this.deps.agencyName } : {}),
        }
      : undefined;
    const batch: BatchDocument[] = todo.map((d) => ({
      id: d.result.documentId,
      pdf: () => store.blobs.get(d.sha256),
      ...(stamp ? { options: { stamp } } : {}),
    }));
    try {
      if (opened === null) return;
      await signBatch(batch, opened.key, {
        signal: job.abort.signal,
        reason: DIGITISED_REASON,
        ...((settings.location ?? this.deps.agencyName) ? { location: settings.location ?? this.deps.agencyName } : {}),
        ...(this.deps.timestampAuthority ? { timestampAuthority: this.deps.timestampAuthority } : {}),
        onSigned: async (id, signed) => {
          const d = byId.get(id)!;
          if (this.deps.verifyAfterSigning !== false) {
            const last = (await verifyPdf(signed)).signatures.at(-1);
            if (!last?.integrity.ok)
              throw new AppError(
                'SIGN_FAILED',
                `Chữ ký vừa tạo không kiểm tra được: ${last?.integrity.problem ?? 'không thấy chữ ký'}`,
              );
          }
          const blob = await store.blobs.put(signed);
          store.transaction(() => {
            if (!store.documents.replaceDigitisedPdf(d.rowId, d.sha256, blob.sha256, blob.size)) {
              throw new AppError('CONFLICT', 'Tệp của tài liệu đã thay đổi trong khi ký.');
            }
            // The centre's copy (docs/architecture.md, "Centre"), only on a desk enrolled at a centre.
            const signedDoc = store.documents.digitised(id);
            if (signedDoc) {
              store.outbox.enqueueCentre(
                {
                  kind: 'document.signed',
                  at: this.deps.clock.now(),
                  payload: {
                    dossierCode: signedDoc.dossierCode,
                    documentCode: signedDoc.documentCode.slice(0, 40),
                    signer: (job.view.signer ?? '').slice(0, 200),
                    officer: user.displayName.slice(0, 60),
                    at: this.deps.clock.localNow(),
                  },
                },
                centreOrderKey(signedDoc.dossierCode, id),
                this.deps.clock.now(),
              );
            }
            store.audit.append({
              at: this.deps.clock.localNow(),
              actor: user.username,
              action: 'document.sign',
              entity: 'document',
              entityId: id,
              details: {
                batch: job.view.batchId,
                job: job.view.jobId,
                previousSha256: d.sha256,
                sha256: blob.sha256,
                keyId: opened.key.keyId,
                simulated: settings.simulated,
              },
            });
          });
          d.result.sha256 = blob.sha256;
        },
        onProgress: ({ result }) => {
          const d = byId.get(result.id)!;
          if (result.ok) {
            d.result.state = 'signed';
          } else {
            d.result.state = result.code === 'SIGN_CANCELLED' ? 'cancelled' : 'failed';
            d.result.code = result.code;
            d.result.message = result.message.split('\n')[0]!.slice(0, 300);
            if (d.result.state === 'failed')
              this.deps.log.log('warn', 'signing.document-failed', {
                jobId: job.view.jobId,
                document: result.id,
                code: result.code,
                error: d.result.message,
              });
          }
          this.finishOne(job, d.result);
        },
      });
    } catch (err) {
      // signBatch reports per document; anything thrown here is unexpected: fail what is left.
      this.deps.log.log('error', 'signing.job-crashed', { jobId: job.view.jobId, error: errorMessage(err) });
      for (const d of documents) {
        if (d.result.state !== 'waiting') continue;
        Object.assign(d.result, { state: 'failed', code: 'SIGN_FAILED', message: errorMessage(err) });
        this.finishOne(job, d.result);
      }
    } finally {
      await opened?.close();
    }
    job.view.state = job.abort.signal.aborted ? 'cancelled' : 'finished';
    this.deps.log.log('info', 'signing.end', {
      jobId: job.view.jobId,
      state: job.view.state,
      signed: job.view.signed,
      failed: job.view.failed,
      total: job.view.total,
    });
    this.emit({
      jobId: job.view.jobId,
      batchId: job.view.batchId,
      state: job.view.state,
      done: job.view.done,
      total: job.view.total,
    });
  }

  private finishOne(job: Job, result: SigningDocumentResult): void {
    job.view.done++;
    if (result.state === 'signed') job.view.signed++;
    if (result.state === 'failed') job.view.failed++;
    this.emit({
      jobId: job.view.jobId,
      batchId: job.view.batchId,
      state: job.view.state,
      done: job.view.done,
      total: job.view.total,
      document: { ...result },
    });
  }

  /** The batch's documents in group order, each with its stored PDF; already-signed ones are skipped. */
  private async documentsOf(batchId: string, only?: readonly string[]): Promise<Candidate[]> {
    const { store } = this.deps;
    const got = store.batches.get(batchId);
    if (!got) throw new AppError('NOT_FOUND', `Không tìm thấy lô quét ${batchId.slice(0, 64)}.`, { field: 'batchId' });
    const rowIds: number[] = [];
    const pages = [...got.pages].sort((a, b) => a.groupIndex - b.groupIndex || a.position - b.position);
    for (const p of pages) if (p.documentId !== null && !rowIds.includes(p.documentId)) rowIds.push(p.documentId);
    let ids = rowIds.map((n) => `L:${n}`);
    if (only) {
      const unknown = only.filter((id) => !ids.includes(id));
      if (unknown.length > 0)
        throw new AppError(
          'VALIDATION_FAILED',
          `Tài liệu ${unknown.join(', ').slice(0, 200)} không thuộc lô quét này.`,
          { field: 'documentIds' },
        );
      ids = ids.filter((id) => only.includes(id));
    }
    if (ids.length === 0)
      throw new AppError(
        'DIGITISE_GROUP_EMPTY',
        'Lô quét chưa có văn bản số hóa nào để ký: hoàn tất văn bản trước rồi ký.',
      );
    const out: Candidate[] = [];
    for (const id of ids) {
      const doc = store.documents.get(id)!;
      const sha = doc.blobSha256!;
      const signed = hasSignature(await store.blobs.get(sha));
      out.push({
        rowId: doc.rowId,
        sha256: sha,
        result: {
          documentId: id,
          documentName: doc.documentName,
          state: signed ? 'skipped' : 'waiting',
          code: null,
          message: signed ? 'Đã có chữ ký số' : null,
          sha256: signed ? sha : null,
        },
      });
    }
    return out;
  }

  /** Training mode: the simulated token's own CA is an anchor too, so trainees see "tin cậy". */
  private async trainingCa(): Promise<Uint8Array[]> {
    if (!this.deps.settings?.simulated) return [];
    if (this.trainingAnchors) return this.trainingAnchors;
    const found: Uint8Array[] = [];
    try {
      for (const slot of await this.deps.tokens.listSlots()) {
        if (!slot.token) continue;
        const session = await this.deps.tokens.open(slot.id);
        try {
          for (const c of await session.certificates()) if (new X509Certificate(c.der).ca) found.push(c.der);
        } finally {
          await session.close();
        }
      }
    } catch (err) {
      this.deps.log.log('warn', 'signing.training-ca-failed', { error: errorMessage(err) });
    }
    this.trainingAnchors = found;
    return found;
  }

  private remember(job: Job): void {
    this.jobs.set(job.view.jobId, job);
    while (this.jobs.size > MAX_KEPT_JOBS) {
      const oldest = [...this.jobs.values()].find((j) => j !== this.running);
      if (!oldest) break;
      this.jobs.delete(oldest.view.jobId);
    }
  }

  private mustJob(jobId: string): Job {
    const job = this.jobs.get(jobId);
    if (!job) throw new AppError('NOT_FOUND', `Không tìm thấy lượt ký ${jobId.slice(0, 64)}.`, { field: 'jobId' });
    return job;
  }

  private emit(progress: Progress): void {
    try {
      this.deps.onEvent(progress);
    } catch (err) {
      this.deps.log.log('warn', 'signing.event-failed', { error: errorMessage(err) });
    }
  }
}

interface Candidate {
  rowId: number;
  sha256: string;
  result: SigningDocumentResult;
}

function toAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (isDeviceError(err)) return new AppError(err.code, err.message, err.details);
  const code = typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : '';
  return new AppError(isErrorCode(code) ? code : 'SIGN_FAILED', errorMessage(err));
}

function toCheck(s: SignatureReport): VerifyResult['signatures'][number] {
  return {
    fieldName: s.fieldName,
    verdict: s.verdict,
    integrity: { ok: s.integrity.ok, problem: s.integrity.problem ?? null },
    changesAfterSigning: s.changesAfterSigning,
    signer: s.signer
      ? {
          commonName: s.signer.commonName,
          subject: s.signer.subject,
          issuer: s.signer.issuer,
          serialNumber: s.signer.serialNumber,
          notBefore: s.signer.notBefore,
          notAfter: s.signer.notAfter,
        }
      : null,
    signingTime: s.signingTime,
    signingTimeSource: s.signingTimeSource,
    certificateValidAtSigningTime: s.certificateValidAtSigningTime,
    keyUsage: s.keyUsage,
    chain: { trusted: s.chain.trusted, path: s.chain.path, problem: s.chain.problem ?? null },
    timestamp: s.timestamp
      ? {
          valid: s.timestamp.valid,
          genTime: s.timestamp.genTime,
          tsa: s.timestamp.tsa,
          problem: s.timestamp.problem ?? null,
        }
      : null,
    reason: s.reason,
    location: s.location,
  };
}

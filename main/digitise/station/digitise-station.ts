import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import {
  AppError,
  isErrorCode,
  type BatchEdit,
  type BatchSummary,
  type BatchView,
  type DigitisedMetadata,
  type DigitiseProfileInput,
  type EventPayload,
  type FinishResult,
  type PendingComponent,
  type ScannerListing,
  type ScanRequestParams,
} from '../../../common/contract';
import type { ScannedPage, Scanner, ScannerProvider } from '../../../drivers/scanner/scanner.port';
import type { Clock } from '../../kernel/clock';
import type { EventPublisher } from '../../kernel/events';
import type { Logger } from '../../kernel/logger';
import type { SessionUser } from '../../../common/contract';
import type { BatchPageRecord, BatchWithPages } from '../../store/batches.repository';
import type { Store } from '../../store/store';
import type { DigitiseProfile } from '../types';
import { groupLists, join, LayoutError, reorder, split, type Groups, type PageSlot } from './batch-layout';
import { BatchDraftsKeeper } from './batch-drafts';
import { BatchViews } from './batch-views';
import { DocumentFinisher } from './document-finisher';
import { errorMessage } from '../../kernel/error-message';
import { errorCodeOf } from './error-code';
import { Limiter } from './limiter';
import { decodeFilePages, FileImportError } from './file-pages';
import { encodeProcessedPage, quarterTurn, rotateCapture } from './page-codec';
import { resolveProfile, storedProfile, type PipelineFactory } from './pipeline-port';

type Progress = EventPayload<'digitise.progress'>;

export interface DigitiseStationDeps {
  store: Store;
  /** A pipeline for a profile; the station keeps one per distinct profile. */
  pipelines: PipelineFactory;
  scanners: ScannerProvider;
  clock: Clock;
  log: Logger;
  agency: { id: string; name: string };
  /**
   * The workstation's processing defaults (config `scanners.defaultProfile`), under the request and the officer's
   * choices.
   */
  defaultProfile?: DigitiseProfileInput;
  /** `digitise.progress` as pages move on; `dossier.changed` when a batch becomes a dossier's documents. */
  events: EventPublisher;
  /** Called after a commit that wrote outbox rows (wakes the sender loop). */
  onOutbox?: () => void;
  /** Pages processed at the same time (the OCR pool bounds the real work). Default 2. */
  concurrency?: number;
}

interface Job {
  scan: AbortController | null;
}

/**
 * The digitisation station: scan or import pages into a batch, process each page through the
 * pipeline, let the officer reorder/rotate/delete/split/rescan, and finish each group as a
 * searchable PDF with the mandatory metadata, linked to its dossier component, synced and audited.
 *
 * Every capture is kept (blob + batch row) before any processing, so a crash, a cancelled scan, a
 * jam or a page the pipeline cannot handle never loses a captured page; `resume()` picks up open
 * batches after a restart.
 */
export class DigitiseStation {
  private readonly jobs = new Map<string, Job>();
  private readonly tasks = new Set<Promise<unknown>>();
  private readonly limiter: Limiter;
  private readonly pipelineCache = new Map<string, ReturnType<PipelineFactory>>();
  private readonly shutdown = new AbortController();
  private readonly views: BatchViews;
  private readonly finisher: DocumentFinisher;
  /** The metadata typed for the batch's documents, kept with the batch (`batch-drafts.ts`). */
  readonly drafts: BatchDraftsKeeper;

  constructor(private readonly deps: DigitiseStationDeps) {
    this.views = new BatchViews(deps.store);
    this.drafts = new BatchDraftsKeeper({ store: deps.store, clock: deps.clock });
    this.limiter = new Limiter(Math.max(1, deps.concurrency ?? 2));
    this.finisher = new DocumentFinisher({
      store: deps.store,
      clock: deps.clock,
      log: deps.log,
      agency: deps.agency,
      pipeline: (profile) => this.pipeline(profile),
    });
  }

  // ---- scanners and capture -------------------------------------------------------------------

  async listScanners(): Promise<z.output<typeof ScannerListing>[]> {
    const list = await this.deps.scanners.list().catch((err: unknown) => {
      throw this.deviceFailure(err);
    });
    return Promise.all(
      list.map(async (info) => {
        try {
          const caps = await this.deps.scanners.open(info.id).capabilities();
          return { ...info, capabilities: caps, error: null };
        } catch (err) {
          return {
            ...info,
            capabilities: null,
            error: { code: errorCodeOf(err, 'DEVICE_UNAVAILABLE'), message: errorMessage(err) },
          };
        }
      }),
    );
  }

  /** Starts scanning into a new batch; pages arrive in the background (`digitise.progress`). */
  async startScan(
    scannerId: string,
    request: ScanRequestParams,
    profileInput: DigitiseProfileInput,
    user: SessionUser,
  ): Promise<{ batchId: string }> {
    const scanner = this.openScanner(scannerId);
    if (scanner.info.kind === 'file') {
      throw new AppError(
        'VALIDATION_FAILED',
        'Nhập từ tệp: chọn tệp ảnh hoặc PDF để nhập (digitise.importFiles), không dùng lệnh quét.',
        { field: 'scannerId' },
      );
    }
    await this.checkRequest(scanner, request);
    const profile = resolveProfile(profileInput, request, this.deps.defaultProfile);
    const batchId = randomUUID();
    this.deps.store.batches.create({
      id: batchId,
      source: 'scanner',
      scannerId,
      request,
      profile,
      officer: user.username,
      createdAt: this.deps.clock.localNow(),
    });
    this.deps.log.log('info', 'digitise.scan-start', {
      batchId,
      scanner: scannerId,
      source: request.source,
      dpi: request.resolution,
    });
    const job: Job = { scan: new AbortController() };
    this.jobs.set(batchId, job);
    this.track(this.runScan(batchId, scanner, request, job));
    return { batchId };
  }

  /** Imports image/PDF files as a new batch; the files are read now, pages are processed in the background. */
  async importFiles(
    files: { name: string; base64: string }[],
    profileInput: DigitiseProfileInput,
    user: SessionUser,
  ): Promise<{ batchId: string; pages: number }> {
    const profile = resolveProfile(profileInput, undefined, this.deps.defaultProfile);
    const decoded: { name: string; pages: Awaited<ReturnType<typeof decodeFilePages>> }[] = [];
    for (const file of files) {
      const bytes = new Uint8Array(Buffer.from(file.base64, 'base64'));
      try {
        decoded.push({
          name: file.name,
          pages: await decodeFilePages(file.name, bytes, {
            dpi: profile.dpi,
            colour: profile.colour,
            signal: this.shutdown.signal,
          }),
        });
      } catch (err) {
        throw new AppError(
          'IMAGE_UNREADABLE',
          err instanceof FileImportError ? err.message : `Không đọc được tệp ${file.name}: ${errorMessage(err)}`,
          { file: file.name },
        );
      }
    }
    const batchId = randomUUID();
    this.deps.store.batches.create({
      id: batchId,
      source: 'import',
      scannerId: null,
      request: null,
      profile,
      officer: user.username,
      createdAt: this.deps.clock.localNow(),
    });
    let count = 0;
    for (const file of decoded) {
      for (const page of file.pages) {
        await this.capture(batchId, {
          side: 'front',
          bytes: page.bytes,
          mimeType: page.mimeType,
          resolution: page.resolution,
        });
        count++;
      }
    }
    this.deps.store.batches.setState(batchId, 'ready');
    this.deps.log.log('info', 'digitise.import', { batchId, files: files.length, pages: count });
    return { batchId, pages: count };
  }

  /** Stops the scan of a batch; pages already captured stay in the batch and are processed. */
  cancel(batchId: string): { done: true } {
    this.mustBatch(batchId);
    this.jobs.get(batchId)?.scan?.abort();
    return { done: true };
  }

  // ---- viewing and editing --------------------------------------------------------------------

  async batch(batchId: string): Promise<BatchView> {
    return this.views.view(this.mustBatch(batchId));
  }

  openBatches(): z.output<typeof BatchSummary>[] {
    return this.deps.store.batches.listOpen().map((b) => ({
      batchId: b.id,
      state: b.state,
      source: b.source,
      createdAt: b.createdAt,
      officer: b.officer,
      lastError: b.lastError,
      pages: this.deps.store.batches.get(b.id)?.pages.filter((p) => !p.deleted).length ?? 0,
    }));
  }

  async editBatch(batchId: string, ops: BatchEdit[], user: SessionUser): Promise<BatchView> {
    const { store } = this.deps;
    const { batch } = this.mustBatch(batchId);
    if (batch.state === 'closed') throw new AppError('DIGITISE_ALREADY_FINISHED', 'Lô quét đã đóng.');
    const reprocess: number[] = [];
    const rescans: number[] = [];
    try {
      store.transaction(() => {
        for (const op of ops) {
          const pages = this.mustBatch(batchId).pages;
          const slots: PageSlot[] = pages.map((p) => ({
            index: p.index,
            group: p.groupIndex,
            finished: p.documentId !== null,
          }));
          switch (op.op) {
            case 'reorder': {
              const next = reorder(slots, op.order);
              store.batches.setOrder(batchId, next.order);
              this.applyGroups(batchId, slots, next.groups);
              break;
            }
            case 'split':
              this.applyGroups(batchId, slots, split(slots, op.afterPage));
              break;
            case 'join':
              this.applyGroups(batchId, slots, join(slots, op.afterPage));
              break;
            case 'rotate': {
              const page = this.editablePage(pages, op.page);
              store.batches.setRotationOverride(batchId, page.index, quarterTurn(page.rotationOverride + op.degrees));
              store.batches.updatePage(batchId, page.index, { status: 'pending' });
              reprocess.push(page.index);
              break;
            }
            case 'delete':
            case 'restore':
              store.batches.markDeleted(batchId, this.editablePage(pages, op.page).index, op.op === 'delete');
              if (op.op === 'restore') reprocess.push(op.page);
              break;
            case 'rescan':
              if (batch.source !== 'scanner' || batch.scannerId === null)
                throw new AppError('VALIDATION_FAILED', 'Lô nhập từ tệp không quét lại được; hãy nhập lại tệp.');
              if (this.jobs.get(batchId)?.scan)
                throw new AppError('DIGITISE_PAGES_PENDING', 'Máy quét đang quét lô này; chờ xong rồi quét lại trang.');
              this.editablePage(pages, op.page);
              rescans.push(op.page);
              break;
          }
        }
        store.audit.append({
          at: this.deps.clock.localNow(),
          actor: user.username,
          action: 'digitise.edit',
          entity: 'digitise-batch',
          entityId: batchId,
          details: { ops: ops.map((o) => o.op) },
        });
      });
    } catch (err) {
      if (err instanceof LayoutError) throw new AppError(err.code, err.message);
      throw err;
    }
    for (const index of reprocess) this.enqueue(batchId, index);
    if (rescans.length > 0) {
      const scanner = this.openScanner(batch.scannerId!);
      const job: Job = { scan: new AbortController() };
      this.jobs.set(batchId, job);
      this.track(this.runRescans(batchId, scanner, rescans, job));
    }
    return this.batch(batchId);
  }

  // ---- finishing ------------------------------------------------------------------------------

  /** One group of the batch as a digitised document (see `DocumentFinisher.finish`). */
  async finish(
    batchId: string,
    group: number,
    metadata: DigitisedMetadata,
    componentCode: string | null,
    user: SessionUser,
  ): Promise<z.output<typeof FinishResult>> {
    const { result, dossier } = await this.finisher.finish(
      this.mustBatch(batchId),
      group,
      metadata,
      componentCode,
      user,
    );
    if (result.batchClosed) this.drafts.drop(batchId);
    else this.drafts.dropGroup(batchId, group);
    if (dossier) {
      this.deps.onOutbox?.();
      this.deps.events.publish('dossier.changed', { code: dossier.code, status: dossier.status });
    }
    this.emit(batchId, null, 'finished');
    return result;
  }

  /** The stored PDF of a document digitised here, for the search screen's preview. */
  async documentPdf(id: string): Promise<{ fileName: string; base64: string; sha256: string }> {
    const doc = this.deps.store.documents.digitised(id);
    if (!doc || doc.blobSha256 === null)
      throw new AppError('NOT_FOUND', `Không tìm thấy văn bản số hóa ${id.slice(0, 40)}.`);
    const bytes = await this.deps.store.blobs.get(doc.blobSha256);
    return {
      fileName: `${doc.documentCode}-${id.replace(':', '')}.pdf`,
      base64: Buffer.from(bytes).toString('base64'),
      sha256: doc.blobSha256,
    };
  }

  /** Components intake marked 'to-digitise' that have no digitised document yet. */
  pendingComponents(): z.output<typeof PendingComponent>[] {
    return this.deps.store.dossiers.pendingDigitisation();
  }

  // ---- lifecycle ------------------------------------------------------------------------------

  /**
   * After a restart: a batch that was capturing is marked ready (its scan is gone; what was
   * captured is kept) and every page still pending is processed.
   */
  resume(): number {
    let queued = 0;
    for (const b of this.deps.store.batches.listOpen()) {
      if (this.jobs.has(b.id)) continue;
      if (b.state === 'capturing')
        this.deps.store.batches.setState(
          b.id,
          'ready',
          'Lượt quét bị gián đoạn (ứng dụng khởi động lại); các trang đã quét được giữ lại.',
        );
      for (const p of this.deps.store.batches.pendingPages(b.id)) {
        this.enqueue(b.id, p.index);
        queued++;
      }
    }
    if (queued > 0) this.deps.log.log('info', 'digitise.resume', { pages: queued });
    return queued;
  }

  /** Resolves once no scan or page processing is running. */
  async idle(): Promise<void> {
    while (this.tasks.size > 0) await Promise.allSettled([...this.tasks]);
  }

  /**
   * Stops scans and processing (pages left pending are picked up by `resume` next time). Waits for
   * running work to wind down, but not longer than `waitMs`: a stuck device must not hold up quitting.
   */
  async close(waitMs = 10_000): Promise<void> {
    for (const job of this.jobs.values()) job.scan?.abort();
    this.shutdown.abort();
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      this.idle(),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      }),
    ]);
    clearTimeout(timer);
  }

  // ---- internals ------------------------------------------------------------------------------

  private async runScan(batchId: string, scanner: Scanner, request: ScanRequestParams, job: Job): Promise<void> {
    const signal = job.scan!.signal;
    let lastError: string | null = null;
    try {
      for await (const page of scanner.scan(request, { signal })) await this.capture(batchId, page);
      this.emit(batchId, null, 'scan-ended');
    } catch (err) {
      const code = errorCodeOf(err, 'DEVICE_UNAVAILABLE');
      if (code === 'SCANNER_CANCELLED') {
        this.emit(batchId, null, 'cancelled');
      } else {
        lastError = `${code}: ${errorMessage(err)}`;
        this.deps.log.log('warn', 'digitise.scan-failed', { batchId, code, error: errorMessage(err) });
        this.emit(batchId, null, 'error', { code, message: errorMessage(err) });
      }
    } finally {
      job.scan = null;
      this.jobs.delete(batchId);
      this.deps.store.batches.setState(batchId, 'ready', lastError);
    }
  }

  private async runRescans(batchId: string, scanner: Scanner, pages: number[], job: Job): Promise<void> {
    const { store } = this.deps;
    const request = store.batches.get(batchId)!.batch.request as ScanRequestParams;
    const one: ScanRequestParams = { ...request, duplex: false };
    try {
      store.batches.setState(batchId, 'capturing');
      for (const index of pages) {
        const old = store.batches.page(batchId, index)!;
        let got: ScannedPage | null = null;
        for await (const page of scanner.scan(one, { signal: job.scan!.signal })) {
          got = page;
          break;
        }
        if (!got) continue;
        const fresh = await this.capture(
          batchId,
          { ...got, side: old.side },
          { position: old.position, groupIndex: old.groupIndex },
        );
        store.batches.markDeleted(batchId, index, true);
        this.emit(batchId, fresh, 'rescanned');
      }
      store.batches.setState(batchId, 'ready');
    } catch (err) {
      const code = errorCodeOf(err, 'DEVICE_UNAVAILABLE');
      store.batches.setState(batchId, 'ready', code === 'SCANNER_CANCELLED' ? null : `${code}: ${errorMessage(err)}`);
      this.emit(
        batchId,
        null,
        code === 'SCANNER_CANCELLED' ? 'cancelled' : 'error',
        code === 'SCANNER_CANCELLED' ? undefined : { code, message: errorMessage(err) },
      );
    } finally {
      job.scan = null;
      this.jobs.delete(batchId);
    }
  }

  /** Keeps a capture (blob, then row) before anything else happens to it, then queues its processing. */
  private async capture(
    batchId: string,
    page: Pick<ScannedPage, 'side' | 'bytes' | 'mimeType' | 'resolution'>,
    place: { position?: number; groupIndex?: number } = {},
  ): Promise<number> {
    const { store } = this.deps;
    const blob = await store.blobs.put(page.bytes);
    const index = store.batches.nextIndex(batchId);
    store.batches.addPage({
      batchId,
      index,
      side: page.side,
      dpi: Math.round(Math.min(1200, Math.max(50, page.resolution))),
      mimeType: page.mimeType,
      originalSha256: blob.sha256,
      ...place,
    });
    this.emit(batchId, index, 'captured');
    this.enqueue(batchId, index);
    return index;
  }

  private enqueue(batchId: string, index: number): void {
    this.track(this.limiter.run(() => this.processOne(batchId, index)));
  }

  private async processOne(batchId: string, index: number): Promise<void> {
    const { store } = this.deps;
    if (this.shutdown.signal.aborted) return;
    const got = store.batches.get(batchId);
    const page = store.batches.page(batchId, index);
    if (!got || !page || page.deleted || page.status !== 'pending' || got.batch.state === 'closed') return;
    const turn = page.rotationOverride;
    const profile = storedProfile(got.batch.profile);
    this.emit(batchId, index, 'processing');
    try {
      const original = await store.blobs.get(page.originalSha256);
      const bytes = await rotateCapture(original, turn);
      if (this.shutdown.signal.aborted) return;
      const pipeline = this.pipeline(turn === 0 ? profile : { ...profile, autoOrient: false });
      const state = await pipeline.processPage(
        { index, side: page.side, bytes, dpi: page.dpi },
        {
          signal: this.shutdown.signal,
          onStage: (stage) => this.emit(batchId, index, stage),
        },
      );
      const encoded = await encodeProcessedPage(state);
      const processed = await store.blobs.put(encoded.processed);
      const thumbnail = await store.blobs.put(encoded.thumbnail);
      const now = store.batches.page(batchId, index);
      if (!now || now.rotationOverride !== turn || now.status !== 'pending') {
        // Turned again (or rescanned) while this run was going: the newer request wins.
        if (now && now.status === 'pending' && !now.deleted) this.enqueue(batchId, index);
        return;
      }
      store.batches.updatePage(batchId, index, {
        status: 'ok',
        processedSha256: processed.sha256,
        processedJson: JSON.stringify(encoded.meta),
        thumbnailSha256: thumbnail.sha256,
        ocrText: encoded.ocr.text,
        ocrJson: JSON.stringify(encoded.ocr),
        ocrConfidence: encoded.ocr.meanConfidence,
        blank: state.blank,
        inkCoverage: state.inkCoverage,
        skewAngle: state.skewAngle,
        rotation: encoded.rotation,
      });
      // A blank page is set aside (flagged and deleted, shown to the officer, `restore` brings it back), never dropped
      // silently.
      if (state.blank && !page.blank) store.batches.markDeleted(batchId, index, true);
      this.emit(batchId, index, state.blank ? 'blank' : 'done');
    } catch (err) {
      if (this.shutdown.signal.aborted) return;
      const code = errorCodeOf(err, 'DIGITISE_FAILED');
      this.deps.log.log('warn', 'digitise.page-failed', { batchId, page: index, code, error: errorMessage(err) });
      store.batches.updatePage(batchId, index, {
        status: 'error',
        errorCode: code,
        errorMessage: errorMessage(err) || 'lỗi không rõ',
      });
      this.emit(batchId, index, 'error', { code, message: errorMessage(err) });
    }
  }

  private pipeline(profile: DigitiseProfile): ReturnType<PipelineFactory> {
    const key = JSON.stringify(profile);
    let p = this.pipelineCache.get(key);
    if (!p) {
      p = this.deps.pipelines(profile);
      this.pipelineCache.set(key, p);
    }
    return p;
  }

  private track(task: Promise<unknown>): void {
    const tracked = task
      .catch((err: unknown) => this.deps.log.log('error', 'digitise.task-crashed', { error: errorMessage(err) }))
      .finally(() => this.tasks.delete(tracked));
    this.tasks.add(tracked);
  }

  private emit(batchId: string, page: number | null, stage: string, error?: { code: string; message: string }): void {
    const pages = this.deps.store.batches.get(batchId)?.pages.filter((p) => !p.deleted || p.blank) ?? [];
    const progress: Progress = {
      batchId,
      page,
      stage,
      done: pages.filter((p) => p.status !== 'pending').length,
      total: pages.length,
      ...(error ? { error } : {}),
    };
    try {
      this.deps.events.publish('digitise.progress', progress);
    } catch (err) {
      this.deps.log.log('warn', 'digitise.event-failed', { error: errorMessage(err) });
    }
  }

  private applyGroups(batchId: string, slots: PageSlot[], groups: Groups): void {
    if (groups.size === 0) return;
    this.deps.store.batches.setGroups(batchId, groupLists(slots, groups));
  }

  private editablePage(pages: BatchPageRecord[], index: number): BatchPageRecord {
    const page = pages.find((p) => p.index === index);
    if (!page) throw new AppError('VALIDATION_FAILED', `Lô quét không có trang số ${index}.`, { page: index });
    if (page.documentId !== null)
      throw new AppError('DIGITISE_ALREADY_FINISHED', `Trang ${index} đã thuộc văn bản số hóa L:${page.documentId}.`);
    return page;
  }

  private mustBatch(batchId: string): BatchWithPages {
    const got = this.deps.store.batches.get(batchId);
    if (!got) throw new AppError('NOT_FOUND', `Không tìm thấy lô quét ${batchId.slice(0, 64)}.`);
    return got;
  }

  private openScanner(scannerId: string): Scanner {
    try {
      return this.deps.scanners.open(scannerId);
    } catch (err) {
      if (err instanceof RangeError)
        throw new AppError('NOT_FOUND', `Không có máy quét ${scannerId.slice(0, 100)}.`, { field: 'scannerId' });
      throw this.deviceFailure(err);
    }
  }

  private async checkRequest(scanner: Scanner, request: ScanRequestParams): Promise<void> {
    const caps = await scanner.capabilities().catch((err: unknown) => {
      throw this.deviceFailure(err);
    });
    const wrong = (field: string, text: string): AppError =>
      new AppError('VALIDATION_FAILED', text, { field: `request.${field}` });
    if (!caps.sources.includes(request.source))
      throw wrong(
        'source',
        `Máy quét ${scanner.info.name} không có ${request.source === 'feeder' ? 'khay nạp giấy' : 'mặt kính'}.`,
      );
    if (request.duplex && (!caps.duplex || request.source !== 'feeder'))
      throw wrong('duplex', `Máy quét ${scanner.info.name} không quét hai mặt với nguồn giấy này.`);
    if (!caps.resolutions.includes(request.resolution))
      throw wrong(
        'resolution',
        `Máy quét ${scanner.info.name} không có độ phân giải ${request.resolution} dpi (có: ${caps.resolutions.join(', ')}).`,
      );
    if (!caps.modes.includes(request.mode))
      throw wrong('mode', `Máy quét ${scanner.info.name} không quét chế độ màu ${request.mode}.`);
    if (request.pageSize !== undefined && !caps.pageSizes.some((s) => s.name === request.pageSize))
      throw wrong('pageSize', `Máy quét ${scanner.info.name} không có khổ giấy ${request.pageSize}.`);
  }

  private deviceFailure(err: unknown): AppError {
    if (err instanceof AppError) return err;
    const code = errorCodeOf(err, 'DEVICE_UNAVAILABLE');
    return new AppError(
      isErrorCode(code) ? code : 'DEVICE_UNAVAILABLE',
      `Máy quét chưa sẵn sàng: ${errorMessage(err)}`,
    );
  }
}

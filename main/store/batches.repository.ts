import type { Db } from './db';

export type BatchSource = 'scanner' | 'import';
/** capturing: pages still arriving; ready: capture over (pages may still be processing); closed: done or discarded. */
export type BatchState = 'capturing' | 'ready' | 'closed';
export type BatchPageStatus = 'pending' | 'ok' | 'error';
export type QuarterTurn = 0 | 90 | 180 | 270;

export interface NewBatch {
  id: string;
  source: BatchSource;
  scannerId: string | null;
  /** What the scanner was asked for (kept so a page can be rescanned the same way). */
  request: unknown;
  profile: unknown;
  officer: string;
  createdAt: string;
}

export interface BatchRecord {
  id: string;
  source: BatchSource;
  scannerId: string | null;
  request: unknown;
  profile: unknown;
  state: BatchState;
  lastError: string | null;
  officer: string;
  createdAt: string;
  closedAt: string | null;
}

export interface NewBatchPage {
  batchId: string;
  /** Capture number inside the batch (stable: edits refer to pages by it). */
  index: number;
  side: 'front' | 'back';
  dpi: number;
  mimeType: string;
  originalSha256: string;
  /** Defaults to after the last page. */
  position?: number;
  /** Defaults to the group of the page it follows. */
  groupIndex?: number;
}

export interface BatchPageRecord {
  batchId: string;
  index: number;
  side: 'front' | 'back';
  dpi: number;
  mimeType: string;
  originalSha256: string;
  processedSha256: string | null;
  /** How the processed image is encoded, as JSON (format, width, height, channels, dpi). */
  processedJson: string | null;
  thumbnailSha256: string | null;
  ocrText: string | null;
  /** The OCR result with word boxes, as JSON (the PDF's text layer is built from it). */
  ocrJson: string | null;
  ocrConfidence: number | null;
  blank: boolean;
  inkCoverage: number | null;
  skewAngle: number;
  rotation: QuarterTurn;
  status: BatchPageStatus;
  errorCode: string | null;
  errorMessage: string | null;
  position: number;
  groupIndex: number;
  rotationOverride: QuarterTurn;
  deleted: boolean;
  /** Local document row this page went into, once its group was finished. */
  documentId: number | null;
}

/** What processing a page gave: a cleaned, OCRed page, a failure, or back to waiting. */
export type PageOutcome =
  | {
      status: 'ok';
      processedSha256: string;
      processedJson: string;
      thumbnailSha256: string | null;
      ocrText: string;
      ocrJson: string;
      ocrConfidence: number;
      blank: boolean;
      inkCoverage: number;
      skewAngle: number;
      rotation: QuarterTurn;
    }
  | { status: 'error'; errorCode: string; errorMessage: string }
  | { status: 'pending' };

export interface BatchWithPages {
  batch: BatchRecord;
  /** In position order, deleted pages included (flagged). */
  pages: BatchPageRecord[];
}

interface BatchRow {
  id: string;
  source: BatchSource;
  scanner_id: string | null;
  request_json: string | null;
  profile_json: string;
  state: BatchState;
  last_error: string | null;
  officer: string;
  created_at: string;
  closed_at: string | null;
}

interface PageRow {
  batch_id: string;
  page_index: number;
  side: 'front' | 'back';
  dpi: number;
  mime_type: string;
  original_blob_sha256: string;
  processed_blob_sha256: string | null;
  processed_json: string | null;
  thumbnail_blob_sha256: string | null;
  ocr_text: string | null;
  ocr_json: string | null;
  ocr_confidence: number | null;
  blank: 0 | 1;
  ink_coverage: number | null;
  skew_angle: number;
  rotation: QuarterTurn;
  status: BatchPageStatus;
  error_code: string | null;
  error_message: string | null;
  position: number;
  group_index: number;
  rotation_override: QuarterTurn;
  deleted: 0 | 1;
  document_id: number | null;
}

function toBatch(row: BatchRow): BatchRecord {
  return {
    id: row.id,
    source: row.source,
    scannerId: row.scanner_id,
    request: row.request_json === null ? null : (JSON.parse(row.request_json) as unknown),
    profile: JSON.parse(row.profile_json) as unknown,
    state: row.state,
    lastError: row.last_error,
    officer: row.officer,
    createdAt: row.created_at,
    closedAt: row.closed_at,
  };
}

function toPage(row: PageRow): BatchPageRecord {
  return {
    batchId: row.batch_id,
    index: row.page_index,
    side: row.side,
    dpi: row.dpi,
    mimeType: row.mime_type,
    originalSha256: row.original_blob_sha256,
    processedSha256: row.processed_blob_sha256,
    processedJson: row.processed_json,
    thumbnailSha256: row.thumbnail_blob_sha256,
    ocrText: row.ocr_text,
    ocrJson: row.ocr_json,
    ocrConfidence: row.ocr_confidence,
    blank: row.blank === 1,
    inkCoverage: row.ink_coverage,
    skewAngle: row.skew_angle,
    rotation: row.rotation,
    status: row.status,
    errorCode: row.error_code,
    errorMessage: row.error_message,
    position: row.position,
    groupIndex: row.group_index,
    rotationOverride: row.rotation_override,
    deleted: row.deleted === 1,
    documentId: row.document_id,
  };
}

/**
 * Digitisation batches in progress. Every captured page is written here (with its original in the
 * blob store) as soon as it arrives, before any processing, so neither a crash nor a page that
 * fails processing loses a capture; a restart finds the batch with `listOpen`.
 */
export class BatchesRepository {
  private readonly insertBatch;
  private readonly batchById;
  private readonly openBatches;
  private readonly insertPageStmt;
  private readonly pagesOf;
  private readonly pageStmt;
  private readonly lastPage;
  private readonly outcomeStmt;
  private readonly pendingStmt;
  private readonly positionStmt;
  private readonly groupStmt;
  private readonly deletedStmt;
  private readonly rotationStmt;
  private readonly documentStmt;
  private readonly stateStmt;
  private readonly closeStmt;
  private readonly nextIndexStmt;

  constructor(private readonly db: Db) {
    this.insertBatch = db.prepare<[string, BatchSource, string | null, string | null, string, string, string]>(`
      INSERT INTO digitise_batches (id, source, scanner_id, request_json, profile_json, officer, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?)`);
    this.batchById = db.prepare<[string], BatchRow>('SELECT * FROM digitise_batches WHERE id = ?');
    this.openBatches = db.prepare<[], BatchRow>(
      "SELECT * FROM digitise_batches WHERE state <> 'closed' ORDER BY created_at, id",
    );
    this.insertPageStmt = db.prepare<[string, number, string, number, string, string, number, number]>(`
      INSERT INTO digitise_batch_pages (batch_id, page_index, side, dpi, mime_type, original_blob_sha256, position, group_index)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
    this.pagesOf = db.prepare<[string], PageRow>(
      'SELECT * FROM digitise_batch_pages WHERE batch_id = ? ORDER BY position, page_index',
    );
    this.pageStmt = db.prepare<[string, number], PageRow>(
      'SELECT * FROM digitise_batch_pages WHERE batch_id = ? AND page_index = ?',
    );
    this.lastPage = db.prepare<[string], { position: number; group_index: number }>(
      'SELECT position, group_index FROM digitise_batch_pages WHERE batch_id = ? ORDER BY position DESC, page_index DESC LIMIT 1',
    );
    this.outcomeStmt = db.prepare<[OutcomeParams]>(`
      UPDATE digitise_batch_pages SET status = @status, processed_blob_sha256 = @processedSha256,
        processed_json = @processedJson, thumbnail_blob_sha256 = @thumbnailSha256, ocr_text = @ocrText,
        ocr_json = @ocrJson, ocr_confidence = @ocrConfidence, blank = @blank, ink_coverage = @inkCoverage,
        skew_angle = @skewAngle, rotation = @rotation, error_code = @errorCode, error_message = @errorMessage
      WHERE batch_id = @batchId AND page_index = @index`);
    this.pendingStmt = db.prepare<[string], PageRow>(
      "SELECT * FROM digitise_batch_pages WHERE batch_id = ? AND status = 'pending' AND deleted = 0 ORDER BY position, page_index",
    );
    this.positionStmt = db.prepare<[number, string, number]>(
      'UPDATE digitise_batch_pages SET position = ? WHERE batch_id = ? AND page_index = ?',
    );
    this.groupStmt = db.prepare<[number, string, number]>(
      'UPDATE digitise_batch_pages SET group_index = ? WHERE batch_id = ? AND page_index = ?',
    );
    this.deletedStmt = db.prepare<[number, string, number]>(
      'UPDATE digitise_batch_pages SET deleted = ? WHERE batch_id = ? AND page_index = ?',
    );
    this.rotationStmt = db.prepare<[number, string, number]>(
      'UPDATE digitise_batch_pages SET rotation_override = ? WHERE batch_id = ? AND page_index = ?',
    );
    this.documentStmt = db.prepare<[number, string, number]>(
      'UPDATE digitise_batch_pages SET document_id = ? WHERE batch_id = ? AND page_index = ?',
    );
    this.stateStmt = db.prepare<[BatchState, string | null, string]>(
      'UPDATE digitise_batches SET state = ?, last_error = ? WHERE id = ?',
    );
    this.closeStmt = db.prepare<[string, string]>(
      "UPDATE digitise_batches SET state = 'closed', closed_at = ? WHERE id = ?",
    );
    this.nextIndexStmt = db
      .prepare<[string], number>('SELECT coalesce(max(page_index) + 1, 0) FROM digitise_batch_pages WHERE batch_id = ?')
      .pluck();
  }

  create(b: NewBatch): BatchRecord {
    this.insertBatch.run(
      b.id,
      b.source,
      b.scannerId,
      b.request === null || b.request === undefined ? null : JSON.stringify(b.request),
      JSON.stringify(b.profile ?? {}),
      b.officer,
      b.createdAt,
    );
    return this.mustBatch(b.id);
  }

  /** Records a captured page (status pending) after its original is in the blob store. */
  addPage(p: NewBatchPage): BatchPageRecord {
    return this.db.transaction(() => {
      const last = this.lastPage.get(p.batchId);
      const position = p.position ?? (last ? last.position + 1 : 0);
      const group = p.groupIndex ?? last?.group_index ?? 0;
      this.insertPageStmt.run(p.batchId, p.index, p.side, p.dpi, p.mimeType, p.originalSha256, position, group);
      return this.mustPage(p.batchId, p.index);
    })();
  }

  /** The next free capture number of a batch. */
  nextIndex(batchId: string): number {
    return this.nextIndexStmt.get(batchId) ?? 0;
  }

  /** Records what processing gave (or puts the page back to pending for another run). */
  updatePage(batchId: string, index: number, outcome: PageOutcome): BatchPageRecord {
    const base: OutcomeParams = {
      batchId,
      index,
      status: outcome.status,
      processedSha256: null,
      processedJson: null,
      thumbnailSha256: null,
      ocrText: null,
      ocrJson: null,
      ocrConfidence: null,
      blank: 0,
      inkCoverage: null,
      skewAngle: 0,
      rotation: 0,
      errorCode: null,
      errorMessage: null,
    };
    if (outcome.status === 'ok') {
      Object.assign(base, {
        processedSha256: outcome.processedSha256,
        processedJson: outcome.processedJson,
        thumbnailSha256: outcome.thumbnailSha256,
        ocrText: outcome.ocrText,
        ocrJson: outcome.ocrJson,
        ocrConfidence: outcome.ocrConfidence,
        blank: outcome.blank ? 1 : 0,
        inkCoverage: outcome.inkCoverage,
        skewAngle: outcome.skewAngle,
        rotation: outcome.rotation,
      });
    } else if (outcome.status === 'error') {
      Object.assign(base, { errorCode: outcome.errorCode, errorMessage: outcome.errorMessage });
    }
    this.expectOne(this.outcomeStmt.run(base).changes, batchId, index);
    return this.mustPage(batchId, index);
  }

  /** Puts pages in this order (capture numbers); pages not named keep their relative order after them. */
  setOrder(batchId: string, order: number[]): void {
    this.db.transaction(() => {
      const pages = this.pagesOf.all(batchId);
      const known = new Set(pages.map((p) => p.page_index));
      const seen = new Set<number>();
      for (const index of order) {
        if (!known.has(index)) throw new RangeError(`batch ${batchId} has no page ${index}`);
        if (seen.has(index)) throw new RangeError(`page ${index} named twice`);
        seen.add(index);
      }
      const full = [...order, ...pages.map((p) => p.page_index).filter((i) => !seen.has(i))];
      full.forEach((index, position) => this.positionStmt.run(position, batchId, index));
    })();
  }

  markDeleted(batchId: string, index: number, deleted = true): void {
    this.expectOne(this.deletedStmt.run(deleted ? 1 : 0, batchId, index).changes, batchId, index);
  }

  setRotationOverride(batchId: string, index: number, degrees: QuarterTurn): void {
    this.expectOne(this.rotationStmt.run(degrees, batchId, index).changes, batchId, index);
  }

  /** Splits the batch into documents: `groups[g]` lists the capture numbers of group g. */
  setGroups(batchId: string, groups: number[][]): void {
    this.db.transaction(() => {
      groups.forEach((indexes, group) => {
        for (const index of indexes) this.expectOne(this.groupStmt.run(group, batchId, index).changes, batchId, index);
      });
    })();
  }

  /** Links pages to the document their group became. */
  markFinished(batchId: string, indexes: number[], documentRowId: number): void {
    for (const index of indexes)
      this.expectOne(this.documentStmt.run(documentRowId, batchId, index).changes, batchId, index);
  }

  setState(batchId: string, state: Exclude<BatchState, 'closed'>, lastError: string | null = null): void {
    if (this.stateStmt.run(state, lastError, batchId).changes !== 1) throw new RangeError(`unknown batch ${batchId}`);
  }

  get(batchId: string): BatchWithPages | null {
    const row = this.batchById.get(batchId);
    if (!row) return null;
    return { batch: toBatch(row), pages: this.pagesOf.all(batchId).map(toPage) };
  }

  page(batchId: string, index: number): BatchPageRecord | null {
    const row = this.pageStmt.get(batchId, index);
    return row ? toPage(row) : null;
  }

  /** Pages still waiting for processing (not deleted), in order. */
  pendingPages(batchId: string): BatchPageRecord[] {
    return this.pendingStmt.all(batchId).map(toPage);
  }

  /** Batches not closed yet, oldest first (what a restart resumes). */
  listOpen(): BatchRecord[] {
    return this.openBatches.all().map(toBatch);
  }

  close(batchId: string, at: string): void {
    if (this.closeStmt.run(at, batchId).changes !== 1) throw new RangeError(`unknown batch ${batchId}`);
  }

  private expectOne(changes: number, batchId: string, index: number): void {
    if (changes !== 1) throw new RangeError(`batch ${batchId} has no page ${index}`);
  }

  private mustBatch(id: string): BatchRecord {
    const row = this.batchById.get(id);
    if (!row) throw new Error(`unknown batch ${id}`);
    return toBatch(row);
  }

  private mustPage(batchId: string, index: number): BatchPageRecord {
    const row = this.pageStmt.get(batchId, index);
    if (!row) throw new RangeError(`batch ${batchId} has no page ${index}`);
    return toPage(row);
  }
}

interface OutcomeParams {
  batchId: string;
  index: number;
  status: BatchPageStatus;
  processedSha256: string | null;
  processedJson: string | null;
  thumbnailSha256: string | null;
  ocrText: string | null;
  ocrJson: string | null;
  ocrConfidence: number | null;
  blank: 0 | 1;
  inkCoverage: number | null;
  skewAngle: number;
  rotation: QuarterTurn;
  errorCode: string | null;
  errorMessage: string | null;
}

import { blankStage } from './blank.stage';
import { cleanStage } from './clean.stage';
import { cropStage } from './crop.stage';
import { CaptureDecodeError } from './decode';
import { decodeStage } from './decode.stage';
import type { DocumentPages } from './document-pages';
import { deskewStage } from './deskew.stage';
import { duplexStage } from './duplex.stage';
import { OcrError, abortError } from './ocr/worker-pool';
import type { OcrPool } from './ocr/worker-pool';
import { createOcrStage } from './ocr.stage';
import type { OcrStageOptions } from './ocr.stage';
import { createOrientationStage, orientationStage } from './orientation.stage';
import { encodePageImage, previewImage } from './pdf/page-image';
import { buildSearchablePdf } from './pdf/searchable-pdf';
import type { DigitisedDocumentMeta } from './pdf/xmp';
import { NO_IMAGE } from './stage';
import type { DigitiseProfile, DocumentOutput, PageStage, PageState } from './types';

/** A capture as it comes from the scanner or a file. */
export interface Capture {
  index: number;
  side: 'front' | 'back';
  /** Encoded bytes (PNG, JPEG, TIFF, PNM); kept unchanged as `PageState.original`. */
  bytes: Uint8Array;
  /** Resolution the page was scanned at; when missing, the file's own, else the profile's. */
  dpi?: number;
}

export interface PageError {
  index: number;
  /** CAPTURE_UNREADABLE, OCR_FAILED, OCR_TIMEOUT, OCR_CLOSED, OCR_MODEL_MISSING, CANCELLED or PAGE_FAILED. */
  code: string;
  message: string;
  /** Stage that failed. */
  stage?: string;
}

export interface BatchItem {
  index: number;
  page?: PageState;
  error?: PageError;
}

/**
 * The signing slot between the PDF and the store (docs/architecture.md, "Digitisation": OCR before signing, since any
 * later change would break the signature). The agency's PAdES signature arrives in the next release;
 * until then the slot is the identity. `finishDocument` runs it last, on the finished PDF.
 */
export type SignStage = (pdf: Uint8Array, meta: DigitisedDocumentMeta) => Promise<Uint8Array>;
export const identitySign: SignStage = async (pdf) => pdf;

export interface PipelineOptions {
  profile: DigitiseProfile;
  /** Shared OCR workers; null runs the default stages without OCR. */
  ocrPool: OcrPool | null;
  /** Replaces the default stages (see `defaultStages`). */
  stages?: PageStage[];
  signStage?: SignStage;
  /** Pages of a batch in flight at once. Default: OCR workers + 1 (one page being prepared ahead). */
  concurrency?: number;
  /**
   * Keep the full-resolution working image on finished pages. Default false: the finished image is
   * encoded for the PDF (`output`) and `image` becomes a small preview, so memory stays flat.
   */
  keepWorkingImage?: boolean;
}

export interface ProcessOptions {
  signal?: AbortSignal;
  /** Called as each stage starts. */
  onStage?: (stage: string) => void;
}

export interface BatchOptions {
  signal?: AbortSignal;
  onProgress?: (pageIndex: number, stage: string) => void;
}

export interface Pipeline {
  readonly profile: DigitiseProfile;
  readonly stages: readonly PageStage[];
  processPage(capture: Capture, opts?: ProcessOptions): Promise<PageState>;
  /**
   * Pages in capture order, each either a page or that page's error; one failing page never stops
   * the others. When `signal` aborts, no further capture is read, pages in flight end as
   * CANCELLED errors, and the iteration ends.
   */
  processBatch(captures: AsyncIterable<Capture> | Iterable<Capture>, opts?: BatchOptions): AsyncIterable<BatchItem>;
  /** The searchable PDF of finished pages, then the signing slot. */
  finishDocument(pages: PageState[], meta: DigitisedDocumentMeta): Promise<DocumentOutput>;
  /**
   * The same from pages read one at a time (spilled to disk or kept in a store), so a long
   * document is never in memory whole: only the PDF being written is.
   */
  finishPages(pages: DocumentPages, meta: DigitisedDocumentMeta): Promise<DocumentOutput>;
}

/** decode → duplex → orientation → deskew → crop → clean → blank → ocr (geometry before OCR). */
export function defaultStages(ocrPool: OcrPool | null, ocr: OcrStageOptions = {}): PageStage[] {
  // With OCR, orientation turns a page only when a strip of its text reads better turned.
  const orientation = ocrPool === null ? orientationStage : createOrientationStage({ ocr: ocrPool });
  const stages = [decodeStage, duplexStage, orientation, deskewStage, cropStage, cleanStage, blankStage];
  return ocrPool === null ? stages : [...stages, createOcrStage(ocrPool, ocr)];
}

class StageError extends Error {
  constructor(
    readonly stage: string,
    readonly inner: unknown,
  ) {
    super(inner instanceof Error ? inner.message : String(inner));
    this.name = 'StageError';
  }
}

function isAbort(err: unknown): boolean {
  return err instanceof Error && err.name === 'AbortError';
}

export function pageError(index: number, err: unknown): PageError {
  const stage = err instanceof StageError ? err.stage : undefined;
  const cause = err instanceof StageError ? err.inner : err;
  const message = cause instanceof Error ? cause.message : String(cause);
  let code = 'PAGE_FAILED';
  if (isAbort(cause)) code = 'CANCELLED';
  else if (cause instanceof CaptureDecodeError) code = cause.code;
  else if (cause instanceof OcrError) code = cause.code;
  return { index, code, message, ...(stage === undefined ? {} : { stage }) };
}

async function* iterate<T>(source: AsyncIterable<T> | Iterable<T>): AsyncGenerator<T> {
  yield* source;
}

export function createPipeline(opts: PipelineOptions): Pipeline {
  const profile = opts.profile;
  const stages = opts.stages ?? defaultStages(opts.ocrPool);
  const sign = opts.signStage ?? identitySign;
  const concurrency = Math.max(1, opts.concurrency ?? (opts.ocrPool?.size ?? 1) + 1);

  const finishPage = async (page: PageState): Promise<PageState> => {
    const { ocrImage: _dropped, ...rest } = page;
    if (opts.keepWorkingImage === true || page.image.width === 0) return rest;
    const output = await encodePageImage(page.image, page.dpi, {
      colour: profile.colour,
      jpegQuality: profile.jpegQuality,
    });
    return { ...rest, output, image: await previewImage(page.image) };
  };

  const processPage = async (capture: Capture, o: ProcessOptions = {}): Promise<PageState> => {
    const signal = o.signal ?? new AbortController().signal;
    let page: PageState = {
      index: capture.index,
      side: capture.side,
      original: capture.bytes,
      image: NO_IMAGE,
      dpi: capture.dpi ?? 0,
      rotation: 0,
      skewAngle: 0,
      blank: false,
      inkCoverage: 0,
      ocr: null,
      notes: [],
      stagesRun: [],
    };
    const ctx = { profile, signal };
    for (const stage of stages) {
      if (signal.aborted) throw new StageError(stage.name, abortError(signal));
      o.onStage?.(stage.name);
      try {
        page = await stage.run(page, ctx);
      } catch (err) {
        throw new StageError(stage.name, signal.aborted && !isAbort(err) ? abortError(signal) : err);
      }
      page = { ...page, stagesRun: [...(page.stagesRun ?? []), stage.name] };
    }
    if (signal.aborted) throw new StageError('finish', abortError(signal));
    return finishPage(page);
  };

  return {
    profile,
    stages,
    async processPage(capture, o = {}) {
      try {
        return await processPage(capture, o);
      } catch (err) {
        throw err instanceof StageError ? err.inner : err;
      }
    },
    async *processBatch(captures, o = {}) {
      const signal = o.signal;
      const source = iterate(captures);
      const inFlight: Promise<BatchItem>[] = [];
      let exhausted = false;
      const run = async (c: Capture): Promise<BatchItem> => {
        try {
          const page = await processPage(c, {
            ...(signal === undefined ? {} : { signal }),
            onStage: (s) => o.onProgress?.(c.index, s),
          });
          o.onProgress?.(c.index, 'done');
          return { index: c.index, page };
        } catch (err) {
          o.onProgress?.(c.index, 'failed');
          return { index: c.index, error: pageError(c.index, err) };
        }
      };
      const fill = async (): Promise<void> => {
        while (!exhausted && inFlight.length < concurrency && signal?.aborted !== true) {
          const next = await source.next();
          if (next.done === true) {
            exhausted = true;
            break;
          }
          inFlight.push(run(next.value));
        }
      };
      try {
        await fill();
        while (inFlight.length > 0) {
          const item = await inFlight.shift()!;
          yield item;
          await fill();
        }
      } finally {
        // Stopping early (abort, or the consumer breaking out) lets the capture source clean up.
        if (!exhausted) await source.return(undefined);
        await Promise.allSettled(inFlight);
      }
    },
    async finishDocument(pages, meta) {
      const out = await buildSearchablePdf(pages, meta, { jpegQuality: profile.jpegQuality });
      return { ...out, pdf: await sign(out.pdf, meta) };
    },
    async finishPages(pages, meta) {
      const out = await buildSearchablePdf(pages, meta, { jpegQuality: profile.jpegQuality });
      return { ...out, pdf: await sign(out.pdf, meta) };
    },
  };
}

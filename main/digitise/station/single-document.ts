import type { PageState } from '../types';
import type { FilePage } from './file-pages';
import type { DigitisePipeline, DocumentMeta } from './pipeline-port';

export interface SingleDocument {
  pdf: Uint8Array;
  text: string;
  /** Pages in the PDF. */
  pageCount: number;
  /** Pages found blank and set aside (kept when every page is blank). */
  blankPages: number;
  /** Mean OCR confidence over the pages in the PDF (0-100). */
  meanConfidence: number;
}

/**
 * One document from pages already read from files, the way the station makes it: every page
 * through the pipeline, blank pages set aside, then the same `finishDocument` (with its signing slot).
 * Used by the `digitise` command, which has no store.
 */
export async function digitisePages(
  pages: readonly FilePage[],
  opts: { pipeline: DigitisePipeline; meta: DocumentMeta; signal: AbortSignal; concurrency?: number },
): Promise<SingleDocument> {
  const states: PageState[] = new Array<PageState>(pages.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < pages.length) {
      const i = next++;
      const page = pages[i]!;
      states[i] = await opts.pipeline.processPage(
        { index: i, side: 'front', bytes: page.bytes, dpi: page.resolution },
        { signal: opts.signal },
      );
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(opts.concurrency ?? 2, pages.length)) }, worker));
  const kept = states.filter((s) => !s.blank);
  const used = kept.length > 0 ? kept : states;
  const output = await opts.pipeline.finishDocument(used, opts.meta);
  const confidences = used.map((s) => s.ocr?.meanConfidence ?? 0);
  return {
    pdf: output.pdf,
    text: output.text,
    pageCount: output.pageCount,
    blankPages: states.length - kept.length,
    meanConfidence:
      confidences.length === 0
        ? 0
        : Math.round((confidences.reduce((a, b) => a + b, 0) / confidences.length) * 10) / 10,
  };
}

import type { OcrResult, PageState } from './types';

/**
 * The pages of a document as the PDF writer reads them: one at a time, so a long document never
 * holds every page's bytes at once (memory stays flat as the batch grows). The station reads
 * them back from the blob store, `PageSpill` from its folder, short documents from an array.
 */
export interface DocumentPages {
  readonly count: number;
  /** Characters of the page's OCR words (for the font subset), without loading its images. */
  characters(index: number): Promise<string>;
  /** The page, loaded when the writer gets to it; the writer drops it before loading the next. */
  load(index: number): Promise<PageState>;
}

/** Distinct characters of the OCR words (the text layer draws words, not `ocr.text`). */
export function ocrCharacters(ocr: OcrResult | null | undefined): string {
  const seen = new Set<string>();
  for (const w of ocr?.words ?? []) for (const ch of w.text.normalize('NFC')) seen.add(ch);
  return [...seen].join('');
}

/** Pages already in memory. */
export function inMemoryPages(pages: readonly PageState[]): DocumentPages {
  return {
    count: pages.length,
    characters: async (i) => ocrCharacters(at(pages, i).ocr),
    load: async (i) => at(pages, i),
  };
}

function at(pages: readonly PageState[], i: number): PageState {
  const p = pages[i];
  if (p === undefined) throw new RangeError(`document has no page ${i}`);
  return p;
}

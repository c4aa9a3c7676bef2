import type { BatchEdit } from '../../../common/contract';
import type { BatchPage, BatchView } from './types';

/** A document of a batch as the screen groups it: its pages in order, deleted ones included. */
export interface DocumentGroup {
  group: number;
  pages: BatchPage[];
  /** Pages that will go into the document (not deleted). */
  livePages: number;
  /** `L:<n>` once the document was finished. */
  documentId: string | null;
}

/** The pages in batch order (edits name them by capture number `index`, the screen by position). */
export function orderedPages(batch: BatchView | null): BatchPage[] {
  if (!batch) return [];
  return [...batch.pages].sort((a, b) => a.position - b.position || a.index - b.index);
}

/** Pages grouped into documents, in the order the documents start. */
export function documentGroups(pages: readonly BatchPage[]): DocumentGroup[] {
  const groups: DocumentGroup[] = [];
  const byNumber = new Map<number, DocumentGroup>();
  for (const page of pages) {
    let g = byNumber.get(page.group);
    if (!g) {
      g = { group: page.group, pages: [], livePages: 0, documentId: null };
      byNumber.set(page.group, g);
      groups.push(g);
    }
    g.pages.push(page);
    if (!page.deleted) g.livePages += 1;
    if (page.documentId) g.documentId = page.documentId;
  }
  return groups;
}

/** The `reorder` op moving one page a step left (-1) or right (+1); null at either end. */
export function moveOp(pages: readonly BatchPage[], index: number, delta: -1 | 1): BatchEdit | null {
  const order = pages.map((p) => p.index);
  const from = order.indexOf(index);
  const to = from + delta;
  if (from < 0 || to < 0 || to >= order.length) return null;
  [order[from], order[to]] = [order[to]!, order[from]!];
  return { op: 'reorder', order };
}

/**
 * S on a page: starts a new document after it, or, where one already starts there, joins the two
 * again. Null on the last page (nothing follows it).
 */
export function splitOrJoinOp(pages: readonly BatchPage[], index: number): BatchEdit | null {
  const at = pages.findIndex((p) => p.index === index);
  if (at < 0) return null;
  const next = pages.slice(at + 1).find((p) => !p.deleted);
  if (!next) return null;
  return next.group !== pages[at]!.group ? { op: 'join', afterPage: index } : { op: 'split', afterPage: index };
}

/** True when a new document starts right after the page (S would join). */
export function splitsAfter(pages: readonly BatchPage[], index: number): boolean {
  return splitOrJoinOp(pages, index)?.op === 'join';
}

/** Delete toggles: a deleted page is restored. */
export function deleteOp(page: BatchPage): BatchEdit {
  return page.deleted ? { op: 'restore', page: page.index } : { op: 'delete', page: page.index };
}

/**
 * Order and document boundaries of a batch, as pure functions over the pages' slots. A batch is
 * one list of pages in `position` order cut into consecutive groups (one group = one document);
 * `split`/`join` move a cut, `reorder` moves pages while the cuts stay at their positions (like
 * dragging a page across a separator). Groups already made into documents never change members.
 */
export interface PageSlot {
  index: number;
  group: number;
  /** Already part of a finished document. */
  finished: boolean;
}

export class LayoutError extends Error {
  constructor(
    readonly code: 'VALIDATION_FAILED' | 'DIGITISE_ALREADY_FINISHED',
    message: string,
  ) {
    super(message);
    this.name = 'LayoutError';
  }
}

/** Group number per capture number. */
export type Groups = Map<number, number>;

function at(slots: readonly PageSlot[], page: number): number {
  const i = slots.findIndex((s) => s.index === page);
  if (i < 0) throw new LayoutError('VALIDATION_FAILED', `Lô quét không có trang số ${page}.`);
  return i;
}

function members(slots: readonly PageSlot[], groups: Groups): Map<number, string> {
  const byGroup = new Map<number, number[]>();
  for (const s of slots) {
    const g = groups.get(s.index) ?? s.group;
    byGroup.set(g, [...(byGroup.get(g) ?? []), s.index]);
  }
  return new Map([...byGroup].map(([g, list]) => [g, [...list].sort((a, b) => a - b).join(',')]));
}

/** Finished groups must keep exactly their pages. */
function checkFinishedKept(slots: readonly PageSlot[], groups: Groups): void {
  const before = members(slots, new Map());
  const after = members(slots, groups);
  for (const s of slots) {
    if (!s.finished) continue;
    const was = before.get(s.group);
    const now = after.get(groups.get(s.index) ?? s.group);
    if (was !== now)
      throw new LayoutError(
        'DIGITISE_ALREADY_FINISHED',
        `Trang ${s.index} đã thuộc một văn bản số hóa; không thể chuyển sang văn bản khác.`,
      );
  }
}

/** New order (capture numbers) and groups after moving pages; cuts stay at their positions. */
export function reorder(slots: readonly PageSlot[], order: readonly number[]): { order: number[]; groups: Groups } {
  const seen = new Set<number>();
  for (const page of order) {
    at(slots, page);
    if (seen.has(page)) throw new LayoutError('VALIDATION_FAILED', `Trang ${page} được liệt kê hai lần.`);
    seen.add(page);
  }
  const full = [...order, ...slots.map((s) => s.index).filter((i) => !seen.has(i))];
  const groups: Groups = new Map(full.map((page, position) => [page, slots[position]!.group]));
  checkFinishedKept(slots, groups);
  return { order: full, groups };
}

/** Pages after `afterPage` start a new document (no change when one already starts there). */
export function split(slots: readonly PageSlot[], afterPage: number): Groups {
  const i = at(slots, afterPage);
  const next = slots[i + 1];
  if (next === undefined || next.group !== slots[i]!.group) return new Map();
  if (slots[i]!.finished)
    throw new LayoutError(
      'DIGITISE_ALREADY_FINISHED',
      `Trang ${afterPage} đã thuộc một văn bản số hóa; không thể tách.`,
    );
  return new Map(slots.slice(i + 1).map((s) => [s.index, s.group + 1]));
}

/** The document of `afterPage` continues into the next one (no change when there is no cut there). */
export function join(slots: readonly PageSlot[], afterPage: number): Groups {
  const i = at(slots, afterPage);
  const next = slots[i + 1];
  if (next === undefined || next.group === slots[i]!.group) return new Map();
  if (slots[i]!.finished || next.finished)
    throw new LayoutError('DIGITISE_ALREADY_FINISHED', 'Một trong hai phần đã là văn bản số hóa; không thể gộp.');
  return new Map(slots.slice(i + 1).map((s) => [s.index, s.group - 1]));
}

/** `groups` as the lists `BatchesRepository.setGroups` takes (every slot listed once). */
export function groupLists(slots: readonly PageSlot[], groups: Groups): number[][] {
  const lists: number[][] = [];
  for (const s of slots) {
    const g = groups.get(s.index) ?? s.group;
    (lists[g] ??= []).push(s.index);
  }
  for (let g = 0; g < lists.length; g++) lists[g] ??= [];
  return lists;
}

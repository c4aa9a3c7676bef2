import { describe, expect, it } from 'vitest';
import { batchPage, batchView } from '../testing/digitise-fixtures';
import { deleteOp, documentGroups, moveOp, orderedPages, splitOrJoinOp } from './batch-edits';

const pages = orderedPages(
  batchView([
    batchPage(2, { position: 0 }),
    batchPage(0, { position: 1 }),
    batchPage(1, { position: 2, group: 1, deleted: true }),
    batchPage(3, { position: 3, group: 1 }),
  ]),
);

describe('batch edits', () => {
  it('orders pages by position and groups them into documents, deleted pages shown but not counted', () => {
    expect(pages.map((p) => p.index)).toEqual([2, 0, 1, 3]);
    expect(documentGroups(pages).map((g) => [g.group, g.pages.map((p) => p.index), g.livePages])).toEqual([
      [0, [2, 0], 2],
      [1, [1, 3], 1],
    ]);
  });

  it('moves a page by reordering capture numbers, not past either end', () => {
    expect(moveOp(pages, 0, 1)).toEqual({ op: 'reorder', order: [2, 1, 0, 3] });
    expect(moveOp(pages, 0, -1)).toEqual({ op: 'reorder', order: [0, 2, 1, 3] });
    expect(moveOp(pages, 2, -1)).toBeNull();
    expect(moveOp(pages, 3, 1)).toBeNull();
  });

  it('splits after a page, or joins where a document already starts; nothing after the last page', () => {
    expect(splitOrJoinOp(pages, 2)).toEqual({ op: 'split', afterPage: 2 });
    expect(splitOrJoinOp(pages, 0)).toEqual({ op: 'join', afterPage: 0 });
    expect(splitOrJoinOp(pages, 3)).toBeNull();
  });

  it('toggles delete and restore', () => {
    expect(deleteOp(pages[0]!)).toEqual({ op: 'delete', page: 2 });
    expect(deleteOp(pages[2]!)).toEqual({ op: 'restore', page: 1 });
  });
});

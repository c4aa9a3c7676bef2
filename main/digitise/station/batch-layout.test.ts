import { describe, expect, it } from 'vitest';
import { groupLists, join, LayoutError, reorder, split, type PageSlot } from './batch-layout';

const slots = (groups: number[], finished: number[] = []): PageSlot[] =>
  groups.map((group, index) => ({ index, group, finished: finished.includes(index) }));

describe('batch layout', () => {
  it('splits after a page and joins back', () => {
    const s = slots([0, 0, 0, 0]);
    const cut = split(s, 1);
    expect(groupLists(s, cut)).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(split(s, 3).size).toBe(0);
    const twoParts = slots([0, 0, 1, 1]);
    expect(split(twoParts, 1).size).toBe(0);
    expect(groupLists(twoParts, join(twoParts, 1))).toEqual([[0, 1, 2, 3]]);
    expect(join(twoParts, 0).size).toBe(0);
  });

  it('keeps cuts at their positions when pages move', () => {
    const s = slots([0, 0, 1, 1]);
    const moved = reorder(s, [3]);
    expect(moved.order).toEqual([3, 0, 1, 2]);
    expect(groupLists(s, moved.groups)).toEqual([
      [0, 3],
      [1, 2],
    ]);
    expect(() => reorder(s, [1, 1])).toThrow(LayoutError);
    expect(() => reorder(s, [9])).toThrow(/không có trang số 9/);
  });

  it('never changes the pages of a finished document', () => {
    const s = slots([0, 0, 1, 1], [0, 1]);
    expect(() => reorder(s, [2])).toThrow(expect.objectContaining({ code: 'DIGITISE_ALREADY_FINISHED' }));
    expect(reorder(s, [0, 1, 3, 2]).order).toEqual([0, 1, 3, 2]);
    expect(() => split(slots([0, 0], [0, 1]), 0)).toThrow(
      expect.objectContaining({ code: 'DIGITISE_ALREADY_FINISHED' }),
    );
    expect(() => join(s, 1)).toThrow(expect.objectContaining({ code: 'DIGITISE_ALREADY_FINISHED' }));
    expect(groupLists(s, split(s, 2))).toEqual([[0, 1], [2], [3]]);
  });
});

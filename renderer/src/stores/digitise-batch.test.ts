// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { batchPage, batchView } from '../testing/digitise-fixtures';
import { setupHarness } from '../testing/mount';
import { errorFromText, useDigitiseBatchStore } from './digitise-batch';

afterEach(() => setApiForTests(null));

describe('digitisation batch store', () => {
  it('keeps each batch its own metadata drafts across a switch and a reload of the tab', async () => {
    setupHarness({ 'digitise.batch': ({ batchId }) => batchView([batchPage(0)], { batchId }) });
    const store = useDigitiseBatchStore();
    await store.open('a');
    store.drafts[0]!.ownerName = 'Nguyễn Văn Dũng';
    await store.open('b');
    expect(store.drafts[0]!.ownerName).toBe('');
    store.drafts[0]!.ownerName = 'Trần Thị Bích';

    // A new page (tab reload): the drafts of the batch last worked on come back.
    const kept = globalThis.sessionStorage.getItem('motcua.digitiseDrafts');
    setupHarness({ 'digitise.batch': ({ batchId }) => batchView([batchPage(0)], { batchId }) });
    globalThis.sessionStorage.setItem('motcua.digitiseDrafts', kept!);
    const again = useDigitiseBatchStore();
    await again.open('b');
    expect(again.drafts[0]!.ownerName).toBe('Trần Thị Bích');
    await again.open('a');
    expect(again.drafts[0]!.ownerName).toBe('');
  });

  it('runs edits one after another and folds refreshes asked for while one is in flight', async () => {
    const order: string[] = [];
    const h = setupHarness({
      'digitise.batch': () => batchView([batchPage(0), batchPage(1)]),
      'digitise.editBatch': async ({ ops }) => {
        order.push(`start ${ops[0]!.op}`);
        await new Promise((r) => setTimeout(r, 5));
        order.push(`end ${ops[0]!.op}`);
        return batchView([batchPage(0), batchPage(1)]);
      },
    });
    const store = useDigitiseBatchStore();
    await store.open('b-1');
    await Promise.all([store.rotate(90, 0), store.toggleDeleted(1)]);
    expect(order).toEqual(['start rotate', 'end rotate', 'start delete', 'end delete']);

    const before = h.fake.callsOf('digitise.batch').length;
    await Promise.all([store.refresh(), store.refresh(), store.refresh()]);
    expect(h.fake.callsOf('digitise.batch').length - before).toBe(2);
  });

  it('reads a batch error kept as text by its code', () => {
    expect(errorFromText('SCANNER_JAM: kẹt giấy')).toEqual({ code: 'SCANNER_JAM', message: 'kẹt giấy' });
    expect(errorFromText('hỏng')).toEqual({ code: 'INTERNAL', message: 'hỏng' });
    expect(errorFromText(null)).toBeNull();
  });
});

// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { BatchDrafts } from '../../../common/contract';
import { setApiForTests } from '../api';
import { FakeFailure } from '../testing/fake-api';
import { batchPage, batchView } from '../testing/digitise-fixtures';
import { setupHarness } from '../testing/mount';
import { DRAFT_SAVE_DEBOUNCE_MS, errorFromText, useDigitiseBatchStore } from './digitise-batch';
import { emptyMetadataDraft } from './digitise-metadata';

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

  describe('metadata drafts kept with the batch in the core', () => {
    /** A stand-in for the core's `digitise.drafts` / `digitise.saveDrafts`, kept across "restarts". */
    function coreKeeping(kept: Map<string, BatchDrafts>, failSaves = { n: 0 }) {
      return setupHarness({
        'digitise.batch': ({ batchId }) => batchView([batchPage(0), batchPage(1, { group: 1 })], { batchId }),
        'digitise.drafts': ({ batchId }) => ({
          drafts: kept.get(batchId) ?? {},
          savedAt: kept.has(batchId) ? '2025-07-15T10:00' : null,
        }),
        'digitise.saveDrafts': ({ batchId, drafts }) => {
          if (failSaves.n > 0) {
            failSaves.n -= 1;
            throw new FakeFailure('STORE_FAILURE');
          }
          kept.set(batchId, drafts);
          return { savedAt: '2025-07-15T10:01' };
        },
      });
    }

    it('saves after a pause in typing, once for a burst, only drafts with something in them', async () => {
      vi.useFakeTimers();
      try {
        const kept = new Map<string, BatchDrafts>();
        const h = coreKeeping(kept);
        const store = useDigitiseBatchStore();
        await store.open('a');
        expect(Object.keys(store.drafts)).toEqual(['0', '1']);
        for (const ch of 'Nguyễn') store.drafts[0]!.ownerName += ch;
        store.drafts[0]!.validUntil = '17/05';
        expect(h.fake.callsOf('digitise.saveDrafts')).toHaveLength(0);
        await vi.advanceTimersByTimeAsync(DRAFT_SAVE_DEBOUNCE_MS + 1);
        const saves = h.fake.callsOf('digitise.saveDrafts');
        expect(saves).toHaveLength(1);
        const sent = saves[0]!.params as { batchId: string; drafts: BatchDrafts };
        expect(sent.batchId).toBe('a');
        expect(Object.keys(sent.drafts)).toEqual(['0']);
        expect(sent.drafts[0]).toMatchObject({ ownerName: 'Nguyễn', validUntil: '17/05' });
        expect(store.draftSaveState).toBe('saved');
        // Nothing changed: nothing sent.
        store.drafts[0]!.ownerName = 'Nguyễn';
        await vi.advanceTimersByTimeAsync(DRAFT_SAVE_DEBOUNCE_MS + 1);
        expect(h.fake.callsOf('digitise.saveDrafts')).toHaveLength(1);
      } finally {
        vi.useRealTimers();
      }
    });

    it('brings the drafts back from the core after a restart of the app (nothing in this tab)', async () => {
      const kept = new Map<string, BatchDrafts>();
      coreKeeping(kept);
      const store = useDigitiseBatchStore();
      await store.open('a');
      store.drafts[1]!.ownerIdNumber = '001203004567';
      store.drafts[1]!.dossierCode = '000.00.12.H56-250715-0001';
      await store.flushDrafts();

      // A restart: a fresh page, sessionStorage empty, the core still holding the batch's drafts.
      coreKeeping(kept);
      expect(globalThis.sessionStorage.getItem('motcua.digitiseDrafts')).toBeNull();
      const again = useDigitiseBatchStore();
      await again.open('a');
      expect(again.drafts[1]).toMatchObject({
        ownerIdNumber: '001203004567',
        dossierCode: '000.00.12.H56-250715-0001',
      });
      expect(again.drafts[0]!.ownerIdNumber).toBe('');
    });

    it('what this tab typed last wins over the core, and switching batches saves the one left at once', async () => {
      const kept = new Map<string, BatchDrafts>([['a', { 0: { ...emptyMetadataDraft(), ownerName: 'cũ' } }]]);
      const h = coreKeeping(kept);
      globalThis.sessionStorage.setItem(
        'motcua.digitiseDrafts',
        JSON.stringify({ batchId: 'a', drafts: { 0: { ...emptyMetadataDraft(), ownerName: 'mới' } } }),
      );
      const store = useDigitiseBatchStore();
      await store.open('a');
      expect(store.drafts[0]!.ownerName).toBe('mới');
      store.drafts[0]!.issuer = 'Công an tỉnh';
      await store.open('b');
      await store.flushDrafts();
      expect(kept.get('a')?.[0]).toMatchObject({ ownerName: 'mới', issuer: 'Công an tỉnh' });
      expect(
        h.fake.callsOf('digitise.saveDrafts').every((c) => (c.params as { batchId: string }).batchId === 'a'),
      ).toBe(true);
    });

    it('a failed save is shown and the next change sends everything typed', async () => {
      const kept = new Map<string, BatchDrafts>();
      coreKeeping(kept, { n: 1 });
      const store = useDigitiseBatchStore();
      await store.open('a');
      store.drafts[0]!.ownerName = 'Lê Văn Đông';
      await store.flushDrafts();
      expect(store.draftSaveState).toBe('failed');
      expect(store.draftSaveError?.code).toBe('STORE_FAILURE');
      store.drafts[0]!.number = '123';
      await store.flushDrafts();
      expect(store.draftSaveState).toBe('saved');
      expect(kept.get('a')?.[0]).toMatchObject({ ownerName: 'Lê Văn Đông', number: '123' });
    });
  });

  it('reads a batch error kept as text by its code', () => {
    expect(errorFromText('SCANNER_JAM: kẹt giấy')).toEqual({ code: 'SCANNER_JAM', message: 'kẹt giấy' });
    expect(errorFromText('hỏng')).toEqual({ code: 'INTERNAL', message: 'hỏng' });
    expect(errorFromText(null)).toBeNull();
  });
});

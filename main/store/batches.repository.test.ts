import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

const SHA = (n: number): string => n.toString(16).padStart(2, '0').repeat(32);

describe('BatchesRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.batches.create({
      id: 'b1',
      source: 'scanner',
      scannerId: 'sim:1',
      request: { source: 'feeder', resolution: 200 },
      profile: { dpi: 200 },
      officer: 'sohoa',
      createdAt: '2025-07-15T10:00',
    });
    for (let i = 0; i < 4; i++) {
      store.batches.addPage({
        batchId: 'b1',
        index: i,
        side: 'front',
        dpi: 200,
        mimeType: 'image/png',
        originalSha256: SHA(i + 1),
      });
    }
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  const order = (): number[] => store.batches.get('b1')!.pages.map((p) => p.index);

  it('creates a batch and keeps captured pages pending, in arrival order', () => {
    const got = store.batches.get('b1')!;
    expect(got.batch).toMatchObject({
      id: 'b1',
      state: 'capturing',
      source: 'scanner',
      scannerId: 'sim:1',
      request: { source: 'feeder', resolution: 200 },
      profile: { dpi: 200 },
      closedAt: null,
    });
    expect(got.pages.map((p) => [p.index, p.position, p.groupIndex, p.status, p.deleted])).toEqual([
      [0, 0, 0, 'pending', false],
      [1, 1, 0, 'pending', false],
      [2, 2, 0, 'pending', false],
      [3, 3, 0, 'pending', false],
    ]);
    expect(store.batches.pendingPages('b1')).toHaveLength(4);
    expect(store.batches.nextIndex('b1')).toBe(4);
    expect(store.batches.get('nope')).toBeNull();
    expect(store.referencedBlobs()).toEqual(expect.arrayContaining([SHA(1), SHA(4)]));
  });

  it('records processing outcomes, ok and error', () => {
    const ok = store.batches.updatePage('b1', 0, {
      status: 'ok',
      processedSha256: SHA(9),
      processedJson: '{"format":"png"}',
      thumbnailSha256: SHA(10),
      ocrText: 'Giấy khai sinh',
      ocrJson: '{"words":[]}',
      ocrConfidence: 88.5,
      blank: false,
      inkCoverage: 0.04,
      skewAngle: 1.5,
      rotation: 90,
    });
    expect(ok).toMatchObject({
      status: 'ok',
      processedSha256: SHA(9),
      processedJson: '{"format":"png"}',
      thumbnailSha256: SHA(10),
      ocrText: 'Giấy khai sinh',
      rotation: 90,
      skewAngle: 1.5,
      errorMessage: null,
    });
    const failed = store.batches.updatePage('b1', 1, {
      status: 'error',
      errorCode: 'DIGITISE_FAILED',
      errorMessage: 'OCR crashed',
    });
    expect(failed).toMatchObject({
      status: 'error',
      errorCode: 'DIGITISE_FAILED',
      errorMessage: 'OCR crashed',
      processedSha256: null,
    });
    expect(store.batches.pendingPages('b1').map((p) => p.index)).toEqual([2, 3]);
    expect(store.batches.updatePage('b1', 1, { status: 'pending' }).status).toBe('pending');
    expect(() => store.batches.updatePage('b1', 42, { status: 'pending' })).toThrow(/no page 42/);
    expect(store.referencedBlobs()).toEqual(expect.arrayContaining([SHA(9), SHA(10)]));
  });

  it('reorders, deletes, rotates and splits into groups', () => {
    store.batches.setOrder('b1', [3, 1]);
    expect(order()).toEqual([3, 1, 0, 2]);
    expect(() => store.batches.setOrder('b1', [1, 1])).toThrow(/twice/);
    expect(() => store.batches.setOrder('b1', [7])).toThrow(/no page 7/);
    store.batches.markDeleted('b1', 0);
    expect(store.batches.page('b1', 0)?.deleted).toBe(true);
    expect(store.batches.pendingPages('b1').map((p) => p.index)).toEqual([3, 1, 2]);
    store.batches.markDeleted('b1', 0, false);
    store.batches.setRotationOverride('b1', 2, 270);
    expect(store.batches.page('b1', 2)?.rotationOverride).toBe(270);
    store.batches.setGroups('b1', [
      [3, 1],
      [0, 2],
    ]);
    expect(store.batches.get('b1')!.pages.map((p) => [p.index, p.groupIndex])).toEqual([
      [3, 0],
      [1, 0],
      [0, 1],
      [2, 1],
    ]);
    const added = store.batches.addPage({
      batchId: 'b1',
      index: 4,
      side: 'back',
      dpi: 200,
      mimeType: 'image/jpeg',
      originalSha256: SHA(5),
    });
    expect(added).toMatchObject({ position: 4, groupIndex: 1, side: 'back' });
  });

  it('lists open batches until closed, and records scanner trouble', () => {
    store.batches.create({
      id: 'b2',
      source: 'import',
      scannerId: null,
      request: null,
      profile: {},
      officer: 'sohoa',
      createdAt: '2025-07-15T11:00',
    });
    expect(store.batches.listOpen().map((b) => b.id)).toEqual(['b1', 'b2']);
    store.batches.setState('b1', 'ready', 'SCANNER_JAM: kẹt giấy');
    expect(store.batches.get('b1')!.batch).toMatchObject({ state: 'ready', lastError: 'SCANNER_JAM: kẹt giấy' });
    store.batches.close('b1', '2025-07-15T12:00');
    expect(store.batches.listOpen().map((b) => b.id)).toEqual(['b2']);
    expect(store.batches.get('b1')!.batch).toMatchObject({ state: 'closed', closedAt: '2025-07-15T12:00' });
    expect(() => store.batches.close('nope', '2025-07-15T12:00')).toThrow(/unknown batch/);
  });

  it('survives reopening the store (a restart)', () => {
    store.close();
    store = openStore({ dataDir: temp.dir });
    expect(store.batches.listOpen().map((b) => b.id)).toEqual(['b1']);
    expect(store.batches.pendingPages('b1').map((p) => p.originalSha256)).toEqual([SHA(1), SHA(2), SHA(3), SHA(4)]);
  });
});

import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { AppError, BatchView } from '../../../common/contract';
import { SimulatedScanner, SimulatedScannerProvider } from '../../../drivers/testing';
import type { PageState } from '../types';
import type { DigitisePipeline, PipelineFactory } from './pipeline-port';
import {
  DIGITISER,
  DOSSIER_CODE,
  idCardMetadata,
  stationHarness,
  until,
  type StationHarness,
} from '../testing/station-harness';

/**
 * Station logic with a stand-in pipeline (fast): capture before processing, failures, scanner
 * faults, cancel, restart, edits, finishing. The real pipeline runs in digitise-station.e2e.test.ts.
 */
interface StubControl {
  gate: Promise<void> | null;
  processed: { index: number; width: number; height: number; autoOrient: boolean }[];
  failMarker: number;
}

function stubPipelines(control: StubControl): PipelineFactory {
  return (profile) => {
    const pipeline: DigitisePipeline = {
      async processPage(capture, opts = {}) {
        const signal = opts.signal ?? new AbortController().signal;
        signal.throwIfAborted();
        if (control.gate) {
          await Promise.race([
            control.gate,
            new Promise((_, reject) =>
              signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
            ),
          ]);
        }
        signal.throwIfAborted();
        const { data, info } = await sharp(capture.bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
        let dark = 0;
        for (const v of data) if (v < 128) dark++;
        if (data[0] === control.failMarker) throw new Error('engine crashed on this page');
        control.processed.push({
          index: capture.index,
          width: info.width,
          height: info.height,
          autoOrient: profile.autoOrient,
        });
        const image = { width: info.width, height: info.height, channels: 1 as const, data: new Uint8Array(data) };
        const inkCoverage = dark / data.length;
        const state: PageState = {
          index: capture.index,
          side: capture.side,
          original: capture.bytes,
          image,
          dpi: capture.dpi ?? 200,
          rotation: 0,
          skewAngle: 0.5,
          blank: inkCoverage < 0.001,
          inkCoverage,
          notes: [],
          ocr: { text: `Trang ${capture.index}: Ủy ban nhân dân phường Bến Nghé`, words: [], meanConfidence: 91 },
        };
        return state;
      },
      async finishDocument(pages, meta) {
        const pdf = await PDFDocument.create();
        pdf.setTitle(meta.documentName);
        for (const p of pages) pdf.addPage([p.image.width, p.image.height]);
        const text = pages.map((p) => p.ocr?.text ?? '').join('\n\f');
        return { pdf: await pdf.save({ useObjectStreams: false }), pageCount: pages.length, text };
      },
    };
    return pipeline;
  };
}

async function page(shade: number, ink: boolean, width = 60, height = 80): Promise<Uint8Array> {
  const data = Buffer.alloc(width * height, shade);
  if (ink) for (let i = 0; i < width * 20; i++) data[width * 30 + i] = 10;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

const REQUEST = { source: 'feeder', duplex: false, resolution: 150, mode: 'gray' } as const;

describe('DigitiseStation (stand-in pipeline)', () => {
  let h: StationHarness;
  let control: StubControl;
  let scanner: SimulatedScanner;

  async function setup(feeder: Uint8Array[], pageDelayMs = 0): Promise<void> {
    control = { gate: null, processed: [], failMarker: 7 };
    scanner = new SimulatedScanner({ id: 'sim:1', feeder: feeder.map((image) => ({ image })), pageDelayMs });
    h = stationHarness({ scanners: new SimulatedScannerProvider([scanner]), pipelines: stubPipelines(control) });
  }
  afterEach(async () => {
    await h.dispose();
  });

  it('keeps every capture before processing it, then processes in the background', async () => {
    await setup([await page(250, true), await page(250, true), await page(250, true)]);
    let release!: () => void;
    control.gate = new Promise((r) => {
      release = r;
    });
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await until(() => h.events.filter((e) => e.stage === 'captured').length === 3);
    const kept = h.store.batches.get(batchId)!.pages;
    expect(kept.map((p) => p.status)).toEqual(['pending', 'pending', 'pending']);
    for (const p of kept) expect(await h.store.blobs.has(p.originalSha256)).toBe(true);
    expect(control.processed).toEqual([]);
    release();
    await h.station.idle();
    const view = BatchView.parse(await h.station.batch(batchId));
    expect(view.state).toBe('ready');
    expect(view.pages.map((p) => [p.index, p.status, p.group])).toEqual([
      [0, 'ok', 0],
      [1, 'ok', 0],
      [2, 'ok', 0],
    ]);
    expect(view.pages[0]!.thumbnail).toMatch(/^iVBOR/);
    expect(view.pages[0]!.ocrText).toContain('Bến Nghé');
    expect(h.events.at(-1)).toMatchObject({ batchId, done: 3, total: 3 });
  });

  it('a page that fails processing keeps its capture and does not lose the others', async () => {
    await setup([await page(250, true), await page(7, false), await page(250, true)]);
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await h.station.idle();
    const pages = h.store.batches.get(batchId)!.pages;
    expect(pages.map((p) => p.status)).toEqual(['ok', 'error', 'ok']);
    expect(pages[1]).toMatchObject({ errorCode: 'DIGITISE_FAILED', errorMessage: 'engine crashed on this page' });
    expect(await h.store.blobs.has(pages[1]!.originalSha256)).toBe(true);
    expect(h.events.find((e) => e.stage === 'error')).toMatchObject({ page: 1, error: { code: 'DIGITISE_FAILED' } });

    await expect(h.station.finish(batchId, 0, idCardMetadata(), null, DIGITISER)).rejects.toMatchObject({
      code: 'DIGITISE_PAGE_FAILED',
    });
    await h.station.editBatch(batchId, [{ op: 'delete', page: 1 }], DIGITISER);
    const done = await h.station.finish(batchId, 0, idCardMetadata(), null, DIGITISER);
    expect(done).toMatchObject({ pageCount: 2, componentCode: 'TP2', dossierCode: DOSSIER_CODE, batchClosed: true });
  });

  it('keeps pages scanned before a jam and reports the jam', async () => {
    await setup([await page(250, true), await page(250, true), await page(250, true)]);
    scanner.failNext('SCANNER_JAM', { afterPages: 2 });
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await h.station.idle();
    const got = h.store.batches.get(batchId)!;
    expect(got.pages).toHaveLength(2);
    expect(got.batch).toMatchObject({ state: 'ready', lastError: expect.stringMatching(/^SCANNER_JAM: /) });
    expect(h.events.find((e) => e.page === null && e.stage === 'error')?.error?.code).toBe('SCANNER_JAM');
  });

  it('cancels a scan, keeping what was captured', async () => {
    await setup([await page(250, true), await page(250, true), await page(250, true)], 300);
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await until(() => h.events.some((e) => e.stage === 'captured'));
    h.station.cancel(batchId);
    await h.station.idle();
    const got = h.store.batches.get(batchId)!;
    expect(got.batch).toMatchObject({ state: 'ready', lastError: null });
    expect(got.pages.length).toBeGreaterThanOrEqual(1);
    expect(got.pages.length).toBeLessThan(3);
    expect(h.events.some((e) => e.stage === 'cancelled')).toBe(true);
  });

  it('refuses a scanner or request the device cannot do, before starting', async () => {
    await setup([await page(250, true)]);
    await expect(h.station.startScan('sim:nope', REQUEST, {}, DIGITISER)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(h.station.startScan('sim:1', { ...REQUEST, resolution: 123 }, {}, DIGITISER)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    scanner.unplug();
    await expect(h.station.startScan('sim:1', REQUEST, {}, DIGITISER)).rejects.toMatchObject({
      code: 'DEVICE_UNAVAILABLE',
    });
    expect(h.store.batches.listOpen()).toEqual([]);
  });

  it('picks up pages left pending by a crash when the core starts again', async () => {
    await setup([await page(250, true), await page(250, true)]);
    control.gate = new Promise(() => undefined);
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await until(() => h.events.filter((e) => e.stage === 'captured').length === 2);
    await h.station.close();
    expect(h.store.batches.get(batchId)!.pages.map((p) => p.status)).toEqual(['pending', 'pending']);

    control.gate = null;
    const again = h.restart();
    expect(again.openBatches().map((b) => b.batchId)).toEqual([batchId]);
    expect(again.resume()).toBe(2);
    await again.idle();
    expect(h.store.batches.get(batchId)!.pages.map((p) => p.status)).toEqual(['ok', 'ok']);
    expect((await again.finish(batchId, 0, idCardMetadata(), null, DIGITISER)).pageCount).toBe(2);
  });

  it('rotates, reorders, splits and sets blank pages aside, then finishes each part', async () => {
    await setup([await page(250, true, 60, 80), await page(250, false), await page(250, true), await page(250, true)]);
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await h.station.idle();
    let view = await h.station.batch(batchId);
    expect(view.pages.find((p) => p.index === 1)).toMatchObject({ blank: true, deleted: true, status: 'ok' });
    expect(h.events.some((e) => e.page === 1 && e.stage === 'blank')).toBe(true);

    await h.station.editBatch(
      batchId,
      [
        { op: 'rotate', page: 0, degrees: 90 },
        { op: 'reorder', order: [3, 0, 2] },
        { op: 'split', afterPage: 0 },
      ],
      DIGITISER,
    );
    await h.station.idle();
    expect(control.processed.at(-1)).toEqual({ index: 0, width: 80, height: 60, autoOrient: false });
    view = await h.station.batch(batchId);
    expect(view.pages.filter((p) => !p.deleted).map((p) => [p.index, p.group, p.rotationOverride])).toEqual([
      [3, 0, 0],
      [0, 0, 90],
      [2, 1, 0],
    ]);
    expect(view.groups).toEqual([
      { group: 0, pages: 2, documentId: null },
      { group: 1, pages: 1, documentId: null },
    ]);

    const first = await h.station.finish(batchId, 0, idCardMetadata({ dossierCode: null }), null, DIGITISER);
    expect(first).toMatchObject({ pageCount: 2, batchClosed: false, componentCode: null });
    expect(h.store.documents.pagesOf(Number(first.documentId.slice(2))).map((p) => p.rotation)).toEqual([0, 90]);
    await expect(h.station.finish(batchId, 0, idCardMetadata(), null, DIGITISER)).rejects.toMatchObject({
      code: 'DIGITISE_ALREADY_FINISHED',
    });
    await expect(h.station.editBatch(batchId, [{ op: 'delete', page: 3 }], DIGITISER)).rejects.toMatchObject({
      code: 'DIGITISE_ALREADY_FINISHED',
    });
    const second = await h.station.finish(
      batchId,
      1,
      idCardMetadata({
        dossierCode: null,
        documentCode: 'KQ0001',
        documentName: 'Giấy khai sinh',
        permanent: true,
        validUntil: null,
      }),
      null,
      DIGITISER,
    );
    expect(second).toMatchObject({ pageCount: 1, batchClosed: true });
    expect(h.store.batches.listOpen()).toEqual([]);
  });

  it('rescans a page on the batch scanner, the new capture taking its place', async () => {
    await setup([await page(250, true), await page(250, true)]);
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await h.station.idle();
    scanner.loadPages([{ image: await page(240, true, 64, 90) }]);
    await h.station.editBatch(batchId, [{ op: 'rescan', page: 0 }], DIGITISER);
    await h.station.idle();
    const view = await h.station.batch(batchId);
    expect(view.pages.map((p) => [p.index, p.deleted, p.status])).toEqual([
      [0, true, 'ok'],
      [2, false, 'ok'],
      [1, false, 'ok'],
    ]);
    expect(control.processed.at(-1)).toMatchObject({ index: 2, width: 64, height: 90 });
    expect(h.events.some((e) => e.stage === 'rescanned' && e.page === 2)).toBe(true);
  });

  it('imports image files as a batch and names a file it cannot read', async () => {
    await setup([]);
    const png = Buffer.from(await page(250, true)).toString('base64');
    const { batchId, pages } = await h.station.importFiles(
      [
        { name: 'a.png', base64: png },
        { name: 'b.png', base64: png },
      ],
      { dpi: 150 },
      DIGITISER,
    );
    expect(pages).toBe(2);
    await h.station.idle();
    expect(h.store.batches.get(batchId)!.pages.map((p) => [p.status, p.dpi])).toEqual([
      ['ok', 150],
      ['ok', 150],
    ]);
    const bad = h.station.importFiles(
      [{ name: 'hong.png', base64: Buffer.from('not an image').toString('base64') }],
      {},
      DIGITISER,
    );
    await expect(bad).rejects.toBeInstanceOf(AppError);
    await expect(bad).rejects.toMatchObject({ code: 'IMAGE_UNREADABLE', message: expect.stringContaining('hong.png') });
    await expect(h.station.editBatch(batchId, [{ op: 'rescan', page: 0 }], DIGITISER)).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
  });
});

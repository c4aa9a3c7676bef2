import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedScanner, SimulatedScannerProvider } from '../../../drivers/testing';
import type { BatchPageRecord } from '../../store/batches.repository';
import type { PageState } from '../types';
import { encodeProcessedPage, orientationUnsureOf, rebuildPageState } from './page-codec';
import type { PipelineFactory } from './pipeline-port';
import { DIGITISER, stationHarness, type StationHarness } from '../testing/station-harness';

/**
 * A page the orientation stage kept as scanned without being sure carries `orientationUnsure`;
 * the station keeps it with the processed page and shows it as `orientationCheck` until the
 * officer turns the page. The stand-in pipeline says "unsure" for the pages it is told to.
 */
async function sheet(shade: number): Promise<Uint8Array> {
  const width = 60;
  const height = 80;
  const data = Buffer.alloc(width * height, shade);
  for (let i = 0; i < width * 20; i++) data[width * 30 + i] = 10;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

function pipelines(unsurePages: ReadonlySet<number>): PipelineFactory {
  return (profile) => ({
    async processPage(capture) {
      const { data, info } = await sharp(capture.bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
      const state: PageState = {
        index: capture.index,
        side: capture.side,
        original: capture.bytes,
        dpi: 150,
        rotation: 0,
        skewAngle: 0,
        image: { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data) },
        blank: false,
        inkCoverage: 0.2,
        notes: [],
        ocr: { text: 'Ủy ban nhân dân', words: [], meanConfidence: 90 },
      };
      // The station turns a page by re-running it without auto-orientation: no stage, no flag.
      return profile.autoOrient && unsurePages.has(capture.index)
        ? { ...state, orientationUnsure: true, notes: ['orientation: left as scanned'] }
        : state;
    },
    async finishDocument() {
      throw new Error('not used here');
    },
  });
}

const REQUEST = { source: 'feeder', duplex: false, resolution: 150, mode: 'gray' } as const;

describe('the "check orientation" flag at the station', () => {
  let h: StationHarness;
  afterEach(async () => {
    await h.dispose();
  });

  it('shows the flag on the unsure page only, keeps it across a restart, and drops it once the officer turns the page', async () => {
    const scanner = new SimulatedScanner({
      id: 'sim:1',
      feeder: [{ image: await sheet(250) }, { image: await sheet(245) }, { image: await sheet(240) }],
    });
    h = stationHarness({ scanners: new SimulatedScannerProvider([scanner]), pipelines: pipelines(new Set([1])) });
    const { batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER);
    await h.station.idle();
    let view = await h.station.batch(batchId);
    expect(view.pages.map((p) => [p.index, p.status, p.orientationCheck])).toEqual([
      [0, 'ok', false],
      [1, 'ok', true],
      [2, 'ok', false],
    ]);

    const again = h.restart();
    view = await again.batch(batchId);
    expect(view.pages.find((p) => p.index === 1)?.orientationCheck).toBe(true);

    await again.editBatch(batchId, [{ op: 'rotate', page: 1, degrees: 180 }], DIGITISER);
    await again.idle();
    view = await again.batch(batchId);
    expect(view.pages.find((p) => p.index === 1)).toMatchObject({ rotationOverride: 180, orientationCheck: false });
  });
});

describe('page codec', () => {
  const page = (unsure: boolean): PageState => ({
    index: 0,
    side: 'front',
    original: new Uint8Array([1]),
    dpi: 200,
    rotation: 0,
    skewAngle: 0,
    blank: false,
    inkCoverage: 0.1,
    image: { width: 4, height: 4, channels: 1, data: new Uint8Array(16).fill(200) },
    ocr: null,
    notes: [],
    ...(unsure ? { orientationUnsure: true } : {}),
  });

  it('keeps the flag in the stored meta and gives it back when the page is rebuilt', async () => {
    const encoded = await encodeProcessedPage(page(true));
    const json = JSON.stringify(encoded.meta);
    expect(orientationUnsureOf(json)).toBe(true);
    const blobs = new Map([
      ['orig', new Uint8Array([1])],
      ['proc', encoded.processed],
    ]);
    const record: BatchPageRecord = {
      batchId: 'b',
      index: 0,
      side: 'front',
      dpi: 200,
      mimeType: 'image/png',
      originalSha256: 'orig',
      processedSha256: 'proc',
      processedJson: json,
      thumbnailSha256: null,
      ocrText: null,
      ocrJson: null,
      ocrConfidence: null,
      blank: false,
      inkCoverage: 0.1,
      skewAngle: 0,
      rotation: 0,
      status: 'ok',
      errorCode: null,
      errorMessage: null,
      position: 0,
      groupIndex: 0,
      rotationOverride: 0,
      deleted: false,
      documentId: null,
    };
    const rebuilt = await rebuildPageState(record, async (sha) => blobs.get(sha)!);
    expect(rebuilt.orientationUnsure).toBe(true);
  });

  it('writes no flag for a page the stage was sure of, and reads none from old or broken rows', async () => {
    const encoded = await encodeProcessedPage(page(false));
    expect('orientationUnsure' in encoded.meta).toBe(false);
    expect(orientationUnsureOf(JSON.stringify(encoded.meta))).toBe(false);
    expect(orientationUnsureOf(null)).toBe(false);
    expect(orientationUnsureOf('{not json')).toBe(false);
    expect(orientationUnsureOf('{"orientationUnsure":"yes"}')).toBe(false);
  });
});

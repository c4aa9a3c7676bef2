import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedScanner, SimulatedScannerProvider } from '../../../drivers/testing';
import type { PageState } from '../types';
import type { DigitisePipeline } from './pipeline-port';
import { DIGITISER, idCardMetadata, stationHarness, type StationHarness } from '../testing/station-harness';

/**
 * Finishing reads the group's pages back from the blob store one at a time (memory flat
 * as the batch grows), when the pipeline offers `finishPages`.
 */
async function capture(shade: number): Promise<Uint8Array> {
  const width = 60;
  const height = 80;
  const data = Buffer.alloc(width * height, 250);
  for (let i = 0; i < width * 20; i++) data[width * 30 + i] = shade;
  return new Uint8Array(
    await sharp(data, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

describe('DocumentFinisher with a pipeline that reads pages one at a time', () => {
  let h: StationHarness;
  afterEach(async () => {
    await h.dispose();
  });

  it('hands the PDF writer the stored pages lazily, in order, one loaded at a time', async () => {
    const seen: { index: number; original: number; characters: string }[] = [];
    let live = 0;
    let most = 0;
    const pipeline: DigitisePipeline = {
      async processPage(c) {
        const { data, info } = await sharp(c.bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
        const state: PageState = {
          index: c.index,
          side: c.side,
          original: c.bytes,
          image: { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data) },
          dpi: 150,
          rotation: 0,
          skewAngle: 0,
          blank: false,
          inkCoverage: 0.2,
          notes: [],
          ocr: {
            text: `Trang ${c.index}`,
            meanConfidence: 90,
            words: [{ text: `Ấp${c.index}`, bbox: { x0: 1, y0: 30, x1: 40, y1: 50 }, confidence: 90, line: 0 }],
          },
        };
        return state;
      },
      async finishDocument() {
        throw new Error('finishDocument must not be used when finishPages exists');
      },
      async finishPages(pages) {
        const pdf = await PDFDocument.create();
        for (let i = 0; i < pages.count; i++) {
          const characters = await pages.characters(i);
          live++;
          most = Math.max(most, live);
          const p = await pages.load(i);
          seen.push({ index: p.index, original: p.original.byteLength, characters });
          pdf.addPage([p.image.width, p.image.height]);
          live--;
        }
        return { pdf: await pdf.save(), pageCount: pages.count, text: seen.map((s) => `p${s.index}`).join(' ') };
      },
    };
    const feeder = await Promise.all([10, 20, 30, 40].map(capture));
    const scanner = new SimulatedScanner({ id: 'sim:1', feeder: feeder.map((image) => ({ image })) });
    h = stationHarness({ scanners: new SimulatedScannerProvider([scanner]), pipelines: () => pipeline });
    const { batchId } = await h.station.startScan(
      'sim:1',
      { source: 'feeder', duplex: false, resolution: 150, mode: 'gray' },
      {},
      DIGITISER,
    );
    await h.station.idle();
    const done = await h.station.finish(batchId, 0, idCardMetadata(), null, DIGITISER);
    expect(done).toMatchObject({ pageCount: 4, textChars: 'p0 p1 p2 p3'.length });
    expect(most).toBe(1);
    expect(seen.map((s) => s.index)).toEqual([0, 1, 2, 3]);
    expect(seen.map((s) => s.original)).toEqual(feeder.map((f) => f.byteLength));
    expect(seen.map((s) => [...s.characters].sort().join(''))).toEqual(
      ['0Ấp', '1Ấp', '2Ấp', '3Ấp'].map((c) => [...c].sort().join('')),
    );
  });
});

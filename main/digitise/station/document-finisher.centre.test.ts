import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { SimulatedScanner, SimulatedScannerProvider } from '../../../drivers/testing';
import type { PageState } from '../types';
import type { DigitisePipeline } from './pipeline-port';
import {
  DIGITISER,
  DOSSIER_CODE,
  idCardMetadata,
  stationHarness,
  type StationHarness,
} from '../testing/station-harness';

/**
 * A finished document on a desk enrolled at a centre also writes the centre's `document.digitised`
 * row in the finishing transaction (docs/architecture.md, "Centre"); a desk that is not enrolled
 * writes none.
 */
async function capture(): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(Buffer.alloc(40 * 40, 200), { raw: { width: 40, height: 40, channels: 1 } })
      .png()
      .toBuffer(),
  );
}

const pipeline: DigitisePipeline = {
  async processPage(c) {
    const state: PageState = {
      index: c.index,
      side: c.side,
      original: c.bytes,
      image: { width: 40, height: 40, channels: 1, data: new Uint8Array(40 * 40) },
      dpi: 150,
      rotation: 0,
      skewAngle: 0,
      blank: false,
      inkCoverage: 0.2,
      notes: [],
      ocr: { text: `Trang ${c.index}`, meanConfidence: 90, words: [] },
    };
    return state;
  },
  async finishDocument(pages) {
    const pdf = await PDFDocument.create();
    pages.forEach(() => pdf.addPage([40, 40]));
    return { pdf: await pdf.save(), pageCount: pages.length, text: 'x' };
  },
};

describe('DocumentFinisher and the centre', () => {
  let h: StationHarness;
  afterEach(async () => {
    await h.dispose();
  });

  async function finishTwoPages(enrolled: boolean, dossierCode: string | null) {
    const scanner = new SimulatedScanner({
      id: 'sim:1',
      feeder: [{ image: await capture() }, { image: await capture() }],
    });
    h = stationHarness({ scanners: new SimulatedScannerProvider([scanner]), pipelines: () => pipeline });
    if (enrolled) h.store.outbox.replicateToCentre({ deviceId: 'dev-1', centreId: 'c-1', counter: 'Q01' });
    const { batchId } = await h.station.startScan(
      'sim:1',
      { source: 'feeder', duplex: false, resolution: 150, mode: 'gray' },
      {},
      DIGITISER,
    );
    await h.station.idle();
    return h.station.finish(
      batchId,
      0,
      idCardMetadata(dossierCode === null ? { dossierCode: null, kind: 'result' } : {}),
      null,
      DIGITISER,
    );
  }

  const centreRows = () =>
    h.store.db
      .prepare<[], { id: number }>("SELECT id FROM outbox WHERE target = 'centre' ORDER BY id")
      .all()
      .map((r) => h.store.outbox.get(r.id)!);

  it('enrolled: one document.digitised row under the dossier, in the finishing transaction', async () => {
    const done = await finishTwoPages(true, DOSSIER_CODE);
    const rows = centreRows();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      dossierCode: DOSSIER_CODE,
      kind: 'centre.entry',
      idempotencyKey: `dev-1:${rows[0]!.id}`,
    });
    expect(rows[0]!.payload).toMatchObject({
      kind: 'document.digitised',
      payload: { dossierCode: DOSSIER_CODE, documentCode: 'KQ0003', pages: 2, officer: DIGITISER.displayName },
    });
    // No owner's name or number in what goes to the centre.
    expect(JSON.stringify(rows[0]!.payload)).not.toContain('001203004567');
    expect(JSON.stringify(rows[0]!.payload)).not.toContain('Nguyễn Văn Dũng');
    expect(done.pageCount).toBe(2);
  });

  it('enrolled, a document without a dossier: ordered under its own pseudo-key', async () => {
    const done = await finishTwoPages(true, null);
    const rows = centreRows();
    expect(rows.map((r) => r.dossierCode)).toEqual([`document:${done.documentId}`]);
    expect(rows[0]!.payload).toMatchObject({ payload: { dossierCode: null } });
  });

  it('not enrolled: no centre row', async () => {
    await finishTwoPages(false, DOSSIER_CODE);
    expect(centreRows()).toEqual([]);
  });
});

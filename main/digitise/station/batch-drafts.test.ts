import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BatchDrafts, MetadataDraft } from '../../../common/contract';
import { SimulatedScannerProvider } from '../../../drivers/testing';
import type { PageState } from '../types';
import type { PipelineFactory } from './pipeline-port';
import { DIGITISER, idCardMetadata, stationHarness, type StationHarness } from '../testing/station-harness';

/** A quick stand-in pipeline: every page processed as is, a one-page-per-image PDF. */
const pipelines: PipelineFactory = () => ({
  async processPage(capture) {
    const { data, info } = await sharp(capture.bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
    const state: PageState = {
      index: capture.index,
      side: capture.side,
      original: capture.bytes,
      dpi: 150,
      rotation: 0,
      skewAngle: 0,
      blank: false,
      inkCoverage: 0.1,
      notes: [],
      image: { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data) },
      ocr: { text: 'Căn cước công dân', words: [], meanConfidence: 90 },
    };
    return state;
  },
  async finishDocument(pages) {
    const pdf = await PDFDocument.create();
    for (const p of pages) pdf.addPage([p.image.width, p.image.height]);
    return { pdf: await pdf.save(), pageCount: pages.length, text: 'Căn cước công dân' };
  },
});

async function png(): Promise<string> {
  const bytes = await sharp(Buffer.alloc(40 * 50, 200), { raw: { width: 40, height: 50, channels: 1 } })
    .png()
    .toBuffer();
  return bytes.toString('base64');
}

function draft(overrides: Partial<MetadataDraft> = {}): MetadataDraft {
  return {
    ownerIdNumber: '001203004567',
    ownerName: 'Nguyễn Văn Dũng',
    documentCode: 'KQ0003',
    documentName: 'Căn cước công dân',
    dossierCode: '000.00.12.H56-250715-0001',
    permanent: false,
    validUntil: '17/05/20',
    issuer: '',
    number: '',
    issuedOn: '',
    summary: '',
    kind: 'component',
    procedureCode: '',
    sectorCode: '',
    componentCode: 'TP2',
    componentName: 'Bản sao CCCD',
    componentDossierCode: '000.00.12.H56-250715-0001',
    ...overrides,
  };
}

describe('metadata drafts kept with the batch', () => {
  let h: StationHarness;
  let batchId: string;

  beforeEach(async () => {
    h = stationHarness({ scanners: new SimulatedScannerProvider([]), pipelines });
    const image = await png();
    ({ batchId } = await h.station.importFiles(
      [
        { name: 'a.png', base64: image },
        { name: 'b.png', base64: image },
      ],
      { dpi: 150 },
      DIGITISER,
    ));
    await h.station.idle();
    await h.station.editBatch(batchId, [{ op: 'split', afterPage: 0 }], DIGITISER);
    await h.station.idle();
  });
  afterEach(async () => {
    await h.dispose();
  });

  it('survives a restart on the same data folder, exactly as typed (half-typed date included)', async () => {
    expect(h.station.drafts.load(batchId)).toEqual({ drafts: {}, savedAt: null });
    const typed: BatchDrafts = {
      0: draft(),
      1: draft({
        documentCode: 'KQ0001',
        documentName: 'Giấy khai sinh',
        componentCode: null,
        componentName: null,
        componentDossierCode: null,
      }),
    };
    const { savedAt } = h.station.drafts.save(batchId, typed, DIGITISER.username);
    expect(savedAt).toBe('2025-07-15T10:00');
    const again = h.restart();
    expect(again.drafts.load(batchId)).toEqual({ drafts: typed, savedAt: '2025-07-15T10:00' });
  });

  it('audits a change by group and field names, never the values, and skips a save that changes nothing', () => {
    h.station.drafts.save(batchId, { 0: draft() }, DIGITISER.username);
    h.station.drafts.save(
      batchId,
      { 0: draft({ ownerName: 'Nguyễn Văn Dũng', validUntil: '2036-05-17' }) },
      DIGITISER.username,
    );
    h.station.drafts.save(batchId, { 0: draft({ validUntil: '2036-05-17' }) }, DIGITISER.username);
    h.station.drafts.save(batchId, { 1: draft() }, DIGITISER.username);
    const entries = h.store.audit.forEntity('batch', batchId).filter((e) => e.action === 'digitise.draft');
    expect(entries.map((e) => e.details)).toEqual([
      { changes: { 0: ['*'] } },
      { changes: { 0: ['validUntil'] } },
      { changes: { 0: ['(bỏ)'], 1: ['*'] } },
    ]);
    expect(entries.every((e) => e.actor === 'sohoa')).toBe(true);
    expect(JSON.stringify(entries)).not.toContain('001203004567');
    expect(JSON.stringify(entries)).not.toContain('Nguyễn');
    expect(h.store.audit.verifyChain().ok).toBe(true);
  });

  it('drops a finished document’s draft, and every draft once the batch closes', async () => {
    h.station.drafts.save(batchId, { 0: draft(), 1: draft({ documentCode: 'KQ0001' }) }, DIGITISER.username);
    const first = await h.station.finish(batchId, 0, idCardMetadata({ dossierCode: null }), null, DIGITISER);
    expect(first.batchClosed).toBe(false);
    expect(Object.keys(h.station.drafts.load(batchId).drafts)).toEqual(['1']);
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
    expect(second.batchClosed).toBe(true);
    expect(h.station.drafts.load(batchId)).toEqual({ drafts: {}, savedAt: null });
    expect(h.store.settings.get(`digitise.drafts:${batchId}`)).toBeNull();
    expect(() => h.station.drafts.save(batchId, { 0: draft() }, DIGITISER.username)).toThrow(
      expect.objectContaining({ code: 'DIGITISE_ALREADY_FINISHED' }),
    );
  });

  it('refuses an unknown batch and reads a damaged row as no drafts', () => {
    expect(() => h.station.drafts.save('nope', { 0: draft() }, DIGITISER.username)).toThrow(
      expect.objectContaining({ code: 'NOT_FOUND' }),
    );
    expect(() => h.station.drafts.load('nope')).toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    h.store.settings.set(`digitise.drafts:${batchId}`, '{not json');
    expect(h.station.drafts.load(batchId)).toEqual({ drafts: {}, savedAt: null });
    h.store.settings.set(`digitise.drafts:${batchId}`, '[1,2]');
    expect(h.station.drafts.load(batchId)).toEqual({ drafts: {}, savedAt: null });
    // A damaged row is replaced by the next save.
    h.station.drafts.save(batchId, { 0: draft() }, DIGITISER.username);
    expect(h.station.drafts.load(batchId).drafts[0]).toEqual(draft());
  });
});

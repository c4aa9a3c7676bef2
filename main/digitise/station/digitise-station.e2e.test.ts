import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BatchView, DocumentSearchHit } from '../../../common/contract';
import { foldVietnamese } from '../../../common/domain';
import { SimulatedScanner, SimulatedScannerProvider } from '../../../drivers/testing';
import { createOcrPool, type OcrPool } from '../ocr/worker-pool';
import { stationPipelines } from './pipeline-factory';
import {
  DIGITISER,
  DOSSIER_CODE,
  idCardMetadata,
  stationHarness,
  type StationHarness,
} from '../testing/station-harness';

/**
 * The station end to end: the simulated scanner twin, the real pipeline (decode, geometry, clean,
 * OCR with the shipped Vietnamese model, searchable PDF), the real store. Two small pages at
 * 150 dpi plus one capture that cannot be decoded.
 */
const REQUEST = { source: 'feeder', duplex: false, resolution: 150, mode: 'gray', pageSize: 'A6' } as const;

describe('DigitiseStation with the simulated scanner and the real pipeline', () => {
  let h: StationHarness;
  let ocrPool: OcrPool;
  let batchId: string;

  beforeAll(async () => {
    ocrPool = createOcrPool({ maxWorkers: 2 });
    const scanner = new SimulatedScanner({
      id: 'sim:1',
      feeder: [
        { text: ['CĂN CƯỚC CÔNG DÂN', '', 'Họ và tên: Nguyễn Văn Dũng', 'Quê quán: phường Bến Nghé'] },
        { image: new TextEncoder().encode('this capture is not an image') },
        { text: ['Nơi thường trú:', '25 Lê Thánh Tôn, Hà Nội'] },
      ],
    });
    h = stationHarness({ scanners: new SimulatedScannerProvider([scanner]), pipelines: stationPipelines(ocrPool) });
    ({ batchId } = await h.station.startScan('sim:1', REQUEST, {}, DIGITISER));
    await h.station.idle();
  }, 120_000);
  afterAll(async () => {
    await h.dispose();
    await ocrPool.close();
  });

  it('keeps all three captures; the undecodable one is an error page, the others are OCRed', async () => {
    const view = BatchView.parse(await h.station.batch(batchId));
    expect(view.state).toBe('ready');
    expect(view.pages.map((p) => [p.index, p.status])).toEqual([
      [0, 'ok'],
      [1, 'error'],
      [2, 'ok'],
    ]);
    expect(view.pages[1]!.error?.code).toBe('IMAGE_UNREADABLE');
    expect(foldVietnamese(view.pages[0]!.ocrText ?? '')).toMatch(/ben nghe/);
    expect(foldVietnamese(view.pages[2]!.ocrText ?? '')).toMatch(/thuong tru/);
    expect(view.pages.map((p) => p.thumbnail !== null)).toEqual([true, false, true]);
    const stages = new Set(h.events.filter((e) => e.page === 0).map((e) => e.stage));
    expect([...stages]).toEqual(expect.arrayContaining(['captured', 'processing', 'decode', 'deskew', 'ocr', 'done']));
  });

  it('finishes the document for the dossier component: PDF, metadata, link, outbox and audit together', async () => {
    const store = h.store;
    await expect(h.station.finish(batchId, 0, idCardMetadata(), null, DIGITISER)).rejects.toMatchObject({
      code: 'DIGITISE_PAGE_FAILED',
    });
    expect(h.station.pendingComponents().map((c) => `${c.dossierCode}/${c.componentCode}`)).toEqual([
      `${DOSSIER_CODE}/TP2`,
    ]);
    const outboxBefore = store.db.prepare<[], number>('SELECT count(*) FROM outbox').pluck().get() ?? 0;

    await h.station.editBatch(batchId, [{ op: 'delete', page: 1 }], DIGITISER);
    const done = await h.station.finish(batchId, 0, idCardMetadata(), null, DIGITISER);
    expect(done).toMatchObject({
      pageCount: 2,
      componentCode: 'TP2',
      dossierCode: DOSSIER_CODE,
      batchClosed: true,
      blankPages: 0,
    });
    const rowId = Number(done.documentId.slice(2));

    const doc = store.documents.digitised(done.documentId)!;
    expect(doc).toMatchObject({
      convertedFromPaper: true,
      ownerName: 'Nguyễn Văn Dũng',
      kind: 'component',
      dossierCode: DOSSIER_CODE,
      digitiser: 'Lê Minh Quân',
      digitisedAt: '2025-07-15T10:00',
      validUntil: '2036-05-17',
      permanent: false,
      pageCount: 2,
      sizeBytes: done.sizeBytes,
      blobSha256: done.sha256,
      procedureCode: '2.000488',
      sectorCode: 'G13-TP01',
    });
    expect(store.documents.pagesOf(rowId)).toHaveLength(2);
    expect(
      store.dossiers.getByCode(DOSSIER_CODE)!.components.find((c) => c.componentCode === 'TP2')?.digitisedDocumentId,
    ).toBe(rowId);
    expect(h.station.pendingComponents()).toEqual([]);

    const rows = store.db
      .prepare<[], { kind: string; idempotency_key: string; payload_json: string }>(
        'SELECT kind, idempotency_key, payload_json FROM outbox ORDER BY id',
      )
      .all();
    expect(rows).toHaveLength(outboxBefore + 1);
    const row = rows.at(-1)!;
    expect(row.kind).toBe('dossier.upsert');
    expect(row.idempotency_key).toBe(`${DOSSIER_CODE}/digitised/TP2/${rowId}`);
    const payload = JSON.parse(row.payload_json) as {
      isUpdating: boolean;
      dossier: {
        HoSoCoThanhPhanSoHoa: string;
        TaiLieuNop: { MaThanhPhanHoSo: string; DuocSoHoa: string; TepDinhKemId: string }[];
      };
    };
    expect(payload.isUpdating).toBe(true);
    expect(payload.dossier.HoSoCoThanhPhanSoHoa).toBe('1');
    expect(payload.dossier.TaiLieuNop.find((f) => f.MaThanhPhanHoSo === 'TP2')).toMatchObject({
      DuocSoHoa: '1',
      TepDinhKemId: String(rowId),
    });

    const audit = store.audit.forEntity('document', done.documentId);
    expect(audit.map((a) => a.action)).toEqual(['document.digitise']);
    expect(audit[0]!.details).toMatchObject({ dossier: DOSSIER_CODE, component: 'TP2', pages: 2, sha256: done.sha256 });
    expect(JSON.stringify(audit)).not.toContain('001203004567');
    expect(store.audit.verifyChain()).toMatchObject({ ok: true });

    const file = join(h.dir, 'out.pdf');
    writeFileSync(file, await store.blobs.get(done.sha256));
    const text = foldVietnamese(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));
    expect(text).toMatch(/ben nghe/);
    expect(text).toMatch(/thuong tru/);
  });

  it('finds the document by its OCR text typed without diacritics', () => {
    const hits = h.store.documents.searchText('ben nghe', 10).map((x) => DocumentSearchHit.parse(x));
    expect(hits.map((x) => x.documentCode)).toEqual(['KQ0003']);
    expect(foldVietnamese(hits[0]!.snippet)).toMatch(/ben nghe/);
    expect(h.store.documents.searchText('le thanh ton', 10)).toHaveLength(1);
    expect(h.store.documents.searchText('nguyen van dung can cuoc', 10)).toHaveLength(1);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { startTestCore, TestSession } from './core-support';

/**
 * The digitisation station through the RPC server of a real training core: roles, schemas of every
 * new method, the hand-off from intake, import → process → finish → search.
 */
let t: Awaited<ReturnType<typeof startTestCore>>;
let digitiser: TestSession;
let dossierCode: string;

beforeAll(async () => {
  t = await startTestCore({ fixedNow: '2026-11-20T09:00' });
  await t.session.login();
  const p = await t.session.ok('catalogue.get', { code: '1.004873' });
  const dossier = await t.session.ok('intake.receive', {
    requestId: randomUUID(),
    procedureCode: p.code,
    channel: 'walk-in',
    applicant: {
      kind: 'citizen',
      idNumber: '001203004567',
      fullName: 'Nguyễn Văn Dũng',
      oldIdNumber: null,
      birthDate: null,
      sex: null,
      address: null,
      idIssueDate: null,
      phone: null,
      email: null,
    },
    components: p.components.map((c) => ({
      componentCode: c.code,
      originals: 1,
      copies: 0,
      source: c.documentCode === 'KQ0003' ? 'to-digitise' : 'paper',
    })),
  });
  dossierCode = dossier.code;
  digitiser = new TestSession(t.core);
  await digitiser.login('sohoa', 'daotao-sohoa');
}, 60_000);
afterAll(async () => {
  await t.dispose();
});

describe('digitisation station over the RPC', () => {
  it('lets officers see the hand-off but keeps scanning and document search to digitisers', async () => {
    const pending = await t.session.ok('digitise.pending');
    expect(pending).toEqual([
      expect.objectContaining({
        dossierCode,
        componentCode: 'TP02',
        documentCode: 'KQ0003',
        applicantName: 'Nguyễn Văn Dũng',
      }),
    ]);
    for (const method of ['digitise.scanners', 'documents.search', 'digitise.openBatches'] as const) {
      const r = await t.session.call(method, method === 'documents.search' ? { query: 'x' } : {});
      expect(r.ok ? 'ok' : r.error.code).toBe('FORBIDDEN');
    }
    const scanners = await digitiser.ok('digitise.scanners');
    expect(scanners.map((s) => s.id)).toEqual(expect.arrayContaining(['sim:1', 'file']));
    expect(scanners.find((s) => s.id === 'sim:1')?.capabilities?.resolutions).toContain(200);
    const bad = await digitiser.call('digitise.editBatch', {
      batchId: 'x',
      ops: [{ op: 'rotate', page: 0, degrees: 45 }],
    });
    expect(bad.ok ? 'ok' : bad.error.code).toBe('VALIDATION_FAILED');
  });

  it('imports a file, processes it, finishes it for the dossier and finds it by OCR text', async () => {
    const png = await renderFixturePage({
      text: ['CĂN CƯỚC CÔNG DÂN', '', 'Họ và tên: Nguyễn Văn Dũng', 'Nơi cư trú: phường Bến Nghé'],
      dpi: 150,
      widthMm: 105,
      heightMm: 148,
      mode: 'gray',
    });
    const { batchId, pages } = await digitiser.ok('digitise.importFiles', {
      files: [{ name: 'cccd.png', base64: Buffer.from(png).toString('base64') }],
      profile: { dpi: 150 },
    });
    expect(pages).toBe(1);
    await t.core.digitise.idle();
    const view = await digitiser.ok('digitise.batch', { batchId });
    expect(view.pages).toEqual([expect.objectContaining({ index: 0, status: 'ok', deleted: false })]);
    expect(await digitiser.ok('digitise.openBatches')).toEqual([
      expect.objectContaining({ batchId, pages: 1, state: 'ready' }),
    ]);

    const done = await digitiser.ok('digitise.finish', {
      batchId,
      metadata: {
        ownerIdNumber: '001203004567',
        ownerName: 'Nguyễn Văn Dũng',
        documentCode: 'KQ0003',
        documentName: 'Căn cước công dân',
        dossierCode,
        permanent: false,
        validUntil: '2036-05-17',
        issuer: null,
        number: null,
        issuedOn: null,
        summary: null,
        kind: 'component',
        procedureCode: null,
        sectorCode: null,
      },
    });
    expect(done).toMatchObject({ pageCount: 1, dossierCode, componentCode: 'TP02', batchClosed: true });
    expect(await t.session.ok('digitise.pending')).toEqual([]);
    const dossier = await t.session.ok('dossier.get', { code: dossierCode });
    expect(dossier.components.find((c) => c.componentCode === 'TP02')?.digitisedDocumentId).toBe(
      Number(done.documentId.slice(2)),
    );
    expect(dossier.sync.national).toBe('pending');

    const hits = await digitiser.ok('documents.search', { query: 'ben nghe' });
    expect(hits).toEqual([
      expect.objectContaining({ id: done.documentId, documentCode: 'KQ0003', convertedFromPaper: true, dossierCode }),
    ]);
  });
});

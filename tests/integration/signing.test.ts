import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { startTestCore, TestSession } from './core-support';

/**
 * Batch signing and verification through the RPC server of a real training core (simulated token):
 * roles, the PIN checked at login, a signed document that verifies as "valid and trusted".
 */
let t: Awaited<ReturnType<typeof startTestCore>>;
let digitiser: TestSession;
let admin: TestSession;

beforeAll(async () => {
  t = await startTestCore({ fixedNow: '2026-11-20T09:00' });
  await t.session.login();
  digitiser = new TestSession(t.core);
  await digitiser.login('sohoa', 'daotao-sohoa');
  admin = new TestSession(t.core);
  await admin.login('quantri', 'daotao-quantri');
}, 60_000);
afterAll(async () => {
  await t.dispose();
});

describe('signing over the RPC (training core)', () => {
  it('keeps signing to digitisers and supervisors; verification also to admins', async () => {
    expect((await t.session.call('signing.signBatch', { batchId: 'x', pin: '123456' })).ok).toBe(false);
    expect(await t.session.call('signing.signBatch', { batchId: 'x', pin: '123456' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await admin.call('signing.signBatch', { batchId: 'x', pin: '123456' })).toMatchObject({
      ok: false,
      error: { code: 'FORBIDDEN' },
    });
    expect(await admin.ok('signing.status')).toMatchObject({ enabled: true, simulated: true, keyId: '5a01' });
    expect(await digitiser.call('signing.signBatch', { batchId: 'x', pin: '12' })).toMatchObject({
      ok: false,
      error: { code: 'VALIDATION_FAILED' },
    });
    expect(
      await digitiser.call('signing.verify', { documentId: 'L:1', file: { name: 'a.pdf', base64: 'AA==' } }),
    ).toMatchObject({ ok: false, error: { code: 'VALIDATION_FAILED' } });
  });

  it('finishes a document, signs the batch with one PIN, and the stored PDF verifies as trusted', async () => {
    const png = await renderFixturePage({
      text: ['GIẤY KHAI SINH', '', 'Họ và tên: Trần Thị Mai'],
      dpi: 150,
      widthMm: 105,
      heightMm: 148,
      mode: 'gray',
    });
    const { batchId } = await digitiser.ok('digitise.importFiles', {
      files: [{ name: 'gks.png', base64: Buffer.from(png).toString('base64') }],
      profile: { dpi: 150 },
    });
    await t.core.digitise.idle();
    const done = await digitiser.ok('digitise.finish', {
      batchId,
      metadata: {
        ownerIdNumber: '001203004567',
        ownerName: 'Trần Thị Mai',
        documentCode: 'KQ0001',
        documentName: 'Giấy khai sinh',
        dossierCode: null,
        permanent: true,
        validUntil: null,
        issuer: null,
        number: null,
        issuedOn: null,
        summary: null,
        kind: 'component',
        procedureCode: null,
        sectorCode: null,
      },
    });
    const unsigned = await digitiser.ok('signing.verify', { documentId: done.documentId });
    expect(unsigned.signatures).toEqual([]);

    expect(await digitiser.call('signing.signBatch', { batchId, pin: '000000' })).toMatchObject({
      ok: false,
      error: { code: 'TOKEN_PIN_INCORRECT', details: { triesLeft: 4 } },
    });
    const started = await digitiser.ok('signing.signBatch', { batchId, pin: '123456' });
    expect(started).toMatchObject({ batchId, state: 'running', total: 1 });
    const job = await t.core.signing.settled(started.jobId);
    expect(job).toMatchObject({ state: 'finished', signed: 1, failed: 0 });
    expect(await digitiser.ok('signing.job', { jobId: started.jobId })).toEqual(job);

    const checked = await digitiser.ok('signing.verify', { documentId: done.documentId });
    expect(checked.signatures).toHaveLength(1);
    expect(checked.signatures[0]).toMatchObject({
      verdict: 'valid-trusted',
      integrity: { ok: true },
      changesAfterSigning: 'none',
      keyUsage: { ok: true },
    });
    expect(checked.trustAnchors).toBeGreaterThan(0);
    // The row points at the signed PDF.
    const pdf = await digitiser.ok('documents.pdf', { id: done.documentId });
    expect(Buffer.from(pdf.base64, 'base64').toString('latin1')).toContain('/ByteRange');
    expect(pdf.sha256).toBe(job.documents[0]!.sha256);
    expect(t.core.store.audit.forEntity('document', done.documentId).map((a) => a.action)).toEqual([
      'document.digitise',
      'document.sign',
    ]);
  }, 60_000);
});

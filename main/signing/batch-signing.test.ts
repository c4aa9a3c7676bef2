import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventPayload } from '../../common/contract';
import {
  createSoftHsmToken,
  Pkcs11TokenProvider,
  SimulatedScannerProvider,
  SimulatedToken,
  SimulatedTokenProvider,
  softHsmAvailable,
} from '../../drivers/testing';
import type { TokenProvider } from '../../drivers/token/token.port';
import { systemClock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import { effectiveSigning, SigningConfigSchema } from './signing-config';
import { hasTool, nssDbTrusting, pdfsig } from './testing/pdf-tools';
import { verifyPdf } from './verify';
import type { PageState } from '../digitise/types';
import { BatchSigning, hasSignature } from './batch-signing';
import type { DigitisePipeline, PipelineFactory } from '../digitise/station/pipeline-port';
import {
  DIGITISER,
  idCardMetadata,
  stationHarness,
  until,
  type StationHarness,
} from '../digitise/testing/station-harness';

/**
 * The station's batch signing against the simulated token (training mode) and a real SoftHSM2
 * token: one login per batch, progress, cancel, a result per document, a bad document failing
 * alone, signed PDFs stored and verified, nothing of the PIN in the logs.
 */

/** A quick stand-in pipeline: real PDFs (pdf-lib) with one page per capture. */
const stub: PipelineFactory = () => {
  const pipeline: DigitisePipeline = {
    async processPage(capture) {
      const { data, info } = await sharp(capture.bytes).greyscale().raw().toBuffer({ resolveWithObject: true });
      const state: PageState = {
        index: capture.index,
        side: capture.side,
        original: capture.bytes,
        image: { width: info.width, height: info.height, channels: 1, data: new Uint8Array(data) },
        dpi: 150,
        rotation: 0,
        skewAngle: 0,
        blank: false,
        inkCoverage: 0.1,
        notes: [],
        ocr: { text: `Trang ${capture.index}`, words: [], meanConfidence: 90 },
      };
      return state;
    },
    async finishDocument(pages, meta) {
      const pdf = await PDFDocument.create();
      const font = await pdf.embedFont(StandardFonts.Helvetica);
      pdf.setTitle(meta.documentCode);
      for (const p of pages) pdf.addPage([420, 595]).drawText(`Page ${p.index}`, { x: 40, y: 500, size: 14, font });
      return { pdf: await pdf.save({ useObjectStreams: false }), pageCount: pages.length, text: 'x' };
    },
  };
  return pipeline;
};

async function png(shade: number): Promise<string> {
  return (
    await sharp({ create: { width: 40, height: 60, channels: 3, background: { r: shade, g: shade, b: shade } } })
      .png()
      .toBuffer()
  ).toString('base64');
}

interface Setup {
  h: StationHarness;
  batchId: string;
  documentIds: string[];
  lines: string[];
  events: EventPayload<'signing.progress'>[];
  signing: BatchSigning;
}

const harnesses: StationHarness[] = [];
const providers: TokenProvider[] = [];
afterEach(async () => {
  for (const p of providers.splice(0)) await p.dispose();
  for (const h of harnesses.splice(0)) await h.dispose();
});

/** A batch of `n` finished documents (one page each) and a signing service on `tokens`. */
async function setup(n: number, tokens: TokenProvider, settings = effectiveSigning(undefined, true)): Promise<Setup> {
  const h = stationHarness({ scanners: new SimulatedScannerProvider([]), pipelines: stub });
  harnesses.push(h);
  providers.push(tokens);
  const files = await Promise.all(
    Array.from({ length: n }, async (_, i) => ({ name: `p${i}.png`, base64: await png(200 + i) })),
  );
  const { batchId } = await h.station.importFiles(files, {}, DIGITISER);
  await until(() => h.store.batches.get(batchId)!.pages.every((p) => p.status === 'ok'));
  const view = await h.station.batch(batchId);
  if (n > 1)
    await h.station.editBatch(
      batchId,
      view.pages.slice(0, -1).map((p) => ({ op: 'split' as const, afterPage: p.index })),
      DIGITISER,
    );
  const documentIds: string[] = [];
  for (let g = 0; g < n; g++) {
    const r = await h.station.finish(
      batchId,
      g,
      idCardMetadata({ dossierCode: null, documentName: `Giấy tờ ${g + 1}` }),
      null,
      DIGITISER,
    );
    documentIds.push(r.documentId);
  }
  const lines: string[] = [];
  const log: Logger = {
    log: (level, event, fields) => void lines.push(JSON.stringify({ level, event, ...fields })),
    child: () => log,
  };
  const events: EventPayload<'signing.progress'>[] = [];
  const signing = new BatchSigning({
    store: h.store,
    clock: systemClock,
    log,
    settings,
    tokens,
    agencyName: 'UBND phường Bến Nghé',
    trustAnchors: [],
    onEvent: (e) => events.push(e),
  });
  return { h, batchId, documentIds, lines, events, signing };
}

async function storedPdf(h: StationHarness, id: string): Promise<Uint8Array> {
  return h.store.blobs.get(h.store.documents.get(id)!.blobSha256!);
}

describe('batch signing at the digitisation station (simulated token)', () => {
  it('logs in once, signs every document, stores and audits each; a corrupt document fails alone', async () => {
    const token = new SimulatedToken();
    const s = await setup(3, new SimulatedTokenProvider([token]));
    // Document 2's stored PDF is damaged.
    const bad = s.h.store.documents.get(s.documentIds[1]!)!;
    const junk = await s.h.store.blobs.put(new TextEncoder().encode('%PDF-1.7\nnot really a pdf'));
    expect(s.h.store.documents.replaceDigitisedPdf(bad.rowId, bad.blobSha256!, junk.sha256, junk.size)).toBe(true);
    const before = await storedPdf(s.h, s.documentIds[0]!);

    const started = await s.signing.start(s.batchId, '123456', DIGITISER);
    expect(started).toMatchObject({ state: 'running', total: 3, signer: expect.stringMatching(/\S/) });
    const job = await s.signing.settled(started.jobId);
    expect(job).toMatchObject({ state: 'finished', done: 3, signed: 2, failed: 1 });
    expect(job.documents.map((d) => [d.documentId, d.state, d.code])).toEqual([
      [s.documentIds[0], 'signed', null],
      [s.documentIds[1], 'failed', 'SIGN_PDF_INVALID'],
      [s.documentIds[2], 'signed', null],
    ]);
    expect(s.events.map((e) => `${e.done}/${e.total}:${e.document?.state ?? e.state}`)).toEqual([
      '1/3:signed',
      '2/3:failed',
      '3/3:signed',
      '3/3:finished',
    ]);

    for (const id of [s.documentIds[0]!, s.documentIds[2]!]) {
      const pdf = await storedPdf(s.h, id);
      expect(hasSignature(pdf)).toBe(true);
      expect(s.h.store.documents.get(id)!.blobSha256).toBe(job.documents.find((d) => d.documentId === id)!.sha256);
      // Training mode trusts the simulated token's CA.
      const checked = await s.signing.verify({ documentId: id });
      expect(checked.signatures).toHaveLength(1);
      expect(checked.signatures[0]).toMatchObject({
        verdict: 'valid-trusted',
        changesAfterSigning: 'none',
        reason: 'Xác thực bản số hóa từ bản giấy',
        location: 'UBND phường Bến Nghé',
      });
      expect(s.h.store.audit.forEntity('document', id).map((a) => a.action)).toContain('document.sign');
    }
    // The signed file is the unsigned one plus an incremental update: the original bytes are kept.
    const after = await storedPdf(s.h, s.documentIds[0]!);
    expect(Buffer.from(after.subarray(0, before.length)).equals(Buffer.from(before))).toBe(true);
    expect(token.signatures).toBe(2);
    // Session closed with the batch: nothing running, and the PIN never reached a log line.
    expect(s.signing.status().running).toBeNull();
    expect(s.lines.join('\n')).not.toContain('123456');
    expect(s.lines.some((l) => l.includes('signing.start'))).toBe(true);

    // Signing the batch again touches only what is unsigned; signed files are skipped, never re-signed.
    const again = await s.signing.settled((await s.signing.start(s.batchId, '123456', DIGITISER)).jobId);
    expect(again.documents.map((d) => d.state)).toEqual(['skipped', 'failed', 'skipped']);
    expect(token.signatures).toBe(2);
  });

  it('on a desk enrolled at a centre, each signed document also writes the centre’s document.signed row', async () => {
    const s = await setup(2, new SimulatedTokenProvider([new SimulatedToken()]));
    const centreRows = () =>
      s.h.store.db
        .prepare<[], { payload_json: string }>("SELECT payload_json FROM outbox WHERE target = 'centre' ORDER BY id")
        .all()
        .map((r) => JSON.parse(r.payload_json) as { kind: string; payload: Record<string, unknown> });
    // Not enrolled: nothing for a centre.
    const first = await s.signing.settled((await s.signing.start(s.batchId, '123456', DIGITISER)).jobId);
    expect(first.signed).toBe(2);
    expect(centreRows()).toEqual([]);

    const t = await setup(1, new SimulatedTokenProvider([new SimulatedToken()]));
    t.h.store.outbox.replicateToCentre({ deviceId: 'dev-1', centreId: 'c-1', counter: 'Q01' });
    const job = await t.signing.settled((await t.signing.start(t.batchId, '123456', DIGITISER)).jobId);
    expect(job.signed).toBe(1);
    const rows = t.h.store.db
      .prepare<[], { payload_json: string }>("SELECT payload_json FROM outbox WHERE target = 'centre' ORDER BY id")
      .all()
      .map((r) => JSON.parse(r.payload_json) as { kind: string; payload: Record<string, unknown> });
    const signed = rows.filter((r) => r.kind === 'document.signed');
    expect(signed).toHaveLength(1);
    expect(signed[0]!.payload).toMatchObject({
      dossierCode: null,
      documentCode: expect.any(String),
      signer: job.signer,
      officer: DIGITISER.displayName,
    });
  });

  it('answers a wrong PIN at once with the tries left, and signs nothing', async () => {
    const token = new SimulatedToken();
    const s = await setup(1, new SimulatedTokenProvider([token]));
    await expect(s.signing.start(s.batchId, '999999', DIGITISER)).rejects.toMatchObject({
      code: 'TOKEN_PIN_INCORRECT',
      details: { triesLeft: 4 },
    });
    expect(s.signing.status().running).toBeNull();
    expect(token.signatures).toBe(0);
    expect(s.lines.join('\n')).not.toContain('999999');
    expect(hasSignature(await storedPdf(s.h, s.documentIds[0]!))).toBe(false);
  });

  it('cancel: documents after the cancel are left unsigned and the job says cancelled', async () => {
    const token = new SimulatedToken({ signDelayMs: 150 });
    const s = await setup(4, new SimulatedTokenProvider([token]));
    const started = await s.signing.start(s.batchId, '123456', DIGITISER);
    await expect(s.signing.start(s.batchId, '123456', DIGITISER)).rejects.toMatchObject({ code: 'SIGN_BUSY' });
    await until(() => s.events.some((e) => e.document?.state === 'signed'));
    s.signing.cancel(started.jobId);
    const job = await s.signing.settled(started.jobId);
    expect(job.state).toBe('cancelled');
    expect(job.documents[0]!.state).toBe('signed');
    expect(job.documents.at(-1)!.state).toBe('cancelled');
    expect(job.documents.at(-1)!.code).toBe('SIGN_CANCELLED');
    expect(hasSignature(await storedPdf(s.h, s.documentIds[3]!))).toBe(false);
    expect(s.events.at(-1)).toMatchObject({ state: 'cancelled', done: 4, total: 4 });
  });

  it('a token pulled out mid-batch fails the rest with TOKEN_REMOVED, without retrying', async () => {
    const token = new SimulatedToken();
    const s = await setup(3, new SimulatedTokenProvider([token]));
    token.removeAfterSignatures(1);
    const job = await s.signing.settled((await s.signing.start(s.batchId, '123456', DIGITISER)).jobId);
    expect(job.documents.map((d) => (d.state === 'signed' ? 'signed' : d.code))).toEqual([
      'signed',
      'TOKEN_REMOVED',
      'TOKEN_REMOVED',
    ]);
  });

  it('refuses when signing is off, and for an unknown batch or a document of another batch', async () => {
    const off = await setup(1, new SimulatedTokenProvider([new SimulatedToken()]), null);
    await expect(off.signing.start(off.batchId, '123456', DIGITISER)).rejects.toMatchObject({
      code: 'SIGN_NOT_CONFIGURED',
    });
    expect(off.signing.status()).toMatchObject({ enabled: false, running: null });
    const on = await setup(1, new SimulatedTokenProvider([new SimulatedToken()]));
    await expect(on.signing.start('no-such-batch', '123456', DIGITISER)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(on.signing.start(on.batchId, '123456', DIGITISER, ['L:99999'])).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(on.signing.status()).toMatchObject({ enabled: true, simulated: true, keyId: '5a01', running: null });
  });

  it('verifies an uploaded file: an unsigned PDF has no signature, junk is reported as unreadable', async () => {
    const s = await setup(1, new SimulatedTokenProvider([new SimulatedToken()]));
    const unsigned = await storedPdf(s.h, s.documentIds[0]!);
    const plain = await s.signing.verify({ file: { name: 'a.pdf', base64: Buffer.from(unsigned).toString('base64') } });
    expect(plain).toMatchObject({ fileName: 'a.pdf', documentId: null, signatures: [], problem: null });
    const junk = await s.signing.verify({ file: { name: 'b.pdf', base64: Buffer.from('hello').toString('base64') } });
    expect(junk.signatures).toEqual([]);
    expect(junk.problem).toEqual(expect.any(String));
    await expect(s.signing.verify({ documentId: 'L:424242' })).rejects.toMatchObject({ code: 'DOCUMENT_UNKNOWN' });
  });
});

const haveSoftHsm = (await softHsmAvailable()) && hasTool('pdfsig') && hasTool('certutil');

describe.skipIf(!haveSoftHsm)('batch signing with a real PKCS#11 token (SoftHSM2)', () => {
  it('signs a batch through the token host; pdfsig and our verifier accept every document', async () => {
    const fixture = await createSoftHsmToken({ caOnToken: true });
    try {
      const tokens = new Pkcs11TokenProvider({ modules: [fixture.modulePath], search: false, env: fixture.env });
      const settings = effectiveSigning(
        SigningConfigSchema.parse({
          modulePath: fixture.modulePath,
          keyId: fixture.keys.ec.keyId,
          tokenLabel: fixture.label,
          stamp: { visible: true },
        }),
        false,
      )!;
      const s = await setup(2, tokens, settings);
      await expect(s.signing.start(s.batchId, '000000', DIGITISER)).rejects.toMatchObject({
        code: 'TOKEN_PIN_INCORRECT',
      });
      const job = await s.signing.settled((await s.signing.start(s.batchId, fixture.pin, DIGITISER)).jobId);
      expect(job).toMatchObject({ state: 'finished', signed: 2, failed: 0, signer: 'Nguyễn Văn An' });
      const nss = nssDbTrusting(join(fixture.dir, 'ca.pem'));
      for (const id of s.documentIds) {
        const pdf = await storedPdf(s.h, id);
        const file = join(fixture.dir, `${id.replace(':', '-')}.pdf`);
        writeFileSync(file, pdf);
        const sig = pdfsig(file, nss);
        expect(sig.out).toContain('Signature is Valid.');
        expect(sig.out).toContain('Certificate is Trusted.');
        const report = await verifyPdf(pdf, { trustAnchors: [fixture.caCertPem] });
        expect(report.signatures[0]).toMatchObject({ verdict: 'valid-trusted', integrity: { ok: true } });
      }
      expect(s.lines.join('\n')).not.toContain(fixture.pin);
    } finally {
      await fixture.dispose();
    }
  }, 120_000);
});

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { createPipeline } from '../digitise/pipeline';
import { SAMPLE_META } from '../digitise/testing/meta';
import { SAMPLE_LINES } from '../digitise/testing/pages';
import { DEFAULT_PROFILE } from '../digitise/types';
import { DIGITISED_REASON, padesSignStage } from './sign-stage';
import { verifyPdf } from './verify';
import { nssDbTrusting, opensslCmsVerify, pdfsig } from './testing/pdf-tools';
import { issueSigner, makeTestCa } from './testing/test-pki';

describe('signing a digitised PDF through the pipeline slot', () => {
  it('the searchable PDF from main/digitise is signed last and verifies with pdfsig and openssl', async () => {
    const ca = makeTestCa();
    const signer = issueSigner(ca, { algorithm: 'ecdsa-p256' });
    const pipeline = createPipeline({
      profile: { ...DEFAULT_PROFILE },
      ocrPool: null,
      signStage: padesSignStage(signer.key, {
        location: 'UBND xã Hòa Phú',
        stamp: { page: 0, agency: 'UBND xã Hòa Phú' },
      }),
    });
    const bytes = await renderFixturePage({ text: SAMPLE_LINES, dpi: 150, widthMm: 148, heightMm: 105 });
    const page = await pipeline.processPage({ index: 0, side: 'front', bytes, dpi: 150 });
    const out = await pipeline.finishDocument([page], SAMPLE_META);
    const file = join(mkdtempSync(join(tmpdir(), 'motcua-digitised-')), 'digitised-signed.pdf');
    writeFileSync(file, out.pdf);
    const sig = pdfsig(file, nssDbTrusting(ca.certPath));
    expect(sig.out).toContain('Signature is Valid.');
    expect(sig.out).toContain('Certificate is Trusted.');
    expect(sig.out).toContain('Total document signed');
    expect(opensslCmsVerify(out.pdf, 0, ca.certPath).status).toBe(0);
    const s = (await verifyPdf(out.pdf, { trustAnchors: [ca.certPem] })).signatures;
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ verdict: 'valid-trusted', reason: DIGITISED_REASON, location: 'UBND xã Hòa Phú' });
  });
});

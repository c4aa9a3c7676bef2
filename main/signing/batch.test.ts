import { beforeAll, describe, expect, it } from 'vitest';
import type { SigningKey } from '../../drivers/token/signing-key.port';
import { signBatch, type BatchProgress } from './batch';
import { verifyPdf } from './verify';
import { samplePdf } from './testing/pdf-tools';
import { issueSigner, makeTestCa, type TestCa, type TestSigner } from './testing/test-pki';

let ca: TestCa;
let rsa: TestSigner;

beforeAll(() => {
  ca = makeTestCa();
  rsa = issueSigner(ca);
});

describe('signBatch', () => {
  it('signs every good document with one key; a corrupt one fails alone', async () => {
    const good = await samplePdf(1);
    const corrupt = new TextEncoder().encode('%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R');
    const progress: BatchProgress[] = [];
    const stored: string[] = [];
    const results = await signBatch(
      [
        { id: 'a', pdf: good },
        { id: 'b', pdf: corrupt },
        {
          id: 'c',
          pdf: async () => samplePdf(3, true),
          options: { reason: 'Ký kết quả', stamp: { page: 0, agency: 'UBND xã Hòa Phú' } },
        },
        { id: 'd', pdf: new TextEncoder().encode('not a pdf') },
      ],
      rsa.key,
      { reason: 'Xác thực bản số hóa', onProgress: (p) => progress.push(p), onSigned: (id) => void stored.push(id) },
    );
    expect(results.map((r) => [r.id, r.ok])).toEqual([
      ['a', true],
      ['b', false],
      ['c', true],
      ['d', false],
    ]);
    expect(results[1]).toMatchObject({ code: 'SIGN_PDF_INVALID' });
    expect(results[3]).toMatchObject({ code: 'SIGN_PDF_INVALID' });
    expect(progress.map((p) => `${p.done}/${p.total}`)).toEqual(['1/4', '2/4', '3/4', '4/4']);
    expect(stored).toEqual(['a', 'c']);
    for (const r of results) {
      if (!r.ok) continue;
      const s = (await verifyPdf(r.signed, { trustAnchors: [ca.certPem] })).signatures;
      expect(s).toHaveLength(1);
      expect(s[0]!.verdict).toBe('valid-trusted');
    }
    expect((results[2] as { signed: Uint8Array }).signed).toBeDefined();
  });

  it('cancel: documents after the abort are reported cancelled, none signed', async () => {
    const ac = new AbortController();
    const pdf = await samplePdf(1);
    const results = await signBatch(
      ['1', '2', '3'].map((id) => ({ id, pdf })),
      rsa.key,
      {
        signal: ac.signal,
        onProgress: (p) => {
          if (p.done === 1) ac.abort();
        },
      },
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual(['ok', 'SIGN_CANCELLED', 'SIGN_CANCELLED']);
  });

  it('a key that disappears mid-batch fails the rest with its code, without more attempts', async () => {
    let calls = 0;
    const flaky: SigningKey = {
      ...rsa.key,
      certificate: rsa.key.certificate,
      chain: rsa.key.chain,
      algorithm: rsa.key.algorithm,
      keyId: rsa.key.keyId,
      async signDigest(d) {
        calls++;
        if (calls >= 2) throw Object.assign(new Error('token removed'), { code: 'TOKEN_REMOVED' });
        return rsa.key.signDigest(d);
      },
    };
    const pdf = await samplePdf(1);
    const results = await signBatch(
      ['1', '2', '3', '4'].map((id) => ({ id, pdf })),
      flaky,
    );
    expect(results.map((r) => (r.ok ? 'ok' : r.code))).toEqual([
      'ok',
      'TOKEN_REMOVED',
      'TOKEN_REMOVED',
      'TOKEN_REMOVED',
    ]);
    expect(calls).toBe(2);
  });
});

import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { beforeAll, describe, expect, it } from 'vitest';
import { OID, sha256 } from './cms';
import { signPdf } from './pades';
import { HttpTimestampAuthority } from './tsa';
import { verifyPdf } from './verify';
import { startFakeTsa } from './testing/fake-tsa';
import { extractSignature, nssDbTrusting, opensslCmsVerify, pdfsig, samplePdf } from './testing/pdf-tools';
import { issueSigner, makeTestCa, type TestCa, type TestSigner } from './testing/test-pki';

const work = mkdtempSync(join(tmpdir(), 'motcua-sign-'));
let ca: TestCa;
let rsa: TestSigner;
let ec: TestSigner;
let nss: string;

beforeAll(() => {
  ca = makeTestCa();
  rsa = issueSigner(ca, { algorithm: 'rsa' });
  ec = issueSigner(ca, { algorithm: 'ecdsa-p256' });
  nss = nssDbTrusting(ca.certPath);
});

function save(name: string, bytes: Uint8Array): string {
  const p = join(work, name);
  writeFileSync(p, bytes);
  return p;
}

/** pdfsig's block for signature `n` (1-based). */
function block(out: string, n: number): string {
  const parts = out.split(/^Signature #/m);
  return parts[n] ?? '';
}

describe('signPdf: PAdES B-B', () => {
  it('RSA: pdfsig and openssl accept it, Vietnamese texts read back, the original bytes are kept', async () => {
    const pdf = await samplePdf(2);
    const signed = await signPdf(pdf, rsa.key, {
      fieldName: 'Chữ ký Nguyễn Văn An',
      reason: 'Xác thực bản số hóa từ bản giấy',
      location: 'UBND xã Hòa Phú, tỉnh Quảng Nam',
    });
    expect(Buffer.from(signed.subarray(0, pdf.length)).equals(Buffer.from(pdf))).toBe(true);
    const file = save('rsa.pdf', signed);

    const sig = pdfsig(file, nss);
    expect(sig.out).toContain('Signature Field Name: Chữ ký Nguyễn Văn An');
    expect(sig.out).toContain('Signer Certificate Common Name: Nguyễn Văn An');
    expect(sig.out).toContain('Signature Type: ETSI.CAdES.detached');
    expect(sig.out).toContain('Total document signed');
    expect(sig.out).toContain('Signature is Valid.');
    expect(sig.out).toContain('Certificate is Trusted.');
    expect(opensslCmsVerify(signed, 0, ca.certPath)).toMatchObject({ status: 0 });

    // The incremental update is well-formed and the text strings decode (qpdf reads them as UTF-16BE).
    expect(spawnSync('qpdf', ['--check', file], { encoding: 'utf8' }).status).toBe(0);
    const json = spawnSync('qpdf', ['--json', file], { encoding: 'utf8' }).stdout;
    expect(json).toContain('"/Reason": "u:Xác thực bản số hóa từ bản giấy"');
    expect(json).toContain('"/Location": "u:UBND xã Hòa Phú, tỉnh Quảng Nam"');

    const report = await verifyPdf(signed, { trustAnchors: [ca.certPem] });
    expect(report.signatures).toHaveLength(1);
    const s = report.signatures[0]!;
    expect(s).toMatchObject({
      verdict: 'valid-trusted',
      valid: true,
      trusted: true,
      changesAfterSigning: 'none',
      coversWholeFile: true,
      signingCertificateAttribute: 'matches',
      reason: 'Xác thực bản số hóa từ bản giấy',
      location: 'UBND xã Hòa Phú, tỉnh Quảng Nam',
      name: 'Nguyễn Văn An',
      fieldName: 'Chữ ký Nguyễn Văn An',
      subFilter: 'ETSI.CAdES.detached',
    });
    expect(s.keyUsage).toMatchObject({ ok: true, digitalSignature: true, nonRepudiation: true });
    expect(s.signer?.subject).toBe('C=VN, O=UBND xã Hòa Phú, CN=Nguyễn Văn An');
  });

  it('signed attributes: content-type, message-digest, signing-certificate-v2, no signing-time; chain included', async () => {
    const signed = await signPdf(await samplePdf(1), rsa.key);
    const { cms } = extractSignature(signed, 0);
    const ci = pkijs.ContentInfo.fromBER(new Uint8Array(cms));
    const sd = new pkijs.SignedData({ schema: ci.content });
    const types = sd.signerInfos[0]!.signedAttrs!.attributes.map((a) => a.type).sort();
    expect(types).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort());
    expect(types).not.toContain(OID.signingTime);
    expect(sd.certificates).toHaveLength(2);
  });

  it('ECDSA P-256 on a PDF with a cross-reference stream, with a visible Vietnamese stamp', async () => {
    const pdf = await samplePdf(3, true);
    const signed = await signPdf(pdf, ec.key, {
      reason: 'Ký số kết quả',
      stamp: { page: -1, agency: 'UBND xã Hòa Phú', rect: { x: 340, y: 40, width: 220, height: 64 } },
    });
    const file = save('ec.pdf', signed);
    const sig = pdfsig(file, nss);
    expect(sig.out).toContain('Signature is Valid.');
    expect(sig.out).toContain('Certificate is Trusted.');
    expect(opensslCmsVerify(signed, 0, ca.certPath).status).toBe(0);
    expect(spawnSync('qpdf', ['--check', file]).status).toBe(0);
    // The stamp's text is real text in the embedded font on the last page.
    const text = spawnSync('pdftotext', ['-f', '3', '-l', '3', file, '-'], { encoding: 'utf8' }).stdout;
    expect(text).toContain('Ký bởi: Nguyễn Văn An');
    expect(text).toContain('Cơ quan: UBND xã Hòa Phú');
    const report = await verifyPdf(signed, { trustAnchors: [ca.certPem] });
    expect(report.signatures[0]).toMatchObject({ verdict: 'valid-trusted' });
  });

  it('a tampered byte is caught by pdfsig, openssl and our verifier', async () => {
    const signed = await signPdf(await samplePdf(1), rsa.key);
    const tampered = new Uint8Array(signed);
    const at = Buffer.from(tampered).indexOf('/Helvetica') + '/Helvetic'.length;
    expect(at).toBeGreaterThan(0);
    tampered[at] = 'e'.charCodeAt(0); // /Helvetica → /Helvetice, inside the signed bytes
    const sig = pdfsig(save('tampered.pdf', tampered), nss);
    expect(sig.out).not.toContain('Signature is Valid.');
    expect(opensslCmsVerify(tampered, 0, ca.certPath).status).not.toBe(0);
    const r = await verifyPdf(tampered, { trustAnchors: [ca.certPem] });
    const s = r.signatures[0]!;
    expect(s).toMatchObject({ verdict: 'invalid', valid: false, trusted: false });
    expect(s.integrity.digestMatches).toBe(false);
  });

  it('a chain to another CA is valid but untrusted', async () => {
    const other = makeTestCa('CA lạ');
    const stranger = issueSigner(other, { algorithm: 'rsa' });
    const signed = await signPdf(await samplePdf(1), stranger.key);
    const sig = pdfsig(save('untrusted.pdf', signed), nss);
    expect(sig.out).toContain('Signature is Valid.');
    expect(sig.out).not.toContain('Certificate is Trusted.');
    const s = (await verifyPdf(signed, { trustAnchors: [ca.certPem] })).signatures[0]!;
    expect(s).toMatchObject({ verdict: 'valid-untrusted', valid: true, trusted: false });
    expect(s.chain.problem).toBe('CHAIN_INCOMPLETE');
    // The same file with its own CA as anchor is trusted.
    expect((await verifyPdf(signed, { trustAnchors: [other.certPem] })).signatures[0]!.verdict).toBe('valid-trusted');
  });

  it('a counter-signature keeps the first signature valid', async () => {
    const once = await signPdf(await samplePdf(1, true), rsa.key, { reason: 'Người lập' });
    const twice = await signPdf(once, ec.key, { reason: 'Người duyệt', stamp: { page: 0 } });
    expect(Buffer.from(twice.subarray(0, once.length)).equals(Buffer.from(once))).toBe(true);
    const file = save('counter.pdf', twice);
    const sig = pdfsig(file, nss);
    expect(block(sig.out, 1)).toContain('Signature is Valid.');
    expect(block(sig.out, 1)).toContain('Not total document signed');
    expect(block(sig.out, 2)).toContain('Signature is Valid.');
    expect(block(sig.out, 2)).toContain('Total document signed');
    expect(block(sig.out, 2)).toContain('Signature Field Name: Signature2');
    expect(opensslCmsVerify(twice, 0, ca.certPath).status).toBe(0);
    expect(opensslCmsVerify(twice, 1, ca.certPath).status).toBe(0);
    const [first, second] = (await verifyPdf(twice, { trustAnchors: [ca.certPem] })).signatures;
    expect(first).toMatchObject({
      verdict: 'valid-trusted',
      changesAfterSigning: 'signatures-added',
      laterRevisions: 1,
      reason: 'Người lập',
    });
    expect(second).toMatchObject({ verdict: 'valid-trusted', changesAfterSigning: 'none', reason: 'Người duyệt' });
  });

  it('changes appended after signing that no signature covers are reported', async () => {
    const signed = await signPdf(await samplePdf(1), rsa.key);
    const text = Buffer.from(signed).toString('latin1');
    const prev = /startxref\s+(\d+)\s+%%EOF\s*$/.exec(text)![1];
    const obj = `99 0 obj\n(added later)\nendobj\n`;
    const xrefAt = signed.length + obj.length;
    const update = `${obj}xref\n99 1\n${String(signed.length).padStart(10, '0')} 00000 n\r\ntrailer\n<< /Size 100 /Root 1 0 R /Prev ${prev} >>\nstartxref\n${xrefAt}\n%%EOF\n`;
    const changed = Buffer.concat([Buffer.from(signed), Buffer.from(update, 'latin1')]);
    const s = (await verifyPdf(changed, { trustAnchors: [ca.certPem] })).signatures[0]!;
    expect(s).toMatchObject({
      changesAfterSigning: 'other-changes',
      coversWholeFile: false,
      laterRevisions: 1,
      valid: true,
    });
  });
});

describe('signPdf: PAdES B-T', () => {
  it('adds an RFC 3161 timestamp from the authority; openssl ts and our verifier accept it', async () => {
    const tsaSigner = issueSigner(ca, {
      algorithm: 'rsa',
      purpose: 'tsa',
      subject: '/C=VN/O=Ban Cơ yếu Chính phủ/CN=Máy chủ cấp dấu thời gian thử nghiệm',
    });
    const tsa = await startFakeTsa(tsaSigner.key);
    try {
      const signed = await signPdf(await samplePdf(1), rsa.key, {
        timestampAuthority: new HttpTimestampAuthority({ url: tsa.url }),
      });
      expect(tsa.requests).toBe(1);
      const file = save('bt.pdf', signed);
      const sig = pdfsig(file, nss);
      expect(sig.out).toContain('Signature is Valid.');
      expect(sig.out).toContain('Certificate is Trusted.');
      expect(opensslCmsVerify(signed, 0, ca.certPath).status).toBe(0);

      // The token, verified by openssl ts against the digest of the signature value.
      const { cms } = extractSignature(signed, 0);
      const sd = new pkijs.SignedData({ schema: pkijs.ContentInfo.fromBER(new Uint8Array(cms)).content });
      const si = sd.signerInfos[0]!;
      const attr = si.unsignedAttrs!.attributes.find((a) => a.type === OID.timeStampToken)!;
      writeFileSync(join(work, 'token.der'), Buffer.from((attr.values[0] as asn1js.Sequence).toBER()));
      const imprint = Buffer.from(sha256(new Uint8Array(si.signature.valueBlock.valueHexView))).toString('hex');
      const ts = spawnSync(
        'openssl',
        ['ts', '-verify', '-digest', imprint, '-in', 'token.der', '-token_in', '-CAfile', ca.certPath],
        { cwd: work, encoding: 'utf8' },
      );
      expect(`${ts.stdout}${ts.stderr}`).toContain('Verification: OK');

      const s = (await verifyPdf(signed, { trustAnchors: [ca.certPem] })).signatures[0]!;
      expect(s).toMatchObject({ verdict: 'valid-trusted', signingTimeSource: 'timestamp' });
      expect(s.timestamp).toMatchObject({ present: true, valid: true, trusted: true });
      expect(s.timestamp!.tsa).toContain('Máy chủ cấp dấu thời gian thử nghiệm');
    } finally {
      await tsa.close();
    }
  });

  it('a failing authority fails the signature with SIGN_TIMESTAMP_FAILED', async () => {
    const tsaSigner = issueSigner(ca, { purpose: 'tsa' });
    const tsa = await startFakeTsa(tsaSigner.key);
    try {
      tsa.failNext();
      await expect(
        signPdf(await samplePdf(1), rsa.key, { timestampAuthority: new HttpTimestampAuthority({ url: tsa.url }) }),
      ).rejects.toMatchObject({ code: 'SIGN_TIMESTAMP_FAILED' });
    } finally {
      await tsa.close();
    }
  });
});

/**
 * Verification of the signatures in a PDF: for each one, integrity (the digest over its
 * /ByteRange and the CMS signature), what changed after it (later revisions: further signatures
 * or other changes), the signer's certificate and its validity at the signing time, key usage,
 * the chain to the configured trust anchors, and an RFC 3161 timestamp when present.
 *
 * Verdict: 'invalid' when integrity, the certificate's validity or its key usage fails;
 * 'valid-trusted' when the chain reaches a trust anchor; otherwise 'valid-untrusted'.
 */
import { createHash, verify as cryptoVerify, X509Certificate, constants } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { PDFArray, PDFDict, PDFDocument, PDFHexString, PDFName, PDFNumber, PDFRef, PDFString } from 'pdf-lib';
import { HASH_BY_OID, OID, toArrayBuffer } from './cms';
import { latin1, parsePdfDate } from './pdf-text';
import { readTimestampToken } from './tsa';
import type { VerifyProblem } from '../../common/contract/signing';

export type Verdict = 'valid-trusted' | 'valid-untrusted' | 'invalid';

export interface CertificateSummary {
  subject: string;
  commonName: string;
  issuer: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sha256: string;
}

export interface SignatureReport {
  fieldName: string | null;
  subFilter: string | null;
  byteRange: number[];
  /** Digest over the ByteRange equals the signed message-digest, and the CMS signature checks out. */
  /**
   * `problem` is a stable code (`VERIFY_PROBLEMS`); `problemDetail` the library's own words, for logs and `--json`
   * only.
   */
  integrity: {
    ok: boolean;
    digestMatches: boolean;
    signatureValid: boolean;
    problem?: VerifyProblem;
    problemDetail?: string;
  };
  /**
   * 'none': the signature covers the whole file. 'signatures-added': later revisions exist and each
   * is covered by a later signature (counter-signatures). 'other-changes': bytes after this
   * signature's revision that no later signature covers.
   */
  changesAfterSigning: 'none' | 'signatures-added' | 'other-changes';
  coversWholeFile: boolean;
  laterRevisions: number;
  signer: CertificateSummary | null;
  signingCertificateAttribute: 'matches' | 'mismatch' | 'absent';
  /** Timestamp time when present, else /M, else now. */
  signingTime: string;
  signingTimeSource: 'timestamp' | 'signature-dictionary' | 'verification-time';
  claimedTime: string | null;
  certificateValidAtSigningTime: boolean;
  keyUsage: { ok: boolean; digitalSignature: boolean; nonRepudiation: boolean; present: boolean };
  chain: { trusted: boolean; path: string[]; problem?: VerifyProblem };
  timestamp: {
    present: boolean;
    valid: boolean;
    genTime: string | null;
    tsa: string | null;
    trusted: boolean;
    problem?: VerifyProblem;
    problemDetail?: string;
  } | null;
  name: string | null;
  reason: string | null;
  location: string | null;
  verdict: Verdict;
  valid: boolean;
  trusted: boolean;
}

export interface VerifyReport {
  signatures: SignatureReport[];
  /** A reading problem of the whole file (not a PDF, no signatures found is not a problem). */
  problem?: VerifyProblem;
  /** The PDF library's own words for `problem` (logs and `--json` only). */
  problemDetail?: string;
}

export interface VerifyOptions {
  /** Trust anchors, DER or PEM (several PEM certificates in one buffer are fine). */
  trustAnchors?: (Uint8Array | string)[];
  /** Verification time when the signature carries none; default now. */
  now?: Date;
}

function splitPem(text: string): Uint8Array[] {
  const out: Uint8Array[] = [];
  const re = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g;
  for (let m = re.exec(text); m; m = re.exec(text))
    out.push(new Uint8Array(Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64')));
  return out;
}

export function loadTrustAnchors(items: (Uint8Array | string)[]): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const item of items) {
    const text = typeof item === 'string' ? item : Buffer.from(item).toString('latin1');
    const pems = text.includes('-----BEGIN CERTIFICATE-----')
      ? splitPem(text)
      : [typeof item === 'string' ? Buffer.from(item, 'latin1') : item];
    for (const der of pems) out.push(new X509Certificate(Buffer.from(der)));
  }
  return out;
}

function summary(x: X509Certificate, der: Uint8Array): CertificateSummary {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(der));
  const cn = cert.subject.typesAndValues.find((t) => t.type === '2.5.4.3');
  const rdn = (name: pkijs.RelativeDistinguishedNames) =>
    name.typesAndValues
      .map(
        (t) =>
          `${({ '2.5.4.3': 'CN', '2.5.4.10': 'O', '2.5.4.6': 'C', '2.5.4.11': 'OU', '2.5.4.7': 'L', '2.5.4.8': 'ST' } as Record<string, string>)[t.type] ?? t.type}=${String(t.value.valueBlock.value)}`,
      )
      .join(', ');
  return {
    subject: rdn(cert.subject),
    commonName: cn ? String(cn.value.valueBlock.value) : '',
    issuer: rdn(cert.issuer),
    serialNumber: x.serialNumber.toLowerCase(),
    notBefore: new Date(x.validFrom).toISOString(),
    notAfter: new Date(x.validTo).toISOString(),
    sha256: createHash('sha256').update(der).digest('hex'),
  };
}

function within(x: X509Certificate, t: Date): boolean {
  return new Date(x.validFrom).getTime() <= t.getTime() && t.getTime() <= new Date(x.validTo).getTime();
}

function keyUsageOf(der: Uint8Array): { present: boolean; digitalSignature: boolean; nonRepudiation: boolean } {
  const cert = pkijs.Certificate.fromBER(toArrayBuffer(der));
  const ext = cert.extensions?.find((e) => e.extnID === OID.keyUsage);
  if (!ext) return { present: false, digitalSignature: true, nonRepudiation: true };
  const parsed = asn1js.fromBER(ext.extnValue.valueBlock.valueHexView);
  const bits = parsed.result instanceof asn1js.BitString ? parsed.result.valueBlock.valueHexView : new Uint8Array();
  const first = bits[0] ?? 0;
  return { present: true, digitalSignature: (first & 0x80) !== 0, nonRepudiation: (first & 0x40) !== 0 };
}

/** Builds a path from `leaf` through `pool` to a trust anchor, checking each signature and validity at `at`. */
function buildChain(
  leaf: X509Certificate,
  pool: X509Certificate[],
  anchors: X509Certificate[],
  at: Date,
): { trusted: boolean; path: string[]; problem?: VerifyProblem } {
  const path: string[] = [leaf.subject.replace(/\n/g, ', ')];
  let current = leaf;
  for (let depth = 0; depth < 10; depth++) {
    const anchor = anchors.find(
      (a) => a.raw.equals(current.raw) || (current.checkIssued(a) && current.verify(a.publicKey)),
    );
    if (anchor) {
      if (!anchor.raw.equals(current.raw)) path.push(anchor.subject.replace(/\n/g, ', '));
      if (!within(anchor, at)) return { trusted: false, path, problem: 'ANCHOR_NOT_VALID_AT_SIGNING' };
      return { trusted: true, path };
    }
    const issuer = pool.find(
      (c) => !c.raw.equals(current.raw) && current.checkIssued(c) && current.verify(c.publicKey),
    );
    if (!issuer)
      return { trusted: false, path, problem: anchors.length === 0 ? 'NO_TRUST_ANCHORS' : 'CHAIN_INCOMPLETE' };
    if (!within(issuer, at)) return { trusted: false, path, problem: 'ISSUER_NOT_VALID_AT_SIGNING' };
    if (!issuer.ca) return { trusted: false, path, problem: 'ISSUER_NOT_CA' };
    path.push(issuer.subject.replace(/\n/g, ', '));
    current = issuer;
  }
  return { trusted: false, path, problem: 'CHAIN_TOO_LONG' };
}

interface CmsCheck {
  signer: { x: X509Certificate; der: Uint8Array } | null;
  pool: X509Certificate[];
  digestMatches: boolean;
  signatureValid: boolean;
  signatureValue: Uint8Array;
  signingCertificateAttribute: 'matches' | 'mismatch' | 'absent';
  unsignedAttrs: pkijs.Attribute[];
  problem?: VerifyProblem;
  problemDetail?: string;
  eContent?: Uint8Array;
}

/** Checks a CMS SignedData: message digest over `content` (or the encapsulated content) and the signature. */
function checkSignedData(signedData: pkijs.SignedData, content: Uint8Array | null): CmsCheck {
  const pool: X509Certificate[] = [];
  const ders: Uint8Array[] = [];
  for (const c of signedData.certificates ?? []) {
    if (!(c instanceof pkijs.Certificate)) continue;
    const der = new Uint8Array(c.toSchema().toBER());
    ders.push(der);
    pool.push(new X509Certificate(Buffer.from(der)));
  }
  const base: CmsCheck = {
    signer: null,
    pool,
    digestMatches: false,
    signatureValid: false,
    signatureValue: new Uint8Array(),
    signingCertificateAttribute: 'absent',
    unsignedAttrs: [],
  };
  const si = signedData.signerInfos[0];
  if (!si) return { ...base, problem: 'NO_SIGNER_INFO' };
  base.signatureValue = new Uint8Array(si.signature.valueBlock.valueHexView);
  base.unsignedAttrs = si.unsignedAttrs?.attributes ?? [];
  let signerIndex: number;
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const sid = si.sid;
    signerIndex = (signedData.certificates ?? []).findIndex(
      (c) => c instanceof pkijs.Certificate && c.issuer.isEqual(sid.issuer) && c.serialNumber.isEqual(sid.serialNumber),
    );
  } else {
    const ski = Buffer.from((si.sid as asn1js.OctetString).valueBlock.valueHexView);
    signerIndex = pool.findIndex((_, i) => {
      const cert = pkijs.Certificate.fromBER(toArrayBuffer(ders[i]!));
      const ext = cert.extensions?.find((e) => e.extnID === '2.5.29.14');
      return ext
        ? Buffer.from(
            (asn1js.fromBER(ext.extnValue.valueBlock.valueHexView).result as asn1js.OctetString).valueBlock
              .valueHexView,
          ).equals(ski)
        : false;
    });
  }
  if (signerIndex < 0) return { ...base, problem: 'SIGNER_CERTIFICATE_MISSING' };
  const signer = { x: pool[signerIndex]!, der: ders[signerIndex]! };
  const hash = HASH_BY_OID[si.digestAlgorithm.algorithmId];
  if (!hash)
    return {
      ...base,
      signer,
      problem: 'DIGEST_UNSUPPORTED',
      problemDetail: `unsupported digest ${si.digestAlgorithm.algorithmId}`,
    };
  const data =
    content ??
    (signedData.encapContentInfo.eContent ? new Uint8Array(signedData.encapContentInfo.eContent.getValue()) : null);
  if (!data) return { ...base, signer, problem: 'NO_SIGNED_CONTENT' };
  const digest = createHash(hash).update(data).digest();
  const attrs = si.signedAttrs?.attributes;
  if (!attrs || !si.signedAttrs) return { ...base, signer, problem: 'NO_SIGNED_ATTRIBUTES' };
  const md = attrs.find((a) => a.type === OID.messageDigest);
  const mdValue = md ? Buffer.from((md.values[0] as asn1js.OctetString).valueBlock.valueHexView) : null;
  const digestMatches = mdValue !== null && mdValue.equals(digest);
  const scv2 = attrs.find((a) => a.type === OID.signingCertificateV2);
  let signingCertificateAttribute: CmsCheck['signingCertificateAttribute'] = 'absent';
  if (scv2) {
    try {
      const certs = (scv2.values[0] as asn1js.Sequence).valueBlock.value[0] as asn1js.Sequence;
      const first = certs.valueBlock.value[0] as asn1js.Sequence;
      let algo = 'sha256';
      let hashNode = first.valueBlock.value[0]!;
      if (hashNode instanceof asn1js.Sequence) {
        algo =
          HASH_BY_OID[(hashNode.valueBlock.value[0] as asn1js.ObjectIdentifier).valueBlock.toString()] ?? 'unknown';
        hashNode = first.valueBlock.value[1]!;
      }
      const certHash = Buffer.from((hashNode as asn1js.OctetString).valueBlock.valueHexView);
      signingCertificateAttribute =
        algo !== 'unknown' && certHash.equals(createHash(algo).update(signer.der).digest()) ? 'matches' : 'mismatch';
    } catch {
      signingCertificateAttribute = 'mismatch';
    }
  }
  const encoded = new Uint8Array(si.signedAttrs.encodedValue);
  const toVerify = Buffer.from(encoded);
  toVerify[0] = 0x31;
  let signatureValid: boolean;
  try {
    const algId = si.signatureAlgorithm.algorithmId;
    const key = signer.x.publicKey;
    const digestName =
      (
        {
          [OID.ecdsaWithSha384]: 'sha384',
          '1.2.840.113549.1.1.12': 'sha384',
          '1.2.840.113549.1.1.13': 'sha512',
          '1.2.840.10045.4.3.4': 'sha512',
        } as Record<string, string>
      )[algId] ?? hash;
    signatureValid =
      key.asymmetricKeyType === 'rsa'
        ? cryptoVerify(digestName, toVerify, { key, padding: constants.RSA_PKCS1_PADDING }, base.signatureValue)
        : cryptoVerify(digestName, toVerify, key, base.signatureValue);
  } catch {
    signatureValid = false;
  }
  return {
    ...base,
    signer,
    digestMatches,
    signatureValid,
    signingCertificateAttribute,
    ...(digestMatches ? {} : { problem: 'DIGEST_MISMATCH' as const }),
    ...(digestMatches && !signatureValid ? { problem: 'SIGNATURE_INVALID' as const } : {}),
  };
}

function textOf(dict: PDFDict, key: string): string | null {
  const v = dict.get(PDFName.of(key));
  return v instanceof PDFString || v instanceof PDFHexString ? v.decodeText() : null;
}

/** Ends of revisions: the offset just after each `%%EOF` marker (and its end of line). */
function revisionEnds(pdf: Uint8Array): number[] {
  const text = latin1(pdf);
  const ends: number[] = [];
  for (let i = text.indexOf('%%EOF'); i >= 0; i = text.indexOf('%%EOF', i + 5)) {
    let end = i + 5;
    if (text[end] === '\r') end++;
    if (text[end] === '\n') end++;
    ends.push(end);
  }
  return ends;
}

export async function verifyPdf(pdf: Uint8Array, options: VerifyOptions = {}): Promise<VerifyReport> {
  const anchors = loadTrustAnchors(options.trustAnchors ?? []);
  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, ignoreEncryption: true });
  } catch (err) {
    return { signatures: [], problem: 'PDF_UNREADABLE', problemDetail: (err as Error).message };
  }
  // Signature dictionaries (those with a /ByteRange), with the field that points at each.
  const fieldNames = new Map<string, string>();
  const sigDicts: { ref: string; dict: PDFDict }[] = [];
  for (const [ref, obj] of doc.context.enumerateIndirectObjects()) {
    if (!(obj instanceof PDFDict)) continue;
    if (obj.get(PDFName.of('ByteRange')) instanceof PDFArray && obj.get(PDFName.of('Contents')))
      sigDicts.push({ ref: ref.toString(), dict: obj });
    const v = obj.get(PDFName.of('V'));
    const t = textOf(obj, 'T');
    if (v instanceof PDFRef && t !== null) fieldNames.set(v.toString(), t);
  }
  const ranges = sigDicts.map(({ dict }) => {
    const arr = dict.lookup(PDFName.of('ByteRange'), PDFArray);
    return arr.asArray().map((n) => (n instanceof PDFNumber ? n.asNumber() : NaN));
  });
  const signedEnds = ranges.map((br) => (br.length === 4 ? br[2]! + br[3]! : NaN));
  const eofs = revisionEnds(pdf);

  const reports: SignatureReport[] = [];
  sigDicts.forEach(({ ref, dict }, i) => {
    const br = ranges[i]!;
    const subFilter = dict.get(PDFName.of('SubFilter'));
    const claimed = textOf(dict, 'M');
    const claimedTime = claimed ? parsePdfDate(claimed) : null;
    const report: SignatureReport = {
      fieldName: fieldNames.get(ref) ?? null,
      subFilter: subFilter instanceof PDFName ? subFilter.decodeText() : null,
      byteRange: br,
      integrity: { ok: false, digestMatches: false, signatureValid: false },
      changesAfterSigning: 'none',
      coversWholeFile: false,
      laterRevisions: 0,
      signer: null,
      signingCertificateAttribute: 'absent',
      signingTime: (claimedTime ?? options.now ?? new Date()).toISOString(),
      signingTimeSource: claimedTime ? 'signature-dictionary' : 'verification-time',
      claimedTime: claimedTime?.toISOString() ?? null,
      certificateValidAtSigningTime: false,
      keyUsage: { ok: false, digitalSignature: false, nonRepudiation: false, present: false },
      chain: { trusted: false, path: [] },
      timestamp: null,
      name: textOf(dict, 'Name'),
      reason: textOf(dict, 'Reason'),
      location: textOf(dict, 'Location'),
      verdict: 'invalid',
      valid: false,
      trusted: false,
    };
    reports.push(report);
    const [a, b, c, d] = br as [number, number, number, number];
    if (
      br.length !== 4 ||
      br.some((n) => !Number.isInteger(n) || n < 0) ||
      a !== 0 ||
      b >= c ||
      c + d > pdf.length ||
      pdf[b] !== 0x3c ||
      pdf[c - 1] !== 0x3e
    ) {
      report.integrity.problem = 'BYTE_RANGE_MALFORMED';
      return;
    }
    // Changes after signing.
    const end = c + d;
    report.coversWholeFile = end === pdf.length;
    const later = eofs.filter((e) => e > end);
    report.laterRevisions = later.length;
    if (!report.coversWholeFile) {
      const signedByLater = (e: number) => signedEnds.some((s) => s >= e);
      report.changesAfterSigning =
        end <= pdf.length && signedByLater(pdf.length) && later.every(signedByLater)
          ? 'signatures-added'
          : 'other-changes';
    }
    // Integrity.
    const signed = Buffer.concat([pdf.subarray(a, b), pdf.subarray(c, c + d)]);
    const hex = latin1(pdf, b + 1, c - 1).replace(/\s+/g, '');
    let check: CmsCheck;
    let signedData: pkijs.SignedData;
    try {
      const cms = Buffer.from(hex, 'hex');
      const parsed = asn1js.fromBER(toArrayBuffer(new Uint8Array(cms)));
      if (parsed.offset === -1) throw new Error(parsed.result.error);
      const ci = new pkijs.ContentInfo({ schema: parsed.result });
      if (ci.contentType !== OID.signedData) throw new Error('not SignedData');
      signedData = new pkijs.SignedData({ schema: ci.content });
      check = checkSignedData(signedData, new Uint8Array(signed));
    } catch (err) {
      report.integrity.problem = 'CMS_UNREADABLE';
      report.integrity.problemDetail = (err as Error).message;
      return;
    }
    report.integrity = {
      ok: check.digestMatches && check.signatureValid,
      digestMatches: check.digestMatches,
      signatureValid: check.signatureValid,
      ...(check.problem ? { problem: check.problem } : {}),
      ...(check.problemDetail ? { problemDetail: check.problemDetail } : {}),
    };
    report.signingCertificateAttribute = check.signingCertificateAttribute;
    if (!check.signer) return;
    report.signer = summary(check.signer.x, check.signer.der);

    // Timestamp (B-T): its time is the signing time we trust over /M.
    const tsAttr = check.unsignedAttrs.find((u) => u.type === OID.timeStampToken);
    if (tsAttr) {
      const ts: NonNullable<SignatureReport['timestamp']> = {
        present: true,
        valid: false,
        genTime: null,
        tsa: null,
        trusted: false,
      };
      report.timestamp = ts;
      try {
        const token = new Uint8Array((tsAttr.values[0] as asn1js.Sequence).toBER());
        const { signedData: tsd, info } = readTimestampToken(token);
        const tcheck = checkSignedData(tsd, null);
        const hash = HASH_BY_OID[info.hashAlgorithm];
        const imprintOk =
          !!hash && Buffer.from(info.hashedMessage).equals(createHash(hash).update(check.signatureValue).digest());
        ts.genTime = info.genTime.toISOString();
        ts.tsa = tcheck.signer ? summary(tcheck.signer.x, tcheck.signer.der).subject : null;
        ts.valid = imprintOk && tcheck.digestMatches && tcheck.signatureValid;
        if (!imprintOk) ts.problem = 'TIMESTAMP_OTHER_SIGNATURE';
        else if (!ts.valid) {
          ts.problem = 'TIMESTAMP_INVALID';
          if (tcheck.problem) ts.problemDetail = tcheck.problem;
        }
        if (tcheck.signer) ts.trusted = buildChain(tcheck.signer.x, tcheck.pool, anchors, info.genTime).trusted;
        if (ts.valid) {
          report.signingTime = ts.genTime;
          report.signingTimeSource = 'timestamp';
        }
      } catch (err) {
        ts.problem = 'TIMESTAMP_UNREADABLE';
        ts.problemDetail = (err as Error).message;
      }
    }

    const at = new Date(report.signingTime);
    report.certificateValidAtSigningTime = within(check.signer.x, at);
    const ku = keyUsageOf(check.signer.der);
    report.keyUsage = { ...ku, ok: ku.digitalSignature || ku.nonRepudiation };
    report.chain = buildChain(check.signer.x, check.pool, anchors, at);
    report.valid =
      report.integrity.ok &&
      report.certificateValidAtSigningTime &&
      report.keyUsage.ok &&
      report.signingCertificateAttribute !== 'mismatch' &&
      (report.timestamp === null || report.timestamp.valid);
    report.trusted = report.valid && report.chain.trusted;
    report.verdict = !report.valid ? 'invalid' : report.trusted ? 'valid-trusted' : 'valid-untrusted';
  });
  // File order: earliest signature first.
  reports.sort((x, y) => (x.byteRange[2] ?? 0) - (y.byteRange[2] ?? 0));
  return { signatures: reports };
}

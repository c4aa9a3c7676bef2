import { createHash, createPublicKey, randomBytes, webcrypto, type KeyObject } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { AppError } from '../../../common/contract/errors';
import type { DeviceKind } from './device';

/**
 * The centre's own certificate authority (docs/architecture.md, "Centre"): made once at `centre init`,
 * it signs the HTTPS server's certificate and the client certificate of every enrolled desk. ECDSA
 * P-256 with SHA-256 throughout, built with pkijs over node's webcrypto (a private engine: the
 * process-wide pkijs engine used by signing is left alone).
 */

/** A certificate and its private key, both PEM (the key PKCS#8). */
export interface CertificateAndKey {
  certPem: string;
  keyPem: string;
}

export interface CertificateInfo {
  subjectCommonName: string | null;
  issuerCommonName: string | null;
  notBefore: string;
  notAfter: string;
  /** `IP:192.168.1.10`, `IP:fe80::1`, `DNS:motcua-centre.local`. */
  subjectAltNames: string[];
  /** Lowercase hex. */
  serial: string;
  isCa: boolean;
  fingerprint: string;
}

// pkijs types its engine with the DOM's Crypto/CryptoKey; node's webcrypto objects are those at run time.
type PkiCrypto = ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'];
type PkiKey = Parameters<pkijs.Certificate['sign']>[0];
const engine = new pkijs.CryptoEngine({ name: 'motcua-centre', crypto: webcrypto as unknown as PkiCrypto });
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY_MS = 24 * 60 * 60 * 1000;
const CA_DAYS = 3650;
const LEAF_DAYS = 730;

const OID = {
  commonName: '2.5.4.3',
  organizationName: '2.5.4.10',
  organizationalUnitName: '2.5.4.11',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
};

// Key usage bits, first byte of the BIT STRING (RFC 5280 §4.2.1.3): bit 0 is 0x80.
const KU_DIGITAL_SIGNATURE = 0x80;
const KU_KEY_CERT_SIGN = 0x04;
const KU_CRL_SIGN = 0x02;

/**
 * Makes the centre's self-signed CA: CA:TRUE (critical), keyCertSign + cRLSign, 10 years from a day
 * back (a desk whose clock runs slow still accepts the chain).
 */
export async function createCentreCa(p: {
  commonName: string;
  organization?: string;
  now?: number;
}): Promise<CertificateAndKey> {
  const now = p.now ?? Date.now();
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const spki = pkijs.PublicKeyInfo.fromBER(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  const name = distinguishedName([
    ...(p.organization ? [[OID.organizationName, requireText(p.organization, 'tên cơ quan')] as const] : []),
    [OID.commonName, requireText(p.commonName, 'tên của CA')],
  ]);
  const cert = baseCertificate({ subject: name, issuer: name, spki, notBefore: now - DAY_MS, days: CA_DAYS + 1 });
  const keyId = subjectKeyId(spki);
  cert.extensions = [
    extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: true }).toSchema()),
    extension(OID.keyUsage, true, keyUsage(KU_KEY_CERT_SIGN | KU_CRL_SIGN)),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId })),
  ];
  await cert.sign(keys.privateKey as unknown as PkiKey, 'SHA-256', engine);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: toPem('CERTIFICATE', cert.toSchema(true).toBER()), keyPem: toPem('PRIVATE KEY', pkcs8) };
}

/** The HTTPS server's certificate for the centre's LAN addresses and names: serverAuth, 2 years. */
export async function issueServerCertificate(
  ca: CertificateAndKey,
  p: { hosts: readonly string[]; now?: number },
): Promise<CertificateAndKey> {
  const now = p.now ?? Date.now();
  const names = subjectAltNames(p.hosts);
  const signer = await loadCa(ca);
  const keys = (await webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const spki = pkijs.PublicKeyInfo.fromBER(await webcrypto.subtle.exportKey('spki', keys.publicKey));
  const subject = distinguishedName([
    ...organizationOf(signer.cert),
    [OID.commonName, requireText(p.hosts[0]!.replace(/^\[|\]$/g, ''), 'địa chỉ')],
  ]);
  const cert = baseCertificate({
    subject,
    issuer: signer.cert.subject,
    spki,
    notBefore: now - DAY_MS,
    days: LEAF_DAYS + 1,
  });
  cert.extensions = [
    ...leafExtensions(spki, signer.keyId, OID.serverAuth),
    extension(OID.subjectAltName, false, new pkijs.AltName({ altNames: names }).toSchema()),
  ];
  await cert.sign(signer.key, 'SHA-256', engine);
  const pkcs8 = await webcrypto.subtle.exportKey('pkcs8', keys.privateKey);
  return { certPem: toPem('CERTIFICATE', cert.toSchema(true).toBER()), keyPem: toPem('PRIVATE KEY', pkcs8) };
}

/**
 * A desk's client certificate for the public key it generated: CN = device id, OU = device kind,
 * clientAuth, 2 years (notBefore a day back, for a desk whose clock runs slow).
 */
export async function issueClientCertificate(
  ca: CertificateAndKey,
  p: { publicKeyPem: string; deviceId: string; kind: DeviceKind; name: string; now?: number; days?: number },
): Promise<string> {
  const now = p.now ?? Date.now();
  const publicKey = checkClientPublicKey(p.publicKeyPem);
  const spki = pkijs.PublicKeyInfo.fromBER(toArrayBuffer(publicKey.export({ type: 'spki', format: 'der' })));
  const signer = await loadCa(ca);
  const subject = distinguishedName([
    ...organizationOf(signer.cert),
    [OID.organizationalUnitName, p.kind],
    [OID.commonName, requireText(p.deviceId, 'mã thiết bị')],
  ]);
  const cert = baseCertificate({
    subject,
    issuer: signer.cert.subject,
    spki,
    notBefore: now - DAY_MS,
    days: (p.days ?? LEAF_DAYS) + 1,
  });
  cert.extensions = leafExtensions(spki, signer.keyId, OID.clientAuth);
  await cert.sign(signer.key, 'SHA-256', engine);
  return toPem('CERTIFICATE', cert.toSchema(true).toBER());
}

/**
 * Checks a desk's public key before anything is spent on it: a PEM `PUBLIC KEY` (SubjectPublicKeyInfo),
 * RSA of 2048 bits or more, or EC on P-256 / P-384. Throws VALIDATION_FAILED with the reason.
 */
export function checkClientPublicKey(publicKeyPem: unknown): KeyObject {
  const refuse = (why: string): never => {
    throw new AppError('VALIDATION_FAILED', `Khóa công khai của máy bàn không hợp lệ: ${why}.`);
  };
  if (typeof publicKeyPem !== 'string' || publicKeyPem.length > 10_000) return refuse('cần một khối PEM "PUBLIC KEY"');
  const pem = /^\s*-----BEGIN PUBLIC KEY-----\r?\n([A-Za-z0-9+/=\s]+)-----END PUBLIC KEY-----\s*$/.exec(publicKeyPem);
  if (!pem) return refuse('cần đúng một khối PEM "PUBLIC KEY" (SubjectPublicKeyInfo)');
  let key: KeyObject;
  try {
    key = createPublicKey({ key: Buffer.from(pem[1]!.replace(/\s+/g, ''), 'base64'), format: 'der', type: 'spki' });
  } catch {
    return refuse('không đọc được khối SubjectPublicKeyInfo (hỏng hoặc bị cắt)');
  }
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'rsa') {
    if ((details.modulusLength ?? 0) < 2048)
      return refuse(`khóa RSA ${details.modulusLength ?? '?'} bit, cần ít nhất 2048`);
    return key;
  }
  if (key.asymmetricKeyType === 'ec') {
    if (details.namedCurve === 'prime256v1' || details.namedCurve === 'secp384r1') return key;
    return refuse(`đường cong ${details.namedCurve ?? '?'} không được hỗ trợ (chỉ P-256, P-384)`);
  }
  return refuse(`loại khóa ${key.asymmetricKeyType ?? '?'} không được hỗ trợ (chỉ RSA, EC P-256/P-384)`);
}

/** SHA-256 of the certificate's DER, lowercase hex (what a device row keeps). */
export function certificateFingerprint(certPem: string): string {
  return createHash('sha256').update(pemToDer(certPem)).digest('hex');
}

/** What doctor and `centre devices` show of a certificate. */
export function certificateInfo(certPem: string): CertificateInfo {
  const cert = parseCertificate(certPem);
  const san = cert.extensions?.find((e) => e.extnID === OID.subjectAltName)?.parsedValue as pkijs.AltName | undefined;
  const bc = cert.extensions?.find((e) => e.extnID === OID.basicConstraints)?.parsedValue as
    pkijs.BasicConstraints | undefined;
  return {
    subjectCommonName: commonNameOf(cert.subject),
    issuerCommonName: commonNameOf(cert.issuer),
    notBefore: cert.notBefore.value.toISOString(),
    notAfter: cert.notAfter.value.toISOString(),
    subjectAltNames: (san?.altNames ?? []).map(describeGeneralName),
    serial: Buffer.from(cert.serialNumber.valueBlock.valueHexView).toString('hex'),
    isCa: bc?.cA === true,
    fingerprint: certificateFingerprint(certPem),
  };
}

/** The DER inside the first `CERTIFICATE` PEM block; throws when there is none. */
export function pemToDer(pem: string, label = 'CERTIFICATE'): Buffer {
  const m = new RegExp(`-----BEGIN ${label}-----([A-Za-z0-9+/=\\s]+)-----END ${label}-----`).exec(pem);
  if (!m) throw new Error(`no ${label} PEM block`);
  return Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64');
}

function parseCertificate(certPem: string): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(pemToDer(certPem)));
}

interface LoadedCa {
  cert: pkijs.Certificate;
  key: PkiKey;
  keyId: ArrayBuffer;
}

async function loadCa(ca: CertificateAndKey): Promise<LoadedCa> {
  const cert = parseCertificate(ca.certPem);
  const key = await webcrypto.subtle.importKey('pkcs8', pemToDer(ca.keyPem, 'PRIVATE KEY'), EC_P256, false, ['sign']);
  return { cert, key: key as unknown as PkiKey, keyId: subjectKeyId(cert.subjectPublicKeyInfo) };
}

function baseCertificate(p: {
  subject: pkijs.RelativeDistinguishedNames;
  issuer: pkijs.RelativeDistinguishedNames;
  spki: pkijs.PublicKeyInfo;
  notBefore: number;
  days: number;
}): pkijs.Certificate {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  cert.serialNumber = new asn1js.Integer({ valueHex: randomSerial() });
  cert.subject = p.subject;
  cert.issuer = p.issuer;
  cert.subjectPublicKeyInfo = p.spki;
  cert.notBefore = certTime(p.notBefore);
  cert.notAfter = certTime(p.notBefore + p.days * DAY_MS);
  return cert;
}

function leafExtensions(spki: pkijs.PublicKeyInfo, caKeyId: ArrayBuffer, purpose: string): pkijs.Extension[] {
  return [
    extension(OID.basicConstraints, true, new pkijs.BasicConstraints({ cA: false }).toSchema()),
    extension(OID.keyUsage, true, keyUsage(KU_DIGITAL_SIGNATURE)),
    extension(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: [purpose] }).toSchema()),
    extension(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: subjectKeyId(spki) })),
    extension(
      OID.authorityKeyIdentifier,
      false,
      new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: caKeyId }) }).toSchema(),
    ),
  ];
}

function extension(extnID: string, critical: boolean, value: asn1js.BaseBlock): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: value.toBER(false) });
}

/** A KeyUsage BIT STRING whose named bits all sit in the first byte (DER: trailing zero bits unused). */
function keyUsage(bits: number): asn1js.BitString {
  let unused = 0;
  while (unused < 7 && (bits & (1 << unused)) === 0) unused += 1;
  return new asn1js.BitString({ valueHex: new Uint8Array([bits]).buffer, unusedBits: unused });
}

/** RFC 5280 §4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits. */
function subjectKeyId(spki: pkijs.PublicKeyInfo): ArrayBuffer {
  const digest = createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest();
  return toArrayBuffer(digest);
}

/** 16 random bytes, positive and minimally encoded (RFC 5280: at most 20 octets). */
function randomSerial(): ArrayBuffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return toArrayBuffer(bytes);
}

/** UTCTime up to 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function certTime(ms: number): pkijs.Time {
  const value = new Date(Math.floor(ms / 1000) * 1000);
  return new pkijs.Time({ type: value.getUTCFullYear() < 2050 ? 0 : 1, value });
}

/** A name of one attribute per RDN (pkijs would put them all in one multi-valued RDN), UTF8String values. */
function distinguishedName(parts: ReadonlyArray<readonly [string, string]>): pkijs.RelativeDistinguishedNames {
  const rdns = parts.map(
    ([type, value]) =>
      new asn1js.Set({
        value: [new pkijs.AttributeTypeAndValue({ type, value: new asn1js.Utf8String({ value }) }).toSchema()],
      }),
  );
  return pkijs.RelativeDistinguishedNames.fromBER(new asn1js.Sequence({ value: rdns }).toBER(false));
}

function organizationOf(cert: pkijs.Certificate): Array<readonly [string, string]> {
  const o = cert.subject.typesAndValues.find((t) => t.type === OID.organizationName);
  return o ? [[OID.organizationName, String(o.value.valueBlock.value)] as const] : [];
}

function commonNameOf(name: pkijs.RelativeDistinguishedNames): string | null {
  const cn = name.typesAndValues.find((t) => t.type === OID.commonName);
  return cn ? String(cn.value.valueBlock.value) : null;
}

/** Trimmed, at most 64 characters (RFC 5280 upper bound of CN and O); empty is refused. */
function requireText(value: unknown, what: string): string {
  const text = typeof value === 'string' ? value.trim() : '';
  if (text.length === 0) throw new AppError('VALIDATION_FAILED', `Thiếu ${what}.`);
  return [...text].slice(0, 64).join('');
}

/** SAN entries for the server: IPv4/IPv6 addresses as iPAddress, everything else a checked DNS name. */
export function subjectAltNames(hosts: readonly string[]): pkijs.GeneralName[] {
  if (!Array.isArray(hosts) || hosts.length === 0) {
    throw new AppError('VALIDATION_FAILED', 'Cần ít nhất một địa chỉ IP hoặc tên máy của trung tâm (--host).');
  }
  return hosts.map((raw) => {
    const host = String(raw)
      .trim()
      .replace(/^\[(.*)\]$/, '$1');
    if (isIPv4(host)) return new pkijs.GeneralName({ type: 7, value: ipOctets(host) });
    if (isIPv6(host) && !host.includes('%')) return new pkijs.GeneralName({ type: 7, value: ipOctets(host) });
    const dns = host.toLowerCase();
    const label = '[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?';
    if (dns.length <= 253 && new RegExp(`^(\\*\\.)?${label}(\\.${label})*$`).test(dns)) {
      return new pkijs.GeneralName({ type: 2, value: dns });
    }
    throw new AppError('VALIDATION_FAILED', `"${String(raw)}" không phải địa chỉ IP hay tên máy hợp lệ.`);
  });
}

function ipOctets(ip: string): asn1js.OctetString {
  return new asn1js.OctetString({ valueHex: toArrayBuffer(Buffer.from(isIPv4(ip) ? ipv4Bytes(ip) : ipv6Bytes(ip))) });
}

function ipv4Bytes(ip: string): number[] {
  return ip.split('.').map(Number);
}

/** 16 bytes of a valid IPv6 text (checked by `isIPv6`), `::` and a dotted IPv4 tail included. */
function ipv6Bytes(ip: string): number[] {
  let text = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const b = ipv4Bytes(v4[1]!);
    text = `${text.slice(0, -v4[1]!.length)}${((b[0]! << 8) | b[1]!).toString(16)}:${((b[2]! << 8) | b[3]!).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(':') : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return all.flatMap((g) => {
    const n = parseInt(g, 16);
    return [n >> 8, n & 0xff];
  });
}

function describeGeneralName(g: pkijs.GeneralName): string {
  if (g.type === 2) return `DNS:${String(g.value)}`;
  if (g.type === 7) {
    const bytes = [...new Uint8Array((g.value as asn1js.OctetString).valueBlock.valueHexView)];
    return `IP:${bytes.length === 4 ? bytes.join('.') : formatIPv6(bytes)}`;
  }
  return `other:${g.type}`;
}

/** RFC 5952 text: lowercase, no leading zeros, the longest run (2+) of zero groups as `::`. */
function formatIPv6(bytes: number[]): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((bytes[2 * i]! << 8) | bytes[2 * i + 1]!).toString(16));
  let best = { at: -1, len: 0 };
  for (let i = 0; i < 8;) {
    let j = i;
    while (j < 8 && groups[j] === '0') j += 1;
    if (j - i > best.len) best = { at: i, len: j - i };
    i = j === i ? i + 1 : j;
  }
  if (best.len < 2) return groups.join(':');
  return `${groups.slice(0, best.at).join(':')}::${groups.slice(best.at + best.len).join(':')}`;
}

function toPem(label: string, der: ArrayBuffer): string {
  const b64 = Buffer.from(der).toString('base64');
  return `-----BEGIN ${label}-----\n${b64.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

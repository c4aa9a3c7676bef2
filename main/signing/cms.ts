/**
 * CMS SignedData (RFC 5652) built around a `SigningKey`: the key only signs a SHA-256 digest of the
 * DER-encoded signed attributes; everything else is assembled here.
 *
 * Signed attributes (CAdES / PAdES baseline): content-type, message-digest and
 * signing-certificate-v2 (ESS, RFC 5035, SHA-256 hash of the signer's certificate plus its issuer
 * and serial number). No signing-time: PAdES puts the claimed time in the signature dictionary's /M.
 */
import { createHash } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import type { SigningKey } from '../../drivers/token/signing-key.port';

export const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingTime: '1.2.840.113549.1.9.5',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
  timeStampToken: '1.2.840.113549.1.9.16.2.14',
  tstInfo: '1.2.840.113549.1.9.16.1.4',
  sha256: '2.16.840.1.101.3.4.2.1',
  sha384: '2.16.840.1.101.3.4.2.2',
  sha512: '2.16.840.1.101.3.4.2.3',
  rsaEncryption: '1.2.840.113549.1.1.1',
  sha256WithRsa: '1.2.840.113549.1.1.11',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  ecdsaWithSha384: '1.2.840.10045.4.3.3',
  keyUsage: '2.5.29.15',
} as const;

export const HASH_BY_OID: Readonly<Record<string, 'sha256' | 'sha384' | 'sha512'>> = {
  [OID.sha256]: 'sha256',
  [OID.sha384]: 'sha384',
  [OID.sha512]: 'sha512',
};

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

function toArrayBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

export function parseCertificate(der: Uint8Array): pkijs.Certificate {
  return pkijs.Certificate.fromBER(toArrayBuffer(der));
}

/** ESS signing-certificate-v2 value: one ESSCertIDv2 (SHA-256, the default, so no algorithm) with issuer and serial. */
function signingCertificateV2(certDer: Uint8Array): asn1js.Sequence {
  const cert = parseCertificate(certDer);
  const issuerSerial = new asn1js.Sequence({
    value: [
      new asn1js.Sequence({
        value: [new asn1js.Constructed({ idBlock: { tagClass: 3, tagNumber: 4 }, value: [cert.issuer.toSchema()] })],
      }),
      cert.serialNumber,
    ],
  });
  const essCertIdV2 = new asn1js.Sequence({
    value: [new asn1js.OctetString({ valueHex: toArrayBuffer(sha256(certDer)) }), issuerSerial],
  });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [essCertIdV2] })] });
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function signatureAlgorithm(key: SigningKey): pkijs.AlgorithmIdentifier {
  switch (key.algorithm) {
    case 'rsa':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.rsaEncryption, algorithmParams: new asn1js.Null() });
    case 'ecdsa-p256':
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
    case 'ecdsa-p384':
      // The key signs a SHA-256 digest whatever the curve, so the algorithm names SHA-256.
      return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaWithSha256 });
  }
}

export interface SignedDataInput {
  key: SigningKey;
  /** SHA-256 of the content (for PAdES: the bytes the /ByteRange covers). */
  contentDigest: Uint8Array;
  /** eContentType; `data` for PAdES, `id-ct-TSTInfo` for timestamp tokens. */
  contentType?: string;
  /** Encapsulated content; absent for a detached signature. */
  eContent?: Uint8Array;
}

export interface SignedDataParts {
  /** The SignerInfo's signature value (what an RFC 3161 timestamp is taken over). */
  signatureValue: Uint8Array;
  /** Encodes the ContentInfo, with optional unsigned attributes (the timestamp token). */
  encode(unsignedAttributes?: pkijs.Attribute[]): Uint8Array;
}

/** Signs: builds the signed attributes, has the key sign their digest, and returns the parts to encode. */
export async function createSignedData(input: SignedDataInput): Promise<SignedDataParts> {
  const { key } = input;
  const contentType = input.contentType ?? OID.data;
  const attributes = [
    new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: contentType })] }),
    new pkijs.Attribute({
      type: OID.messageDigest,
      values: [new asn1js.OctetString({ valueHex: toArrayBuffer(input.contentDigest) })],
    }),
    new pkijs.Attribute({ type: OID.signingCertificateV2, values: [signingCertificateV2(key.certificate)] }),
  ];
  // DER: the members of a SET OF in ascending order of their encodings.
  const encoded = attributes.map((a) => ({ a, der: new Uint8Array(a.toSchema().toBER()) }));
  encoded.sort((x, y) => compareBytes(x.der, y.der));
  const sorted = encoded.map((e) => e.a);
  const toBeSigned = new Uint8Array(new asn1js.Set({ value: sorted.map((a) => a.toSchema()) }).toBER());
  const signatureValue = await key.signDigest(sha256(toBeSigned));

  const cert = parseCertificate(key.certificate);
  const certificates = [cert, ...key.chain.map((c) => parseCertificate(c))];
  const encode = (unsignedAttributes?: pkijs.Attribute[]): Uint8Array => {
    const signerInfo = new pkijs.SignerInfo({
      version: 1,
      sid: new pkijs.IssuerAndSerialNumber({ issuer: cert.issuer, serialNumber: cert.serialNumber }),
      digestAlgorithm: new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 }),
      signedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 0, attributes: sorted }),
      signatureAlgorithm: signatureAlgorithm(key),
      signature: new asn1js.OctetString({ valueHex: toArrayBuffer(signatureValue) }),
      ...(unsignedAttributes && unsignedAttributes.length > 0
        ? { unsignedAttrs: new pkijs.SignedAndUnsignedAttributes({ type: 1, attributes: unsignedAttributes }) }
        : {}),
    });
    const signedData = new pkijs.SignedData({
      version: contentType === OID.data ? 1 : 3,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({
        eContentType: contentType,
        ...(input.eContent ? { eContent: new asn1js.OctetString({ valueHex: toArrayBuffer(input.eContent) }) } : {}),
      }),
      digestAlgorithms: [new pkijs.AlgorithmIdentifier({ algorithmId: OID.sha256 })],
      certificates,
      signerInfos: [signerInfo],
    });
    const contentInfo = new pkijs.ContentInfo({ contentType: OID.signedData, content: signedData.toSchema(true) });
    return new Uint8Array(contentInfo.toSchema().toBER());
  };
  return { signatureValue, encode };
}

/** The unsigned attribute that carries an RFC 3161 timestamp token (a ContentInfo, DER). */
export function timestampAttribute(tokenDer: Uint8Array): pkijs.Attribute {
  const parsed = asn1js.fromBER(toArrayBuffer(tokenDer));
  if (parsed.offset === -1) throw new Error('timestamp token is not DER');
  return new pkijs.Attribute({ type: OID.timeStampToken, values: [parsed.result] });
}

export { toArrayBuffer };

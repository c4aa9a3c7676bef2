/**
 * Certificates for the simulated token: a small DER writer and an X.509 v3 issuer on
 * `node:crypto` (which verifies certificates but does not make them). Only what the twin needs:
 * RSA-SHA256 issuer signatures, UTF8String names, basic constraints, key usage and key
 * identifiers.
 */
import { createHash, sign, type KeyObject } from 'node:crypto';

function length(n: number): number[] {
  if (n < 0x80) return [n];
  const bytes: number[] = [];
  while (n > 0) {
    bytes.unshift(n & 0xff);
    n >>>= 8;
  }
  return [0x80 | bytes.length, ...bytes];
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return Uint8Array.from([tag, ...length(body.length), ...body]);
}

export const seq = (...parts: Uint8Array[]): Uint8Array => tlv(0x30, ...parts);
const set = (...parts: Uint8Array[]): Uint8Array => tlv(0x31, ...parts);
const explicit = (n: number, inner: Uint8Array): Uint8Array => tlv(0xa0 + n, inner);
const utf8 = (text: string): Uint8Array => tlv(0x0c, new TextEncoder().encode(text));
const printable = (text: string): Uint8Array => tlv(0x13, new TextEncoder().encode(text));
const octets = (bytes: Uint8Array): Uint8Array => tlv(0x04, bytes);
const bool = (value: boolean): Uint8Array => tlv(0x01, Uint8Array.of(value ? 0xff : 0));
const bits = (bytes: Uint8Array, unused = 0): Uint8Array => tlv(0x03, Uint8Array.of(unused), bytes);

export function integer(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if ((bytes[0] ?? 0) & 0x80) bytes = Buffer.concat([Buffer.of(0), bytes]);
  return tlv(0x02, bytes);
}

export function oid(dotted: string): Uint8Array {
  const parts = dotted.split('.').map((p) => Number(p));
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [part & 0x7f];
    let rest = part >>> 7;
    while (rest > 0) {
      chunk.unshift(0x80 | (rest & 0x7f));
      rest >>>= 7;
    }
    out.push(...chunk);
  }
  return tlv(0x06, Uint8Array.from(out));
}

function time(date: Date): Uint8Array {
  const iso = date.toISOString();
  const compact = `${iso.slice(2, 4)}${iso.slice(5, 7)}${iso.slice(8, 10)}${iso.slice(11, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
  if (date.getUTCFullYear() < 2050) return tlv(0x17, new TextEncoder().encode(compact));
  return tlv(0x18, new TextEncoder().encode(`${iso.slice(0, 4)}${compact.slice(2)}`));
}

/** A distinguished name, attributes in this order. `C` is a PrintableString, the rest UTF8String. */
export interface DistinguishedName {
  C?: string;
  ST?: string;
  L?: string;
  O?: string;
  OU?: string;
  CN: string;
}

const NAME_OIDS: Record<keyof DistinguishedName, string> = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
};

function name(dn: DistinguishedName): Uint8Array {
  const order: (keyof DistinguishedName)[] = ['C', 'ST', 'L', 'O', 'OU', 'CN'];
  return seq(
    ...order.flatMap((k) => {
      const value = dn[k];
      if (value === undefined) return [];
      return [set(seq(oid(NAME_OIDS[k]), k === 'C' ? printable(value) : utf8(value)))];
    }),
  );
}

function extension(id: string, critical: boolean, value: Uint8Array): Uint8Array {
  return critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value));
}

function keyIdentifier(publicKey: KeyObject): Uint8Array {
  return new Uint8Array(
    createHash('sha1')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest(),
  );
}

export interface IssueCertificateInput {
  subject: DistinguishedName;
  subjectKey: KeyObject;
  issuer: DistinguishedName;
  /** RSA key of the issuer; signs with sha256WithRSAEncryption. */
  issuerKey: KeyObject;
  issuerPublicKey: KeyObject;
  serial: bigint;
  notBefore: Date;
  notAfter: Date;
  ca: boolean;
}

/** A DER X.509 v3 certificate. */
export function issueCertificate(input: IssueCertificateInput): Uint8Array {
  const sigAlg = seq(oid('1.2.840.113549.1.1.11'), tlv(0x05));
  const keyUsage = input.ca ? bits(Uint8Array.of(0x06), 1) : bits(Uint8Array.of(0xc0), 6);
  const extensions = [
    extension('2.5.29.19', true, input.ca ? seq(bool(true)) : seq()),
    extension('2.5.29.15', true, keyUsage),
    extension('2.5.29.14', false, octets(keyIdentifier(input.subjectKey))),
    extension('2.5.29.35', false, seq(tlv(0x80, keyIdentifier(input.issuerPublicKey)))),
  ];
  const tbs = seq(
    explicit(0, integer(2n)),
    integer(input.serial),
    sigAlg,
    name(input.issuer),
    seq(time(input.notBefore), time(input.notAfter)),
    name(input.subject),
    new Uint8Array(input.subjectKey.export({ type: 'spki', format: 'der' })),
    explicit(3, seq(...extensions)),
  );
  const signature = sign('sha256', tbs, input.issuerKey);
  return seq(tbs, sigAlg, bits(new Uint8Array(signature)));
}

import { createHash, randomInt, timingSafeEqual, X509Certificate } from 'node:crypto';
import { AppError } from '../../../common/contract/errors';

/**
 * Pairing codes (docs/architecture.md, "Centre"): IT makes a one-time code at the centre and types it
 * on the device being enrolled. The secret is 8 Crockford base32 characters (40 bits) shown
 * `XXXX-XXXX`; only its SHA-256 is stored. A desk's printed code carries a second half,
 * `XXXX-XXXX-FFFF-FFFF`, the first 8 base32 characters of the SHA-256 of the centre's CA
 * certificate: the desk checks the CA the centre presents against it before trusting it.
 */

/** Crockford base32: digits and letters without I, L, O, U. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const SECRET_LENGTH = 8;
const MAX_INPUT_LENGTH = 64;

export interface ParsedPairingCode {
  /** The 8 secret characters, normalised (upper case, Crockford alphabet). */
  secret: string;
  /** The CA check a desk's code carries, or null for an 8-character code. */
  caCheck: string | null;
}

/** A fresh random secret: 8 characters, each from `crypto.randomInt`. */
export function newPairingSecret(): string {
  let secret = '';
  for (let i = 0; i < SECRET_LENGTH; i += 1) secret += ALPHABET[randomInt(ALPHABET.length)];
  return secret;
}

/** The code as shown and printed: `XXXX-XXXX`, or `XXXX-XXXX-FFFF-FFFF` with the CA's check. */
export function formatPairingCode(secret: string, caCheck: string | null = null): string {
  const groups = (s: string) => `${s.slice(0, 4)}-${s.slice(4, 8)}`;
  return caCheck ? `${groups(secret)}-${groups(caCheck)}` : groups(secret);
}

/** The first 8 base32 characters (40 bits) of the SHA-256 of the CA certificate's DER. */
export function caCheckOf(caPem: string): string {
  return base32(createHash('sha256').update(new X509Certificate(caPem).raw).digest()).slice(0, SECRET_LENGTH);
}

/** True when `caCheck` (as parsed) belongs to this CA certificate. */
export function caMatchesCheck(caPem: string, caCheck: string): boolean {
  let expected: Buffer;
  try {
    expected = Buffer.from(caCheckOf(caPem));
  } catch {
    return false;
  }
  const given = Buffer.from(caCheck);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/**
 * Reads a typed code leniently: any case, spaces and dashes anywhere, I and L read as 1, O as 0.
 * 8 characters: a secret; 16: a secret and the CA check. Throws CENTRE_PAIRING_INVALID naming what
 * is wrong with the text (these messages tell nothing about any stored code).
 */
export function parsePairingCode(text: unknown): ParsedPairingCode {
  if (typeof text !== 'string' || text.length > MAX_INPUT_LENGTH) {
    throw invalid('Mã ghép nối gồm 8 ký tự (XXXX-XXXX) hoặc 16 ký tự với máy bàn (XXXX-XXXX-XXXX-XXXX).');
  }
  const normal = text
    .toUpperCase()
    .replace(/[\s\-–—_.]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  const bad = [...normal].find((c) => !ALPHABET.includes(c));
  if (bad !== undefined) {
    throw invalid(`Mã ghép nối có ký tự không hợp lệ "${bad}": chỉ gồm chữ số 0-9 và chữ cái A-Z (trừ U).`);
  }
  if (normal.length === SECRET_LENGTH) return { secret: normal, caCheck: null };
  if (normal.length === 2 * SECRET_LENGTH) {
    return { secret: normal.slice(0, SECRET_LENGTH), caCheck: normal.slice(SECRET_LENGTH) };
  }
  throw invalid(
    `Mã ghép nối có ${normal.length} ký tự; cần 8 ký tự (XXXX-XXXX) hoặc 16 ký tự với máy bàn (XXXX-XXXX-XXXX-XXXX).`,
  );
}

/** What `centre_pairing_codes.secret_hash` keeps: SHA-256 of the normalised secret, lowercase hex. */
export function pairingSecretHash(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** RFC 4648 bit order with the Crockford alphabet (5 bits per character, most significant first). */
function base32(bytes: Uint8Array): string {
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = ((buffer << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(buffer >> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(buffer << (5 - bits)) & 31];
  return out;
}

function invalid(message: string): AppError {
  return new AppError('CENTRE_PAIRING_INVALID', message);
}

/**
 * The byte formats around a token signature: the SHA-256 DigestInfo that `CKM_RSA_PKCS` signs,
 * and the conversion of the raw `r || s` that `CKM_ECDSA` returns into the DER `ECDSA-Sig-Value`
 * CMS carries (RFC 5753 / RFC 3279).
 */

/** DER prefix of `DigestInfo { AlgorithmIdentifier sha256 NULL, OCTET STRING (32) }` (RFC 8017 §9.2). */
const SHA256_DIGEST_INFO_PREFIX = Uint8Array.from([
  0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20,
]);

export function assertSha256Digest(digest: Uint8Array): void {
  if (!(digest instanceof Uint8Array) || digest.length !== 32) {
    throw new RangeError(
      `a SHA-256 digest is 32 bytes, got ${digest instanceof Uint8Array ? digest.length : typeof digest}`,
    );
  }
}

export function sha256DigestInfo(digest: Uint8Array): Uint8Array {
  assertSha256Digest(digest);
  const out = new Uint8Array(SHA256_DIGEST_INFO_PREFIX.length + 32);
  out.set(SHA256_DIGEST_INFO_PREFIX, 0);
  out.set(digest, SHA256_DIGEST_INFO_PREFIX.length);
  return out;
}

function derInteger(unsigned: Uint8Array): Uint8Array {
  let start = 0;
  while (start < unsigned.length - 1 && unsigned[start] === 0) start += 1;
  const body = unsigned.subarray(start);
  const pad = (body[0] ?? 0) & 0x80 ? 1 : 0;
  const out = new Uint8Array(2 + pad + body.length);
  out[0] = 0x02;
  out[1] = pad + body.length;
  out.set(body, 2 + pad);
  return out;
}

/** `r || s` (each half the length) → DER `SEQUENCE { INTEGER r, INTEGER s }`. */
export function ecdsaRawToDer(raw: Uint8Array): Uint8Array {
  if (raw.length === 0 || raw.length % 2 !== 0 || raw.length > 132) {
    throw new RangeError(`raw ECDSA signature of ${raw.length} bytes`);
  }
  const half = raw.length / 2;
  const r = derInteger(raw.subarray(0, half));
  const s = derInteger(raw.subarray(half));
  const len = r.length + s.length;
  const header = len < 0x80 ? [0x30, len] : [0x30, 0x81, len];
  const out = new Uint8Array(header.length + len);
  out.set(header, 0);
  out.set(r, header.length);
  out.set(s, header.length + r.length);
  return out;
}

export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex');
}

/** Lower-case hex of an even length, as CKA_ID is written; throws `RangeError` otherwise. */
export function normaliseKeyId(keyId: string): string {
  const hex = keyId.trim().toLowerCase();
  if (hex.length === 0 || hex.length % 2 !== 0 || !/^[0-9a-f]+$/.test(hex)) {
    throw new RangeError(`a key id is the CKA_ID in hex, got "${keyId}"`);
  }
  return hex;
}

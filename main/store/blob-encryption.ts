import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type CipherGCM } from 'node:crypto';

/**
 * Blobs (scans, receipts, signed PDFs) sealed at rest (docs/operations.md, "Data at rest"):
 * `MCB1` ‖ nonce (12 random bytes, new for every write) ‖ AES-256-GCM ciphertext ‖ tag (16).
 * The file keeps its name, the sha256 of the plaintext, so content addressing and the
 * database's references are unchanged; a reader decrypts and re-hashes, so a file swapped for
 * another blob's is caught by its name. The key is derived (HKDF-SHA256) from the `database`
 * key: one key to keep, and a blob cannot be read without what opens the database.
 */
export const SEALED_MAGIC = Buffer.from('MCB1', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
export const SEALED_OVERHEAD = SEALED_MAGIC.length + NONCE_BYTES + TAG_BYTES;

export function blobKeyFrom(databaseKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', databaseKey, Buffer.alloc(0), 'motcua-desk blobs v1', 32));
}

export function isSealed(stored: Uint8Array): boolean {
  return (
    stored.byteLength >= SEALED_OVERHEAD &&
    Buffer.from(stored.buffer, stored.byteOffset, SEALED_MAGIC.length).equals(SEALED_MAGIC)
  );
}

/** Encrypts a blob written in pieces (a streamed scan): `header` first, each `update`, then `final`. */
export class BlobSealer {
  readonly header: Buffer;
  private readonly cipher: CipherGCM;

  constructor(key: Buffer) {
    const nonce = randomBytes(NONCE_BYTES);
    this.header = Buffer.concat([SEALED_MAGIC, nonce]);
    this.cipher = createCipheriv('aes-256-gcm', key, nonce);
    this.cipher.setAAD(SEALED_MAGIC);
  }

  update(chunk: Uint8Array): Buffer {
    return this.cipher.update(chunk);
  }

  /** The rest of the ciphertext and the tag. */
  final(): Buffer {
    return Buffer.concat([this.cipher.final(), this.cipher.getAuthTag()]);
  }
}

/** The sealed form of `plain`, as the parts to write in order. */
export function sealBlob(key: Buffer, plain: Uint8Array): Buffer[] {
  const sealer = new BlobSealer(key);
  return [sealer.header, sealer.update(plain), sealer.final()];
}

/** The plaintext of a sealed blob; throws when the key is wrong or the file was altered. */
export function openSealedBlob(key: Buffer, stored: Uint8Array): Buffer {
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const nonce = bytes.subarray(SEALED_MAGIC.length, SEALED_MAGIC.length + NONCE_BYTES);
  const tag = bytes.subarray(bytes.length - TAG_BYTES);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAAD(SEALED_MAGIC);
  decipher.setAuthTag(tag);
  return Buffer.concat([
    decipher.update(bytes.subarray(SEALED_MAGIC.length + NONCE_BYTES, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]);
}

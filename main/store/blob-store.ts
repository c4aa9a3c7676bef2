import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { BlobSealer, isSealed, openSealedBlob, SEALED_OVERHEAD, sealBlob } from './blob-encryption';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../kernel/file-modes';
import { syncDir, writeFileDurably } from './durable-file';

const SHA256 = /^[0-9a-f]{64}$/;

export interface BlobRef {
  sha256: string;
  size: number;
}

export interface BlobCheck {
  checked: number;
  /** Files whose content no longer hashes to their name (or, sealed, no longer decrypts). */
  corrupt: string[];
  /** Referenced hashes with no file. */
  missing: string[];
}

function assertSha(sha256: string): void {
  if (!SHA256.test(sha256)) throw new Error(`not a sha256 hex digest: ${sha256}`);
}

async function hashFile(file: string): Promise<BlobRef> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file)) {
    const bytes = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
    hash.update(bytes);
    size += bytes.length;
  }
  return { sha256: hash.digest('hex'), size };
}

async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** Size of a file, or null when absent. */
async function sizeOf(file: string): Promise<number | null> {
  try {
    return (await stat(file)).size;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'ENOENT';
}

function tempName(): string {
  return `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`;
}

/**
 * Content-addressed files (scans, PDFs, receipts): `<root>/ab/cdef…` where `abcdef…` is the
 * sha256 of the bytes. Writes go to a temp file in the destination directory, are fsynced, renamed
 * into place and the directory fsynced, so a file under its final name is always complete.
 * Storing the same bytes twice is a no-op (a same-named file of the wrong size is replaced).
 * Folders are created 0700 and files 0600: scans and receipts are personal data.
 *
 * With `key` (the desk's stores: `main/store/blob-encryption.ts`) every blob written is sealed
 * (AES-256-GCM); `get` and `verifyAll` decrypt and re-hash, and still read a blob written before
 * encryption, which `sealExisting` then seals in place. Without `key` (tests), files are the bytes.
 */
export class BlobStore {
  constructor(
    readonly rootDir: string,
    private readonly key: Buffer | null = null,
  ) {}

  /** True when new blobs are sealed. */
  get sealed(): boolean {
    return this.key !== null;
  }

  pathOf(sha256: string): string {
    assertSha(sha256);
    return path.join(this.rootDir, sha256.slice(0, 2), sha256.slice(2));
  }

  async put(bytes: Uint8Array): Promise<BlobRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref = { sha256, size: bytes.byteLength };
    const target = this.pathOf(sha256);
    const present = await sizeOf(target);
    if (present === ref.size || present === ref.size + SEALED_OVERHEAD) return ref;
    await mkdir(path.dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFileDurably(target, this.key ? sealBlob(this.key, bytes) : [bytes]);
    return ref;
  }

  /** Streams a file in (hashing while copying), for scans too large to hold in memory twice. */
  async putFile(source: string): Promise<BlobRef> {
    await mkdir(this.rootDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const temp = path.join(this.rootDir, tempName());
    const hash = createHash('sha256');
    let size = 0;
    const sealer = this.key ? new BlobSealer(this.key) : null;
    try {
      const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
      try {
        if (sealer) await handle.write(sealer.header);
        for await (const chunk of createReadStream(source)) {
          const bytes = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
          hash.update(bytes);
          size += bytes.length;
          await handle.write(sealer ? sealer.update(bytes) : bytes);
        }
        if (sealer) await handle.write(sealer.final());
        await handle.sync();
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      const target = this.pathOf(sha256);
      if (await exists(target)) {
        await rm(temp, { force: true });
        return { sha256, size };
      }
      const dir = path.dirname(target);
      await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      await rename(temp, target);
      await syncDir(dir);
      await syncDir(this.rootDir);
      return { sha256, size };
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  /**
   * The stored bytes (decrypted); throws when the blob is missing. Pass `verify` to re-hash on
   * the way out; a sealed blob is always re-hashed (a file renamed over another's is caught).
   */
  async get(sha256: string, options: { verify?: boolean } = {}): Promise<Uint8Array> {
    const stored = await readFile(this.pathOf(sha256));
    const bytes = this.plaintextOf(sha256, stored);
    if ((options.verify || bytes !== stored) && createHash('sha256').update(bytes).digest('hex') !== sha256) {
      throw new Error(`blob ${sha256} is corrupt`);
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  /** `stored` itself when it is not sealed (or is a plaintext that happens to start like a sealed file). */
  private plaintextOf(sha256: string, stored: Buffer): Buffer {
    if (!isSealed(stored)) return stored;
    if (!this.key) throw new Error(`blob ${sha256} is encrypted and this store has no key`);
    try {
      return openSealedBlob(this.key, stored);
    } catch {
      if (createHash('sha256').update(stored).digest('hex') === sha256) return stored;
      throw new Error(`blob ${sha256} is corrupt (does not decrypt)`);
    }
  }

  /**
   * Seals, in place, every blob still stored in the clear (a store from before encryption): the
   * plaintext is checked against its name, the sealed form written beside it, synced and renamed
   * over it, so a crash leaves one form or the other. Files that do not match their name are left
   * for `verifyAll` to report. Does nothing without a key. `signal` stops it between two files
   * (the core's shutdown); the next start goes on where it stopped.
   */
  async sealExisting(signal?: AbortSignal): Promise<{ sealed: number; skipped: string[] }> {
    const done = { sealed: 0, skipped: [] as string[] };
    if (!this.key) return done;
    for (const sha256 of await this.list()) {
      if (signal?.aborted) break;
      const target = this.pathOf(sha256);
      let stored: Buffer;
      try {
        stored = await readFile(target);
      } catch (error) {
        if (isNotFound(error)) continue;
        throw error;
      }
      if (isSealed(stored)) {
        try {
          if (this.plaintextOf(sha256, stored) !== stored) continue;
        } catch {
          done.skipped.push(sha256);
          continue;
        }
      }
      if (createHash('sha256').update(stored).digest('hex') !== sha256) {
        done.skipped.push(sha256);
        continue;
      }
      await writeFileDurably(target, sealBlob(this.key, stored));
      done.sealed += 1;
    }
    return done;
  }

  async has(sha256: string): Promise<boolean> {
    if (!SHA256.test(sha256)) return false;
    return exists(this.pathOf(sha256));
  }

  /** Every stored blob's hash (temp files left by a crash are ignored). */
  async list(): Promise<string[]> {
    const found: string[] = [];
    let fanOut: string[];
    try {
      fanOut = await readdir(this.rootDir);
    } catch (error) {
      if (isNotFound(error)) return found;
      throw error;
    }
    for (const prefix of fanOut.sort()) {
      if (!/^[0-9a-f]{2}$/.test(prefix)) continue;
      const dir = path.join(this.rootDir, prefix);
      if (!(await stat(dir)).isDirectory()) continue;
      for (const rest of (await readdir(dir)).sort()) {
        const sha256 = prefix + rest;
        if (SHA256.test(sha256)) found.push(sha256);
      }
    }
    return found;
  }

  /** Re-hashes every stored file; also reports which of `referenced` (hashes the database points to) have no file. */
  async verifyAll(referenced: Iterable<string> = []): Promise<BlobCheck> {
    const stored = await this.list();
    const corrupt: string[] = [];
    for (const sha256 of stored) {
      if (this.key) {
        try {
          await this.get(sha256, { verify: true });
        } catch {
          corrupt.push(sha256);
        }
        continue;
      }
      const actual = await hashFile(this.pathOf(sha256));
      if (actual.sha256 !== sha256) corrupt.push(sha256);
    }
    const present = new Set(stored);
    const missing = [...new Set(referenced)].filter((sha256) => !present.has(sha256)).sort();
    return { checked: stored.length, corrupt, missing };
  }
}

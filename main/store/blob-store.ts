import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './data-dir-permissions';
import { syncDir, writeFileDurably } from './durable-file';

const SHA256 = /^[0-9a-f]{64}$/;

export interface BlobRef {
  sha256: string;
  size: number;
}

export interface BlobCheck {
  checked: number;
  /** Files whose content no longer hashes to their name. */
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
 */
export class BlobStore {
  constructor(readonly rootDir: string) {}

  pathOf(sha256: string): string {
    assertSha(sha256);
    return path.join(this.rootDir, sha256.slice(0, 2), sha256.slice(2));
  }

  async put(bytes: Uint8Array): Promise<BlobRef> {
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    const ref = { sha256, size: bytes.byteLength };
    const target = this.pathOf(sha256);
    if ((await sizeOf(target)) === ref.size) return ref;
    await mkdir(path.dirname(target), { recursive: true, mode: PRIVATE_DIR_MODE });
    await writeFileDurably(target, [bytes]);
    return ref;
  }

  /** Streams a file in (hashing while copying), for scans too large to hold in memory twice. */
  async putFile(source: string): Promise<BlobRef> {
    await mkdir(this.rootDir, { recursive: true, mode: PRIVATE_DIR_MODE });
    const temp = path.join(this.rootDir, tempName());
    const hash = createHash('sha256');
    let size = 0;
    try {
      const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
      try {
        for await (const chunk of createReadStream(source)) {
          const bytes = chunk instanceof Buffer ? chunk : Buffer.from(String(chunk));
          hash.update(bytes);
          size += bytes.length;
          await handle.write(bytes);
        }
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

  /** The stored bytes; throws when the blob is missing. Pass `verify` to re-hash on the way out. */
  async get(sha256: string, options: { verify?: boolean } = {}): Promise<Uint8Array> {
    const bytes = await readFile(this.pathOf(sha256));
    if (options.verify && createHash('sha256').update(bytes).digest('hex') !== sha256) {
      throw new Error(`blob ${sha256} is corrupt`);
    }
    return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
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
      const actual = await hashFile(this.pathOf(sha256));
      if (actual.sha256 !== sha256) corrupt.push(sha256);
    }
    const present = new Set(stored);
    const missing = [...new Set(referenced)].filter((sha256) => !present.has(sha256)).sort();
    return { checked: stored.length, corrupt, missing };
  }
}

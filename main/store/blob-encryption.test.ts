import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { blobKeyFrom, isSealed, SEALED_OVERHEAD } from './blob-encryption';
import { BlobStore } from './blob-store';
import { FileKeyStore } from './key-store';
import { openStore } from './store';
import { tempDir } from './testing/store-fixtures';

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const MARKER = 'CCCD 079203009876 Hoang Thi Phuong Mai';
const receipt = (extra = ''): Uint8Array => new TextEncoder().encode(`%PDF-1.7 biên nhận ${MARKER} ${extra}`);

describe('blobs sealed at rest (AES-256-GCM)', () => {
  let temp: ReturnType<typeof tempDir>;
  let root: string;
  let key: Buffer;
  let blobs: BlobStore;

  beforeEach(() => {
    temp = tempDir('motcua-blobs-');
    root = path.join(temp.dir, 'blobs');
    key = blobKeyFrom(randomBytes(32));
    blobs = new BlobStore(root, key);
  });
  afterEach(() => temp.cleanup());

  it('put: the file holds no plaintext, keeps the plaintext hash as its name, reads back the same bytes', async () => {
    const bytes = receipt();
    const ref = await blobs.put(bytes);
    expect(ref).toEqual({ sha256: sha(bytes), size: bytes.byteLength });
    const raw = readFileSync(blobs.pathOf(ref.sha256));
    expect(raw.includes(MARKER)).toBe(false);
    expect(isSealed(raw)).toBe(true);
    expect(raw.length).toBe(bytes.byteLength + SEALED_OVERHEAD);
    expect(Buffer.from(await blobs.get(ref.sha256)).equals(Buffer.from(bytes))).toBe(true);
    // Idempotent: the same bytes again leave the sealed file as it was (a new nonce would change it).
    expect(await blobs.put(bytes)).toEqual(ref);
    expect(readFileSync(blobs.pathOf(ref.sha256)).equals(raw)).toBe(true);
    // The same plaintext sealed twice differs (a fresh nonce per write).
    const other = new BlobStore(path.join(temp.dir, 'other'), key);
    await other.put(bytes);
    expect(readFileSync(other.pathOf(ref.sha256)).equals(raw)).toBe(false);
    if (process.platform !== 'win32') expect(statSync(blobs.pathOf(ref.sha256)).mode & 0o777).toBe(0o600);
  });

  it('putFile (streamed): sealed, hashed over the plaintext', async () => {
    const source = path.join(temp.dir, 'scan.bin');
    const bytes = Buffer.concat([randomBytes(200_000), Buffer.from(MARKER), randomBytes(150_000)]);
    writeFileSync(source, bytes);
    const ref = await blobs.putFile(source);
    expect(ref).toEqual({ sha256: sha(bytes), size: bytes.length });
    const raw = readFileSync(blobs.pathOf(ref.sha256));
    expect(raw.includes(MARKER)).toBe(false);
    expect(raw.length).toBe(bytes.length + SEALED_OVERHEAD);
    expect(Buffer.from(await blobs.get(ref.sha256, { verify: true })).equals(bytes)).toBe(true);
    expect(await blobs.verifyAll([ref.sha256])).toEqual({ checked: 1, corrupt: [], missing: [] });
  });

  it("a wrong key, an altered byte or a sealed file moved under another blob's name is refused, and verifyAll names it", async () => {
    const a = await blobs.put(receipt('a'));
    const b = await blobs.put(receipt('b'));
    await expect(new BlobStore(root, blobKeyFrom(randomBytes(32))).get(a.sha256)).rejects.toThrow(/corrupt/);
    const rawA = readFileSync(blobs.pathOf(a.sha256));
    rawA[rawA.length - 20] ^= 1;
    writeFileSync(blobs.pathOf(a.sha256), rawA);
    await expect(blobs.get(a.sha256)).rejects.toThrow(/does not decrypt/);
    const c = await blobs.put(receipt('c'));
    renameSync(blobs.pathOf(c.sha256), blobs.pathOf(b.sha256));
    await expect(blobs.get(b.sha256)).rejects.toThrow(/corrupt/);
    expect((await blobs.verifyAll()).corrupt.sort()).toEqual([a.sha256, b.sha256].sort());
    await expect(new BlobStore(root).get(b.sha256)).rejects.toThrow(/encrypted and this store has no key/);
  });

  it('blobs written before encryption are read as they are, then sealed in place by sealExisting; a corrupt one is left and reported', async () => {
    const plain = new BlobStore(root);
    const old = await plain.put(receipt('old'));
    const scan = await plain.put(randomBytes(50_000));
    const broken = sha(receipt('broken'));
    mkdirSync(path.dirname(plain.pathOf(broken)), { recursive: true });
    writeFileSync(plain.pathOf(broken), 'not what the name says');
    expect(readFileSync(plain.pathOf(old.sha256)).includes(MARKER)).toBe(true);

    expect(Buffer.from(await blobs.get(old.sha256)).includes(MARKER)).toBe(true);
    // Stopped (the core shutting down): nothing is touched, the next run does it all.
    const stopped = new AbortController();
    stopped.abort();
    expect(await blobs.sealExisting(stopped.signal)).toEqual({ sealed: 0, skipped: [] });
    expect(readFileSync(blobs.pathOf(old.sha256)).includes(MARKER)).toBe(true);
    expect(await blobs.sealExisting()).toEqual({ sealed: 2, skipped: [broken] });
    expect(readFileSync(blobs.pathOf(old.sha256)).includes(MARKER)).toBe(false);
    expect(isSealed(readFileSync(blobs.pathOf(scan.sha256)))).toBe(true);
    expect(Buffer.from(await blobs.get(old.sha256, { verify: true })).includes(MARKER)).toBe(true);
    expect(await blobs.sealExisting()).toEqual({ sealed: 0, skipped: [broken] });
    expect(await blobs.verifyAll([old.sha256, scan.sha256])).toEqual({ checked: 3, corrupt: [broken], missing: [] });
  });

  it('openStore seals blobs with a key derived from the database key; without a key store it does not', async () => {
    const keys = new FileKeyStore(path.join(temp.dir, 'keys'));
    const store = openStore({ dataDir: path.join(temp.dir, 'sealed'), keyStore: keys });
    const ref = await store.blobs.put(receipt());
    expect(store.blobs.sealed).toBe(true);
    expect(readFileSync(store.blobs.pathOf(ref.sha256)).includes(MARKER)).toBe(false);
    store.close();
    const again = openStore({ dataDir: path.join(temp.dir, 'sealed'), keyStore: keys });
    expect(Buffer.from(await again.blobs.get(ref.sha256)).includes(MARKER)).toBe(true);
    again.close();

    const plain = openStore({ dataDir: path.join(temp.dir, 'plain'), keyStore: null });
    expect(plain.blobs.sealed).toBe(false);
    const plainRef = await plain.blobs.put(receipt());
    expect(readFileSync(plain.blobs.pathOf(plainRef.sha256)).includes(MARKER)).toBe(true);
    plain.close();
  });
});

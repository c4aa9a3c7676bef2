import { createHash } from 'node:crypto';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BlobStore } from './blob-store';
import { tempDir } from './testing/store-fixtures';

const sha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

describe('BlobStore', () => {
  let temp: ReturnType<typeof tempDir>;
  let blobs: BlobStore;

  beforeEach(() => {
    temp = tempDir();
    blobs = new BlobStore(path.join(temp.dir, 'blobs'));
  });
  afterEach(() => temp.cleanup());

  it('stores content-addressed with a two-character fan-out, idempotently', async () => {
    const bytes = new TextEncoder().encode('Biên nhận hồ sơ');
    const ref = await blobs.put(bytes);
    expect(ref).toEqual({ sha256: sha(bytes), size: bytes.byteLength });
    expect(blobs.pathOf(ref.sha256)).toBe(path.join(temp.dir, 'blobs', ref.sha256.slice(0, 2), ref.sha256.slice(2)));
    expect(await blobs.put(bytes)).toEqual(ref);
    expect(readdirSync(path.join(temp.dir, 'blobs', ref.sha256.slice(0, 2)))).toEqual([ref.sha256.slice(2)]);
    expect(await blobs.has(ref.sha256)).toBe(true);
    expect(Buffer.from(await blobs.get(ref.sha256, { verify: true })).toString()).toBe('Biên nhận hồ sơ');
    expect(await blobs.has('0'.repeat(64))).toBe(false);
    expect(await blobs.has('../../etc/passwd')).toBe(false);
    await expect(blobs.get('../x')).rejects.toThrow(/not a sha256/);
    await expect(blobs.get('0'.repeat(64))).rejects.toThrow(/ENOENT/);
  });

  it('streams a file in', async () => {
    const source = path.join(temp.dir, 'scan.pdf');
    const bytes = new Uint8Array(3 * 1024 * 1024).map((_, i) => (i * 31) % 251);
    writeFileSync(source, bytes);
    const ref = await blobs.putFile(source);
    expect(ref).toEqual({ sha256: sha(bytes), size: bytes.byteLength });
    expect(sha(await blobs.get(ref.sha256))).toBe(ref.sha256);
    expect(await blobs.putFile(source)).toEqual(ref);
    expect(readdirSync(path.join(temp.dir, 'blobs')).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('re-hashes every file and reports corrupt and missing blobs', async () => {
    const good = await blobs.put(new TextEncoder().encode('good'));
    const bad = await blobs.put(new TextEncoder().encode('will rot'));
    writeFileSync(blobs.pathOf(bad.sha256), 'will ROT');
    writeFileSync(path.join(temp.dir, 'blobs', good.sha256.slice(0, 2), '.tmp-left-by-a-crash'), 'partial');
    const missing = 'e'.repeat(64);
    const report = await blobs.verifyAll([good.sha256, bad.sha256, missing]);
    expect(report).toEqual({ checked: 2, corrupt: [bad.sha256], missing: [missing] });
    await expect(blobs.get(bad.sha256, { verify: true })).rejects.toThrow(/corrupt/);
  });

  it('replaces a truncated file when the same bytes are stored again', async () => {
    const bytes = new TextEncoder().encode('complete content');
    const ref = await blobs.put(bytes);
    writeFileSync(blobs.pathOf(ref.sha256), 'comp');
    await blobs.put(bytes);
    expect((await blobs.verifyAll()).corrupt).toEqual([]);
  });

  it('reports an empty store', async () => {
    expect(await blobs.verifyAll()).toEqual({ checked: 0, corrupt: [], missing: [] });
  });
});

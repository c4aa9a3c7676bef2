import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileDurably } from './durable-file';
import { tempDir } from './testing/store-fixtures';

let temp: ReturnType<typeof tempDir>;
beforeEach(() => {
  temp = tempDir();
});
afterEach(() => temp.cleanup());

describe('writeFileDurably', () => {
  it('writes the parts in order, replaces an older file whole, and leaves no temporary file', async () => {
    const target = path.join(temp.dir, 'a.bin');
    writeFileSync(target, 'old content that is longer');
    const n = await writeFileDurably(target, [Buffer.from('ab'), new Uint8Array([0x63]), Buffer.from('')]);
    expect(n).toBe(3);
    expect(readFileSync(target, 'utf8')).toBe('abc');
    expect(readdirSync(temp.dir)).toEqual(['a.bin']);
  });

  it('a failure leaves the old file as it was and removes the temporary file', async () => {
    const dir = path.join(temp.dir, 'd');
    mkdirSync(dir);
    const target = path.join(dir, 'b.bin');
    writeFileSync(target, 'kept');
    // A directory where the file should go: the rename fails after the data was written.
    const blocked = path.join(dir, 'c.bin');
    mkdirSync(path.join(blocked, 'inside'), { recursive: true });
    await expect(writeFileDurably(blocked, [Buffer.from('new')], { fsync: false })).rejects.toThrow();
    expect(readFileSync(target, 'utf8')).toBe('kept');
    expect(readdirSync(dir).sort()).toEqual(['b.bin', 'c.bin']);
  });
});

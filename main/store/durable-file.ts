import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { PRIVATE_FILE_MODE } from '../kernel/file-modes';

/** fsync a directory so a rename inside it survives power loss; not possible on Windows, where NTFS journals it. */
export async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Writes `parts` to `target` so that a reader sees either no file or the whole file: a temporary
 * file in the same folder, fsync (unless `fsync: false`), rename, fsync of the folder. A failure
 * removes the temporary file and leaves `target` as it was. The file is created 0600 (readable by
 * the owner only), so it is private before it gets its final name. Returns the bytes written.
 */
export async function writeFileDurably(
  target: string,
  parts: readonly Uint8Array[],
  options: { fsync?: boolean } = {},
): Promise<number> {
  const fsync = options.fsync ?? true;
  const dir = path.dirname(target);
  const temp = path.join(dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
  let bytes = 0;
  try {
    const handle = await open(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      for (const part of parts) {
        await handle.write(part);
        bytes += part.byteLength;
      }
      if (fsync) await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, target);
  } catch (err) {
    await rm(temp, { force: true });
    throw err;
  }
  if (fsync) await syncDir(dir);
  return bytes;
}

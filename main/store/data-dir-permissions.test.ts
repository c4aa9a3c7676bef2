import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../kernel/logger';
import { BlobStore } from './blob-store';
import { findLooseEntries, tightenDataDir } from './data-dir-permissions';
import { writeFileDurably } from './durable-file';
import { openStore } from './store';
import { tempDir } from './testing/store-fixtures';

const modeOf = (p: string): number => lstatSync(p).mode & 0o777;

/** Every folder and file under `root` (links skipped) with its permission bits. */
function modes(root: string): Map<string, number> {
  const out = new Map<string, number>();
  const visit = (p: string): void => {
    const s = lstatSync(p);
    if (s.isSymbolicLink()) return;
    out.set(path.relative(root, p) || '.', s.mode & 0o777);
    if (s.isDirectory()) for (const n of readdirSync(p)) visit(path.join(p, n));
  };
  visit(root);
  return out;
}

let temp: ReturnType<typeof tempDir>;
let savedUmask: number;
beforeEach(() => {
  temp = tempDir('motcua-perm-');
  // The usual desktop umask, so a private mode below comes from the code, not from the process.
  savedUmask = process.umask(0o022);
});
afterEach(() => {
  process.umask(savedUmask);
  temp.cleanup();
});

/** A store as older versions left it: folders 755, files 644, plus odd cases. */
function looseStore(root: string): { outside: string } {
  mkdirSync(path.join(root, 'blobs', 'ab'), { recursive: true, mode: 0o755 });
  mkdirSync(path.join(root, 'printed'), { mode: 0o777 });
  writeFileSync(path.join(root, 'motcua.sqlite'), 'db', { mode: 0o644 });
  writeFileSync(path.join(root, 'blobs', 'ab', 'cdef'), 'scan', { mode: 0o644 });
  writeFileSync(path.join(root, 'printed', 'receipt.pdf'), '%PDF', { mode: 0o666 });
  writeFileSync(path.join(root, 'readonly.json'), '{}', { mode: 0o444 });
  chmodSync(root, 0o755);
  for (const p of ['blobs', 'blobs/ab']) chmodSync(path.join(root, p), 0o755);
  for (const [p, m] of [
    ['motcua.sqlite', 0o644],
    ['blobs/ab/cdef', 0o644],
    ['printed', 0o777],
    ['printed/receipt.pdf', 0o666],
    ['readonly.json', 0o444],
  ] as const)
    chmodSync(path.join(root, p), m);
  // A link to a file outside the data folder: neither followed nor changed.
  const outside = path.join(temp.dir, 'outside.txt');
  writeFileSync(outside, 'not ours');
  chmodSync(outside, 0o644);
  symlinkSync(outside, path.join(root, 'link-out'));
  return { outside };
}

describe('tightenDataDir', () => {
  it('narrows an existing 755/644 store to 700/600, keeps owner-only bits, leaves links alone', () => {
    const root = path.join(temp.dir, 'data');
    mkdirSync(root);
    const { outside } = looseStore(root);
    expect(findLooseEntries(root, 'linux').map((e) => `${path.relative(root, e.path) || '.'} ${e.mode}`)).toEqual([
      '. 755',
      'blobs 755',
      'blobs/ab 755',
      'blobs/ab/cdef 644',
      'motcua.sqlite 644',
      'printed 777',
      'printed/receipt.pdf 666',
      'readonly.json 444',
    ]);

    const report = tightenDataDir(root, 'linux');
    expect(report).toEqual({ dirs: 4, files: 4, tightened: 8, failed: [] });
    expect(Object.fromEntries(modes(root))).toEqual({
      '.': 0o700,
      blobs: 0o700,
      'blobs/ab': 0o700,
      'blobs/ab/cdef': 0o600,
      'motcua.sqlite': 0o600,
      printed: 0o700,
      'printed/receipt.pdf': 0o600,
      'readonly.json': 0o400,
    });
    expect(modeOf(outside)).toBe(0o644);
    expect(findLooseEntries(root, 'linux')).toEqual([]);
    // A second start finds nothing to do.
    expect(tightenDataDir(root, 'linux')).toEqual({ dirs: 4, files: 4, tightened: 0, failed: [] });
  });

  it('opens a folder its owner had locked (000) and narrows what is inside', () => {
    const root = path.join(temp.dir, 'data');
    mkdirSync(path.join(root, 'downloads'), { recursive: true });
    writeFileSync(path.join(root, 'downloads', 'r.part'), 'x');
    chmodSync(path.join(root, 'downloads', 'r.part'), 0o664);
    chmodSync(path.join(root, 'downloads'), 0o000);
    expect(tightenDataDir(root, 'linux')).toEqual({ dirs: 2, files: 1, tightened: 3, failed: [] });
    expect(modeOf(path.join(root, 'downloads'))).toBe(0o700);
    expect(modeOf(path.join(root, 'downloads', 'r.part'))).toBe(0o600);
  });

  it('reports a data folder path that is a file instead of failing silently', () => {
    const file = path.join(temp.dir, 'not-a-folder');
    writeFileSync(file, 'x');
    expect(() => tightenDataDir(file, 'linux')).toThrow(/EEXIST|ENOTDIR/);
  });

  it('creates a missing data folder 0700', () => {
    const root = path.join(temp.dir, 'new', 'data');
    expect(tightenDataDir(root, 'linux')).toEqual({ dirs: 1, files: 0, tightened: 0, failed: [] });
    expect(modeOf(root)).toBe(0o700);
  });

  it('does nothing on Windows (the profile ACL protects the folder there)', () => {
    const root = path.join(temp.dir, 'data');
    mkdirSync(root);
    looseStore(root);
    expect(tightenDataDir(root, 'win32')).toBeNull();
    expect(findLooseEntries(root, 'win32')).toEqual([]);
    expect(modeOf(path.join(root, 'motcua.sqlite'))).toBe(0o644);
  });

  it('finds nothing in a folder that does not exist', () => {
    expect(findLooseEntries(path.join(temp.dir, 'absent'), 'linux')).toEqual([]);
  });
});

describe('files are created private, whatever the umask', () => {
  it('writeFileDurably: the temporary file and the final file are 0600', async () => {
    const target = path.join(temp.dir, 'receipt.pdf');
    await writeFileDurably(target, [Buffer.from('%PDF')]);
    expect(modeOf(target)).toBe(0o600);
  });

  it('BlobStore: fan-out folders 0700, blobs 0600 (put and putFile)', async () => {
    const root = path.join(temp.dir, 'blobs');
    const blobs = new BlobStore(root);
    const a = await blobs.put(Buffer.from('scan one'));
    const source = path.join(temp.dir, 'scan.tif');
    writeFileSync(source, 'scan two');
    const b = await blobs.putFile(source);
    const seen = modes(root);
    expect(seen.get('.')).toBe(0o700);
    for (const ref of [a, b]) {
      expect(seen.get(ref.sha256.slice(0, 2))).toBe(0o700);
      expect(seen.get(path.join(ref.sha256.slice(0, 2), ref.sha256.slice(2)))).toBe(0o600);
    }
  });

  it('openStore: the folder 0700, the database and its -wal/-shm 0600', () => {
    const root = path.join(temp.dir, 'data');
    const store = openStore({ dataDir: root });
    try {
      store.settings.set('probe', '1');
      const seen = modes(root);
      expect(seen.get('.')).toBe(0o700);
      for (const name of ['motcua.sqlite', 'motcua.sqlite-wal', 'motcua.sqlite-shm']) {
        expect(existsSync(path.join(root, name)), name).toBe(true);
        expect(seen.get(name), name).toBe(0o600);
      }
    } finally {
      store.close();
    }
  });

  it('the log folder 0700 and the log file 0600', () => {
    const file = path.join(temp.dir, 'logs', 'core.log');
    createLogger({ file }).log('info', 'probe');
    expect(modeOf(path.dirname(file))).toBe(0o700);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });
});

import { chmodSync, existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DpapiKeyStore, FileKeyStore, KEY_BYTES, keyStoreFor, type CommandRunner, type KeyName } from './key-store';
import { tempDir } from './testing/store-fixtures';

const posix = process.platform !== 'win32';

describe('FileKeyStore', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('motcua-keys-');
  });
  afterEach(() => temp.cleanup());

  it.runIf(posix)('creates the key folder 0700 and each key 0400, 32 random bytes, the same key on every read', () => {
    const keys = new FileKeyStore(path.join(temp.dir, 'keys'));
    expect(keys.read('database')).toBeNull();
    const key = keys.obtain('database');
    expect(key).toHaveLength(KEY_BYTES);
    expect(statSync(keys.location).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(keys.location, 'database.key')).mode & 0o777).toBe(0o400);
    expect(keys.read('database')?.equals(key)).toBe(true);
    expect(keys.obtain('database').equals(key)).toBe(true);
    expect(keys.obtain('audit').equals(key)).toBe(false);
    expect(readdirSync(keys.location).sort()).toEqual(['audit.key', 'database.key']);
    expect(keys.problems()).toEqual([]);
  });

  it.runIf(posix)('problems(): a key folder or key others can read, and a key of the wrong length', () => {
    const keys = new FileKeyStore(path.join(temp.dir, 'keys'));
    keys.obtain('database');
    const file = path.join(keys.location, 'database.key');
    chmodSync(keys.location, 0o755);
    chmodSync(file, 0o644);
    expect(keys.problems()).toEqual([
      { path: keys.location, problem: 'open-mode' },
      { path: file, problem: 'open-mode' },
    ]);
    writeFileSync(path.join(keys.location, 'audit.key'), Buffer.alloc(16), { mode: 0o400 });
    expect(keys.problems()).toContainEqual({ path: path.join(keys.location, 'audit.key'), problem: 'bad-length' });
    expect(() => keys.read('audit')).toThrow(/16 byte, cần 32/);
  });

  it("a process that loses the race to create a key uses the winner's key and never replaces it", () => {
    const dir = path.join(temp.dir, 'keys');
    const winner = new FileKeyStore(dir).obtain('database');
    // The loser looked before the winner wrote (its first read saw nothing), then creates its own.
    class LateStore extends FileKeyStore {
      private looked = false;
      override read(name: KeyName): Buffer | null {
        if (!this.looked) {
          this.looked = true;
          return null;
        }
        return super.read(name);
      }
    }
    const loser = new LateStore(dir).obtain('database');
    expect(loser.equals(winner)).toBe(true);
    expect(readFileSync(path.join(dir, 'database.key')).equals(winner)).toBe(true);
    expect(readdirSync(dir)).toEqual(['database.key']);
  });
});

/** A stand-in for PowerShell's DPAPI: records each call, "wraps" by prefixing and reversing. */
function fakeDpapi(): { run: CommandRunner; calls: { command: string; args: readonly string[]; input: string }[] } {
  const calls: { command: string; args: readonly string[]; input: string }[] = [];
  const marker = Buffer.from('DPAPI-BLOB-v1:');
  const run: CommandRunner = (command, args, input) => {
    calls.push({ command, args, input });
    const script = args[args.length - 1] ?? '';
    const bytes = Buffer.from(input.trim(), 'base64');
    if (script.includes('::Protect('))
      return Buffer.concat([marker, Buffer.from(bytes).reverse()]).toString('base64') + '\r\n';
    if (!bytes.subarray(0, marker.length).equals(marker)) throw new Error('Key not valid for use in specified state.');
    return Buffer.from(bytes.subarray(marker.length)).reverse().toString('base64');
  };
  return { run, calls };
}

describe('DpapiKeyStore (PowerShell replaced by a recording stand-in: DPAPI itself only runs on Windows)', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('motcua-dpapi-');
  });
  afterEach(() => temp.cleanup());

  it('stores only the wrapped key, passes the key on standard input (never the command line), and unwraps it on read', () => {
    const { run, calls } = fakeDpapi();
    const keys = new DpapiKeyStore(path.join(temp.dir, 'keys'), run);
    expect(keys.kind).toBe('os');
    expect(keys.read('database')).toBeNull();
    const key = keys.obtain('database');
    expect(key).toHaveLength(KEY_BYTES);

    const stored = readFileSync(path.join(keys.location, 'database.dpapi'), 'utf8');
    expect(stored.includes(key.toString('base64'))).toBe(false);
    expect(Buffer.from(stored, 'base64').includes(key)).toBe(false);

    expect(calls).toHaveLength(1);
    const [protect] = calls;
    expect(protect?.command).toBe('powershell.exe');
    expect(protect?.args.slice(0, 2)).toEqual(['-NoProfile', '-NonInteractive']);
    const script = protect?.args[protect.args.length - 1] ?? '';
    expect(script).toContain('[Security.Cryptography.ProtectedData]::Protect(');
    expect(script).toContain('[Security.Cryptography.DataProtectionScope]::CurrentUser');
    expect(script).toContain('Add-Type -AssemblyName System.Security');
    expect(protect?.input).toBe(key.toString('base64'));
    for (const arg of protect?.args ?? []) {
      expect(arg.includes(key.toString('base64'))).toBe(false);
      expect(arg.includes(key.toString('hex'))).toBe(false);
    }

    const again = new DpapiKeyStore(keys.location, run);
    expect(again.read('database')?.equals(key)).toBe(true);
    expect(calls.at(-1)?.args.at(-1)).toContain('::Unprotect(');
    expect(again.obtain('database').equals(key)).toBe(true);
    expect(again.problems()).toEqual([]);
  });

  it('a key DPAPI cannot unwrap (another account, a reset password) is an error naming the file, not a new key', () => {
    const { run } = fakeDpapi();
    const keys = new DpapiKeyStore(path.join(temp.dir, 'keys'), run);
    keys.obtain('database');
    const file = path.join(keys.location, 'database.dpapi');
    writeFileSync(file, Buffer.from('someone else').toString('base64'));
    const before = readFileSync(file);
    expect(() => keys.read('database')).toThrow(/DPAPI.*Key not valid/);
    expect(() => keys.obtain('database')).toThrow(/DPAPI/);
    expect(readFileSync(file).equals(before)).toBe(true);
  });

  it('refuses output that is not base64, an unwrapped key of the wrong length, and a "wrapping" that returns the key itself', () => {
    const dir = path.join(temp.dir, 'keys');
    expect(() => new DpapiKeyStore(dir, () => 'Exception calling "Protect"').obtain('database')).toThrow(
      /không hợp lệ/,
    );
    expect(() => new DpapiKeyStore(dir, (_c, _a, input) => input).obtain('database')).toThrow(/không bọc khoá/);
    expect(existsSync(path.join(dir, 'database.dpapi'))).toBe(false);
    writeFileSync(path.join(temp.dir, 'short.dpapi'), 'AAAA');
    expect(() =>
      new DpapiKeyStore(temp.dir, () => Buffer.alloc(8).toString('base64')).read('short' as KeyName),
    ).toThrow(/8 byte, cần 32/);
  });
});

describe('keyStoreFor', () => {
  it('DPAPI on Windows, owner-only files elsewhere, both in MOTCUA_KEY_DIR when it is set', () => {
    const win = keyStoreFor('win32', { MOTCUA_KEY_DIR: 'D:\\keys', LOCALAPPDATA: 'C:\\Users\\canbo\\AppData\\Local' });
    expect(win).toBeInstanceOf(DpapiKeyStore);
    expect(win.location).toBe('D:\\keys');
    const winDefault = keyStoreFor('win32', { LOCALAPPDATA: 'C:\\Users\\canbo\\AppData\\Local' });
    expect(winDefault.location).toBe(path.join('C:\\Users\\canbo\\AppData\\Local', 'motcua-desk-keys'));
    const linux = keyStoreFor('linux', { MOTCUA_KEY_DIR: '/var/lib/motcua-keys' });
    expect(linux).toBeInstanceOf(FileKeyStore);
    expect(linux.kind).toBe('file');
    expect(linux.location).toBe('/var/lib/motcua-keys');
    expect(keyStoreFor('linux', { XDG_DATA_HOME: '/home/canbo/.local/share' }).location).toBe(
      '/home/canbo/.local/share/motcua-desk-keys',
    );
  });
});

import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { PRIVATE_DIR_MODE } from '../kernel/file-modes';

/**
 * Keys the desk keeps outside its data folder (docs/architecture.md, "Keys outside the store"):
 * `database` opens the encrypted store, `audit` keys the audit chain and signs its checkpoints.
 * A copy of the data folder alone (a backup, a stolen disk image of that folder) carries neither.
 */
export type KeyName = 'database' | 'audit';

export const KEY_BYTES = 32;

export interface KeyStore {
  /** Where the keys live, for `doctor` and the logs (never the key itself). */
  readonly location: string;
  /** `file`: owner-only files; `os`: wrapped by the operating system's key store (DPAPI, keyring). */
  readonly kind: 'file' | 'os';
  /** The key called `name`, or null when it was never created. */
  read(name: KeyName): Buffer | null;
  /** The key called `name`, created (random, 32 bytes) and stored durably on first use. */
  obtain(name: KeyName): Buffer;
}

/**
 * The key folder: `MOTCUA_KEY_DIR` when set, otherwise beside (not inside) the data folder's
 * parent convention: `$XDG_DATA_HOME/motcua-desk-keys` (Linux), `%LOCALAPPDATA%\motcua-desk-keys`
 * (Windows), `~/Library/Application Support/motcua-desk-keys` (macOS).
 */
export function defaultKeyDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.MOTCUA_KEY_DIR) return env.MOTCUA_KEY_DIR;
  if (platform === 'win32')
    return path.join(env.LOCALAPPDATA ?? path.join(homedir(), 'AppData', 'Local'), 'motcua-desk-keys');
  if (platform === 'darwin') return path.join(homedir(), 'Library', 'Application Support', 'motcua-desk-keys');
  return path.join(env.XDG_DATA_HOME ?? path.join(homedir(), '.local', 'share'), 'motcua-desk-keys');
}

/** The key folder's state for `doctor`: present, owner-only, and each key of the right length. */
export interface KeyDirProblem {
  path: string;
  problem: 'open-mode' | 'bad-length';
}

/**
 * Writes `content` to `target` unless `target` already exists: a temporary file in the same
 * folder (created with `mode`), fsync, then a hard link to the final name, which fails rather
 * than replace a key another process created meanwhile (a rename would silently replace it, and
 * a store already encrypted with the first key would then never open again). Returns false
 * when another process won; the caller then reads that key.
 */
function createOnce(dir: string, target: string, content: Buffer, platform: NodeJS.Platform, mode: number): boolean {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  if (platform !== 'win32') chmodSync(dir, PRIVATE_DIR_MODE);
  const temp = `${target}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const fd = openSync(temp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(temp, target);
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(temp, { force: true });
  }
  if (platform !== 'win32') {
    const dirFd = openSync(dir, 'r');
    try {
      fsyncSync(dirFd);
    } finally {
      closeSync(dirFd);
    }
  }
  return true;
}

/**
 * Keys as owner-only files (folder 0700, files 0400): the Linux choice when no keyring is
 * reachable (a service user has no desktop session). Written to a temporary file, synced and
 * linked into place, so a power cut leaves either no key or the whole key, and two processes
 * creating the same key at once end up using the same one.
 */
export class FileKeyStore implements KeyStore {
  readonly kind = 'file' as const;

  constructor(
    readonly location: string,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {}

  private file(name: KeyName): string {
    return path.join(this.location, `${name}.key`);
  }

  read(name: KeyName): Buffer | null {
    let raw: Buffer;
    try {
      raw = readFileSync(this.file(name));
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw error;
    }
    if (raw.length !== KEY_BYTES)
      throw new Error(`Khoá ${name} ở ${this.file(name)} dài ${raw.length} byte, cần ${KEY_BYTES}.`);
    return raw;
  }

  obtain(name: KeyName): Buffer {
    const existing = this.read(name);
    if (existing) return existing;
    const key = randomBytes(KEY_BYTES);
    return createOnce(this.location, this.file(name), key, this.platform, 0o400) ? key : this.readCreated(name);
  }

  private readCreated(name: KeyName): Buffer {
    const key = this.read(name);
    if (!key) throw new Error(`Khoá ${name} vừa được tạo ở ${this.file(name)} nhưng không đọc được.`);
    return key;
  }

  /** Group- or world-reachable entries and keys of the wrong length (POSIX only). */
  problems(): KeyDirProblem[] {
    if (this.platform === 'win32') return [];
    const found: KeyDirProblem[] = [];
    const check = (p: string) => {
      try {
        if ((lstatSync(p).mode & 0o077) !== 0) found.push({ path: p, problem: 'open-mode' });
      } catch {
        /* absent: nothing to report */
      }
    };
    check(this.location);
    for (const name of ['database', 'audit'] as const) {
      check(this.file(name));
      try {
        const raw = readFileSync(this.file(name));
        if (raw.length !== KEY_BYTES) found.push({ path: this.file(name), problem: 'bad-length' });
      } catch {
        /* absent */
      }
    }
    return found;
  }
}

/**
 * Runs `command` with `args`, writes `input` to its standard input and returns its standard output;
 * throws when it exits non-zero. Injected so the DPAPI wrapping can be tested off Windows.
 */
export type CommandRunner = (command: string, args: readonly string[], input: string) => string;

export const runCommand: CommandRunner = (command, args, input) =>
  execFileSync(command, [...args], {
    input,
    encoding: 'utf8',
    windowsHide: true,
    timeout: 30_000,
    maxBuffer: 1024 * 1024,
  });

/**
 * The PowerShell program that wraps (`protect`) or unwraps (`unprotect`) one key with DPAPI in
 * the CurrentUser scope. The key travels base64 on standard input and output, never on the
 * command line (which other users of the machine can list).
 */
function dpapiScript(operation: 'protect' | 'unprotect'): string {
  const call = operation === 'protect' ? 'Protect' : 'Unprotect';
  return [
    "$ErrorActionPreference = 'Stop'",
    'Add-Type -AssemblyName System.Security',
    '$in = [Convert]::FromBase64String([Console]::In.ReadToEnd().Trim())',
    `$entropy = [Text.Encoding]::UTF8.GetBytes('${DPAPI_ENTROPY}')`,
    `$out = [Security.Cryptography.ProtectedData]::${call}($in, $entropy, [Security.Cryptography.DataProtectionScope]::CurrentUser)`,
    '[Console]::Out.Write([Convert]::ToBase64String($out))',
  ].join('; ');
}

/** Extra entropy for DPAPI: another program of the same user calling Unprotect without it gets nothing. */
const DPAPI_ENTROPY = 'motcua-desk key v1';

/**
 * Windows: each key is 32 random bytes wrapped by DPAPI for the current user (the Windows account
 * the desk runs as) and stored as `<name>.dpapi` (base64) in the key folder. Only that account,
 * logged on, can unwrap it: a copy of the folder, or of the whole disk read by another account
 * or another machine, carries only the wrapped form. PowerShell's `ProtectedData` does the
 * wrapping in a child process, so the core and the command line need no native module for it.
 * A reset of the account's password by an administrator (not a change by the user) makes DPAPI
 * keys unreadable: docs/operations.md, "Data at rest", says what to do.
 */
export class DpapiKeyStore implements KeyStore {
  readonly kind = 'os' as const;

  constructor(
    readonly location: string,
    private readonly run: CommandRunner = runCommand,
    private readonly powershell = 'powershell.exe',
  ) {}

  private file(name: KeyName): string {
    return path.join(this.location, `${name}.dpapi`);
  }

  private transform(operation: 'protect' | 'unprotect', input: Buffer): Buffer {
    const args = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command', dpapiScript(operation)];
    const output = this.run(this.powershell, args, input.toString('base64')).trim();
    if (!/^[A-Za-z0-9+/]+={0,2}$/.test(output)) throw new Error(`DPAPI (${operation}) trả về dữ liệu không hợp lệ.`);
    return Buffer.from(output, 'base64');
  }

  read(name: KeyName): Buffer | null {
    let wrapped: string;
    try {
      wrapped = readFileSync(this.file(name), 'utf8').trim();
    } catch (error) {
      if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return null;
      throw error;
    }
    let key: Buffer;
    try {
      key = this.transform('unprotect', Buffer.from(wrapped, 'base64'));
    } catch (error) {
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new Error(
        `Không mở được khoá ${name} ở ${this.file(name)} bằng DPAPI của tài khoản Windows hiện tại: ${reason}`,
        {
          cause: error,
        },
      );
    }
    if (key.length !== KEY_BYTES)
      throw new Error(`Khoá ${name} ở ${this.file(name)} dài ${key.length} byte, cần ${KEY_BYTES}.`);
    return key;
  }

  obtain(name: KeyName): Buffer {
    const existing = this.read(name);
    if (existing) return existing;
    const key = randomBytes(KEY_BYTES);
    const wrapped = this.transform('protect', key);
    if (wrapped.equals(key) || wrapped.length <= KEY_BYTES)
      throw new Error('DPAPI không bọc khoá (kết quả không hợp lệ).');
    if (createOnce(this.location, this.file(name), Buffer.from(wrapped.toString('base64')), 'win32', 0o600)) return key;
    const winner = this.read(name);
    if (!winner) throw new Error(`Khoá ${name} vừa được tạo ở ${this.file(name)} nhưng không đọc được.`);
    return winner;
  }

  /** Nothing to check by mode: the folder's ACL is the profile's, the content is wrapped. */
  problems(): KeyDirProblem[] {
    return [];
  }
}

/**
 * The key store the desk uses on `platform`: DPAPI on Windows, owner-only files elsewhere
 * (docs/operations.md, "Data at rest"). `MOTCUA_KEY_DIR` moves the folder on either.
 */
export function keyStoreFor(
  platform: NodeJS.Platform = process.platform,
  env: NodeJS.ProcessEnv = process.env,
): FileKeyStore | DpapiKeyStore {
  const dir = defaultKeyDir(env, platform);
  return platform === 'win32' ? new DpapiKeyStore(dir) : new FileKeyStore(dir, platform);
}

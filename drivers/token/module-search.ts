import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * PKCS#11 module file names shipped by the Vietnamese certificate authorities and the token
 * makers they rebrand (docs/domain.md §8), without extension. The `*_s.dll` CSP shells are not
 * PKCS#11 modules and are never listed.
 */
export const VIETNAMESE_CA_MODULE_NAMES: readonly string[] = [
  // VNPT-CA
  ...range(6, 10).map((v) => `vnptca_p11_v${v}`),
  // Viettel-CA
  ...range(1, 6).map((v) => `viettel-ca_v${v}`),
  'viettel-ca_pkcs11',
  // BKAV-CA
  'BkavCAv2S',
  'bkavcaetoken_p11',
  // FPT-CA
  ...range(3, 6).map((v) => `fptca_v${v}`),
  // CA2
  'CA2_csp11',
  // Newtel-CA
  ...range(4, 9).map((v) => `nca_v${v}`),
  // Vina-CA
  ...range(3, 5).map((v) => `Vina-CAv${v}`),
  // generic token makers
  'eTPKCS11',
  'eps2003csp11',
  'ShuttleCsp11_3003',
];

function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

/** The folders vendor installers put modules in, per OS. */
export function moduleFolders(platform: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): string[] {
  if (platform === 'win32') {
    const root = env.SystemRoot ?? env.windir ?? 'C:\\Windows';
    // A 64-bit process loads 64-bit modules only: System32 (SysWOW64 holds the 32-bit ones).
    return [path.win32.join(root, 'System32')];
  }
  if (platform === 'darwin') {
    return ['/usr/local/lib', '/Library/Frameworks', '/usr/lib', '/opt/homebrew/lib'];
  }
  return [
    '/usr/lib',
    '/usr/lib64',
    '/usr/local/lib',
    '/usr/lib/x86_64-linux-gnu',
    '/usr/lib/aarch64-linux-gnu',
    '/opt/lib',
  ];
}

function fileNames(base: string, platform: NodeJS.Platform): string[] {
  if (platform === 'win32') return [`${base}.dll`];
  const ext = platform === 'darwin' ? 'dylib' : 'so';
  return [`${base}.${ext}`, `lib${base}.${ext}`];
}

/** Every place a Vietnamese CA module could be, most likely first. Pure: no file is touched. */
export function candidateModulePaths(platform: NodeJS.Platform, env: NodeJS.ProcessEnv = process.env): string[] {
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  const out: string[] = [];
  for (const folder of moduleFolders(platform, env)) {
    for (const base of VIETNAMESE_CA_MODULE_NAMES) {
      for (const name of fileNames(base, platform)) out.push(join(folder, name));
    }
  }
  return out;
}

export interface ModuleSearchOptions {
  /** Modules IT staff configured, tried first and always listed (even when missing). */
  configured?: readonly string[];
  /** Also look for the known Vietnamese CA modules in the usual folders; default true. */
  search?: boolean;
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  exists?: (file: string) => boolean;
}

/** Configured modules (in order), then the known modules found on disk; no duplicates. */
export function findModules(options: ModuleSearchOptions = {}): string[] {
  const exists = options.exists ?? existsSync;
  const platform = options.platform ?? process.platform;
  const seen = new Set<string>();
  const out: string[] = [];
  const add = (file: string): void => {
    const key = platform === 'win32' ? file.toLowerCase() : file;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(file);
  };
  for (const file of options.configured ?? []) add(file);
  if (options.search ?? true) {
    for (const file of candidateModulePaths(platform, options.env ?? process.env)) {
      if (exists(file)) add(file);
    }
  }
  return out;
}

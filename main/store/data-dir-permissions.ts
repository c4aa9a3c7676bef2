import { chmodSync, lstatSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../kernel/file-modes';

/**
 * The data folder holds personal data (IDs, names, scans, receipts, password hashes; the database
 * and blobs encrypted, logs and printouts not: docs/operations.md, "Data at rest"). On Linux and
 * macOS only the service user may read it:
 * folders 0700, files 0600. Windows relies on the ACL of the user's profile instead, so every
 * function here does nothing there. The modes themselves: main/kernel/file-modes.ts.
 */

/** Bits that give group or others any access. */
const OPEN_BITS = 0o077;

export interface TightenReport {
  /** Folders and files looked at (symbolic links are neither followed nor changed). */
  dirs: number;
  files: number;
  /** Entries whose mode was narrowed. */
  tightened: number;
  /** Entries that could not be read or changed, as `path: error code`. */
  failed: string[];
}

export interface LooseEntry {
  path: string;
  /** Permission bits as found, e.g. `644`. */
  mode: string;
}

function isPosix(platform: NodeJS.Platform): boolean {
  return platform !== 'win32';
}

function errorCode(error: unknown): string {
  return error instanceof Error && 'code' in error ? String(error.code) : String(error);
}

/**
 * Visits `root` and everything under it (depth first, without following links), calling `visit`
 * for each folder and regular file. Unreadable folders are reported through `onError`.
 */
function walk(
  root: string,
  visit: (entry: string, isDir: boolean, mode: number) => void,
  onError: (entry: string, error: unknown) => void,
): void {
  const pending = [root];
  while (pending.length > 0) {
    const entry = pending.pop() as string;
    let stats;
    try {
      stats = lstatSync(entry);
    } catch (error) {
      onError(entry, error);
      continue;
    }
    if (stats.isSymbolicLink()) continue;
    const isDir = stats.isDirectory();
    visit(entry, isDir, stats.mode & 0o777);
    if (!isDir) continue;
    try {
      for (const name of readdirSync(entry)) pending.push(path.join(entry, name));
    } catch (error) {
      onError(entry, error);
    }
  }
}

/**
 * Sets the process umask to 077 so every file or folder the core creates (including by libraries
 * that pass no mode: SQLite, the printer twin, the signing folder) is private to the user.
 * Returns false where a umask cannot be set (Windows, worker threads).
 */
export function restrictUmask(platform: NodeJS.Platform = process.platform): boolean {
  if (!isPosix(platform)) return false;
  try {
    process.umask(OPEN_BITS);
    return true;
  } catch {
    return false;
  }
}

/**
 * Creates the data folder 0700 if absent and narrows every folder under it to 0700 and every file
 * to 0600 (a store written before this rule, or copied in by IT, is fixed at start). Only group
 * and other bits are removed from a file; an owner's read-only file stays read-only.
 * Returns null on Windows.
 */
export function tightenDataDir(dataDir: string, platform: NodeJS.Platform = process.platform): TightenReport | null {
  if (!isPosix(platform)) return null;
  mkdirSync(dataDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const report: TightenReport = { dirs: 0, files: 0, tightened: 0, failed: [] };
  walk(
    dataDir,
    (entry, isDir, mode) => {
      if (isDir) report.dirs += 1;
      else report.files += 1;
      const wanted = isDir ? PRIVATE_DIR_MODE : mode & PRIVATE_FILE_MODE;
      if (mode === wanted) return;
      try {
        chmodSync(entry, wanted);
        report.tightened += 1;
      } catch (error) {
        report.failed.push(`${entry}: ${errorCode(error)}`);
      }
    },
    (entry, error) => report.failed.push(`${entry}: ${errorCode(error)}`),
  );
  return report;
}

/**
 * Every folder or file under `dataDir` (itself included) that group or others may read, write or
 * enter, in path order. Changes nothing. Empty on Windows and when the folder does not exist.
 */
export function findLooseEntries(dataDir: string, platform: NodeJS.Platform = process.platform): LooseEntry[] {
  if (!isPosix(platform)) return [];
  const loose: LooseEntry[] = [];
  walk(
    dataDir,
    (entry, _isDir, mode) => {
      if ((mode & OPEN_BITS) !== 0) loose.push({ path: entry, mode: mode.toString(8).padStart(3, '0') });
    },
    () => undefined,
  );
  return loose.sort((a, b) => a.path.localeCompare(b.path));
}

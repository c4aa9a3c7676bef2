import { watch, type FSWatcher } from 'node:fs';
import { mkdir, readdir, readFile, rename, stat } from 'node:fs/promises';
import { basename, extname, join, resolve } from 'node:path';
import { DeviceError } from '../device-error';
import { DEFAULT_MAX_FILE_BYTES, pagesOfFile } from './file-import';
import {
  decodeImagePages,
  looksLikeCompletePdf,
  pdfPageCount,
  PdfToolError,
  sniffFormat,
  UnreadablePdfError,
} from './image-files';
import { cancelledError, progressReporter, Waker } from './scan-progress';
import { checkScanRequest, STANDARD_PAGE_SIZES } from './scan-request';
import type {
  ScanOptions,
  ScanRequest,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerInfo,
  ScannerProvider,
} from './scanner.port';

export interface FolderScannerOptions {
  /** The folder the scanner writes into (a local folder or a mounted SMB/FTP share). */
  folder: string;
  /** Default `folder:<absolute path>`. */
  id?: string;
  /** Default "Thư mục quét <folder name>". */
  name?: string;
  /** A file must keep its size and mtime over two checks this far apart; default 300 ms. */
  settleMs?: number;
  /** Folder check interval, in addition to change notifications; default 250 ms. */
  pollMs?: number;
  /** The batch ends after this long without any new or growing file, once a page came; default 20 s. */
  idleTimeoutMs?: number;
  /** How long to wait for the first file before DEVICE_UNAVAILABLE; default 120 s. */
  firstPageTimeoutMs?: number;
  /**
   * A settled file that still cannot be decoded after this long is given up: moved to
   * `rejected/` and reported; default 5 s (a writer that pauses mid-file gets that long).
   */
  corruptGraceMs?: number;
  /** Larger files are rejected; default 200 MB. */
  maxBytes?: number;
  /** Called for each file given up, with the IMAGE_UNREADABLE error naming it. */
  onRejected?: (file: string, error: DeviceError) => void;
  pdftoppmPath?: string;
  pdfinfoPath?: string;
}

export interface RejectedFile {
  /** Where the file is now (inside `rejected/`). */
  file: string;
  error: DeviceError;
}

const IMAGE_EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.tif',
  '.tiff',
  '.pdf',
  '.bmp',
  '.pnm',
  '.pbm',
  '.pgm',
  '.ppm',
  '.gif',
  '.webp',
]);
const TEMPORARY = /^\.|~$|\.(part|tmp|temp|crdownload|partial|filepart|swp)$/i;
const TAKEN = 'taken';
const REJECTED = 'rejected';

interface Seen {
  size: number;
  mtimeMs: number;
  /** When this size and mtime were first seen. */
  since: number;
  /** When the file was first seen settled but not decodable. */
  failingSince: number | null;
}

/**
 * Scan-to-folder: the device (or its software) writes files into a folder; this adapter watches
 * it (fs.watch plus polling) and takes each file only once it is complete, i.e. its size and
 * mtime stayed the same over two checks `settleMs` apart AND it opens and decodes (images fully
 * decoded by sharp; PDFs need the `%PDF-` header, the `%%EOF` trailer and a page count from
 * pdfinfo). Taken files are moved to `taken/` (never deleted), so nothing is read twice; files
 * that stay undecodable are moved to `rejected/` and reported, never retried forever.
 *
 * The device is set up on its own panel, so the request cannot change its resolution or mode:
 * pages carry the resolution recorded in the file, else the request's. Only `source: 'feeder'`
 * is offered (each file may hold many pages). The batch ends after `idleTimeoutMs` without a new
 * file, or on cancel.
 */
export class FolderScanner implements Scanner {
  readonly info: ScannerInfo;
  readonly folder: string;
  private readonly options: FolderScannerOptions;
  private readonly rejectedFiles: RejectedFile[] = [];
  /** Files given up on that could not be moved aside: skipped while they stay the same. */
  private readonly givenUp = new Set<string>();
  private running = 0;

  constructor(options: FolderScannerOptions) {
    if (options.folder.trim() === '') throw new RangeError('scan folder must not be empty');
    this.folder = resolve(options.folder);
    this.options = options;
    this.info = {
      id: options.id ?? `folder:${this.folder}`,
      name: options.name ?? `Thư mục quét ${basename(this.folder)}`,
      kind: 'folder',
    };
  }

  /** Scans still watching the folder (0 once every scan ended, was cancelled or abandoned). */
  get activeScans(): number {
    return this.running;
  }

  /** Files given up on (moved to `rejected/`), oldest first. */
  get rejected(): readonly RejectedFile[] {
    return this.rejectedFiles;
  }

  async capabilities(): Promise<ScannerCapabilities> {
    await this.checkFolder();
    return {
      sources: ['feeder'],
      duplex: false,
      resolutions: [75, 100, 150, 200, 300, 400, 600],
      modes: ['color', 'gray', 'bw'],
      pageSizes: STANDARD_PAGE_SIZES.map((s) => ({ ...s })),
    };
  }

  async *scan(req: ScanRequest, opts: ScanOptions = {}): AsyncGenerator<ScannedPage, void, undefined> {
    checkScanRequest(req, await this.capabilities());
    const signal = opts.signal;
    if (signal?.aborted) throw cancelledError(this.info.name);
    const report = progressReporter(opts);
    const settleMs = this.options.settleMs ?? 300;
    const pollMs = this.options.pollMs ?? 250;
    const idleTimeoutMs = this.options.idleTimeoutMs ?? 20_000;
    const firstPageTimeoutMs = this.options.firstPageTimeoutMs ?? 120_000;
    const graceMs = this.options.corruptGraceMs ?? 5_000;
    const maxBytes = this.options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;

    const waker = new Waker();
    this.running += 1;
    let watcher: FSWatcher | null;
    try {
      watcher = watch(this.folder, () => waker.notify());
      watcher.on('error', () => undefined);
    } catch {
      watcher = null;
    }
    const seen = new Map<string, Seen>();
    const started = Date.now();
    let lastActivity = started;
    let index = 0;
    let announced = 0;
    try {
      for (;;) {
        if (signal?.aborted) throw cancelledError(this.info.name);
        const now = Date.now();
        const candidates: { name: string; mtimeMs: number }[] = [];
        for (const name of await this.listFiles()) {
          let info;
          try {
            info = await stat(join(this.folder, name));
          } catch {
            seen.delete(name);
            continue;
          }
          if (!info.isFile() || this.givenUp.has(fileKey(name, info.size, info.mtimeMs))) continue;
          const previous = seen.get(name);
          if (previous === undefined || previous.size !== info.size || previous.mtimeMs !== info.mtimeMs) {
            seen.set(name, {
              size: info.size,
              mtimeMs: info.mtimeMs,
              since: now,
              failingSince: previous?.failingSince ?? null,
            });
            lastActivity = now;
            if (announced === index) {
              announced = index + 1;
              report(index + 1, 'scanning');
            }
          } else if (now - previous.since >= settleMs) {
            candidates.push({ name, mtimeMs: info.mtimeMs });
          }
        }
        candidates.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));

        for (const candidate of candidates) {
          if (signal?.aborted) throw cancelledError(this.info.name);
          const entry = seen.get(candidate.name);
          if (entry === undefined) continue;
          const path = join(this.folder, candidate.name);
          const verdict = await this.examine(path, entry.size, maxBytes);
          if (verdict.kind === 'wait') {
            entry.failingSince ??= Date.now();
            if (Date.now() - entry.failingSince < graceMs) continue;
            await this.reject(path, new DeviceError('IMAGE_UNREADABLE', `${candidate.name}: ${verdict.reason}`));
            seen.delete(candidate.name);
            continue;
          }
          if (verdict.kind === 'reject') {
            await this.reject(path, verdict.error);
            seen.delete(candidate.name);
            continue;
          }
          const takenPath = await this.moveInto(path, TAKEN);
          if (takenPath === null) continue;
          seen.delete(candidate.name);
          lastActivity = Date.now();
          try {
            for await (const page of pagesOfFile(takenPath, verdict.bytes, {
              resolution: req.resolution,
              mode: req.mode,
              signal,
              deviceName: this.info.name,
              pdftoppmPath: this.options.pdftoppmPath,
              pdfinfoPath: this.options.pdfinfoPath,
            })) {
              if (signal?.aborted) throw cancelledError(this.info.name);
              index += 1;
              if (announced < index) {
                announced = index;
                report(index, 'scanning');
              }
              report(index, 'transferring');
              report(index, 'done');
              yield { index, side: 'front', ...page };
              lastActivity = Date.now();
            }
          } catch (error) {
            if (!(error instanceof DeviceError) || error.code !== 'IMAGE_UNREADABLE') throw error;
            await this.reject(takenPath, error);
          }
        }

        if (index > 0 && Date.now() - lastActivity >= idleTimeoutMs) return;
        if (index === 0 && Date.now() - started >= firstPageTimeoutMs) {
          throw new DeviceError(
            'DEVICE_UNAVAILABLE',
            `${this.info.name}: no file arrived in ${this.folder} within ${firstPageTimeoutMs} ms (start the scan on the device)`,
          );
        }
        await waker.wait(pollMs, signal);
      }
    } finally {
      watcher?.close();
      this.running -= 1;
    }
  }

  private async checkFolder(): Promise<void> {
    try {
      const info = await stat(this.folder);
      if (!info.isDirectory()) throw new Error('not a folder');
    } catch (cause) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: the scan folder ${this.folder} cannot be used`, {
        cause,
      });
    }
  }

  private async listFiles(): Promise<string[]> {
    let names: string[];
    try {
      names = await readdir(this.folder);
    } catch (cause) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: the scan folder ${this.folder} cannot be read`, {
        cause,
      });
    }
    return names.filter((name) => !TEMPORARY.test(name) && IMAGE_EXTENSIONS.has(extname(name).toLowerCase()));
  }

  /** Whether a settled file can be taken: its bytes, not yet (still being written?), or never. */
  private async examine(
    path: string,
    size: number,
    maxBytes: number,
  ): Promise<
    { kind: 'take'; bytes: Uint8Array } | { kind: 'wait'; reason: string } | { kind: 'reject'; error: DeviceError }
  > {
    const label = basename(path);
    if (size > maxBytes) {
      return {
        kind: 'reject',
        error: new DeviceError(
          'IMAGE_UNREADABLE',
          `${label}: the file is larger than the ${Math.round(maxBytes / 1048576)} MB limit`,
        ),
      };
    }
    if (size === 0) return { kind: 'wait', reason: 'the file is empty' };
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(path));
    } catch (error) {
      return { kind: 'wait', reason: `cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
    }
    if (bytes.length !== size) return { kind: 'wait', reason: 'the file changed while being read' };
    if (sniffFormat(bytes) === 'pdf') {
      if (!looksLikeCompletePdf(bytes))
        return { kind: 'wait', reason: 'the PDF has no end marker (incomplete or corrupt)' };
      try {
        await pdfPageCount(path, { pdfinfoPath: this.options.pdfinfoPath });
      } catch (error) {
        if (error instanceof UnreadablePdfError) return { kind: 'wait', reason: error.message };
        if (error instanceof PdfToolError)
          throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: ${error.message}`, { cause: error });
        throw error;
      }
      return { kind: 'take', bytes };
    }
    try {
      await decodeImagePages(bytes);
    } catch (error) {
      return { kind: 'wait', reason: (error as Error).message };
    }
    return { kind: 'take', bytes };
  }

  private async reject(path: string, error: DeviceError): Promise<void> {
    const before = await stat(path).catch(() => null);
    const moved = await this.moveInto(path, REJECTED);
    if (moved === null && before !== null) this.givenUp.add(fileKey(basename(path), before.size, before.mtimeMs));
    const file = moved ?? path;
    this.rejectedFiles.push({ file, error });
    try {
      this.options.onRejected?.(file, error);
    } catch {
      // A failing listener must not stop the batch.
    }
  }

  /** Moves a file into a subfolder under a free name; null if it cannot be moved (yet). */
  private async moveInto(path: string, sub: string): Promise<string | null> {
    const dir = join(this.folder, sub);
    try {
      await mkdir(dir, { recursive: true });
    } catch (cause) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: cannot make ${dir}`, { cause });
    }
    const name = basename(path);
    const ext = extname(name);
    const stem = name.slice(0, name.length - ext.length);
    for (let n = 0; n < 1000; n += 1) {
      const target = join(dir, n === 0 ? name : `${stem}-${n}${ext}`);
      try {
        await stat(target);
        continue;
      } catch {
        // Free name.
      }
      try {
        await rename(path, target);
        return target;
      } catch {
        return null;
      }
    }
    return null;
  }
}

function fileKey(name: string, size: number, mtimeMs: number): string {
  return `${name}\u0000${size}\u0000${mtimeMs}`;
}

/** Scan folders configured by path. */
export class FolderScannerProvider implements ScannerProvider {
  private readonly scanners: readonly FolderScanner[];

  constructor(folders: readonly FolderScannerOptions[]) {
    this.scanners = folders.map((f) => new FolderScanner(f));
  }

  async list(): Promise<ScannerInfo[]> {
    return this.scanners.map((s) => ({ ...s.info }));
  }

  open(id: string): FolderScanner {
    const scanner = this.scanners.find((s) => s.info.id === id);
    if (scanner === undefined) throw new RangeError(`no configured scan folder "${id}"`);
    return scanner;
  }
}

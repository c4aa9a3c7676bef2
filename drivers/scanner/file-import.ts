import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { DeviceError } from '../device-error';
import {
  decodeImagePages,
  PdfAbortedError,
  PdfToolError,
  renderPdfPages,
  sniffFormat,
  UnreadablePdfError,
} from './image-files';
import { cancelledError, progressReporter } from './scan-progress';
import { STANDARD_PAGE_SIZES } from './scan-request';
import type {
  ScanMode,
  ScanOptions,
  ScanRequest,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerInfo,
  ScannerProvider,
} from './scanner.port';

export const DEFAULT_MAX_FILE_BYTES = 200 * 1024 * 1024;

export interface FileImportOptions {
  /** Larger files are refused with IMAGE_UNREADABLE; default 200 MB. */
  maxBytes?: number;
  pdftoppmPath?: string | undefined;
  pdfinfoPath?: string | undefined;
}

/** A page of a file, before it gets its place (`index`, `side`) in a scan. */
export interface FilePage {
  bytes: Uint8Array;
  mimeType: string;
  resolution: number;
}

/** Why a file cannot be imported: `details.reason` of its IMAGE_UNREADABLE `DeviceError`. */
export type UnreadableReason = 'empty' | 'too-large' | 'not-a-file' | 'unreadable';

function unreadable(label: string, reason: UnreadableReason, text: string, cause?: unknown): DeviceError {
  return new DeviceError('IMAGE_UNREADABLE', `${label}: ${text}`, {
    details: { reason },
    ...(cause === undefined ? {} : { cause }),
  });
}

/**
 * The pages of one file already in memory, in order: images as `decodeImagePages` delivers them
 * (resolution from the file's density, else `resolution`); PDFs rendered with `pdftoppm` at
 * `resolution` in `mode` (from `path`, which must hold the same bytes). Throws `DeviceError`:
 * IMAGE_UNREADABLE naming the file, DEVICE_UNAVAILABLE when poppler is missing, SCANNER_CANCELLED.
 */
export async function* pagesOfFile(
  path: string,
  bytes: Uint8Array,
  settings: {
    resolution: number;
    mode: ScanMode;
    signal?: AbortSignal | undefined;
    deviceName: string;
    label?: string;
  } & FileImportOptions,
): AsyncGenerator<FilePage, void, undefined> {
  const label = settings.label ?? basename(path);
  if (bytes.length === 0) throw unreadable(label, 'empty', 'the file is empty');
  if (sniffFormat(bytes) === 'pdf') {
    try {
      for await (const page of renderPdfPages(path, {
        dpi: settings.resolution,
        mode: settings.mode,
        signal: settings.signal,
        pdftoppmPath: settings.pdftoppmPath,
        pdfinfoPath: settings.pdfinfoPath,
      })) {
        yield { bytes: page.png, mimeType: 'image/png', resolution: settings.resolution };
      }
    } catch (error) {
      if (error instanceof PdfAbortedError) throw cancelledError(settings.deviceName);
      if (error instanceof UnreadablePdfError) throw unreadable(label, 'unreadable', error.message, error);
      if (error instanceof PdfToolError)
        throw new DeviceError('DEVICE_UNAVAILABLE', `${settings.deviceName}: ${error.message}`, { cause: error });
      throw error;
    }
    return;
  }
  let pages;
  try {
    pages = await decodeImagePages(bytes);
  } catch (error) {
    throw unreadable(label, 'unreadable', (error as Error).message, error);
  }
  for (const page of pages)
    yield { bytes: page.bytes, mimeType: page.mimeType, resolution: page.density ?? settings.resolution };
}

/** Reads a file after checking its size; IMAGE_UNREADABLE when missing, empty or too large. */
export async function readImportFile(path: string, maxBytes: number): Promise<Uint8Array> {
  const label = basename(path);
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) throw unreadable(label, 'not-a-file', 'not a file');
    size = info.size;
  } catch (error) {
    if (error instanceof DeviceError) throw error;
    throw unreadable(
      label,
      'not-a-file',
      `cannot be opened (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      error,
    );
  }
  checkSize(label, size, maxBytes);
  try {
    return new Uint8Array(await readFile(path));
  } catch (error) {
    throw unreadable(
      label,
      'unreadable',
      `cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`,
      error,
    );
  }
}

function checkSize(label: string, size: number, maxBytes: number): void {
  if (size === 0) throw unreadable(label, 'empty', 'the file is empty');
  if (size > maxBytes)
    throw unreadable(label, 'too-large', `the file is ${formatMb(size)}, over the ${formatMb(maxBytes)} limit`);
}

/**
 * The pages of a file already in memory with no path of its own (a file the renderer sent, an
 * upload): the same decoding as `pagesOfFile`, a PDF written to a private temporary folder for
 * poppler and removed afterwards. Same errors, naming `name`.
 */
export async function readFilePages(
  name: string,
  bytes: Uint8Array,
  settings: { resolution: number; mode: ScanMode; signal?: AbortSignal; deviceName?: string } & FileImportOptions,
): Promise<FilePage[]> {
  const label = basename(name);
  checkSize(label, bytes.length, settings.maxBytes ?? DEFAULT_MAX_FILE_BYTES);
  const deviceName = settings.deviceName ?? 'File import';
  const collect = async (path: string): Promise<FilePage[]> => {
    const pages: FilePage[] = [];
    for await (const page of pagesOfFile(path, bytes, { ...settings, deviceName, label })) pages.push(page);
    return pages;
  };
  if (sniffFormat(bytes) !== 'pdf') return collect(label);
  const dir = await mkdtemp(join(tmpdir(), 'motcua-import-'));
  try {
    const path = join(dir, 'input.pdf');
    await writeFile(path, bytes);
    return await collect(path);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

function formatMb(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

/**
 * Imports image files (PNG, JPEG, TIFF with every page, BMP, PNM, GIF, WebP) and PDFs (each page
 * rendered at `req.resolution`), yielding the pages of all files in order. Images are delivered as
 * they are (no colour conversion); PDFs are rendered in `req.mode`. The first unreadable file ends
 * the import with IMAGE_UNREADABLE naming it; pages of earlier files have been yielded.
 */
export async function* importFiles(
  files: readonly string[],
  req: Pick<ScanRequest, 'resolution' | 'mode'>,
  opts: ScanOptions & FileImportOptions & { deviceName?: string } = {},
): AsyncGenerator<ScannedPage, void, undefined> {
  const deviceName = opts.deviceName ?? 'File import';
  const report = progressReporter(opts);
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
  let index = 0;
  for (const file of files) {
    if (opts.signal?.aborted) throw cancelledError(deviceName);
    report(index + 1, 'scanning');
    const bytes = await readImportFile(file, maxBytes);
    for await (const page of pagesOfFile(file, bytes, {
      ...opts,
      resolution: req.resolution,
      mode: req.mode,
      signal: opts.signal,
      deviceName,
    })) {
      if (opts.signal?.aborted) throw cancelledError(deviceName);
      index += 1;
      report(index, 'transferring');
      report(index, 'done');
      yield { index, side: 'front', ...page };
    }
  }
}

export const FILE_IMPORT_CAPABILITIES: Readonly<ScannerCapabilities> = {
  sources: ['feeder'],
  duplex: false,
  resolutions: [75, 100, 150, 200, 300, 400, 600],
  modes: ['color', 'gray', 'bw'],
  pageSizes: STANDARD_PAGE_SIZES.map((s) => ({ ...s })),
};

/**
 * File import as a `Scanner`: the shell's file dialog hands the chosen paths to `selectFiles`,
 * then `scan({ source: 'feeder', ... })` yields their pages (the resolution and mode apply to PDFs;
 * the page size is ignored). The selection is used once. Nothing selected: SCANNER_FEEDER_EMPTY.
 */
export class FileImportScanner implements Scanner {
  readonly info: ScannerInfo;
  private readonly options: FileImportOptions;
  private selection: string[] = [];

  constructor(options: FileImportOptions & { name?: string } = {}) {
    this.info = { id: 'file', name: options.name ?? 'Nhập từ tệp', kind: 'file' };
    this.options = options;
  }

  selectFiles(paths: readonly string[]): void {
    this.selection = [...paths];
  }

  get selectedFiles(): readonly string[] {
    return this.selection;
  }

  async capabilities(): Promise<ScannerCapabilities> {
    return structuredClone(FILE_IMPORT_CAPABILITIES);
  }

  async *scan(req: ScanRequest, opts: ScanOptions = {}): AsyncGenerator<ScannedPage, void, undefined> {
    if (req.source !== 'feeder' || req.duplex) throw new RangeError('file import: use source "feeder" without duplex');
    if (!FILE_IMPORT_CAPABILITIES.resolutions.includes(req.resolution)) {
      throw new RangeError(`file import: resolution ${String(req.resolution)} dpi is not offered`);
    }
    if (!FILE_IMPORT_CAPABILITIES.modes.includes(req.mode))
      throw new RangeError(`file import: mode "${String(req.mode)}" is not offered`);
    if (opts.signal?.aborted) throw cancelledError(this.info.name);
    const files = this.selection;
    this.selection = [];
    if (files.length === 0) throw new DeviceError('SCANNER_FEEDER_EMPTY', `${this.info.name}: no file was selected`);
    yield* importFiles(files, req, { ...this.options, ...opts, deviceName: this.info.name });
  }
}

export class FileImportProvider implements ScannerProvider {
  readonly scanner: FileImportScanner;

  constructor(scanner: FileImportScanner = new FileImportScanner()) {
    this.scanner = scanner;
  }

  async list(): Promise<ScannerInfo[]> {
    return [{ ...this.scanner.info }];
  }

  open(id: string): FileImportScanner {
    if (id !== this.scanner.info.id) throw new RangeError(`"${id}" is not the file import id`);
    return this.scanner;
  }
}

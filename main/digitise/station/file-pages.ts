import type { ColourMode } from '../types';
import {
  isDeviceError,
  MAX_IMPORT_FILE_BYTES,
  readFilePages,
  type ImportedFilePage,
  type UnreadableReason,
} from '../../../drivers';

/**
 * Image and PDF files for the station's import and the `digitise` command. The decoding is the
 * scanner driver's file import (`drivers/scanner/file-import.ts`, one implementation for every
 * way a file becomes pages); this adapter only words its refusals in Vietnamese for the officer.
 */

/** The largest file the station or the command line accepts (a 200-page A4 scan at 300 dpi fits). */
export const MAX_INPUT_BYTES = MAX_IMPORT_FILE_BYTES;

/**
 * One page taken from an imported file, as a scanner would deliver it (`resolution`: the file's own dpi, else the one
 * asked for).
 */
export type FilePage = ImportedFilePage;

/** The file cannot be used; `message` is one Vietnamese line naming the file. */
export class FileImportError extends Error {
  readonly code = 'IMAGE_UNREADABLE';
  constructor(
    readonly fileName: string,
    message: string,
    readonly reason: UnreadableReason,
  ) {
    super(message);
    this.name = 'FileImportError';
  }
}

/**
 * Pages of an image or PDF file: PNG/JPEG/single-page TIFF unchanged, other images and each page
 * of a multi-page TIFF as PNG, each page of a PDF rendered by poppler at `dpi` in `colour`. Every
 * page is decoded completely, so a truncated file fails here and not later. An unusable file
 * throws `FileImportError`; a missing poppler (DEVICE_UNAVAILABLE) and a cancel are passed on.
 */
export async function decodeFilePages(
  name: string,
  bytes: Uint8Array,
  opts: { dpi: number; colour?: ColourMode; signal?: AbortSignal },
): Promise<FilePage[]> {
  try {
    return await readFilePages(name, bytes, {
      resolution: opts.dpi,
      mode: opts.colour ?? 'color',
      deviceName: 'Nhập từ tệp',
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
  } catch (err) {
    if (!isDeviceError(err) || err.code !== 'IMAGE_UNREADABLE') throw err;
    const reason = (err.details?.reason as UnreadableReason | undefined) ?? 'unreadable';
    throw new FileImportError(name, refusal(name, reason, bytes.length), reason);
  }
}

function refusal(name: string, reason: UnreadableReason, size: number): string {
  switch (reason) {
    case 'empty':
      return `Tệp ${name} rỗng (0 byte).`;
    case 'too-large':
      return `Tệp ${name} quá lớn (${Math.ceil(size / 1024 / 1024)} MB, tối đa ${MAX_INPUT_BYTES / 1024 / 1024} MB).`;
    case 'not-a-file':
      return `Không mở được tệp ${name}.`;
    case 'unreadable':
      return `Không đọc được tệp ${name}: không phải ảnh (PNG, JPEG, TIFF, BMP, PNM) hoặc PDF hợp lệ, hoặc tệp bị hỏng.`;
  }
}

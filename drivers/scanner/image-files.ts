import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeBmp, decodePnm, isBmp, isPnm, type RawImage } from './image-codecs';
import { runProcess, SpawnError } from './process';
import type { ScanMode } from './scanner.port';

export type FileFormat = 'png' | 'jpeg' | 'tiff' | 'pdf' | 'bmp' | 'pnm' | 'other';

/** The format by its first bytes (never by the file name). */
export function sniffFormat(bytes: Uint8Array): FileFormat {
  const b = (i: number): number => bytes[i] ?? -1;
  if (b(0) === 0x89 && b(1) === 0x50 && b(2) === 0x4e && b(3) === 0x47) return 'png';
  if (b(0) === 0xff && b(1) === 0xd8 && b(2) === 0xff) return 'jpeg';
  if (
    (b(0) === 0x49 && b(1) === 0x49 && (b(2) === 0x2a || b(2) === 0x2b) && b(3) === 0x00) ||
    (b(0) === 0x4d && b(1) === 0x4d && b(2) === 0x00 && (b(3) === 0x2a || b(3) === 0x2b))
  ) {
    return 'tiff';
  }
  if (startsWithAscii(bytes, '%PDF-')) return 'pdf';
  if (isBmp(bytes)) return 'bmp';
  if (isPnm(bytes)) return 'pnm';
  return 'other';
}

function startsWithAscii(bytes: Uint8Array, text: string): boolean {
  if (bytes.length < text.length) return false;
  for (let i = 0; i < text.length; i += 1) if (bytes[i] !== text.charCodeAt(i)) return false;
  return true;
}

/** A PDF that looks completely written: `%PDF-` header and an `%%EOF` in its last kilobyte. */
export function looksLikeCompletePdf(bytes: Uint8Array): boolean {
  if (!startsWithAscii(bytes, '%PDF-')) return false;
  const tail = Buffer.from(bytes.subarray(Math.max(0, bytes.length - 1024))).toString('latin1');
  return tail.includes('%%EOF');
}

export interface ImagePage {
  bytes: Uint8Array;
  mimeType: string;
  width: number;
  height: number;
  /** Dots per inch recorded in the file, when there is a plausible one (not the 72/96 defaults). */
  density: number | undefined;
}

const MIME: Partial<Record<FileFormat, string>> = { png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff' };

/**
 * Decodes an image file completely (a truncated or corrupt one throws) and returns its pages as
 * the port delivers them: PNG, JPEG and single-page TIFF unchanged; every page of a multi-page
 * TIFF, and PNM, BMP, GIF, WebP… as PNG. Throws `Error` with a short reason; PDFs are not images
 * here (see `renderPdfPages`).
 */
export async function decodeImagePages(bytes: Uint8Array): Promise<ImagePage[]> {
  if (bytes.length === 0) throw new Error('the file is empty');
  const format = sniffFormat(bytes);
  if (format === 'pdf') throw new Error('a PDF is not an image');
  if (format === 'pnm' || format === 'bmp') {
    let raw: RawImage;
    try {
      raw = format === 'pnm' ? decodePnm(bytes) : decodeBmp(bytes);
    } catch (error) {
      throw new Error(`not a readable ${format.toUpperCase()} image: ${(error as Error).message}`, { cause: error });
    }
    const png = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
      .png()
      .toBuffer();
    return [
      { bytes: new Uint8Array(png), mimeType: 'image/png', width: raw.width, height: raw.height, density: undefined },
    ];
  }
  let pages: number;
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    pages = meta.pages ?? 1;
  } catch (error) {
    throw new Error(`not a readable image: ${shortSharpError(error)}`, { cause: error });
  }
  const out: ImagePage[] = [];
  for (let page = 0; page < pages; page += 1) {
    try {
      const image = sharp(bytes, { failOn: 'error', page });
      const meta = await image.metadata();
      // stats() decodes every pixel, so a truncated file is caught here, not downstream.
      await image.stats();
      // 72 and 96 dpi are what image libraries write when they know nothing: not a scan resolution.
      const density =
        meta.density !== undefined &&
        meta.density >= 30 &&
        meta.density <= 4800 &&
        ![72, 96].includes(Math.round(meta.density))
          ? Math.round(meta.density)
          : undefined;
      const keep = pages === 1 ? MIME[format] : undefined;
      const encoded = keep !== undefined ? bytes : new Uint8Array(await sharp(bytes, { page }).png().toBuffer());
      out.push({ bytes: encoded, mimeType: keep ?? 'image/png', width: meta.width, height: meta.height, density });
    } catch (error) {
      throw new Error(`not a readable image${pages > 1 ? ` (page ${page + 1})` : ''}: ${shortSharpError(error)}`, {
        cause: error,
      });
    }
  }
  return out;
}

function shortSharpError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n')[0]?.slice(0, 200) ?? text;
}

export interface PdfRenderOptions {
  dpi: number;
  mode: ScanMode;
  signal?: AbortSignal | undefined;
  pdftoppmPath?: string | undefined;
  pdfinfoPath?: string | undefined;
  /** Per-page limit for pdftoppm (default 60 s). */
  timeoutMs?: number;
}

/** Thrown by `renderPdfPages` for a PDF that poppler cannot read (not a missing poppler). */
export class UnreadablePdfError extends Error {
  override name = 'UnreadablePdfError';
}

/** Thrown when the PDF tools are missing or fail for a reason other than the file. */
export class PdfToolError extends Error {
  override name = 'PdfToolError';
}

/** Thrown when the signal aborts during rendering. */
export class PdfAbortedError extends Error {
  override name = 'PdfAbortedError';
}

/** The page count poppler's `pdfinfo` reports. */
export async function pdfPageCount(
  file: string,
  options: Pick<PdfRenderOptions, 'pdfinfoPath' | 'signal' | 'timeoutMs'> = {},
): Promise<number> {
  const tool = options.pdfinfoPath ?? 'pdfinfo';
  let result;
  try {
    result = await runProcess(tool, [file], {
      timeoutMs: options.timeoutMs ?? 60_000,
      signal: options.signal,
      env: { ...process.env, LC_ALL: 'C' },
    });
  } catch (error) {
    throw new PdfToolError(
      error instanceof SpawnError && error.code === 'ENOENT'
        ? `"${tool}" was not found: is poppler-utils installed?`
        : (error as Error).message,
    );
  }
  if (result.aborted) throw new PdfAbortedError('aborted');
  if (result.timedOut) throw new PdfToolError(`${tool} gave no answer in time`);
  const pages = /^Pages:\s+(\d+)/m.exec(result.stdout.toString('utf8'));
  if (result.code !== 0 || pages?.[1] === undefined) {
    throw new UnreadablePdfError(`not a readable PDF (${result.stderr.trim().split('\n')[0] ?? 'pdfinfo failed'})`);
  }
  const count = Number(pages[1]);
  if (count < 1) throw new UnreadablePdfError('the PDF has no pages');
  return count;
}

/**
 * Renders each page of a PDF file with `pdftoppm -r <dpi> -png`, one page per run into a private
 * temporary folder (removed afterwards), yielding PNG bytes in page order.
 */
export async function* renderPdfPages(
  file: string,
  options: PdfRenderOptions,
): AsyncGenerator<{ page: number; pages: number; png: Uint8Array }> {
  const count = await pdfPageCount(file, options);
  const tool = options.pdftoppmPath ?? 'pdftoppm';
  const dir = await mkdtemp(join(tmpdir(), 'motcua-pdf-'));
  try {
    for (let page = 1; page <= count; page += 1) {
      const prefix = join(dir, `page-${page}`);
      const args = ['-r', String(options.dpi), '-png', '-f', String(page), '-l', String(page), '-singlefile'];
      if (options.mode === 'gray') args.push('-gray');
      if (options.mode === 'bw') args.push('-mono');
      args.push(file, prefix);
      let result;
      try {
        result = await runProcess(tool, args, {
          timeoutMs: options.timeoutMs ?? 60_000,
          signal: options.signal,
          env: { ...process.env, LC_ALL: 'C' },
        });
      } catch (error) {
        throw new PdfToolError(
          error instanceof SpawnError && error.code === 'ENOENT'
            ? `"${tool}" was not found: is poppler-utils installed?`
            : (error as Error).message,
        );
      }
      if (result.aborted) throw new PdfAbortedError('aborted');
      if (result.timedOut) throw new PdfToolError(`${tool} gave no answer in time for page ${page}`);
      if (result.code !== 0) {
        throw new UnreadablePdfError(
          `page ${page} of the PDF cannot be rendered (${result.stderr.trim().split('\n')[0] ?? `exit ${String(result.code)}`})`,
        );
      }
      let png: Buffer;
      try {
        png = await readFile(`${prefix}.png`);
      } catch {
        throw new UnreadablePdfError(`page ${page} of the PDF cannot be rendered (no output)`);
      }
      // pdftoppm writes RGB PNGs even with -gray/-mono; store grey pages with one channel.
      if (options.mode !== 'color') {
        let grey = sharp(png).toColourspace('b-w');
        if (options.mode === 'bw') grey = grey.threshold(128).toColourspace('b-w');
        png = await grey.png().toBuffer();
      }
      yield { page, pages: count, png: new Uint8Array(png) };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

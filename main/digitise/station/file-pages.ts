import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';

/** The largest file the station or the command line accepts (a 200-page A4 scan at 300 dpi fits). */
export const MAX_INPUT_BYTES = 200 * 1024 * 1024;

/** One page taken from an imported file, as a scanner would deliver it. */
export interface FilePage {
  bytes: Uint8Array;
  mimeType: string;
  /** Resolution recorded in the file, or the one a PDF was rendered at; null when unknown. */
  dpi: number | null;
  /** 1-based page number inside the file. */
  page: number;
}

/** The file cannot be used; `message` is one Vietnamese line naming the file. */
export class FileImportError extends Error {
  readonly code = 'IMAGE_UNREADABLE';
  constructor(readonly fileName: string, message: string) {
    super(message);
    this.name = 'FileImportError';
  }
}

const KEEP_MIME: Record<string, string> = { png: 'image/png', jpeg: 'image/jpeg', tiff: 'image/tiff' };

function isPdf(bytes: Uint8Array): boolean {
  return bytes.length >= 5 && Buffer.from(bytes.subarray(0, 5)).toString('latin1') === '%PDF-';
}

function firstLine(text: string): string {
  return (text.split('\n').find((l) => l.trim() !== '') ?? '').trim().slice(0, 200);
}

/**
 * Pages of an image or PDF file: PNG/JPEG/single-page TIFF unchanged, each page of a multi-page
 * TIFF (and other formats sharp reads) as PNG, each page of a PDF rendered by poppler's `pdftoppm`
 * at `dpi`. Every page is decoded completely, so a truncated file fails here and not later.
 */
export async function decodeFilePages(name: string, bytes: Uint8Array, opts: { dpi: number; signal?: AbortSignal }): Promise<FilePage[]> {
  if (bytes.length === 0) throw new FileImportError(name, `Tệp ${name} rỗng (0 byte).`);
  if (bytes.length > MAX_INPUT_BYTES) {
    throw new FileImportError(name, `Tệp ${name} quá lớn (${Math.ceil(bytes.length / 1024 / 1024)} MB, tối đa ${MAX_INPUT_BYTES / 1024 / 1024} MB).`);
  }
  if (isPdf(bytes)) return renderPdf(name, bytes, opts);
  let pages: number;
  let format: string;
  try {
    const meta = await sharp(bytes, { failOn: 'error' }).metadata();
    pages = meta.pages ?? 1;
    format = meta.format;
  } catch {
    throw new FileImportError(name, `Không đọc được tệp ${name}: không phải ảnh (PNG, JPEG, TIFF) hoặc PDF hợp lệ.`);
  }
  const out: FilePage[] = [];
  for (let page = 0; page < pages; page++) {
    try {
      const image = sharp(bytes, { failOn: 'error', page });
      const meta = await image.metadata();
      await image.stats();
      const dpi = meta.density !== undefined && meta.density >= 75 && meta.density <= 2400 ? Math.round(meta.density) : null;
      const keep = pages === 1 ? KEEP_MIME[format] : undefined;
      const encoded = keep !== undefined ? bytes : new Uint8Array(await sharp(bytes, { page }).png().toBuffer());
      out.push({ bytes: encoded, mimeType: keep ?? 'image/png', dpi, page: page + 1 });
    } catch {
      throw new FileImportError(name, `Không đọc được tệp ${name}${pages > 1 ? ` (trang ${page + 1})` : ''}: ảnh hỏng hoặc không đầy đủ.`);
    }
  }
  return out;
}

function run(file: string, args: string[], signal?: AbortSignal): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { signal, maxBuffer: 4 * 1024 * 1024, env: { ...process.env, LC_ALL: 'C' } }, (error, _stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(new Error(`"${file}" was not found: is poppler-utils installed?`));
        return;
      }
      if (error && error.name === 'AbortError') {
        reject(error);
        return;
      }
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stderr: String(stderr) });
    });
  });
}

async function renderPdf(name: string, bytes: Uint8Array, opts: { dpi: number; signal?: AbortSignal }): Promise<FilePage[]> {
  const dir = await mkdtemp(join(tmpdir(), 'motcua-import-'));
  try {
    const input = join(dir, 'input.pdf');
    await writeFile(input, bytes);
    const rendered = await run('pdftoppm', ['-r', String(opts.dpi), '-png', input, join(dir, 'page')], opts.signal);
    const files = (await readdir(dir)).filter((f) => /^page-\d+\.png$/.test(f))
      .sort((a, b) => Number(/\d+/.exec(a)![0]) - Number(/\d+/.exec(b)![0]));
    if (rendered.code !== 0 || files.length === 0) {
      const reason = firstLine(rendered.stderr);
      throw new FileImportError(name, `Không đọc được tệp PDF ${name}${reason ? ` (${reason})` : ''}.`);
    }
    const out: FilePage[] = [];
    for (const [i, file] of files.entries()) {
      out.push({ bytes: new Uint8Array(await readFile(join(dir, file))), mimeType: 'image/png', dpi: opts.dpi, page: i + 1 });
    }
    return out;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

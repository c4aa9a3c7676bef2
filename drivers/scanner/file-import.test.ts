import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileImportProvider, FileImportScanner, importFiles, readFilePages } from './file-import';
import { renderFixturePage } from './fixture-pages';
import { decodeBmp, decodePnm } from './image-codecs';
import { sampleBmp, sampleMultiPageTiff, samplePdf, samplePgm } from './sample-files';
import { errorCode, runScan } from './scanner.contract';
import type { ScanProgress, ScannedPage } from './scanner.port';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'motcua-import-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function file(name: string, bytes: Uint8Array | string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, bytes);
  return path;
}

async function collect(iterable: AsyncIterable<ScannedPage>): Promise<{ pages: ScannedPage[]; error: unknown }> {
  const pages: ScannedPage[] = [];
  try {
    for await (const page of iterable) pages.push(page);
    return { pages, error: null };
  } catch (error) {
    return { pages, error };
  }
}

const GRAY = { resolution: 50, mode: 'gray' } as const;

describe('importFiles', () => {
  it('a multi-page PDF becomes one PNG per page, in order, at the requested resolution', async () => {
    const pdf = await file('ho-so.pdf', await samplePdf(3));
    const progress: ScanProgress[] = [];
    const { pages, error } = await collect(importFiles([pdf], GRAY, { onProgress: (p) => progress.push(p) }));
    expect(error).toBeNull();
    expect(pages.map((p) => p.index)).toEqual([1, 2, 3]);
    for (const page of pages) {
      expect(page.mimeType).toBe('image/png');
      expect(page.resolution).toBe(50);
      const meta = await sharp(page.bytes).metadata();
      expect(Math.abs(meta.width - (210 / 25.4) * 50)).toBeLessThanOrEqual(2);
      expect(meta.channels).toBe(1);
    }
    expect(progress.filter((p) => p.phase === 'done').map((p) => p.page)).toEqual([1, 2, 3]);
  });

  it('keeps PNG and JPEG bytes as they are and takes the dpi from the file', async () => {
    const png = await renderFixturePage({ text: ['GIẤY KHAI SINH'], dpi: 100, widthMm: 50, heightMm: 50 });
    const jpeg = new Uint8Array(await sharp(png).jpeg().toBuffer());
    const paths = [await file('a.png', png), await file('b.jpg', jpeg)];
    const { pages, error } = await collect(importFiles(paths, GRAY));
    expect(error).toBeNull();
    expect(pages.map((p) => p.mimeType)).toEqual(['image/png', 'image/jpeg']);
    expect(Buffer.from(pages[0]?.bytes ?? []).equals(Buffer.from(png))).toBe(true);
    expect(Buffer.from(pages[1]?.bytes ?? []).equals(Buffer.from(jpeg))).toBe(true);
    expect(pages[0]?.resolution).toBe(100);
    expect(pages[1]?.resolution).toBe(50);
  });

  it('splits a multi-page TIFF into PNG pages', async () => {
    const tiff = await file('nhieu-trang.tif', await sampleMultiPageTiff([0, 128, 255]));
    const { pages, error } = await collect(importFiles([tiff], GRAY));
    expect(error).toBeNull();
    expect(pages).toHaveLength(3);
    const means = await Promise.all(
      pages.map(async (p) => Math.round((await sharp(p.bytes).stats()).channels[0]?.mean ?? -1)),
    );
    expect(means).toEqual([0, 128, 255]);
    expect(pages.every((p) => p.mimeType === 'image/png')).toBe(true);
  });

  it('reads BMP and PNM (which sharp cannot) as PNG', async () => {
    const { pages, error } = await collect(
      importFiles([await file('cu.bmp', sampleBmp()), await file('sane.pgm', samplePgm())], GRAY),
    );
    expect(error).toBeNull();
    const bmp = await sharp(pages[0]?.bytes ?? new Uint8Array())
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect([bmp.info.width, bmp.info.height]).toEqual([8, 4]);
    expect([...bmp.data.subarray(0, 3)]).toEqual([255, 0, 0]);
    expect([...bmp.data.subarray(7 * 3, 8 * 3)]).toEqual([0, 0, 255]);
    const pgm = await sharp(pages[1]?.bytes ?? new Uint8Array()).metadata();
    expect([pgm.width, pgm.height, pages[1]?.mimeType]).toEqual([16, 4, 'image/png']);
  });

  it('a corrupt PNG is IMAGE_UNREADABLE naming the file; earlier files were yielded', async () => {
    const good = await renderFixturePage({ text: ['TRANG TỐT'], dpi: 50, widthMm: 60, heightMm: 60 });
    const truncated = good.subarray(0, Math.floor(good.length * 0.6));
    const paths = [await file('tot.png', good), await file('hong.png', truncated), await file('sau.png', good)];
    const { pages, error } = await collect(importFiles(paths, GRAY));
    expect(pages).toHaveLength(1);
    expect(errorCode(error)).toBe('IMAGE_UNREADABLE');
    expect((error as Error).message).toContain('hong.png');
    expect((error as Error).message).not.toContain(dir);
  });

  it('garbage, empty, oversized and corrupt PDF files are IMAGE_UNREADABLE with the reason', async () => {
    const cases: [string, Uint8Array | string, RegExp, number?][] = [
      ['rac.png', 'this is not an image at all', /not a readable image/],
      ['rong.jpg', '', /empty/],
      ['to.png', await renderFixturePage({ text: ['X'], dpi: 50, widthMm: 30, heightMm: 30 }), /limit/, 100],
      ['hong.pdf', '%PDF-1.7\nnot really a pdf\n%%EOF\n', /PDF/],
      ['khong-co.png', '', /cannot be opened/],
    ];
    for (const [name, bytes, reason, maxBytes] of cases) {
      const path = name === 'khong-co.png' ? join(dir, name) : await file(name, bytes);
      const { error } = await collect(importFiles([path], GRAY, maxBytes === undefined ? {} : { maxBytes }));
      expect(errorCode(error), name).toBe('IMAGE_UNREADABLE');
      expect((error as Error).message, name).toMatch(reason);
      expect((error as Error).message, name).toContain(name);
    }
  });

  it('cancel during a PDF stops rendering and throws SCANNER_CANCELLED', async () => {
    const pdf = await file('dai.pdf', await samplePdf(4));
    const controller = new AbortController();
    const pages: ScannedPage[] = [];
    let error: unknown = null;
    try {
      for await (const page of importFiles([pdf], { resolution: 150, mode: 'color' }, { signal: controller.signal })) {
        pages.push(page);
        controller.abort();
      }
    } catch (caught) {
      error = caught;
    }
    expect(errorCode(error)).toBe('SCANNER_CANCELLED');
    expect(pages).toHaveLength(1);
  });

  it('a missing pdftoppm is DEVICE_UNAVAILABLE', async () => {
    const pdf = await file('a.pdf', await samplePdf(1));
    const { error } = await collect(importFiles([pdf], GRAY, { pdfinfoPath: join(dir, 'no-pdfinfo') }));
    expect(errorCode(error)).toBe('DEVICE_UNAVAILABLE');
    expect((error as Error).message).toMatch(/poppler/);
  });
});

describe('readFilePages (files held in memory: the station import and the digitise command)', () => {
  it('renders a PDF from bytes and keeps an image as it is', async () => {
    const pdf = await readFilePages('ho-so.pdf', await samplePdf(2), GRAY);
    expect(pdf.map((p) => [p.mimeType, p.resolution])).toEqual([
      ['image/png', 50],
      ['image/png', 50],
    ]);
    expect((await sharp(pdf[0]!.bytes).metadata()).channels).toBe(1);
    const png = await renderFixturePage({ text: ['GIẤY KHAI SINH'], dpi: 100, widthMm: 50, heightMm: 50 });
    const image = await readFilePages('/khong/co/duong-dan/giay.png', png, { resolution: 200, mode: 'color' });
    expect(image).toEqual([{ bytes: png, mimeType: 'image/png', resolution: 100 }]);
  });

  it.each([
    ['empty', new Uint8Array(), 'empty'],
    ['garbage', new TextEncoder().encode('not an image at all'), 'unreadable'],
    ['a PDF cut short', new TextEncoder().encode('%PDF-1.7\n1 0 obj\n'), 'unreadable'],
  ])('refuses %s bytes with IMAGE_UNREADABLE and the reason', async (_what, bytes, reason) => {
    const error = await readFilePages('hong.pdf', bytes, GRAY).catch((e: unknown) => e);
    expect(errorCode(error)).toBe('IMAGE_UNREADABLE');
    expect((error as Error).message).toMatch(/^hong\.pdf: /);
    expect((error as { details?: { reason?: string } }).details?.reason).toBe(reason);
  });

  it('refuses bytes over the limit before decoding them', async () => {
    const error = await readFilePages('lon.tif', new Uint8Array(2048), { ...GRAY, maxBytes: 1024 }).catch(
      (e: unknown) => e,
    );
    expect((error as { details?: { reason?: string } }).details?.reason).toBe('too-large');
  });
});

describe('FileImportScanner', () => {
  it('scans the selected files once; nothing selected is SCANNER_FEEDER_EMPTY', async () => {
    const scanner = new FileImportScanner();
    const provider = new FileImportProvider(scanner);
    expect(await provider.list()).toEqual([{ id: 'file', name: 'Nhập từ tệp', kind: 'file' }]);
    expect(provider.open('file')).toBe(scanner);
    const req = { source: 'feeder', duplex: false, resolution: 75, mode: 'gray' } as const;
    scanner.selectFiles([await file('a.pdf', await samplePdf(2))]);
    const first = await runScan(scanner, req);
    expect(first.error).toBeNull();
    expect(first.pages).toHaveLength(2);
    expect(errorCode((await runScan(scanner, req)).error)).toBe('SCANNER_FEEDER_EMPTY');
    expect((await runScan(scanner, { ...req, source: 'flatbed' })).error).toBeInstanceOf(RangeError);
  });
});

describe('image codecs', () => {
  it('decode ASCII and binary PNM, and refuse truncated ones', () => {
    expect(decodePnm(new TextEncoder().encode('P1\n3 1\n1 0 1\n')).data).toEqual(Uint8Array.from([0, 255, 0]));
    expect(decodePnm(new TextEncoder().encode('P2 2 1 15 0 15')).data).toEqual(Uint8Array.from([0, 255]));
    const p6 = new Uint8Array([...new TextEncoder().encode('P6 1 1 255\n'), 10, 20, 30]);
    expect(decodePnm(p6)).toMatchObject({ width: 1, height: 1, channels: 3, data: Uint8Array.from([10, 20, 30]) });
    expect(() => decodePnm(samplePgm().subarray(0, 30))).toThrow(/truncated/);
  });

  it('decode BMP and refuse truncated ones', () => {
    expect(decodeBmp(sampleBmp(3, 2))).toMatchObject({ width: 3, height: 2, channels: 3 });
    expect(() => decodeBmp(sampleBmp().subarray(0, 60))).toThrow(/truncated/);
  });
});

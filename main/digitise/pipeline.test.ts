import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { createOcrPool } from './ocr/worker-pool';
import type { OcrPool } from './ocr/worker-pool';
import { buildSearchablePdf } from './pdf/searchable-pdf';
import { createPipeline } from './pipeline';
import { decodePnm } from './pnm';
import type { BatchItem, Capture } from './pipeline';
import { characterErrorRate } from './quality';
import { degradeScan } from './testing/degrade';
import { SAMPLE_META, wellFormed } from './testing/meta';
import { SAMPLE_LINES } from './testing/pages';
import { DEFAULT_PROFILE } from './types';
import type { PageState } from './types';

const run = promisify(execFile);
const PAGE_2 = [
  'Cộng hòa xã hội chủ nghĩa Việt Nam',
  'Độc lập - Tự do - Hạnh phúc',
  'Số hồ sơ: 000.00.15.H12-250314-0007',
];
const size = { dpi: 200, widthMm: 148, heightMm: 105 } as const;

let dir: string;
let pool: OcrPool;
let captures: Capture[];

async function tool(cmd: string, args: string[]): Promise<string> {
  return (await run(cmd, args, { encoding: 'utf8', maxBuffer: 32 * 1024 * 1024 })).stdout;
}

async function collect(items: AsyncIterable<BatchItem>): Promise<BatchItem[]> {
  const out: BatchItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'motcua-digitise-'));
  pool = createOcrPool({ maxWorkers: 2 });
  const first = await degradeScan(
    await renderFixturePage({ text: SAMPLE_LINES, ...size, mode: 'color', stamp: false, skewDeg: 1.5 }),
    { noise: 14, blur: 0.7, specks: 150, jpegQuality: 50, seed: 11 },
  );
  const second = await degradeScan(await renderFixturePage({ text: PAGE_2, ...size, rotate: 180, skewDeg: -1 }), {
    noise: 10,
    jpegQuality: 60,
    border: { left: 20 },
    seed: 12,
  });
  captures = [
    { index: 0, side: 'front', bytes: first, dpi: 200 },
    { index: 1, side: 'front', bytes: second, dpi: 200 },
  ];
});

afterAll(async () => {
  await pool.close();
  await rm(dir, { recursive: true, force: true });
});

describe('digitisation pipeline, end to end', () => {
  let pages: PageState[];
  let pdfPath: string;

  it('runs the stages in order and reads Vietnamese on degraded pages', async () => {
    const pipeline = createPipeline({ profile: { ...DEFAULT_PROFILE }, ocrPool: pool });
    expect(pipeline.stages.map((s) => s.name)).toEqual([
      'decode',
      'duplex',
      'orientation',
      'deskew',
      'crop',
      'clean',
      'blank',
      'ocr',
    ]);
    const progress: string[] = [];
    const items = await collect(
      pipeline.processBatch(captures, { onProgress: (i, stage) => progress.push(`${i}:${stage}`) }),
    );
    expect(items.map((i) => i.error)).toEqual([undefined, undefined]);
    pages = items.map((i) => i.page!);
    expect(progress.filter((p) => p.startsWith('0:'))).toEqual([
      '0:decode',
      '0:duplex',
      '0:orientation',
      '0:deskew',
      '0:crop',
      '0:clean',
      '0:blank',
      '0:ocr',
      '0:done',
    ]);
    expect(pages[1]!.rotation).toBe(180);
    expect(Math.abs(pages[0]!.skewAngle - 1.5)).toBeLessThan(0.3);
    const cer = [
      characterErrorRate(SAMPLE_LINES.join('\n'), pages[0]!.ocr!.text),
      characterErrorRate(PAGE_2.join('\n'), pages[1]!.ocr!.text),
    ];
    console.info(`CER on the test pages: ${cer.map((c) => (c * 100).toFixed(2)).join(' %, ')} %`);
    expect(Math.max(...cer)).toBeLessThan(0.02);
    // Finished pages keep the capture and the encoded page, not full-resolution pixels.
    expect(pages[0]!.original).toBe(captures[0]!.bytes);
    expect(pages[0]!.output?.format).toBe('jpeg');
    expect(Math.max(pages[0]!.image.width, pages[0]!.image.height)).toBeLessThanOrEqual(256);
    expect(pages[0]!.ocrImage).toBeUndefined();
  });

  it('writes a searchable PDF: text in reading order with diacritics, one 200 dpi image per page, clean structure', async () => {
    const pipeline = createPipeline({ profile: { ...DEFAULT_PROFILE }, ocrPool: pool });
    const doc = await pipeline.finishDocument(pages, SAMPLE_META);
    expect(doc.pageCount).toBe(2);
    expect(doc.text).toContain('Hòa Bình');
    pdfPath = path.join(dir, 'doc.pdf');
    await writeFile(pdfPath, doc.pdf);
    expect(doc.pdf.length).toBeLessThan(2 * 150_000);

    await tool('qpdf', ['--check', pdfPath]);

    const mark = 'Bản số hóa từ bản giấy – UBND xã Hòa Bình – 14/03/2025 09:30';
    const page1 = await tool('pdftotext', ['-f', '1', '-l', '1', '-enc', 'UTF-8', pdfPath, '-']);
    const page2 = await tool('pdftotext', ['-f', '2', '-l', '2', '-enc', 'UTF-8', pdfPath, '-']);
    for (const word of [
      'Ủy',
      'Hòa',
      'Bình',
      'Giấy',
      'xác',
      'nhận',
      'tình',
      'trạng',
      'hôn',
      'nhân',
      'Nguyễn',
      'Dũng',
      '12/05/2003',
    ])
      expect(page1).toContain(word);
    expect(page1).toContain(mark);
    expect(characterErrorRate(SAMPLE_LINES.join('\n'), page1.replace(mark, ''))).toBeLessThan(0.02);
    expect(characterErrorRate(PAGE_2.join('\n'), page2.replace(mark, ''))).toBeLessThan(0.02);
    const lines = page1
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && l !== mark);
    expect(lines.length).toBe(3);
    expect(lines[0]).toMatch(/^Ủy ban/);
    expect(lines[2]).toMatch(/^Nguyễn Văn Dũng/);

    const images = (await tool('pdfimages', ['-list', pdfPath]))
      .split('\n')
      .slice(2)
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/));
    expect(images.map((c) => c[0])).toEqual(['1', '2']);
    for (const c of images) {
      expect(c[2]).toBe('image');
      expect(c[8]).toBe('jpeg');
      expect(Number(c[12])).toBe(200);
      expect(Number(c[13])).toBe(200);
    }
  });

  it('places each word of the invisible layer on the printed word', async () => {
    const html = await tool('pdftotext', ['-f', '1', '-l', '1', '-bbox', pdfPath, '-']);
    const words = [
      ...html.matchAll(/<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)<\/word>/g),
    ].map((m) => ({ x0: Number(m[1]), y0: Number(m[2]), x1: Number(m[3]), y1: Number(m[4]), text: m[5]! }));
    const ocr = pages[0]!.ocr!.words.find((w) => w.text === 'Bình')!;
    const found = words.find((w) => w.text === 'Bình')!;
    const k = 72 / 200;
    expect(Math.abs(found.x0 - ocr.bbox.x0 * k)).toBeLessThan(1.5);
    const baseline = (ocr.baseline ?? ocr.bbox.y1) * k;
    expect(found.y0).toBeLessThan(baseline);
    expect(found.y1).toBeGreaterThan(baseline - 2);
  });

  it('keeps the text layer invisible: render mode 3, and the page renders exactly as without it', async () => {
    const qdf = path.join(dir, 'doc-qdf.pdf');
    await tool('qpdf', ['--qdf', '--object-streams=disable', pdfPath, qdf]);
    const content = (await readFile(qdf)).toString('latin1');
    expect(content).toMatch(/\b3 Tr\b/);
    expect(content).toMatch(/\bTz\b/);
    expect(content).toMatch(/\/Subtype \/Image/);

    const bare = await buildSearchablePdf(
      pages.map((p) => ({ ...p, ocr: null })),
      SAMPLE_META,
      {},
    );
    const barePath = path.join(dir, 'bare.pdf');
    await writeFile(barePath, bare.pdf);
    for (const [file, out] of [
      [pdfPath, 'with'],
      [barePath, 'without'],
    ] as const) {
      await tool('pdftoppm', ['-f', '1', '-l', '1', '-r', '100', '-gray', file, path.join(dir, out)]);
    }
    const a = await readFile(path.join(dir, 'with-1.pgm'));
    const b = await readFile(path.join(dir, 'without-1.pgm'));
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(true);

    // …and what renders is the page image itself (right size, right components, right place).
    // The image fills the page from the top (a footer strip, if any, is below it); 100 dpi render, 200 dpi image.
    const page = decodePnm(new Uint8Array(a));
    const imageRows = Math.round(pages[0]!.output!.height / 2);
    const rendered = { ...page, height: imageRows, data: page.data.subarray(0, imageRows * page.width) };
    const expected = await sharp(pages[0]!.output!.bytes)
      .toColourspace('b-w')
      .resize(rendered.width, rendered.height, { fit: 'fill' })
      .raw()
      .toBuffer();
    const correlation = (x: ArrayLike<number>, y: ArrayLike<number>, flip: boolean): number => {
      const n = x.length;
      let sx = 0;
      let sy = 0;
      let sxx = 0;
      let syy = 0;
      let sxy = 0;
      for (let i = 0; i < n; i++) {
        const u = x[flip ? n - 1 - i : i]!;
        const v = y[i]!;
        sx += u;
        sy += v;
        sxx += u * u;
        syy += v * v;
        sxy += u * v;
      }
      return (n * sxy - sx * sy) / Math.sqrt((n * sxx - sx * sx) * (n * syy - sy * sy));
    };
    expect(correlation(expected, rendered.data, false)).toBeGreaterThan(0.8);
    expect(correlation(expected, rendered.data, true)).toBeLessThan(0.3);
  });

  it('carries the mandatory metadata in XMP and the Info dictionary', async () => {
    const bytes = (await readFile(pdfPath)).toString('utf8');
    const start = bytes.indexOf('<?xpacket begin=');
    const end = bytes.indexOf('<?xpacket end="w"?>');
    expect(start).toBeGreaterThan(0);
    const xmp = bytes.slice(start, end + 19);
    expect(wellFormed(xmp)).toBe(true);
    for (const field of [
      'ownerIdNumber',
      'ownerName',
      'documentCode',
      'documentName',
      'digitisedAt',
      'dossierCode',
      'validUntil',
      'permanent',
      'issuer',
      'number',
      'issuedOn',
      'summary',
      'digitiser',
      'kind',
      'procedureCode',
      'sectorCode',
      'pageCount',
    ]) {
      expect(xmp).toMatch(new RegExp(`<motcua:${field}>[^<]+</motcua:${field}>`));
    }
    expect(xmp).toContain('<motcua:convertedFromPaper>true</motcua:convertedFromPaper>');
    expect(xmp).toContain('<motcua:pageCount>2</motcua:pageCount>');
    const info = await tool('pdfinfo', ['-enc', 'UTF-8', pdfPath]);
    expect(info).toMatch(/Title:\s+Căn cước công dân – Nguyễn Văn Dũng/);
    expect(info).toMatch(/Author:\s+UBND xã Hòa Bình/);
    expect(info).toMatch(/Producer:\s+Một Cửa Desk/);
    expect(info).toMatch(/Metadata Stream:\s+yes/);
    const meta = await tool('pdfinfo', ['-meta', pdfPath]);
    expect(meta).toContain('urn:motcua-desk:digitised:1');
  });

  it("stores 'bw' pages as compact 1-bit images", async () => {
    const pipeline = createPipeline({ profile: { ...DEFAULT_PROFILE, colour: 'bw' }, ocrPool: null });
    const [item] = await collect(pipeline.processBatch([captures[0]!]));
    expect(item!.page!.output?.format).toBe('bilevel');
    const doc = await pipeline.finishDocument([item!.page!], SAMPLE_META);
    const file = path.join(dir, 'bw.pdf');
    await writeFile(file, doc.pdf);
    const row = (await tool('pdfimages', ['-list', file])).split('\n')[2]!.trim().split(/\s+/);
    expect(row[5]).toBe('gray');
    expect(row[7]).toBe('1');
    expect(Number(row[12])).toBe(200);
    expect(doc.pdf.length).toBeLessThan(60_000);
    await tool('qpdf', ['--check', file]);
  });
});

describe('batches', () => {
  it('turns a corrupt capture into an error for that page while the next page succeeds', async () => {
    const pipeline = createPipeline({ profile: { ...DEFAULT_PROFILE }, ocrPool: pool });
    const corrupt = captures[0]!.bytes.slice(0, 2000);
    const items = await collect(
      pipeline.processBatch([
        { index: 0, side: 'front', bytes: corrupt, dpi: 200 },
        { index: 1, side: 'back', bytes: new Uint8Array([0x50, 0x4b, 3, 4]), dpi: 200 },
        { ...captures[0]!, index: 2 },
      ]),
    );
    expect(items.map((i) => i.index)).toEqual([0, 1, 2]);
    expect(items[0]!.error).toMatchObject({ index: 0, code: 'CAPTURE_UNREADABLE', stage: 'decode' });
    expect(items[1]!.error).toMatchObject({ index: 1, code: 'CAPTURE_UNREADABLE' });
    expect(items[2]!.error).toBeUndefined();
    expect(items[2]!.page!.ocr!.text).toContain('Hòa Bình');
  });

  it('stops a cancelled batch: no further capture is read, pages in flight end as CANCELLED', async () => {
    const pipeline = createPipeline({ profile: { ...DEFAULT_PROFILE }, ocrPool: pool, concurrency: 2 });
    const controller = new AbortController();
    let pulled = 0;
    let closed = false;
    async function* scanner(): AsyncGenerator<Capture> {
      try {
        for (let i = 0; i < 8; i++) {
          pulled++;
          yield { ...captures[i % 2]!, index: i };
        }
      } finally {
        closed = true;
      }
    }
    const items: BatchItem[] = [];
    const started = Date.now();
    for await (const item of pipeline.processBatch(scanner(), {
      signal: controller.signal,
      onProgress: (i, stage) => {
        if (i === 1 && stage === 'ocr') controller.abort();
      },
    })) {
      items.push(item);
    }
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(pulled).toBeLessThanOrEqual(3);
    expect(closed).toBe(true);
    expect(items.length).toBeLessThan(8);
    expect(items.some((i) => i.error?.code === 'CANCELLED')).toBe(true);
    // The pool survives a cancelled batch.
    const again = await collect(
      createPipeline({ profile: { ...DEFAULT_PROFILE }, ocrPool: pool }).processBatch([captures[0]!]),
    );
    expect(again[0]!.page!.ocr!.text).toContain('Nguyễn');
  });

  it('passes the finished PDF through the signing slot', async () => {
    const seen: number[] = [];
    const pipeline = createPipeline({
      profile: { ...DEFAULT_PROFILE },
      ocrPool: null,
      signStage: async (pdf, meta) => {
        seen.push(pdf.length);
        expect(meta.documentCode).toBe('KQ0003');
        return new Uint8Array([...pdf, 0x0a]);
      },
    });
    const [item] = await collect(pipeline.processBatch([captures[0]!]));
    const doc = await pipeline.finishDocument([item!.page!], SAMPLE_META);
    expect(seen).toHaveLength(1);
    expect(doc.pdf.length).toBe(seen[0]! + 1);
  });
});

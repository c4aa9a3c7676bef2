import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DocumentPages } from './document-pages';
import { inMemoryPages } from './document-pages';
import { PageSpill, PageSpillError } from './page-spill';
import { encodePageImage, previewImage } from './pdf/page-image';
import { buildSearchablePdf } from './pdf/searchable-pdf';
import { SAMPLE_META } from './testing/meta';
import type { PageState, RawImage } from './types';

const dirs: string[] = [];
function parent(): string {
  const d = mkdtempSync(path.join(tmpdir(), 'motcua-spill-test-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function randomBytes(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

async function finishedPage(index: number): Promise<PageState> {
  const width = 400;
  const height = 560;
  const data = new Uint8Array(width * height).fill(255);
  for (let y = 100; y < 120; y++) data.fill(0, y * width + 50, y * width + 350);
  const image: RawImage = { width, height, channels: 1, data };
  return {
    index,
    side: index % 2 === 0 ? 'front' : 'back',
    original: randomBytes(5000 + index, index + 1),
    image: await previewImage(image, 64),
    output: await encodePageImage(image, 100, { colour: 'gray', jpegQuality: 70 }),
    dpi: 100,
    rotation: 90,
    skewAngle: -0.35,
    blank: false,
    inkCoverage: 0.03,
    notes: [`trang ${index}`],
    inkBox: { x0: 50, y0: 100, x1: 350, y1: 120 },
    ocr: {
      text: `Ủy ban nhân dân ${index}`,
      meanConfidence: 88,
      words: [
        {
          text: 'Ủy',
          bbox: { x0: 50, y0: 100, x1: 90, y1: 120 },
          confidence: 90,
          line: 0,
          baseline: 118,
          lineHeight: 24,
        },
        { text: `ban${index}`, bbox: { x0: 100, y0: 100, x1: 160, y1: 120 }, confidence: 86, line: 0 },
      ],
    },
    stagesRun: ['decode', 'ocr'],
  };
}

describe('PageSpill', () => {
  it('reads a page back byte for byte, with every field of its state', async () => {
    const spill = await PageSpill.create(parent());
    const page = await finishedPage(3);
    const ref = await spill.put(page);
    expect(ref).toMatchObject({ index: 3, blank: false });
    expect(ref.characters.split('').sort().join('')).toBe([...new Set('Ủyban3')].sort().join(''));
    const back = await spill.get(ref);
    expect(Buffer.from(back.original).equals(Buffer.from(page.original))).toBe(true);
    expect(Buffer.from(back.output!.bytes).equals(Buffer.from(page.output!.bytes))).toBe(true);
    expect(Buffer.from(back.image.data).equals(Buffer.from(page.image.data))).toBe(true);
    const strip = (p: PageState): unknown => ({
      ...p,
      original: null,
      image: { ...p.image, data: null },
      output: { ...p.output, bytes: null },
    });
    expect(strip(back)).toEqual(strip(page));
  });

  it('keeps a page without an encoded image (full working image) and a colour one', async () => {
    const spill = await PageSpill.create(parent(), { fsync: false });
    const data = randomBytes(30 * 20 * 3, 9);
    const page: PageState = { ...(await finishedPage(0)), image: { width: 30, height: 20, channels: 3, data } };
    delete page.output;
    const back = await spill.get(await spill.put(page));
    expect(back.output).toBeUndefined();
    expect(back.image).toMatchObject({ width: 30, height: 20, channels: 3 });
    expect(Buffer.from(back.image.data).equals(Buffer.from(data))).toBe(true);
  });

  it('finds its pages again after a restart and removes everything on discard', async () => {
    const spill = await PageSpill.create(parent());
    const refs = [];
    for (let i = 0; i < 3; i++) refs.push(await spill.put(await finishedPage(i)));
    expect(readdirSync(spill.dir).filter((n) => n.startsWith('.tmp'))).toEqual([]);
    const again = PageSpill.reopen(spill.dir);
    expect((await again.list()).map((r) => [r.index, r.bytes])).toEqual(refs.map((r) => [r.index, r.bytes]));
    await spill.discard();
    expect(existsSync(spill.dir)).toBe(false);
    await expect(spill.get(refs[0]!)).rejects.toMatchObject({ code: 'SPILL_DISCARDED' });
  });

  it('says clearly when a page file is missing or damaged', async () => {
    const spill = await PageSpill.create(parent());
    const ref = await spill.put(await finishedPage(7));
    rmSync(ref.file);
    const missing = await spill.get(ref).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(PageSpillError);
    expect(missing).toMatchObject({
      code: 'SPILL_MISSING',
      message: expect.stringContaining('spilled page 7 is gone'),
    });
    writeFileSync(ref.file, 'not a page');
    await expect(spill.get(ref)).rejects.toMatchObject({ code: 'SPILL_CORRUPT' });
  });

  it('gives the PDF writer the same document as pages in memory, loading one page at a time', async () => {
    const spill = await PageSpill.create(parent());
    const pages = await Promise.all([0, 1, 2].map(finishedPage));
    const refs = [];
    for (const p of pages) refs.push(await spill.put(p));
    const doc = spill.document(refs);
    let live = 0;
    let most = 0;
    const counted: DocumentPages = {
      count: doc.count,
      characters: (i) => doc.characters(i),
      load: async (i) => {
        live++;
        most = Math.max(most, live);
        const p = await doc.load(i);
        live--;
        return p;
      },
    };
    const fromSpill = await buildSearchablePdf(counted, SAMPLE_META);
    const fromMemory = await buildSearchablePdf(inMemoryPages(pages), SAMPLE_META);
    expect(most).toBe(1);
    expect(fromSpill.pageCount).toBe(3);
    expect(fromSpill.text).toBe(fromMemory.text);
    expect(fromSpill.pdf.byteLength).toBe(fromMemory.pdf.byteLength);
  });
});

import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { FIXTURE_VARIANTS, fixtureText, renderFixturePage } from './fixture-pages';
import {
  errorCode,
  runScan,
  runScannerContract,
  runScannerFaultContract,
  type ScannerFaultHarness,
} from './scanner.contract';
import type { ScanRequest } from './scanner.port';
import { sampleSheets, SimulatedScanner, SimulatedScannerProvider } from './simulated-scanner';

function twinHarness(): ScannerFaultHarness {
  const scanner = new SimulatedScanner({ reloadFeeder: false });
  return {
    scanner,
    honoursPageSize: true,
    loadFeeder: async (sheets) => {
      scanner.loadPages(sheets);
      return sheets;
    },
    slowScanner: async () => {
      scanner.pageDelayMs = 150;
      return scanner;
    },
    leftovers: async () => scanner.activeJobs,
    jamAfter: async (pages) => scanner.failNext('SCANNER_JAM', { afterPages: pages }),
    disconnectAfter: async (pages) => scanner.disconnectAfter(pages),
    emptyFeeder: async () => scanner.loadPages([]),
    coverOpen: async () => scanner.failNext('SCANNER_COVER_OPEN'),
    dispose: async () => undefined,
  };
}

runScannerContract('SimulatedScanner', async () => twinHarness());
runScannerFaultContract('SimulatedScanner', async () => twinHarness());

const FEEDER: ScanRequest = { source: 'feeder', duplex: false, resolution: 75, mode: 'gray', pageSize: 'A5' };

async function grey(bytes: Uint8Array): Promise<{ data: Uint8Array; width: number; height: number }> {
  const { data, info } = await sharp(bytes).toColourspace('b-w').raw().toBuffer({ resolveWithObject: true });
  return { data: new Uint8Array(data), width: info.width, height: info.height };
}

function darkShare(data: Uint8Array): number {
  let dark = 0;
  for (const v of data) if (v < 128) dark += 1;
  return dark / data.length;
}

describe('SimulatedScanner controls', () => {
  it('records jobs with their request, state and page count', async () => {
    const scanner = new SimulatedScanner();
    scanner.loadPages(2);
    const outcome = await runScan(scanner, FEEDER);
    expect(outcome.pages).toHaveLength(2);
    expect(scanner.jobs).toHaveLength(1);
    expect(scanner.lastJob).toMatchObject({ state: 'completed', pages: 2, error: null, request: FEEDER });
    expect(scanner.activeJobs).toBe(0);
  });

  it('reloads the same stack after each batch by default; reloadFeeder: false consumes it', async () => {
    const reloading = new SimulatedScanner();
    reloading.loadPages(2);
    expect((await runScan(reloading, FEEDER)).pages).toHaveLength(2);
    expect((await runScan(reloading, FEEDER)).pages).toHaveLength(2);

    const consuming = new SimulatedScanner({ reloadFeeder: false });
    consuming.loadPages(2);
    expect((await runScan(consuming, FEEDER)).pages).toHaveLength(2);
    expect(consuming.feederCount).toBe(0);
    expect(errorCode((await runScan(consuming, FEEDER)).error)).toBe('SCANNER_FEEDER_EMPTY');
  });

  it('after a jam the jammed sheet and the rest stay in the feeder', async () => {
    const scanner = new SimulatedScanner({ reloadFeeder: false });
    scanner.loadPages(4);
    scanner.failNext('SCANNER_JAM', { afterPages: 1 });
    const outcome = await runScan(scanner, FEEDER);
    expect(errorCode(outcome.error)).toBe('SCANNER_JAM');
    expect(scanner.feederCount).toBe(3);
    expect(scanner.lastJob).toMatchObject({ state: 'failed', error: 'SCANNER_JAM', pages: 1 });
    expect((await runScan(scanner, FEEDER)).pages).toHaveLength(3);
  });

  it('a feeder-empty fault after some pages is the normal end of the batch', async () => {
    const scanner = new SimulatedScanner();
    scanner.loadPages(5);
    scanner.failNext('SCANNER_FEEDER_EMPTY', { afterPages: 2 });
    const outcome = await runScan(scanner, FEEDER);
    expect(outcome.error).toBeNull();
    expect(outcome.pages).toHaveLength(2);
  });

  it('disconnectAfter unplugs the scanner until plugIn', async () => {
    const scanner = new SimulatedScanner();
    scanner.loadPages(3);
    scanner.disconnectAfter(2);
    const outcome = await runScan(scanner, FEEDER);
    expect(outcome.pages).toHaveLength(2);
    expect(errorCode(outcome.error)).toBe('SCANNER_DISCONNECTED');
    expect(scanner.plugged).toBe(false);
    await expect(scanner.capabilities()).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
    expect(errorCode((await runScan(scanner, FEEDER)).error)).toBe('DEVICE_UNAVAILABLE');
    scanner.plugIn();
    expect((await runScan(scanner, FEEDER)).pages).toHaveLength(3);
  });

  it('refuses a second scan while one is running (busy)', async () => {
    const scanner = new SimulatedScanner({ pageDelayMs: 100 });
    scanner.loadPages(3);
    const first = scanner.scan(FEEDER)[Symbol.asyncIterator]();
    await first.next();
    expect(errorCode((await runScan(scanner, FEEDER)).error)).toBe('DEVICE_UNAVAILABLE');
    await first.return?.(undefined);
    expect(scanner.activeJobs).toBe(0);
  });

  it('duplex: front and back of each sheet, backs blank unless given', async () => {
    const scanner = new SimulatedScanner();
    scanner.loadPages([{ front: { text: ['MẶT TRƯỚC'] }, back: { text: ['MẶT SAU'] } }, { text: ['TỜ HAI'] }]);
    const outcome = await runScan(scanner, { ...FEEDER, duplex: true });
    expect(outcome.error).toBeNull();
    expect(outcome.pages.map((p) => `${p.index}:${p.side}`)).toEqual(['1:front', '2:back', '3:front', '4:back']);
    const lastBack = outcome.pages[3];
    if (lastBack === undefined) throw new Error('missing page');
    expect(darkShare((await grey(lastBack.bytes)).data)).toBeLessThan(0.002);
    expect(darkShare((await grey(outcome.pages[1]?.bytes ?? new Uint8Array())).data)).toBeGreaterThan(0.0005);
  });

  it('delivers fixed image bytes unchanged', async () => {
    const image = await renderFixturePage({ text: ['ẢNH CỐ ĐỊNH'], dpi: 50, widthMm: 100, heightMm: 50 });
    const scanner = new SimulatedScanner();
    scanner.placeOnGlass({ image, resolution: 50 });
    const outcome = await runScan(scanner, { source: 'flatbed', duplex: false, resolution: 150, mode: 'color' });
    expect(outcome.pages[0]?.resolution).toBe(50);
    expect(Buffer.from(outcome.pages[0]?.bytes ?? []).equals(Buffer.from(image))).toBe(true);
  });

  it('progress callbacks that throw do not break the scan', async () => {
    const scanner = new SimulatedScanner();
    scanner.loadPages(2);
    const pages = [];
    for await (const page of scanner.scan(FEEDER, {
      onProgress: () => {
        throw new Error('broken listener');
      },
    })) {
      pages.push(page);
    }
    expect(pages).toHaveLength(2);
  });

  it('provider lists plugged scanners and opens them by id', async () => {
    const a = new SimulatedScanner({ id: 'sim:a', name: 'A' });
    const b = new SimulatedScanner({ id: 'sim:b', name: 'B' });
    const provider = new SimulatedScannerProvider([a, b]);
    expect((await provider.list()).map((i) => i.id)).toEqual(['sim:a', 'sim:b']);
    b.unplug();
    expect((await provider.list()).map((i) => i.id)).toEqual(['sim:a']);
    expect(provider.open('sim:b')).toBe(b);
    expect(() => provider.open('sim:z')).toThrow(RangeError);
  });

  it('sample sheets carry known text', () => {
    const sheets = sampleSheets(3);
    expect(sheets).toHaveLength(3);
    const second = sheets[1]?.front;
    expect(second !== undefined && 'text' in second ? second.text : []).toEqual(fixtureText(2, 3));
  });
});

describe('renderFixturePage', () => {
  const text = fixtureText(1, 1);

  it('is deterministic and records the dpi', async () => {
    const a = await renderFixturePage({ text, dpi: 100, noise: 0.01, seed: 3 });
    const b = await renderFixturePage({ text, dpi: 100, noise: 0.01, seed: 3 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const meta = await sharp(a).metadata();
    expect(meta.format).toBe('png');
    expect(meta.width).toBe(Math.round((210 / 25.4) * 100));
    expect(meta.height).toBe(Math.round((297 / 25.4) * 100));
    expect(Math.round(meta.density ?? 0)).toBe(100);
  });

  it('draws the text (Vietnamese headings centred) and a blank page stays nearly white', async () => {
    const page = await grey(await renderFixturePage({ text, dpi: 75 }));
    const blank = await grey(await renderFixturePage({ text, dpi: 75, blank: true }));
    expect(darkShare(page.data)).toBeGreaterThan(0.005);
    expect(darkShare(blank.data)).toBeLessThan(0.001);
    expect(darkShare(blank.data)).toBeGreaterThan(0);
    const firstRows = page.data.subarray(0, page.width * Math.round(page.height * 0.12));
    const left: number[] = [];
    const right: number[] = [];
    for (let i = 0; i < firstRows.length; i += 1)
      (i % page.width < page.width / 2 ? left : right).push(firstRows[i] ?? 255);
    expect(darkShare(Uint8Array.from(left))).toBeGreaterThan(0);
    expect(darkShare(Uint8Array.from(right))).toBeGreaterThan(0);
  });

  it('upside down is the clean page turned by 180°; sideways swaps width and height', async () => {
    const clean = await grey(await renderFixturePage({ text, dpi: 50 }));
    const flipped = await grey(await renderFixturePage({ text, dpi: 50, ...FIXTURE_VARIANTS.upsideDown }));
    const turnedBack = await grey(
      await sharp(await renderFixturePage({ text, dpi: 50, ...FIXTURE_VARIANTS.upsideDown }))
        .rotate(180)
        .png()
        .toBuffer(),
    );
    expect(Buffer.from(turnedBack.data).equals(Buffer.from(clean.data))).toBe(true);
    expect(Buffer.from(flipped.data).equals(Buffer.from(clean.data))).toBe(false);
    const sideways = await sharp(await renderFixturePage({ text, dpi: 50, ...FIXTURE_VARIANTS.sideways })).metadata();
    expect([sideways.width, sideways.height]).toEqual([clean.height, clean.width]);
  });

  it('skew keeps the page size but moves the text', async () => {
    const clean = await grey(await renderFixturePage({ text, dpi: 50 }));
    const skewed = await grey(await renderFixturePage({ text, dpi: 50, skewDeg: 3 }));
    expect([skewed.width, skewed.height]).toEqual([clean.width, clean.height]);
    expect(Buffer.from(skewed.data).equals(Buffer.from(clean.data))).toBe(false);
  });

  it('noise sprinkles about the requested share of pixels; other seeds give other pixels', async () => {
    const clean = await grey(await renderFixturePage({ text, dpi: 50 }));
    const noisy = await grey(await renderFixturePage({ text, dpi: 50, noise: 0.05, seed: 1 }));
    const other = await grey(await renderFixturePage({ text, dpi: 50, noise: 0.05, seed: 2 }));
    let changed = 0;
    for (let i = 0; i < clean.data.length; i += 1) if (clean.data[i] !== noisy.data[i]) changed += 1;
    expect(changed / clean.data.length).toBeGreaterThan(0.015);
    expect(changed / clean.data.length).toBeLessThan(0.05);
    expect(Buffer.from(noisy.data).equals(Buffer.from(other.data))).toBe(false);
  });

  it('renders colour, grey and black-and-white', async () => {
    const color = await sharp(await renderFixturePage({ text, dpi: 50, mode: 'color', stamp: true })).metadata();
    const gray = await sharp(await renderFixturePage({ text, dpi: 50, mode: 'gray' })).metadata();
    const bwPng = await renderFixturePage({ text, dpi: 50, mode: 'bw' });
    expect(color.channels).toBe(3);
    expect(gray.channels).toBe(1);
    expect((await sharp(bwPng).metadata()).channels).toBe(1);
    expect(new Set((await grey(bwPng)).data).size).toBe(2);
  });

  it('refuses nonsense options', async () => {
    await expect(renderFixturePage({ text, dpi: 0 })).rejects.toThrow(RangeError);
    await expect(renderFixturePage({ text, dpi: 75, noise: 2 })).rejects.toThrow(RangeError);
  });
});

import sharp, { type Metadata } from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import type { ScanProgress, ScanRequest, ScannedPage, Scanner, ScannerCapabilities } from './scanner.port';

/** What the shared suite needs from an adapter under test. */
export interface ScannerHarness {
  scanner: Scanner;
  /**
   * Puts `sheets` sheets into the feeder and resolves how many pages a simplex batch will deliver
   * (a device with a fixed stack, like SANE's test backend, answers its own number).
   */
  loadFeeder(sheets: number): Promise<number>;
  /** The same device with pages slow enough (≥ ~100 ms each) for a cancel to land mid-batch. */
  slowScanner(): Promise<Scanner>;
  /** Device-side work still alive (processes, jobs): 0 once everything was cleaned up. */
  leftovers(): Promise<number>;
  /** True when the image size follows the requested page size. */
  honoursPageSize: boolean;
  dispose(): Promise<void>;
}

/** Adapters whose device can be made to fail on purpose (the twin, the local eSCL server). */
export interface ScannerFaultHarness extends ScannerHarness {
  /** The next batch jams after `pages` pages. */
  jamAfter(pages: number): Promise<void>;
  /** The next batch loses the device after `pages` pages. */
  disconnectAfter(pages: number): Promise<void>;
  /** The feeder is empty for the next batch. */
  emptyFeeder(): Promise<void>;
  /** The next scan finds the cover open. */
  coverOpen(): Promise<void>;
}

export interface ScanOutcome {
  pages: ScannedPage[];
  error: unknown;
  progress: ScanProgress[];
  /** Progress events and yields in the order they happened (`yield:<index>`). */
  timeline: string[];
}

/** Runs a scan to its end, keeping the pages and the error it ended with (if any). */
export async function runScan(
  scanner: Scanner,
  req: ScanRequest,
  options: { signal?: AbortSignal; onPage?: (page: ScannedPage) => void; stopAfter?: number } = {},
): Promise<ScanOutcome> {
  const pages: ScannedPage[] = [];
  const progress: ScanProgress[] = [];
  const timeline: string[] = [];
  let error: unknown = null;
  try {
    for await (const page of scanner.scan(req, {
      signal: options.signal,
      onProgress: (p) => {
        progress.push(p);
        timeline.push(`${p.phase}:${p.page}`);
      },
    })) {
      pages.push(page);
      timeline.push(`yield:${page.index}`);
      options.onPage?.(page);
      if (options.stopAfter !== undefined && pages.length >= options.stopAfter) break;
    }
  } catch (caught) {
    error = caught;
  }
  return { pages, error, progress, timeline };
}

export function errorCode(error: unknown): DeviceErrorCode | null {
  return error instanceof DeviceError ? error.code : null;
}

/** The lowest resolution of at least 50 dpi, 75 when offered: quick scans. */
export function quickResolution(caps: ScannerCapabilities): number {
  if (caps.resolutions.includes(75)) return 75;
  return caps.resolutions.find((r) => r >= 50) ?? caps.resolutions[0] ?? 75;
}

function baseRequest(caps: ScannerCapabilities, source: ScanRequest['source']): ScanRequest {
  const pageSize = caps.pageSizes.find((s) => s.name === 'A4') ?? caps.pageSizes[0];
  return {
    source,
    duplex: false,
    resolution: quickResolution(caps),
    mode: caps.modes.includes('gray') ? 'gray' : (caps.modes[0] ?? 'gray'),
    ...(pageSize === undefined ? {} : { pageSize: pageSize.name }),
  };
}

async function expectDecodable(page: ScannedPage): Promise<Metadata> {
  expect(page.bytes).toBeInstanceOf(Uint8Array);
  expect(page.bytes.length).toBeGreaterThan(0);
  const meta = await sharp(page.bytes).metadata();
  expect(`image/${meta.format === 'jpeg' ? 'jpeg' : meta.format}`).toBe(page.mimeType);
  await sharp(page.bytes).stats();
  return meta;
}

async function settledLeftovers(harness: ScannerHarness): Promise<number> {
  return harness.leftovers();
}

/** Runs the `Scanner` contract (see `scanner.port.ts`) against one adapter. */
export function runScannerContract(name: string, make: () => Promise<ScannerHarness>): void {
  describe(`Scanner contract: ${name}`, () => {
    let harness: ScannerHarness;
    let caps: ScannerCapabilities;

    beforeEach(async () => {
      harness = await make();
      caps = await harness.scanner.capabilities();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('describes itself', () => {
      const { info } = harness.scanner;
      expect(info.id.trim()).not.toBe('');
      expect(info.name.trim()).not.toBe('');
      expect(['sane', 'escl', 'folder', 'file', 'simulated']).toContain(info.kind);
    });

    it('reports capabilities of the documented shape', () => {
      expect(caps.sources.length).toBeGreaterThan(0);
      for (const source of caps.sources) expect(['flatbed', 'feeder']).toContain(source);
      expect(typeof caps.duplex).toBe('boolean');
      expect(caps.resolutions.length).toBeGreaterThan(0);
      expect([...caps.resolutions].sort((a, b) => a - b)).toEqual(caps.resolutions);
      for (const r of caps.resolutions) expect(Number.isInteger(r) && r > 0).toBe(true);
      expect(caps.modes.length).toBeGreaterThan(0);
      for (const mode of caps.modes) expect(['color', 'gray', 'bw']).toContain(mode);
      expect(caps.pageSizes.length).toBeGreaterThan(0);
      for (const size of caps.pageSizes) {
        expect(size.name.trim()).not.toBe('');
        expect(size.widthMm).toBeGreaterThan(0);
        expect(size.heightMm).toBeGreaterThan(0);
      }
    });

    it('flatbed: exactly one decodable page at the requested resolution and size', async () => {
      if (!caps.sources.includes('flatbed')) return;
      const req = baseRequest(caps, 'flatbed');
      const outcome = await runScan(harness.scanner, req);
      expect(outcome.error).toBeNull();
      expect(outcome.pages).toHaveLength(1);
      const [page] = outcome.pages;
      if (page === undefined) return;
      expect(page.index).toBe(1);
      expect(page.side).toBe('front');
      expect(page.resolution).toBe(req.resolution);
      const meta = await expectDecodable(page);
      if (harness.honoursPageSize) {
        const size = caps.pageSizes.find((s) => s.name === req.pageSize);
        if (size === undefined) throw new Error('page size vanished');
        const expectedWidth = (size.widthMm * req.resolution) / 25.4;
        const expectedHeight = (size.heightMm * req.resolution) / 25.4;
        expect(Math.abs(meta.width - expectedWidth)).toBeLessThanOrEqual(Math.max(3, expectedWidth * 0.03));
        expect(Math.abs(meta.height - expectedHeight)).toBeLessThanOrEqual(Math.max(3, expectedHeight * 0.03));
      }
      expect(await settledLeftovers(harness)).toBe(0);
    });

    it('honours the colour mode: grey has one channel, colour three', async () => {
      if (!caps.sources.includes('flatbed')) return;
      for (const mode of (['gray', 'color'] as const).filter((m) => caps.modes.includes(m))) {
        const outcome = await runScan(harness.scanner, { ...baseRequest(caps, 'flatbed'), mode });
        expect(outcome.error).toBeNull();
        const page = outcome.pages[0];
        if (page === undefined) throw new Error('no page');
        const meta = await expectDecodable(page);
        const channels = meta.channels - (meta.hasAlpha ? 1 : 0);
        expect(channels, mode).toBe(mode === 'gray' ? 1 : 3);
      }
    });

    it('feeder: a batch yields every page in order, then ends normally', async () => {
      if (!caps.sources.includes('feeder')) return;
      const expected = await harness.loadFeeder(3);
      const outcome = await runScan(harness.scanner, baseRequest(caps, 'feeder'));
      expect(outcome.error).toBeNull();
      expect(outcome.pages.map((p) => p.index)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));
      for (const page of outcome.pages) {
        expect(page.side).toBe('front');
        await expectDecodable(page);
      }
      expect(await settledLeftovers(harness)).toBe(0);
    });

    it('reports progress: "done" for each page, in order, before the page is yielded', async () => {
      const source = caps.sources.includes('feeder') ? 'feeder' : 'flatbed';
      const expected = source === 'feeder' ? await harness.loadFeeder(2) : 1;
      const outcome = await runScan(harness.scanner, baseRequest(caps, source));
      expect(outcome.error).toBeNull();
      expect(outcome.pages).toHaveLength(expected);
      const done = outcome.progress.filter((p) => p.phase === 'done').map((p) => p.page);
      expect(done).toEqual(outcome.pages.map((p) => p.index));
      for (const page of outcome.pages) {
        expect(outcome.timeline.indexOf(`done:${page.index}`)).toBeLessThan(
          outcome.timeline.indexOf(`yield:${page.index}`),
        );
      }
      for (const p of outcome.progress) expect(['scanning', 'transferring', 'done']).toContain(p.phase);
    });

    it('cancel mid-batch: stops, throws SCANNER_CANCELLED, keeps the pages already yielded, leaves nothing behind', async () => {
      if (!caps.sources.includes('feeder')) return;
      const slow = await harness.slowScanner();
      const expected = await harness.loadFeeder(5);
      const controller = new AbortController();
      const outcome = await runScan(slow, baseRequest(caps, 'feeder'), {
        signal: controller.signal,
        onPage: () => controller.abort(),
      });
      expect(errorCode(outcome.error)).toBe('SCANNER_CANCELLED');
      expect(outcome.pages).toHaveLength(1);
      expect(expected).toBeGreaterThan(1);
      for (const page of outcome.pages) await expectDecodable(page);
      expect(await harness.leftovers()).toBe(0);
    });

    it('cancel while a page is on its way', async () => {
      const source = caps.sources.includes('feeder') ? 'feeder' : 'flatbed';
      const slow = await harness.slowScanner();
      if (source === 'feeder') await harness.loadFeeder(5);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), 60);
      const outcome = await runScan(slow, baseRequest(caps, source), { signal: controller.signal });
      clearTimeout(timer);
      expect(errorCode(outcome.error)).toBe('SCANNER_CANCELLED');
      expect(await harness.leftovers()).toBe(0);
    });

    it('an already aborted signal throws SCANNER_CANCELLED without scanning', async () => {
      const source = caps.sources.includes('feeder') ? 'feeder' : 'flatbed';
      const outcome = await runScan(harness.scanner, baseRequest(caps, source), { signal: AbortSignal.abort() });
      expect(errorCode(outcome.error)).toBe('SCANNER_CANCELLED');
      expect(outcome.pages).toHaveLength(0);
      expect(await harness.leftovers()).toBe(0);
    });

    it('a consumer that stops iterating early leaves nothing behind', async () => {
      const source = caps.sources.includes('feeder') ? 'feeder' : 'flatbed';
      const slow = await harness.slowScanner();
      if (source === 'feeder') await harness.loadFeeder(5);
      const outcome = await runScan(slow, baseRequest(caps, source), { stopAfter: 1 });
      expect(outcome.error).toBeNull();
      expect(outcome.pages).toHaveLength(1);
      expect(await harness.leftovers()).toBe(0);
    });

    it('refuses requests outside the capabilities with RangeError', async () => {
      const source = caps.sources[0] ?? 'flatbed';
      const bad: ScanRequest[] = [
        { ...baseRequest(caps, source), resolution: 7 },
        { ...baseRequest(caps, source), pageSize: 'B0-không-có' },
        caps.duplex
          ? { ...baseRequest(caps, source), source: 'flatbed', duplex: true }
          : { ...baseRequest(caps, source), source: 'feeder', duplex: true },
      ];
      for (const req of bad) {
        const outcome = await runScan(harness.scanner, req);
        expect(outcome.error, JSON.stringify(req)).toBeInstanceOf(RangeError);
        expect(outcome.pages).toHaveLength(0);
      }
      expect(await harness.leftovers()).toBe(0);
    });
  });
}

/** Faults every scanner shows: jams, disconnects, an empty feeder, an open cover. */
export function runScannerFaultContract(name: string, make: () => Promise<ScannerFaultHarness>): void {
  describe(`Scanner faults: ${name}`, () => {
    let harness: ScannerFaultHarness;
    let caps: ScannerCapabilities;

    beforeEach(async () => {
      harness = await make();
      caps = await harness.scanner.capabilities();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('a jam mid-batch: the pages before it are yielded, then SCANNER_JAM', async () => {
      await harness.loadFeeder(4);
      await harness.jamAfter(2);
      const outcome = await runScan(harness.scanner, baseRequest(caps, 'feeder'));
      expect(errorCode(outcome.error)).toBe('SCANNER_JAM');
      expect(outcome.pages.map((p) => p.index)).toEqual([1, 2]);
      for (const page of outcome.pages) await expectDecodable(page);
      expect(await harness.leftovers()).toBe(0);
    });

    it('a disconnect mid-batch: the pages before it are yielded, then SCANNER_DISCONNECTED', async () => {
      await harness.loadFeeder(4);
      await harness.disconnectAfter(1);
      const outcome = await runScan(harness.scanner, baseRequest(caps, 'feeder'));
      expect(errorCode(outcome.error)).toBe('SCANNER_DISCONNECTED');
      expect(outcome.pages.map((p) => p.index)).toEqual([1]);
      expect(await harness.leftovers()).toBe(0);
    });

    it('an empty feeder at the start: no page, SCANNER_FEEDER_EMPTY', async () => {
      await harness.emptyFeeder();
      const outcome = await runScan(harness.scanner, baseRequest(caps, 'feeder'));
      expect(errorCode(outcome.error)).toBe('SCANNER_FEEDER_EMPTY');
      expect(outcome.pages).toHaveLength(0);
      expect(await harness.leftovers()).toBe(0);
    });

    it('an open cover: no page, SCANNER_COVER_OPEN', async () => {
      await harness.loadFeeder(2);
      await harness.coverOpen();
      const outcome = await runScan(harness.scanner, baseRequest(caps, 'feeder'));
      expect(errorCode(outcome.error)).toBe('SCANNER_COVER_OPEN');
      expect(outcome.pages).toHaveLength(0);
    });

    it('after a fault the scanner works again once it is cleared', async () => {
      await harness.loadFeeder(3);
      await harness.jamAfter(1);
      expect(errorCode((await runScan(harness.scanner, baseRequest(caps, 'feeder'))).error)).toBe('SCANNER_JAM');
      const expected = await harness.loadFeeder(2);
      const outcome = await runScan(harness.scanner, baseRequest(caps, 'feeder'));
      expect(outcome.error).toBeNull();
      expect(outcome.pages).toHaveLength(expected);
    });
  });
}

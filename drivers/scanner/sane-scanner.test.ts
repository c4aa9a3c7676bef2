import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, runScan, runScannerContract, type ScannerHarness } from './scanner.contract';
import type { ScanRequest } from './scanner.port';
import { SaneScanner } from './sane-scanner';
import { makeSaneEnv, SCANIMAGE, type SaneEnv } from './sane-test-env';

// The test backend: flatbed and a feeder that is 'empty' after 10 pages; a 0..200 mm scan area.
const TEST_BACKEND_FEEDER_PAGES = 10;
/** Each buffer of image data waits 100 ms: a page takes about half a second. */
const SLOW_ARGS = ['--read-delay=yes', '--read-delay-duration', '100000'];

if (SCANIMAGE !== null) {
  runScannerContract("SaneScanner (SANE 'test' backend)", async () => {
    const sane = await makeSaneEnv();
    return {
      scanner: new SaneScanner(sane.options()),
      honoursPageSize: true,
      loadFeeder: async () => TEST_BACKEND_FEEDER_PAGES,
      slowScanner: async () => new SaneScanner(sane.options({ extraArgs: SLOW_ARGS })),
      leftovers: () => sane.leftovers(),
      dispose: () => sane.dispose(),
    } satisfies ScannerHarness;
  });
}

const FLATBED: ScanRequest = { source: 'flatbed', duplex: false, resolution: 50, mode: 'gray', pageSize: 'A6' };
const FEEDER: ScanRequest = { ...FLATBED, source: 'feeder' };

describe.skipIf(SCANIMAGE === null)("SaneScanner against the SANE 'test' backend", () => {
  let sane: SaneEnv;

  beforeAll(async () => {
    sane = await makeSaneEnv();
  });

  afterAll(async () => {
    await sane.dispose();
  });

  it('reads the capabilities from scanimage -A', async () => {
    const caps = await new SaneScanner(sane.options()).capabilities();
    expect(caps.sources).toEqual(['flatbed', 'feeder']);
    expect(caps.duplex).toBe(false);
    expect(caps.modes).toEqual(['color', 'gray', 'bw']);
    expect(caps.resolutions).toContain(75);
    expect(caps.resolutions.at(-1)).toBe(1200);
    expect(caps.pageSizes.map((s) => s.name)).toEqual(['A6']);
  });

  it('black and white comes as a 1-bit grey PNG (Gray at depth 1)', async () => {
    const outcome = await runScan(new SaneScanner(sane.options()), { ...FLATBED, mode: 'bw' });
    expect(outcome.error).toBeNull();
    const meta = await sharp(outcome.pages[0]?.bytes ?? new Uint8Array()).metadata();
    expect(meta.channels).toBe(1);
    expect(Math.abs(meta.width - (105 / 25.4) * 50)).toBeLessThanOrEqual(2);
  });

  it('reports "scanning" per page from scanimage progress lines', async () => {
    const outcome = await runScan(new SaneScanner(sane.options({ maxBatchPages: 3 })), FEEDER);
    expect(outcome.error).toBeNull();
    expect(outcome.pages).toHaveLength(3);
    expect(outcome.progress.filter((p) => p.phase === 'scanning').map((p) => p.page)).toEqual([1, 2, 3]);
  });

  const faults: [string, string, string][] = [
    ['SANE_STATUS_JAMMED', 'feeder', 'SCANNER_JAM'],
    ['SANE_STATUS_NO_DOCS', 'feeder', 'SCANNER_FEEDER_EMPTY'],
    ['SANE_STATUS_COVER_OPEN', 'feeder', 'SCANNER_COVER_OPEN'],
    ['SANE_STATUS_IO_ERROR', 'feeder', 'SCANNER_DISCONNECTED'],
    ['SANE_STATUS_DEVICE_BUSY', 'feeder', 'DEVICE_UNAVAILABLE'],
    ['SANE_STATUS_JAMMED', 'flatbed', 'SCANNER_JAM'],
    ['SANE_STATUS_IO_ERROR', 'flatbed', 'SCANNER_DISCONNECTED'],
  ];
  it.each(faults)(
    'maps the backend status %s (%s) to %s, with no page and nothing left behind',
    async (status, source, code) => {
      const scanner = new SaneScanner(sane.options({ extraArgs: ['--read-return-value', status] }));
      const outcome = await runScan(scanner, source === 'flatbed' ? FLATBED : FEEDER);
      expect(errorCode(outcome.error)).toBe(code);
      expect(outcome.pages).toHaveLength(0);
      expect(await sane.leftovers()).toBe(0);
    },
  );

  it('a jam mid-batch: the finished pages are yielded, then SCANNER_JAM', async () => {
    // A stand-in scanimage that scans two real pages, then reports a jam like a real feeder.
    const wrapper = join(sane.configDir, 'scanimage-jams');
    await writeFile(
      wrapper,
      `#!/bin/sh\ncase "$*" in *--batch=*) ;; *) exec ${SCANIMAGE} "$@" ;; esac\n${SCANIMAGE} "$@" --batch-count=2 || exit $?\necho "scanimage: sane_start: Document feeder jammed" >&2\nexit 6\n`,
    );
    await chmod(wrapper, 0o755);
    const outcome = await runScan(new SaneScanner(sane.options({ scanimagePath: wrapper })), FEEDER);
    expect(errorCode(outcome.error)).toBe('SCANNER_JAM');
    expect(outcome.pages.map((p) => p.index)).toEqual([1, 2]);
    expect(await sane.leftovers()).toBe(0);
  });

  it('a scanimage that reports an error but hangs is stopped after a short grace', async () => {
    const wrapper = join(sane.configDir, 'scanimage-hangs');
    await writeFile(
      wrapper,
      `#!/bin/sh\ncase "$*" in *-A*) exec ${SCANIMAGE} "$@" ;; esac\necho "scanimage: sane_read: Error during device I/O" >&2\nexec sleep 30\n`,
    );
    await chmod(wrapper, 0o755);
    const started = Date.now();
    const outcome = await runScan(new SaneScanner(sane.options({ scanimagePath: wrapper })), FLATBED);
    expect(errorCode(outcome.error)).toBe('SCANNER_DISCONNECTED');
    expect(Date.now() - started).toBeLessThan(6_000);
    expect(await sane.leftovers()).toBe(0);
  });

  it('a device SANE does not know is DEVICE_UNAVAILABLE', async () => {
    const scanner = new SaneScanner(sane.options({ device: 'test:9' }));
    await expect(scanner.capabilities()).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
    expect(errorCode((await runScan(scanner, FLATBED)).error)).toBe('DEVICE_UNAVAILABLE');
  });

  it('a missing scanimage is DEVICE_UNAVAILABLE with a clear message', async () => {
    const scanner = new SaneScanner(sane.options({ scanimagePath: join(sane.configDir, 'no-such-scanimage') }));
    const error = await scanner.capabilities().catch((e: unknown) => e);
    expect(errorCode(error)).toBe('DEVICE_UNAVAILABLE');
    expect((error as Error).message).toMatch(/not found.*sane-utils/);
  });

  it('a silent device times out', async () => {
    const scanner = new SaneScanner(sane.options({ extraArgs: SLOW_ARGS, pageTimeoutMs: 40 }));
    const started = Date.now();
    const outcome = await runScan(scanner, FLATBED);
    expect(errorCode(outcome.error)).toBe('DEVICE_UNAVAILABLE');
    expect((outcome.error as Error).message).toMatch(/no answer/);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(await sane.leftovers()).toBe(0);
  });
});

describe('SaneScanner', () => {
  it('refuses device names that look like options', () => {
    expect(() => new SaneScanner({ device: '-L' })).toThrow(RangeError);
    expect(() => new SaneScanner({ device: ' ' })).toThrow(RangeError);
  });
});

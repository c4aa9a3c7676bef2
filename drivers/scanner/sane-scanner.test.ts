import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, runScan, runScannerContract, type ScannerHarness } from './scanner.contract';
import type { ScanRequest } from './scanner.port';
import {
  classifySaneExit,
  parseSaneDeviceList,
  parseSaneOptions,
  saneCapabilities,
  SaneScanner,
  SaneScannerProvider,
} from './sane-scanner';
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

  it('lists the test devices', async () => {
    const provider = new SaneScannerProvider({ env: sane.env });
    const list = await provider.list();
    expect(list.map((d) => d.id)).toEqual(['sane:test:0', 'sane:test:1']);
    expect(list[0]?.kind).toBe('sane');
    expect(list[0]?.name).toContain('frontend-tester');
    const scanner = provider.open('sane:test:1');
    expect(scanner.device).toBe('test:1');
    expect(scanner.info.name).toBe(list[1]?.name);
    expect(() => provider.open('escl:http://x')).toThrow(RangeError);
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
  it.each(faults)('maps the backend status %s (%s) to %s, with no page and nothing left behind', async (status, source, code) => {
    const scanner = new SaneScanner(sane.options({ extraArgs: ['--read-return-value', status] }));
    const outcome = await runScan(scanner, source === 'flatbed' ? FLATBED : FEEDER);
    expect(errorCode(outcome.error)).toBe(code);
    expect(outcome.pages).toHaveLength(0);
    expect(await sane.leftovers()).toBe(0);
  });

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
    await expect(new SaneScannerProvider({ scanimagePath: join(sane.configDir, 'nope') }).list()).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
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

describe('scanimage output parsing', () => {
  it('parses scanimage -L', () => {
    const out = [
      "device `test:0' is a Noname frontend-tester virtual device",
      "device `fujitsu:fi-7160:12345' is a FUJITSU fi-7160 scanner",
      "device `airscan:e0:HP LaserJet MFP M234sdw' is a eSCL HP LaserJet MFP M234sdw ip=192.168.1.20",
      '',
      'No scanners were identified.',
    ].join('\n');
    expect(parseSaneDeviceList(out)).toEqual([
      { device: 'test:0', description: 'Noname frontend-tester virtual device' },
      { device: 'fujitsu:fi-7160:12345', description: 'FUJITSU fi-7160 scanner' },
      { device: 'airscan:e0:HP LaserJet MFP M234sdw', description: 'eSCL HP LaserJet MFP M234sdw ip=192.168.1.20' },
    ]);
  });

  it('parses option lines: lists, ranges with units, booleans, inactive ones', () => {
    const options = parseSaneOptions(
      [
        "All options specific to device `test:0':",
        '  Scan Mode:',
        '    --mode Gray|Color [Gray]',
        '        Selects the scan mode.',
        '    --three-pass[=(yes|no)] [inactive]',
        '    --resolution 1..1200dpi (in steps of 1) [50]',
        '    --source Flatbed|Automatic Document Feeder [Flatbed]',
        '    --three-pass-order RGB|RBG|GBR [inactive]',
        '    -x 0..215.9mm [215.9]',
        '    --int <int> [42] [advanced]',
        '    --print-options',
      ].join('\n'),
    );
    const by = (name: string): (typeof options)[number] | undefined => options.find((o) => o.name === name);
    expect(by('--mode')).toMatchObject({ values: ['Gray', 'Color'], current: 'Gray', inactive: false });
    expect(by('--three-pass')).toMatchObject({ values: ['yes', 'no'], inactive: true });
    expect(by('--resolution')).toMatchObject({ range: { min: 1, max: 1200, step: 1 }, unit: 'dpi', current: '50' });
    expect(by('--source')?.values).toEqual(['Flatbed', 'Automatic Document Feeder']);
    expect(by('--three-pass-order')).toMatchObject({ inactive: true });
    expect(by('-x')).toMatchObject({ range: { min: 0, max: 215.9, step: null }, unit: 'mm' });
    expect(by('--int')).toMatchObject({ values: null, range: null, current: '42' });
    expect(by('--print-options')).toMatchObject({ values: null, current: null });
  });

  it('derives capabilities of a duplex document scanner', () => {
    const options = parseSaneOptions(
      [
        '  Standard:',
        '    --source Flatbed|ADF Front|ADF Back|ADF Duplex [ADF Front]',
        '    --mode Lineart|Halftone|Gray|Color [Lineart]',
        '    --resolution 75|100|150|200|300|600dpi [300]',
        '  Geometry:',
        '    -l 0..215.9mm (in steps of 0.0211639) [0]',
        '    -t 0..355.6mm (in steps of 0.0211639) [0]',
        '    -x 0..215.9mm (in steps of 0.0211639) [215.872]',
        '    -y 0..355.6mm (in steps of 0.0211639) [279.364]',
        '    --page-width 0..221.121mm (in steps of 0.0211639) [215.872]',
        '    --page-height 0..457.2mm (in steps of 0.0211639) [279.364]',
      ].join('\n'),
    );
    const { capabilities, plan } = saneCapabilities(options);
    expect(capabilities).toEqual({
      sources: ['flatbed', 'feeder'],
      duplex: true,
      resolutions: [75, 100, 150, 200, 300, 600],
      modes: ['color', 'gray', 'bw'],
      pageSizes: [
        { name: 'Legal', widthMm: 215.9, heightMm: 355.6 },
        { name: 'A4', widthMm: 210, heightMm: 297 },
        { name: 'Letter', widthMm: 215.9, heightMm: 279.4 },
        { name: 'A5', widthMm: 148, heightMm: 210 },
        { name: 'A6', widthMm: 105, heightMm: 148 },
      ],
    });
    expect(plan.sources).toEqual({ flatbed: 'Flatbed', feeder: 'ADF Front', duplex: 'ADF Duplex' });
    expect(plan.modes.bw).toEqual(['--mode', 'Lineart']);
    expect(plan.pageSizeOptions).toBe(true);
  });

  it('a device with only a feeder and a duplex switch', () => {
    const { capabilities, plan } = saneCapabilities(
      parseSaneOptions(['    --source ADF [ADF]', '    --mode Color|Gray [Color]', '    --resolution 100..600dpi [300]', '    --duplex[=(yes|no)] [no]'].join('\n')),
    );
    expect(capabilities.sources).toEqual(['feeder']);
    expect(capabilities.duplex).toBe(true);
    expect(capabilities.modes).toEqual(['color', 'gray']);
    expect(capabilities.resolutions).toEqual([100, 150, 200, 240, 300, 400, 600]);
    expect(plan.duplexArgs).toEqual(['--duplex=yes']);
  });

  it('classifies scanimage endings', () => {
    expect(classifySaneExit(0, 'Scanned page 3.\nscanimage: sane_start: Document feeder out of documents\n', 3)).toEqual({ fault: null });
    expect(classifySaneExit(7, 'scanimage: sane_start: Document feeder out of documents\n', 0)).toMatchObject({ fault: 'SCANNER_FEEDER_EMPTY' });
    expect(classifySaneExit(6, 'scanimage: sane_read: Document feeder jammed\n', 2)).toMatchObject({ fault: 'SCANNER_JAM' });
    expect(classifySaneExit(1, 'scanimage: open of device x:0 failed: Invalid argument\n', 0)).toMatchObject({ fault: 'DEVICE_UNAVAILABLE' });
    expect(classifySaneExit(9, 'scanimage: sane_read: Error during device I/O\n', 1)).toMatchObject({ fault: 'SCANNER_DISCONNECTED' });
    expect(classifySaneExit(3, '', 0)).toMatchObject({ fault: 'DEVICE_UNAVAILABLE' });
    expect(classifySaneExit(42, 'scanimage: something new\n', 0)).toMatchObject({ fault: 'DEVICE_UNAVAILABLE' });
    expect(classifySaneExit(0, 'scanimage: rounded value of br-x from 210 to 200\n', 1)).toEqual({ fault: null });
  });

  it('refuses device names that look like options', () => {
    expect(() => new SaneScanner({ device: '-L' })).toThrow(RangeError);
    expect(() => new SaneScanner({ device: ' ' })).toThrow(RangeError);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  buildScanSettings,
  parseEsclCapabilities,
  parseEsclStatus,
  parseScanSettings,
  PWG_NS,
  SCAN_NS,
} from './escl-protocol';
import { EsclScanner, EsclScannerProvider, esclRoot, faultFromStatus } from './escl-scanner';
import { EsclServer } from './escl-server';
import {
  errorCode,
  runScan,
  runScannerContract,
  runScannerFaultContract,
  type ScannerFaultHarness,
} from './scanner.contract';
import type { ScanRequest } from './scanner.port';
import { SimulatedScanner } from './simulated-scanner';
import { findAll, parseXml, textOf, XmlError } from './xml';

async function esclHarness(): Promise<
  ScannerFaultHarness & { server: EsclServer; twin: SimulatedScanner; scanner: EsclScanner }
> {
  const twin = new SimulatedScanner({ id: 'sim:escl', reloadFeeder: false });
  const server = await EsclServer.start({ scanner: twin, holdMs: 200 });
  const scanner = new EsclScanner({
    url: server.url,
    retryDelayMs: 20,
    requestTimeoutMs: 5_000,
    pageTimeoutMs: 10_000,
  });
  return {
    server,
    twin,
    scanner,
    honoursPageSize: true,
    loadFeeder: async (sheets) => {
      twin.loadPages(sheets);
      return sheets;
    },
    slowScanner: async () => {
      twin.pageDelayMs = 150;
      return scanner;
    },
    leftovers: async () => server.activeJobs + twin.activeJobs,
    jamAfter: async (pages) => twin.failNext('SCANNER_JAM', { afterPages: pages }),
    disconnectAfter: async (pages) => twin.disconnectAfter(pages),
    emptyFeeder: async () => twin.loadPages([]),
    coverOpen: async () => twin.failNext('SCANNER_COVER_OPEN'),
    dispose: async () => {
      twin.plugIn();
      await server.close();
    },
  };
}

runScannerContract('EsclScanner against the local eSCL server', esclHarness);
runScannerFaultContract('EsclScanner against the local eSCL server', esclHarness);

const FEEDER: ScanRequest = { source: 'feeder', duplex: false, resolution: 75, mode: 'gray', pageSize: 'A5' };

describe('EsclScanner and EsclServer', () => {
  let h: Awaited<ReturnType<typeof esclHarness>>;

  beforeEach(async () => {
    h = await esclHarness();
  });

  afterEach(async () => {
    await h.dispose();
  });

  it('speaks the protocol: capabilities, a job, NextDocument until 404, a status check of the ended job', async () => {
    h.twin.loadPages(2);
    const outcome = await runScan(h.scanner, FEEDER);
    expect(outcome.error).toBeNull();
    const calls = h.server.log.map((l) => `${l.method} ${l.path.replace(/[0-9a-f-]{36}/, 'ID')} ${l.status}`);
    expect(calls).toEqual([
      'GET /eSCL/ScannerCapabilities 200',
      'POST /eSCL/ScanJobs 201',
      'GET /eSCL/ScanJobs/ID/NextDocument 200',
      'GET /eSCL/ScanJobs/ID/NextDocument 200',
      'GET /eSCL/ScanJobs/ID/NextDocument 404',
      'GET /eSCL/ScannerStatus 200',
    ]);
    expect(h.server.jobs[0]).toMatchObject({ state: 'Completed', scanned: 2, transferred: 2, request: FEEDER });
  });

  it('waits through 503 while the scanner is busy with a slow page', async () => {
    h.twin.pageDelayMs = 500;
    h.twin.loadPages(1);
    const outcome = await runScan(h.scanner, FEEDER);
    expect(outcome.error).toBeNull();
    expect(outcome.pages).toHaveLength(1);
    expect(h.server.log.some((l) => l.status === 503)).toBe(true);
  });

  it('deletes the job on cancel', async () => {
    h.twin.pageDelayMs = 150;
    h.twin.loadPages(4);
    const controller = new AbortController();
    const outcome = await runScan(h.scanner, FEEDER, { signal: controller.signal, onPage: () => controller.abort() });
    expect(errorCode(outcome.error)).toBe('SCANNER_CANCELLED');
    expect(h.server.log.at(-1)).toMatchObject({ method: 'DELETE', status: 200 });
    expect(h.server.jobs[0]?.state).toBe('Canceled');
    expect(h.twin.lastJob?.state).toBe('cancelled');
  });

  it('duplex: fronts and backs alternate; JPEG when asked for', async () => {
    h.twin.loadPages(2);
    const jpegClient = new EsclScanner({ url: h.server.url, formats: ['image/jpeg'], retryDelayMs: 20 });
    const outcome = await runScan(jpegClient, { ...FEEDER, duplex: true });
    expect(outcome.error).toBeNull();
    expect(outcome.pages.map((p) => p.side)).toEqual(['front', 'back', 'front', 'back']);
    expect(outcome.pages.every((p) => p.mimeType === 'image/jpeg')).toBe(true);
    expect((await sharp(outcome.pages[0]?.bytes ?? new Uint8Array()).metadata()).format).toBe('jpeg');
  });

  it('the status shows a jam and the aborted job', async () => {
    h.twin.loadPages(3);
    h.twin.failNext('SCANNER_JAM', { afterPages: 1 });
    await runScan(h.scanner, FEEDER);
    const status = await h.scanner.status();
    expect(status.adfState).toBe('ScannerAdfJam');
    expect(status.jobs[0]).toMatchObject({ state: 'Aborted', reasons: ['AdfJam'], imagesCompleted: 1 });
    expect(faultFromStatus(status, status.jobs[0])).toBe('SCANNER_JAM');
  });

  it('a server that is gone is DEVICE_UNAVAILABLE', async () => {
    const url = h.server.url;
    await h.server.close();
    const scanner = new EsclScanner({ url, requestTimeoutMs: 2_000 });
    await expect(scanner.capabilities()).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
    expect(errorCode((await runScan(scanner, FEEDER)).error)).toBe('DEVICE_UNAVAILABLE');
    h = await esclHarness();
  });

  it('provider lists configured scanners by root', async () => {
    const provider = new EsclScannerProvider([{ url: h.server.url, name: 'Máy quét tầng 1' }]);
    const [info] = await provider.list();
    expect(info).toEqual({ id: `escl:${h.server.url}`, name: 'Máy quét tầng 1', kind: 'escl' });
    expect(provider.open(info?.id ?? '')).toBeInstanceOf(EsclScanner);
    expect(() => provider.open('escl:http://elsewhere/eSCL')).toThrow(RangeError);
  });
});

/** A stand-in device with its own quirks: relative job URLs, refusing jobs, odd answers. */
interface QuirkyAnswer {
  status: number;
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

async function quirkyDevice(
  handler: (method: string, path: string) => QuirkyAnswer,
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = handler(req.method ?? 'GET', req.url ?? '/');
      res.writeHead(answer.status, answer.headers ?? {});
      res.end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/eSCL/`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

const HP_LIKE_CAPABILITIES = `<?xml version="1.0" encoding="UTF-8"?>
<!-- trimmed from a small office MFP -->
<scan:ScannerCapabilities xmlns:scan="${SCAN_NS}" xmlns:pwg="${PWG_NS}">
  <pwg:Version>2.6</pwg:Version>
  <pwg:MakeAndModel>HP LaserJet MFP M234sdw &amp; co</pwg:MakeAndModel>
  <scan:Platen>
    <scan:PlatenInputCaps>
      <scan:MinWidth>8</scan:MinWidth><scan:MaxWidth>2550</scan:MaxWidth>
      <scan:MinHeight>8</scan:MinHeight><scan:MaxHeight>3508</scan:MaxHeight>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes><scan:ColorMode>BlackAndWhite1</scan:ColorMode><scan:ColorMode>Grayscale8</scan:ColorMode><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
        <scan:DocumentFormats><pwg:DocumentFormat>application/pdf</pwg:DocumentFormat><pwg:DocumentFormat>image/jpeg</pwg:DocumentFormat></scan:DocumentFormats>
        <scan:SupportedResolutions><scan:ResolutionRange>
          <scan:XResolutionRange><scan:Min>75</scan:Min><scan:Max>600</scan:Max><scan:Normal>300</scan:Normal><scan:Step>1</scan:Step></scan:XResolutionRange>
          <scan:YResolutionRange><scan:Min>75</scan:Min><scan:Max>600</scan:Max><scan:Normal>300</scan:Normal><scan:Step>1</scan:Step></scan:YResolutionRange>
        </scan:ResolutionRange></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
    </scan:PlatenInputCaps>
  </scan:Platen>
  <scan:Adf>
    <scan:AdfSimplexInputCaps>
      <scan:MaxWidth>2550</scan:MaxWidth><scan:MaxHeight>4200</scan:MaxHeight>
      <scan:SettingProfiles><scan:SettingProfile>
        <scan:ColorModes><scan:ColorMode>Grayscale8</scan:ColorMode><scan:ColorMode>RGB24</scan:ColorMode></scan:ColorModes>
        <scan:SupportedResolutions><scan:DiscreteResolutions>
          <scan:DiscreteResolution><scan:XResolution>150</scan:XResolution><scan:YResolution>150</scan:YResolution></scan:DiscreteResolution>
          <scan:DiscreteResolution><scan:XResolution>300</scan:XResolution><scan:YResolution>300</scan:YResolution></scan:DiscreteResolution>
        </scan:DiscreteResolutions></scan:SupportedResolutions>
      </scan:SettingProfile></scan:SettingProfiles>
    </scan:AdfSimplexInputCaps>
    <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption><scan:AdfOption>Duplex</scan:AdfOption></scan:AdfOptions>
  </scan:Adf>
</scan:ScannerCapabilities>`;

const STATUS_ADF_EMPTY = `<?xml version="1.0"?><scan:ScannerStatus xmlns:scan="${SCAN_NS}" xmlns:pwg="${PWG_NS}"><pwg:Version>2.6</pwg:Version><pwg:State>Idle</pwg:State><scan:AdfState>ScannerAdfEmpty</scan:AdfState></scan:ScannerStatus>`;

describe('EsclScanner against other device behaviour', () => {
  it('reads capabilities with resolution ranges, PDF/JPEG formats and an ADF duplex option', () => {
    const { capabilities, makeAndModel, formats } = parseEsclCapabilities(HP_LIKE_CAPABILITIES);
    expect(makeAndModel).toBe('HP LaserJet MFP M234sdw & co');
    expect(formats).toEqual(['application/pdf', 'image/jpeg']);
    expect(capabilities).toMatchObject({
      sources: ['flatbed', 'feeder'],
      duplex: true,
      modes: ['color', 'gray', 'bw'],
    });
    expect(capabilities.resolutions).toEqual([75, 100, 150, 200, 240, 300, 400, 600]);
    expect(capabilities.pageSizes.map((s) => s.name)).toEqual(['Legal', 'A4', 'Letter', 'A5', 'A6']);
  });

  it('follows a relative Location, asks for JPEG, and maps a refused job with AdfEmpty to SCANNER_FEEDER_EMPTY', async () => {
    let posted = 0;
    const device = await quirkyDevice((method, path): QuirkyAnswer => {
      if (path === '/eSCL/ScannerCapabilities') return { status: 200, body: HP_LIKE_CAPABILITIES };
      if (path === '/eSCL/ScannerStatus') return { status: 200, body: STATUS_ADF_EMPTY };
      if (method === 'POST') {
        posted += 1;
        return { status: 409 };
      }
      return { status: 404 };
    });
    try {
      const scanner = new EsclScanner({ url: device.url });
      expect(scanner.root).toBe(device.url.replace(/\/$/, ''));
      const outcome = await runScan(scanner, { source: 'feeder', duplex: false, resolution: 150, mode: 'gray' });
      expect(errorCode(outcome.error)).toBe('SCANNER_FEEDER_EMPTY');
      expect(posted).toBe(1);
    } finally {
      await device.close();
    }
  });

  it('takes a relative job URL and a JPEG page', async () => {
    const jpeg = new Uint8Array(
      await sharp({ create: { width: 40, height: 60, channels: 3, background: '#fff' } })
        .jpeg()
        .toBuffer(),
    );
    let served = 0;
    const device = await quirkyDevice((method, path): QuirkyAnswer => {
      if (path === '/eSCL/ScannerCapabilities') return { status: 200, body: HP_LIKE_CAPABILITIES };
      if (method === 'POST') return { status: 201, headers: { Location: '/eSCL/ScanJobs/42' } };
      if (path === '/eSCL/ScanJobs/42/NextDocument') {
        served += 1;
        return served === 1 ? { status: 200, body: jpeg, headers: { 'Content-Type': 'image/jpeg' } } : { status: 404 };
      }
      return { status: 404 };
    });
    try {
      const outcome = await runScan(new EsclScanner({ url: device.url }), {
        source: 'flatbed',
        duplex: false,
        resolution: 300,
        mode: 'color',
      });
      expect(outcome.error).toBeNull();
      expect(outcome.pages).toHaveLength(1);
      expect(outcome.pages[0]?.mimeType).toBe('image/jpeg');
    } finally {
      await device.close();
    }
  });

  it('a page that is not an image is DEVICE_UNAVAILABLE, and the job is deleted', async () => {
    const calls: string[] = [];
    const device = await quirkyDevice((method, path): QuirkyAnswer => {
      calls.push(`${method} ${path}`);
      if (path === '/eSCL/ScannerCapabilities') return { status: 200, body: HP_LIKE_CAPABILITIES };
      if (method === 'POST') return { status: 201, headers: { Location: 'ScanJobs/7' } };
      if (path === '/eSCL/ScanJobs/7/NextDocument') return { status: 200, body: 'not an image' };
      return { status: 200 };
    });
    try {
      const outcome = await runScan(new EsclScanner({ url: device.url }), {
        source: 'flatbed',
        duplex: false,
        resolution: 300,
        mode: 'color',
      });
      expect(errorCode(outcome.error)).toBe('DEVICE_UNAVAILABLE');
      expect(calls).toContain('DELETE /eSCL/ScanJobs/7');
    } finally {
      await device.close();
    }
  });

  it('normalises configured addresses', () => {
    expect(esclRoot('http://192.168.1.20')).toBe('http://192.168.1.20/eSCL');
    expect(esclRoot('http://192.168.1.20:8080/eSCL/')).toBe('http://192.168.1.20:8080/eSCL');
    expect(esclRoot('https://scanner.local/escl')).toBe('https://scanner.local/escl');
    expect(() => esclRoot('ftp://x')).toThrow(RangeError);
    expect(() => esclRoot('not a url')).toThrow(RangeError);
  });

  it('scan settings survive a round trip, with scan: or pwg: prefixes', () => {
    const xml = buildScanSettings(
      { source: 'feeder', duplex: true, resolution: 300, mode: 'bw' },
      { name: 'A4', widthMm: 210, heightMm: 297 },
      'image/png',
    );
    expect(parseScanSettings(xml)).toEqual({
      source: 'feeder',
      duplex: true,
      resolution: 300,
      mode: 'bw',
      widthMm: 210,
      heightMm: 297,
      format: 'image/png',
    });
    const scanPrefixed = xml.replace(/pwg:InputSource/g, 'scan:InputSource').replace('Feeder', 'Platen');
    expect(parseScanSettings(scanPrefixed).source).toBe('flatbed');
  });

  it('reads status documents', () => {
    const status = parseEsclStatus(STATUS_ADF_EMPTY);
    expect(status).toEqual({ state: 'Idle', adfState: 'ScannerAdfEmpty', jobs: [] });
    expect(faultFromStatus(status, undefined)).toBe('SCANNER_FEEDER_EMPTY');
    expect(faultFromStatus({ state: 'Idle', adfState: 'ScannerAdfDoorOpen', jobs: [] }, undefined)).toBe(
      'SCANNER_COVER_OPEN',
    );
    expect(faultFromStatus({ state: 'Down', adfState: undefined, jobs: [] }, undefined)).toBe('DEVICE_UNAVAILABLE');
    expect(faultFromStatus({ state: 'Idle', adfState: 'ScannerAdfLoaded', jobs: [] }, undefined)).toBeNull();
  });
});

describe('xml reader', () => {
  it('reads elements, attributes, entities, CDATA and comments', () => {
    const root = parseXml(
      `<?xml version="1.0"?><!-- c --><a:root xmlns:a="x" k='v &amp; w'><a:item>1 &lt; 2</a:item><item><![CDATA[<raw>]]></item><empty/>&#x1EA0;</a:root>`,
    );
    expect(root.local).toBe('root');
    expect(root.attributes.k).toBe('v & w');
    expect(findAll(root, 'item').map((e) => e.text)).toEqual(['1 < 2', '<raw>']);
    expect(textOf(root, 'empty')).toBe('');
    expect(root.text).toBe('Ạ');
  });

  it('rejects malformed documents', () => {
    for (const bad of ['', '<a>', '<a></b>', '<a/><b/>', 'text<a/>', '<a><!-- x</a>']) {
      expect(() => parseXml(bad), bad).toThrow(XmlError);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import sharp from 'sharp';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import { esclColorMode, mmToEscl, parseScanSettings, PWG_NS, SCAN_NS } from './escl-protocol';
import { Waker } from './scan-progress';
import { checkScanRequest } from './scan-request';
import type { ScanRequest, ScannedPage, ScannerCapabilities } from './scanner.port';
import { SimulatedScanner } from './simulated-scanner';
import { escapeXmlText } from './xml';

/**
 * A local eSCL scanner (node:http on 127.0.0.1) backed by a `SimulatedScanner`: what the eSCL
 * client is tested against, and what training mode can point a network-scanner setup at. Faults
 * come from the twin's controls (`server.scanner.failNext(...)`, `disconnectAfter(n)`):
 *
 * - a jam or open cover: `NextDocument` answers 409 and `ScannerStatus` shows `ScannerAdfJam` /
 *   `ScannerAdfDoorOpen` with the job `Aborted`; pages scanned before it are still delivered;
 * - an empty feeder at the start: the job is created, the first `NextDocument` answers 404 and
 *   the status shows `ScannerAdfEmpty`;
 * - a disconnect: from then on every connection is dropped without an answer (a device gone
 *   from the network), until `server.scanner.plugIn()`.
 *
 * It scans one page ahead of the client; `NextDocument` waits up to `holdMs` for a page and
 * answers 503 (busy, ask again) when none is ready yet.
 */
export interface EsclServerOptions {
  scanner?: SimulatedScanner;
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** How long NextDocument waits for a page before answering 503; default 500 ms. */
  holdMs?: number;
  makeAndModel?: string;
}

export type EsclJobState = 'Pending' | 'Processing' | 'Completed' | 'Canceled' | 'Aborted';

export interface EsclServerJob {
  id: string;
  /** Path of the job, `/eSCL/ScanJobs/<id>`. */
  uri: string;
  request: ScanRequest;
  format: string;
  state: EsclJobState;
  reason: string;
  /** Pages the scanner produced / the client fetched. */
  scanned: number;
  transferred: number;
  fault: DeviceErrorCode | null;
  createdAt: Date;
}

interface JobRuntime {
  job: EsclServerJob;
  abort: AbortController;
  queue: Uint8Array[];
  finished: boolean;
  pageReady: Waker;
  room: Waker;
  pump: Promise<void>;
}

export interface EsclRequestLogEntry {
  method: string;
  path: string;
  status: number;
}

const FORMATS = ['image/png', 'image/jpeg', 'image/tiff'];

export class EsclServer {
  readonly scanner: SimulatedScanner;
  /** Every request answered (dropped connections have status 0), oldest first. */
  readonly log: EsclRequestLogEntry[] = [];
  private readonly server: Server;
  private readonly holdMs: number;
  private readonly makeAndModel: string;
  private readonly runtimes = new Map<string, JobRuntime>();
  private lastFault: DeviceErrorCode | null = null;
  private origin = '';

  private constructor(options: EsclServerOptions) {
    this.scanner = options.scanner ?? new SimulatedScanner({ id: 'sim:escl', name: 'Máy quét mạng mô phỏng' });
    this.holdMs = options.holdMs ?? 500;
    this.makeAndModel = options.makeAndModel ?? 'Một Cửa Simulated eSCL Scanner';
    this.server = createServer((req, res) => {
      void this.handle(req, res).catch(() => {
        if (!res.headersSent) this.send(req, res, 500, 'text/plain', 'internal error');
        else res.destroy();
      });
    });
  }

  /** Starts listening; resolves once the port is known. */
  static async start(options: EsclServerOptions = {}): Promise<EsclServer> {
    const server = new EsclServer(options);
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.server.off('error', reject);
        resolve();
      });
    });
    const address = server.server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    server.origin = `http://${host}:${address.port}`;
    return server;
  }

  /** The eSCL root to give a client, e.g. `http://127.0.0.1:40123/eSCL`. */
  get url(): string {
    return `${this.origin}/eSCL`;
  }

  get jobs(): readonly EsclServerJob[] {
    return [...this.runtimes.values()].map((r) => r.job);
  }

  /** Jobs still pending or processing. */
  get activeJobs(): number {
    return this.jobs.filter((j) => j.state === 'Pending' || j.state === 'Processing').length;
  }

  async close(): Promise<void> {
    for (const runtime of this.runtimes.values()) runtime.abort.abort();
    await Promise.all([...this.runtimes.values()].map((r) => r.pump));
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname.replace(/\/+$/, '');
    if (!this.scanner.plugged) {
      this.drop(req, res, path);
      return;
    }
    const method = req.method ?? 'GET';
    if (method === 'GET' && path === '/eSCL/ScannerCapabilities') {
      this.send(req, res, 200, 'text/xml; charset=utf-8', this.capabilitiesXml(await this.scanner.capabilities()));
      return;
    }
    if (method === 'GET' && path === '/eSCL/ScannerStatus') {
      this.send(req, res, 200, 'text/xml; charset=utf-8', this.statusXml());
      return;
    }
    if (method === 'POST' && path === '/eSCL/ScanJobs') {
      await this.createJob(req, res);
      return;
    }
    const jobMatch = /^\/eSCL\/ScanJobs\/([\w-]+)(\/NextDocument)?$/.exec(path);
    const runtime = jobMatch?.[1] === undefined ? undefined : this.runtimes.get(jobMatch[1]);
    if (jobMatch !== null && method === 'GET' && jobMatch[2] !== undefined) {
      if (runtime === undefined) this.send(req, res, 404, 'text/plain', 'no such job');
      else await this.nextDocument(runtime, req, res);
      return;
    }
    if (jobMatch !== null && method === 'DELETE' && jobMatch[2] === undefined) {
      if (runtime === undefined) {
        this.send(req, res, 404, 'text/plain', 'no such job');
        return;
      }
      if (runtime.job.state === 'Pending' || runtime.job.state === 'Processing') {
        runtime.abort.abort();
        runtime.room.notify();
        await runtime.pump;
        runtime.job.state = 'Canceled';
        runtime.job.reason = 'JobCanceledByUser';
      }
      this.send(req, res, 200, 'text/plain', '');
      return;
    }
    this.send(req, res, 404, 'text/plain', 'not found');
  }

  private async createJob(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    let request: ScanRequest;
    let format: string;
    const caps = await this.scanner.capabilities();
    try {
      const settings = parseScanSettings(body);
      if (settings.mode === null) throw new RangeError('unknown ColorMode');
      const pageSize = caps.pageSizes.find(
        (s) =>
          settings.widthMm !== null &&
          settings.heightMm !== null &&
          Math.abs(s.widthMm - settings.widthMm) <= 2 &&
          Math.abs(s.heightMm - settings.heightMm) <= 2,
      );
      request = {
        source: settings.source,
        duplex: settings.duplex,
        resolution: settings.resolution,
        mode: settings.mode,
        ...(pageSize === undefined ? {} : { pageSize: pageSize.name }),
      };
      checkScanRequest(request, caps);
      format = settings.format ?? 'image/jpeg';
      if (!FORMATS.includes(format)) throw new RangeError(`unsupported format ${format}`);
    } catch (error) {
      this.send(req, res, 409, 'text/plain', `bad scan settings: ${(error as Error).message}`);
      return;
    }
    if (this.activeJobs > 0) {
      this.send(req, res, 503, 'text/plain', 'busy');
      return;
    }
    const id = randomUUID();
    const job: EsclServerJob = {
      id,
      uri: `/eSCL/ScanJobs/${id}`,
      request,
      format,
      state: 'Processing',
      reason: 'JobScanning',
      scanned: 0,
      transferred: 0,
      fault: null,
      createdAt: new Date(),
    };
    this.lastFault = null;
    const runtime: JobRuntime = {
      job,
      abort: new AbortController(),
      queue: [],
      finished: false,
      pageReady: new Waker(),
      room: new Waker(),
      pump: Promise.resolve(),
    };
    this.runtimes.set(id, runtime);
    runtime.pump = this.pump(runtime);
    res.setHeader('Location', `${this.origin}${job.uri}`);
    this.send(req, res, 201, 'text/plain', '');
  }

  /** Runs the twin's scan for a job, one page ahead of the client. */
  private async pump(runtime: JobRuntime): Promise<void> {
    const { job, abort } = runtime;
    const iterator = this.scanner.scan(job.request, { signal: abort.signal })[Symbol.asyncIterator]();
    let done = false;
    try {
      for (;;) {
        while (runtime.queue.length > 0 && !abort.signal.aborted) await runtime.room.wait(1_000, abort.signal);
        if (abort.signal.aborted) break;
        const next = await iterator.next();
        if (next.done === true) {
          done = true;
          break;
        }
        runtime.queue.push(await encode(next.value, job.format));
        job.scanned += 1;
        runtime.pageReady.notify();
      }
      if (!abort.signal.aborted && runtime.queue.length === 0) this.complete(job);
    } catch (error) {
      done = true;
      const code = error instanceof DeviceError ? error.code : 'DEVICE_UNAVAILABLE';
      if (code === 'SCANNER_CANCELLED') {
        job.state = 'Canceled';
        job.reason = 'JobCanceledByUser';
      } else {
        job.fault = code;
        this.lastFault = code;
        job.state = 'Aborted';
        job.reason =
          code === 'SCANNER_JAM'
            ? 'AdfJam'
            : code === 'SCANNER_COVER_OPEN'
              ? 'AdfDoorOpen'
              : code === 'SCANNER_FEEDER_EMPTY'
                ? 'AdfEmpty'
                : 'JobAbortedBySystem';
      }
    } finally {
      if (!done) await iterator.return?.(undefined);
      runtime.finished = true;
      runtime.pageReady.notify();
    }
  }

  private complete(job: EsclServerJob): void {
    if (job.state !== 'Processing') return;
    job.state = 'Completed';
    job.reason = 'JobCompletedSuccessfully';
  }

  private async nextDocument(runtime: JobRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { job } = runtime;
    const gone = new AbortController();
    res.on('close', () => gone.abort());
    const deadline = Date.now() + this.holdMs;
    for (;;) {
      if (!this.scanner.plugged) {
        this.drop(req, res, job.uri);
        return;
      }
      const page = runtime.queue.shift();
      if (page !== undefined) {
        job.transferred += 1;
        runtime.room.notify();
        if (runtime.finished && runtime.queue.length === 0 && job.fault === null) this.complete(job);
        this.send(req, res, 200, job.format, page);
        return;
      }
      if (runtime.finished || job.state === 'Canceled') {
        if (job.fault === null || job.fault === 'SCANNER_FEEDER_EMPTY') {
          this.send(req, res, 404, 'text/plain', 'no more documents');
        } else {
          this.send(
            req,
            res,
            job.fault === 'SCANNER_JAM' || job.fault === 'SCANNER_COVER_OPEN' ? 409 : 500,
            'text/plain',
            job.fault,
          );
        }
        return;
      }
      const remaining = deadline - Date.now();
      if (remaining <= 0 || gone.signal.aborted) {
        if (!gone.signal.aborted) this.send(req, res, 503, 'text/plain', 'scanning');
        return;
      }
      await runtime.pageReady.wait(remaining, gone.signal);
    }
  }

  private adfState(): string {
    switch (this.lastFault) {
      case 'SCANNER_JAM':
        return 'ScannerAdfJam';
      case 'SCANNER_COVER_OPEN':
        return 'ScannerAdfDoorOpen';
      case 'SCANNER_FEEDER_EMPTY':
        return 'ScannerAdfEmpty';
      default:
        return this.scanner.feederCount > 0 ? 'ScannerAdfLoaded' : 'ScannerAdfEmpty';
    }
  }

  private statusXml(): string {
    const now = Date.now();
    const jobs = this.jobs
      .map((job) =>
        [
          '    <scan:JobInfo>',
          `      <pwg:JobUri>${job.uri}</pwg:JobUri>`,
          `      <pwg:JobUuid>urn:uuid:${job.id}</pwg:JobUuid>`,
          `      <scan:Age>${Math.floor((now - job.createdAt.getTime()) / 1000)}</scan:Age>`,
          `      <pwg:ImagesCompleted>${job.scanned}</pwg:ImagesCompleted>`,
          `      <pwg:ImagesToTransfer>${job.scanned - job.transferred}</pwg:ImagesToTransfer>`,
          `      <pwg:JobState>${job.state}</pwg:JobState>`,
          `      <pwg:JobStateReasons><pwg:JobStateReason>${job.reason}</pwg:JobStateReason></pwg:JobStateReasons>`,
          '    </scan:JobInfo>',
        ].join('\n'),
      )
      .join('\n');
    return [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<scan:ScannerStatus xmlns:scan="${SCAN_NS}" xmlns:pwg="${PWG_NS}">`,
      '  <pwg:Version>2.63</pwg:Version>',
      `  <pwg:State>${this.activeJobs > 0 ? 'Processing' : 'Idle'}</pwg:State>`,
      `  <scan:AdfState>${this.adfState()}</scan:AdfState>`,
      `  <scan:Jobs>${jobs === '' ? '' : `\n${jobs}\n  `}</scan:Jobs>`,
      '</scan:ScannerStatus>',
    ].join('\n');
  }

  private capabilitiesXml(caps: ScannerCapabilities): string {
    const largest = caps.pageSizes.reduce((a, b) => (b.widthMm * b.heightMm > a.widthMm * a.heightMm ? b : a));
    const inputCaps = (tag: string): string =>
      [
        `    <scan:${tag}>`,
        '      <scan:MinWidth>16</scan:MinWidth>',
        `      <scan:MaxWidth>${mmToEscl(largest.widthMm)}</scan:MaxWidth>`,
        '      <scan:MinHeight>16</scan:MinHeight>',
        `      <scan:MaxHeight>${mmToEscl(largest.heightMm)}</scan:MaxHeight>`,
        '      <scan:MaxScanRegions>1</scan:MaxScanRegions>',
        '      <scan:SettingProfiles>',
        '        <scan:SettingProfile>',
        '          <scan:ColorModes>',
        ...caps.modes.map((m) => `            <scan:ColorMode>${esclColorMode(m)}</scan:ColorMode>`),
        '          </scan:ColorModes>',
        '          <scan:DocumentFormats>',
        ...FORMATS.map((f) => `            <pwg:DocumentFormat>${f}</pwg:DocumentFormat>`),
        ...FORMATS.map((f) => `            <scan:DocumentFormatExt>${f}</scan:DocumentFormatExt>`),
        '          </scan:DocumentFormats>',
        '          <scan:SupportedResolutions>',
        '            <scan:DiscreteResolutions>',
        ...caps.resolutions.map(
          (r) =>
            `              <scan:DiscreteResolution><scan:XResolution>${r}</scan:XResolution><scan:YResolution>${r}</scan:YResolution></scan:DiscreteResolution>`,
        ),
        '            </scan:DiscreteResolutions>',
        '          </scan:SupportedResolutions>',
        '        </scan:SettingProfile>',
        '      </scan:SettingProfiles>',
        '      <scan:SupportedIntents><scan:Intent>Document</scan:Intent><scan:Intent>TextAndGraphic</scan:Intent><scan:Intent>Photo</scan:Intent></scan:SupportedIntents>',
        `    </scan:${tag}>`,
      ].join('\n');
    const parts = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      `<scan:ScannerCapabilities xmlns:scan="${SCAN_NS}" xmlns:pwg="${PWG_NS}">`,
      '  <pwg:Version>2.63</pwg:Version>',
      `  <pwg:MakeAndModel>${escapeXmlText(this.makeAndModel)}</pwg:MakeAndModel>`,
      `  <scan:UUID>${escapeXmlText(this.scanner.info.id)}</scan:UUID>`,
    ];
    if (caps.sources.includes('flatbed'))
      parts.push('  <scan:Platen>', inputCaps('PlatenInputCaps'), '  </scan:Platen>');
    if (caps.sources.includes('feeder')) {
      parts.push('  <scan:Adf>', inputCaps('AdfSimplexInputCaps'));
      if (caps.duplex) parts.push(inputCaps('AdfDuplexInputCaps'));
      parts.push(
        '    <scan:FeederCapacity>50</scan:FeederCapacity>',
        `    <scan:AdfOptions><scan:AdfOption>DetectPaperLoaded</scan:AdfOption>${caps.duplex ? '<scan:AdfOption>Duplex</scan:AdfOption>' : ''}</scan:AdfOptions>`,
        '  </scan:Adf>',
      );
    }
    parts.push('</scan:ScannerCapabilities>');
    return parts.join('\n');
  }

  private send(
    req: IncomingMessage,
    res: ServerResponse,
    status: number,
    type: string,
    body: string | Uint8Array,
  ): void {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    this.log.push({ method: req.method ?? 'GET', path, status });
    const bytes =
      typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    res.writeHead(status, {
      'Content-Type': type,
      'Content-Length': String(bytes.length),
      'Cache-Control': 'no-cache',
    });
    res.end(bytes);
  }

  private drop(req: IncomingMessage, res: ServerResponse, path: string): void {
    this.log.push({ method: req.method ?? 'GET', path, status: 0 });
    res.destroy();
    req.socket.destroy();
  }
}

/** Starts a local eSCL server (see `EsclServer`). */
export function startEsclServer(options: EsclServerOptions = {}): Promise<EsclServer> {
  return EsclServer.start(options);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

async function encode(page: ScannedPage, format: string): Promise<Uint8Array> {
  const wanted = format === 'image/jpeg' ? 'jpeg' : format === 'image/tiff' ? 'tiff' : 'png';
  if (page.mimeType === format) return page.bytes;
  const image = sharp(page.bytes);
  const out =
    wanted === 'jpeg'
      ? await image.jpeg({ quality: 85 }).toBuffer()
      : wanted === 'tiff'
        ? await image.tiff().toBuffer()
        : await image.png().toBuffer();
  return new Uint8Array(out);
}

import sharp from 'sharp';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import {
  buildScanSettings,
  parseEsclCapabilities,
  parseEsclStatus,
  type EsclCapabilities,
  type EsclJobInfo,
  type EsclStatus,
} from './escl-protocol';
import { sniffFormat } from './image-files';
import { oneLine } from '../one-line';
import { cancelledError, progressReporter, sleep } from './scan-progress';
import { checkScanRequest } from './scan-request';
import type {
  ScanOptions,
  ScanRequest,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerInfo,
  ScannerProvider,
} from './scanner.port';

export interface EsclScannerOptions {
  /**
   * The scanner's eSCL root, e.g. `http://192.168.1.20/eSCL` (what mDNS `_uscan._tcp` announces as
   * host, port and `rs=`). A URL without a path gets `/eSCL` added.
   */
  url: string;
  /** Display name; default the device's MakeAndModel once known, else `eSCL <host>`. */
  name?: string;
  /** Limit for one ordinary request (capabilities, status, new job, delete); default 30 s. */
  requestTimeoutMs?: number;
  /** Longest wait for one page, 503 retries included; default 120 s. */
  pageTimeoutMs?: number;
  /** Pause before asking again after `503 Service Unavailable`; default 300 ms. */
  retryDelayMs?: number;
  /** Preferred document formats, first offered wins; default PNG, JPEG, TIFF. */
  formats?: readonly string[];
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
const DEFAULT_PAGE_TIMEOUT_MS = 120_000;
const DELETE_TIMEOUT_MS = 5_000;
const DEFAULT_FORMATS = ['image/png', 'image/jpeg', 'image/tiff'];

/** Normalises a configured address to the eSCL root (no trailing slash). */
export function esclRoot(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RangeError(`eSCL address "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new RangeError(`eSCL address "${url}" must be http or https`);
  const path = parsed.pathname.replace(/\/+$/, '');
  parsed.pathname = path === '' ? '/eSCL' : path;
  parsed.search = '';
  parsed.hash = '';
  return parsed.toString().replace(/\/+$/, '');
}

interface HttpAnswer {
  status: number;
  headers: Headers;
  body: Uint8Array;
}

type Failure = { kind: 'cancelled' } | { kind: 'timeout' } | { kind: 'network'; detail: string };

class RequestFailed extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind);
  }
}

/** Which device condition a status document shows, if any. */
export function faultFromStatus(status: EsclStatus, job: EsclJobInfo | undefined): DeviceErrorCode | null {
  const adf = status.adfState ?? '';
  const reasons = (job?.reasons ?? []).join(' ');
  if (/jam|mispick/i.test(adf) || /jam/i.test(reasons)) return 'SCANNER_JAM';
  if (/dooropen|hatchopen|coveropen/i.test(adf) || /(door|cover|hatch)open/i.test(reasons)) return 'SCANNER_COVER_OPEN';
  if (/adfempty/i.test(adf) || /inputtrayempty|mediaempty|noinput/i.test(reasons)) return 'SCANNER_FEEDER_EMPTY';
  if (/^(down|stopped)$/i.test(status.state)) return 'DEVICE_UNAVAILABLE';
  return null;
}

/**
 * A driverless network scanner (eSCL / Mopria / AirScan) over HTTP with `fetch`: capabilities,
 * a scan job per `scan()`, `NextDocument` until 404, `ScannerStatus` to explain failures, and
 * `DELETE` of the job on cancel or on any failure, so the device is not left with a job.
 */
export class EsclScanner implements Scanner {
  readonly info: ScannerInfo;
  readonly root: string;
  private readonly requestTimeoutMs: number;
  private readonly pageTimeoutMs: number;
  private readonly retryDelayMs: number;
  private readonly formats: readonly string[];
  private caps: Promise<EsclCapabilities> | null = null;

  constructor(options: EsclScannerOptions) {
    this.root = esclRoot(options.url);
    this.info = { id: `escl:${this.root}`, name: options.name ?? `eSCL ${new URL(this.root).host}`, kind: 'escl' };
    this.requestTimeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
    this.pageTimeoutMs = options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
    this.retryDelayMs = options.retryDelayMs ?? 300;
    this.formats = options.formats ?? DEFAULT_FORMATS;
  }

  async capabilities(): Promise<ScannerCapabilities> {
    return structuredClone((await this.loadCapabilities()).capabilities);
  }

  /** The device's status document (for the device page and diagnostics). */
  async status(): Promise<EsclStatus> {
    const answer = await this.ask('GET', `${this.root}/ScannerStatus`, { timeoutMs: this.requestTimeoutMs }).catch(
      (error: unknown) => {
        throw this.beforeJobError(error, 'cannot read the scanner status');
      },
    );
    if (answer.status !== 200)
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: ScannerStatus answered ${answer.status}`);
    try {
      return parseEsclStatus(new TextDecoder().decode(answer.body));
    } catch (cause) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: unreadable ScannerStatus`, { cause });
    }
  }

  async *scan(req: ScanRequest, opts: ScanOptions = {}): AsyncGenerator<ScannedPage, void, undefined> {
    const signal = opts.signal;
    if (signal?.aborted) throw cancelledError(this.info.name);
    const escl = await this.loadCapabilities();
    const { pageSize } = checkScanRequest(req, escl.capabilities);
    const format =
      this.formats.find((f) => escl.formats.includes(f)) ?? (escl.formats.length === 0 ? 'image/jpeg' : null);
    if (format === null) {
      throw new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.info.name}: offers no image format this desk reads (${escl.formats.join(', ')})`,
      );
    }
    if (signal?.aborted) throw cancelledError(this.info.name);
    const report = progressReporter(opts);

    // The job request itself is not aborted midway (a job created but never answered would be
    // left on the device); an abort during it is seen by the first NextDocument, which deletes it.
    const jobUrl = await this.createJob(buildScanSettings(req, pageSize, format), signal);
    let finished = false;
    let index = 0;
    try {
      for (;;) {
        const page = await this.nextDocument(jobUrl, index, signal, report);
        if (page === null) {
          finished = true;
          await this.checkEndOfJob(jobUrl, index);
          return;
        }
        index += 1;
        const side = req.duplex && index % 2 === 0 ? 'back' : 'front';
        report(index, 'done');
        if (req.source === 'flatbed') finished = true;
        yield { index, side, bytes: page.bytes, mimeType: page.mimeType, resolution: req.resolution };
        if (req.source === 'flatbed') return;
      }
    } finally {
      if (!finished) await this.deleteJob(jobUrl);
    }
  }

  private loadCapabilities(): Promise<EsclCapabilities> {
    if (this.caps === null) {
      this.caps = this.readCapabilities();
      this.caps.catch(() => {
        this.caps = null;
      });
    }
    return this.caps;
  }

  private async readCapabilities(): Promise<EsclCapabilities> {
    let answer: HttpAnswer;
    try {
      answer = await this.ask('GET', `${this.root}/ScannerCapabilities`, { timeoutMs: this.requestTimeoutMs });
    } catch (error) {
      throw this.beforeJobError(error, 'cannot read the scanner capabilities');
    }
    if (answer.status !== 200) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: ScannerCapabilities answered ${answer.status}`);
    }
    try {
      return parseEsclCapabilities(new TextDecoder().decode(answer.body));
    } catch (cause) {
      throw new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.info.name}: unreadable ScannerCapabilities (${(cause as Error).message})`,
        { cause },
      );
    }
  }

  private async createJob(settings: string, signal: AbortSignal | undefined): Promise<string> {
    const started = Date.now();
    for (;;) {
      let answer: HttpAnswer;
      try {
        answer = await this.ask('POST', `${this.root}/ScanJobs`, {
          body: settings,
          timeoutMs: this.requestTimeoutMs,
          headers: { 'Content-Type': 'text/xml; charset=utf-8' },
        });
      } catch (error) {
        throw this.beforeJobError(error, 'cannot start a scan job');
      }
      if (answer.status === 201) {
        const location = answer.headers.get('location');
        if (location === null || location.trim() === '') {
          throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: the new scan job has no Location`);
        }
        return new URL(location.trim(), `${this.root}/`).toString().replace(/\/+$/, '');
      }
      if (answer.status === 503 && Date.now() - started < this.pageTimeoutMs) {
        await sleep(this.retryDelayMs, signal, this.info.name);
        continue;
      }
      const fault = await this.faultNow(undefined);
      const code: DeviceErrorCode = fault === null || fault === 'DEVICE_UNAVAILABLE' ? 'DEVICE_UNAVAILABLE' : fault;
      throw new DeviceError(
        code,
        `${this.info.name}: the scanner refused the scan job (HTTP ${answer.status}${fault === null ? '' : `, ${fault}`})`,
      );
    }
  }

  /** The next page, or null at the normal end of the job (404). */
  private async nextDocument(
    jobUrl: string,
    pagesSoFar: number,
    signal: AbortSignal | undefined,
    report: (page: number, phase: 'scanning' | 'transferring' | 'done') => void,
  ): Promise<{ bytes: Uint8Array; mimeType: string } | null> {
    const page = pagesSoFar + 1;
    const started = Date.now();
    report(page, 'scanning');
    for (;;) {
      const remaining = this.pageTimeoutMs - (Date.now() - started);
      if (remaining <= 0) {
        throw new DeviceError(
          pagesSoFar > 0 ? 'SCANNER_DISCONNECTED' : 'DEVICE_UNAVAILABLE',
          `${this.info.name}: no page from the scanner within ${this.pageTimeoutMs} ms`,
        );
      }
      let answer: HttpAnswer;
      try {
        answer = await this.ask('GET', `${jobUrl}/NextDocument`, {
          signal,
          timeoutMs: remaining,
          onHeaders: () => report(page, 'transferring'),
        });
      } catch (error) {
        throw this.duringJobError(error, pagesSoFar);
      }
      if (answer.status === 200) {
        if (answer.body.length === 0)
          throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: page ${page} arrived empty`);
        const format = sniffFormat(answer.body);
        const mimeType =
          format === 'png' ? 'image/png' : format === 'jpeg' ? 'image/jpeg' : format === 'tiff' ? 'image/tiff' : null;
        if (mimeType === null) {
          throw new DeviceError(
            'DEVICE_UNAVAILABLE',
            `${this.info.name}: page ${page} is not an image this desk reads (${answer.headers.get('content-type') ?? 'no type'})`,
          );
        }
        try {
          await sharp(answer.body).metadata();
        } catch (cause) {
          throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: page ${page} cannot be decoded`, { cause });
        }
        return { bytes: answer.body, mimeType };
      }
      if (answer.status === 503) {
        await sleep(Math.min(this.retryDelayMs, remaining), signal, this.info.name);
        continue;
      }
      if (answer.status === 404) {
        if (pagesSoFar > 0) return null;
        const fault = await this.faultNow(jobUrl);
        throw new DeviceError(
          fault === null ? 'SCANNER_FEEDER_EMPTY' : fault,
          `${this.info.name}: the job ended without a page${fault === null ? '' : ` (${fault})`}`,
        );
      }
      const fault = await this.faultNow(jobUrl);
      throw new DeviceError(
        fault ?? (pagesSoFar > 0 ? 'SCANNER_DISCONNECTED' : 'DEVICE_UNAVAILABLE'),
        `${this.info.name}: NextDocument answered HTTP ${answer.status}${fault === null ? '' : ` (${fault})`}`,
      );
    }
  }

  /** After the last page: a job the device aborted (jam after the last delivered page) is a fault. */
  private async checkEndOfJob(jobUrl: string, pages: number): Promise<void> {
    const status = await this.statusQuietly();
    if (status === null) return;
    const job = findJob(status, jobUrl);
    if (job === undefined || !/aborted/i.test(job.state)) return;
    const fault = faultFromStatus(status, job);
    if (fault !== null && fault !== 'SCANNER_FEEDER_EMPTY') {
      throw new DeviceError(fault, `${this.info.name}: the scanner aborted the job after ${pages} page(s) (${fault})`);
    }
  }

  private async faultNow(jobUrl: string | undefined): Promise<DeviceErrorCode | null> {
    const status = await this.statusQuietly();
    if (status === null) return null;
    return faultFromStatus(status, jobUrl === undefined ? undefined : findJob(status, jobUrl));
  }

  private async statusQuietly(): Promise<EsclStatus | null> {
    try {
      const answer = await this.ask('GET', `${this.root}/ScannerStatus`, {
        timeoutMs: Math.min(this.requestTimeoutMs, DELETE_TIMEOUT_MS),
      });
      return answer.status === 200 ? parseEsclStatus(new TextDecoder().decode(answer.body)) : null;
    } catch {
      return null;
    }
  }

  private async deleteJob(jobUrl: string): Promise<void> {
    try {
      await this.ask('DELETE', jobUrl, { timeoutMs: DELETE_TIMEOUT_MS });
    } catch {
      // The device is gone or the job already ended: nothing is left to clean up that we can reach.
    }
  }

  private beforeJobError(error: unknown, what: string): DeviceError {
    if (error instanceof DeviceError) return error;
    if (error instanceof RequestFailed) {
      if (error.failure.kind === 'cancelled') return cancelledError(this.info.name);
      const why =
        error.failure.kind === 'timeout' ? `no answer within ${this.requestTimeoutMs} ms` : error.failure.detail;
      return new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: ${what} at ${this.root} (${why})`);
    }
    return new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: ${what}`, { cause: error });
  }

  private duringJobError(error: unknown, pagesSoFar: number): DeviceError {
    if (error instanceof DeviceError) return error;
    if (error instanceof RequestFailed) {
      if (error.failure.kind === 'cancelled') return cancelledError(this.info.name);
      const why = error.failure.kind === 'timeout' ? 'no answer in time' : error.failure.detail;
      return new DeviceError(
        'SCANNER_DISCONNECTED',
        `${this.info.name}: lost the scanner after ${pagesSoFar} page(s) (${why})`,
      );
    }
    return new DeviceError('SCANNER_DISCONNECTED', `${this.info.name}: lost the scanner`, { cause: error });
  }

  private async ask(
    method: string,
    url: string,
    options: {
      body?: string;
      signal?: AbortSignal | undefined;
      timeoutMs: number;
      headers?: Record<string, string>;
      onHeaders?: () => void;
    },
  ): Promise<HttpAnswer> {
    if (options.signal?.aborted) throw new RequestFailed({ kind: 'cancelled' });
    const timeout = AbortSignal.timeout(Math.max(1, Math.round(options.timeoutMs)));
    const signal = options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
    try {
      const response = await fetch(url, {
        method,
        body: options.body ?? null,
        headers: { Accept: '*/*', ...options.headers },
        signal,
        redirect: 'follow',
      });
      if (response.status === 200) options.onHeaders?.();
      const body = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, headers: response.headers, body };
    } catch (error) {
      if (options.signal?.aborted) throw new RequestFailed({ kind: 'cancelled' });
      if (timeout.aborted) throw new RequestFailed({ kind: 'timeout' });
      throw new RequestFailed({ kind: 'network', detail: networkDetail(error) });
    }
  }
}

function networkDetail(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) {
    const code = (cause as NodeJS.ErrnoException).code;
    return oneLine(code === undefined ? cause.message : `${code}: ${cause.message}`);
  }
  return oneLine(error.message);
}

function findJob(status: EsclStatus, jobUrl: string): EsclJobInfo | undefined {
  const path = new URL(jobUrl).pathname.replace(/\/+$/, '');
  const uuid = path.split('/').at(-1);
  return status.jobs.find((j) => {
    const uri = j.uri.trim();
    if (uri === '') return j.uuid !== undefined && j.uuid.endsWith(uuid ?? '\u0000');
    const jobPath = (/^https?:/i.test(uri) ? new URL(uri).pathname : uri).replace(/\/+$/, '');
    return jobPath === path || (uuid !== undefined && jobPath.endsWith(`/${uuid}`));
  });
}

/** Network scanners configured by address (no discovery here: mDNS is the OS's business). */
export class EsclScannerProvider implements ScannerProvider {
  private readonly scanners: readonly EsclScanner[];

  constructor(scanners: readonly EsclScannerOptions[], defaults: Omit<EsclScannerOptions, 'url' | 'name'> = {}) {
    this.scanners = scanners.map((s) => new EsclScanner({ ...defaults, ...s }));
  }

  async list(): Promise<ScannerInfo[]> {
    return this.scanners.map((s) => ({ ...s.info }));
  }

  open(id: string): EsclScanner {
    const scanner = this.scanners.find((s) => s.info.id === id);
    if (scanner === undefined) throw new RangeError(`no configured eSCL scanner "${id}"`);
    return scanner;
  }
}

import { DeviceError, type DeviceErrorCode } from '../device-error';
import { FIXTURE_VARIANTS, fixtureText, renderFixturePage, type FixturePageOptions } from './fixture-pages';
import { sniffFormat } from './image-files';
import { cancelledError, progressReporter, sleep } from './scan-progress';
import { checkScanRequest, pageSizesWithin } from './scan-request';
import type {
  ScanOptions,
  ScanRequest,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerInfo,
  ScannerProvider,
} from './scanner.port';

/**
 * One side of a sheet in the twin: a generated page (rendered at the request's resolution, page
 * size and mode; `text` defaults to the sample dossier's sheet text) or fixed image bytes
 * (delivered unchanged).
 */
export type SimulatedSide =
  | (Omit<FixturePageOptions, 'dpi' | 'mode' | 'widthMm' | 'heightMm' | 'text'> & { text?: readonly string[] })
  | { image: Uint8Array; mimeType?: string; resolution?: number };

/** A sheet with both sides; a side given alone is a sheet with a blank back. */
export interface SimulatedSheet {
  front: SimulatedSide;
  back?: SimulatedSide;
}

export type SimulatedPage = SimulatedSide | SimulatedSheet;

/** The faults `failNext` can schedule. */
export type SimulatedScanFault = Extract<
  DeviceErrorCode,
  'SCANNER_JAM' | 'SCANNER_FEEDER_EMPTY' | 'SCANNER_COVER_OPEN' | 'DEVICE_UNAVAILABLE'
>;

export interface SimulatedScanJob {
  id: string;
  request: ScanRequest;
  startedAt: Date;
  endedAt: Date | null;
  state: 'scanning' | 'completed' | 'cancelled' | 'failed';
  /** Pages handed to the caller. */
  pages: number;
  error: DeviceErrorCode | null;
}

export interface SimulatedScannerOptions {
  /** Default `sim:1`. */
  id?: string;
  /** Default "Máy quét mô phỏng". */
  name?: string;
  /** Time each page takes (half scanning, half transferring); default 0. Training uses ~400 ms. */
  pageDelayMs?: number;
  /** Overrides of the default capabilities (flatbed + duplex feeder, 75-600 dpi, all modes, A4). */
  capabilities?: Partial<ScannerCapabilities>;
  /** The stack in the feeder at the start; default a three-sheet sample dossier. */
  feeder?: readonly SimulatedPage[];
  /** The sheet on the glass; default the first sheet of the sample dossier, stamped. */
  glass?: SimulatedPage | null;
  /**
   * Put the same stack back into the feeder after every batch (default true), so trainees can
   * scan again and again; false consumes fed sheets like a real feeder.
   */
  reloadFeeder?: boolean;
}

interface PendingFault {
  code: SimulatedScanFault | 'SCANNER_DISCONNECTED';
  afterPages: number;
  message: string | undefined;
}

export const SIMULATED_CAPABILITIES: Readonly<ScannerCapabilities> = {
  sources: ['flatbed', 'feeder'],
  duplex: true,
  resolutions: [75, 100, 150, 200, 300, 600],
  modes: ['color', 'gray', 'bw'],
  pageSizes: pageSizesWithin(216, 356),
};

/** The sample dossier: `count` sheets of known text, the second one skewed, the last stamped. */
export function sampleSheets(count = 3): SimulatedSheet[] {
  return Array.from({ length: count }, (_, i) => ({
    front: {
      text: fixtureText(i + 1, count),
      ...(i === 1 ? FIXTURE_VARIANTS.skewed : {}),
      ...(i === count - 1 && count > 1 ? { stamp: true } : {}),
    },
  }));
}

/**
 * The twin of a document scanner with a flatbed and a duplex feeder. Pages are generated with
 * `renderFixturePage`; test controls cause the faults real devices have. Behaves per `Scanner`'s
 * contract; training mode uses it instead of every real scanner.
 */
export class SimulatedScanner implements Scanner {
  readonly info: ScannerInfo;
  private readonly caps: ScannerCapabilities;
  /** Time each page takes (half scanning, half transferring); may be changed at any time. */
  pageDelayMs: number;
  private readonly reloadFeeder: boolean;
  private stack: SimulatedPage[];
  private feeder: SimulatedPage[];
  private glass: SimulatedPage | null;
  private readonly faults: PendingFault[] = [];
  private readonly history: SimulatedScanJob[] = [];
  private connected = true;
  private counter = 0;

  constructor(options: SimulatedScannerOptions = {}) {
    this.info = { id: options.id ?? 'sim:1', name: options.name ?? 'Máy quét mô phỏng', kind: 'simulated' };
    this.caps = { ...SIMULATED_CAPABILITIES, ...options.capabilities };
    this.pageDelayMs = Math.max(0, options.pageDelayMs ?? 0);
    this.reloadFeeder = options.reloadFeeder ?? true;
    this.stack = [...(options.feeder ?? sampleSheets())];
    this.feeder = [...this.stack];
    this.glass = options.glass === undefined ? { front: { text: fixtureText(1, 1), stamp: true } } : options.glass;
  }

  /** Every scan started, oldest first. */
  get jobs(): readonly SimulatedScanJob[] {
    return this.history;
  }

  get lastJob(): SimulatedScanJob | undefined {
    return this.history.at(-1);
  }

  /** Scans still running (an abandoned or cancelled scan is not). */
  get activeJobs(): number {
    return this.history.filter((j) => j.state === 'scanning').length;
  }

  get plugged(): boolean {
    return this.connected;
  }

  /** Sheets now in the feeder. */
  get feederCount(): number {
    return this.feeder.length;
  }

  /**
   * Puts a new stack into the feeder (replacing what was there): pages, or a number of sample
   * sheets. An empty stack makes the next feeder scan fail with SCANNER_FEEDER_EMPTY.
   */
  loadPages(pages: readonly SimulatedPage[] | number): void {
    this.stack = typeof pages === 'number' ? sampleSheets(pages) : [...pages];
    this.feeder = [...this.stack];
  }

  /** Puts a sheet on the glass (null: nothing, the flatbed then scans the white lid). */
  placeOnGlass(page: SimulatedPage | null): void {
    this.glass = page;
  }

  /**
   * The next scan fails with `code` once it has delivered `afterPages` pages (default 0: before
   * the first). Faults queue up, one per scan. SCANNER_FEEDER_EMPTY after some pages is the normal
   * end of the batch; before any, it is the error.
   */
  failNext(code: SimulatedScanFault, options: { afterPages?: number; message?: string } = {}): void {
    this.faults.push({ code, afterPages: Math.max(0, options.afterPages ?? 0), message: options.message });
  }

  /** The next scan loses the device after `pages` pages: SCANNER_DISCONNECTED, then unplugged. */
  disconnectAfter(pages: number): void {
    this.faults.push({ code: 'SCANNER_DISCONNECTED', afterPages: Math.max(0, pages), message: undefined });
  }

  /** Until `plugIn()`, capabilities and scans fail with DEVICE_UNAVAILABLE. */
  unplug(): void {
    this.connected = false;
  }

  plugIn(): void {
    this.connected = true;
  }

  /** Forgets jobs and faults, plugs in, reloads the current stack. */
  reset(): void {
    this.history.length = 0;
    this.faults.length = 0;
    this.connected = true;
    this.feeder = [...this.stack];
  }

  async capabilities(): Promise<ScannerCapabilities> {
    this.checkConnected();
    return structuredClone(this.caps);
  }

  async *scan(req: ScanRequest, opts: ScanOptions = {}): AsyncGenerator<ScannedPage, void, undefined> {
    const { pageSize } = checkScanRequest(req, this.caps);
    const signal = opts.signal;
    if (signal?.aborted) throw cancelledError(this.info.name);
    this.checkConnected();
    if (this.activeJobs > 0) throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: busy with another scan`);

    const report = progressReporter(opts);
    this.counter += 1;
    const job: SimulatedScanJob = {
      id: `SIM-SCAN-${this.counter}`,
      request: { ...req },
      startedAt: new Date(),
      endedAt: null,
      state: 'scanning',
      pages: 0,
      error: null,
    };
    this.history.push(job);
    const fault = this.faults.shift();
    const end = (state: SimulatedScanJob['state'], error: DeviceErrorCode | null = null): void => {
      if (job.state !== 'scanning') return;
      job.state = state;
      job.error = error;
      job.endedAt = new Date();
    };
    const fail = (code: DeviceErrorCode, message: string): DeviceError => {
      end(code === 'SCANNER_CANCELLED' ? 'cancelled' : 'failed', code);
      return new DeviceError(code, message);
    };

    try {
      const sides = this.sidesFor(req);
      if (
        sides.length === 0 &&
        (fault === undefined || fault.afterPages > 0 || fault.code === 'SCANNER_FEEDER_EMPTY')
      ) {
        throw fail('SCANNER_FEEDER_EMPTY', `${this.info.name}: the document feeder is empty`);
      }
      let index = 0;
      for (;;) {
        if (fault !== undefined && fault.afterPages === index) {
          if (fault.code === 'SCANNER_FEEDER_EMPTY' && index > 0) break;
          if (fault.code === 'SCANNER_DISCONNECTED') this.connected = false;
          throw fail(
            fault.code,
            fault.message ??
              `${this.info.name}: simulated ${describeFault(fault.code)}${index > 0 ? ` after ${index} page(s)` : ''}`,
          );
        }
        const side = sides[index];
        if (side === undefined) break;
        index += 1;
        report(index, 'scanning');
        await sleep(this.pageDelayMs / 2, signal, this.info.name);
        report(index, 'transferring');
        const page = await this.renderSide(
          side.side,
          side.sheet,
          sides.length,
          req,
          pageSize.widthMm,
          pageSize.heightMm,
        );
        await sleep(this.pageDelayMs / 2, signal, this.info.name);
        if (signal?.aborted) throw cancelledError(this.info.name);
        if (req.source === 'feeder' && side.face === 'front' && !this.reloadFeeder) this.feeder.shift();
        report(index, 'done');
        job.pages = index;
        yield { index, side: side.face, ...page };
      }
      end('completed');
    } catch (error) {
      if (error instanceof DeviceError) {
        end(error.code === 'SCANNER_CANCELLED' ? 'cancelled' : 'failed', error.code);
      } else {
        end('failed', 'DEVICE_UNAVAILABLE');
      }
      throw error;
    } finally {
      // A consumer that stopped iterating abandoned the scan: the device stops too.
      end('cancelled');
      if (this.reloadFeeder) this.feeder = [...this.stack];
    }
  }

  private checkConnected(): void {
    if (!this.connected) throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: the scanner is not connected`);
  }

  private sidesFor(req: ScanRequest): { side: SimulatedSide; sheet: number; face: 'front' | 'back' }[] {
    const sheets = req.source === 'flatbed' ? [this.glass ?? { blank: true }] : this.feeder;
    const out: { side: SimulatedSide; sheet: number; face: 'front' | 'back' }[] = [];
    sheets.forEach((page, i) => {
      const sheet = 'front' in page ? page : { front: page };
      out.push({ side: sheet.front, sheet: i + 1, face: 'front' });
      if (req.duplex) out.push({ side: sheet.back ?? { blank: true, seed: 1000 + i }, sheet: i + 1, face: 'back' });
    });
    return out;
  }

  private async renderSide(
    side: SimulatedSide,
    sheet: number,
    total: number,
    req: ScanRequest,
    widthMm: number,
    heightMm: number,
  ): Promise<Pick<ScannedPage, 'bytes' | 'mimeType' | 'resolution'>> {
    if ('image' in side) {
      const format = sniffFormat(side.image);
      return {
        bytes: Uint8Array.from(side.image),
        mimeType: side.mimeType ?? (format === 'jpeg' ? 'image/jpeg' : format === 'tiff' ? 'image/tiff' : 'image/png'),
        resolution: side.resolution ?? req.resolution,
      };
    }
    const bytes = await renderFixturePage({
      ...side,
      text: side.text ?? fixtureText(sheet, req.duplex ? total / 2 : total),
      dpi: req.resolution,
      mode: req.mode,
      widthMm,
      heightMm,
    });
    return { bytes, mimeType: 'image/png', resolution: req.resolution };
  }
}

function describeFault(code: DeviceErrorCode): string {
  switch (code) {
    case 'SCANNER_JAM':
      return 'paper jam';
    case 'SCANNER_COVER_OPEN':
      return 'open cover';
    case 'SCANNER_DISCONNECTED':
      return 'disconnection';
    case 'SCANNER_FEEDER_EMPTY':
      return 'empty feeder';
    default:
      return code;
  }
}

/** The simulated scanners `createDrivers` offers in training mode (and tests). */
export class SimulatedScannerProvider implements ScannerProvider {
  readonly scanners: readonly SimulatedScanner[];

  constructor(scanners: readonly SimulatedScanner[] = [new SimulatedScanner()]) {
    this.scanners = scanners;
  }

  async list(): Promise<ScannerInfo[]> {
    return this.scanners.filter((s) => s.plugged).map((s) => ({ ...s.info }));
  }

  open(id: string): SimulatedScanner {
    const scanner = this.scanners.find((s) => s.info.id === id);
    if (scanner === undefined) throw new RangeError(`no simulated scanner "${id}"`);
    return scanner;
  }
}

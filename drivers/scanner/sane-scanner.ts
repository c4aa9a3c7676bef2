import type { ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DeviceError } from '../device-error';
import { spawnGroup } from './process';
import { classifySaneExit, parseSaneOptions, saneCapabilities, type SaneArgPlan } from './sane-options';
import { runScanimage, ScanRun, type SaneCommonOptions } from './sane-run';
import { oneLine } from '../one-line';
import { cancelledError, progressReporter } from './scan-progress';
import { checkScanRequest } from './scan-request';
import type {
  PageSize,
  ScanOptions,
  ScanRequest,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerInfo,
} from './scanner.port';

export interface SaneScannerOptions extends SaneCommonOptions {
  /** SANE device name, as `scanimage -L` lists it. */
  device: string;
  /** Display name; default `SANE <device>`. */
  name?: string;
  /** Device-specific options added to every scan (e.g. `['--swcrop=yes']`). */
  extraArgs?: readonly string[];
  /** Longest silence (no progress line, no new file) while scanning; default 120 s. */
  pageTimeoutMs?: number;
  /** Stop a feeder batch after this many pages (`--batch-count`); default: until the feeder is empty. */
  maxBatchPages?: number;
  /** Where batch folders are made; default the OS temporary folder. */
  tmpDir?: string;
  /** How often the batch folder is checked when no change was signalled; default 200 ms. */
  pollMs?: number;
}

const DEFAULT_PAGE_TIMEOUT_MS = 120_000;
const PAGE_FILE = /^p(\d{4,})\.png(\.part)?$/;
const WATCH_MS = 250;

/**
 * A scanner driven through SANE's `scanimage` (Linux, macOS with sane-backends). Flatbed: one run
 * with the image on stdout. Feeder: `--batch` into a private temporary folder; each page file is
 * yielded once scanimage has finished it (renamed from `.part`, or the next one started, or the
 * process ended). Commands run with `LC_ALL=C` so their messages can be recognised, in their own
 * process group so a cancel stops them and anything they started.
 */
export class SaneScanner implements Scanner {
  readonly info: ScannerInfo;
  readonly device: string;
  private readonly options: SaneScannerOptions;
  private readonly scanimage: string;
  private caps: Promise<{ capabilities: ScannerCapabilities; plan: SaneArgPlan }> | null = null;

  constructor(options: SaneScannerOptions) {
    if (options.device.trim() === '' || options.device.startsWith('-')) {
      throw new RangeError(`SANE device name "${options.device}" is not valid`);
    }
    this.options = options;
    this.device = options.device;
    this.scanimage = options.scanimagePath ?? 'scanimage';
    this.info = { id: `sane:${options.device}`, name: options.name ?? `SANE ${options.device}`, kind: 'sane' };
  }

  async capabilities(): Promise<ScannerCapabilities> {
    return structuredClone((await this.loadCapabilities()).capabilities);
  }

  async *scan(req: ScanRequest, opts: ScanOptions = {}): AsyncGenerator<ScannedPage, void, undefined> {
    if (opts.signal?.aborted) {
      checkShape(req);
      throw cancelledError(this.info.name);
    }
    const { capabilities, plan } = await this.loadCapabilities();
    const { pageSize } = checkScanRequest(req, capabilities);
    if (opts.signal?.aborted) throw cancelledError(this.info.name);
    const args = this.scanArgs(req, plan, pageSize);
    if (req.source === 'flatbed') yield* this.scanFlatbed(args, req, opts);
    else yield* this.scanBatch(args, req, opts);
  }

  private loadCapabilities(): Promise<{ capabilities: ScannerCapabilities; plan: SaneArgPlan }> {
    if (this.caps === null) {
      this.caps = this.readCapabilities();
      this.caps.catch(() => {
        this.caps = null;
      });
    }
    return this.caps;
  }

  private async readCapabilities(): Promise<{ capabilities: ScannerCapabilities; plan: SaneArgPlan }> {
    const result = await runScanimage(this.info.name, this.scanimage, ['-d', this.device, '-A'], this.options);
    if (result.code !== 0) {
      const verdict = classifySaneExit(result.code, result.stderr, 0);
      const code =
        verdict.fault === null || verdict.fault === 'SCANNER_FEEDER_EMPTY' ? 'DEVICE_UNAVAILABLE' : verdict.fault;
      throw new DeviceError(
        code,
        `${this.info.name}: cannot read the scanner's options (${verdict.fault === null ? oneLine(result.stderr) : verdict.detail})`,
      );
    }
    const options = parseSaneOptions(result.stdout.toString('utf8'));
    if (options.length === 0) {
      throw new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.info.name}: scanimage listed no options (${oneLine(result.stderr)})`,
      );
    }
    return saneCapabilities(options);
  }

  private scanArgs(req: ScanRequest, plan: SaneArgPlan, pageSize: PageSize): string[] {
    const args = ['-d', this.device, '--format=png'];
    const source =
      req.source === 'flatbed'
        ? plan.sources.flatbed
        : req.duplex
          ? (plan.sources.duplex ?? plan.sources.feeder)
          : plan.sources.feeder;
    if (source !== null) args.push('--source', source);
    if (req.duplex) args.push(...plan.duplexArgs);
    args.push(...(plan.modes[req.mode] ?? []));
    if (plan.hasResolution) args.push('--resolution', String(req.resolution));
    if (plan.geometry !== null) {
      const width = Math.min(pageSize.widthMm, plan.geometry.maxWidthMm);
      const height = Math.min(pageSize.heightMm, plan.geometry.maxHeightMm);
      args.push('-l', '0', '-t', '0', '-x', String(width), '-y', String(height));
      if (plan.pageSizeOptions) args.push('--page-width', String(width), '--page-height', String(height));
    }
    args.push(...(this.options.extraArgs ?? []));
    return args;
  }

  private env(): NodeJS.ProcessEnv {
    return { ...process.env, ...this.options.env, LC_ALL: 'C', LANG: 'C' };
  }

  private startProcess(args: readonly string[]): ChildProcess {
    try {
      return spawnGroup(this.scanimage, args, this.env());
    } catch (error) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: cannot run "${this.scanimage}"`, {
        cause: error,
      });
    }
  }

  private async *scanFlatbed(
    args: string[],
    req: ScanRequest,
    opts: ScanOptions,
  ): AsyncGenerator<ScannedPage, void, undefined> {
    const report = progressReporter(opts);
    const run = new ScanRun(this.startProcess(args), this.info.name, this.scanimage);
    const timeoutMs = this.options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
    let transferring = false;
    try {
      report(1, 'scanning');
      while (run.running) {
        if (opts.signal?.aborted) break;
        await run.waker.wait(Math.min(timeoutMs, WATCH_MS), opts.signal);
        if (!transferring && run.stdoutBytes > 0) {
          transferring = true;
          report(1, 'transferring');
        }
        await run.endIfStuckAfterError();
        if (run.running && Date.now() - run.lastActivity >= timeoutMs) {
          await run.stop();
          throw new DeviceError(
            'DEVICE_UNAVAILABLE',
            `${this.info.name}: no answer from the scanner within ${timeoutMs} ms`,
          );
        }
      }
      if (opts.signal?.aborted) {
        await run.stop();
        throw cancelledError(this.info.name);
      }
      run.throwSpawnError();
      const verdict = classifySaneExit(run.exitCode, run.stderr, run.stdoutBytes > 0 ? 1 : 0);
      if (verdict.fault !== null) {
        throw new DeviceError(
          verdict.fault === 'SCANNER_FEEDER_EMPTY' ? 'DEVICE_UNAVAILABLE' : verdict.fault,
          `${this.info.name}: ${verdict.detail}`,
        );
      }
      const bytes = run.stdout();
      try {
        await sharp(bytes, { failOn: 'error' }).stats();
      } catch (cause) {
        throw new DeviceError(
          'DEVICE_UNAVAILABLE',
          `${this.info.name}: scanimage delivered an image that cannot be decoded`,
          { cause },
        );
      }
      if (!transferring) report(1, 'transferring');
      report(1, 'done');
      yield { index: 1, side: 'front', bytes, mimeType: 'image/png', resolution: req.resolution };
    } finally {
      await run.stop();
    }
  }

  private async *scanBatch(
    args: string[],
    req: ScanRequest,
    opts: ScanOptions,
  ): AsyncGenerator<ScannedPage, void, undefined> {
    const report = progressReporter(opts);
    const timeoutMs = this.options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
    const pollMs = this.options.pollMs ?? 200;
    let dir: string;
    try {
      dir = await mkdtemp(join(this.options.tmpDir ?? tmpdir(), 'motcua-sane-'));
    } catch (cause) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: cannot make a temporary folder for the batch`, {
        cause,
      });
    }
    const batchArgs = [...args, `--batch=${join(dir, 'p%04d.png')}`, '--batch-start=1'];
    if (this.options.maxBatchPages !== undefined) batchArgs.push(`--batch-count=${this.options.maxBatchPages}`);

    let run: ScanRun | null = null;
    let watcher: FSWatcher | null = null;
    try {
      run = new ScanRun(this.startProcess(batchArgs), this.info.name, this.scanimage);
      const active = run;
      try {
        watcher = watch(dir, () => active.waker.notify());
        watcher.on('error', () => undefined);
      } catch {
        watcher = null;
      }
      let next = 1;
      let announced = 0;
      let sawPartFiles = false;
      let lastChange = Date.now();
      let known = '';
      for (;;) {
        if (opts.signal?.aborted) {
          await run.stop();
          throw cancelledError(this.info.name);
        }
        const exitedBefore = !run.running;
        const names = await readdir(dir).catch(() => [] as string[]);
        const listing = names.sort().join('|');
        if (listing !== known) {
          known = listing;
          lastChange = Date.now();
        }
        const numbers = new Map<number, { done: boolean; part: boolean }>();
        for (const name of names) {
          const m = PAGE_FILE.exec(name);
          if (m?.[1] === undefined) continue;
          const n = Number(m[1]);
          const entry = numbers.get(n) ?? { done: false, part: false };
          if (m[2] === undefined) entry.done = true;
          else entry.part = true;
          numbers.set(n, entry);
        }
        if ([...numbers.values()].some((e) => e.part)) sawPartFiles = true;
        for (const started of run.pagesStarted) {
          if (started > announced) {
            announced = started;
            report(started, 'scanning');
          }
        }
        const current = numbers.get(next);
        const later = [...numbers.keys()].some((n) => n > next);
        const ready = current?.done === true && (exitedBefore || later || (sawPartFiles && !current.part));
        if (ready) {
          const file = join(dir, `p${String(next).padStart(4, '0')}.png`);
          report(next, 'transferring');
          const bytes = new Uint8Array(await readFile(file));
          const lastOfFailedRun =
            exitedBefore && !later && classifySaneExit(run.exitCode, run.stderr, next).fault !== null;
          if (!(await decodable(bytes, lastOfFailedRun))) {
            if (lastOfFailedRun) {
              await rm(file, { force: true });
              continue;
            }
            throw new DeviceError(
              'DEVICE_UNAVAILABLE',
              `${this.info.name}: page ${next} from scanimage cannot be decoded`,
            );
          }
          await rm(file, { force: true });
          report(next, 'done');
          const side = req.duplex && next % 2 === 0 ? 'back' : 'front';
          const page: ScannedPage = { index: next, side, bytes, mimeType: 'image/png', resolution: req.resolution };
          next += 1;
          lastChange = Date.now();
          yield page;
          continue;
        }
        if (exitedBefore) break;
        await run.waker.wait(pollMs, opts.signal);
        await run.endIfStuckAfterError();
        if (run.running && Date.now() - Math.max(lastChange, run.lastActivity) >= timeoutMs) {
          await run.stop();
          const code = next > 1 ? 'SCANNER_DISCONNECTED' : 'DEVICE_UNAVAILABLE';
          throw new DeviceError(code, `${this.info.name}: no answer from the scanner within ${timeoutMs} ms`);
        }
      }
      run.throwSpawnError();
      const verdict = classifySaneExit(run.exitCode, run.stderr, next - 1);
      if (verdict.fault !== null) throw new DeviceError(verdict.fault, `${this.info.name}: ${verdict.detail}`);
    } finally {
      watcher?.close();
      if (run !== null) await run.stop();
      await rm(dir, { recursive: true, force: true });
    }
  }
}

async function decodable(bytes: Uint8Array, full: boolean): Promise<boolean> {
  try {
    const image = sharp(bytes, { failOn: 'error' });
    if (full) await image.stats();
    else await image.metadata();
    return true;
  } catch {
    return false;
  }
}

function checkShape(req: ScanRequest): void {
  if (req.source !== 'flatbed' && req.source !== 'feeder')
    throw new RangeError(`scan: unknown source "${String(req.source)}"`);
}

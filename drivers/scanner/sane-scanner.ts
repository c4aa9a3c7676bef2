import type { ChildProcess } from 'node:child_process';
import { watch, type FSWatcher } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import { isRunning, runProcess, spawnGroup, SpawnError, stopGroup, type RunResult } from './process';
import { cancelledError, checkScanRequest, oneLine, pageSizesWithin, progressReporter, resolutionsWithin, Waker } from './scan-support';
import type {
  PageSize,
  ScanMode,
  ScanOptions,
  ScanRequest,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerInfo,
  ScannerProvider,
} from './scanner.port';

// ---------------------------------------------------------------------------------------------
// Parsing scanimage output

export interface SaneDevice {
  /** SANE device name for `-d`, e.g. `test:0`, `fujitsu:fi-7160:12345`, `airscan:e0:HP`. */
  device: string;
  /** The rest of the `scanimage -L` line: vendor, model and type. */
  description: string;
}

/** Parses `scanimage -L`: lines "device `NAME' is a VENDOR MODEL TYPE". */
export function parseSaneDeviceList(stdout: string): SaneDevice[] {
  const devices: SaneDevice[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^device [`'"](.+)['"] is an? (.*)$/.exec(line.trim());
    if (match?.[1] !== undefined) devices.push({ device: match[1], description: (match[2] ?? '').trim() });
  }
  return devices;
}

export interface SaneOption {
  /** As written: `--mode`, `--resolution`, `-x`. */
  name: string;
  /** Allowed values of a list option (units stripped from numbers), else null. */
  values: string[] | null;
  /** Allowed interval of a range option, else null. */
  range: { min: number; max: number; step: number | null } | null;
  /** Unit of a numeric option: `dpi`, `mm`, `pel`, `bit`, `%`, `us` or ''. */
  unit: string;
  /** The current value shown in brackets, or null. */
  current: string | null;
  inactive: boolean;
}

const OPTION_FLAGS = /\s*\[(inactive|advanced|hardware|read-only|software|emulated|automatic)\]$/;

/** Parses the option lines of `scanimage -d DEV -A` (or `--help -d DEV`). */
export function parseSaneOptions(stdout: string): SaneOption[] {
  const options: SaneOption[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^ {4}(--?[A-Za-z0-9][\w-]*)(\[=\(([^)]*)\)\])?(?:\s+(.*))?$/.exec(line.replace(/\s+$/, ''));
    if (match?.[1] === undefined) continue;
    let rest = match[4] ?? '';
    let inactive = false;
    for (let flag = OPTION_FLAGS.exec(rest); flag !== null; flag = OPTION_FLAGS.exec(rest)) {
      if (flag[1] === 'inactive') inactive = true;
      rest = rest.slice(0, flag.index);
    }
    let current: string | null = null;
    const bracket = /\s*\[([^\]]*)\]$/.exec(rest);
    if (bracket !== null) {
      current = bracket[1] ?? null;
      rest = rest.slice(0, bracket.index);
    } else if (rest === '[inactive]') {
      inactive = true;
      rest = '';
    }
    const constraint = rest.trim();
    let values: string[] | null = null;
    let range: SaneOption['range'] = null;
    let unit = '';
    if (match[2] !== undefined) {
      values = (match[3] ?? '').split('|');
    } else {
      const rangeMatch = /^(-?[\d.]+)\.\.(-?[\d.]+)([a-z%]*)(?:,\.\.\.)?(?:\s*\(in steps of ([\d.]+)\))?$/.exec(constraint);
      if (rangeMatch !== null) {
        range = { min: Number(rangeMatch[1]), max: Number(rangeMatch[2]), step: rangeMatch[4] === undefined ? null : Number(rangeMatch[4]) };
        unit = rangeMatch[3] ?? '';
      } else if (constraint.includes('|') || (constraint !== '' && !constraint.startsWith('<'))) {
        const parts = constraint.split('|');
        const last = parts.at(-1) ?? '';
        const numericUnit = /^(-?[\d.]+)(dpi|mm|pel|bit|%|us)$/.exec(last);
        if (numericUnit !== null && parts.slice(0, -1).every((p) => /^-?[\d.]+$/.test(p))) {
          unit = numericUnit[2] ?? '';
          parts[parts.length - 1] = numericUnit[1] ?? last;
        }
        values = parts;
      }
    }
    options.push({ name: match[1], values, range, unit, current, inactive: inactive || current === 'inactive' });
  }
  return options;
}

/** How a `ScanRequest` turns into scanimage arguments for one device. */
export interface SaneArgPlan {
  sources: { flatbed: string | null; feeder: string | null; duplex: string | null };
  /** Extra arguments for duplex when the device uses an option instead of a source. */
  duplexArgs: string[];
  modes: Partial<Record<ScanMode, string[]>>;
  hasResolution: boolean;
  geometry: { maxWidthMm: number; maxHeightMm: number } | null;
  pageSizeOptions: boolean;
}

const COLOR_MODE = /^(colou?r|24bit colou?r|rgb)$/i;
const GRAY_MODE = /gr[ae]y|^8bit/i;
const BW_MODE = /^(lineart|binary|black\s*(&|and)?\s*white|monochrome|1bit)/i;
const HALFTONE_MODE = /halftone|dither/i;

/** Derives the port's capabilities, and the way to ask for them, from parsed options. */
export function saneCapabilities(options: readonly SaneOption[]): { capabilities: ScannerCapabilities; plan: SaneArgPlan } {
  const find = (name: string): SaneOption | undefined => options.find((o) => o.name === name);

  const plan: SaneArgPlan = {
    sources: { flatbed: null, feeder: null, duplex: null },
    duplexArgs: [],
    modes: {},
    hasResolution: false,
    geometry: null,
    pageSizeOptions: find('--page-width') !== undefined && find('--page-height') !== undefined,
  };

  const source = find('--source');
  if (source?.values && !source.inactive) {
    for (const value of source.values) {
      if (/duplex/i.test(value)) plan.sources.duplex ??= value;
      else if (/adf|feeder|automatic|document feeder/i.test(value)) plan.sources.feeder ??= value;
      else if (/flatbed|platen|glass|normal|document table/i.test(value)) plan.sources.flatbed ??= value;
    }
    if (plan.sources.feeder === null && plan.sources.duplex !== null) plan.sources.feeder = plan.sources.duplex;
  }
  const adfMode = find('--adf-mode');
  const duplexFlag = find('--duplex');
  if (plan.sources.duplex === null && adfMode?.values?.some((v) => /duplex/i.test(v))) {
    plan.duplexArgs = ['--adf-mode', adfMode.values.find((v) => /duplex/i.test(v)) ?? 'Duplex'];
  } else if (plan.sources.duplex === null && duplexFlag !== undefined && duplexFlag.values?.includes('yes')) {
    plan.duplexArgs = ['--duplex=yes'];
  }
  const sources: ScannerCapabilities['sources'] = [];
  if (plan.sources.flatbed !== null || source === undefined || source.inactive) sources.push('flatbed');
  if (plan.sources.feeder !== null) sources.push('feeder');
  if (sources.length === 0) sources.push('flatbed');

  const mode = find('--mode');
  const depth = find('--depth');
  const depthValues = depth?.values ?? [];
  const withDepth = (d: string): string[] => (depthValues.includes(d) ? ['--depth', d] : []);
  for (const value of mode?.values ?? []) {
    if (COLOR_MODE.test(value) || (/colou?r/i.test(value) && plan.modes.color === undefined)) plan.modes.color ??= ['--mode', value, ...withDepth('8')];
    else if (GRAY_MODE.test(value)) plan.modes.gray ??= ['--mode', value, ...withDepth('8')];
    else if (BW_MODE.test(value)) plan.modes.bw ??= ['--mode', value];
  }
  if (plan.modes.bw === undefined) {
    const halftone = mode?.values?.find((v) => HALFTONE_MODE.test(v));
    if (halftone !== undefined) plan.modes.bw = ['--mode', halftone];
    else if (plan.modes.gray !== undefined && depthValues.includes('1')) plan.modes.bw = ['--mode', plan.modes.gray[1] ?? 'Gray', '--depth', '1'];
  }
  if (mode === undefined) plan.modes.gray = [];
  const modes = (['color', 'gray', 'bw'] as const).filter((m) => plan.modes[m] !== undefined);

  const resolution = find('--resolution');
  let resolutions: number[] = [];
  if (resolution?.values) {
    resolutions = resolution.values.map(Number).filter((r) => Number.isInteger(r) && r > 0);
  } else if (resolution?.range) {
    resolutions = resolutionsWithin(resolution.range.min, resolution.range.max);
  }
  plan.hasResolution = resolutions.length > 0;
  if (!plan.hasResolution) resolutions = [Math.round(Number(resolution?.current)) || 300];
  resolutions = [...new Set(resolutions)].sort((a, b) => a - b);

  const x = find('-x');
  const y = find('-y');
  let pageSizes: PageSize[] = [{ name: 'A4', widthMm: 210, heightMm: 297 }];
  if (x?.range && y?.range && x.unit === 'mm' && y.unit === 'mm') {
    plan.geometry = { maxWidthMm: x.range.max, maxHeightMm: y.range.max };
    pageSizes = pageSizesWithin(x.range.max, y.range.max);
  }

  return {
    capabilities: { sources, duplex: plan.sources.duplex !== null || plan.duplexArgs.length > 0, resolutions, modes, pageSizes },
    plan,
  };
}

/** Pattern → code for scanimage's error lines (`LC_ALL=C`); the first match wins. */
const SANE_ERRORS: readonly [RegExp, DeviceErrorCode | 'END', string][] = [
  [/out of documents|no more documents|feeder is empty|no docs/i, 'END', 'the document feeder is empty'],
  [/jammed|\bjam\b/i, 'SCANNER_JAM', 'paper jam'],
  [/cover is open|cover open|door open/i, 'SCANNER_COVER_OPEN', 'the cover is open'],
  [/operation was cancel|cancelled|canceled/i, 'SCANNER_CANCELLED', 'the scan was cancelled on the device'],
  [/device busy/i, 'DEVICE_UNAVAILABLE', 'the scanner is busy'],
  [/error during device i\/o|i\/o error/i, 'SCANNER_DISCONNECTED', 'the scanner stopped answering (I/O error)'],
  [/no sane devices|no scanners were identified|open of device .* failed/i, 'DEVICE_UNAVAILABLE', 'the scanner was not found'],
  [/access to resource has been denied|permission denied/i, 'DEVICE_UNAVAILABLE', 'no permission to use the scanner'],
  [/out of memory/i, 'DEVICE_UNAVAILABLE', 'out of memory'],
];

/** scanimage exits with the SANE status of the failed call. */
const SANE_EXIT_CODES: Readonly<Record<number, DeviceErrorCode | 'END'>> = {
  2: 'SCANNER_CANCELLED',
  3: 'DEVICE_UNAVAILABLE',
  6: 'SCANNER_JAM',
  7: 'END',
  8: 'SCANNER_COVER_OPEN',
  9: 'SCANNER_DISCONNECTED',
};

/**
 * What a finished scanimage run means: a normal end, or a fault code with a message. `pages` is
 * how many pages it delivered: "out of documents" after at least one is the normal end.
 */
export function classifySaneExit(code: number | null, stderr: string, pages: number): { fault: null } | { fault: DeviceErrorCode; detail: string } {
  const lines = stderr.split('\n').filter((l) => /^scanimage:/.test(l.trim()) && !/rounded value/.test(l));
  const text = lines.join('\n');
  for (const [pattern, result, detail] of SANE_ERRORS) {
    if (!pattern.test(text)) continue;
    if (result === 'END') return pages > 0 ? { fault: null } : { fault: 'SCANNER_FEEDER_EMPTY', detail };
    return { fault: result, detail: `${detail} (${oneLine(text)})` };
  }
  if (code === 0) return pages > 0 ? { fault: null } : { fault: 'SCANNER_FEEDER_EMPTY', detail: 'no page was scanned' };
  const byExit = code === null ? undefined : SANE_EXIT_CODES[code];
  if (byExit === 'END') return pages > 0 ? { fault: null } : { fault: 'SCANNER_FEEDER_EMPTY', detail: 'the document feeder is empty' };
  if (byExit !== undefined) return { fault: byExit, detail: `scanimage exit status ${String(code)} (${oneLine(text)})` };
  return { fault: 'DEVICE_UNAVAILABLE', detail: `scanimage failed with exit status ${String(code)} (${oneLine(text) || 'no message'})` };
}

// ---------------------------------------------------------------------------------------------
// The adapter

export interface SaneCommonOptions {
  /** Path or name of `scanimage`; default `scanimage` (found on PATH). */
  scanimagePath?: string;
  /** Extra environment (e.g. `SANE_CONFIG_DIR`), laid over the process's own. */
  env?: Readonly<Record<string, string>>;
  /** How long `scanimage -L` / `-A` may take; default 30 s (network backends are slow to list). */
  commandTimeoutMs?: number;
}

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

const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
const DEFAULT_PAGE_TIMEOUT_MS = 120_000;
const PAGE_FILE = /^p(\d{4,})\.png(\.part)?$/;
const WATCH_MS = 250;
/**
 * After scanimage has printed an error it normally exits at once; some backends leave it hanging
 * (seen with SANE's own test backend after an I/O error). It gets this long, then it is stopped.
 */
const EXIT_AFTER_ERROR_MS = 2_000;
const ERROR_LINE = /^scanimage: (?!rounded value)/m;

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
      const code = verdict.fault === null || verdict.fault === 'SCANNER_FEEDER_EMPTY' ? 'DEVICE_UNAVAILABLE' : verdict.fault;
      throw new DeviceError(code, `${this.info.name}: cannot read the scanner's options (${verdict.fault === null ? oneLine(result.stderr) : verdict.detail})`);
    }
    const options = parseSaneOptions(result.stdout.toString('utf8'));
    if (options.length === 0) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: scanimage listed no options (${oneLine(result.stderr)})`);
    }
    return saneCapabilities(options);
  }

  private scanArgs(req: ScanRequest, plan: SaneArgPlan, pageSize: PageSize): string[] {
    const args = ['-d', this.device, '--format=png'];
    const source = req.source === 'flatbed' ? plan.sources.flatbed : req.duplex ? (plan.sources.duplex ?? plan.sources.feeder) : plan.sources.feeder;
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
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: cannot run "${this.scanimage}"`, { cause: error });
    }
  }

  private async *scanFlatbed(args: string[], req: ScanRequest, opts: ScanOptions): AsyncGenerator<ScannedPage, void, undefined> {
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
          throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: no answer from the scanner within ${timeoutMs} ms`);
        }
      }
      if (opts.signal?.aborted) {
        await run.stop();
        throw cancelledError(this.info.name);
      }
      run.throwSpawnError();
      const verdict = classifySaneExit(run.exitCode, run.stderr, run.stdoutBytes > 0 ? 1 : 0);
      if (verdict.fault !== null) {
        throw new DeviceError(verdict.fault === 'SCANNER_FEEDER_EMPTY' ? 'DEVICE_UNAVAILABLE' : verdict.fault, `${this.info.name}: ${verdict.detail}`);
      }
      const bytes = run.stdout();
      try {
        await sharp(bytes, { failOn: 'error' }).stats();
      } catch (cause) {
        throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: scanimage delivered an image that cannot be decoded`, { cause });
      }
      if (!transferring) report(1, 'transferring');
      report(1, 'done');
      yield { index: 1, side: 'front', bytes, mimeType: 'image/png', resolution: req.resolution };
    } finally {
      await run.stop();
    }
  }

  private async *scanBatch(args: string[], req: ScanRequest, opts: ScanOptions): AsyncGenerator<ScannedPage, void, undefined> {
    const report = progressReporter(opts);
    const timeoutMs = this.options.pageTimeoutMs ?? DEFAULT_PAGE_TIMEOUT_MS;
    const pollMs = this.options.pollMs ?? 200;
    let dir: string;
    try {
      dir = await mkdtemp(join(this.options.tmpDir ?? tmpdir(), 'motcua-sane-'));
    } catch (cause) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: cannot make a temporary folder for the batch`, { cause });
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
          const lastOfFailedRun = exitedBefore && !later && classifySaneExit(run.exitCode, run.stderr, next).fault !== null;
          if (!(await decodable(bytes, lastOfFailedRun))) {
            if (lastOfFailedRun) {
              await rm(file, { force: true });
              continue;
            }
            throw new DeviceError('DEVICE_UNAVAILABLE', `${this.info.name}: page ${next} from scanimage cannot be decoded`);
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
  if (req.source !== 'flatbed' && req.source !== 'feeder') throw new RangeError(`scan: unknown source "${String(req.source)}"`);
}

/** One scanimage process being watched: output, progress lines, exit. */
class ScanRun {
  readonly waker = new Waker();
  readonly pagesStarted: number[] = [];
  lastActivity = Date.now();
  stdoutBytes = 0;
  private readonly chunks: Buffer[] = [];
  private stderrText = '';
  private exited = false;
  private code: number | null = null;
  private spawnError: NodeJS.ErrnoException | null = null;
  private errorSeenAt: number | null = null;

  constructor(
    private readonly child: ChildProcess,
    private readonly deviceName: string,
    private readonly file: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.stdoutBytes += chunk.length;
      this.lastActivity = Date.now();
      this.waker.notify();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrText += text;
      for (const m of text.matchAll(/Scanning page (\d+)/g)) this.pagesStarted.push(Number(m[1]));
      if (this.errorSeenAt === null && ERROR_LINE.test(this.stderrText)) this.errorSeenAt = Date.now();
      this.lastActivity = Date.now();
      this.waker.notify();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.spawnError = error;
      this.exited = true;
      this.waker.notify();
    });
    child.on('close', (code) => {
      this.code = code;
      this.exited = true;
      this.waker.notify();
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  get exitCode(): number | null {
    return this.code;
  }

  get stderr(): string {
    return this.stderrText;
  }

  stdout(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks));
  }

  throwSpawnError(): void {
    if (this.spawnError === null) return;
    const why =
      this.spawnError.code === 'ENOENT'
        ? `"${this.file}" was not found: is SANE (package sane-utils) installed?`
        : `cannot run "${this.file}" (${this.spawnError.code ?? this.spawnError.message})`;
    throw new DeviceError('DEVICE_UNAVAILABLE', `${this.deviceName}: ${why}`, { cause: this.spawnError });
  }

  /** Stops a process that reported an error but did not exit within EXIT_AFTER_ERROR_MS. */
  async endIfStuckAfterError(): Promise<void> {
    if (this.running && this.errorSeenAt !== null && Date.now() - this.errorSeenAt >= EXIT_AFTER_ERROR_MS) await this.stop();
  }

  /** Ends the process group (if still there) and waits until the process has exited. */
  async stop(): Promise<void> {
    if (this.exited || !isRunning(this.child)) return;
    await stopGroup(this.child);
    if (!this.exited) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.child.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

async function runScanimage(deviceName: string, file: string, args: readonly string[], options: SaneCommonOptions): Promise<RunResult> {
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  let result: RunResult;
  try {
    result = await runProcess(file, args, { timeoutMs, env: { ...process.env, ...options.env, LC_ALL: 'C', LANG: 'C' } });
  } catch (error) {
    const why =
      error instanceof SpawnError && error.code === 'ENOENT'
        ? `"${file}" was not found: is SANE (package sane-utils) installed?`
        : (error as Error).message;
    throw new DeviceError('DEVICE_UNAVAILABLE', `${deviceName}: ${why}`, { cause: error });
  }
  if (result.timedOut) throw new DeviceError('DEVICE_UNAVAILABLE', `${deviceName}: scanimage gave no answer within ${timeoutMs} ms`);
  return result;
}

export interface SaneProviderOptions extends SaneCommonOptions, Omit<SaneScannerOptions, 'device' | 'name'> {
  /**
   * Only these SANE device names (as `scanimage -L` lists them); default every device SANE finds.
   * A named device that `scanimage -L` does not find is left out of the list (`missing()` names it).
   */
  devices?: readonly string[];
}

/** The scanners SANE finds (`scanimage -L`), opened as `SaneScanner`s with shared options. */
export class SaneScannerProvider implements ScannerProvider {
  private readonly options: SaneCommonOptions & Omit<SaneScannerOptions, 'device' | 'name'>;
  private readonly only: ReadonlySet<string> | null;
  private readonly names = new Map<string, string>();
  private notFound: string[] = [];

  constructor({ devices, ...options }: SaneProviderOptions = {}) {
    this.options = options;
    this.only = devices === undefined ? null : new Set(devices);
  }

  /** Configured device names the last `list()` did not find. */
  missing(): readonly string[] {
    return this.notFound;
  }

  async list(): Promise<ScannerInfo[]> {
    const result = await runScanimage('SANE', this.options.scanimagePath ?? 'scanimage', ['-L'], this.options);
    if (result.code !== 0) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `SANE: scanimage -L failed (${oneLine(result.stderr) || `exit status ${String(result.code)}`})`);
    }
    const found = parseSaneDeviceList(result.stdout.toString('utf8')).filter((d) => this.only === null || this.only.has(d.device));
    this.notFound = this.only === null ? [] : [...this.only].filter((name) => !found.some((d) => d.device === name));
    return found.map((d) => {
      const name = d.description === '' ? d.device : `${d.description} (${d.device})`;
      this.names.set(d.device, name);
      return { id: `sane:${d.device}`, name, kind: 'sane' as const };
    });
  }

  open(id: string): SaneScanner {
    if (!id.startsWith('sane:') || id.length <= 5) throw new RangeError(`"${id}" is not a SANE scanner id`);
    const device = id.slice(5);
    if (this.only !== null && !this.only.has(device)) throw new RangeError(`SANE device "${device}" is not configured`);
    return new SaneScanner({ ...this.options, device, name: this.names.get(device) ?? `SANE ${device}` });
  }
}

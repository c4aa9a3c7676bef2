import { type DeviceErrorCode } from '../device-error';
import { oneLine } from '../one-line';
import { pageSizesWithin, resolutionsWithin } from './scan-request';
import type { PageSize, ScanMode, ScannerCapabilities } from './scanner.port';

/**
 * Reading what `scanimage` prints: the device list (`-L`), a device's options (`-A`), the
 * capabilities and argument plan derived from them, and what a finished run's exit means.
 */
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
      const rangeMatch = /^(-?[\d.]+)\.\.(-?[\d.]+)([a-z%]*)(?:,\.\.\.)?(?:\s*\(in steps of ([\d.]+)\))?$/.exec(
        constraint,
      );
      if (rangeMatch !== null) {
        range = {
          min: Number(rangeMatch[1]),
          max: Number(rangeMatch[2]),
          step: rangeMatch[4] === undefined ? null : Number(rangeMatch[4]),
        };
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
export function saneCapabilities(options: readonly SaneOption[]): {
  capabilities: ScannerCapabilities;
  plan: SaneArgPlan;
} {
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
    if (COLOR_MODE.test(value) || (/colou?r/i.test(value) && plan.modes.color === undefined))
      plan.modes.color ??= ['--mode', value, ...withDepth('8')];
    else if (GRAY_MODE.test(value)) plan.modes.gray ??= ['--mode', value, ...withDepth('8')];
    else if (BW_MODE.test(value)) plan.modes.bw ??= ['--mode', value];
  }
  if (plan.modes.bw === undefined) {
    const halftone = mode?.values?.find((v) => HALFTONE_MODE.test(v));
    if (halftone !== undefined) plan.modes.bw = ['--mode', halftone];
    else if (plan.modes.gray !== undefined && depthValues.includes('1'))
      plan.modes.bw = ['--mode', plan.modes.gray[1] ?? 'Gray', '--depth', '1'];
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
    capabilities: {
      sources,
      duplex: plan.sources.duplex !== null || plan.duplexArgs.length > 0,
      resolutions,
      modes,
      pageSizes,
    },
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
  [
    /no sane devices|no scanners were identified|open of device .* failed/i,
    'DEVICE_UNAVAILABLE',
    'the scanner was not found',
  ],
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
export function classifySaneExit(
  code: number | null,
  stderr: string,
  pages: number,
): { fault: null } | { fault: DeviceErrorCode; detail: string } {
  const lines = stderr.split('\n').filter((l) => /^scanimage:/.test(l.trim()) && !/rounded value/.test(l));
  const text = lines.join('\n');
  for (const [pattern, result, detail] of SANE_ERRORS) {
    if (!pattern.test(text)) continue;
    if (result === 'END') return pages > 0 ? { fault: null } : { fault: 'SCANNER_FEEDER_EMPTY', detail };
    return { fault: result, detail: `${detail} (${oneLine(text)})` };
  }
  if (code === 0) return pages > 0 ? { fault: null } : { fault: 'SCANNER_FEEDER_EMPTY', detail: 'no page was scanned' };
  const byExit = code === null ? undefined : SANE_EXIT_CODES[code];
  if (byExit === 'END')
    return pages > 0 ? { fault: null } : { fault: 'SCANNER_FEEDER_EMPTY', detail: 'the document feeder is empty' };
  if (byExit !== undefined)
    return { fault: byExit, detail: `scanimage exit status ${String(code)} (${oneLine(text)})` };
  return {
    fault: 'DEVICE_UNAVAILABLE',
    detail: `scanimage failed with exit status ${String(code)} (${oneLine(text) || 'no message'})`,
  };
}

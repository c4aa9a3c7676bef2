import { MM_PER_INCH, pageSizesWithin, resolutionsWithin } from './scan-request';
import type { PageSize, ScanMode, ScanRequest, ScanSource, ScannerCapabilities } from './scanner.port';
import { escapeXmlText, findAll, findFirst, parseXml, textOf, type XmlElement } from './xml';

/**
 * The eSCL (Mopria "AirScan") documents both the client and the local server speak: capabilities,
 * scan settings and scanner status. Lengths are in 300ths of an inch, as the protocol has them.
 */
export const SCAN_NS = 'http://schemas.hp.com/imaging/escl/2011/05/03';
export const PWG_NS = 'http://www.pwg.org/schemas/2010/12/sm';

const UNITS_PER_INCH = 300;

export function mmToEscl(mm: number): number {
  return Math.round((mm / MM_PER_INCH) * UNITS_PER_INCH);
}

export function esclToMm(units: number): number {
  return Math.round((units / UNITS_PER_INCH) * MM_PER_INCH * 10) / 10;
}

const MODE_TO_ESCL: Readonly<Record<ScanMode, string>> = { color: 'RGB24', gray: 'Grayscale8', bw: 'BlackAndWhite1' };

export function esclColorMode(mode: ScanMode): string {
  return MODE_TO_ESCL[mode];
}

export function modeFromEscl(value: string): ScanMode | null {
  if (/^RGB/i.test(value)) return 'color';
  if (/^Grayscale/i.test(value)) return 'gray';
  if (/^BlackAndWhite/i.test(value)) return 'bw';
  return null;
}

export interface EsclCapabilities {
  capabilities: ScannerCapabilities;
  makeAndModel: string | undefined;
  /** Document formats offered (MIME types), any input source. */
  formats: string[];
}

interface InputCaps {
  maxWidthMm: number;
  maxHeightMm: number;
  resolutions: number[];
  modes: ScanMode[];
  formats: string[];
}

function readInputCaps(element: XmlElement): InputCaps {
  const num = (local: string): number => Number(textOf(element, local) ?? Number.NaN);
  const resolutions: number[] = [];
  for (const discrete of findAll(element, 'DiscreteResolution')) {
    const x = Number(textOf(discrete, 'XResolution'));
    const y = Number(textOf(discrete, 'YResolution') ?? x);
    if (Number.isInteger(x) && x > 0 && x === y) resolutions.push(x);
  }
  const range = findFirst(element, 'XResolutionRange');
  if (range !== undefined) {
    const min = Number(textOf(range, 'Min'));
    const max = Number(textOf(range, 'Max'));
    if (Number.isFinite(min) && Number.isFinite(max) && max >= min) resolutions.push(...resolutionsWithin(min, max));
  }
  const modes = findAll(element, 'ColorMode')
    .map((e) => modeFromEscl(e.text))
    .filter((m): m is ScanMode => m !== null);
  const formats = [...findAll(element, 'DocumentFormat'), ...findAll(element, 'DocumentFormatExt')]
    .map((e) => e.text.trim())
    .filter((f) => f !== '');
  return {
    maxWidthMm: esclToMm(num('MaxWidth')),
    maxHeightMm: esclToMm(num('MaxHeight')),
    resolutions,
    modes,
    formats,
  };
}

/** Reads `GET /eSCL/ScannerCapabilities`; throws `Error` when it is not a usable document. */
export function parseEsclCapabilities(xml: string): EsclCapabilities {
  const root = parseXml(xml);
  if (root.local !== 'ScannerCapabilities') throw new Error(`expected ScannerCapabilities, got ${root.name}`);
  const platenCaps = findFirst(root, 'PlatenInputCaps');
  const adf = findFirst(root, 'Adf');
  const adfSimplex = adf === undefined ? undefined : findFirst(adf, 'AdfSimplexInputCaps');
  const adfDuplex = adf === undefined ? undefined : findFirst(adf, 'AdfDuplexInputCaps');
  const adfOptions = adf === undefined ? [] : findAll(adf, 'AdfOption').map((e) => e.text);

  const inputs: { source: ScanSource; caps: InputCaps }[] = [];
  if (platenCaps !== undefined) inputs.push({ source: 'flatbed', caps: readInputCaps(platenCaps) });
  const feederCaps = adfSimplex ?? adfDuplex;
  if (feederCaps !== undefined) inputs.push({ source: 'feeder', caps: readInputCaps(feederCaps) });
  if (inputs.length === 0) throw new Error('the scanner lists neither a platen nor a feeder');

  const resolutions = [...new Set(inputs.flatMap((i) => i.caps.resolutions))].sort((a, b) => a - b);
  const modes = (['color', 'gray', 'bw'] as const).filter((m) => inputs.some((i) => i.caps.modes.includes(m)));
  const widest = inputs.reduce(
    (best, i) =>
      Number.isFinite(i.caps.maxWidthMm) && i.caps.maxWidthMm * i.caps.maxHeightMm > best.maxWidthMm * best.maxHeightMm
        ? i.caps
        : best,
    inputs[0]!.caps,
  );
  const pageSizes: PageSize[] =
    Number.isFinite(widest.maxWidthMm) && Number.isFinite(widest.maxHeightMm) && widest.maxWidthMm > 0
      ? pageSizesWithin(widest.maxWidthMm, widest.maxHeightMm)
      : [{ name: 'A4', widthMm: 210, heightMm: 297 }];
  if (resolutions.length === 0) throw new Error('the scanner lists no resolution');
  if (modes.length === 0) throw new Error('the scanner lists no colour mode');
  return {
    capabilities: {
      sources: inputs.map((i) => i.source),
      duplex: adfDuplex !== undefined || adfOptions.some((o) => /duplex/i.test(o)),
      resolutions,
      modes,
      pageSizes,
    },
    makeAndModel: textOf(root, 'MakeAndModel'),
    formats: [...new Set(inputs.flatMap((i) => i.caps.formats))],
  };
}

/** The body of `POST /eSCL/ScanJobs`. */
export function buildScanSettings(req: ScanRequest, pageSize: PageSize, format: string): string {
  const source = req.source === 'flatbed' ? 'Platen' : 'Feeder';
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<scan:ScanSettings xmlns:scan="${SCAN_NS}" xmlns:pwg="${PWG_NS}">`,
    '  <pwg:Version>2.63</pwg:Version>',
    '  <scan:Intent>Document</scan:Intent>',
    '  <pwg:ScanRegions>',
    '    <pwg:ScanRegion>',
    `      <pwg:Height>${mmToEscl(pageSize.heightMm)}</pwg:Height>`,
    '      <pwg:ContentRegionUnits>escl:ThreeHundredthsOfInches</pwg:ContentRegionUnits>',
    `      <pwg:Width>${mmToEscl(pageSize.widthMm)}</pwg:Width>`,
    '      <pwg:XOffset>0</pwg:XOffset>',
    '      <pwg:YOffset>0</pwg:YOffset>',
    '    </pwg:ScanRegion>',
    '  </pwg:ScanRegions>',
    `  <pwg:InputSource>${source}</pwg:InputSource>`,
    `  <pwg:DocumentFormat>${escapeXmlText(format)}</pwg:DocumentFormat>`,
    `  <scan:DocumentFormatExt>${escapeXmlText(format)}</scan:DocumentFormatExt>`,
    `  <scan:ColorMode>${esclColorMode(req.mode)}</scan:ColorMode>`,
    `  <scan:XResolution>${req.resolution}</scan:XResolution>`,
    `  <scan:YResolution>${req.resolution}</scan:YResolution>`,
    `  <scan:Duplex>${req.duplex ? 'true' : 'false'}</scan:Duplex>`,
    '</scan:ScanSettings>',
  ].join('\n');
}

export interface ParsedScanSettings {
  source: ScanSource;
  duplex: boolean;
  resolution: number;
  mode: ScanMode | null;
  widthMm: number | null;
  heightMm: number | null;
  format: string | null;
}

/** Reads a `ScanSettings` body (server side); throws `Error` when it is not one. */
export function parseScanSettings(xml: string): ParsedScanSettings {
  const root = parseXml(xml);
  if (root.local !== 'ScanSettings') throw new Error(`expected ScanSettings, got ${root.name}`);
  const input = textOf(root, 'InputSource') ?? 'Platen';
  const width = Number(textOf(root, 'Width'));
  const height = Number(textOf(root, 'Height'));
  const resolution = Number(textOf(root, 'XResolution'));
  if (!Number.isInteger(resolution) || resolution <= 0) throw new Error('XResolution is missing');
  return {
    source: /feeder|adf/i.test(input) ? 'feeder' : 'flatbed',
    duplex: (textOf(root, 'Duplex') ?? 'false').toLowerCase() === 'true',
    resolution,
    mode: modeFromEscl(textOf(root, 'ColorMode') ?? 'RGB24'),
    widthMm: Number.isFinite(width) && width > 0 ? esclToMm(width) : null,
    heightMm: Number.isFinite(height) && height > 0 ? esclToMm(height) : null,
    format: textOf(root, 'DocumentFormatExt') ?? textOf(root, 'DocumentFormat') ?? null,
  };
}

export interface EsclJobInfo {
  uri: string;
  uuid: string | undefined;
  state: string;
  reasons: string[];
  imagesCompleted: number | undefined;
  imagesToTransfer: number | undefined;
}

export interface EsclStatus {
  /** `Idle`, `Processing`, `Testing`, `Stopped`, `Down`. */
  state: string;
  /** `ScannerAdfLoaded`, `ScannerAdfEmpty`, `ScannerAdfJam`, `ScannerAdfDoorOpen`, … or undefined. */
  adfState: string | undefined;
  jobs: EsclJobInfo[];
}

/** Reads `GET /eSCL/ScannerStatus`. */
export function parseEsclStatus(xml: string): EsclStatus {
  const root = parseXml(xml);
  if (root.local !== 'ScannerStatus') throw new Error(`expected ScannerStatus, got ${root.name}`);
  const state = root.children.find((c) => c.local === 'State')?.text ?? 'Idle';
  const jobs = findAll(root, 'JobInfo').map((job) => {
    const completed = Number(textOf(job, 'ImagesCompleted'));
    const toTransfer = Number(textOf(job, 'ImagesToTransfer'));
    return {
      uri: textOf(job, 'JobUri') ?? '',
      uuid: textOf(job, 'JobUuid'),
      state: textOf(job, 'JobState') ?? '',
      reasons: findAll(job, 'JobStateReason').map((r) => r.text),
      imagesCompleted: Number.isFinite(completed) ? completed : undefined,
      imagesToTransfer: Number.isFinite(toTransfer) ? toTransfer : undefined,
    };
  });
  return { state, adfState: textOf(root, 'AdfState'), jobs };
}

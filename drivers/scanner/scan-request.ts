import type { PageSize, ScanRequest, ScannerCapabilities } from './scanner.port';

/** Paper sizes offered when they fit a device's scan area, largest first. */
export const STANDARD_PAGE_SIZES: readonly PageSize[] = [
  { name: 'Legal', widthMm: 215.9, heightMm: 355.6 },
  { name: 'A4', widthMm: 210, heightMm: 297 },
  { name: 'Letter', widthMm: 215.9, heightMm: 279.4 },
  { name: 'A5', widthMm: 148, heightMm: 210 },
  { name: 'A6', widthMm: 105, heightMm: 148 },
];

export const MM_PER_INCH = 25.4;

/** Resolutions offered when a device takes any value in a range. */
export const STANDARD_RESOLUTIONS: readonly number[] = [50, 75, 100, 150, 200, 240, 300, 400, 600, 1200];

/**
 * The standard sizes that fit a scan area of `maxWidthMm` × `maxHeightMm` (1 mm of slack: devices
 * round their area), or `Max` (the whole area) when none fits.
 */
export function pageSizesWithin(maxWidthMm: number, maxHeightMm: number): PageSize[] {
  const fitting = STANDARD_PAGE_SIZES.filter((s) => s.widthMm <= maxWidthMm + 1 && s.heightMm <= maxHeightMm + 1);
  if (fitting.length > 0) return fitting.map((s) => ({ ...s }));
  return [{ name: 'Max', widthMm: round1(maxWidthMm), heightMm: round1(maxHeightMm) }];
}

/** The standard resolutions inside `min..max`, or the two ends when none is. */
export function resolutionsWithin(min: number, max: number): number[] {
  const inside = STANDARD_RESOLUTIONS.filter((r) => r >= min && r <= max);
  if (inside.length > 0) return [...inside];
  return [...new Set([Math.ceil(min), Math.floor(max)])].filter((r) => r > 0);
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}

/**
 * Checks a request against the capabilities (the port's "bad requests throw RangeError") and
 * resolves the page size.
 */
export function checkScanRequest(req: ScanRequest, caps: ScannerCapabilities): { pageSize: PageSize } {
  if (!caps.sources.includes(req.source)) {
    throw new RangeError(`scan: source "${String(req.source)}" is not offered (${caps.sources.join(', ')})`);
  }
  if (req.duplex && (req.source !== 'feeder' || !caps.duplex)) {
    throw new RangeError('scan: duplex needs the feeder of a duplex scanner');
  }
  if (!Number.isInteger(req.resolution) || !caps.resolutions.includes(req.resolution)) {
    throw new RangeError(
      `scan: resolution ${String(req.resolution)} dpi is not offered (${caps.resolutions.join(', ')})`,
    );
  }
  if (!caps.modes.includes(req.mode)) {
    throw new RangeError(`scan: mode "${String(req.mode)}" is not offered (${caps.modes.join(', ')})`);
  }
  const pageSize =
    req.pageSize === undefined
      ? (caps.pageSizes.find((s) => s.name === 'A4') ?? caps.pageSizes[0])
      : caps.pageSizes.find((s) => s.name === req.pageSize);
  if (pageSize === undefined) {
    throw new RangeError(
      `scan: page size "${String(req.pageSize)}" is not offered (${caps.pageSizes.map((s) => s.name).join(', ')})`,
    );
  }
  return { pageSize };
}

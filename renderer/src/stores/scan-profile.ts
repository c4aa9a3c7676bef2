import type { ParamsOf } from '../../../common/contract';
import type { ScannerCapabilities } from './types';

export type ScanMode = 'color' | 'gray' | 'bw';
export type ScanSource = 'flatbed' | 'feeder';

/** What the digitiser chose on the start screen; remembered on this workstation. */
export interface ScanProfile {
  scannerId: string | null;
  resolution: number;
  mode: ScanMode;
  source: ScanSource;
  duplex: boolean;
}

export const SCAN_PROFILE_KEY = 'motcua.scanProfile';

/** 200 dpi colour is the national guidance for ordinary documents (300 for drawings). */
export function defaultScanProfile(): ScanProfile {
  return { scannerId: null, resolution: 200, mode: 'color', source: 'feeder', duplex: false };
}

const MODES: readonly ScanMode[] = ['color', 'gray', 'bw'];
const SOURCES: readonly ScanSource[] = ['flatbed', 'feeder'];

export function loadScanProfile(): ScanProfile {
  const fresh = defaultScanProfile();
  try {
    const raw = globalThis.localStorage?.getItem(SCAN_PROFILE_KEY);
    if (!raw) return fresh;
    const saved = JSON.parse(raw) as Partial<Record<keyof ScanProfile, unknown>>;
    return {
      scannerId: typeof saved.scannerId === 'string' ? saved.scannerId : null,
      resolution:
        typeof saved.resolution === 'number' && Number.isInteger(saved.resolution)
          ? saved.resolution
          : fresh.resolution,
      mode: MODES.find((m) => m === saved.mode) ?? fresh.mode,
      source: SOURCES.find((s) => s === saved.source) ?? fresh.source,
      duplex: typeof saved.duplex === 'boolean' ? saved.duplex : fresh.duplex,
    };
  } catch {
    return fresh;
  }
}

export function saveScanProfile(profile: ScanProfile): void {
  try {
    globalThis.localStorage?.setItem(SCAN_PROFILE_KEY, JSON.stringify(profile));
  } catch {
    // Storage unavailable: the profile lasts for this page only.
  }
}

function closest(values: readonly number[], wanted: number): number {
  return values.reduce((best, v) => (Math.abs(v - wanted) < Math.abs(best - wanted) ? v : best), values[0] ?? wanted);
}

/**
 * The profile adjusted to what a scanner offers: the nearest resolution it has, a colour mode and
 * a paper source it supports, duplex only where it can. Unknown capabilities leave it as it is.
 */
export function fitToCapabilities(profile: ScanProfile, caps: ScannerCapabilities | null): ScanProfile {
  if (!caps) return { ...profile };
  const resolution =
    caps.resolutions.length && !caps.resolutions.includes(profile.resolution)
      ? closest(caps.resolutions, profile.resolution)
      : profile.resolution;
  const mode =
    caps.modes.length && !caps.modes.includes(profile.mode)
      ? caps.modes.includes('color')
        ? 'color'
        : caps.modes[0]!
      : profile.mode;
  const source = caps.sources.length && !caps.sources.includes(profile.source) ? caps.sources[0]! : profile.source;
  return { ...profile, resolution, mode, source, duplex: profile.duplex && caps.duplex && source === 'feeder' };
}

/** Duplex means both sides of each sheet through the feeder; the flatbed has one side. */
export function canDuplex(profile: ScanProfile, caps: ScannerCapabilities | null): boolean {
  return profile.source === 'feeder' && (caps?.duplex ?? false);
}

/** The `digitise.startScan` params; the core derives the processing profile from the request. */
export function startScanParams(
  profile: ScanProfile,
  scannerId: string,
  caps: ScannerCapabilities | null,
): ParamsOf<'digitise.startScan'> {
  return {
    scannerId,
    request: {
      source: profile.source,
      duplex: profile.duplex && canDuplex(profile, caps),
      resolution: profile.resolution,
      mode: profile.mode,
    },
  };
}

/** Processing overrides for imported files: the chosen colour mode and resolution (for PDF pages). */
export function importProfile(profile: ScanProfile): NonNullable<ParamsOf<'digitise.importFiles'>['profile']> {
  return { dpi: Math.min(600, Math.max(72, profile.resolution)), colour: profile.mode };
}

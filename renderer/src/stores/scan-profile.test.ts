// @vitest-environment happy-dom
import { beforeEach, describe, expect, it } from 'vitest';
import { scanners } from '../testing/digitise-fixtures';
import {
  defaultScanProfile,
  fitToCapabilities,
  loadScanProfile,
  SCAN_PROFILE_KEY,
  saveScanProfile,
  startScanParams,
} from './scan-profile';

const caps = scanners[0]!.capabilities!;

beforeEach(() => globalThis.localStorage.clear());

describe('scan profile', () => {
  it('defaults to 200 dpi colour and is remembered on the workstation', () => {
    expect(loadScanProfile()).toEqual(defaultScanProfile());
    saveScanProfile({ scannerId: 'sim:1', resolution: 300, mode: 'gray', source: 'flatbed', duplex: false });
    expect(loadScanProfile()).toEqual({
      scannerId: 'sim:1',
      resolution: 300,
      mode: 'gray',
      source: 'flatbed',
      duplex: false,
    });
    globalThis.localStorage.setItem(SCAN_PROFILE_KEY, '{"mode":"sepia","resolution":"x"}');
    expect(loadScanProfile()).toEqual(defaultScanProfile());
  });

  it('fits the profile to what the scanner offers', () => {
    const fitted = fitToCapabilities(
      { scannerId: 'x', resolution: 240, mode: 'bw', source: 'feeder', duplex: true },
      {
        ...caps,
        resolutions: [100, 300],
        modes: ['color', 'gray'],
        sources: ['flatbed'],
        duplex: false,
      },
    );
    expect(fitted).toEqual({ scannerId: 'x', resolution: 300, mode: 'color', source: 'flatbed', duplex: false });
  });

  it('asks for duplex only through the feeder', () => {
    const flatbed = { ...defaultScanProfile(), source: 'flatbed' as const, duplex: true };
    expect(startScanParams(flatbed, 'sim:1', caps).request.duplex).toBe(false);
    expect(startScanParams({ ...flatbed, source: 'feeder' }, 'sim:1', caps).request).toEqual({
      source: 'feeder',
      duplex: true,
      resolution: 200,
      mode: 'color',
    });
  });
});

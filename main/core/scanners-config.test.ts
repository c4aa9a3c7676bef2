import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { parseConfig, TRAINING_CONFIG } from './config';
import { DEFAULT_SCANNERS_CONFIG, scannerDriverConfig } from './scanners-config';

const base = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q02', name: 'Quầy 2' },
};

function failure(scanners: unknown): { message: string; fields: string[] } {
  try {
    parseConfig({ ...base, scanners });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe('CONFIG_INVALID');
    return { message: err.message, fields: (err.details as { fields: string[] }).fields };
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('scanners section of the configuration', () => {
  it('defaults to SANE (auto) plus file import, and training keeps the same default', () => {
    const config = parseConfig(base);
    expect(config.scanners).toEqual(DEFAULT_SCANNERS_CONFIG);
    expect(TRAINING_CONFIG.scanners).toEqual(DEFAULT_SCANNERS_CONFIG);
    expect(scannerDriverConfig(config.scanners)).toEqual({ devices: [{ kind: 'sane' }], fileImport: true });
  });

  it('accepts every adapter and maps it for createDrivers', () => {
    const config = parseConfig({
      ...base,
      scanners: {
        sane: {
          devices: ['fujitsu:fi-7160:1234', 'airscan:e0:Canon MF440'],
          scanimagePath: '/usr/bin/scanimage',
          env: { SANE_CONFIG_DIR: '/etc/motcua/sane.d' },
        },
        escl: [{ url: 'http://192.168.1.20/eSCL', name: 'Máy quét tầng 2' }, { url: 'https://192.168.1.21' }],
        folders: [
          { path: '/srv/scans/quay1', name: 'Máy quét Quầy 1', idleTimeoutMs: 30000 },
          { path: 'D:\\Scans\\Quay2' },
        ],
        fileImport: false,
        defaultProfile: { deskew: false, jpegQuality: 80 },
      },
    });
    expect(scannerDriverConfig(config.scanners)).toEqual({
      devices: [
        {
          kind: 'sane',
          devices: ['fujitsu:fi-7160:1234', 'airscan:e0:Canon MF440'],
          scanimagePath: '/usr/bin/scanimage',
          env: { SANE_CONFIG_DIR: '/etc/motcua/sane.d' },
        },
        { kind: 'escl', url: 'http://192.168.1.20/eSCL', name: 'Máy quét tầng 2' },
        { kind: 'escl', url: 'https://192.168.1.21' },
        { kind: 'folder', path: '/srv/scans/quay1', name: 'Máy quét Quầy 1', idleTimeoutMs: 30000 },
        { kind: 'folder', path: 'D:\\Scans\\Quay2' },
      ],
      fileImport: false,
    });
    expect(config.scanners.defaultProfile).toEqual({ deskew: false, jpegQuality: 80 });
  });

  it('can switch SANE off (Windows) and leave only the listed devices', () => {
    const config = parseConfig({ ...base, scanners: { sane: false, escl: [{ url: 'http://10.0.0.5/eSCL' }] } });
    expect(scannerDriverConfig(config.scanners).devices).toEqual([{ kind: 'escl', url: 'http://10.0.0.5/eSCL' }]);
    expect(scannerDriverConfig(parseConfig({ ...base, scanners: { sane: false } }).scanners).devices).toEqual([]);
  });

  it.each([
    [{ sane: true }, 'scanners.sane'],
    [{ sane: { devices: [] } }, 'scanners.sane.devices'],
    [{ sane: { devices: 'all' } }, 'scanners.sane.devices'],
    [{ sane: { devices: ['-L'] } }, 'scanners.sane.devices.0'],
    [{ sane: { devices: ['test:0', ' test:1'] } }, 'scanners.sane.devices.1'],
    [{ sane: { devices: ['test:0\n'] } }, 'scanners.sane.devices.0'],
    [{ sane: { devices: ['test:0', 'test:0'] } }, 'scanners.sane.devices.1'],
    [{ sane: { env: { 'sane config': '/x' } } }, 'scanners.sane.env.sane config'],
    [{ sane: { device: 'test:0' } }, 'scanners.sane'],
    [{ escl: [{ url: '192.168.1.20' }] }, 'scanners.escl.0.url'],
    [{ escl: [{ url: 'ftp://192.168.1.20/eSCL' }] }, 'scanners.escl.0.url'],
    [{ escl: [{ url: 'http://192.168.1.20/eSCL' }, { url: 'http://192.168.1.20/' }] }, 'scanners.escl.1.url'],
    [{ escl: { url: 'http://192.168.1.20/eSCL' } }, 'scanners.escl'],
    [{ escl: [{ url: 'http://192.168.1.20/eSCL', name: '  ' }] }, 'scanners.escl.0.name'],
    [{ folders: [{ path: 'scans/quay1' }] }, 'scanners.folders.0.path'],
    [{ folders: [{ path: '' }] }, 'scanners.folders.0.path'],
    [{ folders: [{ path: '/srv/scans', idleTimeoutMs: 50 }] }, 'scanners.folders.0.idleTimeoutMs'],
    [{ folders: [{ path: '/srv/scans' }, { path: '/srv/scans/' }] }, 'scanners.folders.1.path'],
    [{ fileImport: 'yes' }, 'scanners.fileImport'],
    [{ defaultProfile: { dpi: 1200 } }, 'scanners.defaultProfile.dpi'],
    [{ defaultProfile: { colour: 'sepia' } }, 'scanners.defaultProfile.colour'],
    [{ defaultProfile: { ocr: false } }, 'scanners.defaultProfile'],
    [{ twain: true }, 'scanners'],
  ])('names the wrong field (%#: %o)', (scanners, field) => {
    const { message, fields } = failure(scanners);
    expect(message).toContain(`${field}:`);
    expect(fields).toContain(field);
  });
});

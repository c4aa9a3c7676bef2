import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDrivers } from '../index';
import { SimulatedDocumentPrinter } from '../printer/simulated-document-printer';
import { CombinedScannerProvider } from './combined-provider';
import { EsclScanner } from './escl-scanner';
import { FileImportScanner } from './file-import';
import { FolderScanner } from './folder-scanner';
import { SaneScannerProvider } from './sane-provider';
import { SaneScanner } from './sane-scanner';
import { makeSaneEnv, SCANIMAGE } from './sane-test-env';
import { SimulatedScanner } from './simulated-scanner';

describe('createDrivers: scanners', () => {
  let folder: string;

  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'motcua-drivers-'));
  });

  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('keeps the printer working without a scanner config; training gets a twin and file import', async () => {
    const drivers = createDrivers({ mode: 'training', documentPrinter: { kind: 'simulated' } });
    expect(drivers.documentPrinter).toBeInstanceOf(SimulatedDocumentPrinter);
    const list = await drivers.scanners.list();
    expect(list.map((s) => `${s.id}|${s.kind}`)).toEqual(['sim:1|simulated', 'file|file']);
    expect(drivers.scanners.open('sim:1')).toBeInstanceOf(SimulatedScanner);
    expect(drivers.scanners.open('file')).toBeInstanceOf(FileImportScanner);
  });

  it('training never touches real scanners: each configured device becomes a twin named after it', async () => {
    const drivers = createDrivers({
      mode: 'training',
      documentPrinter: { kind: 'simulated' },
      scanner: {
        devices: [
          { kind: 'sane' },
          { kind: 'escl', url: 'http://192.0.2.1/eSCL', name: 'Máy quét tầng 2' },
          { kind: 'folder', path: folder },
        ],
        fileImport: false,
      },
    });
    const list = await drivers.scanners.list();
    expect(list.every((s) => s.kind === 'simulated')).toBe(true);
    expect(list.map((s) => s.name)).toEqual([
      'Máy quét mô phỏng 1',
      'Máy quét tầng 2 (mô phỏng)',
      'Máy quét mô phỏng 3',
    ]);
    expect(() => drivers.scanners.open('escl:http://192.0.2.1/eSCL')).toThrow(RangeError);
  });

  it('production: each device is what its config says', async () => {
    const drivers = createDrivers({
      mode: 'production',
      documentPrinter: { kind: 'simulated' },
      scanner: {
        devices: [
          { kind: 'sane', scanimagePath: join(folder, 'no-scanimage') },
          { kind: 'escl', url: 'http://192.0.2.1', name: 'Máy quét mạng' },
          { kind: 'folder', path: folder, name: 'Thư mục quét' },
        ],
      },
    });
    expect(drivers.scanners).toBeInstanceOf(CombinedScannerProvider);
    const list = await drivers.scanners.list();
    // No scanimage here: SANE is left out of the list, the others stay.
    expect(list.map((s) => s.id)).toEqual(['escl:http://192.0.2.1/eSCL', `folder:${folder}`, 'file']);
    expect((drivers.scanners as CombinedScannerProvider).lastErrors).toHaveLength(1);
    expect(drivers.scanners.open('escl:http://192.0.2.1/eSCL')).toBeInstanceOf(EsclScanner);
    expect(drivers.scanners.open(`folder:${folder}`)).toBeInstanceOf(FolderScanner);
    expect(drivers.scanners.open('sane:test:0')).toBeInstanceOf(SaneScanner);
    expect(() => drivers.scanners.open('nothing')).toThrow(RangeError);
  });

  it('training keeps a twin even when every adapter is switched off', async () => {
    const drivers = createDrivers({
      mode: 'training',
      documentPrinter: { kind: 'simulated' },
      scanner: { devices: [], fileImport: false },
    });
    expect((await drivers.scanners.list()).map((s) => s.id)).toEqual(['sim:1']);
  });

  it.skipIf(SCANIMAGE === null)(
    "production SANE: 'auto' offers every device, named devices only those (SANE test backend)",
    async () => {
      const sane = await makeSaneEnv();
      try {
        const auto = createDrivers({
          mode: 'production',
          documentPrinter: { kind: 'simulated' },
          scanner: { devices: [{ kind: 'sane', env: sane.env }], fileImport: false },
        });
        expect((await auto.scanners.list()).map((s) => s.id)).toEqual(['sane:test:0', 'sane:test:1']);

        const named = createDrivers({
          mode: 'production',
          documentPrinter: { kind: 'simulated' },
          scanner: { devices: [{ kind: 'sane', devices: ['test:1', 'fujitsu:fi-7160:1234'], env: sane.env }] },
        });
        const list = await named.scanners.list();
        expect(list.map((s) => s.id)).toEqual(['sane:test:1', 'file']);
        const sanePart = (named.scanners as CombinedScannerProvider).parts[0] as SaneScannerProvider;
        expect(sanePart.missing()).toEqual(['fujitsu:fi-7160:1234']);
        const scanner = named.scanners.open('sane:test:1');
        expect(scanner).toBeInstanceOf(SaneScanner);
        expect((await scanner.capabilities()).sources).toContain('flatbed');
        expect(() => named.scanners.open('sane:test:0')).toThrow(RangeError);
      } finally {
        await sane.dispose();
      }
    },
  );
});

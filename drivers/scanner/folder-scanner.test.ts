import { appendFile, mkdtemp, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../device-error';
import { fixtureText, renderFixturePage } from './fixture-pages';
import { FolderScanner, FolderScannerProvider, type FolderScannerOptions } from './folder-scanner';
import { samplePdf } from './sample-files';
import { errorCode, runScan, runScannerContract, type ScannerHarness } from './scanner.contract';
import type { ScanRequest, ScannedPage } from './scanner.port';

const FAST: Omit<FolderScannerOptions, 'folder'> = {
  settleMs: 100,
  pollMs: 40,
  idleTimeoutMs: 500,
  firstPageTimeoutMs: 5_000,
  corruptGraceMs: 400,
};
const REQ: ScanRequest = { source: 'feeder', duplex: false, resolution: 75, mode: 'gray' };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function page(n: number, total = 3): Promise<Uint8Array> {
  return renderFixturePage({ text: fixtureText(n, total), dpi: 75, widthMm: 105, heightMm: 148 });
}

/** Writes a file atomically (as most devices do): a temporary name, then a rename. */
async function drop(folder: string, name: string, bytes: Uint8Array): Promise<void> {
  await writeFile(join(folder, `${name}.part`), bytes);
  await rename(join(folder, `${name}.part`), join(folder, name));
}

runScannerContract('FolderScanner (scan-to-folder)', async () => {
  const folder = await mkdtemp(join(tmpdir(), 'motcua-folder-'));
  const scanner = new FolderScanner({ folder, ...FAST });
  let slow = false;
  let stopped = false;
  const writers: Promise<void>[] = [];
  return {
    scanner,
    honoursPageSize: false,
    loadFeeder: async (sheets) => {
      const write = async (): Promise<void> => {
        for (let n = 1; n <= sheets && !stopped; n += 1) {
          await drop(folder, `scan-${String(n).padStart(3, '0')}.png`, await page(n, sheets));
          if (slow) await sleep(250);
        }
      };
      if (slow) writers.push(write());
      else await write();
      return sheets;
    },
    slowScanner: async () => {
      slow = true;
      return scanner;
    },
    leftovers: async () => scanner.activeScans,
    dispose: async () => {
      stopped = true;
      await Promise.all(writers);
      await rm(folder, { recursive: true, force: true });
    },
  } satisfies ScannerHarness;
});

describe('FolderScanner', () => {
  let folder: string;

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'motcua-folder-'));
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it('does not take a file written slowly in chunks until it is complete', async () => {
    const bytes = await page(1, 1);
    const scanner = new FolderScanner({ folder, ...FAST });
    let lastChunkAt = 0;
    const writer = (async () => {
      const path = join(folder, 'cham.png');
      const chunks = 6;
      const size = Math.ceil(bytes.length / chunks);
      for (let i = 0; i < chunks; i += 1) {
        // One pause is longer than the settle time: the half-written PNG is stable but undecodable.
        await sleep(i === 3 ? 350 : 60);
        await appendFile(path, bytes.subarray(i * size, (i + 1) * size));
        lastChunkAt = Date.now();
      }
    })();
    const yieldedAt: number[] = [];
    const outcome = await runScan(scanner, REQ, { onPage: () => yieldedAt.push(Date.now()) });
    await writer;
    expect(outcome.error).toBeNull();
    expect(outcome.pages).toHaveLength(1);
    expect(Buffer.from(outcome.pages[0]?.bytes ?? []).equals(Buffer.from(bytes))).toBe(true);
    expect(yieldedAt[0]).toBeGreaterThanOrEqual(lastChunkAt);
    expect(scanner.rejected).toHaveLength(0);
    expect(await readdir(join(folder, 'taken'))).toEqual(['cham.png']);
    expect((await readdir(folder)).sort()).toEqual(['taken']);
  });

  it('reports a corrupt file, moves it aside once, and goes on with the next ones', async () => {
    const reported: string[] = [];
    const scanner = new FolderScanner({
      folder,
      ...FAST,
      onRejected: (file, error) => reported.push(`${file}|${error.code}`),
    });
    await writeFile(join(folder, 'a-hong.png'), 'definitely not a PNG');
    const writer = (async () => {
      await sleep(700);
      await drop(folder, 'b-tot.png', await page(1));
    })();
    const outcome = await runScan(scanner, REQ);
    await writer;
    expect(outcome.error).toBeNull();
    expect(outcome.pages).toHaveLength(1);
    expect(reported).toEqual([`${join(folder, 'rejected', 'a-hong.png')}|IMAGE_UNREADABLE`]);
    expect(scanner.rejected[0]?.error).toBeInstanceOf(DeviceError);
    expect(scanner.rejected[0]?.error.message).toContain('a-hong.png');
    expect(await readdir(join(folder, 'rejected'))).toEqual(['a-hong.png']);
    expect(await readdir(join(folder, 'taken'))).toEqual(['b-tot.png']);
  });

  it('takes files already waiting, in order, PDFs page by page; ignores temporary names', async () => {
    await drop(folder, '001.png', await page(1));
    await sleep(20);
    await writeFile(join(folder, '002.pdf'), await samplePdf(2));
    await writeFile(join(folder, 'dang-ghi.png.part'), 'half');
    await writeFile(join(folder, 'ghi-chu.txt'), 'not a scan');
    const outcome = await runScan(new FolderScanner({ folder, ...FAST }), REQ);
    expect(outcome.error).toBeNull();
    expect(outcome.pages.map((p: ScannedPage) => `${p.index}:${p.mimeType}`)).toEqual([
      '1:image/png',
      '2:image/png',
      '3:image/png',
    ]);
    expect((await readdir(join(folder, 'taken'))).sort()).toEqual(['001.png', '002.pdf']);
    expect((await readdir(folder)).sort()).toEqual(['dang-ghi.png.part', 'ghi-chu.txt', 'taken']);
  });

  it('never reads a file twice, even under the same name', async () => {
    const scanner = new FolderScanner({ folder, ...FAST, idleTimeoutMs: 300 });
    await drop(folder, 'scan.png', await page(1));
    expect((await runScan(scanner, REQ)).pages).toHaveLength(1);
    await drop(folder, 'scan.png', await page(2));
    expect((await runScan(scanner, REQ)).pages).toHaveLength(1);
    expect((await readdir(join(folder, 'taken'))).sort()).toEqual(['scan-1.png', 'scan.png']);
  });

  it('without any file: DEVICE_UNAVAILABLE after the first-page timeout', async () => {
    const outcome = await runScan(new FolderScanner({ folder, ...FAST, firstPageTimeoutMs: 300 }), REQ);
    expect(errorCode(outcome.error)).toBe('DEVICE_UNAVAILABLE');
    expect((outcome.error as Error).message).toMatch(/no file arrived/);
  });

  it('a folder that does not exist is DEVICE_UNAVAILABLE', async () => {
    const scanner = new FolderScanner({ folder: join(folder, 'khong-co') });
    await expect(scanner.capabilities()).rejects.toMatchObject({ code: 'DEVICE_UNAVAILABLE' });
  });

  it('provider lists configured folders', async () => {
    const provider = new FolderScannerProvider([{ folder, name: 'Máy quét quầy 2' }]);
    const [info] = await provider.list();
    expect(info).toEqual({ id: `folder:${folder}`, name: 'Máy quét quầy 2', kind: 'folder' });
    expect(provider.open(info?.id ?? '')).toBeInstanceOf(FolderScanner);
    expect(() => provider.open('folder:/elsewhere')).toThrow(RangeError);
  });
});

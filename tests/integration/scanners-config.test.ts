import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkScanners } from '../../main/cli/doctor-scanners';
import { loadConfig } from '../../main/core/config';
import { createNationalPortalClient } from '../../main/remotes/national-portal/national-portal.client';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from '../../main/remotes/national-portal/national-portal.simulator';
import { createProvincialClient } from '../../main/remotes/provincial/provincial.client';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from '../../main/remotes/provincial/provincial.simulator';
import { type EsclServer, makeSaneEnv, type SaneEnv, SCANIMAGE, startEsclServer } from '../../drivers/testing';
import { startTestCore } from './core-support';

/**
 * The `scanners` section of a real configuration file, through the composition root: a production
 * desk offers the SANE devices, eSCL scanners and scan folders it names (SANE's `test` backend with
 * a private SANE_CONFIG_DIR, a local eSCL server); a training desk offers only twins; `doctor`
 * reports each configured scanner, reachable or not.
 */
let national: NationalPortalSimulator;
let provincial: ProvincialSimulator;
let escl: EsclServer;
let sane: SaneEnv | null = null;
let root: string;
let deadUrl: string;

const base = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 0 },
  counter: { id: 'Q01', name: 'Quầy 1' },
};
const production = {
  ...base,
  remotes: {
    national: {
      baseUrl: 'https://dvc.example.vn/api',
      username: 'h56',
      passwordEnv: 'MOTCUA_TEST_UNUSED',
      dstcode: 'H56',
    },
    provincial: { baseUrl: 'https://lgsp.example.vn', clientId: 'desk', clientSecretEnv: 'MOTCUA_TEST_UNUSED' },
  },
};

function dataDirWith(config: unknown): string {
  const dir = mkdtempSync(join(root, 'desk-'));
  writeFileSync(join(dir, 'motcua-desk.config.json'), JSON.stringify(config));
  return dir;
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'motcua-scanners-'));
  national = await startNationalPortalSimulator({ users: [{ ...TRAINING_NATIONAL_USER }], dstcode: TRAINING_DSTCODE });
  provincial = await startProvincialSimulator({ clients: [{ ...TRAINING_PROVINCIAL_CLIENT }] });
  escl = await startEsclServer({ makeAndModel: 'Canon imageFORMULA DR-C225 (mô phỏng)' });
  if (SCANIMAGE !== null) sane = await makeSaneEnv();
  // A port nobody listens on: an eSCL scanner that is switched off.
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  deadUrl = `http://127.0.0.1:${port}/eSCL`;
});

afterAll(async () => {
  await national.close();
  await provincial.close().catch(() => undefined);
  await escl.close();
  await sane?.dispose();
  rmSync(root, { recursive: true, force: true });
});

describe('scanners from the configuration file', () => {
  it.skipIf(SCANIMAGE === null)(
    'a production desk offers the configured SANE device, eSCL scanner and scan folder',
    async () => {
      const folder = join(root, 'scan-folder');
      mkdirSync(folder);
      const dataDir = dataDirWith({
        ...production,
        scanners: {
          sane: { devices: ['test:1'], env: sane!.env },
          escl: [{ url: escl.url, name: 'Máy quét tầng 2' }],
          folders: [{ path: folder, name: 'Thư mục quét Quầy 1' }],
          defaultProfile: { jpegQuality: 85 },
        },
      });
      const desk = await startTestCore({
        dataDir,
        remotes: {
          national: createNationalPortalClient({
            baseUrl: national.url,
            ...TRAINING_NATIONAL_USER,
            dstcode: TRAINING_DSTCODE,
            agencyCode: base.agency.id,
          }),
          provincial: createProvincialClient({
            baseUrl: provincial.url,
            ...TRAINING_PROVINCIAL_CLIENT,
            timeoutMs: 2000,
          }),
        },
      });
      try {
        expect(desk.core.trainingMode).toBe(false);
        const listed = await desk.core.digitise.listScanners();
        expect(listed.map((s) => `${s.kind}|${s.id}|${s.error === null ? 'ready' : s.error.code}`)).toEqual([
          'sane|sane:test:1|ready',
          `escl|escl:${escl.url}|ready`,
          `folder|folder:${folder}|ready`,
          'file|file|ready',
        ]);
        expect(listed.find((s) => s.kind === 'escl')!.name).toBe('Máy quét tầng 2');

        // A batch scanned from the SANE test device carries the configured default profile.
        const user = { username: 'sohoa', displayName: 'Cán bộ số hóa', role: 'digitiser' as const };
        const { batchId } = await desk.core.digitise.startScan(
          'sane:test:1',
          { source: 'flatbed', duplex: false, resolution: 75, mode: 'gray' },
          {},
          user,
        );
        const stored = desk.core.store.batches.get(batchId)!.batch.profile as {
          jpegQuality: number;
          dpi: number;
          colour: string;
        };
        expect(stored).toMatchObject({ jpegQuality: 85, dpi: 75, colour: 'gray' });
        await desk.core.digitise.cancel(batchId);
        await desk.core.digitise.idle();
      } finally {
        await desk.dispose();
      }
    },
  );

  it('a training desk never touches the configured devices: twins named after them', async () => {
    const dataDir = dataDirWith({
      ...base,
      scanners: { sane: false, escl: [{ url: escl.url, name: 'Máy quét tầng 2' }], fileImport: false },
    });
    const before = escl.log.length;
    const desk = await startTestCore({ dataDir });
    try {
      expect(desk.core.trainingMode).toBe(true);
      const listed = await desk.core.digitise.listScanners();
      expect(listed.map((s) => `${s.kind}|${s.name}`)).toEqual(['simulated|Máy quét tầng 2 (mô phỏng)']);
      expect(escl.log.length).toBe(before);
    } finally {
      await desk.dispose();
    }
  });

  it('doctor reports each configured scanner, reachable or not', async () => {
    const folder = join(root, 'doctor-folder');
    mkdirSync(folder);
    const dataDir = dataDirWith({
      ...production,
      scanners: {
        sane: sane ? { devices: ['test:0', 'fujitsu:fi-7160:1234'], env: sane.env } : false,
        escl: [{ url: escl.url }, { url: deadUrl, name: 'Máy quét đã tắt' }],
        folders: [{ path: folder }, { path: join(root, 'no-such-folder') }],
      },
    });
    const checks: { name: string; status: string; detail: string }[] = [];
    await checkScanners(loadConfig(dataDir), (name, status, detail) => checks.push({ name, status, detail }), 3000);
    const line = (pattern: RegExp) => checks.find((c) => pattern.test(c.detail));
    if (sane) {
      expect(line(/\[sane:test:0\]/)?.status).toBe('ok');
      expect(line(/fujitsu:fi-7160:1234/)).toMatchObject({ name: 'scanner.sane', status: 'warn' });
    }
    expect(line(new RegExp(`\\[escl:${escl.url}\\]`))?.status).toBe('ok');
    expect(line(/Máy quét đã tắt/)).toMatchObject({ name: 'scanner.escl', status: 'warn' });
    expect(line(new RegExp(`\\[folder:${folder}\\]`))?.status).toBe('ok');
    expect(line(/no-such-folder/)).toMatchObject({ name: 'scanner.folder', status: 'warn' });
    expect(checks.every((c) => c.status !== 'fail')).toBe(true);

    const training: string[] = [];
    await checkScanners(loadConfig(dataDirWith(base)), (_name, status, detail) => training.push(`${status} ${detail}`));
    expect(training).toEqual(['ok chế độ đào tạo: 1 máy quét mô phỏng thay cho SANE (auto)']);
  });
});

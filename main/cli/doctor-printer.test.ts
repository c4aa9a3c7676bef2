import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LPSTAT_WITH_DEFAULT_FILE, standInsOnPath, type StandInsOnPath } from '../../drivers/testing';
import { createDrivers, documentPrinterSetting } from '../../drivers';
import { CONFIG_FILE_NAME, loadConfig, printedFolder } from '../core/config';
import { runDoctor } from './doctor.command';
import { checkDocumentPrinter } from './doctor-printer';

/** Stand-ins on PATH beside `LPSTAT_WITH_DEFAULT_FILE`: `powershell.exe` answering "no default". */
const POWERSHELL = `#!/bin/sh
echo '{"found":false}'
`;

const production = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q01', name: 'Quầy 1' },
  remotes: {
    national: {
      baseUrl: 'http://127.0.0.1:9/api',
      username: 'h56',
      passwordEnv: 'MOTCUA_TEST_NO_SUCH_PASSWORD',
      dstcode: 'H56',
    },
    provincial: { baseUrl: 'http://127.0.0.1:9', clientId: 'desk', clientSecretEnv: 'MOTCUA_TEST_NO_SUCH_SECRET' },
  },
};

type Line = { name: string; status: string; detail: string };

describe('doctor: the A4 document printer', () => {
  let dataDir: string;
  let bin: string;
  let standIns: StandInsOnPath;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-doctor-printer-'));
    standIns = await standInsOnPath({ lpstat: LPSTAT_WITH_DEFAULT_FILE, 'powershell.exe': POWERSHELL });
    bin = standIns.dir;
  });

  afterEach(async () => {
    await standIns.dispose();
    await rm(dataDir, { recursive: true, force: true });
  });

  const check = async (platform: NodeJS.Platform = 'linux'): Promise<Line[]> => {
    const lines: Line[] = [];
    await checkDocumentPrinter(
      loadConfig(dataDir),
      dataDir,
      (name, status, detail) => lines.push({ name, status, detail }),
      platform,
    );
    return lines;
  };
  const writeConfig = (value: unknown) => writeFile(join(dataDir, CONFIG_FILE_NAME), JSON.stringify(value));

  it('training: counts the receipts the desk printed (three, not 0)', async () => {
    // The desk's own printer, chosen as compose chooses it, prints three receipts.
    const desk = createDrivers({
      mode: 'training',
      documentPrinter: documentPrinterSetting('training', undefined, printedFolder(dataDir)),
    }).documentPrinter;
    const pdf = new TextEncoder().encode('%PDF-1.7\n%%EOF\n');
    for (const n of [1, 2, 3]) await desk.print(pdf, { title: `Giấy tiếp nhận hồ sơ ${n}` });
    const out: string[] = [];
    await runDoctor(dataDir, { out: (s) => out.push(s), json: false });
    const line = out.find((l) => l.includes('device.documentPrinter'));
    expect(line).toMatch(/^\[OK {2}\] device\.documentPrinter/);
    expect(line).toContain('đã in 3 tài liệu');
    expect(line).not.toMatch(/job\(s\)/);
  });

  it('production without devices and without a default printer fails, saying how to set one', async () => {
    await writeConfig(production);
    const [line] = await check('linux');
    expect(line).toMatchObject({ name: 'device.documentPrinter', status: 'fail' });
    expect(line?.detail).toContain('chưa đặt máy in mặc định');
    expect(line?.detail).toContain('lpoptions -d');
    expect(line?.detail).not.toMatch(/mô phỏng/);

    const out: string[] = [];
    const code = await runDoctor(dataDir, { out: (s) => out.push(s), json: false, platform: 'linux' });
    expect(code).toBe(1);
    expect(out.find((l) => l.includes('device.documentPrinter'))).toMatch(/^\[LỖI \].*chưa đặt máy in mặc định/);
  });

  it('production on Windows without a default printer says where Windows sets it', async () => {
    await writeConfig(production);
    const [line] = await check('win32');
    expect(line).toMatchObject({ status: 'fail' });
    expect(line?.detail).toContain('Máy in & máy quét');
  });

  it('production prints to the default printer once one is set', async () => {
    await writeConfig(production);
    await writeFile(join(bin, 'default'), 'A4_Quay1');
    const [line] = await check('linux');
    expect(line).toMatchObject({ status: 'ok' });
    expect(line?.detail).toContain('máy in mặc định của hệ thống');
    expect(line?.detail).toContain('A4_Quay1');
  });

  it('production with a simulated printer named on purpose is a warning, never OK', async () => {
    await writeConfig({ ...production, devices: { documentPrinter: { kind: 'simulated' } } });
    const [line] = await check('linux');
    expect(line).toMatchObject({ status: 'warn' });
    expect(line?.detail).toContain('MÔ PHỎNG');
  });

  it('a named CUPS queue that does not answer as ready is a failure', async () => {
    await writeConfig({ ...production, devices: { documentPrinter: { kind: 'cups', queue: 'A4_Quay2' } } });
    await writeFile(
      join(bin, 'lpstat'),
      '#!/bin/sh\necho "lpstat: Invalid destination name in list \\"$2\\"." >&2; exit 1\n',
    );
    const [line] = await check('linux');
    expect(line).toMatchObject({ status: 'fail' });
    expect(line?.detail).toContain('hàng in CUPS "A4_Quay2"');
  });
});

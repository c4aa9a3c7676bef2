import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LPSTAT_WITH_DEFAULT_FILE, standInsOnPath, type StandInsOnPath } from '../../drivers/testing';
import { CONFIG_FILE_NAME } from '../../main/core/config';
import { startTestCore } from './core-support';

/**
 * A production desk whose configuration has no `devices` section: the composed core must print to
 * the system's default printer (CUPS here, through stand-in `lp`/`lpstat` on PATH that keep each
 * job), never to the simulated printer's `printed/` folder.
 */
const LP = `#!/bin/sh
dir=$(dirname "$0")
n=$(ls "$dir/jobs" | wc -l)
cat > "$dir/jobs/$n.pdf"
echo "$@" > "$dir/jobs/$n.args"
echo "request id is $2-$n (1 file(s))"
`;

describe.skipIf(process.platform === 'win32')('production desk without devices in its configuration', () => {
  let dataDir: string;
  let bin: string;
  let standIns: StandInsOnPath;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-prod-printer-'));
    standIns = await standInsOnPath({ lpstat: LPSTAT_WITH_DEFAULT_FILE, lp: LP });
    bin = standIns.dir;
    await mkdir(join(bin, 'jobs'));
    process.env.MOTCUA_PP_TEST_PW = 'x';
    process.env.MOTCUA_PP_TEST_SECRET = 'y';
    await writeFile(
      join(dataDir, CONFIG_FILE_NAME),
      JSON.stringify({
        agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 3 },
        counter: { id: 'Q01', name: 'Quầy 1' },
        remotes: {
          national: {
            baseUrl: 'http://127.0.0.1:9/api',
            username: 'h56',
            passwordEnv: 'MOTCUA_PP_TEST_PW',
            dstcode: 'H56',
          },
          provincial: { baseUrl: 'http://127.0.0.1:9', clientId: 'desk', clientSecretEnv: 'MOTCUA_PP_TEST_SECRET' },
        },
      }),
    );
  });

  afterEach(async () => {
    await standIns.dispose();
    delete process.env.MOTCUA_PP_TEST_PW;
    delete process.env.MOTCUA_PP_TEST_SECRET;
    await rm(dataDir, { recursive: true, force: true });
  });

  it('prints to the default printer, and refuses with PRINTER_NOT_SET when there is none', async () => {
    const p = await startTestCore({ dataDir, fixedNow: '2026-12-07T08:00' });
    try {
      const printer = p.core.drivers.documentPrinter;
      expect(printer.name).toBe('CUPS (máy in mặc định)');
      const pdf = new TextEncoder().encode('%PDF-1.7\nGiấy tiếp nhận\n%%EOF\n');

      await expect(printer.print(pdf, { title: 'Giấy tiếp nhận' })).rejects.toMatchObject({ code: 'PRINTER_NOT_SET' });
      expect(await printer.status()).toMatchObject({ ready: false, fault: 'PRINTER_NOT_SET' });

      await writeFile(join(bin, 'default'), 'A4_Quay1');
      expect(await printer.print(pdf, { title: '000.00.12.H56-261207-0001 - Giấy tiếp nhận' })).toEqual({
        jobId: 'A4_Quay1-0',
      });
      expect(Buffer.from(await readFile(join(bin, 'jobs', '0.pdf'))).equals(Buffer.from(pdf))).toBe(true);
      expect(await readFile(join(bin, 'jobs', '0.args'), 'utf8')).toContain('-d A4_Quay1');
      expect(existsSync(join(dataDir, 'printed')) ? await readdir(join(dataDir, 'printed')) : []).toEqual([]);
    } finally {
      await p.dispose();
    }
  }, 60_000);

  it('a simulated printer only when the configuration names it', async () => {
    const config = JSON.parse(await readFile(join(dataDir, CONFIG_FILE_NAME), 'utf8')) as Record<string, unknown>;
    await writeFile(
      join(dataDir, CONFIG_FILE_NAME),
      JSON.stringify({ ...config, devices: { documentPrinter: { kind: 'simulated' } } }),
    );
    const p = await startTestCore({ dataDir, fixedNow: '2026-12-07T08:00' });
    try {
      const printer = p.core.drivers.documentPrinter;
      expect(printer.name).toBe('Máy in A4 mô phỏng');
      await printer.print(new TextEncoder().encode('%PDF-1.7\n%%EOF\n'), { title: 'Giấy tiếp nhận' });
      expect(await readdir(join(dataDir, 'printed'))).toHaveLength(1);
      expect(await readdir(join(bin, 'jobs'))).toEqual([]);
    } finally {
      await p.dispose();
    }
  }, 60_000);
});

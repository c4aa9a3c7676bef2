import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SaneScannerOptions } from './sane-scanner';

/**
 * Test support: a private SANE configuration that loads only SANE's own `test` backend (a real
 * backend, no hardware), for the adapter's tests and for the wiring tests of `createDrivers`.
 */
function findScanimage(): string | null {
  try {
    execFileSync('scanimage', ['--version'], { stdio: 'ignore' });
    return 'scanimage';
  } catch {
    return null;
  }
}

export const SCANIMAGE = process.platform === 'linux' ? findScanimage() : null;

/** SANE's `test` backend defaults (as in /etc/sane.d/test.conf), with a grid to look at. */
const FALLBACK_TEST_CONF = `number_of_devices 2
mode Gray
depth 8
resolution 50.0
test-picture "Grid"
read-limit false
read-delay false
read-status-code "Default"
enable-test-options false
geometry_min 0.0
geometry_max 200.0
geometry_quant 1.0
tl_x 0.0
tl_y 0.0
br_x 80.0
br_y 100.0
`;

export interface SaneEnv {
  configDir: string;
  /** Where the adapter makes its batch folders. */
  tmpBase: string;
  env: Record<string, string>;
  options(extra?: Partial<SaneScannerOptions>): SaneScannerOptions;
  /** scanimage processes still running with this config dir, plus batch folders left behind. */
  leftovers(): Promise<number>;
  dispose(): Promise<void>;
}

/** A private SANE configuration that loads only the `test` backend. */
export async function makeSaneEnv(): Promise<SaneEnv> {
  const configDir = await mkdtemp(join(tmpdir(), 'motcua-sane-conf-'));
  const tmpBase = join(configDir, 'batches');
  await mkdir(tmpBase);
  await writeFile(join(configDir, 'dll.conf'), 'test\n');
  const system = '/etc/sane.d/test.conf';
  const conf = existsSync(system)
    ? (await readFile(system, 'utf8')).replace(/^test-picture .*$/m, 'test-picture "Grid"')
    : FALLBACK_TEST_CONF;
  await writeFile(join(configDir, 'test.conf'), conf);
  const env = { SANE_CONFIG_DIR: configDir };
  return {
    configDir,
    tmpBase,
    env,
    options: (extra = {}) => ({
      device: 'test:0',
      scanimagePath: SCANIMAGE ?? 'scanimage',
      env,
      tmpDir: tmpBase,
      pollMs: 50,
      ...extra,
    }),
    async leftovers() {
      let processes = 0;
      for (const pid of await readdir('/proc').catch(() => [] as string[])) {
        if (!/^\d+$/.test(pid)) continue;
        const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
        const cmdline = await readFile(`/proc/${pid}/cmdline`, 'latin1').catch(() => '');
        if (environ.includes(`SANE_CONFIG_DIR=${configDir}\u0000`) && cmdline.includes('scanimage')) processes += 1;
      }
      return processes + (await readdir(tmpBase)).length;
    },
    dispose: () => rm(configDir, { recursive: true, force: true }),
  };
}

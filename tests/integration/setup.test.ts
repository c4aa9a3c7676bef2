import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// @ts-expect-error a plain ES module of the launcher, without type declarations
import { missingDebianPackages, packagesInstalled } from '../../bin/setup.mjs';

/** The first-run set-up of `npm start` and `npm test` (docs/architecture.md, "Tests"). */
describe('bin/setup.mjs', () => {
  let dir: string;
  const lock = {
    packages: {
      '': { name: 'motcua-desk' },
      'node_modules/zod': { version: '4.1.0' },
      'node_modules/vue': { version: '3.5.0', dev: true },
      'node_modules/@esbuild/win32-x64': { version: '0.25.0', optional: true },
    },
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-setup-'));
    writeFileSync(join(dir, 'package-lock.json'), JSON.stringify(lock));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const installed = (packages: Record<string, { version: string }>) => {
    mkdirSync(join(dir, 'node_modules'), { recursive: true });
    writeFileSync(join(dir, 'node_modules', '.package-lock.json'), JSON.stringify({ packages }));
  };

  it('installs on a fresh clone (no node_modules) and after the lock moved a version', () => {
    expect(packagesInstalled(dir)).toBe(false);
    installed({ 'node_modules/zod': { version: '4.0.9' }, 'node_modules/vue': { version: '3.5.0' } });
    expect(packagesInstalled(dir)).toBe(false);
  });

  it('skips when every locked package is installed at its version; another platform’s optional build may be absent', () => {
    installed({ 'node_modules/zod': { version: '4.1.0' }, 'node_modules/vue': { version: '3.5.0' } });
    expect(packagesInstalled(dir)).toBe(true);
  });

  it('a dev package missing (tests need them) means install', () => {
    installed({ 'node_modules/zod': { version: '4.1.0' } });
    expect(packagesInstalled(dir)).toBe(false);
  });

  it('reads the Debian list without its comment lines; this machine has every package CI installs', () => {
    mkdirSync(join(dir, '.ci'));
    writeFileSync(join(dir, '.ci', 'debian-packages'), '# a comment with words\ncoreutils no-such-package-motcua\n');
    expect(missingDebianPackages(dir)).toEqual(['no-such-package-motcua']);
    expect(missingDebianPackages()).toEqual([]);
  });
});

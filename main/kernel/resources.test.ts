import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RESOURCES_ENV, fontsDir, formTemplatesDir, packageVersion, repoRoot, resourcesDir } from './resources';

const saved = process.env[RESOURCES_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[RESOURCES_ENV];
  else process.env[RESOURCES_ENV] = saved;
});

describe('repoRoot and packageVersion', () => {
  it('finds the folder holding package.json and reads its version', () => {
    const root = repoRoot();
    expect(existsSync(path.join(root, 'main', 'kernel', 'resources.ts'))).toBe(true);
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; version: string };
    expect(pkg.name).toBe('motcua-desk');
    expect(packageVersion()).toBe(pkg.version);
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });
});

describe('resourcesDir', () => {
  it('defaults to <repo>/resources next to main/', () => {
    delete process.env[RESOURCES_ENV];
    const dir = resourcesDir();
    expect(dir).toBe(path.join(repoRoot(), 'resources'));
    expect(existsSync(path.join(path.dirname(dir), 'main', 'kernel', 'resources.ts'))).toBe(true);
    for (const f of ['NotoSans-Regular.ttf', 'NotoSans-Bold.ttf', 'NotoSans-Italic.ttf', 'OFL.txt']) {
      expect(existsSync(path.join(fontsDir(), f))).toBe(true);
    }
    expect(existsSync(path.join(formTemplatesDir(), 'receipt.json'))).toBe(true);
    expect(existsSync(path.join(dir, 'seed', 'catalogue.json'))).toBe(true);
  });

  it('follows MOTCUA_RESOURCES_DIR when set', () => {
    process.env[RESOURCES_ENV] = '/opt/motcua/resources';
    expect(resourcesDir()).toBe(path.resolve('/opt/motcua/resources'));
    expect(fontsDir()).toBe(path.join(path.resolve('/opt/motcua/resources'), 'fonts'));
    expect(formTemplatesDir()).toBe(path.join(path.resolve('/opt/motcua/resources'), 'forms'));
    process.env[RESOURCES_ENV] = '  ';
    expect(path.basename(resourcesDir())).toBe('resources');
    expect(resourcesDir()).toBe(path.join(repoRoot(), 'resources'));
  });
});

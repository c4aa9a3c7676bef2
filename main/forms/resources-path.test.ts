import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RESOURCES_ENV, fontsDir, formTemplatesDir, resourcesDir } from './resources-path';

const saved = process.env[RESOURCES_ENV];
afterEach(() => {
  if (saved === undefined) delete process.env[RESOURCES_ENV];
  else process.env[RESOURCES_ENV] = saved;
});

describe('resourcesDir', () => {
  it('defaults to <repo>/resources next to main/', () => {
    delete process.env[RESOURCES_ENV];
    const dir = resourcesDir();
    expect(path.basename(dir)).toBe('resources');
    expect(existsSync(path.join(path.dirname(dir), 'main', 'forms', 'resources-path.ts'))).toBe(true);
    for (const f of ['NotoSans-Regular.ttf', 'NotoSans-Bold.ttf', 'NotoSans-Italic.ttf', 'OFL.txt']) {
      expect(existsSync(path.join(fontsDir(), f))).toBe(true);
    }
    expect(existsSync(path.join(formTemplatesDir(), 'receipt.json'))).toBe(true);
  });

  it('follows MOTCUA_RESOURCES_DIR when set', () => {
    process.env[RESOURCES_ENV] = '/opt/motcua/resources';
    expect(resourcesDir()).toBe(path.resolve('/opt/motcua/resources'));
    expect(fontsDir()).toBe(path.join(path.resolve('/opt/motcua/resources'), 'fonts'));
    process.env[RESOURCES_ENV] = '  ';
    expect(path.basename(resourcesDir())).toBe('resources');
  });
});

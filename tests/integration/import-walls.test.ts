import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The import walls of docs/architecture.md, enforced by dependency-cruiser with the repository's
 * own `.dependency-cruiser.cjs`: once on the real tree, once on a planted tree with one wrong
 * import per rule (and allowed imports next to them) to show each rule really bites.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const depcruiseBin = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const FOLDERS = ['common', 'main', 'drivers', 'preload', 'renderer/src'];

const CruiseOutput = z.object({
  summary: z.object({
    violations: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        rule: z.object({ name: z.string(), severity: z.string() }),
      }),
    ),
    totalCruised: z.number(),
  }),
});
type Violation = z.infer<typeof CruiseOutput>['summary']['violations'][number];

function depcruise(cwd: string, folders: readonly string[]): z.infer<typeof CruiseOutput>['summary'] {
  const run = spawnSync(
    process.execPath,
    [depcruiseBin, '--config', '.dependency-cruiser.cjs', '--output-type', 'json', ...folders],
    { cwd, encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 },
  );
  if (run.error) throw run.error;
  if (!run.stdout.trim().startsWith('{')) {
    throw new Error(`depcruise did not answer with JSON (exit ${String(run.status)}): ${run.stderr}`);
  }
  return CruiseOutput.parse(JSON.parse(run.stdout)).summary;
}

function describeViolations(violations: readonly Violation[]): string {
  return violations.map((v) => `${v.rule.name}: ${v.from} -> ${v.to}`).join('\n');
}

describe('import walls on the real tree', () => {
  it('has no violations in common, main, drivers, preload, renderer/src', () => {
    const summary = depcruise(repoRoot, FOLDERS);
    expect(summary.totalCruised).toBeGreaterThan(0);
    expect(summary.violations, describeViolations(summary.violations)).toEqual([]);
  });
});

/** file → source. Each "bad" file holds exactly one wrong import; "ok" files hold allowed ones. */
const FIXTURE: Record<string, string> = {
  'common/y.ts': `export const y = 1;\n`,
  'common/ok.ts': `import { z } from 'zod';\nimport { y } from './y';\nexport const ok = z.number().parse(y);\n`,
  'common/ok.test.ts': `import { readFileSync } from 'node:fs';\nimport { it } from 'vitest';\nimport { ok } from './ok';\nit('reads', () => { readFileSync(String(ok)); });\n`,
  'common/bad-node.ts': `import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n`,
  'common/bad-main.ts': `import { x } from '../main/core/x';\nexport const b = x;\n`,
  'common/bad-package.ts': `import thing from 'not-a-real-package-for-walls';\nexport const t = thing;\n`,
  'common/bad.test.ts': `import { x } from '../main/core/x';\nexport const b = x;\n`,

  'drivers/index.ts': `export { thing } from './printer/twin';\n`,
  'drivers/device-error.ts': `export class DeviceError extends Error {}\n`,
  'drivers/printer/thing.port.ts': `export interface Thing { name: string }\n`,
  'drivers/printer/twin.ts': `import { spawn } from 'node:child_process';\nimport { y } from '../../common/y';\nexport const thing = { spawn, y };\n`,
  'drivers/bad-electron.ts': `import { app } from 'electron';\nexport const a = app;\n`,
  'drivers/bad-main.ts': `import { x } from '../main/core/x';\nexport const b = x;\n`,

  'main/core/x.ts': `export const x = 1;\n`,
  'main/core/ok.ts': [
    `import { readFileSync } from 'node:fs';`,
    `import { thing } from '../../drivers/index';`,
    `import type { Thing } from '../../drivers/printer/thing.port';`,
    `import { DeviceError } from '../../drivers/device-error';`,
    `import { y } from '../../common/y';`,
    `export const ok: [unknown, Thing | null, unknown, number] = [readFileSync, null, thing ?? DeviceError, y];`,
    ``,
  ].join('\n'),
  'main/core/twin.test.ts': `import { thing } from '../../drivers/printer/twin';\nexport const t = thing;\n`,
  'main/core/bad-electron.ts': `import { app } from 'electron';\nexport const a = app;\n`,
  'main/core/bad-electron-type.ts': `import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;\n`,
  'main/core/bad-renderer.ts': `import { r } from '../../renderer/src/r';\nexport const b = r;\n`,
  'main/core/bad-preload.ts': `import { p } from '../../preload/ok';\nexport const b = p;\n`,
  'main/core/bad-twin.ts': `import { thing } from '../../drivers/printer/twin';\nexport const b = thing;\n`,
  'main/store/db.ts': `export const db = 1;\n`,
  'main/shell/ok.ts': `import { app } from 'electron';\nimport { join } from 'node:path';\nimport { x } from '../core/x';\nexport const ok = [app, join, x];\n`,
  'main/shell/bad-drivers.ts': `import { thing } from '../../drivers/index';\nexport const b = thing;\n`,
  'main/shell/bad-store.ts': `import { db } from '../store/db';\nexport const b = db;\n`,

  'preload/ok.ts': `import { contextBridge } from 'electron';\nimport { y } from '../common/y';\nexport const p = [contextBridge, y];\n`,
  'preload/bad-node.ts': `import { join } from 'node:path';\nexport const b = join;\n`,
  'preload/bad-main.ts': `import { x } from '../main/core/x';\nexport const b = x;\n`,

  'renderer/src/r.ts': `import { y } from '../../common/y';\nexport const r = y;\n`,
  'renderer/src/ok.test.ts': `import { readFileSync } from 'node:fs';\nimport { r } from './r';\nexport const t = [readFileSync, r];\n`,
  'renderer/src/bad.ts': `import { x } from '../../main/x';\nexport const b = x;\n`,
  'renderer/src/bad-drivers.ts': `import { thing } from '../../drivers/index';\nexport const b = thing;\n`,
  'renderer/src/bad-preload.ts': `import { p } from '../../preload/ok';\nexport const b = p;\n`,
  'renderer/src/bad-electron.ts': `import { ipcRenderer } from 'electron';\nexport const b = ipcRenderer;\n`,
  'renderer/src/bad-node.ts': `import { readFileSync } from 'node:fs';\nexport const b = readFileSync;\n`,
  'renderer/src/bad-bare-builtin.ts': `import fs from 'fs';\nexport const b = fs;\n`,
  'main/x.ts': `export const x = 1;\n`,
};

/** [file with the wrong import, rule that must report it] */
const EXPECTED: readonly [string, string][] = [
  ['common/bad-node.ts', 'common-only-common-and-zod'],
  ['common/bad-main.ts', 'common-only-common-and-zod'],
  ['common/bad-package.ts', 'common-only-common-and-zod'],
  ['common/bad.test.ts', 'common-tests-stay-in-common'],
  ['drivers/bad-electron.ts', 'drivers-not-to-electron'],
  ['drivers/bad-main.ts', 'drivers-not-to-main-preload-renderer'],
  ['main/core/bad-electron.ts', 'main-not-to-electron'],
  ['main/core/bad-electron-type.ts', 'main-not-to-electron'],
  ['main/core/bad-renderer.ts', 'main-not-to-renderer-preload'],
  ['main/core/bad-preload.ts', 'main-not-to-renderer-preload'],
  ['main/core/bad-twin.ts', 'main-drivers-through-ports'],
  ['main/shell/bad-drivers.ts', 'shell-not-to-drivers-store'],
  ['main/shell/bad-store.ts', 'shell-not-to-drivers-store'],
  ['preload/bad-node.ts', 'preload-not-to-node-builtins'],
  ['preload/bad-main.ts', 'preload-not-to-main-drivers-renderer'],
  ['renderer/src/bad.ts', 'renderer-not-to-main-drivers-preload'],
  ['renderer/src/bad-drivers.ts', 'renderer-not-to-main-drivers-preload'],
  ['renderer/src/bad-preload.ts', 'renderer-not-to-main-drivers-preload'],
  ['renderer/src/bad-electron.ts', 'renderer-not-to-electron'],
  ['renderer/src/bad-node.ts', 'renderer-not-to-node-builtins'],
  ['renderer/src/bad-bare-builtin.ts', 'renderer-not-to-node-builtins'],
];

describe('import walls on a planted tree', () => {
  let fixtureRoot: string;
  let violations: Violation[];

  beforeAll(() => {
    fixtureRoot = mkdtempSync(join(tmpdir(), 'motcua-walls-'));
    for (const [file, source] of Object.entries(FIXTURE)) {
      mkdirSync(dirname(join(fixtureRoot, file)), { recursive: true });
      writeFileSync(join(fixtureRoot, file), source);
    }
    for (const config of ['.dependency-cruiser.cjs', 'tsconfig.node.json', 'tsconfig.base.json']) {
      copyFileSync(join(repoRoot, config), join(fixtureRoot, config));
    }
    // Packages (zod, electron, vitest) resolve as they do in the repository.
    symlinkSync(join(repoRoot, 'node_modules'), join(fixtureRoot, 'node_modules'), 'junction');
    violations = depcruise(fixtureRoot, FOLDERS).violations;
  });

  afterAll(() => {
    if (fixtureRoot) rmSync(fixtureRoot, { recursive: true, force: true });
  });

  it.each(EXPECTED)('%s is reported by %s', (file, rule) => {
    const found = violations.filter((v) => v.from === file);
    expect(found.map((v) => v.rule.name), describeViolations(violations)).toContain(rule);
    expect(found.every((v) => v.rule.severity === 'error')).toBe(true);
  });

  it('reports nothing else: allowed imports pass, each wrong import hits only its rule', () => {
    const reported = violations.map((v) => `${v.from} ${v.rule.name}`).sort();
    const expected = EXPECTED.map(([file, rule]) => `${file} ${rule}`).sort();
    expect(reported).toEqual(expected);
  });

  it('every rule in the config is exercised by the planted tree', () => {
    const loaded: unknown = createRequire(import.meta.url)(join(repoRoot, '.dependency-cruiser.cjs'));
    const config = z.object({ forbidden: z.array(z.object({ name: z.string() })) }).parse(loaded);
    const exercised = new Set(EXPECTED.map(([, rule]) => rule));
    expect(config.forbidden.map((r) => r.name).filter((name) => !exercised.has(name))).toEqual([]);
  });
});

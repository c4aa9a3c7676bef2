import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The import walls of docs/architecture.md ("Folders and import walls"), enforced by
 * dependency-cruiser with the repository's own `.dependency-cruiser.cjs`: once on the real tree,
 * once on a planted tree with at least one wrong import per rule (and allowed imports next to
 * them) to show each rule really bites. The folder table of the docs is checked against the
 * config's `folderMap`, so neither can change without the other.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const depcruiseBin = join(repoRoot, 'node_modules', 'dependency-cruiser', 'bin', 'dependency-cruise.mjs');
const FOLDERS = ['common', 'main', 'drivers', 'preload', 'renderer/src'];
/** A cruise of the whole tree takes a few seconds alone, several times that on a busy machine. */
const CRUISE_TIMEOUT_MS = 180_000;

const CruiseOutput = z.object({
  summary: z.object({
    violations: z.array(
      z.object({
        from: z.string(),
        to: z.string(),
        rule: z.object({ name: z.string(), severity: z.string() }),
        /** For a cycle: its modules, ending with `from`. */
        cycle: z.array(z.object({ name: z.string() })).optional(),
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

/**
 * dependency-cruiser reports a cycle once, from whichever of its modules it met first; name it by
 * its first module in alphabetical order so the expectation does not depend on that order.
 */
function byFirstModuleOfCycle(v: Violation): Violation {
  if (v.cycle === undefined) return v;
  const [first] = [v.from, ...v.cycle.map((m) => m.name)].sort();
  return { ...v, from: first ?? v.from };
}

function describeViolations(violations: readonly Violation[]): string {
  return violations
    .map((v) => `${v.rule.name}: ${v.from} -> ${v.cycle ? v.cycle.map((m) => m.name).join(' -> ') : v.to}`)
    .join('\n');
}

const FolderMap = z.record(z.string(), z.object({ holds: z.string(), mayImport: z.array(z.string()) }));
type FolderMap = z.infer<typeof FolderMap>;

const WallsConfig = z.object({
  forbidden: z.array(z.object({ name: z.string() })),
  folderMap: FolderMap,
  portGroups: z.record(z.string(), z.array(z.string())),
});

function loadConfig(): z.infer<typeof WallsConfig> {
  // folderMap and portGroups are non-enumerable properties: dependency-cruiser validates the keys of its config.
  const loaded: unknown = createRequire(import.meta.url)(join(repoRoot, '.dependency-cruiser.cjs'));
  return WallsConfig.parse(loaded);
}

function unquote(cell: string): string {
  return /^`([^`]+)`$/.exec(cell)?.[1] ?? cell;
}

/**
 * The table headed `| folder | holds | may import |` in the `## heading` section of a markdown text:
 * folder (in backticks) → its holds cell as written and its may-import list (`—` for none).
 */
function folderTable(markdown: string, heading: string): FolderMap {
  const start = markdown.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`no section "## ${heading}"`);
  const next = markdown.indexOf('\n## ', start + 1);
  const lines = markdown.slice(start, next < 0 ? undefined : next).split('\n');
  const cells = (line: string): string[] =>
    line
      .trim()
      .replace(/^\|/, '')
      .replace(/\|$/, '')
      .split('|')
      .map((c) => c.trim());
  const header = lines.findIndex((line) => {
    const c = cells(line);
    return line.trim().startsWith('|') && c[0] === 'folder' && c[1] === 'holds' && c[2] === 'may import';
  });
  if (header < 0) throw new Error(`no table "| folder | holds | may import |" in "## ${heading}"`);
  const table: FolderMap = {};
  for (const line of lines.slice(header + 2)) {
    if (!line.trim().startsWith('|')) break;
    const [folder = '', holds = '', mayImport = ''] = cells(line);
    table[unquote(folder)] = {
      holds,
      mayImport: mayImport === '—' ? [] : mayImport.split(',').map((e) => unquote(e.trim())),
    };
  }
  return table;
}

describe('the folder map', () => {
  const config = loadConfig();

  it('docs/architecture.md shows exactly the folderMap of .dependency-cruiser.cjs', () => {
    const table = folderTable(
      readFileSync(join(repoRoot, 'docs', 'architecture.md'), 'utf8'),
      'Folders and import walls',
    );
    expect(table).toEqual(config.folderMap);
    expect(Object.keys(table)).toEqual(Object.keys(config.folderMap));
  });

  it('reads a table the way it is written', () => {
    const markdown = [
      '# Doc',
      '',
      '## Other',
      '| folder | holds | may import |',
      '|---|---|---|',
      '| `x/a` | wrong section | — |',
      '',
      '## Walls',
      'text',
      '| folder | holds | may import |',
      '|---|---|---|',
      '| `x/a` | the `A` things, and more | — |',
      '| `x/b` | b | `x/a`, drivers ports |',
      '',
      '| `x/c` | after the table | — |',
      '## Next',
      '| folder | holds | may import |',
      '|---|---|---|',
      '| `x/d` | d | — |',
      '',
    ].join('\n');
    expect(folderTable(markdown, 'Walls')).toEqual({
      'x/a': { holds: 'the `A` things, and more', mayImport: [] },
      'x/b': { holds: 'b', mayImport: ['x/a', 'drivers ports'] },
    });
  });

  it('generates one rule per folder, and each folder may import only folders of the map or port groups', () => {
    const names = new Set(config.forbidden.map((r) => r.name));
    const folders = Object.keys(config.folderMap);
    expect(folders.filter((folder) => !names.has(`${folder.replace(/\//g, '-')}-allowed-imports`))).toEqual([]);
    const known = new Set([...folders, ...Object.keys(config.portGroups)]);
    expect(Object.values(config.folderMap).flatMap((f) => f.mayImport.filter((e) => !known.has(e)))).toEqual([]);
  });

  it('covers every folder of main/, and nothing lies loose in main/', () => {
    const entries = readdirSync(join(repoRoot, 'main'), { withFileTypes: true });
    expect(entries.filter((e) => !e.isDirectory()).map((e) => e.name)).toEqual([]);
    const onDisk = entries
      .filter((e) => e.isDirectory())
      .map((e) => `main/${e.name}`)
      .sort();
    expect(onDisk).toEqual(Object.keys(config.folderMap).sort());
  });
});

/** Every relative import specifier in a TypeScript/JavaScript source (static, re-export, dynamic). */
function relativeImports(source: string): string[] {
  return [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)'(\.{1,2}\/[^']*)'/g)].map((m) => m[1] ?? '');
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name === 'results' ? [] : sourceFiles(path);
    return /\.(ts|mts|mjs|js|vue)$/.test(e.name) ? [path] : [];
  });
}

/** What code outside drivers/ may import from drivers/ (production code: see the cruiser rules). */
const DRIVERS_DOORS = /^drivers(\/index|\/testing|\/device-error|\/.+\.port)?(\.ts|\.js)?$/;

describe('drivers from outside drivers/', () => {
  it('the scan finds driver imports and tells doors from internals', () => {
    expect(
      relativeImports(
        `import { a } from '../../drivers';\nexport { b } from '../drivers/testing';\nconst c = await import('../drivers/printer/twin');\nimport '../x';`,
      ),
    ).toEqual(['../../drivers', '../drivers/testing', '../drivers/printer/twin', '../x']);
    expect(
      ['drivers', 'drivers/index', 'drivers/testing', 'drivers/device-error', 'drivers/token/token.port'].every((p) =>
        DRIVERS_DOORS.test(p),
      ),
    ).toBe(true);
    expect(
      [
        'drivers/token/simulated-token',
        'drivers/printer/testing/print-tool-stand-ins',
        'drivers/scanner/fixture-pages',
      ].some((p) => DRIVERS_DOORS.test(p)),
    ).toBe(false);
  });

  it('tests, benches and scripts reach drivers only through index.ts, testing.ts, the ports and device-error.ts', () => {
    const wrong = ['main', 'tests', 'bench', 'bin'].flatMap((top) =>
      // This file is skipped: its planted tree holds wrong imports on purpose.
      sourceFiles(join(repoRoot, top))
        .filter((file) => file !== fileURLToPath(import.meta.url))
        .flatMap((file) =>
          relativeImports(readFileSync(file, 'utf8'))
            .map((spec) =>
              relative(repoRoot, resolve(dirname(file), spec))
                .split('\\')
                .join('/'),
            )
            .filter((target) => (target === 'drivers' || target.startsWith('drivers/')) && !DRIVERS_DOORS.test(target))
            .map((target) => `${relative(repoRoot, file)} -> ${target}`),
        ),
    );
    expect(wrong).toEqual([]);
  });
});

describe('import walls on the real tree', () => {
  it(
    'has no violations in common, main, drivers, preload, renderer/src',
    () => {
      const summary = depcruise(repoRoot, FOLDERS);
      expect(summary.totalCruised).toBeGreaterThan(0);
      expect(summary.violations, describeViolations(summary.violations)).toEqual([]);
    },
    CRUISE_TIMEOUT_MS,
  );
});

/** file → source. Each "bad" file holds exactly one wrong import; the other files hold allowed ones. */
const FIXTURE: Record<string, string> = {
  'common/y.ts': `export const y = 1;\n`,
  'common/ok.ts': `import { z } from 'zod';\nimport { y } from './y';\nexport const ok = z.number().parse(y);\n`,
  'common/ok.test.ts': `import { readFileSync } from 'node:fs';\nimport { it } from 'vitest';\nimport { ok } from './ok';\nit('reads', () => { readFileSync(String(ok)); });\n`,
  'common/bad-node.ts': `import { readFileSync } from 'node:fs';\nexport const f = readFileSync;\n`,
  'common/bad-main.ts': `import { x } from '../main/core/x';\nexport const b = x;\n`,
  'common/bad-package.ts': `import thing from 'not-a-real-package-for-walls';\nexport const t = thing;\n`,
  'common/bad.test.ts': `import { x } from '../main/core/x';\nexport const b = x;\n`,
  // A cycle made of type-only imports is still a cycle.
  'common/cycle-type-a.ts': `import type { B } from './cycle-type-b';\nexport interface A { b?: B }\n`,
  'common/cycle-type-b.ts': `import type { A } from './cycle-type-a';\nexport interface B { a?: A }\n`,

  'drivers/index.ts': `export { thing } from './printer/thing';\n`,
  'drivers/testing.ts': `export { thing as twin } from './printer/twin';\n`,
  'drivers/device-error.ts': `export class DeviceError extends Error {}\n`,
  'drivers/printer/thing.port.ts': `export interface Thing { name: string }\n`,
  'drivers/printer/thing.ts': `import type { Thing } from './thing.port';\nexport const thing: Thing = { name: 'printer' };\n`,
  'drivers/printer/twin.ts': `import { spawn } from 'node:child_process';\nimport { y } from '../../common/y';\nexport const thing = { spawn, y };\n`,
  'drivers/bad-electron.ts': `import { app } from 'electron';\nexport const a = app;\n`,
  'drivers/bad-main.ts': `import { x } from '../main/core/x';\nexport const b = x;\n`,
  'drivers/bad-testing.ts': `import { twin } from './testing';\nexport const b = twin;\n`,

  'main/x.ts': `export const x = 1;\n`,

  'main/kernel/clock.ts': `export const now = (): number => 0;\n`,
  'main/kernel/ok.ts': `import { readFileSync } from 'node:fs';\nimport { y } from '../../common/y';\nimport { now } from './clock';\nexport const ok = [readFileSync, y, now];\n`,
  'main/kernel/bad-package.ts': `import { z } from 'zod';\nexport const b = z;\n`,
  'main/kernel/bad-unknown-package.ts': `import thing from 'not-a-real-package-for-walls';\nexport const b = thing;\n`,
  'main/kernel/ok.test.ts': `import { it } from 'vitest';\nimport { now } from './clock';\nit('ticks', () => { now(); });\n`,
  'main/kernel/bad-store.ts': `import { db } from '../store/db';\nexport const b = db;\n`,
  'main/kernel/bad-drivers.ts': `import { thing } from '../../drivers/index';\nexport const b = thing;\n`,

  'main/store/db.ts': `import { now } from '../kernel/clock';\nexport const db = now();\n`,
  'main/store/bad-sync.ts': `import type { Outbox } from '../sync/outbox.port';\nexport type B = Outbox;\n`,
  'main/store/testing/fake-db.ts': `import { x } from '../../core/x';\nimport { twin } from '../../../drivers/testing';\nimport { db } from '../db';\nexport const fake = [x, twin, db];\n`,
  'main/store/bad-testing.ts': `import { fake } from './testing/fake-db';\nexport const b = fake;\n`,
  'main/store/db.test.ts': `import { fake } from './testing/fake-db';\nimport type { Outbox } from '../sync/outbox.port';\nimport { twin } from '../../drivers/testing';\nexport const t: [unknown, Outbox | null, unknown] = [fake, null, twin];\n`,

  'main/remotes/remote-error.ts': `export class RemoteError extends Error {}\n`,
  'main/remotes/provincial/provincial.port.ts': `export interface Provincial { send(): void }\n`,
  'main/remotes/provincial/wire-format.ts': `export const WIRE = 'json';\n`,
  'main/remotes/national-portal/wire-schemas.ts': `export const SCHEMAS = [];\n`,
  'main/remotes/provincial/provincial.client.ts': [
    `import { now } from '../../kernel/clock';`,
    `import { RemoteError } from '../remote-error';`,
    `import type { Provincial } from './provincial.port';`,
    `import { WIRE } from './wire-format';`,
    `export const client: Provincial & { at: number; w: string; e: unknown } = { send() {}, at: now(), w: WIRE, e: RemoteError };`,
    ``,
  ].join('\n'),
  'main/remotes/bad-store.ts': `import { db } from '../store/db';\nexport const b = db;\n`,

  'main/forms/pdf.ts': `import { now } from '../kernel/clock';\nexport const pdf = now;\n`,
  'main/forms/bad-store.ts': `import { db } from '../store/db';\nexport const b = db;\n`,

  'main/admin/accounts.service.ts': `import { now } from '../kernel/clock';\nimport { db } from '../store/db';\nexport const accounts = [now, db];\n`,
  'main/admin/bad-drivers.ts': `import { DeviceError } from '../../drivers/device-error';\nexport const b = DeviceError;\n`,

  'main/queue/queue.service.ts': [
    `import { now } from '../kernel/clock';`,
    `import { db } from '../store/db';`,
    `import { thing } from '../../drivers/index';`,
    `import type { Thing } from '../../drivers/printer/thing.port';`,
    `import { DeviceError } from '../../drivers/device-error';`,
    `export const queue: [unknown, number, Thing, unknown] = [now, db, thing, DeviceError];`,
    ``,
  ].join('\n'),
  'main/queue/bad-intake.ts': `import { intake } from '../intake/intake.service';\nexport const b = intake;\n`,
  'main/queue/bad-testing.ts': `import { twin } from '../../drivers/testing';\nexport const b = twin;\n`,

  'main/signing/pades.ts': `import { now } from '../kernel/clock';\nimport { db } from '../store/db';\nimport type { Thing } from '../../drivers/printer/thing.port';\nexport const pades: [unknown, number, Thing | null] = [now, db, null];\n`,
  'main/signing/bad-forms.ts': `import { pdf } from '../forms/pdf';\nexport const b = pdf;\n`,

  'main/digitise/station.ts': [
    `import { now } from '../kernel/clock';`,
    `import { db } from '../store/db';`,
    `import { pdf } from '../forms/pdf';`,
    `import type { Provincial } from '../remotes/provincial/provincial.port';`,
    `import { WIRE } from '../remotes/provincial/wire-format';`,
    `import { SCHEMAS } from '../remotes/national-portal/wire-schemas';`,
    `import { RemoteError } from '../remotes/remote-error';`,
    `import { thing } from '../../drivers/index';`,
    `export const station: unknown[] = [now, db, pdf, null as Provincial | null, WIRE, SCHEMAS, RemoteError, thing];`,
    ``,
  ].join('\n'),
  'main/digitise/bad-signing.ts': `import { pades } from '../signing/pades';\nexport const b = pades;\n`,
  'main/digitise/bad-remotes-client.ts': `import { client } from '../remotes/provincial/provincial.client';\nexport const b = client;\n`,

  'main/intake/intake.service.ts': [
    `import { now } from '../kernel/clock';`,
    `import { db } from '../store/db';`,
    `import { pdf } from '../forms/pdf';`,
    `import type { Provincial } from '../remotes/provincial/provincial.port';`,
    `import { DeviceError } from '../../drivers/device-error';`,
    `export const intake: unknown[] = [now, db, pdf, null as Provincial | null, DeviceError];`,
    ``,
  ].join('\n'),
  'main/intake/bad-sync.ts': `import { effectiveProcedure } from '../sync/reference-puller';\nexport const b = effectiveProcedure;\n`,

  'main/sync/outbox.port.ts': `export interface Outbox { id: number }\n`,
  'main/sync/reference-puller.ts': [
    `import { now } from '../kernel/clock';`,
    `import { db } from '../store/db';`,
    `import type { Provincial } from '../remotes/provincial/provincial.port';`,
    `import { WIRE } from '../remotes/provincial/wire-format';`,
    `import { RemoteError } from '../remotes/remote-error';`,
    `export const effectiveProcedure: unknown[] = [now, db, null as Provincial | null, WIRE, RemoteError];`,
    ``,
  ].join('\n'),
  'main/sync/bad-core.ts': `import { x } from '../core/x';\nexport const b = x;\n`,
  'main/sync/bad-drivers.ts': `import { thing } from '../../drivers/index';\nexport const b = thing;\n`,

  'main/returns/returns.service.ts': [
    `import { now } from '../kernel/clock';`,
    `import { db } from '../store/db';`,
    `import { pdf } from '../forms/pdf';`,
    `import { WIRE } from '../remotes/provincial/wire-format';`,
    `import { thing } from '../../drivers/index';`,
    `import { intake } from '../intake/intake.service';`,
    `import { effectiveProcedure } from '../sync/reference-puller';`,
    `export const returns: unknown[] = [now, db, pdf, WIRE, thing, intake, effectiveProcedure];`,
    ``,
  ].join('\n'),
  'main/returns/bad-core.ts': `import { x } from '../core/x';\nexport const b = x;\n`,

  'main/centre/compose.ts': [
    `import { now } from '../kernel/clock';`,
    `import { pickNext } from '../queue/queue.service';`,
    `import { WIRE } from '../remotes/provincial/wire-format';`,
    `import { thing } from '../../drivers/index';`,
    `export const centre: unknown[] = [now, pickNext, WIRE, thing];`,
    ``,
  ].join('\n'),
  'main/centre/bad-store.ts': `import { db } from '../store/db';\nexport const b = db;\n`,
  'main/centre/bad-remotes-client.ts': `import { client } from '../remotes/provincial/provincial.client';\nexport const b = client;\n`,

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
  'main/core/compose.ts': [
    `import { now } from '../kernel/clock';`,
    `import { db } from '../store/db';`,
    `import { client } from '../remotes/provincial/provincial.client';`,
    `import { pdf } from '../forms/pdf';`,
    `import { accounts } from '../admin/accounts.service';`,
    `import { queue } from '../queue/queue.service';`,
    `import { pades } from '../signing/pades';`,
    `import { station } from '../digitise/station';`,
    `import { intake } from '../intake/intake.service';`,
    `import { effectiveProcedure } from '../sync/reference-puller';`,
    `import { returns } from '../returns/returns.service';`,
    `import { thing } from '../../drivers/index';`,
    `export const compose: unknown[] = [now, db, client, pdf, accounts, queue, pades, station, intake, effectiveProcedure, returns, thing];`,
    ``,
  ].join('\n'),
  'main/core/twin.test.ts': `import { twin } from '../../drivers/testing';\nimport { thing } from '../../drivers/index';\nexport const t = [twin, thing];\n`,
  'main/core/bad-twin.test.ts': `import { thing } from '../../drivers/printer/twin';\nexport const t = thing;\n`,
  'main/core/bad-electron.ts': `import { app } from 'electron';\nexport const a = app;\n`,
  'main/core/bad-electron-type.ts': `import type { BrowserWindow } from 'electron';\nexport type W = BrowserWindow;\n`,
  'main/core/bad-renderer.ts': `import { r } from '../../renderer/src/r';\nexport const b = r;\n`,
  'main/core/bad-preload.ts': `import { p } from '../../preload/ok';\nexport const b = p;\n`,
  'main/core/bad-twin.ts': `import { thing } from '../../drivers/printer/twin';\nexport const b = thing;\n`,
  'main/core/bad-cli.ts': `import { cli } from '../cli/cli';\nexport const b = cli;\n`,
  'main/core/bad-shell.ts': `import type { S } from '../shell/security';\nexport type B = S;\n`,
  'main/core/cycle-a.ts': `import { b } from './cycle-b';\nexport const a = (): unknown => b;\n`,
  'main/core/cycle-b.ts': `import { a } from './cycle-a';\nexport const b = (): unknown => a;\n`,

  'main/cli/cli.ts': `import { compose } from '../core/compose';\nimport { db } from '../store/db';\nimport { thing } from '../../drivers/index';\nexport const cli = [compose, db, thing];\n`,
  'main/cli/bad-shell.ts': `import type { S } from '../shell/security';\nexport type B = S;\n`,

  'main/shell/security.ts': `import type { Session } from 'electron';\nexport type S = Session;\n`,
  'main/shell/ok.ts': `import { app } from 'electron';\nimport { join } from 'node:path';\nimport { y } from '../../common/y';\nimport type { S } from './security';\nexport const ok: [unknown, unknown, number, S | null] = [app, join, y, null];\n`,
  'main/shell/bad-drivers.ts': `import { thing } from '../../drivers/index';\nexport const b = thing;\n`,
  'main/shell/bad-store.ts': `import { db } from '../store/db';\nexport const b = db;\n`,
  'main/shell/bad-core.ts': `import { x } from '../core/x';\nexport const b = x;\n`,

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
  'renderer/src/api/index.ts': `import { r } from '../r';\nexport const api = { r };\n`,
  'renderer/src/stores/sync.ts': `import { api } from '../api';\nexport const useSync = (): unknown => api;\n`,
  'renderer/src/composables/use-status.ts': `import { api } from '../api/index';\nexport const useStatus = (): unknown => api;\n`,
  'renderer/src/views/SyncView.vue': `<script setup lang="ts">\nimport { useSync } from '../stores/sync';\nimport { useStatus } from '../composables/use-status';\nconst s = [useSync(), useStatus()];\n</script>\n<template><p>{{ s.length }}</p></template>\n`,
  'renderer/src/views/SyncView.test.ts': `import { api } from '../api';\nexport const t = api;\n`,
  'renderer/src/views/KioskView.vue': `<script setup lang="ts">\nimport { api } from '../api';\nconst a = api;\n</script>\n<template><p>{{ a }}</p></template>\n`,
  'renderer/src/components/bad-panel.ts': `import { api } from '../api/index';\nexport const b = api;\n`,
  'renderer/src/testing/mount.ts': `export const mount = 1;\n`,
  'renderer/src/bad-testing.ts': `import { mount } from './testing/mount';\nexport const b = mount;\n`,
};

/** [file with the wrong import, rule that must report it] */
const EXPECTED: readonly [string, string][] = [
  ['common/bad-node.ts', 'common-only-common-and-zod'],
  ['common/bad-main.ts', 'common-only-common-and-zod'],
  ['common/bad-package.ts', 'common-only-common-and-zod'],
  ['common/bad.test.ts', 'common-tests-stay-in-common'],
  ['common/cycle-type-a.ts', 'no-circular'], // with common/cycle-type-b.ts, type-only imports
  ['drivers/bad-electron.ts', 'drivers-not-to-electron'],
  ['drivers/bad-main.ts', 'drivers-not-to-main-preload-renderer'],
  ['drivers/bad-testing.ts', 'production-not-to-testing'],
  ['main/kernel/bad-store.ts', 'main-kernel-allowed-imports'],
  ['main/kernel/bad-drivers.ts', 'main-kernel-allowed-imports'],
  ['main/kernel/bad-package.ts', 'main-kernel-node-only'],
  ['main/kernel/bad-unknown-package.ts', 'main-kernel-node-only'],
  ['main/store/bad-sync.ts', 'main-store-allowed-imports'],
  ['main/store/bad-testing.ts', 'production-not-to-testing'],
  ['main/remotes/bad-store.ts', 'main-remotes-allowed-imports'],
  ['main/forms/bad-store.ts', 'main-forms-allowed-imports'],
  ['main/admin/bad-drivers.ts', 'main-admin-allowed-imports'],
  ['main/queue/bad-intake.ts', 'main-queue-allowed-imports'],
  ['main/queue/bad-testing.ts', 'production-not-to-testing'],
  ['main/signing/bad-forms.ts', 'main-signing-allowed-imports'],
  ['main/digitise/bad-signing.ts', 'main-digitise-allowed-imports'],
  ['main/digitise/bad-remotes-client.ts', 'main-digitise-allowed-imports'],
  ['main/intake/bad-sync.ts', 'main-intake-allowed-imports'],
  ['main/sync/bad-core.ts', 'main-sync-allowed-imports'],
  ['main/sync/bad-drivers.ts', 'main-sync-allowed-imports'],
  ['main/returns/bad-core.ts', 'main-returns-allowed-imports'],
  ['main/centre/bad-store.ts', 'main-centre-allowed-imports'],
  ['main/centre/bad-remotes-client.ts', 'main-centre-allowed-imports'],
  ['main/core/bad-electron.ts', 'main-not-to-electron'],
  ['main/core/bad-electron-type.ts', 'main-not-to-electron'],
  ['main/core/bad-renderer.ts', 'main-not-to-renderer-preload'],
  ['main/core/bad-preload.ts', 'main-not-to-renderer-preload'],
  ['main/core/bad-twin.ts', 'main-drivers-through-ports'],
  ['main/core/bad-twin.test.ts', 'main-tests-drivers-through-testing-entry'],
  ['main/core/bad-cli.ts', 'main-core-allowed-imports'],
  ['main/core/bad-shell.ts', 'main-core-allowed-imports'],
  ['main/core/cycle-a.ts', 'no-circular'], // with main/core/cycle-b.ts
  ['main/cli/bad-shell.ts', 'main-cli-allowed-imports'],
  ['main/shell/bad-drivers.ts', 'main-shell-allowed-imports'],
  ['main/shell/bad-store.ts', 'main-shell-allowed-imports'],
  ['main/shell/bad-core.ts', 'main-shell-allowed-imports'],
  ['preload/bad-node.ts', 'preload-not-to-node-builtins'],
  ['preload/bad-main.ts', 'preload-not-to-main-drivers-renderer'],
  ['renderer/src/bad.ts', 'renderer-not-to-main-drivers-preload'],
  ['renderer/src/bad-drivers.ts', 'renderer-not-to-main-drivers-preload'],
  ['renderer/src/bad-preload.ts', 'renderer-not-to-main-drivers-preload'],
  ['renderer/src/bad-electron.ts', 'renderer-not-to-electron'],
  ['renderer/src/bad-node.ts', 'renderer-not-to-node-builtins'],
  ['renderer/src/bad-bare-builtin.ts', 'renderer-not-to-node-builtins'],
  ['renderer/src/views/KioskView.vue', 'renderer-views-through-stores'],
  ['renderer/src/components/bad-panel.ts', 'renderer-views-through-stores'],
  ['renderer/src/bad-testing.ts', 'production-not-to-testing'],
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
    violations = depcruise(fixtureRoot, FOLDERS).violations.map(byFirstModuleOfCycle);
  }, CRUISE_TIMEOUT_MS);

  afterAll(() => {
    if (fixtureRoot) rmSync(fixtureRoot, { recursive: true, force: true });
  });

  it.each(EXPECTED)('%s is reported by %s', (file, rule) => {
    const found = violations.filter((v) => v.from === file);
    expect(
      found.map((v) => v.rule.name),
      describeViolations(violations),
    ).toContain(rule);
    expect(found.every((v) => v.rule.severity === 'error')).toBe(true);
  });

  it('reports nothing else: allowed imports pass, each wrong import hits only its rule', () => {
    const reported = violations.map((v) => `${v.from} ${v.rule.name}`).sort();
    const expected = EXPECTED.map(([file, rule]) => `${file} ${rule}`).sort();
    expect(reported).toEqual(expected);
  });

  it('every rule in the config is exercised by the planted tree', () => {
    const config = loadConfig();
    const exercised = new Set(EXPECTED.map(([, rule]) => rule));
    expect(config.forbidden.map((r) => r.name).filter((name) => !exercised.has(name))).toEqual([]);
  });
});

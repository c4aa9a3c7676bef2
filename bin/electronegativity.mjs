#!/usr/bin/env node
// Electronegativity over the app's source, through the library's own entry point (`run()`, the
// package's `main`): its command line (`npx electronegativity`) fails with
// `_commander2.default.version is not a function` and is not used.
//
//   node bin/electronegativity.mjs            every check but the online one (as `npm test` does)
//   node bin/electronegativity.mjs --online   also AvailableSecurityFixesGlobalCheck, which downloads
//                                             Electron's release list (release machine, internet)
//
// Exits 1 on any HIGH or MEDIUM finding, or (with --online) on any security fix released after
// the Electron version in package.json. docs/operations.md, "Release".
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const online = process.argv.includes('--online');
const run = require('@doyensec/electronegativity');
const electronVersion = JSON.parse(
  readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8'),
).version;

// The online check only prints a warning when it cannot download the release list, and then finds
// nothing: here that is a failure, not a pass.
const RELEASES = 'https://raw.githubusercontent.com/electron/releases/master/index.json';
if (online) {
  const reachable = await fetch(RELEASES, { method: 'HEAD', signal: AbortSignal.timeout(15_000) }).then(
    (r) => r.ok,
    () => false,
  );
  if (!reachable) {
    process.stderr.write(
      `Electronegativity --online: ${RELEASES} cannot be reached; the check of Electron security fixes did not run\n`,
    );
    process.exit(2);
  }
}

// A copy of the source it reads (it would otherwise walk node_modules); tests are left out.
const dir = mkdtempSync(join(tmpdir(), 'motcua-eneg-'));
const notTest = (f) => !/\.test\.ts$/.test(f);
let failed = false;
try {
  mkdirSync(join(dir, 'renderer'));
  for (const sub of ['main', 'common', 'preload'])
    cpSync(join(root, sub), join(dir, sub), { recursive: true, filter: notTest });
  cpSync(join(root, 'renderer', 'src'), join(dir, 'renderer', 'src'), { recursive: true, filter: notTest });
  cpSync(join(root, 'renderer', 'index.html'), join(dir, 'renderer', 'index.html'));
  cpSync(join(root, 'package.json'), join(dir, 'package.json'));
  const result = await run({
    input: dir,
    customScan: [],
    excludeFromScan: online ? [] : ['AvailableSecurityFixesGlobalCheck'],
    severitySet: 'informational',
    confidenceSet: 'tentative',
    isRelative: true,
    // Online, the version comes from package.json, as the release check compares it with releases.
    ...(online ? {} : { electronVersionOverride: electronVersion }),
    parserPlugins: [],
  });
  process.stdout.write(
    `Electronegativity: ${result.atomicChecks} atomic and ${result.globalChecks} global checks${online ? ' (with the online one)' : ''}\n`,
  );
  for (const e of result.errors) {
    failed = true;
    process.stdout.write(`NOT READ ${e.file}: ${e.message}\n`);
  }
  for (const i of result.issues) {
    const serious =
      i.severity.name === 'HIGH' || i.severity.name === 'MEDIUM' || i.id === 'AVAILABLE_SECURITY_FIXES_GLOBAL_CHECK';
    if (serious) failed = true;
    process.stdout.write(
      `${serious ? 'FAIL' : 'ok  '} ${i.id} ${i.severity.name} ${i.confidence.name} ${i.file}:${i.location.line} ${i.shortenedURL ?? ''}\n`,
    );
  }
  process.stdout.write(
    failed ? 'Electronegativity: problems found\n' : 'Electronegativity: no high or medium finding\n',
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);

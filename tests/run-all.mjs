#!/usr/bin/env node
// `npm test`: set-up on a fresh machine (bin/setup.mjs), then lint (ESLint) and layout (Prettier) checks, type checks,
// unit/store/device/remote/ui tests, the renderer build, then the end-to-end tests in Chromium. Prints per-stage
// results and a final "N passed, N failed".
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureSetup } from '../bin/setup.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// A fresh machine: the Debian packages the tests use (as root) and the project's packages.
ensureSetup({ forTests: true });
const tmp = join(root, '.tmp');
mkdirSync(tmp, { recursive: true });
const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let passed = 0;
let failed = 0;
const lines = [];

function run(label, cmd, args, env = {}) {
  process.stdout.write(`\n=== ${label}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status === 0;
}

function check(label, cmd, args) {
  const ok = run(label, cmd, args);
  if (ok) passed += 1;
  else failed += 1;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${label}`);
}

function vitest(label, args) {
  const report = join(tmp, `${label.replace(/\W+/g, '-')}.json`);
  const ok = run(label, npx, [
    'vitest',
    'run',
    ...args,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ]);
  if (!existsSync(report)) {
    failed += 1;
    lines.push(`FAIL ${label}: no report`);
    return;
  }
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed += r.numPassedTests;
  failed += r.numFailedTests;
  // A file that fails to load counts as a failure even when it holds no counted test.
  const brokenFiles = (r.testResults ?? []).filter(
    (f) => f.status === 'failed' && (f.assertionResults ?? []).length === 0,
  ).length;
  failed += brokenFiles;
  if (!ok && r.numFailedTests === 0 && brokenFiles === 0) failed += 1;
  lines.push(`${ok ? 'ok  ' : 'FAIL'} ${label}: ${r.numPassedTests} passed, ${r.numFailedTests + brokenFiles} failed`);
}

check('lint (ESLint)', npm, ['run', '--silent', 'lint']);
check('format (Prettier)', npm, ['run', '--silent', 'format:check']);
check('typecheck (node)', npx, ['tsc', '-p', 'tsconfig.node.json', '--noEmit']);
check('typecheck (web)', npx, ['vue-tsc', '-p', 'tsconfig.web.json', '--noEmit']);
vitest('unit, store, device, remote and ui tests', []);
check('renderer build', npx, ['vite', 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn']);
vitest('end-to-end (Chromium)', ['--config', 'tests/e2e/vitest.config.ts']);

const summary = `${passed} passed, ${failed} failed`;
process.stdout.write(`\n${lines.join('\n')}\n${summary}\n`);
writeFileSync(join(tmp, 'test-summary.txt'), `${lines.join('\n')}\n${summary}\n`);
process.exit(failed === 0 ? 0 : 1);

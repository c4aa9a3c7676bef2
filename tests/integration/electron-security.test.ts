import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isAppUrl } from '../../main/shell/security';

const root = join(import.meta.dirname, '..', '..');

async function settledReport(file: string, timeoutMs = 60_000): Promise<string> {
  const started = Date.now();
  let last = -1;
  for (;;) {
    if (existsSync(file)) {
      const text = readFileSync(file, 'utf8');
      if (text.length > 0 && text.length === last && text.endsWith('\n')) return text;
      last = text.length;
    }
    if (Date.now() - started > timeoutMs) throw new Error(`Electronegativity wrote no complete report to ${file}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}
type Run = (options: Record<string, unknown>) => Promise<unknown>;

/**
 * Electronegativity over the shell, the preload and the page: no HIGH or MEDIUM finding.
 * (The one LOW finding left is `style-src 'unsafe-inline'`, needed by Vue's style bindings.)
 * The check for security fixes in newer Electron releases downloads the release list from the
 * internet, which this machine and CI do not reach: it is left out here and run at release time
 * (docs/operations.md, "Release").
 */
describe('Electron security baseline', () => {
  it('passes Electronegativity without high or medium findings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'motcua-eneg-'));
    try {
      for (const sub of ['shell', 'preload', 'renderer']) mkdirSync(join(dir, sub));
      cpSync(join(root, 'main', 'shell'), join(dir, 'shell'), { recursive: true, filter: (f) => !f.endsWith('.test.ts') });
      cpSync(join(root, 'preload', 'preload.ts'), join(dir, 'preload', 'preload.ts'));
      cpSync(join(root, 'renderer', 'index.html'), join(dir, 'renderer', 'index.html'));
      const run = createRequire(join(root, 'package.json'))('@doyensec/electronegativity') as Run;
      const out = join(dir, 'report.csv');
      await run({ input: dir, output: out, isSarif: false, customScan: [], excludeFromScan: ['AvailableSecurityFixesGlobalCheck'], severitySet: 'informational', confidenceSet: 'tentative', isRelative: true, electronVersionOverride: '45.0.0', parserPlugins: [] });
      // The report is written after run() resolves (a stream it does not wait for): wait for it
      // to be complete (it ends with a newline and stops growing) before reading it.
      const rows = (await settledReport(out)).trim().split('\n').slice(1);
      const serious = rows.filter((r) => /"(HIGH|MEDIUM)"/.test(r));
      expect(serious, serious.join('\n')).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('treats only the app itself as a navigation target', () => {
    expect(isAppUrl('file:///opt/app/out/renderer/index.html', 'file://')).toBe(true);
    expect(isAppUrl('https://example.com/', 'file://')).toBe(false);
    expect(isAppUrl('http://127.0.0.1:5000/x', 'http://127.0.0.1:5000')).toBe(true);
    expect(isAppUrl('http://127.0.0.1:5001/x', 'http://127.0.0.1:5000')).toBe(false);
    expect(isAppUrl('not a url', 'file://')).toBe(false);
  });
});

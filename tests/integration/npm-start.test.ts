import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

describe('npm start without an Electron binary', () => {
  it('says so in one line and serves browser mode at a printed URL', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'motcua-start-'));
    const child = spawn(process.execPath, [join(root, 'bin', 'start.mjs')], {
      cwd: root,
      env: { ...process.env, MOTCUA_DATA_DIR: dataDir, MOTCUA_BROWSER_MODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const ready = await new Promise<{ url: string; launchUrl: string; trainingMode: boolean }>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no MOTCUA_READY line:\n${out}`)), 90_000);
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split('\n').find((l) => l.startsWith('MOTCUA_READY '));
          if (line) {
            clearTimeout(timer);
            resolve(
              JSON.parse(line.slice('MOTCUA_READY '.length)) as {
                url: string;
                launchUrl: string;
                trainingMode: boolean;
              },
            );
          }
        });
        child.on('exit', (code) => reject(new Error(`exited ${code}:\n${out}`)));
      });
      expect(out.split('\n')[0]).toMatch(/chế độ trình duyệt/);
      expect(ready.trainingMode).toBe(true);
      expect(ready.launchUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[\w-]{20,}$/);
      const page = await fetch(ready.launchUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
    } finally {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

import { randomUUID } from 'node:crypto';
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../main/cli/doctor.command';
import { startTestCore } from './core-support';

/** Every folder and file under `root` with its permission bits, as `relative path → mode`. */
function modes(root: string): Record<string, number> {
  const out: Record<string, number> = {};
  const visit = (p: string): void => {
    const s = lstatSync(p);
    out[relative(root, p) || '.'] = s.mode & 0o777;
    if (s.isDirectory()) for (const n of readdirSync(p)) visit(join(p, n));
  };
  visit(root);
  return out;
}

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('data at rest: owner-only on Linux and macOS', () => {
  it.skipIf(process.platform === 'win32')(
    'a fresh core that received and printed a dossier leaves only 0700 folders and 0600 files',
    async () => {
      // The usual desktop umask: the core must not depend on it.
      const saved = process.umask(0o022);
      const parent = mkdtempSync(join(tmpdir(), 'motcua-rest-'));
      dirs.push(parent);
      const dataDir = join(parent, 'data');
      try {
        const t = await startTestCore({ dataDir, fixedNow: '2026-11-20T09:00' });
        try {
          await t.session.login();
          const p = await t.session.ok('catalogue.get', { code: '1.004873' });
          const dossier = await t.session.ok('intake.receive', {
            requestId: randomUUID(),
            procedureCode: p.code,
            channel: 'walk-in',
            applicant: {
              kind: 'citizen',
              idNumber: '001203004567',
              fullName: 'Nguyễn Văn Dũng',
              oldIdNumber: null,
              birthDate: null,
              sex: null,
              address: null,
              idIssueDate: null,
              phone: null,
              email: null,
            },
            components: p.components.map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' })),
          });
          await t.session.ok('dossier.printReceipt', { code: dossier.code });
        } finally {
          await t.dispose();
        }
        const seen = modes(dataDir);
        const names = Object.keys(seen);
        // What a desk holds after one dossier: the database, a receipt blob, the log, the printed PDF.
        expect(names).toEqual(
          expect.arrayContaining(['.', 'motcua.sqlite', 'blobs', join('logs', 'core.log'), 'printed']),
        );
        expect(names.some((n) => n.startsWith('printed/') && n.endsWith('.pdf'))).toBe(true);
        expect(names.filter((n) => n.startsWith('blobs/')).length).toBeGreaterThanOrEqual(2);
        for (const [name, mode] of Object.entries(seen)) {
          const isDir = lstatSync(join(dataDir, name)).isDirectory();
          expect({ name, mode: mode.toString(8) }).toEqual({ name, mode: isDir ? '700' : '600' });
        }
        const out: string[] = [];
        await runDoctor(dataDir, { out: (s) => out.push(s), json: false, platform: 'linux' });
        expect(out.find((l) => l.includes('data-permissions'))).toMatch(/^\[OK {2}\]/);
      } finally {
        process.umask(saved);
      }
    },
    60_000,
  );

  it.skipIf(process.platform === 'win32')(
    'an existing 755/644 data folder is narrowed at start and the counts are logged',
    async () => {
      const saved = process.umask(0o022);
      const parent = mkdtempSync(join(tmpdir(), 'motcua-rest-old-'));
      dirs.push(parent);
      const dataDir = join(parent, 'data');
      try {
        // Left by an earlier run under umask 022: a first core creates the store, then it is opened up.
        const first = await startTestCore({ dataDir, fixedNow: '2026-11-20T09:00' });
        await first.dispose();
        mkdirSync(join(dataDir, 'printed'), { recursive: true });
        writeFileSync(join(dataDir, 'printed', 'old-receipt.pdf'), '%PDF-1.7\n');
        let opened = 0;
        for (const [name] of Object.entries(modes(dataDir))) {
          const isDir = lstatSync(join(dataDir, name)).isDirectory();
          chmodSync(join(dataDir, name), isDir ? 0o755 : 0o644);
          opened += 1;
        }
        const before = await doctorLine(dataDir);
        expect(before).toMatch(/^\[LỖI \] data-permissions .*chmod -R go-rwx/);
        expect(before).toContain(`${join(dataDir, 'motcua.sqlite')} (644)`);

        const second = await startTestCore({ dataDir, fixedNow: '2026-11-20T09:00' });
        await second.dispose();
        for (const [name, mode] of Object.entries(modes(dataDir))) {
          const isDir = lstatSync(join(dataDir, name)).isDirectory();
          expect({ name, mode: mode.toString(8) }).toEqual({ name, mode: isDir ? '700' : '600' });
        }
        const logged = readFileSync(join(dataDir, 'logs', 'core.log'), 'utf8')
          .trim()
          .split('\n')
          .map(
            (l) =>
              JSON.parse(l) as { event: string; tightened?: number; dirs?: number; files?: number; failed?: string[] },
          )
          .filter((l) => l.event === 'data-dir.permissions');
        expect(logged).toHaveLength(2);
        expect(logged[0]?.tightened).toBe(0);
        expect(logged[1]?.tightened).toBe(opened);
        expect((logged[1]?.dirs ?? 0) + (logged[1]?.files ?? 0)).toBe(opened);
        expect(logged[1]?.failed).toEqual([]);
        expect(await doctorLine(dataDir)).toMatch(/^\[OK {2}\] data-permissions/);
      } finally {
        process.umask(saved);
      }
    },
    60_000,
  );
});

async function doctorLine(dataDir: string): Promise<string | undefined> {
  const out: string[] = [];
  await runDoctor(dataDir, { out: (s) => out.push(s), json: false, platform: 'linux' });
  return out.find((l) => l.includes('data-permissions'));
}

import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../store/testing/store-fixtures';
import type { CheckStatus } from './doctor-check';
import { runDoctor } from './doctor.command';
import { checkDataPermissions } from './doctor-permissions';

type Line = { name: string; status: CheckStatus; detail: string };

describe('doctor: data folder permissions', () => {
  let temp: ReturnType<typeof tempDir>;
  beforeEach(() => {
    temp = tempDir('motcua-doctor-perm-');
    mkdirSync(path.join(temp.dir, 'blobs', 'ab'), { recursive: true });
    for (const p of ['.', 'blobs', 'blobs/ab']) chmodSync(path.join(temp.dir, p), 0o700);
    writeFileSync(path.join(temp.dir, 'blobs', 'ab', 'cdef'), 'scan');
    chmodSync(path.join(temp.dir, 'blobs', 'ab', 'cdef'), 0o600);
  });
  afterEach(() => temp.cleanup());

  const check = (platform: NodeJS.Platform): Line[] => {
    const lines: Line[] = [];
    checkDataPermissions(temp.dir, (name, status, detail) => lines.push({ name, status, detail }), platform);
    return lines;
  };

  it('a private folder passes', () => {
    expect(check('linux')).toEqual([
      { name: 'data-permissions', status: 'ok', detail: expect.stringContaining('700') as string },
    ]);
  });

  it('a 0644 blob fails, named with its mode and the fix, and doctor exits 1', async () => {
    const blob = path.join(temp.dir, 'blobs', 'ab', 'cdef');
    chmodSync(blob, 0o644);
    const [line] = check('linux');
    expect(line?.status).toBe('fail');
    expect(line?.detail).toContain(`${blob} (644)`);
    expect(line?.detail).toContain(`chmod -R go-rwx ${temp.dir}`);

    const out: string[] = [];
    const code = await runDoctor(temp.dir, { out: (s) => out.push(s), json: false, platform: 'linux' });
    expect(code).toBe(1);
    expect(out.find((l) => l.includes('data-permissions'))).toMatch(/^\[LỖI \] data-permissions .*cdef \(644\)/);
  });

  it('a folder others may enter fails too; more than ten are summarised', () => {
    chmodSync(path.join(temp.dir, 'blobs'), 0o755);
    for (let i = 0; i < 11; i++)
      writeFileSync(path.join(temp.dir, `f${String(i).padStart(2, '0')}`), 'x', { mode: 0o660 });
    for (let i = 0; i < 11; i++) chmodSync(path.join(temp.dir, `f${String(i).padStart(2, '0')}`), 0o660);
    const [line] = check('linux');
    expect(line?.status).toBe('fail');
    expect(line?.detail).toMatch(/^12 mục/);
    expect(line?.detail).toContain(`${path.join(temp.dir, 'blobs')} (755)`);
    expect(line?.detail).toContain('và 2 mục khác');
  });

  it('on Windows it reads the ACL with icacls, not the modes: only the user, SYSTEM and Administrators pass', () => {
    chmodSync(path.join(temp.dir, 'blobs', 'ab', 'cdef'), 0o644);
    const env = { USERNAME: 'motcua', USERDOMAIN: 'QUAY1' };
    const narrow = `${temp.dir} QUAY1\\motcua:(OI)(CI)(F)\r\n    NT AUTHORITY\\SYSTEM:(OI)(CI)(F)\r\n\r\nSuccessfully processed 1 files; Failed processing 0 files\r\n`;
    const calls: string[][] = [];
    const lines: Line[] = [];
    checkDataPermissions(temp.dir, (name, status, detail) => lines.push({ name, status, detail }), 'win32', {
      env,
      run: (file, args) => {
        calls.push([file, ...args]);
        return narrow;
      },
    });
    expect(calls).toEqual([['icacls', temp.dir]]);
    expect(lines).toEqual([
      { name: 'data-permissions', status: 'ok', detail: expect.stringContaining('ACL') as string },
    ]);

    const inherited = `${temp.dir} QUAY1\\motcua:(I)(OI)(CI)(F)\r\n    BUILTIN\\Users:(I)(OI)(CI)(RX)\r\n    NT AUTHORITY\\Authenticated Users:(I)(M)\r\n`;
    const open: Line[] = [];
    checkDataPermissions(temp.dir, (name, status, detail) => open.push({ name, status, detail }), 'win32', {
      env,
      run: () => inherited,
    });
    expect(open[0]?.status).toBe('fail');
    expect(open[0]?.detail).toMatch(/^2 mục ACL/);
    expect(open[0]?.detail).toContain('BUILTIN\\Users');
  });

  it('on Windows an icacls that cannot run is a warning, not a pass', () => {
    const lines: Line[] = [];
    checkDataPermissions(temp.dir, (name, status, detail) => lines.push({ name, status, detail }), 'win32', {
      run: () => {
        throw new Error('spawn icacls ENOENT');
      },
    });
    expect(lines[0]).toMatchObject({ name: 'data-permissions', status: 'warn' });
    expect(lines[0]?.detail).toContain('ENOENT');
  });
});

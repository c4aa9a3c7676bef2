import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../store/test-support';
import { runDoctor, type CheckStatus } from './doctor.command';
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
    expect(check('linux')).toEqual([{ name: 'data-permissions', status: 'ok', detail: expect.stringContaining('700') as string }]);
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
    for (let i = 0; i < 11; i++) writeFileSync(path.join(temp.dir, `f${String(i).padStart(2, '0')}`), 'x', { mode: 0o660 });
    for (let i = 0; i < 11; i++) chmodSync(path.join(temp.dir, `f${String(i).padStart(2, '0')}`), 0o660);
    const [line] = check('linux');
    expect(line?.status).toBe('fail');
    expect(line?.detail).toMatch(/^12 mục/);
    expect(line?.detail).toContain(`${path.join(temp.dir, 'blobs')} (755)`);
    expect(line?.detail).toContain('và 2 mục khác');
  });

  it('on Windows it points to the ACL check instead of reading modes', () => {
    chmodSync(path.join(temp.dir, 'blobs', 'ab', 'cdef'), 0o644);
    const [line] = check('win32');
    expect(line).toMatchObject({ name: 'data-permissions', status: 'ok' });
    expect(line?.detail).toContain('ACL');
  });
});

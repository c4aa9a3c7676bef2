import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Logger } from '../kernel/logger';
import {
  deskCodeFor,
  enrolLikeACentre,
  startHostileCentre,
  type HostileCentre,
} from '../remotes/centre/testing/hostile-centre';
import { createCentreCa } from '../centre/security/ca';
import { main } from './cli';
import { runDeskCentreCommand } from './desk-centre.command';

/**
 * `motcua-desk centre join|status|leave` against a server playing the centre
 * (main/remotes/centre/testing/hostile-centre.ts); the real centre's side of joining is tested in
 * main/remotes/centre/centre.real-centre.test.ts.
 */
let hostile: HostileCentre;
const dirs: string[] = [];

beforeAll(async () => {
  hostile = await startHostileCentre();
  enrolLikeACentre(hostile);
});
afterAll(async () => {
  await hostile.close();
});
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[], dataDir: string, timeoutMs = 3_000) {
  const out: string[] = [];
  const err: string[] = [];
  const logged: string[] = [];
  const log: Logger = {
    log: (level, event, fields) => logged.push(JSON.stringify({ level, event, fields })),
    child: () => log,
  };
  const done = runDeskCentreCommand(args, dataDir, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    log,
    timeoutMs,
  });
  return done.then((code) => ({ code, out: out.join('\n'), err: err.join('\n'), logged: logged.join('\n') }));
}

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'motcua-desk-cli-'));
  dirs.push(d);
  return d;
}

const HELLO = (time: number) => ({
  centre: { centreId: 'c-1', agencyId: '000.00.12.H56', agencyName: 'UBND xã Thử', version: '1.0.0' },
  time,
  device: {
    id: '5d0c9a5e-0000-4000-8000-0000000000aa',
    kind: 'desk',
    name: 'Quầy 2',
    agencyId: '000.00.12.H56',
    counter: 'Q02',
    deskSlot: 1,
  },
});

describe('centre join', () => {
  it('joins, prints the enrolment in Vietnamese, and never prints nor logs the code', async () => {
    const dir = dataDir();
    const code = deskCodeFor(hostile.ca.certPem);
    const r = await run(['join', '--url', hostile.url, '--code', code], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/Đã ghép nối máy này với trung tâm UBND xã Thử/);
    expect(r.out).toMatch(/quầy: Q02/);
    const secret = code.slice(0, 9);
    for (const text of [r.out, r.err, r.logged]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(code.replace(/-/g, ''));
    }
    expect(r.logged).toMatch(/centre.join.done/);
  });

  it('a mismatching code: refused with exit 1, nothing saved, code not echoed', async () => {
    const dir = dataDir();
    const code = deskCodeFor((await createCentreCa({ commonName: 'khác' })).certPem);
    const r = await run(['join', '--url', hostile.url, '--code', code], dir);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^Lỗi: .*CA/);
    expect(r.err).not.toContain(code.slice(0, 9));
    expect(r.logged).not.toContain(code.slice(0, 9));
    expect(existsSync(join(dir, 'centre', 'centre.json'))).toBe(false);
  });

  it('usage errors: missing --url/--code, unknown option (the argument not echoed)', async () => {
    const dir = dataDir();
    expect((await run(['join', '--code', 'AAAA-BBBB-CCCC-DDDD'], dir)).code).toBe(2);
    const r = await run(['join', '--url', hostile.url, '--cod=SECRET-1234'], dir);
    expect(r.code).toBe(2);
    expect(r.err).not.toContain('SECRET-1234');
    expect((await run(['join', 'extra'], dir)).code).toBe(2);
  });

  it('a second join without --force is refused; with --force it enrols again', async () => {
    const dir = dataDir();
    expect((await run(['join', '--url', hostile.url, '--code', deskCodeFor(hostile.ca.certPem)], dir)).code).toBe(0);
    const again = await run(['join', '--url', hostile.url, '--code', deskCodeFor(hostile.ca.certPem)], dir);
    expect(again.code).toBe(1);
    expect(again.err).toMatch(/--force/);
    const forced = await run(['join', '--url', hostile.url, '--code', deskCodeFor(hostile.ca.certPem), '--force'], dir);
    expect(forced.code).toBe(0);
  });
});

describe('centre status', () => {
  it('not enrolled: says how to join, exit 1; --json says enrolled false', async () => {
    const dir = dataDir();
    const r = await run(['status'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/chưa ghép nối/);
    const j = await run(['status', '--json'], dir);
    expect(JSON.parse(j.out)).toEqual({ enrolled: false });
  });

  it('reachable: the clock difference, certificate expiry, counter and slot', async () => {
    const dir = dataDir();
    await run(['join', '--url', hostile.url, '--code', deskCodeFor(hostile.ca.certPem)], dir);
    // The centre's clock 90 s ahead of the desk's.
    hostile.answer('/api/v1/hello', () => ({ status: 200, body: JSON.stringify(HELLO(Date.now() + 90_000)) }));
    const r = await run(['status', '--json'], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out) as Record<string, unknown>;
    expect(report).toMatchObject({ enrolled: true, reachable: true, counter: 'Q02', deskSlot: 1, error: null });
    expect(Math.abs((report.clockDifferenceMs as number) - 90_000)).toBeLessThan(5_000);
    expect(Date.parse(report.certificateExpiresAt as string)).toBeGreaterThan(Date.now() + 700 * 86_400_000);
    const text = await run(['status'], dir);
    expect(text.out).toMatch(/Kết nối: được/);
    expect(text.out).toMatch(/chậm hơn trung tâm/);
    expect(text.out).toMatch(/hãy chỉnh giờ/);
  });

  it('unreachable or refused: the reason and its code, exit 1', async () => {
    const dir = dataDir();
    await run(['join', '--url', hostile.url, '--code', deskCodeFor(hostile.ca.certPem)], dir);
    hostile.answer('/api/v1/hello', {
      status: 403,
      body: JSON.stringify({ error: { code: 'CENTRE_DEVICE_REVOKED', message: 'Máy này đã bị thu hồi.' } }),
    });
    const r = await run(['status'], dir);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/Kết nối: KHÔNG được — Máy này đã bị thu hồi\. \[CENTRE_DEVICE_REVOKED\]/);
    hostile.answer('/api/v1/hello', { hang: true });
    const j = await run(['status', '--json'], dir, 300);
    expect(JSON.parse(j.out)).toMatchObject({ reachable: false, error: { code: 'REMOTE_TIMEOUT' } });
  });
});

describe('centre leave', () => {
  it('removes the files and reminds IT to revoke the device at the centre', async () => {
    const dir = dataDir();
    await run(['join', '--url', hostile.url, '--code', deskCodeFor(hostile.ca.certPem)], dir);
    const r = await run(['leave'], dir);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/centre revoke 5d0c9a5e-0000-4000-8000-0000000000aa/);
    expect(existsSync(join(dir, 'centre', 'desk.key'))).toBe(false);
    expect((await run(['leave'], dir)).out).toMatch(/chưa ghép nối/);
  });
});

describe('motcua-desk centre dispatch', () => {
  it('join/status/leave reach the desk command with the data folder', async () => {
    const dir = dataDir();
    const out: string[] = [];
    const code = await main(['--data-dir', dir, 'centre', 'status', '--json'], {
      out: (s) => out.push(s) > 0,
      err: () => true,
    });
    expect(code).toBe(1);
    expect(JSON.parse(out.join('\n'))).toEqual({ enrolled: false });
  });
});

import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../centre/database/testing/test-postgres';
import { startTestCentre, type TestCentre } from '../centre/testing/test-centre';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';
import { CENTRE_FILES, joinCentre } from '../remotes/centre/enrolment';
import type { CheckResult } from './doctor-check';
import { certificateCheck, checkCentre, clockCheck } from './doctor-centre';

/** `doctor`'s centre checks against a real centre and a desk joined in a temp folder. */
let pg: TestPostgres;
let centre: TestCentre;
let dataDir: string;
const temps: string[] = [];

function temp(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temps.push(dir);
  return dir;
}

async function run(dir: string, opts: Parameters<typeof checkCentre>[2] = {}): Promise<Record<string, CheckResult>> {
  const results: CheckResult[] = [];
  await checkCentre(dir, (name, status, detail) => results.push({ name, status, detail }), opts);
  return Object.fromEntries(results.map((r) => [r.name, r]));
}

function offsetClock(ms: number): Clock {
  const now = () => systemClock.now() + ms;
  return { now, localNow: () => toLocalDateTime(now()), today: () => toLocalDateTime(now()).slice(0, 10) };
}

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg);
  dataDir = temp('motcua-doctor-centre-');
  const code = await centre.pairingCode({ kind: 'desk', name: 'Quầy 1', counter: 'Q01' });
  await joinCentre({ url: centre.url, code, dir: dataDir });
}, 120_000);
afterAll(async () => {
  await centre?.stop();
  await pg?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

describe('doctor: the centre', () => {
  it('not enrolled: informational, ok', async () => {
    const r = await run(temp('motcua-doctor-alone-'));
    expect(Object.keys(r)).toEqual(['centre']);
    expect(r.centre).toMatchObject({ status: 'ok' });
    expect(r.centre!.detail).toContain('không ghép nối trung tâm');
  });

  it('enrolled: reachable, clocks agree, certificate valid, counter and slot', async () => {
    const r = await run(dataDir, { agencyId: centre.config.agency.id });
    expect(r.centre).toMatchObject({ status: 'ok' });
    expect(r.centre!.detail).toContain(centre.url);
    expect(r['centre.clock']).toMatchObject({ status: 'ok' });
    expect(r['centre.certificate']).toMatchObject({ status: 'ok' });
    expect(r['centre.counter']).toMatchObject({ status: 'ok', detail: 'quầy Q01, ô số dự phòng 0' });
    expect(r['centre.agency']).toBeUndefined();
  });

  it('a clock two minutes off warns; ten minutes off fails (the centre refuses it)', async () => {
    const warn = await run(dataDir, { clock: offsetClock(-2 * 60_000) });
    expect(warn['centre.clock']).toMatchObject({ status: 'warn' });
    expect(warn['centre.clock']!.detail).toMatch(/chậm hơn trung tâm (1 phút 5\d giây|2 phút)/);
    const fail = await run(dataDir, { clock: offsetClock(10 * 60_000) });
    expect(fail['centre.clock']).toMatchObject({ status: 'fail' });
    expect(fail.centre).toMatchObject({ status: 'ok' });
  });

  it('another agency in the configuration fails', async () => {
    const r = await run(dataDir, { agencyId: '000.00.99.X99' });
    expect(r['centre.agency']).toMatchObject({ status: 'fail' });
  });

  it('an unreachable centre and broken files fail with the reason', async () => {
    const moved = temp('motcua-doctor-moved-');
    cpSync(join(dataDir, CENTRE_FILES.dir), join(moved, CENTRE_FILES.dir), { recursive: true });
    const infoFile = join(moved, CENTRE_FILES.dir, CENTRE_FILES.info);
    const server = createServer();
    await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
    const port = (server.address() as { port: number }).port;
    await new Promise<void>((res) => server.close(() => res()));
    const info = JSON.parse(readFileSync(infoFile, 'utf8')) as { url: string };
    writeFileSync(infoFile, JSON.stringify({ ...info, url: `https://127.0.0.1:${port}` }));
    const r = await run(moved, { timeoutMs: 2000 });
    expect(r.centre).toMatchObject({ status: 'fail' });
    expect(r.centre!.detail).toContain('ECONNREFUSED');

    rmSync(join(moved, CENTRE_FILES.dir, CENTRE_FILES.key));
    const broken = await run(moved);
    expect(broken.centre).toMatchObject({ status: 'fail' });
    expect(broken.centre!.detail).toContain(CENTRE_FILES.key);

    writeFileSync(infoFile, 'not json');
    expect((await run(moved)).centre).toMatchObject({ status: 'fail' });
  });

  it('judges clock offsets and certificate expiry at the thresholds', () => {
    expect(clockCheck(0)[0]).toBe('ok');
    expect(clockCheck(59_000)[0]).toBe('ok');
    expect(clockCheck(-61_000)[0]).toBe('warn');
    expect(clockCheck(5 * 60_000 + 1000)[0]).toBe('fail');
    expect(clockCheck(119_700)[1]).toBe(
      'đồng hồ máy chậm hơn trung tâm 2 phút: nên chỉnh lại giờ máy (trung tâm từ chối khi lệch quá 5 phút)',
    );
    expect(clockCheck(-90_000)[1]).toMatch(/^đồng hồ máy nhanh hơn trung tâm 1 phút 30 giây/);
    const now = Date.parse('2026-12-08T00:00:00Z');
    expect(certificateCheck('2028-12-08T00:00:00.000Z', now)[0]).toBe('ok');
    expect(certificateCheck('2026-12-30T00:00:00.000Z', now)).toEqual([
      'warn',
      'chứng thư máy hết hạn sau 22 ngày (2026-12-30): ghép nối lại máy này trước ngày đó',
    ]);
    expect(certificateCheck('2026-12-01T00:00:00.000Z', now)[0]).toBe('fail');
    expect(certificateCheck('garbage', now)[0]).toBe('fail');
  });
});

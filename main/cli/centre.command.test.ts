import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../centre/database/embedded-postgres';
import { freePort } from '../kernel/free-port';
import { silentLogger } from '../kernel/logger';
import { runCentreCommand } from './centre.command';

let dir: string;
let embeddedPort: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-centre-cli-'));
  embeddedPort = await freePort();
});

afterAll(async () => {
  // Whatever a failed test left running: the cluster is stopped before the folder goes.
  if (existsSync(join(dir, 'postgres', 'PG_VERSION'))) {
    const pg = await startEmbeddedPostgres({
      clusterDir: join(dir, 'postgres'),
      passwordFile: join(dir, 'secrets', 'postgres-password'),
      port: embeddedPort,
      log: silentLogger,
    });
    await pg.stop();
  }
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCentreCommand([...args, '--centre-dir', dir], {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    env: {},
  });
  return { code, out, err };
}

describe('motcua-desk centre', () => {
  let deskCode = '';

  it('init writes the config and the TLS files and prints the CA fingerprint', async () => {
    const missing = await cli('init', '--agency-id', '000.00.12.H56');
    expect(missing.code).toBe(2);
    expect(missing.err.join('\n')).toMatch(/--agency-name/);
    const bad = await cli('init', '--agency-id', '12', '--agency-name', 'X', '--host', '127.0.0.1');
    expect(bad.code).toBe(1);
    expect(bad.err.join('\n')).toMatch(/agency\.id: mã định danh cơ quan/);
    expect(existsSync(join(dir, 'tls', 'ca.crt'))).toBe(false);

    const r = await cli(
      'init',
      '--agency-id',
      '000.00.12.H56',
      '--agency-name',
      'UBND xã Hòa Bình',
      '--host',
      '127.0.0.1',
      '--host',
      'localhost',
      '--embedded-port',
      String(embeddedPort),
    );
    expect(r.code, r.err.join('\n')).toBe(0);
    expect(r.out.join('\n')).toMatch(/dấu vân tay SHA-256 của CA: ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
    const config = JSON.parse(readFileSync(join(dir, 'centre.config.json'), 'utf8')) as { hosts: string[] };
    expect(config.hosts).toEqual(['127.0.0.1', 'localhost']);
    for (const f of ['ca.crt', 'ca.key', 'server.crt', 'server.key'])
      expect(existsSync(join(dir, 'tls', f))).toBe(true);

    const again = await cli('init', '--agency-id', '000.00.12.H56', '--agency-name', 'X', '--host', '127.0.0.1');
    expect(again.code).toBe(1);
    expect(again.err.join('\n')).toMatch(/Đã có cấu hình/);
  });

  it('enrol prints a one-time code and its expiry; bad flags are refused', async () => {
    const r = await cli('enrol', '--kind', 'desk', '--name', 'Quầy 1', '--counter', 'Q01');
    expect(r.code, r.err.join('\n')).toBe(0);
    const m = /: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})$/.exec(r.out[0]!);
    expect(m).not.toBeNull();
    deskCode = m![1]!;
    expect(r.out.join('\n')).toMatch(/hết hạn lúc \d{2}:\d{2} ngày \d{4}-\d{2}-\d{2}/);
    const kiosk = await cli('enrol', '--kind', 'kiosk', '--name', 'Kiosk sảnh', '--printer', 'tcp:192.168.1.50:9100');
    expect(kiosk.code).toBe(0);
    expect(kiosk.out.join('\n')).toMatch(/https:\/\/127\.0\.0\.1:8443\/pair/);

    expect((await cli('enrol', '--kind', 'robot', '--name', 'X')).code).toBe(2);
    expect((await cli('enrol', '--kind', 'desk')).code).toBe(2);
    const wrongCounter = await cli('enrol', '--kind', 'desk', '--name', 'Q', '--counter', 'Q99');
    expect(wrongCounter.code).toBe(2);
    expect(wrongCounter.err.join('\n')).toMatch(/quầy "Q99" không có trong queue\.counters/);
    expect((await cli('enrol', '--kind', 'rating', '--name', 'Đánh giá')).code).toBe(2);
    expect((await cli('enrol', '--kind', 'desk', '--name', 'Q', '--ttl', 'soon')).code).toBe(2);
    expect((await cli('enrol', '--kind', 'desk', '--name', 'Q', '--bogus')).code).toBe(2);

    // The code is shown once, here; it is in no log.
    const log = readFileSync(join(dir, 'logs', 'centre.log'), 'utf8');
    expect(log).not.toContain(deskCode.slice(0, 9));
  }, 60_000);

  it('devices lists, revoke revokes, doctor reports', async () => {
    const list = await cli('devices', '--json');
    expect(list.code).toBe(0);
    // Codes are not devices: nothing is enrolled until a code is redeemed.
    expect(JSON.parse(list.out.join('\n'))).toEqual([]);
    const text = await cli('devices');
    expect(text.out.join('\n')).toMatch(/Chưa có thiết bị nào/);

    const unknown = await cli('revoke', '00000000-0000-4000-8000-000000000000');
    expect(unknown.code).toBe(1);
    expect((await cli('revoke')).code).toBe(2);

    const doctor = await cli('doctor', '--json');
    const report = JSON.parse(doctor.out.join('\n')) as {
      healthy: boolean;
      checks: { name: string; status: string; detail: string }[];
    };
    expect(doctor.code, JSON.stringify(report.checks)).toBe(0);
    expect(report.healthy).toBe(true);
    const byName = new Map(report.checks.map((c) => [c.name, c]));
    expect(byName.get('database')?.status).toBe('ok');
    expect(byName.get('database')?.detail, byName.get('database')?.detail).toMatch(/: PostgreSQL \d+/);
    expect(byName.get('database.schema')?.status).toBe('ok');
    expect(byName.get('tls.server')?.status).toBe('ok');
    expect(byName.get('tls.server')?.detail).toMatch(/IP:127\.0\.0\.1/);
    expect(byName.get('agency-lock')?.status).toBe('warn');
  }, 120_000);

  it('run serves until stopped; a desk enrols with the printed code; revoke and doctor see it', async () => {
    let stop: () => void = () => undefined;
    const stopSignal = new Promise<void>((resolve) => (stop = resolve));
    let url = '';
    const started = new Promise<void>((resolve) => {
      const out: string[] = [];
      void runCentreCommand(['run', '--port', '0', '--centre-dir', dir], {
        out: (s) => out.push(s),
        err: (s) => out.push(s),
        env: {},
        stopSignal,
        onStarted: (u) => {
          url = u;
          resolve();
        },
      }).then((code) => (exitCode = code));
    });
    let exitCode = -1;
    await started;
    const { enrolTestDesk } = await import('../centre/testing/desk-client');
    const caPem = readFileSync(join(dir, 'tls', 'ca.crt'), 'utf8');
    const { answer } = await enrolTestDesk(url, caPem, deskCode);
    const deviceId = (answer.body.device as { id: string }).id;

    const list = await cli('devices', '--json');
    const devices = JSON.parse(list.out.join('\n')) as { id: string; kind: string; revokedAt: string | null }[];
    expect(devices.map((d) => d.kind)).toEqual(['desk']);
    const doctorWhileRunning = await cli('doctor');
    expect(doctorWhileRunning.out.join('\n')).toMatch(/trung tâm đang chạy: motcua-centre/);
    const revoked = await cli('revoke', deviceId);
    expect(revoked.code).toBe(0);
    expect(revoked.out[0]).toMatch(/Đã thu hồi desk "Quầy 1"/);
    const after = JSON.parse((await cli('devices', '--json')).out.join('\n')) as { revokedAt: string | null }[];
    expect(after[0]!.revokedAt).not.toBeNull();
    const doctor = await cli('doctor');
    expect(doctor.out.join('\n')).toMatch(/ĐÃ THU HỒI/);

    stop();
    const deadline = Date.now() + 30_000;
    while (exitCode === -1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(exitCode).toBe(0);
  }, 120_000);
});

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toLocalDateTime, type Clock } from '../kernel/clock';
import { writeCentreConfig } from './centre-config';
import { centreDoctor, printCentreDoctor, type CentreDoctorReport } from './centre-doctor';
import { startTestPostgres, type TestPostgres } from './database/testing/test-postgres';
import { dossierCode, receivedEntry } from './replication/testing/replication-fixtures';
import { startTestCentre, testCentreConfig, type TestCentre } from './testing/test-centre';

let pg: TestPostgres;
let centre: TestCentre;

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg);
}, 120_000);

afterAll(async () => {
  await centre?.stop();
  await pg?.stop();
});

function check(report: CentreDoctorReport, name: string) {
  const found = report.checks.find((c) => c.name === name);
  if (!found) throw new Error(`no check ${name}: ${JSON.stringify(report.checks)}`);
  return found;
}

const later = (ms: number): Clock => ({
  now: () => Date.now() + ms,
  localNow: () => toLocalDateTime(Date.now() + ms),
  today: () => toLocalDateTime(Date.now() + ms).slice(0, 10),
});

describe('centre doctor', () => {
  it('reports database, lock holder, certificates, devices and replication lag', async () => {
    const { client, deviceId } = await centre.enrolDesk({ name: 'Quầy 1', counter: 'Q01' });
    const code = dossierCode(1);
    const sent = await client.post<{ results: { outcome: string }[] }>('replicate', {
      entries: [receivedEntry(`${deviceId}:1`, code, {}, Date.now() - 3_000)],
    });
    expect(sent.body.results[0]!.outcome).toBe('stored');
    const kiosk = await centre.registry.redeemBrowser({
      code: await centre.pairingCode({ kind: 'kiosk', name: 'Kiosk sảnh' }),
    });
    await centre.registry.revoke(kiosk.device.id, 'it');

    const report = await centreDoctor({ centreDir: centre.centreDir, databaseUrl: centre.databaseUrl });
    expect(report.healthy, JSON.stringify(report.checks, null, 1)).toBe(true);
    expect(check(report, 'database').detail).toMatch(/PostgreSQL \d+/);
    expect(check(report, 'database.schema').status).toBe('ok');
    expect(check(report, 'identity').detail).toContain(centre.identity.centreId);
    expect(check(report, 'agency-lock')).toMatchObject({ status: 'ok' });
    expect(check(report, 'agency-lock').detail).toMatch(/motcua-centre .* pid /);
    expect(check(report, 'tls.ca').detail).toContain(centre.tls.caFingerprint);
    expect(check(report, 'tls.server').detail).toMatch(/IP:127\.0\.0\.1.*DNS:localhost/);
    expect(check(report, 'devices').detail).toBe('1 thiết bị đang hoạt động, 1 đã thu hồi');
    expect(check(report, `device ${deviceId.slice(0, 8)}`).detail).toMatch(/desk "Quầy 1", quầy Q01, lần cuối \d{4}-/);
    expect(check(report, `device ${kiosk.device.id.slice(0, 8)}`).detail).toMatch(/ĐÃ THU HỒI/);
    expect(check(report, `replication ${deviceId.slice(0, 8)}`).detail).toMatch(
      /"Quầy 1": 1 mục trong 1 giờ qua, độ trễ p50 [\d.]+ giây/,
    );

    const lines: string[] = [];
    expect(printCentreDoctor(report, { out: (s) => lines.push(s), json: false })).toBe(0);
    expect(lines.at(-1)).toBe('Kết luận: trung tâm hoạt động bình thường.');
  });

  it('fails when the server certificate does not cover a configured host, or has expired', async () => {
    writeCentreConfig(centre.centreDir, testCentreConfig({ hosts: ['127.0.0.1', 'localhost', '10.9.9.9'] }));
    try {
      const report = await centreDoctor({ centreDir: centre.centreDir, databaseUrl: centre.databaseUrl });
      expect(report.healthy).toBe(false);
      expect(check(report, 'tls.server')).toMatchObject({ status: 'fail' });
      expect(check(report, 'tls.server').detail).toMatch(/THIẾU 10\.9\.9\.9/);
      const lines: string[] = [];
      expect(printCentreDoctor(report, { out: (s) => lines.push(s), json: true })).toBe(1);
      expect(JSON.parse(lines.join('\n')).healthy).toBe(false);
    } finally {
      writeCentreConfig(centre.centreDir, testCentreConfig());
    }
    const inThreeYears = await centreDoctor({
      centreDir: centre.centreDir,
      databaseUrl: centre.databaseUrl,
      clock: later(3 * 365 * 24 * 60 * 60_000),
    });
    expect(check(inThreeYears, 'tls.server').status).toBe('fail');
    expect(check(inThreeYears, 'tls.ca').status).toBe('ok');
  });

  it('fails on a database of another agency and on an unreachable database', async () => {
    writeCentreConfig(centre.centreDir, testCentreConfig({ agency: { id: '000.00.34.H99', name: 'UBND khác' } }));
    try {
      const report = await centreDoctor({ centreDir: centre.centreDir, databaseUrl: centre.databaseUrl });
      expect(check(report, 'identity')).toMatchObject({ status: 'fail' });
      expect(check(report, 'identity').detail).toMatch(/thuộc cơ quan 000\.00\.12\.H56, cấu hình là 000\.00\.34\.H99/);
    } finally {
      writeCentreConfig(centre.centreDir, testCentreConfig());
    }
    const down = await centreDoctor({
      centreDir: centre.centreDir,
      databaseUrl: 'postgres://postgres:secret-pw@127.0.0.1:1/none',
    });
    expect(check(down, 'database').status).toBe('fail');
    expect(JSON.stringify(down)).not.toContain('secret-pw');
  });
});

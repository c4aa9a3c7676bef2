import { isIP } from 'node:net';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';
import { silentLogger, type Logger } from '../kernel/logger';
import { centreLogFile, centrePaths, loadCentreConfig, maskDatabaseUrl, type CentreConfig } from './centre-config';
import { openCommandDatabase, type CommandDatabase } from './centre-database';
import { agencyLockHolder, describeHolder, readCentreIdentity } from './centre-identity';
import { centreSchemaVersion, latestCentreVersion } from './database/migrate';
import { replicationLag } from './replication/lag';
import { certificateInfo } from './security/ca';
import { DeviceRegistry } from './security/device-registry';
import { loadCentreTls } from './security/tls-files';

/**
 * `motcua-desk centre doctor` (docs/operations.md, "Centre"): configuration, database (reachable,
 * version, migrations, identity), the agency lock's holder, certificates (expiry, SAN covering the
 * configured hosts), devices, replication lag per desk. Read-only: it changes no row (it does not
 * migrate). Exit 1 when a check failed.
 */
export type CentreCheckStatus = 'ok' | 'warn' | 'fail';
export interface CentreCheck {
  name: string;
  status: CentreCheckStatus;
  detail: string;
}

export interface CentreDoctorReport {
  healthy: boolean;
  centreDir: string;
  checks: CentreCheck[];
}

const DAY_MS = 24 * 60 * 60 * 1000;
/** Certificates expiring sooner than this are reported (renewal takes planning with the desks). */
const EXPIRY_WARNING_DAYS = 30;
/** A desk whose replication lags more than this (p95) is reported. */
const LAG_WARNING_MS = 5 * 60_000;

export async function centreDoctor(p: {
  centreDir: string;
  clock?: Clock;
  log?: Logger;
  env?: NodeJS.ProcessEnv;
  /** Overrides the configured database (tests). */
  databaseUrl?: string;
}): Promise<CentreDoctorReport> {
  const clock = p.clock ?? systemClock;
  const checks: CentreCheck[] = [];
  const add = (name: string, status: CentreCheckStatus, detail: string) => checks.push({ name, status, detail });

  let config: CentreConfig | null = null;
  try {
    config = loadCentreConfig(p.centreDir);
    add(
      'config',
      'ok',
      `${centrePaths(p.centreDir).config}: cơ quan ${config.agency.id} (${config.agency.name}), nghe ${config.listen.address}:${config.listen.port}, nhật ký ${centreLogFile(p.centreDir, config)}`,
    );
  } catch (err) {
    add('config', 'fail', errorText(err));
  }

  if (config) checkCertificates(p.centreDir, config, clock, add);

  if (config) {
    let database: CommandDatabase | null = null;
    try {
      database = await openCommandDatabase({
        centreDir: p.centreDir,
        config,
        log: p.log ?? silentLogger,
        ...(p.env ? { env: p.env } : {}),
        ...(p.databaseUrl ? { url: p.databaseUrl } : {}),
      });
      await checkDatabase(database, config, clock, add);
    } catch (err) {
      const where = config.database.url
        ? maskDatabaseUrl(config.database.url)
        : `PostgreSQL nhúng, cổng ${config.database.embeddedPort}`;
      add('database', 'fail', `${where}: ${errorText(err)}`);
    } finally {
      await database?.close().catch(() => undefined);
    }
  }

  return { healthy: !checks.some((c) => c.status === 'fail'), centreDir: p.centreDir, checks };
}

function checkCertificates(
  centreDir: string,
  config: CentreConfig,
  clock: Clock,
  add: (name: string, status: CentreCheckStatus, detail: string) => void,
): void {
  try {
    const tls = loadCentreTls(centrePaths(centreDir).tls);
    const ca = certificateInfo(tls.caPem);
    add(
      'tls.ca',
      expiryStatus(ca.notAfter, clock),
      `CA "${ca.subjectCommonName ?? ''}" hết hạn ${day(ca.notAfter)}; dấu vân tay SHA-256 ${tls.caFingerprint}`,
    );
    const server = certificateInfo(tls.serverCertPem);
    const sans = new Set(server.subjectAltNames.map((s) => s.replace(/^(IP|DNS):/, '').toLowerCase()));
    const missing = config.hosts.filter((h) => !sans.has(isIP(h) ? h : h.toLowerCase()));
    const status = missing.length ? 'fail' : expiryStatus(server.notAfter, clock);
    add(
      'tls.server',
      status,
      `chứng thư máy chủ hết hạn ${day(server.notAfter)}; tên/địa chỉ: ${server.subjectAltNames.join(', ')}` +
        (missing.length
          ? `; THIẾU ${missing.join(', ')} (có trong hosts): gia hạn chứng thư máy chủ cho đúng địa chỉ`
          : ''),
    );
  } catch (err) {
    add('tls', 'fail', errorText(err));
  }
}

async function checkDatabase(
  database: CommandDatabase,
  config: CentreConfig,
  clock: Clock,
  add: (name: string, status: CentreCheckStatus, detail: string) => void,
): Promise<void> {
  const { db } = database;
  const version = await db.query<{ v: string }>("SELECT current_setting('server_version') AS v");
  const where = config.database.url
    ? maskDatabaseUrl(config.database.url)
    : `PostgreSQL nhúng 127.0.0.1:${config.database.embeddedPort}${database.startedHere ? ' (đã tắt: khởi động tạm để kiểm tra)' : ' (đang chạy)'}`;
  add('database', 'ok', `${where}: PostgreSQL ${version.rows[0]?.v ?? '?'}`);

  const schema = await centreSchemaVersion(db);
  const latest = latestCentreVersion();
  add(
    'database.schema',
    schema === latest ? 'ok' : schema < latest ? 'warn' : 'fail',
    schema === latest
      ? `lược đồ ${schema}/${latest}`
      : schema < latest
        ? `lược đồ ${schema}/${latest}: sẽ được nâng cấp khi trung tâm khởi động`
        : `lược đồ ${schema} mới hơn phần mềm này (${latest}): cài phiên bản mới hơn`,
  );
  if (schema === 0) return;

  const identity = await readCentreIdentity(db);
  if (!identity) add('identity', 'warn', 'chưa ghi danh tính trung tâm (trung tâm chưa khởi động lần nào)');
  else if (identity.agencyId !== config.agency.id)
    add('identity', 'fail', `cơ sở dữ liệu thuộc cơ quan ${identity.agencyId}, cấu hình là ${config.agency.id}`);
  else add('identity', 'ok', `trung tâm ${identity.centreId}, cơ quan ${identity.agencyId} (${identity.agencyName})`);

  const holder = await agencyLockHolder(db, config.agency.id);
  add(
    'agency-lock',
    holder ? 'ok' : 'warn',
    holder
      ? `trung tâm đang chạy: ${describeHolder(holder)}`
      : 'không có tiến trình trung tâm nào đang chạy cho cơ quan này',
  );

  if (schema < 2) return;
  // The registry only reads here; it never signs, so the CA is not needed.
  const registry = new DeviceRegistry({
    db,
    clock,
    log: silentLogger,
    ca: { certPem: '', keyPem: '' },
    agencyId: config.agency.id,
  });
  const devices = await registry.list();
  const active = devices.filter((d) => !d.revokedAt);
  add('devices', 'ok', `${active.length} thiết bị đang hoạt động, ${devices.length - active.length} đã thu hồi`);
  for (const d of devices) {
    const soon =
      d.certificateExpiresAt && Date.parse(d.certificateExpiresAt) - clock.now() < EXPIRY_WARNING_DAYS * DAY_MS;
    add(
      `device ${d.id.slice(0, 8)}`,
      !d.revokedAt && soon ? 'warn' : 'ok',
      `${d.kind} "${d.name}"${d.counter ? `, quầy ${d.counter}` : ''}` +
        `, lần cuối ${d.lastSeenAt ? toLocalDateTime(Date.parse(d.lastSeenAt)).replace('T', ' ') : 'chưa kết nối'}` +
        (d.revokedAt ? `, ĐÃ THU HỒI ${toLocalDateTime(Date.parse(d.revokedAt)).replace('T', ' ')}` : '') +
        (d.certificateExpiresAt ? `, chứng thư hết hạn ${day(d.certificateExpiresAt)}` : ''),
    );
  }

  if (schema < 5) return;
  const lags = await replicationLag(db, { now: clock.now() });
  if (lags.length === 0) add('replication', 'ok', 'chưa có máy quầy nào gửi dữ liệu hồ sơ lên');
  for (const l of lags) {
    const name = devices.find((d) => d.id === l.deviceId)?.name ?? l.deviceId;
    add(
      `replication ${l.deviceId.slice(0, 8)}`,
      l.p95Ms !== null && l.p95Ms > LAG_WARNING_MS ? 'warn' : 'ok',
      `"${name}": ${l.entries} mục trong 1 giờ qua` +
        (l.p50Ms === null
          ? ''
          : `, độ trễ p50 ${seconds(l.p50Ms)}, p95 ${seconds(l.p95Ms)}, tối đa ${seconds(l.maxMs)}`) +
        `, mục mới nhất lúc ${toLocalDateTime(l.lastEntryAt).replace('T', ' ')}, tổng ${l.totalEntries}`,
    );
  }
}

function expiryStatus(notAfter: string, clock: Clock): CentreCheckStatus {
  const left = Date.parse(notAfter) - clock.now();
  if (left <= 0) return 'fail';
  return left < EXPIRY_WARNING_DAYS * DAY_MS ? 'warn' : 'ok';
}

function day(iso: string): string {
  return toLocalDateTime(Date.parse(iso)).slice(0, 10);
}

function seconds(ms: number | null): string {
  return ms === null ? '-' : `${(ms / 1000).toFixed(1)} giây`;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

const LABEL: Record<CentreCheckStatus, string> = { ok: 'OK  ', warn: 'CẢNH', fail: 'LỖI ' };

/** The report as `doctor` prints it (or JSON); the exit code. */
export function printCentreDoctor(report: CentreDoctorReport, io: { out: (s: string) => void; json: boolean }): number {
  if (io.json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    io.out(`Kiểm tra trung tâm Một Cửa — thư mục ${report.centreDir}`);
    for (const c of report.checks) io.out(`[${LABEL[c.status]}] ${c.name.padEnd(24)} ${c.detail}`);
    const failed = report.checks.filter((c) => c.status === 'fail').length;
    io.out(failed ? `Kết luận: ${failed} mục lỗi cần xử lý.` : 'Kết luận: trung tâm hoạt động bình thường.');
  }
  return report.healthy ? 0 : 1;
}

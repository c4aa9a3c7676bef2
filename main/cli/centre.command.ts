import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { freePort } from '../kernel/free-port';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/contract';
import { centreDoctor, printCentreDoctor } from '../centre/centre-doctor';
import {
  centreLogFile,
  centrePaths,
  defaultCentreDir,
  defaultCentreQueue,
  loadCentreConfig,
  parseCentreConfig,
  trainingCentreConfig,
  writeCentreConfig,
  type CentreConfig,
  type CentreConfigInput,
} from '../centre/centre-config';
import { openCommandDatabase } from '../centre/centre-database';
import { ensureCentreIdentity } from '../centre/centre-identity';
import { createCentre } from '../centre/compose';
import { migrateCentre } from '../centre/database/migrate';
import { DEVICE_KINDS, type DeviceKind, type DeviceRecord } from '../centre/security/device';
import { DeviceRegistry } from '../centre/security/device-registry';
import { initCentreTls, loadCentreTls } from '../centre/security/tls-files';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';
import { createLogger, type Logger } from '../kernel/logger';
import { redact } from '../kernel/mask';
import { resourcesDir } from '../kernel/resources';
import { DESK_CENTRE_USAGE } from './desk-centre.command';

export const CENTRE_USAGE = [
  '  centre init --agency-id MÃ --agency-name "TÊN" --host ĐỊA_CHỈ... [--port 8443] [--listen-address 0.0.0.0]',
  '              [--database-url postgres://… [--database-password-env BIẾN]] [--embedded-port 54329] [--force]',
  '                                  tạo cấu hình và CA, chứng thư máy chủ của trung tâm (in dấu vân tay CA)',
  '  centre run [--training] [--port N]  chạy trung tâm (nhật ký ở <thư mục>/logs/centre.log)',
  '  centre enrol --kind desk|kiosk|display|rating --name "Quầy 1" [--counter Q01] [--printer tcp:…] [--ttl 15]',
  '                                  cấp mã ghép nối một lần cho thiết bị (chỉ hiện ở đây)',
  '  centre devices [--json]         danh sách thiết bị đã ghép nối',
  '  centre revoke <mã thiết bị>     thu hồi thiết bị (ngắt kết nối ngay)',
  '  centre doctor [--json]          kiểm tra cơ sở dữ liệu, chứng thư, thiết bị, độ trễ đồng bộ',
  '  (chung) --centre-dir THƯ_MỤC    mặc định: MOTCUA_CENTRE_DIR hoặc <thư mục dữ liệu người dùng>/motcua-centre',
];

export interface CentreCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  env?: NodeJS.ProcessEnv;
  clock?: Clock;
  /** `run`: resolves when the centre must stop (default: SIGTERM or SIGINT). */
  stopSignal?: Promise<void>;
  /** `run`: told the centre's URL once it serves (tests). */
  onStarted?: (url: string) => void;
}

const OPTIONS = {
  'centre-dir': { type: 'string' },
  'agency-id': { type: 'string' },
  'agency-name': { type: 'string' },
  host: { type: 'string', multiple: true },
  port: { type: 'string' },
  'listen-address': { type: 'string' },
  'database-url': { type: 'string' },
  'database-password-env': { type: 'string' },
  'embedded-port': { type: 'string' },
  force: { type: 'boolean' },
  training: { type: 'boolean' },
  kind: { type: 'string' },
  name: { type: 'string' },
  counter: { type: 'string' },
  printer: { type: 'string' },
  ttl: { type: 'string' },
  json: { type: 'boolean' },
} as const;

class UsageError extends Error {}

/**
 * `motcua-desk centre …` (docs/operations.md, "Centre"): the centre's own commands, run by IT on
 * the centre's machine. Pairing codes appear only in `enrol`'s output (never in a log).
 */
export async function runCentreCommand(args: string[], io: CentreCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parse(rest));
  } catch (err) {
    io.err(`Lỗi: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  const env = io.env ?? process.env;
  const centreDir = values['centre-dir'] ?? defaultCentreDir(env);
  const clock = io.clock ?? systemClock;
  try {
    switch (sub) {
      case 'init':
        return await init(values, centreDir, io);
      case 'run':
        return await run(values, centreDir, io, clock);
      case 'enrol':
        return await withRegistry(centreDir, io, clock, async (registry, config) =>
          enrol(values, registry, config, io),
        );
      case 'devices':
        return await withRegistry(centreDir, io, clock, async (registry) =>
          devices(await registry.list(), values.json === true, io),
        );
      case 'revoke': {
        const id = positionals[0];
        if (!id || positionals.length > 1)
          throw new UsageError('dùng: centre revoke <mã thiết bị> (xem centre devices)');
        return await withRegistry(centreDir, io, clock, async (registry) => {
          const d = await registry.revoke(id, 'it');
          io.out(`Đã thu hồi ${d.kind} "${d.name}" (${d.id}). Các kết nối đang mở của thiết bị bị đóng ngay.`);
          return 0;
        });
      }
      case 'doctor': {
        const report = await centreDoctor({ centreDir, clock, env });
        return printCentreDoctor(report, { out: io.out, json: values.json === true });
      }
      case undefined:
      case 'help':
      case '--help':
        io.out('Cách dùng: motcua-desk centre <lệnh> [tùy chọn]');
        for (const line of CENTRE_USAGE) io.out(line);
        for (const line of DESK_CENTRE_USAGE) io.out(line);
        return sub === undefined ? 2 : 0;
      default:
        io.err(`Lệnh không hợp lệ 'centre ${sub}'. Xem: motcua-desk centre help`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`Lỗi: ${err.message}`);
      return 2;
    }
    io.err(`Lỗi: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

function parse(args: string[]) {
  return parseArgs({ args, options: OPTIONS, allowPositionals: true, strict: true });
}

type Values = ReturnType<typeof parse>['values'];

function intOption(values: Values, name: 'port' | 'embedded-port' | 'ttl'): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (!/^\d{1,5}$/.test(raw)) throw new UsageError(`--${name} phải là số nguyên (nhận "${raw}")`);
  return Number(raw);
}

async function init(values: Values, centreDir: string, io: CentreCommandIo): Promise<number> {
  const agencyId = values['agency-id'];
  const agencyName = values['agency-name'];
  const hosts = values.host ?? [];
  if (!agencyId || !agencyName || hosts.length === 0) {
    throw new UsageError(
      'centre init cần --agency-id, --agency-name và ít nhất một --host (địa chỉ IP/tên máy của trung tâm)',
    );
  }
  const file = centrePaths(centreDir).config;
  if (existsSync(file) && !values.force) {
    throw new AppError(
      'CONFIG_INVALID',
      `Đã có cấu hình ${file}. Sửa trực tiếp tệp đó, hoặc chạy lại với --force để ghi đè.`,
    );
  }
  const port = intOption(values, 'port');
  const embeddedPort = intOption(values, 'embedded-port');
  const input: CentreConfigInput = {
    agency: { id: agencyId, name: agencyName },
    listen: { address: values['listen-address'] ?? '0.0.0.0', port: port ?? 8443 },
    hosts,
    database: {
      ...(values['database-url'] ? { url: values['database-url'] } : {}),
      ...(values['database-password-env'] ? { passwordEnv: values['database-password-env'] } : {}),
      ...(embeddedPort === undefined ? {} : { embeddedPort }),
    },
    queue: defaultCentreQueue(),
    numbers: { blockSize: 20 },
    devices: { mode: 'production', paper: 80 },
  };
  // Validated before anything is written: a wrong flag leaves no half-made centre behind.
  const config = parseCentreConfig(input, '(tham số dòng lệnh)');
  const tls = await initCentreTls(centrePaths(centreDir).tls, {
    hosts: config.hosts,
    commonName: `${config.agency.name} - CA trung tâm Một Cửa`,
    organization: config.agency.name,
    force: values.force === true,
  });
  writeCentreConfig(centreDir, input);
  io.out(`Đã tạo trung tâm cho ${config.agency.name} (${config.agency.id}) trong ${centreDir}`);
  io.out(`  cấu hình: ${file} (khai báo dịch vụ và quầy trong mục "queue")`);
  io.out(`  chứng thư: ${centrePaths(centreDir).tls} (sao lưu ca.key ở nơi an toàn)`);
  io.out(`  địa chỉ: https://${config.hosts[0]}:${config.listen.port}/`);
  io.out(`  dấu vân tay SHA-256 của CA: ${formatFingerprint(tls.caFingerprint)}`);
  io.out('Tiếp theo: motcua-desk centre run, rồi centre enrol cho từng thiết bị.');
  return 0;
}

function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{2}/g) ?? []).join(':');
}

/** The registry over the centre's database (started for the command when the centre is stopped). */
async function withRegistry(
  centreDir: string,
  io: CentreCommandIo,
  clock: Clock,
  fn: (registry: DeviceRegistry, config: CentreConfig) => Promise<number>,
): Promise<number> {
  const config = loadCentreConfig(centreDir);
  const log = createLogger({ file: centreLogFile(centreDir, config), scope: 'cli' });
  const tls = loadCentreTls(centrePaths(centreDir).tls);
  const database = await openCommandDatabase({ centreDir, config, log, ...(io.env ? { env: io.env } : {}) });
  try {
    await migrateCentre(database.db, { log });
    const identity = await ensureCentreIdentity(database.db, config.agency);
    const registry = new DeviceRegistry({
      db: database.db,
      clock,
      log,
      ca: { certPem: tls.caPem, keyPem: tls.caKeyPem },
      agencyId: identity.agencyId,
    });
    return await fn(registry, config);
  } finally {
    await database.close();
  }
}

async function enrol(
  values: Values,
  registry: DeviceRegistry,
  config: CentreConfig,
  io: CentreCommandIo,
): Promise<number> {
  const kind = values.kind as DeviceKind | undefined;
  if (!kind || !DEVICE_KINDS.includes(kind))
    throw new UsageError(`--kind phải là một trong: ${DEVICE_KINDS.join(', ')}`);
  if (!values.name) throw new UsageError('thiếu --name (tên thiết bị, ví dụ "Quầy 1", "Kiosk sảnh")');
  const counter = values.counter ?? null;
  if (counter !== null && !config.queue.counters.some((c) => c.id === counter)) {
    throw new UsageError(
      `quầy "${counter}" không có trong queue.counters của cấu hình (${config.queue.counters.map((c) => c.id).join(', ')})`,
    );
  }
  if (kind === 'rating' && counter === null) throw new UsageError('máy đánh giá cần --counter (quầy mà máy đặt tại)');
  if (values.printer && kind !== 'kiosk') throw new UsageError('--printer chỉ dùng cho kiosk');
  const ttl = intOption(values, 'ttl');
  const made = await registry.createPairingCode({
    kind,
    name: values.name,
    counter,
    printer: values.printer ?? null,
    ...(ttl === undefined ? {} : { ttlMinutes: ttl }),
    actor: 'it',
  });
  printCode(io, { kind, name: values.name, code: made.code, expiresAt: made.expiresAt }, config);
  return 0;
}

/** The kinds of device as IT reads them. */
const KIND_NAMES: Readonly<Record<DeviceKind, string>> = {
  desk: 'máy quầy',
  kiosk: 'ki-ốt lấy số',
  display: 'màn hình hiển thị',
  rating: 'máy đánh giá',
};

function printCode(
  io: CentreCommandIo,
  p: { kind: DeviceKind; name: string; code: string; expiresAt: string },
  config: CentreConfig,
): void {
  const until = toLocalDateTime(Date.parse(p.expiresAt));
  io.out(`Mã ghép nối cho ${KIND_NAMES[p.kind]} "${p.name}": ${p.code}`);
  io.out(`  dùng một lần, hết hạn lúc ${until.slice(11, 16)} ngày ${until.slice(0, 10)}`);
  if (p.kind === 'desk')
    io.out(
      `  ở máy quầy: motcua-desk centre join --url https://${config.hosts[0]}:${config.listen.port} --code <mã>` +
        ' (phần sau của mã giúp máy quầy kiểm tra đúng trung tâm)',
    );
  else io.out(`  mở https://${config.hosts[0]}:${config.listen.port}/pair trên thiết bị và nhập mã`);
}

function devices(list: DeviceRecord[], json: boolean, io: CentreCommandIo): number {
  if (json) {
    io.out(JSON.stringify(list, null, 2));
    return 0;
  }
  if (list.length === 0) {
    io.out('Chưa có thiết bị nào (cấp mã bằng: motcua-desk centre enrol …).');
    return 0;
  }
  const when = (iso: string | null) => (iso ? toLocalDateTime(Date.parse(iso)).replace('T', ' ') : '-');
  io.out(
    `${'MÃ THIẾT BỊ'.padEnd(36)}  ${'LOẠI'.padEnd(7)}  ${'QUẦY'.padEnd(6)}  ${'LẦN CUỐI'.padEnd(16)}  TRẠNG THÁI  TÊN`,
  );
  for (const d of list) {
    io.out(
      `${d.id.padEnd(36)}  ${d.kind.padEnd(7)}  ${(d.counter ?? '-').padEnd(6)}  ${when(d.lastSeenAt).padEnd(16)}  ${(d.revokedAt ? 'đã thu hồi' : 'hoạt động').padEnd(10)}  ${d.name}`,
    );
  }
  return 0;
}

/** A logger writing the file and, one line each, stdout (`centre run` under a service manager). */
function runLogger(file: string, config: CentreConfig, io: CentreCommandIo): Logger {
  const fileLog = createLogger({ file, rotation: { maxBytes: config.log.maxBytes, keep: config.log.keep } });
  const make = (scope: string, inner: Logger): Logger => ({
    log(level, event, fields) {
      inner.log(level, event, fields);
      io.out(JSON.stringify({ t: new Date().toISOString(), level, scope, event, ...(redact(fields ?? {}) as object) }));
    },
    child: (s) => make(scope ? `${scope}.${s}` : s, inner.child(s)),
  });
  return make('', fileLog);
}

async function run(values: Values, centreDir: string, io: CentreCommandIo, clock: Clock): Promise<number> {
  const training = values.training === true;
  const port = intOption(values, 'port');
  let dir = centreDir;
  let config: CentreConfig;
  if (training) {
    // A throw-away centre: its own folder (system temp), database and CA, removed when it stops.
    dir = mkdtempSync(join(tmpdir(), 'motcua-centre-training-'));
    config = trainingCentreConfig(resourcesDir(), { port: port ?? 8443, embeddedPort: await freePort() });
    writeCentreConfig(dir, config);
    await initCentreTls(centrePaths(dir).tls, {
      hosts: config.hosts,
      commonName: 'Trung tâm đào tạo - CA',
      force: true,
    });
  } else {
    config = loadCentreConfig(dir);
  }
  const log = runLogger(centreLogFile(dir, config), config, io);
  let fatal: Error | null = null;
  let stopNow: () => void = () => undefined;
  const fatalStop = new Promise<void>((resolve) => (stopNow = resolve));
  const centre = await createCentre({
    centreDir: dir,
    config,
    clock,
    log,
    training,
    ...(port === undefined ? {} : { port }),
    ...(io.env ? { env: io.env } : {}),
    onFatal: (err) => {
      fatal = err;
      stopNow();
    },
  });
  io.out(`Trung tâm đang chạy: ${centre.url} (cơ quan ${centre.identity.agencyId}${training ? ', ĐÀO TẠO' : ''})`);
  if (training) {
    const codes: [DeviceKind, string, string | null][] = [
      ['desk', 'Quầy số 1 (đào tạo)', 'Q01'],
      ['kiosk', 'Kiosk (đào tạo)', null],
      ['display', 'Màn hình (đào tạo)', null],
      ['rating', 'Máy đánh giá quầy 1 (đào tạo)', 'Q01'],
    ];
    for (const [kind, name, counter] of codes) {
      const made = await centre.registry.createPairingCode({ kind, name, counter, ttlMinutes: 24 * 60, actor: 'it' });
      printCode(io, { kind, name, code: made.code, expiresAt: made.expiresAt }, config);
    }
  }
  io.onStarted?.(centre.url);
  await Promise.race([io.stopSignal ?? processSignal(), fatalStop]);
  await centre.close();
  if (training) rmSync(dir, { recursive: true, force: true });
  if (fatal) {
    io.err(`Lỗi: ${(fatal as Error).message}`);
    return 1;
  }
  io.out('Trung tâm đã dừng.');
  return 0;
}

function processSignal(): Promise<void> {
  return new Promise((resolve) => {
    const stop = () => {
      process.removeListener('SIGTERM', stop);
      process.removeListener('SIGINT', stop);
      resolve();
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
}

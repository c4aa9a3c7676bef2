import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AppError } from '../../common/contract/errors';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';
import { createLogger, type Logger } from '../kernel/logger';
import { createCentreClient } from '../remotes/centre/centre.client';
import type { CentreHello } from '../remotes/centre/centre.port';
import { joinCentre, leaveCentre, loadEnrolment, type Enrolment } from '../remotes/centre/enrolment';

/**
 * `motcua-desk centre join|status|leave` (docs/operations.md, "Centre"): the desk's side, run by IT
 * on the desk. The pairing code is never printed back nor logged.
 */
export const DESK_CENTRE_USAGE = [
  '  centre join --url https://ĐỊA_CHỈ:8443 --code XXXX-XXXX-XXXX-XXXX [--force]',
  '                                  (trên máy bàn) ghép nối máy này với trung tâm bằng mã IT cấp',
  '  centre status [--json]          (trên máy bàn) kết nối, lệch giờ, hạn chứng thư, quầy của máy này',
  '  centre leave                    (trên máy bàn) xóa ghép nối trên máy này (IT thu hồi ở trung tâm)',
];

export interface DeskCentreIo {
  out: (s: string) => void;
  err: (s: string) => void;
  clock?: Clock;
  /** Default: `<data dir>/logs/core.log`. */
  log?: Logger;
  timeoutMs?: number;
}

const OPTIONS = {
  url: { type: 'string' },
  code: { type: 'string' },
  force: { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

export async function runDeskCentreCommand(args: string[], dataDir: string, io: DeskCentreIo): Promise<number> {
  const [sub, ...rest] = args;
  let values: { url?: string; code?: string; force?: boolean; json?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({ args: rest, options: OPTIONS, allowPositionals: true, strict: true }));
  } catch (err) {
    // The parser's message may quote an argument, and an argument may be the code: not repeated.
    io.err(`Lỗi: tham số không hợp lệ cho "centre ${sub ?? ''}". Xem: motcua-desk centre help`);
    void err;
    return 2;
  }
  if (positionals.length > 0) {
    io.err(`Lỗi: "centre ${sub ?? ''}" không nhận tham số vị trí. Xem: motcua-desk centre help`);
    return 2;
  }
  const log = io.log ?? createLogger({ file: join(dataDir, 'logs', 'core.log'), scope: 'centre' });
  const clock = io.clock ?? systemClock;
  try {
    switch (sub) {
      case 'join':
        return await joinCommand(values, dataDir, io, log, clock);
      case 'status':
        return await status(values.json === true, dataDir, io, log, clock);
      case 'leave':
        return leave(dataDir, io);
      default:
        io.err(`Lệnh không hợp lệ 'centre ${sub ?? ''}'. Xem: motcua-desk centre help`);
        return 2;
    }
  } catch (err) {
    io.err(`Lỗi: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

async function joinCommand(
  values: { url?: string; code?: string; force?: boolean },
  dataDir: string,
  io: DeskCentreIo,
  log: Logger,
  clock: Clock,
): Promise<number> {
  if (!values.url || !values.code) {
    io.err('Lỗi: centre join cần --url https://ĐỊA_CHỈ:8443 và --code (mã ghép nối IT cấp ở trung tâm).');
    return 2;
  }
  const e = await joinCentre({
    url: values.url,
    code: values.code,
    dir: dataDir,
    log,
    force: values.force === true,
    clock,
    ...(io.timeoutMs === undefined ? {} : { timeoutMs: io.timeoutMs }),
  });
  io.out(`Đã ghép nối máy này với trung tâm ${e.agencyName} (${e.agencyId}) tại ${e.url}.`);
  io.out(`  máy: "${e.name}", mã thiết bị ${e.deviceId}`);
  io.out(`  quầy: ${e.counter ?? '(chưa gán)'}; ô số dự phòng khi mất kết nối: ${e.deskSlot ?? '(chưa có)'}`);
  io.out(`  chứng thư của máy hết hạn: ${day(e.certificateExpiresAt)}`);
  return 0;
}

interface StatusReport {
  enrolled: boolean;
  url?: string;
  deviceId?: string;
  name?: string;
  counter?: string | null;
  deskSlot?: number | null;
  agencyId?: string;
  agencyName?: string;
  centreId?: string;
  enrolledAt?: string;
  certificateExpiresAt?: string;
  caExpiresAt?: string;
  reachable?: boolean;
  /** Centre minus desk, ms (round trip halved); null when unreachable. */
  clockDifferenceMs?: number | null;
  /** The desk as the centre knows it now. */
  atCentre?: CentreHello['device'] | null;
  error?: { code: string; message: string } | null;
}

async function status(json: boolean, dataDir: string, io: DeskCentreIo, log: Logger, clock: Clock): Promise<number> {
  let enrolment: Enrolment;
  try {
    enrolment = loadEnrolment(dataDir);
  } catch (err) {
    if (err instanceof AppError && err.code === 'CENTRE_NOT_ENROLLED') {
      if (json) io.out(JSON.stringify({ enrolled: false }, null, 2));
      else io.out(err.message);
      return 1;
    }
    throw err;
  }
  const report: StatusReport = {
    enrolled: true,
    url: enrolment.url,
    deviceId: enrolment.deviceId,
    name: enrolment.name,
    counter: enrolment.counter,
    deskSlot: enrolment.deskSlot,
    agencyId: enrolment.agencyId,
    agencyName: enrolment.agencyName,
    centreId: enrolment.centreId,
    enrolledAt: enrolment.enrolledAt,
    certificateExpiresAt: enrolment.certificateExpiresAt,
    caExpiresAt: new Date(new X509Certificate(enrolment.caPem).validTo).toISOString(),
    reachable: false,
    clockDifferenceMs: null,
    atCentre: null,
    error: null,
  };
  const client = createCentreClient({
    ...enrolment,
    clock,
    log,
    ...(io.timeoutMs === undefined ? {} : { timeoutMs: io.timeoutMs }),
  });
  try {
    const sent = clock.now();
    const hello = await client.hello();
    const received = clock.now();
    report.reachable = true;
    report.clockDifferenceMs = Math.round(hello.time - (sent + received) / 2);
    report.atCentre = hello.device;
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError('INTERNAL', String(err));
    report.error = { code: e.code, message: e.message };
  } finally {
    client.close();
  }
  if (json) {
    io.out(JSON.stringify(report, null, 2));
  } else {
    printStatus(report, io, clock);
  }
  return report.reachable ? 0 : 1;
}

function printStatus(r: StatusReport, io: DeskCentreIo, clock: Clock): void {
  io.out(`Trung tâm: ${r.agencyName} (${r.agencyId}) tại ${r.url}`);
  io.out(`Máy này: "${r.name}", mã thiết bị ${r.deviceId}, ghép nối lúc ${local(r.enrolledAt!)}`);
  io.out(`  quầy: ${r.counter ?? '(chưa gán)'}; ô số dự phòng: ${r.deskSlot ?? '(chưa có)'}`);
  const daysLeft = Math.floor((Date.parse(r.certificateExpiresAt!) - clock.now()) / 86_400_000);
  io.out(
    `  chứng thư của máy hết hạn: ${day(r.certificateExpiresAt!)} (${daysLeft >= 0 ? `còn ${daysLeft} ngày` : 'ĐÃ HẾT HẠN'})`,
  );
  if (!r.reachable) {
    io.out(`Kết nối: KHÔNG được — ${r.error?.message ?? 'không rõ lý do'} [${r.error?.code ?? '?'}]`);
    return;
  }
  io.out('Kết nối: được');
  const diff = r.clockDifferenceMs ?? 0;
  const seconds = (Math.abs(diff) / 1000).toFixed(1).replace('.', ',');
  const side = diff >= 0 ? 'chậm hơn' : 'nhanh hơn';
  io.out(
    `  lệch giờ: đồng hồ máy này ${side} trung tâm ${seconds} giây${Math.abs(diff) > 60_000 ? ' — hãy chỉnh giờ' : ''}`,
  );
  const c = r.atCentre;
  if (c && (c.counter !== r.counter || c.deskSlot !== r.deskSlot || c.name !== r.name)) {
    io.out(
      `  ở trung tâm máy này là "${c.name}", quầy ${c.counter ?? '(chưa gán)'}, ô số ${c.deskSlot ?? '(chưa có)'} (khác lúc ghép nối)`,
    );
  }
}

function leave(dataDir: string, io: DeskCentreIo): number {
  const was = leaveCentre(dataDir);
  if (!was) {
    io.out('Máy này chưa ghép nối với trung tâm nào: không có gì để xóa.');
    return 0;
  }
  io.out(`Đã xóa ghép nối trung tâm trên máy này${was.url ? ` (${was.url}, máy "${was.name}")` : ''}.`);
  io.out(
    `Nhắc bộ phận CNTT: thu hồi máy này ở trung tâm — motcua-desk centre revoke ${was.deviceId || '<mã thiết bị>'} — để chứng thư cũ không dùng được nữa.`,
  );
  return 0;
}

function day(iso: string): string {
  return toLocalDateTime(Date.parse(iso)).slice(0, 10);
}

function local(iso: string): string {
  const t = Date.parse(iso);
  return Number.isFinite(t) ? toLocalDateTime(t).replace('T', ' ') : iso;
}

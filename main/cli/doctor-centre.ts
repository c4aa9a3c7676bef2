import { AppError } from '../../common/contract';
import { systemClock, type Clock } from '../kernel/clock';
import { createCentreClient } from '../remotes/centre/centre.client';
import type { CentreHello, CentreLink } from '../remotes/centre/centre.port';
import { isEnrolled, loadEnrolment, type Enrolment } from '../remotes/centre/enrolment';
import type { CheckStatus } from './doctor-check';

type Add = (name: string, status: CheckStatus, detail: string) => void;

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** The centre refuses a desk more than 5 minutes off (wire-centre.ts); a minute is worth a warning. */
export const CLOCK_WARN_MS = MINUTE;
export const CLOCK_FAIL_MS = 5 * MINUTE;
export const CERTIFICATE_WARN_DAYS = 30;

/**
 * `doctor`: the centre this desk is enrolled at (docs/architecture.md, "Centre"). Not enrolled is
 * fine (the desk runs alone). Enrolled: the files load, the centre answers `hello` over mutual TLS,
 * the clocks agree (warn past a minute, fail past five: the centre refuses the desk then), the desk
 * certificate is not about to expire, the counter and reserve slot are set and the agency is the
 * desk's. Nothing is written to the centre.
 */
export async function checkCentre(
  dataDir: string,
  add: Add,
  opts: {
    /** `agency.id` of the desk's configuration, when it loaded. */
    agencyId?: string | undefined;
    clock?: Clock;
    timeoutMs?: number;
    makeLink?: (enrolment: Enrolment) => CentreLink;
  } = {},
): Promise<void> {
  if (!isEnrolled(dataDir)) {
    add('centre', 'ok', 'không ghép nối trung tâm: máy chạy một mình (hàng đợi và số hồ sơ của riêng máy)');
    return;
  }
  let enrolment: Enrolment;
  try {
    enrolment = loadEnrolment(dataDir);
  } catch (err) {
    add('centre', 'fail', err instanceof Error ? err.message : String(err));
    return;
  }
  const clock = opts.clock ?? systemClock;
  add('centre.certificate', ...certificateCheck(enrolment.certificateExpiresAt, clock.now()));
  const counterDetail = `quầy ${enrolment.counter ?? '(chưa gán)'}, ô số dự phòng ${enrolment.deskSlot ?? '(không có)'}`;
  if (opts.agencyId !== undefined && opts.agencyId !== enrolment.agencyId) {
    add(
      'centre.agency',
      'fail',
      `cơ quan trong cấu hình (${opts.agencyId}) khác cơ quan của trung tâm (${enrolment.agencyId}): trung tâm sẽ không cấp số hồ sơ`,
    );
  }

  const link =
    opts.makeLink?.(enrolment) ??
    createCentreClient({
      url: enrolment.url,
      caPem: enrolment.caPem,
      certPem: enrolment.certPem,
      keyPem: enrolment.keyPem,
      clock,
      timeoutMs: opts.timeoutMs ?? 5000,
    });
  let hello: CentreHello;
  const sentAt = clock.now();
  try {
    hello = await link.hello();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (err instanceof AppError && err.code === 'CENTRE_CLOCK_SKEW') {
      add('centre', 'ok', `${enrolment.url}: trung tâm trả lời (từ chối vì lệch giờ)`);
      add('centre.clock', 'fail', message);
    } else {
      add('centre', 'fail', `${enrolment.url}: ${message}`);
    }
    add('centre.counter', enrolment.counter === null || enrolment.deskSlot === null ? 'warn' : 'ok', counterDetail);
    return;
  } finally {
    link.close();
  }
  const answeredAt = clock.now();
  add(
    'centre',
    'ok',
    `${enrolment.url}: trung tâm ${hello.centre.agencyName} trả lời; máy "${hello.device.name}" (${hello.device.id})`,
  );
  add('centre.clock', ...clockCheck(hello.time - (sentAt + answeredAt) / 2));
  const moved = hello.device.counter !== enrolment.counter || hello.device.deskSlot !== enrolment.deskSlot;
  add(
    'centre.counter',
    enrolment.counter === null || enrolment.deskSlot === null || moved ? 'warn' : 'ok',
    counterDetail +
      (moved
        ? `; trung tâm nay ghi quầy ${hello.device.counter ?? '(chưa gán)'}, ô ${hello.device.deskSlot ?? '(không có)'}: ghép nối lại máy này`
        : ''),
  );
}

/** The centre's clock minus the desk's, judged. */
export function clockCheck(offsetMs: number): [CheckStatus, string] {
  const off = Math.abs(offsetMs);
  const text = `đồng hồ máy ${offsetMs > 0 ? 'chậm' : 'nhanh'} hơn trung tâm ${formatDuration(off)}`;
  if (off > CLOCK_FAIL_MS) return ['fail', `${text}: trung tâm từ chối máy lệch quá 5 phút; chỉnh lại giờ máy`];
  if (off > CLOCK_WARN_MS) return ['warn', `${text}: nên chỉnh lại giờ máy (trung tâm từ chối khi lệch quá 5 phút)`];
  return ['ok', off < 1000 ? 'đồng hồ khớp với trung tâm' : text];
}

/** The desk certificate's end of validity, judged. */
export function certificateCheck(expiresAtIso: string, now: number): [CheckStatus, string] {
  const left = Date.parse(expiresAtIso) - now;
  const day = expiresAtIso.slice(0, 10);
  if (!Number.isFinite(left)) return ['fail', `không đọc được hạn chứng thư máy (${expiresAtIso})`];
  if (left <= 0) return ['fail', `chứng thư máy đã hết hạn ngày ${day}: ghép nối lại máy này với trung tâm`];
  const days = Math.floor(left / DAY);
  if (days < CERTIFICATE_WARN_DAYS) {
    return ['warn', `chứng thư máy hết hạn sau ${days} ngày (${day}): ghép nối lại máy này trước ngày đó`];
  }
  return ['ok', `chứng thư máy còn hạn đến ${day}`];
}

function formatDuration(ms: number): string {
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} giây`;
  const minutes = Math.floor(total / 60);
  const seconds = total % 60;
  return seconds ? `${minutes} phút ${seconds} giây` : `${minutes} phút`;
}

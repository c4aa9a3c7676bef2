/**
 * Dossier codes (MaHoSo) `{agency identifier}-{yyMMdd}-{NNNN}` (docs/domain.md §2) and the
 * collision-free numbering used when a desk works offline.
 *
 * Sequence scheme: the desks of one agency share one daily sequence 0001 … 9999. While online
 * a desk leases numbers from the provincial system, which hands out only 1 … {@link LEASABLE_MAX}.
 * The numbers from {@link RESERVE_FROM} up are never leased: they are split into ten blocks of
 * 100, one per desk slot (0 … 9, configured per workstation and unique within the agency), so an
 * offline desk numbers from its own block and can never issue a number another desk also issues.
 */
import { tryParseDate } from './local-date';

const AGENCY_ID_RE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$/;
const DOSSIER_CODE_RE = /^(\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})-(\d{2})(\d{2})(\d{2})-(\d{4})$/;

export const SEQUENCE_MIN = 1;
export const SEQUENCE_MAX = 9999;
/** Highest sequence number the provincial system leases to online desks. */
export const LEASABLE_MAX = 8999;
/** First sequence number kept for offline desks. */
export const RESERVE_FROM = 9000;
export const RESERVE_BLOCK_SIZE = 100;
export const DESK_SLOT_COUNT = 10;

/** Agency electronic identifier (QCVN 102:2016), e.g. `000.00.12.H56`, `000.00.00.G15`. */
export function isAgencyId(s: string): boolean {
  return AGENCY_ID_RE.test(s);
}

export interface DossierCodeParts {
  agencyId: string;
  /** Receipt date `YYYY-MM-DD` (years 2000 … 2099). */
  date: string;
  sequence: number;
}

/** Builds a dossier code; throws RangeError for a bad agency id, date or sequence. */
export function formatDossierCode(agencyId: string, date: string, sequence: number): string {
  if (!isAgencyId(agencyId)) {
    throw new RangeError(`Mã định danh cơ quan không hợp lệ: '${agencyId}' (ví dụ 000.00.12.H56)`);
  }
  const parsed = tryParseDate(date);
  if (!parsed || parsed.year < 2000 || parsed.year > 2099) {
    throw new RangeError(`Ngày tiếp nhận không hợp lệ: '${date}' (cần YYYY-MM-DD, năm 2000-2099)`);
  }
  if (!Number.isInteger(sequence) || sequence < SEQUENCE_MIN || sequence > SEQUENCE_MAX) {
    throw new RangeError(`Số thứ tự hồ sơ phải từ ${SEQUENCE_MIN} đến ${SEQUENCE_MAX}: ${sequence}`);
  }
  const yymmdd = date.slice(2, 4) + date.slice(5, 7) + date.slice(8, 10);
  return `${agencyId}-${yymmdd}-${String(sequence).padStart(4, '0')}`;
}

/** Splits a dossier code; null when it is not a well-formed code with a real date. */
export function parseDossierCode(code: string): DossierCodeParts | null {
  const match = DOSSIER_CODE_RE.exec(code.trim());
  if (!match) return null;
  const agencyId = match[1]!;
  const date = `20${match[2]!}-${match[3]!}-${match[4]!}`;
  if (!tryParseDate(date)) return null;
  const sequence = Number(match[5]!);
  if (sequence < SEQUENCE_MIN) return null;
  return { agencyId, date, sequence };
}

export interface SequenceRange {
  from: number;
  to: number;
}

/** The block of sequence numbers owned by an offline desk slot (0 … 9). */
export function reserveRange(deskSlot: number): SequenceRange {
  if (!Number.isInteger(deskSlot) || deskSlot < 0 || deskSlot >= DESK_SLOT_COUNT) {
    throw new RangeError(`Số hiệu quầy (slot) phải từ 0 đến ${DESK_SLOT_COUNT - 1}: ${deskSlot}`);
  }
  const from = RESERVE_FROM + deskSlot * RESERVE_BLOCK_SIZE;
  return { from, to: from + RESERVE_BLOCK_SIZE - 1 };
}

/** The desk slot whose offline block holds a sequence number, or null for a leasable number. */
export function deskSlotOfSequence(sequence: number): number | null {
  if (!Number.isInteger(sequence) || sequence < RESERVE_FROM || sequence > SEQUENCE_MAX) return null;
  return Math.floor((sequence - RESERVE_FROM) / RESERVE_BLOCK_SIZE);
}

/** Whether the provincial system may lease this number to an online desk. */
export function isLeasableSequence(sequence: number): boolean {
  return Number.isInteger(sequence) && sequence >= SEQUENCE_MIN && sequence <= LEASABLE_MAX;
}

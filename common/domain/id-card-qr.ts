/**
 * The QR code on the chip ID card (CCCD gắn chip), DOMAIN.md §3. UTF-8 text, fields separated
 * by `|`:
 *   7 fields: ID(12) | old ID (9 digits or empty) | full name | birth ddMMyyyy | Nam/Nữ | address | issue ddMMyyyy
 *   6 fields: the same without the old ID.
 * Dates may also be written dd/MM/yyyy. What cannot be read is set to null and named in
 * `unread`; nothing is guessed. Only an unusable payload (no valid ID, wrong field count, no
 * name) is rejected.
 */
import { formatCivilDate, isValidCivilDate } from './local-date';
import { checkOldIdNumber, checkPersonalId, type PersonalIdOptions, type Sex } from './personal-id';
import { foldVietnamese, tidyText } from './text-normalise';

export interface IdCardData {
  personalId: string;
  oldIdNumber: string | null;
  fullName: string;
  /** `YYYY-MM-DD` */
  birthDate: string | null;
  sex: Sex | null;
  address: string | null;
  /** `YYYY-MM-DD` */
  issueDate: string | null;
}

export type IdCardField = Exclude<keyof IdCardData, 'personalId' | 'fullName'>;

export type IdCardQrResult =
  | { ok: true; card: IdCardData; unread: IdCardField[]; warnings: string[] }
  | { ok: false; reason: string };

const FIELD_LABELS: Record<IdCardField, string> = {
  oldIdNumber: 'số CMND cũ',
  birthDate: 'ngày sinh',
  sex: 'giới tính',
  address: 'nơi thường trú',
  issueDate: 'ngày cấp',
};

/** Cheap test for a keyboard-wedge scan typed into an ID field: 12 digits then `|`. */
export function looksLikeIdCardQr(s: string): boolean {
  return /^\d{12}\|/u.test(s.replace(/^\uFEFF/u, '').trimStart());
}

/** `ddMMyyyy` or `dd/MM/yyyy` → `YYYY-MM-DD`; null when absent, malformed or impossible. */
export function parseCardDate(text: string): string | null {
  const match = /^(\d{2})\/?(\d{2})\/?(\d{4})$/u.exec(text.trim());
  if (!match) return null;
  // Either both separators or none.
  if (text.trim().length !== 8 && text.trim().length !== 10) return null;
  const day = Number(match[1]);
  const month = Number(match[2]);
  const year = Number(match[3]);
  if (!isValidCivilDate(year, month, day)) return null;
  return formatCivilDate({ year, month, day });
}

function parseSex(text: string): Sex | null {
  const folded = foldVietnamese(text);
  if (folded === 'nam') return 'Nam';
  if (folded === 'nu') return 'Nữ';
  return null;
}

export function parseIdCardQr(payload: string, options: PersonalIdOptions = {}): IdCardQrResult {
  const text = payload.replace(/^\uFEFF/u, '').replace(/[\r\n]+$/u, '');
  if (text.trim() === '') return { ok: false, reason: 'Mã QR trống.' };
  const fields = text.split('|');
  const idField = fields[0]!.trim();
  const idCheck = checkPersonalId(idField, options);
  if (!idCheck.ok) {
    return { ok: false, reason: `Mã QR không phải của thẻ căn cước: trường đầu tiên không phải số định danh hợp lệ (${idCheck.reason})` };
  }
  if (fields.length !== 6 && fields.length !== 7) {
    return {
      ok: false,
      reason: `Mã QR có ${fields.length} trường, cần 7 (hoặc 6 khi không có số CMND cũ): định dạng thẻ này chưa được hỗ trợ.`,
    };
  }
  const hasOldId = fields.length === 7;
  const [oldIdField, nameField, birthField, sexField, addressField, issueField] = (
    hasOldId ? fields.slice(1) : ['', ...fields.slice(1)]
  ) as [string, string, string, string, string, string];

  const fullName = tidyText(nameField);
  if (fullName === '') return { ok: false, reason: 'Mã QR không có họ và tên.' };

  const unread: IdCardField[] = [];
  const warnings: string[] = [...idCheck.warnings];

  let oldIdNumber: string | null = null;
  if (oldIdField.trim() !== '') {
    const oldCheck = checkOldIdNumber(oldIdField);
    if (oldCheck.ok) oldIdNumber = oldCheck.id;
    else unread.push('oldIdNumber');
  }

  const birthDate = parseCardDate(birthField);
  if (birthDate === null) unread.push('birthDate');
  const sex = parseSex(sexField);
  if (sex === null) unread.push('sex');
  const addressText = tidyText(addressField);
  const address = addressText === '' ? null : addressText;
  if (address === null) unread.push('address');
  const issueDate = parseCardDate(issueField);
  if (issueDate === null) unread.push('issueDate');

  for (const field of unread) {
    const raw = { oldIdNumber: oldIdField, birthDate: birthField, sex: sexField, address: addressField, issueDate: issueField }[field].trim();
    warnings.push(raw === '' ? `Không có ${FIELD_LABELS[field]} trong mã QR.` : `Không đọc được ${FIELD_LABELS[field]}: "${raw}".`);
  }
  if (birthDate !== null && issueDate !== null && issueDate < birthDate) {
    warnings.push('Ngày cấp trước ngày sinh: kiểm tra lại thẻ.');
  }
  const legacy = idCheck.legacy;
  if (legacy && sex !== null && legacy.sex !== sex) {
    warnings.push(`Giới tính trên thẻ (${sex}) khác giới tính theo cấu trúc cũ của số định danh (${legacy.sex}).`);
  }
  if (legacy && birthDate !== null && Number(birthDate.slice(0, 4)) !== legacy.birthYear) {
    warnings.push(`Năm sinh trên thẻ (${birthDate.slice(0, 4)}) khác năm sinh theo cấu trúc cũ của số định danh (${legacy.birthYear}).`);
  }

  return {
    ok: true,
    card: { personalId: idCheck.id, oldIdNumber, fullName, birthDate, sex, address, issueDate },
    unread,
    warnings,
  };
}

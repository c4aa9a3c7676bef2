/**
 * Identity numbers typed or scanned at the desk (DOMAIN.md §3): the 12-digit personal ID, the
 * 9-digit old ID (CMND) and organisation identifiers. Only the shape decides validity; the old
 * structure of the personal ID is decoded to word warnings, never to reject a number.
 */
import { isAgencyId } from './dossier-code';
import { LEGACY_BIRTH_PROVINCES } from './legacy-province-codes';

export type Sex = 'Nam' | 'Nữ';

export interface LegacyIdStructure {
  /** 3-digit birth-registration province code of the old structure. */
  provinceCode: string;
  /** Century of birth as ordinals: 20 = 1900-1999, 21 = 2000-2099, … 24 = 2300-2399. */
  century: number;
  sex: Sex;
  birthYear: number;
}

export type PersonalIdCheck =
  | { ok: true; id: string; warnings: string[]; legacy: LegacyIdStructure | null }
  | { ok: false; reason: string };

export type OldIdCheck = { ok: true; id: string; warnings: string[] } | { ok: false; reason: string };

export type OrganisationCodeKind = 'tax-code' | 'branch-tax-code' | 'agency-id';

export type OrganisationCodeCheck =
  | { ok: true; id: string; kind: OrganisationCodeKind; warnings: string[] }
  | { ok: false; reason: string };

export interface PersonalIdOptions {
  /** The current year (Vietnam time) for the "birth year in the future" warning. */
  currentYear?: number;
}

function vietnamYearNow(): number {
  return new Date(Date.now() + 7 * 3_600_000).getUTCFullYear();
}

function firstNonDigit(s: string): string | null {
  const match = /[^0-9]/u.exec(s);
  return match ? match[0] : null;
}

function digitsOnlyReason(label: string, s: string, length: number): string | null {
  if (s === '') return `Chưa nhập ${label}.`;
  const bad = firstNonDigit(s);
  if (bad !== null) {
    const shown = /\s/u.test(bad) ? 'dấu cách' : `"${bad}"`;
    return `${capitalise(label)} chỉ gồm chữ số (có ký tự không hợp lệ: ${shown}).`;
  }
  if (s.length !== length) return `${capitalise(label)} phải gồm đúng ${length} chữ số (đang có ${s.length}).`;
  return null;
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/**
 * Decodes the old structure: 3-digit province, a century/sex digit (0/1 → 1900s male/female,
 * 2/3 → 2000s, 4/5 → 2100s, 6/7 → 2200s, 8/9 → 2300s), 2-digit birth year, 6 random digits.
 */
export function decodeLegacyStructure(id: string): LegacyIdStructure {
  const centuryDigit = Number(id[3]);
  const centuryIndex = Math.floor(centuryDigit / 2);
  return {
    provinceCode: id.slice(0, 3),
    century: 20 + centuryIndex,
    sex: centuryDigit % 2 === 0 ? 'Nam' : 'Nữ',
    birthYear: 1900 + centuryIndex * 100 + Number(id.slice(4, 6)),
  };
}

/** Checks a 12-digit personal ID (số định danh cá nhân / CCCD). */
export function checkPersonalId(input: string, options: PersonalIdOptions = {}): PersonalIdCheck {
  const id = input.trim();
  const reason = digitsOnlyReason('số định danh cá nhân', id, 12);
  if (reason !== null) return { ok: false, reason };
  const legacy = decodeLegacyStructure(id);
  const warnings: string[] = [];
  const province = LEGACY_BIRTH_PROVINCES[legacy.provinceCode];
  if (province === undefined) {
    warnings.push(
      `Mã nơi đăng ký khai sinh "${legacy.provinceCode}" không có trong danh mục 63 tỉnh cũ (cấu trúc cũ chỉ để tham khảo).`,
    );
  }
  const currentYear = options.currentYear ?? vietnamYearNow();
  if (legacy.birthYear > currentYear) {
    warnings.push(`Năm sinh theo cấu trúc cũ (${legacy.birthYear}) ở tương lai: kiểm tra lại số định danh.`);
  }
  return { ok: true, id, warnings, legacy };
}

/** Checks a 9-digit old ID number (CMND). */
export function checkOldIdNumber(input: string): OldIdCheck {
  const id = input.trim();
  const reason = digitsOnlyReason('số CMND', id, 9);
  if (reason !== null) return { ok: false, reason };
  return { ok: true, id, warnings: [] };
}

/**
 * Checks an organisation identifier: a tax / enterprise code (10 digits), a branch code
 * (10 digits, "-", 3 digits) or an agency electronic identifier (`000.00.12.H56`).
 * No check digit is verified.
 */
export function checkOrganisationCode(input: string): OrganisationCodeCheck {
  const id = input.trim().toUpperCase();
  if (id === '') return { ok: false, reason: 'Chưa nhập mã số thuế / mã doanh nghiệp / mã cơ quan.' };
  if (/^\d{10}$/.test(id)) return { ok: true, id, kind: 'tax-code', warnings: [] };
  if (/^\d{10}-\d{3}$/.test(id)) return { ok: true, id, kind: 'branch-tax-code', warnings: [] };
  if (isAgencyId(id)) return { ok: true, id, kind: 'agency-id', warnings: [] };
  if (/^\d{13}$/.test(id)) {
    return { ok: false, reason: `Mã số thuế đơn vị phụ thuộc viết dạng 10 chữ số, dấu "-" và 3 chữ số (ví dụ ${id.slice(0, 10)}-${id.slice(10)}).` };
  }
  if (/^\d{12}$/.test(id)) {
    return { ok: false, reason: 'Mã gồm 12 chữ số là số định danh cá nhân, không phải mã tổ chức.' };
  }
  if (/^\d+$/.test(id)) {
    return { ok: false, reason: `Mã số thuế / mã doanh nghiệp phải gồm đúng 10 chữ số (đang có ${id.length}).` };
  }
  return {
    ok: false,
    reason: 'Mã tổ chức phải là mã số thuế / mã doanh nghiệp (10 chữ số, hoặc 10 chữ số-3 chữ số) hoặc mã định danh cơ quan (ví dụ 000.00.12.H56).',
  };
}

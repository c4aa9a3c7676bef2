/**
 * Identity numbers typed or scanned at the desk (docs/domain.md §2): the 12-digit personal ID, the
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

/**
 * Why an identifier was refused, as a stable code with its details; the screen words it (locale
 * keys `personalId.*`), the core through `personalIdProblemVi` (`personal-id-text-vi.ts`).
 * `expected` is the number of digits the kind of ID has (12 personal ID, 9 old ID).
 */
export type IdDigitsProblem =
  | { code: 'ID_EMPTY'; expected: number }
  /** `char`: the first character that is not a digit, ' ' for any space. */
  | { code: 'ID_NOT_DIGITS'; expected: number; char: string }
  | { code: 'ID_LENGTH'; expected: number; length: number };

export type OrganisationCodeProblem =
  | { code: 'ORG_EMPTY' }
  /** 13 digits without the dash: `suggestion` is the same code written `0123456789-001`. */
  | { code: 'ORG_BRANCH_DASH'; suggestion: string }
  | { code: 'ORG_IS_PERSONAL_ID' }
  | { code: 'ORG_LENGTH'; length: number }
  | { code: 'ORG_FORMAT' };

export type PersonalIdProblem = IdDigitsProblem | OrganisationCodeProblem;

/**
 * The old structure of a valid personal ID that is worth a second look; never a refusal. The
 * same codes and details as the ID card QR's warnings of that name (`IdCardQrWarning`).
 */
export type PersonalIdWarning =
  /** The ID's first three digits are not a birth-registration province of the old structure. */
  { code: 'LEGACY_PROVINCE_UNKNOWN'; provinceCode: string } | { code: 'LEGACY_BIRTH_YEAR_FUTURE'; idYear: number };

export type PersonalIdCheck =
  | { ok: true; id: string; warnings: PersonalIdWarning[]; legacy: LegacyIdStructure | null }
  | { ok: false; problem: IdDigitsProblem };

export type OldIdCheck = { ok: true; id: string } | { ok: false; problem: IdDigitsProblem };

export type OrganisationCodeKind = 'tax-code' | 'branch-tax-code' | 'agency-id';

export type OrganisationCodeCheck =
  { ok: true; id: string; kind: OrganisationCodeKind } | { ok: false; problem: OrganisationCodeProblem };

export interface PersonalIdOptions {
  /** The current year (Vietnam time) for the "birth year in the future" warning. */
  currentYear?: number;
}

/** The year in Vietnam (UTC+7) now, for the "birth year in the future" warning. */
export function vietnamYearNow(): number {
  return new Date(Date.now() + 7 * 3_600_000).getUTCFullYear();
}

function digitsProblem(s: string, expected: number): IdDigitsProblem | null {
  if (s === '') return { code: 'ID_EMPTY', expected };
  const bad = /[^0-9]/u.exec(s);
  if (bad !== null) return { code: 'ID_NOT_DIGITS', expected, char: /\s/u.test(bad[0]) ? ' ' : bad[0] };
  if (s.length !== expected) return { code: 'ID_LENGTH', expected, length: s.length };
  return null;
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
  const problem = digitsProblem(id, 12);
  if (problem !== null) return { ok: false, problem };
  const legacy = decodeLegacyStructure(id);
  const warnings: PersonalIdWarning[] = [];
  if (LEGACY_BIRTH_PROVINCES[legacy.provinceCode] === undefined) {
    warnings.push({ code: 'LEGACY_PROVINCE_UNKNOWN', provinceCode: legacy.provinceCode });
  }
  if (legacy.birthYear > (options.currentYear ?? vietnamYearNow())) {
    warnings.push({ code: 'LEGACY_BIRTH_YEAR_FUTURE', idYear: legacy.birthYear });
  }
  return { ok: true, id, warnings, legacy };
}

/** Checks a 9-digit old ID number (CMND). */
export function checkOldIdNumber(input: string): OldIdCheck {
  const id = input.trim();
  const problem = digitsProblem(id, 9);
  if (problem !== null) return { ok: false, problem };
  return { ok: true, id };
}

/**
 * Checks an organisation identifier: a tax / enterprise code (10 digits), a branch code
 * (10 digits, "-", 3 digits) or an agency electronic identifier (`000.00.12.H56`).
 * No check digit is verified.
 */
export function checkOrganisationCode(input: string): OrganisationCodeCheck {
  const id = input.trim().toUpperCase();
  if (id === '') return { ok: false, problem: { code: 'ORG_EMPTY' } };
  if (/^\d{10}$/.test(id)) return { ok: true, id, kind: 'tax-code' };
  if (/^\d{10}-\d{3}$/.test(id)) return { ok: true, id, kind: 'branch-tax-code' };
  if (isAgencyId(id)) return { ok: true, id, kind: 'agency-id' };
  if (/^\d{13}$/.test(id))
    return { ok: false, problem: { code: 'ORG_BRANCH_DASH', suggestion: `${id.slice(0, 10)}-${id.slice(10)}` } };
  if (/^\d{12}$/.test(id)) return { ok: false, problem: { code: 'ORG_IS_PERSONAL_ID' } };
  if (/^\d+$/.test(id)) return { ok: false, problem: { code: 'ORG_LENGTH', length: id.length } };
  return { ok: false, problem: { code: 'ORG_FORMAT' } };
}

export type PersonalIdProblemCode = PersonalIdProblem['code'];

/** Every problem code, for a screen that checks what a saved draft holds before wording it. */
export const PERSONAL_ID_PROBLEM_CODES: readonly PersonalIdProblemCode[] = [
  'ID_EMPTY',
  'ID_NOT_DIGITS',
  'ID_LENGTH',
  'ORG_EMPTY',
  'ORG_BRANCH_DASH',
  'ORG_IS_PERSONAL_ID',
  'ORG_LENGTH',
  'ORG_FORMAT',
];

/**
 * The QR code on the chip ID card (CCCD gắn chip); docs/architecture.md, "ID card QR". UTF-8 text, 7 fields separated
 * by `|`:
 *   ID(12) | old ID (9 digits or empty) | full name | birth ddMMyyyy | Nam/Nữ | address | issue ddMMyyyy
 * Dates may also be written dd/MM/yyyy.
 *
 * The payload is all or nothing (docs/architecture.md, "ID card QR"): a read that is not exactly
 * the card's text fills nothing, because a wrong field written over a stored person is worse
 * than a field typed by hand. Refused, with a stable problem code for the screen's message:
 * another field count, an invalid ID, an unreadable date or sex, no name or address, and text
 * that lost letters on the way (U+FFFD or `?` in place of a letter, control characters, a name
 * word without a vowel, an address word of lowercase consonants only). Text read with the wrong
 * code page (UTF-8 bytes shown as Latin-1 / Windows-1252) is repaired when the repair is exact
 * (`mojibake.ts`) and refused otherwise.
 */
import { formatCivilDate, isValidCivilDate } from './local-date';
import { repairMojibake } from './mojibake';
import {
  checkOldIdNumber,
  checkPersonalId,
  type IdDigitsProblem,
  type PersonalIdOptions,
  type PersonalIdWarning,
  type Sex,
} from './personal-id';
import { foldVietnamese, tidyText } from './text-normalise';

export interface IdCardData {
  personalId: string;
  oldIdNumber: string | null;
  fullName: string;
  /** `YYYY-MM-DD` */
  birthDate: string;
  sex: Sex;
  address: string;
  /** `YYYY-MM-DD` */
  issueDate: string;
}

/** The card fields a problem can name. */
export type IdCardField = Exclude<keyof IdCardData, 'personalId'>;

/** Why a payload was refused; the screen words it (locale keys `idCardQr.*`). */
export type IdCardQrProblem =
  | { code: 'EMPTY' }
  | { code: 'FIELD_COUNT'; count: number }
  /** `problem`: why the personal ID rule refused the first field (`personal-id.ts`). */
  | { code: 'ID_INVALID'; problem: IdDigitsProblem }
  | { code: 'GARBLED' }
  | { code: 'LOST_LETTERS'; field: IdCardField | null }
  | { code: 'FIELD_MISSING'; field: IdCardField }
  | { code: 'FIELD_INVALID'; field: IdCardField; text: string };

/**
 * Something on an accepted card worth a second look, with what it concerns; the screen words it
 * (locale keys `idCardQr.warnings.*`). The old ID structure (`LEGACY_*`) is only a reference:
 * it never changes the card's data.
 */
export type IdCardQrWarning =
  /** Dates `YYYY-MM-DD`. */
  | { code: 'ISSUE_BEFORE_BIRTH'; issueDate: string; birthDate: string }
  | { code: 'LEGACY_SEX_MISMATCH'; cardSex: Sex; idSex: Sex }
  | { code: 'LEGACY_BIRTH_YEAR_MISMATCH'; cardYear: number; idYear: number }
  /** `LEGACY_PROVINCE_UNKNOWN`, `LEGACY_BIRTH_YEAR_FUTURE`: the ID's own warnings. */
  | PersonalIdWarning;

export type IdCardQrWarningCode = IdCardQrWarning['code'];

export const ID_CARD_QR_WARNING_CODES: readonly IdCardQrWarningCode[] = [
  'ISSUE_BEFORE_BIRTH',
  'LEGACY_SEX_MISMATCH',
  'LEGACY_BIRTH_YEAR_MISMATCH',
  'LEGACY_PROVINCE_UNKNOWN',
  'LEGACY_BIRTH_YEAR_FUTURE',
];

export type IdCardQrResult =
  | {
      ok: true;
      card: IdCardData;
      warnings: IdCardQrWarning[];
      /** The text came in the wrong code page and was repaired. */ repaired: boolean;
    }
  | { ok: false; problem: IdCardQrProblem };

/** Letters a scan loses on the way: replacement characters, `?` for a letter, control characters. */
const LOST_TEXT = /[\uFFFD?]|\p{Cc}/u;
const VOWEL = /[aeiouy]/u;

/**
 * A name word with letters but no vowel ("L Vn Hng"): a Vietnamese syllable always has one, and
 * so do the words of minority names (the `H'` of "H'Hen" is part of its word).
 */
function nameLostLetters(name: string): boolean {
  return foldVietnamese(name)
    .split(/[\s-]+/u)
    .some((word) => /\p{L}/u.test(word) && !VOWEL.test(word));
}

/** An address word of three or more lowercase consonants ("Thn", "Bnh"); abbreviations are capitals. */
function addressLostLetters(address: string): boolean {
  return address
    .split(/[^\p{L}]+/u)
    .some((word) => [...word].length >= 3 && /\p{Ll}/u.test(word) && !VOWEL.test(foldVietnamese(word)));
}

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
  const refuse = (problem: IdCardQrProblem): IdCardQrResult => ({ ok: false, problem });
  const raw = payload.replace(/^\uFEFF/u, '').replace(/[\r\n]+$/u, '');
  if (raw.trim() === '') return refuse({ code: 'EMPTY' });
  const encoding = repairMojibake(raw);
  if (encoding.kind === 'garbled') return refuse({ code: 'GARBLED' });
  const text = encoding.text;
  const fields = text.split('|');
  if (fields.length !== 7) return refuse({ code: 'FIELD_COUNT', count: fields.length });
  const [idField, oldIdField, nameField, birthField, sexField, addressField, issueField] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const idCheck = checkPersonalId(idField.trim(), options);
  if (!idCheck.ok) return refuse({ code: 'ID_INVALID', problem: idCheck.problem });

  const texts: [IdCardField, string][] = [
    ['oldIdNumber', oldIdField],
    ['fullName', nameField],
    ['birthDate', birthField],
    ['sex', sexField],
    ['address', addressField],
    ['issueDate', issueField],
  ];
  for (const [field, value] of texts) {
    if (LOST_TEXT.test(value)) return refuse({ code: 'LOST_LETTERS', field });
  }

  const fullName = tidyText(nameField);
  if (fullName === '') return refuse({ code: 'FIELD_MISSING', field: 'fullName' });
  if (nameLostLetters(fullName)) return refuse({ code: 'LOST_LETTERS', field: 'fullName' });

  let oldIdNumber: string | null = null;
  if (oldIdField.trim() !== '') {
    const oldCheck = checkOldIdNumber(oldIdField);
    if (!oldCheck.ok) return refuse({ code: 'FIELD_INVALID', field: 'oldIdNumber', text: oldIdField.trim() });
    oldIdNumber = oldCheck.id;
  }
  const birthDate = parseCardDate(birthField);
  if (birthDate === null)
    return refuse(
      birthField.trim() === ''
        ? { code: 'FIELD_MISSING', field: 'birthDate' }
        : { code: 'FIELD_INVALID', field: 'birthDate', text: birthField.trim() },
    );
  const sex = parseSex(sexField);
  if (sex === null)
    return refuse(
      sexField.trim() === ''
        ? { code: 'FIELD_MISSING', field: 'sex' }
        : { code: 'FIELD_INVALID', field: 'sex', text: sexField.trim() },
    );
  const address = tidyText(addressField);
  if (address === '') return refuse({ code: 'FIELD_MISSING', field: 'address' });
  if (addressLostLetters(address)) return refuse({ code: 'LOST_LETTERS', field: 'address' });
  const issueDate = parseCardDate(issueField);
  if (issueDate === null)
    return refuse(
      issueField.trim() === ''
        ? { code: 'FIELD_MISSING', field: 'issueDate' }
        : { code: 'FIELD_INVALID', field: 'issueDate', text: issueField.trim() },
    );

  const warnings: IdCardQrWarning[] = [...idCheck.warnings];
  const legacy = idCheck.legacy;
  if (issueDate < birthDate) warnings.push({ code: 'ISSUE_BEFORE_BIRTH', issueDate, birthDate });
  if (legacy && legacy.sex !== sex) warnings.push({ code: 'LEGACY_SEX_MISMATCH', cardSex: sex, idSex: legacy.sex });
  const cardYear = Number(birthDate.slice(0, 4));
  if (legacy && cardYear !== legacy.birthYear)
    warnings.push({ code: 'LEGACY_BIRTH_YEAR_MISMATCH', cardYear, idYear: legacy.birthYear });

  return {
    ok: true,
    card: { personalId: idCheck.id, oldIdNumber, fullName, birthDate, sex, address, issueDate },
    warnings,
    repaired: encoding.kind === 'repaired',
  };
}

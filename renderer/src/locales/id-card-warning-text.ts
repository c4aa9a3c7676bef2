import { ID_CARD_QR_WARNING_CODES, type IdCardQrWarning } from '../../../common/domain';
import { formatDate } from '../format/format';

type Translate = (key: string, named?: Record<string, unknown>) => string;

function isWarning(value: unknown): value is IdCardQrWarning {
  if (typeof value !== 'object' || value === null) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && (ID_CARD_QR_WARNING_CODES as readonly string[]).includes(code);
}

/**
 * An ID card QR warning (`parseIdCardQr`) in words, from `idCardQr.warnings.*` with its details
 * (dates as dd/mm/yyyy, sex in the screen's language). Anything else (a sentence kept in a draft
 * saved by an older version) reads as '' and is not shown.
 */
export function idCardWarningText(warning: unknown, t: Translate): string {
  if (!isWarning(warning)) return '';
  const sex = (s: 'Nam' | 'Nữ') => t(s === 'Nam' ? 'person.male' : 'person.female');
  switch (warning.code) {
    case 'ISSUE_BEFORE_BIRTH':
      return t('idCardQr.warnings.ISSUE_BEFORE_BIRTH', {
        issueDate: formatDate(warning.issueDate),
        birthDate: formatDate(warning.birthDate),
      });
    case 'LEGACY_SEX_MISMATCH':
      return t('idCardQr.warnings.LEGACY_SEX_MISMATCH', { cardSex: sex(warning.cardSex), idSex: sex(warning.idSex) });
    case 'LEGACY_BIRTH_YEAR_MISMATCH':
      return t('idCardQr.warnings.LEGACY_BIRTH_YEAR_MISMATCH', { cardYear: warning.cardYear, idYear: warning.idYear });
    case 'LEGACY_PROVINCE_UNKNOWN':
      return t('idCardQr.warnings.LEGACY_PROVINCE_UNKNOWN', { provinceCode: warning.provinceCode });
    case 'LEGACY_BIRTH_YEAR_FUTURE':
      return t('idCardQr.warnings.LEGACY_BIRTH_YEAR_FUTURE', { idYear: warning.idYear });
  }
}

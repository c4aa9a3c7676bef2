import { PERSONAL_ID_PROBLEM_CODES, type PersonalIdProblem } from '../../../common/domain';

type Translate = (key: string, named?: Record<string, unknown>) => string;

function isProblem(value: unknown): value is PersonalIdProblem {
  if (typeof value !== 'object' || value === null) return false;
  const code = (value as { code?: unknown }).code;
  return typeof code === 'string' && (PERSONAL_ID_PROBLEM_CODES as readonly string[]).includes(code);
}

/**
 * Why an identifier was refused (`checkPersonalId`, `checkOldIdNumber`, `checkOrganisationCode`)
 * in words, from `personalId.*` with its details. Anything else (a sentence kept in a draft saved
 * by an older version) reads as ''.
 */
export function personalIdProblemText(problem: unknown, t: Translate): string {
  if (!isProblem(problem)) return '';
  switch (problem.code) {
    case 'ID_EMPTY':
    case 'ID_NOT_DIGITS':
    case 'ID_LENGTH': {
      const label = t(problem.expected === 9 ? 'personalId.oldIdLabel' : 'personalId.personalIdLabel');
      if (problem.code === 'ID_EMPTY') return t('personalId.ID_EMPTY', { label });
      if (problem.code === 'ID_LENGTH')
        return t('personalId.ID_LENGTH', { label, expected: problem.expected, length: problem.length });
      if (problem.char === ' ') return t('personalId.ID_NOT_DIGITS_SPACE', { label });
      return t('personalId.ID_NOT_DIGITS', { label, char: problem.char });
    }
    case 'ORG_BRANCH_DASH':
      return t('personalId.ORG_BRANCH_DASH', { suggestion: problem.suggestion });
    case 'ORG_LENGTH':
      return t('personalId.ORG_LENGTH', { length: problem.length });
    case 'ORG_EMPTY':
    case 'ORG_IS_PERSONAL_ID':
    case 'ORG_FORMAT':
      return t(`personalId.${problem.code}`);
  }
}

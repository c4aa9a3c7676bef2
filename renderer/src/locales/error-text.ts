import type { UiError, UiIssue } from '../stores/ui-error';
import { TEXT_SAFETY_PROBLEMS } from '../../../common/domain/text-safety';

type Translate = (key: string, named?: Record<string, unknown>) => string;
type Exists = (key: string) => boolean;

export function fieldLabel(key: string, t: Translate, te: Exists): string {
  if (te(`fields.${key}`)) return t(`fields.${key}`);
  const last = key.split('_').pop() ?? key;
  return te(`fields.${last}`) ? t(`fields.${last}`) : key;
}

/**
 * The locale's message for a code that arrived as plain text (a device fault, a job result). Never
 * the English `message` beside it: an unknown code reads as the internal-error message.
 */
export function codeText(code: string, t: Translate, te: Exists): string {
  return te(`errors.${code}`) ? t(`errors.${code}`) : t('errors.INTERNAL');
}

/** One field problem in words: "Giá trị quá lớn (tối đa 9)", "Chưa nhập", "Sai định dạng". */
export function issueText(issue: UiIssue, t: Translate): string {
  const limit = issue.limit ?? '';
  const exclusive = issue.inclusive === false;
  switch (issue.code) {
    case 'too_big':
      if (issue.origin === 'string') return t('issue.tooLong', { limit });
      if (issue.origin === 'array' || issue.origin === 'set') return t('issue.tooMany', { limit });
      return t(exclusive ? 'issue.tooBigExclusive' : 'issue.tooBig', { limit });
    case 'too_small':
      if (issue.origin === 'string') return issue.limit === 1 ? t('issue.required') : t('issue.tooShort', { limit });
      if (issue.origin === 'array' || issue.origin === 'set') return t('issue.tooFew', { limit });
      return t(exclusive ? 'issue.tooSmallExclusive' : 'issue.tooSmall', { limit });
    case 'invalid_type':
      return t('issue.invalidType');
    case 'invalid_format':
      return t('issue.invalidFormat');
    case 'invalid_value':
    case 'invalid_union':
      return t('issue.invalidValue');
    case 'unrecognized_keys':
      return t('issue.unrecognized');
    case 'custom':
      return issue.problem !== undefined && TEXT_SAFETY_PROBLEMS.has(issue.problem)
        ? t(`textSafety.${issue.problem}`)
        : t('issue.other');
    default:
      return t('issue.other');
  }
}

/** The Vietnamese (or English) sentence for an error: the code's message, then what it concerns. */
export function errorText(error: UiError, t: Translate, te: Exists): string {
  const message = t(`errors.${error.code}`);
  if (error.component) return t('errorText.component', { message, name: error.component });
  if (error.issues?.length) {
    const issues = error.issues
      .map((i) =>
        t('errorText.issue', {
          field: i.field === '' ? t('errorText.wholeRequest') : fieldLabel(i.field, t, te),
          problem: issueText(i, t),
        }),
      )
      .join('; ');
    return t('errorText.issues', { message, issues });
  }
  if (error.fields?.length) {
    const fields = [...new Set(error.fields.map((f) => fieldLabel(f, t, te)))].join(', ');
    return t('errorText.fields', { message, fields });
  }
  return message;
}

/**
 * A signature check's problem code (`VERIFY_PROBLEMS`) in words. Anything else (an old answer
 * carrying a library's English sentence) reads as "unknown problem", never as itself.
 */
export function verifyProblemText(problem: string | null | undefined, t: Translate, te: Exists): string {
  if (problem === null || problem === undefined || problem === '') return '';
  return te(`verify.problems.${problem}`) ? t(`verify.problems.${problem}`) : t('verify.problems.UNKNOWN');
}

/**
 * A failure the core keeps as one line of text (`SCANNER_JAM: …`, `gave up after 3 attempts:
 * REMOTE_TIMEOUT: …`): the first stable code in it that the locale words, else null. The rest of
 * the line (a library's or a remote's English) is never shown.
 */
export function knownCodeIn(
  text: string | null | undefined,
  te: Exists,
  groups: readonly string[] = ['errors'],
): string | null {
  if (!text) return null;
  for (const match of text.matchAll(/\b[A-Z][A-Z0-9_]{2,}\b/gu)) {
    if (groups.some((group) => te(`${group}.${match[0]}`))) return match[0];
  }
  return null;
}

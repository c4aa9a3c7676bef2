import { describe, expect, it } from 'vitest';
import { PERSONAL_ID_PROBLEM_CODES, personalIdProblemVi, type PersonalIdProblem } from '../../../common/domain';
import { createAppI18n } from './index';
import { personalIdProblemText } from './personal-id-text';

const SAMPLES: PersonalIdProblem[] = [
  { code: 'ID_EMPTY', expected: 12 },
  { code: 'ID_EMPTY', expected: 9 },
  { code: 'ID_NOT_DIGITS', expected: 12, char: 'A' },
  { code: 'ID_NOT_DIGITS', expected: 9, char: ' ' },
  { code: 'ID_LENGTH', expected: 12, length: 11 },
  { code: 'ID_LENGTH', expected: 9, length: 8 },
  { code: 'ORG_EMPTY' },
  { code: 'ORG_BRANCH_DASH', suggestion: '0101234567-001' },
  { code: 'ORG_IS_PERSONAL_ID' },
  { code: 'ORG_LENGTH', length: 9 },
  { code: 'ORG_FORMAT' },
];

function translator(locale: 'vi' | 'en') {
  const { t, te } = createAppI18n(locale).global;
  return { t: (key: string, named?: Record<string, unknown>) => t(key, named ?? {}), te: (key: string) => te(key) };
}

describe('personalIdProblemText', () => {
  it('covers every problem code', () => {
    expect([...new Set(SAMPLES.map((p) => p.code))].sort()).toEqual([...PERSONAL_ID_PROBLEM_CODES].sort());
  });

  it.each(['vi', 'en'] as const)('words every problem in %s with its details, never a raw key', (locale) => {
    const { t } = translator(locale);
    for (const problem of SAMPLES) {
      const text = personalIdProblemText(problem, t);
      expect(text, problem.code).toMatch(/^\p{Lu}.+\.$/u);
      expect(text).not.toContain('personalId.');
      if ('length' in problem) expect(text).toContain(String(problem.length));
      if ('suggestion' in problem) expect(text).toContain(problem.suggestion);
    }
  });

  it("English has no Vietnamese letters; Vietnamese matches the core's table where the wording is the same", () => {
    const en = translator('en').t;
    const vi = translator('vi').t;
    for (const problem of SAMPLES)
      expect(personalIdProblemText(problem, en)).not.toMatch(/[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]/u);
    for (const problem of SAMPLES.filter((p) => p.code.startsWith('ORG_'))) {
      expect(personalIdProblemText(problem, vi)).toBe(personalIdProblemVi(problem));
    }
  });

  it('a sentence or an unknown code kept by an older version reads as nothing', () => {
    const { t } = translator('vi');
    expect(personalIdProblemText('Chưa nhập số định danh cá nhân.', t)).toBe('');
    expect(personalIdProblemText({ code: 'SOMETHING_ELSE' }, t)).toBe('');
    expect(personalIdProblemText(null, t)).toBe('');
  });
});

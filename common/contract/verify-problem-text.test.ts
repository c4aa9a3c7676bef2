import { describe, expect, it } from 'vitest';
import { VERIFY_PROBLEMS } from './signing';
import { VERIFY_PROBLEM_TEXT_VI, verifyProblemTextVi } from './verify-problem-text';

describe('verifyProblemTextVi', () => {
  it('words every problem code, each differently, none of them the code itself', () => {
    const texts = VERIFY_PROBLEMS.map((problem) => verifyProblemTextVi(problem));
    for (const [i, text] of texts.entries()) {
      expect(text).not.toBe('');
      expect(text).not.toBe(VERIFY_PROBLEM_TEXT_VI.UNKNOWN);
      expect(text).not.toContain(VERIFY_PROBLEMS[i]);
    }
    expect(new Set(texts).size).toBe(VERIFY_PROBLEMS.length);
    expect(Object.keys(VERIFY_PROBLEM_TEXT_VI).sort()).toEqual([...VERIFY_PROBLEMS, 'UNKNOWN'].sort());
  });

  it('has no text for no problem, and never echoes an unknown value', () => {
    expect(verifyProblemTextVi(undefined)).toBe('');
    expect(verifyProblemTextVi(null)).toBe('');
    expect(verifyProblemTextVi('')).toBe('');
    for (const other of ['Failed to parse PDF document', 'digest_mismatch', 'constructor', 'toString', '__proto__']) {
      expect(verifyProblemTextVi(other)).toBe('lỗi không xác định khi kiểm tra');
    }
  });

  it('keeps vue-i18n reserved characters out, since the Vietnamese locale uses these texts', () => {
    for (const text of Object.values(VERIFY_PROBLEM_TEXT_VI)) expect(text).not.toMatch(/[@$|{}]/u);
  });
});

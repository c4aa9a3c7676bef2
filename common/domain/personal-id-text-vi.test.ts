import { describe, expect, it } from 'vitest';
import {
  checkOldIdNumber,
  checkOrganisationCode,
  checkPersonalId,
  PERSONAL_ID_PROBLEM_CODES,
  type PersonalIdProblem,
} from './personal-id';
import { personalIdProblemVi } from './personal-id-text-vi';

function problemOf(check: { ok: true } | { ok: false; problem: PersonalIdProblem }): PersonalIdProblem {
  if (check.ok) throw new Error('expected a refusal');
  return check.problem;
}

describe('personalIdProblemVi: the core words a refused identifier in Vietnamese', () => {
  it.each([
    [checkPersonalId('07909000123'), 'Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 11).'],
    [checkPersonalId('079 090 001 234'), 'Số định danh cá nhân chỉ gồm chữ số (có ký tự không hợp lệ: dấu cách).'],
    [checkPersonalId('07909000123A'), 'Số định danh cá nhân chỉ gồm chữ số (có ký tự không hợp lệ: "A").'],
    [checkPersonalId(''), 'Chưa nhập số định danh cá nhân.'],
    [checkOldIdNumber('12345678'), 'Số CMND phải gồm đúng 9 chữ số (đang có 8).'],
    [checkOldIdNumber(''), 'Chưa nhập số CMND.'],
    [checkOrganisationCode('010123456'), 'Mã số thuế / mã doanh nghiệp phải gồm đúng 10 chữ số (đang có 9).'],
    [
      checkOrganisationCode('0101234567001'),
      'Mã số thuế đơn vị phụ thuộc viết dạng 10 chữ số, dấu "-" và 3 chữ số (ví dụ 0101234567-001).',
    ],
    [checkOrganisationCode('079090001234'), 'Mã gồm 12 chữ số là số định danh cá nhân, không phải mã tổ chức.'],
    [
      checkOrganisationCode('000.00.12'),
      'Mã tổ chức phải là mã số thuế / mã doanh nghiệp (10 chữ số, hoặc 10 chữ số-3 chữ số) hoặc mã định danh cơ quan (ví dụ 000.00.12.H56).',
    ],
    [checkOrganisationCode(' '), 'Chưa nhập mã số thuế / mã doanh nghiệp / mã cơ quan.'],
  ])('%j → %s', (check, text) => {
    expect(personalIdProblemVi(problemOf(check))).toBe(text);
  });

  it('has a sentence for every problem code', () => {
    const samples: PersonalIdProblem[] = [
      { code: 'ID_EMPTY', expected: 12 },
      { code: 'ID_NOT_DIGITS', expected: 12, char: 'x' },
      { code: 'ID_LENGTH', expected: 12, length: 3 },
      { code: 'ORG_EMPTY' },
      { code: 'ORG_BRANCH_DASH', suggestion: '0101234567-001' },
      { code: 'ORG_IS_PERSONAL_ID' },
      { code: 'ORG_LENGTH', length: 9 },
      { code: 'ORG_FORMAT' },
    ];
    expect(samples.map((p) => p.code).sort()).toEqual([...PERSONAL_ID_PROBLEM_CODES].sort());
    for (const p of samples) expect(personalIdProblemVi(p)).toMatch(/^\p{Lu}.+\.$/u);
  });
});

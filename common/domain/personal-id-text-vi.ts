/**
 * The core's one table of Vietnamese sentences for an identifier's problem (`personal-id.ts`):
 * the message of a `PERSONAL_ID_INVALID` / `ORGANISATION_CODE_INVALID` / `COLLECTOR_ID_INVALID`
 * error and any command-line output. The screens word the same codes from the locale files
 * (`personalId.*`), so the two should say the same thing.
 */
import type { PersonalIdProblem } from './personal-id';

function idLabel(expected: number): string {
  return expected === 9 ? 'Số CMND' : 'Số định danh cá nhân';
}

export function personalIdProblemVi(problem: PersonalIdProblem): string {
  switch (problem.code) {
    case 'ID_EMPTY':
      return problem.expected === 9 ? 'Chưa nhập số CMND.' : 'Chưa nhập số định danh cá nhân.';
    case 'ID_NOT_DIGITS':
      return `${idLabel(problem.expected)} chỉ gồm chữ số (có ký tự không hợp lệ: ${problem.char === ' ' ? 'dấu cách' : `"${problem.char}"`}).`;
    case 'ID_LENGTH':
      return `${idLabel(problem.expected)} phải gồm đúng ${problem.expected} chữ số (đang có ${problem.length}).`;
    case 'ORG_EMPTY':
      return 'Chưa nhập mã số thuế / mã doanh nghiệp / mã cơ quan.';
    case 'ORG_BRANCH_DASH':
      return `Mã số thuế đơn vị phụ thuộc viết dạng 10 chữ số, dấu "-" và 3 chữ số (ví dụ ${problem.suggestion}).`;
    case 'ORG_IS_PERSONAL_ID':
      return 'Mã gồm 12 chữ số là số định danh cá nhân, không phải mã tổ chức.';
    case 'ORG_LENGTH':
      return `Mã số thuế / mã doanh nghiệp phải gồm đúng 10 chữ số (đang có ${problem.length}).`;
    case 'ORG_FORMAT':
      return 'Mã tổ chức phải là mã số thuế / mã doanh nghiệp (10 chữ số, hoặc 10 chữ số-3 chữ số) hoặc mã định danh cơ quan (ví dụ 000.00.12.H56).';
  }
}

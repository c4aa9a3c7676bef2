import type { VerifyProblem } from './signing';

/**
 * The Vietnamese words for each signature-verification problem (`VERIFY_PROBLEMS`), written once:
 * the Vietnamese locale uses them as `verify.problems` (the screen) and the `verify` command prints
 * them. `UNKNOWN` stands for anything that is not a known code (e.g. an older answer carrying a
 * library's English sentence), which is never shown as itself. The English locale has its own words.
 */
export const VERIFY_PROBLEM_TEXT_VI = {
  PDF_UNREADABLE: 'tệp không phải PDF hoặc bị hỏng',
  BYTE_RANGE_MALFORMED: 'vùng dữ liệu được ký (/ByteRange) sai cấu trúc',
  CMS_UNREADABLE: 'khối chữ ký hỏng, không đọc được',
  NO_SIGNER_INFO: 'khối chữ ký không có thông tin người ký',
  SIGNER_CERTIFICATE_MISSING: 'chứng thư của người ký không có trong chữ ký',
  DIGEST_UNSUPPORTED: 'thuật toán băm không được hỗ trợ',
  NO_SIGNED_CONTENT: 'không có nội dung được ký để kiểm tra',
  NO_SIGNED_ATTRIBUTES: 'chữ ký thiếu các thuộc tính được ký',
  DIGEST_MISMATCH: 'nội dung tệp đã bị thay đổi sau khi ký (mã băm không khớp)',
  SIGNATURE_INVALID: 'giá trị chữ ký không đúng với chứng thư của người ký',
  NO_TRUST_ANCHORS: 'chưa có CA tin cậy nào để đối chiếu',
  CHAIN_INCOMPLETE: 'chuỗi chứng thực không tới CA tin cậy',
  ANCHOR_NOT_VALID_AT_SIGNING: 'CA tin cậy hết hiệu lực vào thời điểm ký',
  ISSUER_NOT_VALID_AT_SIGNING: 'chứng thư của CA cấp hết hiệu lực vào thời điểm ký',
  ISSUER_NOT_CA: 'chứng thư cấp trên không phải của một CA',
  CHAIN_TOO_LONG: 'chuỗi chứng thực quá dài',
  TIMESTAMP_OTHER_SIGNATURE: 'dấu thời gian gắn cho một chữ ký khác',
  TIMESTAMP_INVALID: 'chữ ký của dấu thời gian không hợp lệ',
  TIMESTAMP_UNREADABLE: 'dấu thời gian hỏng, không đọc được',
  UNKNOWN: 'lỗi không xác định khi kiểm tra',
} satisfies Record<VerifyProblem | 'UNKNOWN', string>;

/** The Vietnamese text for a problem code: '' for none, the `UNKNOWN` text for anything not a known code. */
export function verifyProblemTextVi(problem: string | undefined | null): string {
  if (problem === undefined || problem === null || problem === '') return '';
  // Own keys only: a name such as `constructor` must not reach the object's prototype.
  if (!Object.prototype.hasOwnProperty.call(VERIFY_PROBLEM_TEXT_VI, problem)) return VERIFY_PROBLEM_TEXT_VI.UNKNOWN;
  return (VERIFY_PROBLEM_TEXT_VI as Readonly<Record<string, string>>)[problem] ?? VERIFY_PROBLEM_TEXT_VI.UNKNOWN;
}

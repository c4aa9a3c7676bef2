import type { z } from 'zod';

/**
 * Vietnamese wording for the checks zod makes by itself, so IT staff reading `doctor` or a startup
 * error never see zod's English ("Too big: expected number to be <=9"). Messages written in a
 * schema (`'HH:mm'`, `'mã định danh cơ quan …'`) take precedence over these (zod's own rule for a
 * per-parse error map). Pass as `Schema.safeParse(raw, { error: vietnameseIssue })`.
 */
export function vietnameseIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case 'too_big':
      return bound('tối đa', issue.origin, issue.maximum, issue.inclusive);
    case 'too_small':
      return bound('tối thiểu', issue.origin, issue.minimum, issue.inclusive);
    case 'invalid_type':
      return issue.input === undefined
        ? 'thiếu giá trị bắt buộc'
        : `sai kiểu dữ liệu (cần ${TYPE_NAME[issue.expected] ?? issue.expected})`;
    case 'invalid_value':
      return issue.values.length === 1
        ? `giá trị phải là ${quote(issue.values[0])}`
        : `giá trị phải là một trong: ${issue.values.map(quote).join(', ')}`;
    case 'invalid_format':
      return issue.format === 'url'
        ? 'không phải địa chỉ URL hợp lệ'
        : issue.format === 'regex'
          ? 'sai định dạng'
          : `sai định dạng (${issue.format})`;
    case 'unrecognized_keys':
      return `trường không được hỗ trợ ${issue.keys.join(', ')}`;
    case 'invalid_union': {
      const options = (issue as { options?: unknown }).options;
      return Array.isArray(options) && options.length > 0
        ? `giá trị phải là một trong: ${options.map(quote).join(', ')}`
        : 'giá trị không thuộc dạng nào được chấp nhận';
    }
    case 'not_multiple_of':
      return `phải là bội số của ${String(issue.divisor)}`;
    default:
      return 'giá trị không hợp lệ';
  }
}

const TYPE_NAME: Record<string, string> = {
  string: 'chuỗi ký tự',
  number: 'số',
  int: 'số nguyên',
  boolean: 'true hoặc false',
  object: 'đối tượng { }',
  array: 'danh sách [ ]',
};

function quote(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** "Giá trị quá lớn (tối đa 9)", "Chuỗi quá ngắn (tối thiểu 1 ký tự)", "Giá trị quá nhỏ (phải lớn hơn 0)". */
function bound(
  which: 'tối đa' | 'tối thiểu',
  origin: string,
  limit: number | bigint | Date,
  inclusive: boolean | undefined,
): string {
  const big = which === 'tối đa';
  const value = limit instanceof Date ? limit.toISOString() : String(limit);
  const unit = origin === 'string' ? ' ký tự' : origin === 'array' || origin === 'set' ? ' mục' : '';
  const rule = inclusive === false ? `phải ${big ? 'nhỏ' : 'lớn'} hơn ${value}${unit}` : `${which} ${value}${unit}`;
  if (origin === 'string') return `${big ? 'Chuỗi quá dài' : 'Chuỗi quá ngắn'} (${rule})`;
  if (origin === 'array' || origin === 'set') return `${big ? 'Danh sách quá dài' : 'Danh sách quá ngắn'} (${rule})`;
  return `${big ? 'Giá trị quá lớn' : 'Giá trị quá nhỏ'} (${rule})`;
}

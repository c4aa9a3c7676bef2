/**
 * The one masking of personal numbers and secrets, used before anything reaches a log line, the audit
 * trail or a printout:
 * `maskIdNumber('001203004567')` → `'00120****567'` (12-digit personal ID keeps 5 + 3 digits;
 * shorter numbers keep a quarter at each end).
 */
export function maskIdNumber(idNumber: string): string {
  const value = idNumber.trim();
  const length = value.length;
  if (length <= 4) return '*'.repeat(length);
  const head = length >= 12 ? 5 : Math.max(1, Math.floor(length / 4));
  const tail = length >= 12 ? 3 : Math.max(1, Math.floor(length / 4));
  return value.slice(0, head) + '*'.repeat(length - head - tail) + value.slice(length - tail);
}

/** Masks every run of 9 to 13 digits in free text (personal IDs, old IDs, tax codes, phone numbers). */
export function maskPersonalNumbers(text: string): string {
  return text.replace(/(?<!\d)\d{9,13}(?!\d)/g, (digits) => maskIdNumber(digits));
}

/** True when the string still carries a run of digits long enough to identify a person. */
export function looksUnmasked(value: string): boolean {
  return /\d{6,}/.test(value);
}

/** Keys whose values are secrets: the value is replaced whole. */
const SECRET_KEYS = /pass(word)?|pin|secret|token|session|authorization/i;

/**
 * The backstop of every log line: values under secret-looking keys become `[redacted]` and every
 * string has its personal numbers masked (`maskPersonalNumbers`), at any depth up to 5.
 */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 5) return '…';
  if (typeof value === 'string') return maskPersonalNumbers(value);
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

/**
 * Masks personal identifiers before they reach logs or the audit trail:
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

/** Display formats used across the screens; the wire keeps `YYYY-MM-DD` and `YYYY-MM-DDTHH:mm`. */

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** `2025-07-15T14:30` → `15/07/2025 14:30`. */
export function formatDateTime(value: string | null | undefined): string {
  if (!value) return '';
  const m = DATE_TIME.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]} ${m[4]}:${m[5]}` : value;
}

/** `2025-07-15` (or a date-time) → `15/07/2025`. */
export function formatDate(value: string | null | undefined): string {
  if (!value) return '';
  const m = DATE.exec(value) ?? DATE_TIME.exec(value);
  return m ? `${m[3]}/${m[2]}/${m[1]}` : value;
}

/** `14:30` from a local date-time. */
export function formatTime(value: string | null | undefined): string {
  if (!value) return '';
  const m = DATE_TIME.exec(value);
  return m ? `${m[4]}:${m[5]}` : '';
}

const money = new Intl.NumberFormat('vi-VN');

/** Amounts are whole đồng: `50000` → `50.000 đ`. */
export function formatMoney(amount: number): string {
  return `${money.format(amount)} đ`;
}

const sizeNumber = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 1 });

/** File sizes in the units officers read: `1536` → `1,5 KB`, `2400000` → `2,3 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${sizeNumber.format(bytes / 1024)} KB`;
  return `${sizeNumber.format(bytes / (1024 * 1024))} MB`;
}

/** A PDF sent as base64 over the RPC → a Blob the iframe can show. */
export function pdfBlob(base64: string): Blob {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: 'application/pdf' });
}

const TYPED_DATE = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$|^(\d{2})(\d{2})(\d{4})$/;

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1 || year < 1000) return false;
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
  return day <= days;
}

/**
 * A date as Vietnamese officers type it (`15/07/1990`, `15-7-1990`, `15.07.1990`, `15071990`)
 * → `1990-07-15`; '' for empty; null when it is not a real date.
 */
export function parseTypedDate(text: string): string | null {
  const value = text.trim();
  if (value === '') return '';
  const m = TYPED_DATE.exec(value);
  if (!m) return null;
  const day = Number(m[1] ?? m[4]);
  const month = Number(m[2] ?? m[5]);
  const year = Number(m[3] ?? m[6]);
  if (!isRealDate(year, month, day)) return null;
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

export const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;

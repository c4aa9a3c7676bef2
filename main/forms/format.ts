import { fillText } from './templates';

/** A wall-clock time in Vietnam (UTC+7, no daylight saving). */
export interface LocalTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

const LOCAL_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const VIETNAM_OFFSET_HOURS = 7;

/** Parses `YYYY-MM-DDTHH:mm`; `field` names the value in the error. */
export function parseLocalTime(value: string, field: string): LocalTime {
  const m = LOCAL_TIME.exec(value);
  if (m === null) throw new RangeError(`${field}: expected YYYY-MM-DDTHH:mm (Vietnam local time), got "${value}"`);
  const [year, month, day, hour, minute] = m.slice(1).map(Number) as [number, number, number, number, number];
  const probe = new Date(Date.UTC(year, month - 1, day));
  const realDate = probe.getUTCFullYear() === year && probe.getUTCMonth() === month - 1 && probe.getUTCDate() === day;
  if (!realDate || hour > 23 || minute > 59) throw new RangeError(`${field}: "${value}" is not a valid date and time`);
  return { year, month, day, hour, minute };
}

/** The instant of a Vietnam wall-clock time. */
export function localTimeToDate(t: LocalTime): Date {
  return new Date(Date.UTC(t.year, t.month - 1, t.day, t.hour - VIETNAM_OFFSET_HOURS, t.minute));
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `dd/MM/yyyy` */
export function formatDate(t: LocalTime): string {
  return `${pad2(t.day)}/${pad2(t.month)}/${t.year}`;
}

/** Time and date through the template, e.g. "16 giờ 10 phút, ngày 20/11/2026". */
export function formatTime(t: LocalTime, timeFormat: string): string {
  return fillText(timeFormat, { hour: pad2(t.hour), minute: pad2(t.minute), date: formatDate(t) });
}

/**
 * The header date line, e.g. "Ngày 20 tháng 11 năm 2026". As in administrative documents
 * (Decree 30/2020), days below 10 and the months 1 and 2 get a leading zero: "ngày 05 tháng 02",
 * "ngày 05 tháng 3".
 */
export function formatDateLine(t: LocalTime, dateLine: string): string {
  const month = t.month <= 2 ? pad2(t.month) : String(t.month);
  return fillText(dateLine, { day: pad2(t.day), month, year: String(t.year) });
}

/** Whole đồng with dots between thousands: 1234567 → "1.234.567". */
export function formatVndNumber(amount: number, field = 'amount'): string {
  if (!Number.isSafeInteger(amount) || amount < 0) {
    throw new RangeError(`${field}: expected a whole, non-negative number of đồng, got ${amount}`);
  }
  return String(amount).replace(/\B(?=(\d{3})+(?!\d))/g, '.');
}

/** Amount through the template, e.g. "30.000 đồng". */
export function formatVnd(amount: number, currency: string, field?: string): string {
  return fillText(currency, { amount: formatVndNumber(amount, field) });
}

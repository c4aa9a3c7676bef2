/**
 * Wall-clock dates and times without a time zone. Every date in the domain is a Vietnam local
 * date (`YYYY-MM-DD`) and every time a Vietnam local time (`YYYY-MM-DDTHH:mm`); arithmetic is
 * done on integer day numbers (days since 1970-01-01) and minute numbers, so no host time zone
 * or daylight-saving rule can leak in.
 */

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/;
const CLOCK_RE = /^(\d{2}):(\d{2})$/;

export const MINUTES_PER_DAY = 1440;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function isValidCivilDate(year: number, month: number, day: number): boolean {
  return (
    Number.isInteger(year) &&
    Number.isInteger(month) &&
    Number.isInteger(day) &&
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= daysInMonth(year, month)
  );
}

/** Days since 1970-01-01 of a proleptic Gregorian date (negative before 1970). */
export function dayNumberOf(year: number, month: number, day: number): number {
  const a = Math.floor((14 - month) / 12);
  const y = year + 4800 - a;
  const m = month + 12 * a - 3;
  const julianDay =
    day +
    Math.floor((153 * m + 2) / 5) +
    365 * y +
    Math.floor(y / 4) -
    Math.floor(y / 100) +
    Math.floor(y / 400) -
    32045;
  return julianDay - 2440588;
}

/** Inverse of {@link dayNumberOf}. */
export function civilDateOf(dayNumber: number): CivilDate {
  const a = dayNumber + 2440588 + 32044;
  const b = Math.floor((4 * a + 3) / 146097);
  const c = a - Math.floor((146097 * b) / 4);
  const d = Math.floor((4 * c + 3) / 1461);
  const e = c - Math.floor((1461 * d) / 4);
  const m = Math.floor((5 * e + 2) / 153);
  return {
    day: e - Math.floor((153 * m + 2) / 5) + 1,
    month: m + 3 - 12 * Math.floor(m / 10),
    year: 100 * b + d - 4800 + Math.floor(m / 10),
  };
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

export function formatCivilDate(date: CivilDate): string {
  return `${pad(date.year, 4)}-${pad(date.month, 2)}-${pad(date.day, 2)}`;
}

/** Parses a real `YYYY-MM-DD` date; null for a wrong shape or an impossible date. */
export function tryParseDate(text: string): CivilDate | null {
  const match = DATE_RE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isValidCivilDate(year, month, day) ? { year, month, day } : null;
}

export function isLocalDate(text: string): boolean {
  return tryParseDate(text) !== null;
}

export function dateToDayNumber(date: string): number {
  const parsed = tryParseDate(date);
  if (!parsed) throw new RangeError(`Ngày không hợp lệ (cần YYYY-MM-DD): '${date}'`);
  return dayNumberOf(parsed.year, parsed.month, parsed.day);
}

export function dayNumberToDate(dayNumber: number): string {
  return formatCivilDate(civilDateOf(dayNumber));
}

export function addDays(date: string, days: number): string {
  return dayNumberToDate(dateToDayNumber(date) + days);
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function isoWeekdayOfDayNumber(dayNumber: number): number {
  // 1970-01-01 was a Thursday (4).
  return ((((dayNumber + 3) % 7) + 7) % 7) + 1;
}

export function isoWeekday(date: string): number {
  return isoWeekdayOfDayNumber(dateToDayNumber(date));
}

export function isWeekend(date: string): boolean {
  return isoWeekday(date) >= 6;
}

/** Minutes after midnight of an `HH:mm` clock time (00:00 … 24:00); null when malformed. */
export function tryParseClock(text: string): number | null {
  const match = CLOCK_RE.exec(text);
  if (!match) return null;
  const hours = Number(match[1]);
  const minutes = Number(match[2]);
  if (minutes > 59 || hours > 24 || (hours === 24 && minutes !== 0)) return null;
  return hours * 60 + minutes;
}

export function clockToMinutes(text: string): number {
  const minutes = tryParseClock(text);
  if (minutes === null) throw new RangeError(`Giờ không hợp lệ (cần HH:mm): '${text}'`);
  return minutes;
}

export function minutesToClock(minutes: number): string {
  return `${pad(Math.floor(minutes / 60), 2)}:${pad(minutes % 60, 2)}`;
}

export interface DateTimeParts {
  dayNumber: number;
  /** Minutes after midnight, 0 … 1439. */
  minuteOfDay: number;
}

/** Parses a real `YYYY-MM-DDTHH:mm` local time; null for a wrong shape or an impossible value. */
export function tryParseDateTime(text: string): DateTimeParts | null {
  const match = DATE_TIME_RE.exec(text);
  if (!match) return null;
  const [year, month, day, hours, minutes] = match.slice(1, 6).map(Number) as [number, number, number, number, number];
  if (!isValidCivilDate(year, month, day) || hours > 23 || minutes > 59) return null;
  return { dayNumber: dayNumberOf(year, month, day), minuteOfDay: hours * 60 + minutes };
}

export function isLocalDateTime(text: string): boolean {
  return tryParseDateTime(text) !== null;
}

/** Minutes since 1970-01-01T00:00 of a local time. */
export function dateTimeToMinutes(text: string): number {
  const parts = tryParseDateTime(text);
  if (!parts) throw new RangeError(`Thời điểm không hợp lệ (cần YYYY-MM-DDTHH:mm): '${text}'`);
  return parts.dayNumber * MINUTES_PER_DAY + parts.minuteOfDay;
}

export function minutesToDateTime(totalMinutes: number): string {
  const dayNumber = Math.floor(totalMinutes / MINUTES_PER_DAY);
  const minuteOfDay = totalMinutes - dayNumber * MINUTES_PER_DAY;
  return `${dayNumberToDate(dayNumber)}T${minutesToClock(minuteOfDay)}`;
}

export function composeDateTime(dayNumber: number, minuteOfDay: number): string {
  return minutesToDateTime(dayNumber * MINUTES_PER_DAY + minuteOfDay);
}

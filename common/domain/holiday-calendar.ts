/**
 * Days off and make-up working days (docs/domain.md §5). Each year starts from days computed by rule
 * ({@link defaultDaysOff}); the yearly notices announced by the government (synced from upstream,
 * editable by IT staff) then add to them or replace them.
 *
 * Rules used for the computed days (Labour Code 2019 art. 112; a notice overrides any of them):
 * - 1 Jan; 30 Apr; 1 May; Hùng Kings day 10/3 lunar; 2 Sep; 24 Nov from 2026 on.
 * - Tết: 5 days = the last day of the old lunar year (29 or 30 tháng Chạp, whichever ends the
 *   month) and mùng 1 … mùng 4 of the new year.
 * - 2 Sep plus one adjacent day (from 2021, when the law made it two days): the adjacent day that
 *   is a weekday joining the break to a weekend when there is one — 3 Sep if 2 Sep is a Sunday,
 *   Monday or Thursday; 1 Sep if it is a Tuesday, Friday or Saturday; for a Wednesday, where
 *   neither joins a weekend, 1 Sep. (Matches the announced 2021-2025 calendars.)
 * - Compensatory days: holidays are grouped into blocks (holidays separated only by weekends or
 *   other holidays); for each holiday of a block that falls on a Saturday or Sunday (Tết days
 *   included), the next weekday after the block that is not already off is a compensatory day.
 */
import { z } from 'zod';
import { addDays, dayNumberOf, formatCivilDate, isLocalDate, isoWeekdayOfDayNumber, isWeekend } from './local-date';
import { lunarToSolar } from './lunar-calendar';

export type DayOffKind = 'holiday' | 'compensatory' | 'notice';

export interface DayOff {
  date: string;
  name: string;
  kind: DayOffKind;
}

/** A Saturday (or other weekend day) worked to make up for a swapped day off. */
export interface MakeUpDay {
  date: string;
  name: string;
}

export interface CalendarNotice {
  id: string;
  effectiveFrom: string;
  /** The year whose calendar the notice sets. */
  year: number;
  daysOff: DayOff[];
  makeUpDays: MakeUpDay[];
  /** true: the year's computed days are dropped and the notice lists every day off. */
  replacesDefault: boolean;
}

const LocalDateString = z.string().refine(isLocalDate, 'YYYY-MM-DD');

export const DayOffSchema = z.object({
  date: LocalDateString,
  name: z.string().min(1),
  kind: z.enum(['holiday', 'compensatory', 'notice']),
});

export const MakeUpDaySchema = z.object({ date: LocalDateString, name: z.string().min(1) });

export const CalendarNoticeSchema = z.object({
  id: z.string().min(1),
  effectiveFrom: LocalDateString,
  year: z.number().int().min(2000).max(2199),
  daysOff: z.array(DayOffSchema),
  makeUpDays: z.array(MakeUpDaySchema),
  replacesDefault: z.boolean(),
});

export const MIN_CALENDAR_YEAR = 1900;
export const MAX_CALENDAR_YEAR = 2199;

/** Fixed-date holidays, with the years they apply to. */
const SOLAR_HOLIDAYS: ReadonlyArray<{ month: number; day: number; name: string; fromYear?: number }> = [
  { month: 1, day: 1, name: 'Tết Dương lịch' },
  { month: 4, day: 30, name: 'Ngày Chiến thắng (30/4)' },
  { month: 5, day: 1, name: 'Ngày Quốc tế Lao động (1/5)' },
  { month: 9, day: 2, name: 'Quốc khánh (2/9)' },
  { month: 11, day: 24, name: 'Ngày Văn hóa Việt Nam (24/11)', fromYear: 2026 },
];

/** First year with a second National Day holiday (Labour Code 2019). */
const SECOND_NATIONAL_DAY_FROM = 2021;

function checkCalendarYear(year: number): void {
  if (!Number.isInteger(year) || year < MIN_CALENDAR_YEAR || year > MAX_CALENDAR_YEAR) {
    throw new RangeError(`Năm ngoài phạm vi lịch nghỉ (${MIN_CALENDAR_YEAR}-${MAX_CALENDAR_YEAR}): ${year}`);
  }
}

function isoDate(year: number, month: number, day: number): string {
  return formatCivilDate({ year, month, day });
}

function tetDays(year: number): DayOff[] {
  const newYear = lunarToSolar(1, 1, year, false);
  if (!newYear) throw new RangeError(`Không tính được Tết năm ${year}`);
  const first = formatCivilDate(newYear);
  const lastOfOldYear = addDays(first, -1);
  const lastDayNumber = lunarToSolar(30, 12, year - 1, false) ? 30 : 29;
  const days: DayOff[] = [
    { date: lastOfOldYear, name: `Tết Nguyên đán (${lastDayNumber} tháng Chạp)`, kind: 'holiday' },
  ];
  for (let n = 1; n <= 4; n += 1) {
    days.push({ date: addDays(first, n - 1), name: `Tết Nguyên đán (mùng ${n})`, kind: 'holiday' });
  }
  return days;
}

function hungKingsDay(year: number): DayOff {
  const date = lunarToSolar(10, 3, year, false);
  if (!date) throw new RangeError(`Không tính được Giỗ Tổ Hùng Vương năm ${year}`);
  return { date: formatCivilDate(date), name: 'Giỗ Tổ Hùng Vương (10/3 âm lịch)', kind: 'holiday' };
}

/** The day added to 2 Sep (see the module comment). */
export function nationalDayAdjacent(year: number): string {
  const weekday = isoWeekdayOfDayNumber(dayNumberOf(year, 9, 2)); // 1 = Monday … 7 = Sunday
  const after = weekday === 7 || weekday === 1 || weekday === 4;
  return isoDate(year, 9, after ? 3 : 1);
}

/** Holidays by rule, before compensatory days. */
function ruleHolidays(year: number): DayOff[] {
  const days: DayOff[] = [];
  for (const h of SOLAR_HOLIDAYS) {
    if (h.fromYear !== undefined && year < h.fromYear) continue;
    days.push({ date: isoDate(year, h.month, h.day), name: h.name, kind: 'holiday' });
  }
  if (year >= SECOND_NATIONAL_DAY_FROM) {
    days.push({ date: nationalDayAdjacent(year), name: 'Quốc khánh (ngày liền kề)', kind: 'holiday' });
  }
  days.push(...tetDays(year), hungKingsDay(year));
  return sortByDate(days);
}

function sortByDate<T extends { date: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function shortDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}`;
}

/** Compensatory days for holidays falling on a weekend (see the module comment). */
export function compensatoryDays(holidays: readonly DayOff[]): DayOff[] {
  const sorted = sortByDate(holidays);
  const off = new Set(sorted.map((h) => h.date));
  const result: DayOff[] = [];
  const taken = new Set<string>();
  let index = 0;
  while (index < sorted.length) {
    const block: DayOff[] = [sorted[index]!];
    index += 1;
    while (index < sorted.length && onlyRestBetween(block[block.length - 1]!.date, sorted[index]!.date, off)) {
      block.push(sorted[index]!);
      index += 1;
    }
    let cursor = block[block.length - 1]!.date;
    for (const holiday of block.filter((h) => isWeekend(h.date))) {
      do cursor = addDays(cursor, 1);
      while (isWeekend(cursor) || off.has(cursor) || taken.has(cursor));
      taken.add(cursor);
      result.push({ date: cursor, name: `Nghỉ bù ${holiday.name} (${shortDate(holiday.date)})`, kind: 'compensatory' });
    }
  }
  return result;
}

function onlyRestBetween(from: string, to: string, off: ReadonlySet<string>): boolean {
  for (let day = addDays(from, 1); day < to; day = addDays(day, 1)) {
    if (!isWeekend(day) && !off.has(day)) return false;
  }
  return true;
}

/** The days off of a year computed by rule (holidays and their compensatory days), sorted. */
export function defaultDaysOff(year: number): DayOff[] {
  checkCalendarYear(year);
  const holidays = ruleHolidays(year);
  return sortByDate([...holidays, ...compensatoryDays(holidays)]);
}

export interface HolidayCalendar {
  isDayOff(date: string): boolean;
  /** The day off on a date, or null. */
  dayOff(date: string): DayOff | null;
  isMakeUpWorkingDay(date: string): boolean;
  /** Days off dated in a year, sorted. */
  daysOff(year: number): DayOff[];
  /** Make-up working days dated in a year, sorted. */
  makeUpDays(year: number): MakeUpDay[];
}

interface ResolvedYear {
  daysOff: Map<string, DayOff>;
  makeUp: Map<string, MakeUpDay>;
}

/**
 * Builds the calendar. Each notice applies to its `year`, in `effectiveFrom` order: one with
 * `replacesDefault` drops everything set for the year before it, otherwise its days are added (a
 * day it lists again replaces the earlier entry for that date). `years` are prepared up front;
 * any other year is computed on first use, so a due date may run into the next year.
 */
export function buildHolidayCalendar(years: readonly number[], notices: readonly CalendarNotice[]): HolidayCalendar {
  const orderedNotices = [...notices].sort((a, b) =>
    a.effectiveFrom < b.effectiveFrom ? -1 : a.effectiveFrom > b.effectiveFrom ? 1 : 0,
  );
  const resolved = new Map<number, ResolvedYear>();

  function resolveYear(year: number): ResolvedYear {
    const cached = resolved.get(year);
    if (cached) return cached;
    checkCalendarYear(year);
    const own = orderedNotices.filter((n) => n.year === year);
    const daysOff = new Map<string, DayOff>();
    const makeUp = new Map<string, MakeUpDay>();
    if (!own.some((n) => n.replacesDefault)) {
      for (const day of defaultDaysOff(year)) daysOff.set(day.date, day);
    }
    for (const notice of own) {
      if (notice.replacesDefault) {
        daysOff.clear();
        makeUp.clear();
      }
      for (const day of notice.daysOff) daysOff.set(day.date, { ...day });
      for (const day of notice.makeUpDays) makeUp.set(day.date, { ...day });
    }
    const result = { daysOff, makeUp };
    resolved.set(year, result);
    return result;
  }

  /**
   * Years whose notices may list a date: its own year and the neighbours (a notice for 2026 may set a make-up day in
   * late 2025).
   */
  function yearsConcerning(date: string): number[] {
    const year = Number(date.slice(0, 4));
    return [year, year - 1, year + 1].filter((y) => y >= MIN_CALENDAR_YEAR && y <= MAX_CALENDAR_YEAR);
  }

  function dayOff(date: string): DayOff | null {
    if (!isLocalDate(date)) throw new RangeError(`Ngày không hợp lệ (cần YYYY-MM-DD): '${date}'`);
    for (const year of yearsConcerning(date)) {
      const found = resolveYear(year).daysOff.get(date);
      if (found) return { ...found };
    }
    return null;
  }

  function isMakeUpWorkingDay(date: string): boolean {
    if (!isLocalDate(date)) throw new RangeError(`Ngày không hợp lệ (cần YYYY-MM-DD): '${date}'`);
    return yearsConcerning(date).some((year) => resolveYear(year).makeUp.has(date));
  }

  function collect<T extends { date: string }>(year: number, pick: (r: ResolvedYear) => Map<string, T>): T[] {
    checkCalendarYear(year);
    const byDate = new Map<string, T>();
    const prefix = `${String(year).padStart(4, '0')}-`;
    // Own year last so that its entries win over a neighbour's for the same date.
    for (const y of [year - 1, year + 1, year]) {
      if (y < MIN_CALENDAR_YEAR || y > MAX_CALENDAR_YEAR) continue;
      for (const [date, item] of pick(resolveYear(y))) if (date.startsWith(prefix)) byDate.set(date, { ...item });
    }
    return sortByDate([...byDate.values()]);
  }

  for (const year of years) resolveYear(year);

  return {
    isDayOff: (date) => dayOff(date) !== null,
    dayOff,
    isMakeUpWorkingDay,
    daysOff: (year) => collect(year, (r) => r.daysOff),
    makeUpDays: (year) => collect(year, (r) => r.makeUp),
  };
}

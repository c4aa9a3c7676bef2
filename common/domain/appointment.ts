/**
 * The appointment date (ngày hẹn trả), docs/domain.md §5.
 *
 * Working time is office hours on working days: Monday-Friday that are not days off, plus the
 * make-up Saturdays a notice sets. Rules:
 * - The clock starts at the receipt time normalised into working time (before opening → opening,
 *   lunch → afternoon start, after closing or on a day off → the next working day's opening). A
 *   procedure's same-day cut-off, when the receipt is later than it on a working day, starts the
 *   clock at the next working day's opening instead. The normalised start applies to every unit.
 * - Working days: duration × hoursPerDay working hours added to the start. 0 working days is a
 *   same-day procedure: due at the closing time of the start day.
 * - Hours: duration working hours added to the start.
 * - Calendar days: start + duration × 24 h; a due date on a day that is not a working day moves to
 *   the next working day at the same clock time (or stays, with `calendarDayDueOnDayOff: 'keep'`).
 * - No duration: no due date.
 * - A supplement request pauses the clock: the new due date is the old one plus the working time
 *   between pause and resume.
 */
import { z } from 'zod';
import type { HolidayCalendar } from './holiday-calendar';
import {
  clockToMinutes,
  composeDateTime,
  dayNumberToDate,
  dateToDayNumber,
  isoWeekdayOfDayNumber,
  MINUTES_PER_DAY,
  minutesToClock,
  tryParseClock,
  tryParseDateTime,
  type DateTimeParts,
} from './local-date';

export type DurationUnit = 'working-days' | 'calendar-days' | 'hours' | 'none';
export const DURATION_UNITS: readonly DurationUnit[] = ['working-days', 'calendar-days', 'hours', 'none'];

export interface OfficeHours {
  /** `['HH:mm', 'HH:mm']` */
  morning: readonly [string, string];
  /** `['HH:mm', 'HH:mm']` */
  afternoon: readonly [string, string];
  /** Working hours that make one working day when converting durations. */
  hoursPerDay: number;
}

export const DEFAULT_OFFICE_HOURS: OfficeHours = {
  morning: ['07:00', '11:30'],
  afternoon: ['13:30', '17:00'],
  hoursPerDay: 8,
};

const Clock = z.string().refine((s) => tryParseClock(s) !== null, 'HH:mm');

export const OfficeHoursSchema = z
  .object({
    morning: z.tuple([Clock, Clock]),
    afternoon: z.tuple([Clock, Clock]),
    hoursPerDay: z.number().positive().max(24),
  })
  .superRefine((hours, ctx) => {
    for (const problem of officeHoursProblems(hours)) ctx.addIssue({ code: 'custom', message: problem });
  });

/** What is wrong with an office-hours setting (empty when it is usable). */
export function officeHoursProblems(hours: OfficeHours): string[] {
  const clocks = [...hours.morning, ...hours.afternoon].map(tryParseClock);
  if (clocks.some((c) => c === null)) return ['Giờ làm việc phải có dạng HH:mm.'];
  const [ms, me, as, ae] = clocks as [number, number, number, number];
  const problems: string[] = [];
  if (!(ms < me)) problems.push('Buổi sáng phải kết thúc sau khi bắt đầu.');
  if (!(me <= as)) problems.push('Buổi chiều phải bắt đầu sau khi buổi sáng kết thúc.');
  if (!(as < ae)) problems.push('Buổi chiều phải kết thúc sau khi bắt đầu.');
  if (!(hours.hoursPerDay > 0)) problems.push('Số giờ của một ngày làm việc phải lớn hơn 0.');
  return problems;
}

interface Moment {
  day: number;
  minute: number;
}

function toMoment(parts: DateTimeParts): Moment {
  return { day: parts.dayNumber, minute: parts.minuteOfDay };
}

function parseMoment(t: string): Moment {
  const parts = tryParseDateTime(t);
  if (!parts) throw new RangeError(`Thời điểm không hợp lệ (cần YYYY-MM-DDTHH:mm): '${t}'`);
  return toMoment(parts);
}

function formatMoment(m: Moment): string {
  return composeDateTime(m.day, m.minute);
}

/** How far to look for a working day before deciding the calendar has none. */
const MAX_DAYS_WITHOUT_WORK = 400;

export class WorkingTime {
  readonly hours: OfficeHours;
  private readonly morningStart: number;
  private readonly morningEnd: number;
  private readonly afternoonStart: number;
  private readonly afternoonEnd: number;
  private readonly workingDayCache = new Map<number, boolean>();

  constructor(
    readonly calendar: HolidayCalendar,
    hours: OfficeHours = DEFAULT_OFFICE_HOURS,
  ) {
    const problems = officeHoursProblems(hours);
    if (problems.length > 0) throw new RangeError(`Giờ làm việc không hợp lệ: ${problems.join(' ')}`);
    this.hours = { morning: [...hours.morning], afternoon: [...hours.afternoon], hoursPerDay: hours.hoursPerDay };
    this.morningStart = clockToMinutes(hours.morning[0]);
    this.morningEnd = clockToMinutes(hours.morning[1]);
    this.afternoonStart = clockToMinutes(hours.afternoon[0]);
    this.afternoonEnd = clockToMinutes(hours.afternoon[1]);
  }

  /** Working minutes that make one working day (hoursPerDay × 60). */
  get minutesPerWorkingDay(): number {
    return Math.round(this.hours.hoursPerDay * 60);
  }

  get openingClock(): string {
    return minutesToClock(this.morningStart);
  }

  get closingClock(): string {
    return minutesToClock(this.afternoonEnd);
  }

  isWorkingDay(date: string): boolean {
    return this.isWorkingDayNumber(dateToDayNumber(date));
  }

  /** The first working day strictly after `date`. */
  nextWorkingDay(date: string): string {
    return dayNumberToDate(this.nextWorkingDayNumber(dateToDayNumber(date)));
  }

  /** Moves a time into working time (see the module comment); a time inside office hours is kept. */
  normalise(t: string): string {
    return formatMoment(this.normaliseMoment(parseMoment(t)));
  }

  /** Adds working minutes to a time, after normalising it. A result at a session end stays there. */
  addWorkingMinutes(t: string, minutes: number): string {
    if (!Number.isInteger(minutes) || minutes < 0) {
      throw new RangeError(`Số phút làm việc phải là số nguyên không âm: ${minutes}`);
    }
    return formatMoment(this.addMinutesToMoment(this.normaliseMoment(parseMoment(t)), minutes));
  }

  /** Working minutes in [a, b); negative when b is before a. */
  workingMinutesBetween(a: string, b: string): number {
    const from = parseMoment(a);
    const to = parseMoment(b);
    const order = compareMoments(from, to);
    if (order === 0) return 0;
    if (order > 0) return -this.minutesBetweenMoments(to, from);
    return this.minutesBetweenMoments(from, to);
  }

  /** `YYYY-MM-DDTHH:mm` of the opening of a date (whether or not it is a working day). */
  openingOf(date: string): string {
    return composeDateTime(dateToDayNumber(date), this.morningStart);
  }

  /** `YYYY-MM-DDTHH:mm` of the closing of a date (whether or not it is a working day). */
  closingOf(date: string): string {
    return composeDateTime(dateToDayNumber(date), this.afternoonEnd);
  }

  private isWorkingDayNumber(day: number): boolean {
    const cached = this.workingDayCache.get(day);
    if (cached !== undefined) return cached;
    const date = dayNumberToDate(day);
    let working: boolean;
    if (this.calendar.isDayOff(date)) working = false;
    else if (isoWeekdayOfDayNumber(day) >= 6) working = this.calendar.isMakeUpWorkingDay(date);
    else working = true;
    this.workingDayCache.set(day, working);
    return working;
  }

  private nextWorkingDayNumber(day: number): number {
    for (let next = day + 1; next <= day + MAX_DAYS_WITHOUT_WORK; next += 1) {
      if (this.isWorkingDayNumber(next)) return next;
    }
    throw new Error(`Lịch không có ngày làm việc nào trong ${MAX_DAYS_WITHOUT_WORK} ngày sau ${dayNumberToDate(day)}`);
  }

  private normaliseMoment(m: Moment): Moment {
    if (!this.isWorkingDayNumber(m.day) || m.minute >= this.afternoonEnd) {
      return { day: this.nextWorkingDayNumber(m.day), minute: this.morningStart };
    }
    if (m.minute < this.morningStart) return { day: m.day, minute: this.morningStart };
    if (m.minute >= this.morningEnd && m.minute < this.afternoonStart)
      return { day: m.day, minute: this.afternoonStart };
    return m;
  }

  /** `start` must be normalised. */
  private addMinutesToMoment(start: Moment, minutes: number): Moment {
    let { day, minute } = start;
    let remaining = minutes;
    for (;;) {
      const inMorning = minute < this.morningEnd;
      const sessionEnd = inMorning ? this.morningEnd : this.afternoonEnd;
      const available = sessionEnd - minute;
      if (remaining <= available) return { day, minute: minute + remaining };
      remaining -= available;
      if (inMorning) {
        minute = this.afternoonStart;
      } else {
        const fullDay = this.morningEnd - this.morningStart + (this.afternoonEnd - this.afternoonStart);
        day = this.nextWorkingDayNumber(day);
        minute = this.morningStart;
        while (remaining > fullDay) {
          remaining -= fullDay;
          day = this.nextWorkingDayNumber(day);
        }
      }
    }
  }

  /** `from` < `to`. */
  private minutesBetweenMoments(from: Moment, to: Moment): number {
    const sessions: Array<[number, number]> = [
      [this.morningStart, this.morningEnd],
      [this.afternoonStart, this.afternoonEnd],
    ];
    let total = 0;
    for (let day = from.day; day <= to.day; day += 1) {
      if (!this.isWorkingDayNumber(day)) continue;
      const clipStart = day === from.day ? from.minute : 0;
      const clipEnd = day === to.day ? to.minute : MINUTES_PER_DAY;
      for (const [start, end] of sessions) {
        total += Math.max(0, Math.min(end, clipEnd) - Math.max(start, clipStart));
      }
    }
    return total;
  }
}

function compareMoments(a: Moment, b: Moment): number {
  return a.day !== b.day ? a.day - b.day : a.minute - b.minute;
}

export type CalendarDayDueOnDayOff = 'next-working-day' | 'keep';

export interface AppointmentRequest {
  /** `YYYY-MM-DDTHH:mm` */
  receivedAt: string;
  duration: number | null;
  unit: DurationUnit;
  /** Same-day cut-off `HH:mm` of the procedure, or null. */
  cutoff: string | null;
  workingTime: WorkingTime;
  calendarDayDueOnDayOff?: CalendarDayDueOnDayOff;
}

export interface Appointment {
  /** `YYYY-MM-DDTHH:mm`, or null when the procedure sets no time limit. */
  due: string | null;
  /** When the clock started: the receipt normalised into working time (and after the cut-off). */
  countedFrom: string;
  notes: string[];
}

export const NO_TIME_LIMIT_NOTE = 'Thủ tục không quy định thời hạn';

/** `HH:mm dd/MM/yyyy`, as the notes and the receipt show times. */
export function formatVietnameseDateTime(t: string): string {
  return `${t.slice(11, 16)} ${t.slice(8, 10)}/${t.slice(5, 7)}/${t.slice(0, 4)}`;
}

function formatVietnameseDate(date: string): string {
  return `${date.slice(8, 10)}/${date.slice(5, 7)}/${date.slice(0, 4)}`;
}

const WEEKDAY_NAMES = ['', 'thứ Hai', 'thứ Ba', 'thứ Tư', 'thứ Năm', 'thứ Sáu', 'thứ Bảy', 'Chủ nhật'];

function receiptNote(received: Moment, countedFrom: string, wt: WorkingTime): string | null {
  const receivedText = formatMoment(received);
  if (receivedText === countedFrom) return null;
  const date = dayNumberToDate(received.day);
  const from = formatVietnameseDateTime(countedFrom);
  if (!wt.isWorkingDay(date)) {
    const off = wt.calendar.dayOff(date);
    const why = off ? off.name : WEEKDAY_NAMES[isoWeekdayOfDayNumber(received.day)];
    return `Tiếp nhận vào ngày nghỉ (${why}): tính từ ${from}.`;
  }
  const minute = received.minute;
  if (minute < clockToMinutes(wt.hours.morning[0])) return `Tiếp nhận trước giờ làm việc: tính từ ${from}.`;
  if (minute >= clockToMinutes(wt.hours.afternoon[1])) return `Tiếp nhận sau giờ làm việc: tính từ ${from}.`;
  return `Tiếp nhận trong giờ nghỉ trưa: tính từ ${from}.`;
}

/** Days off on weekdays and make-up days worked between two times (for the notes). */
function calendarNotes(from: string, to: string, wt: WorkingTime): string[] {
  const notes: string[] = [];
  const skipped: string[] = [];
  const worked: string[] = [];
  const first = dateToDayNumber(from.slice(0, 10));
  const last = dateToDayNumber(to.slice(0, 10));
  for (let day = first; day <= last; day += 1) {
    const date = dayNumberToDate(day);
    const weekend = isoWeekdayOfDayNumber(day) >= 6;
    const off = wt.calendar.dayOff(date);
    if (off && !weekend) skipped.push(`${formatVietnameseDate(date)} (${off.name})`);
    else if (!off && weekend && wt.calendar.isMakeUpWorkingDay(date)) worked.push(formatVietnameseDate(date));
  }
  if (skipped.length > 0) notes.push(`Không tính ngày nghỉ: ${skipped.join(', ')}.`);
  if (worked.length > 0) notes.push(`Có tính ngày làm bù: ${worked.join(', ')}.`);
  return notes;
}

/** Computes the appointment date of a dossier (see the module comment for the rules). */
export function computeAppointment(request: AppointmentRequest): Appointment {
  const { workingTime: wt, duration, unit, cutoff } = request;
  const received = parseMoment(request.receivedAt);
  if (duration !== null && (!Number.isFinite(duration) || duration < 0)) {
    throw new RangeError(`Thời hạn giải quyết phải là số không âm: ${duration}`);
  }
  if (!DURATION_UNITS.includes(unit)) throw new RangeError(`Đơn vị thời hạn không hợp lệ: ${String(unit)}`);
  const cutoffMinute = cutoff === null ? null : tryParseClock(cutoff);
  if (cutoff !== null && cutoffMinute === null) throw new RangeError(`Giờ chốt không hợp lệ (cần HH:mm): '${cutoff}'`);

  const notes: string[] = [];
  let countedFrom = wt.normalise(request.receivedAt);
  const receiptDate = dayNumberToDate(received.day);
  if (
    cutoffMinute !== null &&
    wt.isWorkingDay(receiptDate) &&
    received.minute > cutoffMinute &&
    countedFrom.slice(0, 10) === receiptDate
  ) {
    countedFrom = wt.openingOf(wt.nextWorkingDay(receiptDate));
    notes.push(`Tiếp nhận sau giờ chốt ${cutoff}: tính từ ${formatVietnameseDateTime(countedFrom)}.`);
  } else {
    const note = receiptNote(received, countedFrom, wt);
    if (note) notes.push(note);
  }

  if (unit === 'none' || duration === null) {
    notes.push(NO_TIME_LIMIT_NOTE);
    return { due: null, countedFrom, notes };
  }

  let due: string;
  if (duration === 0 && unit !== 'hours') {
    due = wt.closingOf(countedFrom.slice(0, 10));
    notes.push('Thủ tục giải quyết trong ngày: hẹn trả trước giờ kết thúc làm việc.');
  } else if (unit === 'working-days') {
    due = wt.addWorkingMinutes(countedFrom, Math.round(duration * wt.minutesPerWorkingDay));
    notes.push(...calendarNotes(countedFrom, due, wt));
  } else if (unit === 'hours') {
    due = wt.addWorkingMinutes(countedFrom, Math.round(duration * 60));
    notes.push(...calendarNotes(countedFrom, due, wt));
  } else {
    const start = parseMoment(countedFrom);
    const total = start.day * MINUTES_PER_DAY + start.minute + Math.round(duration * MINUTES_PER_DAY);
    const landing: Moment = { day: Math.floor(total / MINUTES_PER_DAY), minute: total % MINUTES_PER_DAY };
    due = formatMoment(landing);
    const landingDate = dayNumberToDate(landing.day);
    if (
      (request.calendarDayDueOnDayOff ?? 'next-working-day') === 'next-working-day' &&
      !wt.isWorkingDay(landingDate)
    ) {
      const moved = wt.normalise(`${wt.nextWorkingDay(landingDate)}T${minutesToClock(landing.minute)}`);
      const off = wt.calendar.dayOff(landingDate);
      const why = off ? off.name : WEEKDAY_NAMES[isoWeekdayOfDayNumber(landing.day)];
      notes.push(
        `Hạn rơi vào ngày nghỉ ${formatVietnameseDate(landingDate)} (${why}): chuyển sang ${formatVietnameseDateTime(moved)}.`,
      );
      due = moved;
    }
  }
  return { due, countedFrom, notes };
}

export interface SupplementPause {
  previousDue: string | null;
  /** When the supplement was requested (the clock stops). */
  pausedAt: string;
  /** When the supplement was received (the clock restarts). */
  resumedAt: string;
  workingTime: WorkingTime;
}

export interface ExtendedDue {
  previousDue: string | null;
  newDue: string | null;
  /** Working minutes the clock was stopped. */
  pausedWorkingMinutes: number;
}

/** The due date after a supplement pause: the old due date plus the working time paused. */
export function extendForSupplement(pause: SupplementPause): ExtendedDue {
  const { previousDue, pausedAt, resumedAt, workingTime } = pause;
  const paused = workingTime.workingMinutesBetween(pausedAt, resumedAt);
  if (paused < 0 || resumedAt < pausedAt) {
    throw new RangeError(`Thời điểm tiếp tục (${resumedAt}) phải sau thời điểm tạm dừng (${pausedAt})`);
  }
  if (previousDue === null) return { previousDue, newDue: null, pausedWorkingMinutes: paused };
  const newDue = paused === 0 ? previousDue : workingTime.addWorkingMinutes(previousDue, paused);
  return { previousDue, newDue, pausedWorkingMinutes: paused };
}

import { describe, expect, it } from 'vitest';
import {
  computeAppointment,
  DEFAULT_OFFICE_HOURS,
  extendForSupplement,
  NO_TIME_LIMIT_NOTE,
  OfficeHoursSchema,
  WorkingTime,
  type DurationUnit,
} from './appointment';
import { buildHolidayCalendar, type CalendarNotice } from './holiday-calendar';

/** A 2027 notice: Fri 12 Feb off after Tết, worked back on Saturday 20 Feb. */
const swap2027: CalendarNotice = {
  id: 'TB-2027-TET',
  effectiveFrom: '2026-11-01',
  year: 2027,
  daysOff: [{ date: '2027-02-12', name: 'Nghỉ hoán đổi dịp Tết', kind: 'notice' }],
  makeUpDays: [{ date: '2027-02-20', name: 'Làm bù cho ngày 12/02/2027' }],
  replacesDefault: false,
};

const plain = new WorkingTime(buildHolidayCalendar([2026, 2027], []), DEFAULT_OFFICE_HOURS);
const withNotice = new WorkingTime(buildHolidayCalendar([2026, 2027], [swap2027]));

describe('WorkingTime.isWorkingDay', () => {
  it.each([
    [plain, '2026-11-20', true], // Friday
    [plain, '2026-11-21', false], // Saturday
    [plain, '2026-11-22', false], // Sunday
    [plain, '2026-11-24', false], // Vietnamese Culture Day
    [plain, '2027-02-12', true],
    [withNotice, '2027-02-12', false], // swapped off by the notice
    [plain, '2027-02-20', false],
    [withNotice, '2027-02-20', true], // make-up Saturday
    [plain, '2027-02-10', false], // compensatory for Tết on the weekend
  ])('%#: %s → %s', (wt, date, expected) => {
    expect(wt.isWorkingDay(date)).toBe(expected);
  });
});

describe('WorkingTime.normalise', () => {
  it.each([
    ['2026-11-16T09:15', '2026-11-16T09:15'], // inside the morning
    ['2026-11-16T06:30', '2026-11-16T07:00'], // before opening
    ['2026-11-16T11:30', '2026-11-16T13:30'], // the morning's end is lunch
    ['2026-11-16T12:10', '2026-11-16T13:30'], // lunch
    ['2026-11-16T13:30', '2026-11-16T13:30'],
    ['2026-11-16T16:59', '2026-11-16T16:59'],
    ['2026-11-16T17:00', '2026-11-17T07:00'], // closing
    ['2026-11-20T18:45', '2026-11-23T07:00'], // Friday evening → Monday
    ['2026-11-21T10:00', '2026-11-23T07:00'], // Saturday
    ['2026-11-23T17:30', '2026-11-25T07:00'], // Monday evening, Tuesday 24 Nov off
    ['2026-11-24T08:00', '2026-11-25T07:00'],
    ['2027-02-04T20:00', '2027-02-12T07:00'], // Tết 2027 and its compensatory days
    ['2026-12-31T17:05', '2027-01-04T07:00'], // New Year
  ])('%s → %s', (t, expected) => {
    expect(plain.normalise(t)).toBe(expected);
  });

  it('rejects malformed times', () => {
    expect(() => plain.normalise('2026-11-16 09:15')).toThrow(RangeError);
    expect(() => plain.normalise('2026-11-16T24:00')).toThrow(RangeError);
  });
});

describe('WorkingTime.addWorkingMinutes and workingMinutesBetween', () => {
  it.each([
    ['2026-11-16T07:00', 270, '2026-11-16T11:30'], // a full morning ends at 11:30, not 13:30
    ['2026-11-16T07:00', 271, '2026-11-16T13:31'],
    ['2026-11-16T07:00', 480, '2026-11-16T17:00'], // a full day ends at closing that day
    ['2026-11-16T07:00', 481, '2026-11-17T07:01'],
    ['2026-11-16T12:00', 30, '2026-11-16T14:00'], // lunch start normalised first
    ['2026-11-20T16:30', 60, '2026-11-23T07:30'], // over the weekend
    ['2026-11-23T16:30', 60, '2026-11-25T07:30'], // over 24 Nov
    ['2026-11-16T09:00', 0, '2026-11-16T09:00'],
    ['2026-11-21T09:00', 0, '2026-11-23T07:00'],
    ['2026-12-21T08:00', 15 * 480, '2027-01-12T08:00'], // 15 working days across New Year
  ])('%s + %i min → %s', (t, minutes, expected) => {
    expect(plain.addWorkingMinutes(t, minutes)).toBe(expected);
  });

  it.each([
    ['2026-11-16T07:00', '2026-11-16T17:00', 480],
    ['2026-11-16T11:00', '2026-11-16T14:00', 60],
    ['2026-11-16T12:00', '2026-11-16T13:00', 0],
    ['2026-11-20T16:00', '2026-11-23T09:00', 180], // across the weekend
    ['2026-11-23T15:00', '2026-11-25T08:00', 180], // across 24 Nov
    ['2026-11-21T08:00', '2026-11-22T16:00', 0], // inside a weekend
    ['2026-11-23T09:00', '2026-11-20T16:00', -180],
    ['2027-02-19T16:00', '2027-02-22T08:00', 120], // no make-up day without the notice
  ])('plain: %s → %s = %i min', (a, b, expected) => {
    expect(plain.workingMinutesBetween(a, b)).toBe(expected);
  });

  it('counts a make-up Saturday', () => {
    expect(withNotice.workingMinutesBetween('2027-02-19T16:00', '2027-02-22T08:00')).toBe(60 + 480 + 60);
  });

  it.each([
    ['2026-11-16T09:00', 1],
    ['2026-11-20T16:10', 1440],
    ['2026-12-30T10:00', 3000],
    ['2027-02-04T10:00', 2400],
  ])('between(t, t + n) = n from %s with n = %i', (t, n) => {
    expect(plain.workingMinutesBetween(t, plain.addWorkingMinutes(t, n))).toBe(n);
  });

  it.each([-1, 1.5, Number.NaN])('rejects %s minutes', (n) => {
    expect(() => plain.addWorkingMinutes('2026-11-16T09:00', n)).toThrow(RangeError);
  });
});

type Row = [
  name: string,
  wt: WorkingTime,
  receivedAt: string,
  duration: number | null,
  unit: DurationUnit,
  cutoff: string | null,
  due: string | null,
  countedFrom: string,
];

const rows: Row[] = [
  [
    '3 working days over 24 Nov 2026',
    plain,
    '2026-11-20T16:10',
    3,
    'working-days',
    null,
    '2026-11-26T16:10',
    '2026-11-20T16:10',
  ],
  ['received at lunch', plain, '2026-11-16T12:15', 1, 'working-days', null, '2026-11-17T11:30', '2026-11-16T13:30'],
  [
    'received before opening',
    plain,
    '2026-11-16T06:30',
    1,
    'working-days',
    null,
    '2026-11-16T17:00',
    '2026-11-16T07:00',
  ],
  [
    'received after closing',
    plain,
    '2026-11-16T17:30',
    2,
    'working-days',
    null,
    '2026-11-18T17:00',
    '2026-11-17T07:00',
  ],
  [
    'received exactly at closing',
    plain,
    '2026-11-16T17:00',
    1,
    'working-days',
    null,
    '2026-11-17T17:00',
    '2026-11-17T07:00',
  ],
  [
    'received on a Saturday',
    plain,
    '2026-11-21T09:00',
    1,
    'working-days',
    null,
    '2026-11-23T17:00',
    '2026-11-23T07:00',
  ],
  [
    'received on the 24 Nov holiday',
    plain,
    '2026-11-24T10:00',
    1,
    'working-days',
    null,
    '2026-11-25T17:00',
    '2026-11-25T07:00',
  ],
  [
    '2 working days skip 24 Nov',
    plain,
    '2026-11-23T09:00',
    2,
    'working-days',
    null,
    '2026-11-26T09:00',
    '2026-11-23T09:00',
  ],
  [
    'Tết 2027, computed days only',
    plain,
    '2027-02-04T10:00',
    3,
    'working-days',
    null,
    '2027-02-16T10:00',
    '2027-02-04T10:00',
  ],
  [
    'Tết 2027 with the swap notice',
    withNotice,
    '2027-02-04T10:00',
    3,
    'working-days',
    null,
    '2027-02-17T10:00',
    '2027-02-04T10:00',
  ],
  [
    'make-up Saturday counted',
    withNotice,
    '2027-02-18T10:00',
    2,
    'working-days',
    null,
    '2027-02-20T10:00',
    '2027-02-18T10:00',
  ],
  [
    'same receipt without the make-up Saturday',
    plain,
    '2027-02-18T10:00',
    2,
    'working-days',
    null,
    '2027-02-22T10:00',
    '2027-02-18T10:00',
  ],
  [
    '15 working days across New Year 2027',
    plain,
    '2026-12-21T08:00',
    15,
    'working-days',
    null,
    '2027-01-12T08:00',
    '2026-12-21T08:00',
  ],
  ['half a working day', plain, '2026-11-16T07:00', 0.5, 'working-days', null, '2026-11-16T11:00', '2026-11-16T07:00'],
  [
    'cut-off: a minute before 15:00',
    plain,
    '2026-11-16T14:59',
    1,
    'working-days',
    '15:00',
    '2026-11-17T14:59',
    '2026-11-16T14:59',
  ],
  [
    'cut-off: exactly 15:00 is not after it',
    plain,
    '2026-11-16T15:00',
    1,
    'working-days',
    '15:00',
    '2026-11-17T15:00',
    '2026-11-16T15:00',
  ],
  [
    'cut-off: after 15:00',
    plain,
    '2026-11-16T15:20',
    1,
    'working-days',
    '15:00',
    '2026-11-17T17:00',
    '2026-11-17T07:00',
  ],
  [
    'cut-off: after 15:00 before 24 Nov',
    plain,
    '2026-11-23T15:30',
    1,
    'working-days',
    '15:00',
    '2026-11-25T17:00',
    '2026-11-25T07:00',
  ],
  ['cut-off at lunch', plain, '2026-11-16T12:00', 1, 'working-days', '11:00', '2026-11-17T17:00', '2026-11-17T07:00'],
  ['same-day procedure', plain, '2026-11-16T10:00', 0, 'working-days', '15:00', '2026-11-16T17:00', '2026-11-16T10:00'],
  [
    'same-day procedure after the cut-off',
    plain,
    '2026-11-16T15:30',
    0,
    'working-days',
    '15:00',
    '2026-11-17T17:00',
    '2026-11-17T07:00',
  ],
  [
    'same-day procedure on Friday evening',
    plain,
    '2026-11-20T17:10',
    0,
    'working-days',
    null,
    '2026-11-23T17:00',
    '2026-11-23T07:00',
  ],
  ['hours crossing lunch', plain, '2026-11-16T10:30', 4, 'hours', null, '2026-11-16T16:30', '2026-11-16T10:30'],
  ['hours crossing the night', plain, '2026-11-16T16:00', 4, 'hours', null, '2026-11-17T10:00', '2026-11-16T16:00'],
  ['hours crossing a weekend', plain, '2026-11-20T15:00', 8, 'hours', null, '2026-11-23T15:00', '2026-11-20T15:00'],
  ['hours crossing 24 Nov', plain, '2026-11-23T16:30', 2, 'hours', null, '2026-11-25T08:30', '2026-11-23T16:30'],
  ['hours from lunch', plain, '2026-11-18T12:00', 1, 'hours', null, '2026-11-18T14:30', '2026-11-18T13:30'],
  [
    'calendar days landing on a Sunday',
    plain,
    '2026-11-10T09:00',
    5,
    'calendar-days',
    null,
    '2026-11-16T09:00',
    '2026-11-10T09:00',
  ],
  [
    'calendar days landing on a Thursday',
    plain,
    '2026-11-09T09:00',
    10,
    'calendar-days',
    null,
    '2026-11-19T09:00',
    '2026-11-09T09:00',
  ],
  [
    'calendar days landing on 24 Nov',
    plain,
    '2026-11-17T10:00',
    7,
    'calendar-days',
    null,
    '2026-11-25T10:00',
    '2026-11-17T10:00',
  ],
  [
    'calendar days landing in Tết 2027',
    plain,
    '2027-01-29T09:00',
    10,
    'calendar-days',
    null,
    '2027-02-12T09:00',
    '2027-01-29T09:00',
  ],
  [
    'calendar days landing in Tết 2027 with the notice',
    withNotice,
    '2027-01-29T09:00',
    10,
    'calendar-days',
    null,
    '2027-02-15T09:00',
    '2027-01-29T09:00',
  ],
  [
    'calendar days landing on a make-up Saturday',
    withNotice,
    '2027-02-15T08:00',
    5,
    'calendar-days',
    null,
    '2027-02-20T08:00',
    '2027-02-15T08:00',
  ],
  [
    'calendar days from an evening receipt',
    plain,
    '2026-11-16T18:00',
    3,
    'calendar-days',
    null,
    '2026-11-20T07:00',
    '2026-11-17T07:00',
  ],
  ['no time limit', plain, '2026-11-16T09:00', 5, 'none', null, null, '2026-11-16T09:00'],
  ['duration not set', plain, '2026-11-21T09:00', null, 'working-days', null, null, '2026-11-23T07:00'],
];

describe('computeAppointment', () => {
  it.each(rows)('%s', (_name, workingTime, receivedAt, duration, unit, cutoff, due, countedFrom) => {
    const result = computeAppointment({ receivedAt, duration, unit, cutoff, workingTime });
    expect(result.due).toBe(due);
    expect(result.countedFrom).toBe(countedFrom);
  });

  it('keeps a calendar-day due date on a day off when configured', () => {
    const result = computeAppointment({
      receivedAt: '2026-11-09T09:00',
      duration: 5,
      unit: 'calendar-days',
      cutoff: null,
      workingTime: plain,
      calendarDayDueOnDayOff: 'keep',
    });
    expect(result.due).toBe('2026-11-14T09:00');
    expect(result.notes).toEqual([]);
  });

  it.each([
    [
      'the 24 Nov holiday skipped',
      '2026-11-20T16:10',
      3,
      'working-days',
      null,
      ['Không tính ngày nghỉ: 24/11/2026 (Ngày Văn hóa Việt Nam (24/11)).'],
    ],
    [
      'a cut-off',
      '2026-11-16T15:20',
      1,
      'working-days',
      '15:00',
      ['Tiếp nhận sau giờ chốt 15:00: tính từ 07:00 17/11/2026.'],
    ],
    [
      'a Saturday receipt',
      '2026-11-21T09:00',
      1,
      'working-days',
      null,
      ['Tiếp nhận vào ngày nghỉ (thứ Bảy): tính từ 07:00 23/11/2026.'],
    ],
    [
      'a holiday receipt',
      '2026-11-24T10:00',
      1,
      'hours',
      null,
      ['Tiếp nhận vào ngày nghỉ (Ngày Văn hóa Việt Nam (24/11)): tính từ 07:00 25/11/2026.'],
    ],
    [
      'a lunch receipt',
      '2026-11-16T12:15',
      1,
      'hours',
      null,
      ['Tiếp nhận trong giờ nghỉ trưa: tính từ 13:30 16/11/2026.'],
    ],
    [
      'an early receipt',
      '2026-11-16T06:30',
      1,
      'hours',
      null,
      ['Tiếp nhận trước giờ làm việc: tính từ 07:00 16/11/2026.'],
    ],
    ['a late receipt', '2026-11-16T17:30', 1, 'hours', null, ['Tiếp nhận sau giờ làm việc: tính từ 07:00 17/11/2026.']],
    ['no time limit', '2026-11-16T09:00', null, 'none', null, [NO_TIME_LIMIT_NOTE]],
    [
      'a due date moved off a Sunday',
      '2026-11-10T09:00',
      5,
      'calendar-days',
      null,
      ['Hạn rơi vào ngày nghỉ 15/11/2026 (Chủ nhật): chuyển sang 09:00 16/11/2026.'],
    ],
    [
      'a same-day procedure',
      '2026-11-16T10:00',
      0,
      'working-days',
      null,
      ['Thủ tục giải quyết trong ngày: hẹn trả trước giờ kết thúc làm việc.'],
    ],
  ] as const)('notes %s', (_name, receivedAt, duration, unit, cutoff, notes) => {
    const result = computeAppointment({ receivedAt, duration, unit, cutoff, workingTime: plain });
    expect(result.notes).toEqual(notes);
  });

  it('notes a make-up Saturday that was counted', () => {
    const result = computeAppointment({
      receivedAt: '2027-02-18T10:00',
      duration: 2,
      unit: 'working-days',
      cutoff: null,
      workingTime: withNotice,
    });
    expect(result.notes).toEqual(['Có tính ngày làm bù: 20/02/2027.']);
  });

  it.each([
    ['a negative duration', { duration: -1 }],
    ['a NaN duration', { duration: Number.NaN }],
    ['a bad cut-off', { cutoff: '3pm' }],
    ['a bad receipt time', { receivedAt: '2026-11-16 09:00' }],
    ['an unknown unit', { unit: 'weeks' as DurationUnit }],
  ])('rejects %s', (_name, change) => {
    const request = {
      receivedAt: '2026-11-16T09:00',
      duration: 1,
      unit: 'working-days' as DurationUnit,
      cutoff: null,
      workingTime: plain,
      ...change,
    };
    expect(() => computeAppointment(request)).toThrow(RangeError);
  });
});

describe('custom office hours', () => {
  const summer = new WorkingTime(buildHolidayCalendar([2026], []), {
    morning: ['07:30', '11:30'],
    afternoon: ['13:00', '17:00'],
    hoursPerDay: 8,
  });

  it.each([
    ['2026-11-16T07:00', 1, 'working-days', '2026-11-16T17:00'],
    ['2026-11-16T12:30', 2, 'hours', '2026-11-16T15:00'],
    ['2026-11-20T16:10', 3, 'working-days', '2026-11-26T16:10'],
  ] as const)('%s + %i %s → %s', (receivedAt, duration, unit, due) => {
    expect(computeAppointment({ receivedAt, duration, unit, cutoff: null, workingTime: summer }).due).toBe(due);
  });

  it.each([
    [{ morning: ['11:30', '07:00'], afternoon: ['13:30', '17:00'], hoursPerDay: 8 }],
    [{ morning: ['07:00', '14:00'], afternoon: ['13:30', '17:00'], hoursPerDay: 8 }],
    [{ morning: ['07:00', '11:30'], afternoon: ['13:30', '17:00'], hoursPerDay: 0 }],
    [{ morning: ['7h', '11:30'], afternoon: ['13:30', '17:00'], hoursPerDay: 8 }],
  ] as const)('rejects %j', (hours) => {
    expect(() => new WorkingTime(buildHolidayCalendar([], []), hours)).toThrow(RangeError);
    expect(OfficeHoursSchema.safeParse(hours).success).toBe(false);
  });

  it('the schema accepts the default', () => {
    expect(OfficeHoursSchema.parse(DEFAULT_OFFICE_HOURS)).toEqual(DEFAULT_OFFICE_HOURS);
  });
});

describe('extendForSupplement', () => {
  it.each([
    ['a pause across a weekend', '2026-11-26T16:10', '2026-11-13T16:00', '2026-11-16T09:00', '2026-11-27T09:10', 180],
    ['a pause across 24 Nov', '2026-11-30T10:00', '2026-11-23T15:00', '2026-11-25T08:00', '2026-11-30T15:00', 180],
    [
      'an extension running into 24 Nov',
      '2026-11-23T16:00',
      '2026-11-18T09:00',
      '2026-11-18T11:00',
      '2026-11-25T08:00',
      120,
    ],
    ['a pause inside a weekend', '2026-11-26T16:10', '2026-11-21T10:00', '2026-11-22T10:00', '2026-11-26T16:10', 0],
    [
      'a due at closing time stays at closing when nothing was paused',
      '2026-11-26T17:00',
      '2026-11-21T10:00',
      '2026-11-21T11:00',
      '2026-11-26T17:00',
      0,
    ],
    ['a whole working day paused', '2026-11-26T17:00', '2026-11-16T09:00', '2026-11-17T09:00', '2026-11-27T17:00', 480],
  ])('%s', (_name, previousDue, pausedAt, resumedAt, newDue, minutes) => {
    expect(extendForSupplement({ previousDue, pausedAt, resumedAt, workingTime: plain })).toEqual({
      previousDue,
      newDue,
      pausedWorkingMinutes: minutes,
    });
  });

  it('a procedure without a due date keeps none', () => {
    expect(
      extendForSupplement({
        previousDue: null,
        pausedAt: '2026-11-16T09:00',
        resumedAt: '2026-11-17T09:00',
        workingTime: plain,
      }).newDue,
    ).toBeNull();
  });

  it('rejects a resume before the pause', () => {
    expect(() =>
      extendForSupplement({
        previousDue: '2026-11-26T16:10',
        pausedAt: '2026-11-17T09:00',
        resumedAt: '2026-11-16T09:00',
        workingTime: plain,
      }),
    ).toThrow(RangeError);
  });
});

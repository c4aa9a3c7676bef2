/**
 * The Vietnamese lunisolar calendar (âm lịch), computed astronomically for a time zone
 * (UTC+7 for Vietnam; UTC+8 gives the Chinese calendar, which is why the two differ in some
 * years, e.g. Tết 1985 and 2007).
 *
 * Rules:
 * - A month starts on the local day of an astronomical new moon.
 * - Month 11 is the month that contains the winter solstice (sun's apparent longitude 270°).
 * - A lunar "frame" runs from one month 11 to the next. If it holds 13 months, the first month
 *   after month 11 that contains no major solar term (sun longitude a multiple of 30°) is a leap
 *   month and repeats the number of the month before it.
 * Whether a month contains a term is decided on local days: the month contains a term when the
 * sun's longitude at the local midnight starting the month and at the local midnight starting
 * the next month lie in different 30° sectors.
 *
 * New moons follow Meeus, "Astronomical Algorithms" (2nd ed.), ch. 49, including the planetary
 * corrections; the sun's longitude follows ch. 25 (about 0.01°). ΔT (TT − UT) uses the
 * Espenak–Meeus polynomials. Supported for Gregorian years 1800 … 2199.
 */
import { civilDateOf, dayNumberOf, isValidCivilDate, type CivilDate } from './local-date';

export const VIETNAM_TIME_ZONE = 7;

const DEG = Math.PI / 180;
/** Julian day of 1970-01-01T00:00 UT. */
const JD_UNIX_EPOCH = 2440587.5;
const MEAN_SYNODIC_MONTH = 29.530588861;

export interface LunarDate {
  day: number;
  month: number;
  year: number;
  leap: boolean;
}

function sinDeg(x: number): number {
  return Math.sin(x * DEG);
}

function normaliseDegrees(x: number): number {
  const r = x % 360;
  return r < 0 ? r + 360 : r;
}

/** ΔT = TT − UT in seconds for a decimal year (Espenak & Meeus, NASA eclipse pages). */
export function deltaTSeconds(decimalYear: number): number {
  const y = decimalYear;
  if (y < 1860) {
    const u = (y - 1820) / 100;
    return -20 + 32 * u * u;
  }
  if (y < 1900) {
    const t = y - 1860;
    return 7.62 + 0.5737 * t - 0.251754 * t ** 2 + 0.01680668 * t ** 3 - 0.0004473624 * t ** 4 + t ** 5 / 233174;
  }
  if (y < 1920) {
    const t = y - 1900;
    return -2.79 + 1.494119 * t - 0.0598939 * t ** 2 + 0.0061966 * t ** 3 - 0.000197 * t ** 4;
  }
  if (y < 1941) {
    const t = y - 1920;
    return 21.2 + 0.84493 * t - 0.0761 * t ** 2 + 0.0020936 * t ** 3;
  }
  if (y < 1961) {
    const t = y - 1950;
    return 29.07 + 0.407 * t - t ** 2 / 233 + t ** 3 / 2547;
  }
  if (y < 1986) {
    const t = y - 1975;
    return 45.45 + 1.067 * t - t ** 2 / 260 - t ** 3 / 718;
  }
  if (y < 2005) {
    const t = y - 2000;
    return 63.86 + 0.3345 * t - 0.060374 * t ** 2 + 0.0017275 * t ** 3 + 0.000651814 * t ** 4 + 0.00002373599 * t ** 5;
  }
  if (y < 2050) {
    const t = y - 2000;
    return 62.92 + 0.32217 * t + 0.005589 * t ** 2;
  }
  const u = (y - 1820) / 100;
  if (y < 2150) return -20 + 32 * u * u - 0.5628 * (2150 - y);
  return -20 + 32 * u * u;
}

/** Periodic terms of the true new moon (Meeus table 49.A, new-moon column). */
function newMoonCorrection(k: number, t: number): number {
  const e = 1 - 0.002516 * t - 0.0000074 * t * t;
  const m = 2.5534 + 29.1053567 * k - 0.0000014 * t * t - 0.00000011 * t ** 3;
  const mp = 201.5643 + 385.81693528 * k + 0.0107582 * t * t + 0.00001238 * t ** 3 - 0.000000058 * t ** 4;
  const f = 160.7108 + 390.67050284 * k - 0.0016118 * t * t - 0.00000227 * t ** 3 + 0.000000011 * t ** 4;
  const omega = 124.7746 - 1.56375588 * k + 0.0020672 * t * t + 0.00000215 * t ** 3;
  return (
    -0.4072 * sinDeg(mp) +
    0.17241 * e * sinDeg(m) +
    0.01608 * sinDeg(2 * mp) +
    0.01039 * sinDeg(2 * f) +
    0.00739 * e * sinDeg(mp - m) -
    0.00514 * e * sinDeg(mp + m) +
    0.00208 * e * e * sinDeg(2 * m) -
    0.00111 * sinDeg(mp - 2 * f) -
    0.00057 * sinDeg(mp + 2 * f) +
    0.00056 * e * sinDeg(2 * mp + m) -
    0.00042 * sinDeg(3 * mp) +
    0.00042 * e * sinDeg(m + 2 * f) +
    0.00038 * e * sinDeg(m - 2 * f) -
    0.00024 * e * sinDeg(2 * mp - m) -
    0.00017 * sinDeg(omega) -
    0.00007 * sinDeg(mp + 2 * m) +
    0.00004 * sinDeg(2 * mp - 2 * f) +
    0.00004 * sinDeg(3 * m) +
    0.00003 * sinDeg(mp + m - 2 * f) +
    0.00003 * sinDeg(2 * mp + 2 * f) -
    0.00003 * sinDeg(mp + m + 2 * f) +
    0.00003 * sinDeg(mp - m + 2 * f) -
    0.00002 * sinDeg(mp - m - 2 * f) -
    0.00002 * sinDeg(3 * mp + m) +
    0.00002 * sinDeg(4 * mp)
  );
}

/** Planetary arguments (Meeus table 49.B). */
const PLANETARY_TERMS: ReadonlyArray<readonly [number, number, number]> = [
  [0.000325, 299.77, 0.107408],
  [0.000165, 251.88, 0.016321],
  [0.000164, 251.83, 26.651886],
  [0.000126, 349.42, 36.412478],
  [0.00011, 84.66, 18.206239],
  [0.000062, 141.74, 53.303771],
  [0.00006, 207.14, 2.453732],
  [0.000056, 154.84, 7.30686],
  [0.000047, 34.52, 27.261239],
  [0.000042, 207.19, 0.121824],
  [0.00004, 291.34, 1.844379],
  [0.000037, 161.72, 24.198154],
  [0.000035, 239.56, 25.513099],
  [0.000023, 331.55, 3.592518],
];

/**
 * Julian Ephemeris Day (TT) of the k-th new moon counted from the one of 2000-01-06
 * (k = 0). Meeus example 49.a: k = −283 → JDE 2443192.65118.
 */
export function newMoonJde(k: number): number {
  const t = k / 1236.85;
  let jde = 2451550.09766 + MEAN_SYNODIC_MONTH * k + 0.00015437 * t * t - 0.00000015 * t ** 3 + 0.00000000073 * t ** 4;
  jde += newMoonCorrection(k, t);
  PLANETARY_TERMS.forEach(([coefficient, base, rate], index) => {
    const angle = index === 0 ? base + rate * k - 0.009173 * t * t : base + rate * k;
    jde += coefficient * sinDeg(angle);
  });
  return jde;
}

function decimalYearOfJd(jd: number): number {
  return 2000 + (jd - 2451545) / 365.25;
}

/** Julian Day (UT) of the k-th new moon. */
export function newMoonJdUt(k: number): number {
  const jde = newMoonJde(k);
  return jde - deltaTSeconds(decimalYearOfJd(jde)) / 86400;
}

/** Day number (days since 1970-01-01) of the local date on which the k-th new moon falls. */
export function newMoonDayNumber(k: number, timeZone: number = VIETNAM_TIME_ZONE): number {
  return Math.floor(newMoonJdUt(k) - JD_UNIX_EPOCH + timeZone / 24);
}

/** Apparent geocentric longitude of the sun in degrees at a Julian Day (UT) (Meeus ch. 25). */
export function sunApparentLongitude(jdUt: number): number {
  const jde = jdUt + deltaTSeconds(decimalYearOfJd(jdUt)) / 86400;
  const t = (jde - 2451545) / 36525;
  const l0 = 280.46646 + 36000.76983 * t + 0.0003032 * t * t;
  const m = 357.52911 + 35999.05029 * t - 0.0001537 * t * t;
  const c =
    (1.914602 - 0.004817 * t - 0.000014 * t * t) * sinDeg(m) +
    (0.019993 - 0.000101 * t) * sinDeg(2 * m) +
    0.000289 * sinDeg(3 * m);
  const omega = 125.04 - 1934.136 * t;
  return normaliseDegrees(l0 + c - 0.00569 - 0.00478 * sinDeg(omega));
}

/** 30° sector (0 … 11) of the sun's longitude at the local midnight that starts a day. */
function sunSectorAtDayStart(dayNumber: number, timeZone: number): number {
  const jdUt = dayNumber + JD_UNIX_EPOCH - timeZone / 24;
  return Math.floor(sunApparentLongitude(jdUt) / 30);
}

function checkTimeZone(timeZone: number): void {
  if (!Number.isFinite(timeZone) || timeZone < -12 || timeZone > 14) {
    throw new RangeError(`Múi giờ không hợp lệ: ${timeZone}`);
  }
}

/** Index k of the new moon on or before a local day (the start of the month containing it). */
function monthIndexContaining(dayNumber: number, timeZone: number): number {
  let k = Math.floor((dayNumber + JD_UNIX_EPOCH - 2451550.09766) / MEAN_SYNODIC_MONTH);
  while (newMoonDayNumber(k, timeZone) > dayNumber) k -= 1;
  while (newMoonDayNumber(k + 1, timeZone) <= dayNumber) k += 1;
  return k;
}

/** New-moon index of month 11 of the lunar year that is current in December of `year`. */
function month11Index(year: number, timeZone: number): number {
  let k = monthIndexContaining(dayNumberOf(year, 12, 31), timeZone);
  // The month holding 31 Dec is month 11 only if the solstice has not passed when it starts.
  if (sunSectorAtDayStart(newMoonDayNumber(k, timeZone), timeZone) >= 9) k -= 1;
  return k;
}

interface LunarFrame {
  /** New-moon index of the frame's first month (month 11 of the previous lunar year). */
  firstIndex: number;
  /** Month start day numbers, from month 11 up to and including the next month 11. */
  starts: number[];
  /** Offset (from month 11) of the leap month, or null in a 12-month frame. */
  leapOffset: number | null;
}

const frameCache = new Map<string, LunarFrame>();

/** The months from month 11 of Gregorian year `year − 1` up to month 11 of `year`. */
function frameEndingIn(year: number, timeZone: number): LunarFrame {
  const key = `${year}@${timeZone}`;
  const cached = frameCache.get(key);
  if (cached) return cached;
  const firstIndex = month11Index(year - 1, timeZone);
  const lastIndex = month11Index(year, timeZone);
  const starts: number[] = [];
  for (let k = firstIndex; k <= lastIndex; k += 1) starts.push(newMoonDayNumber(k, timeZone));
  let leapOffset: number | null = null;
  if (starts.length === 14) {
    for (let offset = 1; offset < 13; offset += 1) {
      const sectorAtStart = sunSectorAtDayStart(starts[offset]!, timeZone);
      const sectorAtNext = sunSectorAtDayStart(starts[offset + 1]!, timeZone);
      if (sectorAtStart === sectorAtNext) {
        leapOffset = offset;
        break;
      }
    }
  }
  const frame: LunarFrame = { firstIndex, starts, leapOffset };
  frameCache.set(key, frame);
  return frame;
}

/** Month number (1 … 12) at an offset from month 11 in a frame with no leap month. */
function plainMonthNumber(offset: number): number {
  return ((offset + 10) % 12) + 1;
}

function checkYear(year: number): void {
  if (!Number.isInteger(year) || year < 1800 || year > 2199) {
    throw new RangeError(`Năm ngoài phạm vi lịch âm hỗ trợ (1800-2199): ${year}`);
  }
}

/** Converts a Gregorian date to the lunar date in a time zone (UTC+7 by default). */
export function solarToLunar(
  year: number,
  month: number,
  day: number,
  timeZone: number = VIETNAM_TIME_ZONE,
): LunarDate {
  checkTimeZone(timeZone);
  checkYear(year);
  if (!isValidCivilDate(year, month, day)) {
    throw new RangeError(`Ngày dương lịch không hợp lệ: ${year}-${month}-${day}`);
  }
  const dayNumber = dayNumberOf(year, month, day);
  const frameOfYear = frameEndingIn(year, timeZone);
  // From month 11 of `year` on, the date belongs to the frame that ends in the next year.
  const frameEndYear = dayNumber >= frameOfYear.starts.at(-1)! ? year + 1 : year;
  const frame = frameEndYear === year ? frameOfYear : frameEndingIn(year + 1, timeZone);
  let offset = 0;
  while (offset + 1 < frame.starts.length && frame.starts[offset + 1]! <= dayNumber) offset += 1;
  let lunarMonth: number;
  let leap = false;
  if (frame.leapOffset === null || offset < frame.leapOffset) {
    lunarMonth = plainMonthNumber(offset);
  } else {
    lunarMonth = plainMonthNumber(offset - 1);
    leap = offset === frame.leapOffset;
  }
  const lunarYear = lunarMonth >= 11 ? frameEndYear - 1 : frameEndYear;
  return { day: dayNumber - frame.starts[offset]! + 1, month: lunarMonth, year: lunarYear, leap };
}

function monthOffsetIn(frame: LunarFrame, lunarMonth: number, leap: boolean): number | null {
  const plainOffset = lunarMonth >= 11 ? lunarMonth - 11 : lunarMonth + 1;
  if (frame.leapOffset === null) return leap ? null : plainOffset;
  if (leap) return frame.leapOffset - 1 === plainOffset ? frame.leapOffset : null;
  return plainOffset < frame.leapOffset ? plainOffset : plainOffset + 1;
}

/** Length (29 or 30) of a lunar month, or null when that (leap) month does not exist. */
export function lunarMonthLength(
  lunarMonth: number,
  lunarYear: number,
  leap: boolean,
  timeZone: number = VIETNAM_TIME_ZONE,
): number | null {
  checkTimeZone(timeZone);
  if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12) return null;
  const frame = frameEndingIn(lunarMonth >= 11 ? lunarYear + 1 : lunarYear, timeZone);
  const offset = monthOffsetIn(frame, lunarMonth, leap);
  if (offset === null) return null;
  return frame.starts[offset + 1]! - frame.starts[offset]!;
}

/** The leap month (1 … 12) of a lunar year, or null when the year has none. */
export function leapMonthOf(lunarYear: number, timeZone: number = VIETNAM_TIME_ZONE): number | null {
  checkTimeZone(timeZone);
  checkYear(lunarYear);
  for (const frameYear of [lunarYear, lunarYear + 1]) {
    const frame = frameEndingIn(frameYear, timeZone);
    if (frame.leapOffset === null) continue;
    const month = plainMonthNumber(frame.leapOffset - 1);
    const belongsTo = month >= 11 ? frameYear - 1 : frameYear;
    if (belongsTo === lunarYear) return month;
  }
  return null;
}

/**
 * Converts a lunar date to the Gregorian date in a time zone (UTC+7 by default); null when the
 * date does not exist (a leap month the year does not have, or day 30 of a 29-day month).
 */
export function lunarToSolar(
  lunarDay: number,
  lunarMonth: number,
  lunarYear: number,
  leap: boolean,
  timeZone: number = VIETNAM_TIME_ZONE,
): CivilDate | null {
  checkTimeZone(timeZone);
  checkYear(lunarYear);
  if (!Number.isInteger(lunarMonth) || lunarMonth < 1 || lunarMonth > 12) return null;
  if (!Number.isInteger(lunarDay) || lunarDay < 1 || lunarDay > 30) return null;
  const frame = frameEndingIn(lunarMonth >= 11 ? lunarYear + 1 : lunarYear, timeZone);
  const offset = monthOffsetIn(frame, lunarMonth, leap);
  if (offset === null) return null;
  const start = frame.starts[offset]!;
  if (lunarDay > frame.starts[offset + 1]! - start) return null;
  return civilDateOf(start + lunarDay - 1);
}

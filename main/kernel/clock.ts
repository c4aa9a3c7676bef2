/**
 * Vietnam wall-clock time (UTC+7, no daylight saving). Everything the desk records or prints is in
 * this time; the store keeps `YYYY-MM-DDTHH:mm` strings and epoch ms where ordering matters.
 */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** `YYYY-MM-DDTHH:mm` in Vietnam time. */
  localNow(): string;
  /** `YYYY-MM-DD` in Vietnam time. */
  today(): string;
}

const OFFSET_MS = 7 * 60 * 60 * 1000;

export function toLocalDateTime(epochMs: number): string {
  return new Date(epochMs + OFFSET_MS).toISOString().slice(0, 16);
}

export function localToEpoch(local: string): number {
  return Date.parse(`${local.length === 10 ? `${local}T00:00` : local}:00.000+07:00`);
}

export const systemClock: Clock = {
  now: () => Date.now(),
  localNow: () => toLocalDateTime(Date.now()),
  today: () => toLocalDateTime(Date.now()).slice(0, 10),
};

/** A clock fixed at a Vietnam time, or offset from the system clock (training and tests). */
export function fixedClock(local: string): Clock & { set(local: string): void; advance(ms: number): void } {
  let at = localToEpoch(local);
  return {
    now: () => at,
    localNow: () => toLocalDateTime(at),
    today: () => toLocalDateTime(at).slice(0, 10),
    set: (l: string) => {
      at = localToEpoch(l);
    },
    advance: (ms: number) => {
      at += ms;
    },
  };
}

/** Runs in real time from a chosen Vietnam start time (training scenarios, end-to-end tests). */
export function shiftedClock(startLocal: string): Clock {
  const offset = localToEpoch(startLocal) - Date.now();
  const now = () => Date.now() + offset;
  return { now, localNow: () => toLocalDateTime(now()), today: () => toLocalDateTime(now()).slice(0, 10) };
}

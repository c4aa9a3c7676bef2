import { describe, expect, it } from 'vitest';
import { fixedClock, systemClock } from '../kernel/clock';
import { CircuitBreaker, type BreakerSnapshot } from './circuit-breaker';

const fakeClock = () => fixedClock('2026-12-07T08:00');

describe('CircuitBreaker (fake clock)', () => {
  it('stays closed below the threshold and a success resets the count', () => {
    const clock = fakeClock();
    const b = new CircuitBreaker(clock, { failureThreshold: 3, openMs: 1000 });
    b.failed('x');
    b.failed('x');
    expect(b.state).toBe('closed');
    b.succeeded();
    b.failed('x');
    b.failed('x');
    expect(b.state).toBe('closed');
    expect(b.tryAcquire()).toBe(true);
  });

  it('opens after N consecutive failures, refuses until openMs, then lets one probe through', () => {
    const clock = fakeClock();
    const start = clock.now();
    const changes: BreakerSnapshot[] = [];
    const b = new CircuitBreaker(clock, { failureThreshold: 3, openMs: 1000, halfOpenProbes: 1 }, (s) =>
      changes.push(s),
    );
    for (let i = 0; i < 3; i++) b.failed(`REMOTE_UNAVAILABLE #${i}`);
    expect(b.snapshot()).toMatchObject({
      state: 'open',
      openedAt: start,
      retryAt: start + 1000,
      lastError: 'REMOTE_UNAVAILABLE #2',
    });
    expect(b.tryAcquire()).toBe(false);
    clock.advance(999);
    expect(b.tryAcquire()).toBe(false);
    clock.advance(1);
    expect(b.state).toBe('half-open');
    expect(b.tryAcquire()).toBe(true);
    expect(b.tryAcquire()).toBe(false); // one probe at a time
    b.succeeded();
    expect(b.state).toBe('closed');
    expect(changes.map((c) => c.state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('a failed probe reopens it for twice as long, capped at maxOpenMs', () => {
    const clock = fakeClock();
    const b = new CircuitBreaker(clock, { failureThreshold: 1, openMs: 1000, maxOpenMs: 3000 });
    b.failed('down');
    const periods: number[] = [];
    for (let i = 0; i < 4; i++) {
      const s = b.snapshot();
      periods.push(s.retryAt! - s.openedAt!);
      clock.advance(s.retryAt! - clock.now());
      expect(b.tryAcquire()).toBe(true);
      b.failed('still down');
    }
    expect(periods).toEqual([1000, 2000, 3000, 3000]);
    clock.advance(3000);
    expect(b.tryAcquire()).toBe(true);
    b.succeeded();
    b.failed('again');
    const s = b.snapshot();
    expect(s.retryAt! - s.openedAt!).toBe(1000); // back to the first period after a success
  });

  it('trip() opens at once; reset() closes by hand; released() frees a probe slot', () => {
    const clock = fakeClock();
    const b = new CircuitBreaker(clock, { failureThreshold: 10, openMs: 500 });
    b.trip('REMOTE_AUTH_FAILED');
    expect(b.state).toBe('open');
    clock.advance(500);
    expect(b.tryAcquire()).toBe(true);
    b.released();
    expect(b.tryAcquire()).toBe(true);
    b.reset();
    expect(b.snapshot()).toMatchObject({ state: 'closed', failures: 0, lastError: null });
  });

  it('failures while open are not counted twice and do not extend the period', () => {
    const clock = fakeClock();
    const b = new CircuitBreaker(clock, { failureThreshold: 2, openMs: 1000 });
    b.failed('a');
    b.failed('b');
    const before = b.snapshot().retryAt;
    clock.advance(10);
    b.failed('late answer of a request sent before it opened');
    expect(b.snapshot().retryAt).toBe(before);
  });

  it('rejects nonsense options', () => {
    expect(() => new CircuitBreaker(systemClock, { failureThreshold: 0 })).toThrow(RangeError);
    expect(() => new CircuitBreaker(systemClock, { openMs: -1 })).toThrow(RangeError);
  });
});

import { describe, expect, it } from 'vitest';
import type { PriorityRule } from '../../common/contract';
import { callsBefore, pickNext, recentWindow, ticketNumber, type CallCandidate } from './queue-rules';

const A = (id: number): CallCandidate => ({ id, priority: false, targeted: false });
const P = (id: number): CallCandidate => ({ id, priority: true, targeted: false });
const T = (id: number, priority = false): CallCandidate => ({ id, priority, targeted: true });
const FIRST: PriorityRule = { mode: 'first' };
const ONE_IN_3: PriorityRule = { mode: 'interleave', every: 3 };

describe('pickNext', () => {
  it.each([
    ['nobody waits', [], [], FIRST, null],
    ['only ordinary', [A(2), A(1)], [], FIRST, 1],
    ['only priority', [P(4)], [true, true], ONE_IN_3, 4],
    ['strict: priority before an older ordinary ticket', [A(1), P(5)], [true], FIRST, 5],
    ['1 in 3: no priority among the last 2 calls', [A(1), P(5)], [false, false], ONE_IN_3, 5],
    ['1 in 3: a priority call 1 call ago', [A(1), P(5)], [true, false], ONE_IN_3, 1],
    ['1 in 3: a priority call 2 calls ago', [A(1), P(5)], [false, true], ONE_IN_3, 1],
    ['1 in 3: a priority call 3 calls ago is outside the window', [A(1), P(5)], [false, false, true], ONE_IN_3, 5],
    ['1 in 2: alternate', [A(1), P(5)], [false], { mode: 'interleave', every: 2 } as PriorityRule, 5],
    ['1 in 2: after a priority call', [A(1), P(5)], [true], { mode: 'interleave', every: 2 } as PriorityRule, 1],
    ['a fresh day (no calls yet) starts with priority', [A(1), P(5)], [], ONE_IN_3, 5],
    ['a ticket transferred here goes first', [P(1), A(2), T(9)], [], FIRST, 9],
    ['the oldest transferred ticket goes first', [T(9), T(7, true)], [], FIRST, 7],
  ] as [string, CallCandidate[], boolean[], PriorityRule, number | null][])(
    '%s',
    (_name, candidates, recent, rule, expected) => {
      expect(pickNext(candidates, recent, rule)?.id ?? null).toBe(expected);
    },
  );

  it('gives the 1-in-N order over a whole morning', () => {
    const waiting: CallCandidate[] = [A(1), A(2), A(3), A(4), P(5), P(6)];
    const calls: boolean[] = [];
    const order: number[] = [];
    while (waiting.length > 0) {
      const next = pickNext(waiting, calls, ONE_IN_3)!;
      order.push(next.id);
      calls.unshift(next.priority);
      waiting.splice(waiting.indexOf(next), 1);
    }
    expect(order).toEqual([5, 1, 2, 6, 3, 4]);
  });

  it('looks back N-1 calls', () => {
    expect(recentWindow(FIRST)).toBe(0);
    expect(recentWindow(ONE_IN_3)).toBe(2);
  });
});

describe('callsBefore (people ahead on a ticket)', () => {
  const ONE_IN_2: PriorityRule = { mode: 'interleave', every: 2 };
  it.each([
    ['an ordinary ticket behind three ordinary', [A(1), A(2), A(3), A(4)], 4, [], FIRST, 3],
    [
      'a priority ticket under first: called next although three came earlier',
      [A(1), A(2), A(3), P(4)],
      4,
      [],
      FIRST,
      0,
    ],
    ['a priority ticket under first: behind an older priority ticket only', [A(1), P(2), A(3), P(4)], 4, [], FIRST, 1],
    [
      'an ordinary ticket under first: every priority ticket goes before it, even later ones',
      [A(1), A(2), P(3), P(5)],
      2,
      [],
      FIRST,
      3,
    ],
    ['a transferred ticket goes before a priority ticket', [T(9), A(1), P(4)], 4, [], FIRST, 1],
    ['interleave 1 in 3, fresh day: the priority ticket is called first', [A(1), A(2), A(3), P(4)], 4, [], ONE_IN_3, 0],
    [
      'interleave 1 in 3, a priority call just made: two ordinary calls first',
      [A(1), A(2), A(3), P(4)],
      4,
      [true],
      ONE_IN_3,
      2,
    ],
    [
      'interleave 1 in 3, priority two calls ago: one ordinary call first',
      [A(1), A(2), A(3), P(4)],
      4,
      [false, true],
      ONE_IN_3,
      1,
    ],
    [
      'interleave 1 in 3: the second priority ticket waits for the pattern',
      [A(1), A(2), A(3), P(4), P(5)],
      5,
      [],
      ONE_IN_3,
      3,
    ],
    ['interleave 1 in 2: an ordinary ticket behind two priority tickets', [A(1), A(2), P(3), P(4)], 2, [], ONE_IN_2, 3],
    ['only priority tickets: take order', [P(1), P(2), P(3)], 3, [true, true], ONE_IN_3, 2],
    ['nobody ahead', [A(7)], 7, [], FIRST, 0],
    ['a ticket not in the line has everyone ahead', [A(1), A(2)], 99, [], FIRST, 2],
  ] as [string, CallCandidate[], number, boolean[], PriorityRule, number][])(
    '%s',
    (_name, waiting, id, recent, rule, expected) => {
      expect(callsBefore(waiting, id, recent, rule)).toBe(expected);
    },
  );

  it('agrees with the order pickNext actually calls in', () => {
    const waiting: CallCandidate[] = [A(1), P(2), A(3), A(4), P(5), A(6), P(7)];
    for (const rule of [FIRST, ONE_IN_3, ONE_IN_2]) {
      const order: number[] = [];
      const left = [...waiting];
      const calls: boolean[] = [];
      while (left.length > 0) {
        const next = pickNext(left, calls, rule)!;
        order.push(next.id);
        calls.unshift(next.priority);
        left.splice(left.indexOf(next), 1);
      }
      for (const c of waiting)
        expect(callsBefore(waiting, c.id, [], rule), `${rule.mode} ${c.id}`).toBe(order.indexOf(c.id));
    }
  });
});

describe('ticketNumber', () => {
  it.each([
    ['A', 1, 'A001'],
    ['B', 42, 'B042'],
    ['CT', 999, 'CT999'],
    ['A', 1000, 'A1000'],
  ] as const)('%s %i → %s', (prefix, seq, number) => {
    expect(ticketNumber(prefix, seq)).toBe(number);
  });
  it('refuses a sequence below 1', () => {
    expect(() => ticketNumber('A', 0)).toThrow(RangeError);
  });
});

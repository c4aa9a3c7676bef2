import type { PriorityRule } from '../../common/contract';

/**
 * The pure calling rule of a counter (no SQL, no clock), table-tested in `queue-rules.test.ts`.
 *
 * 1. A ticket transferred to this counter is called first (it was sent here on purpose and has
 *    waited once already).
 * 2. Otherwise the oldest priority ticket and the oldest ordinary ticket the counter serves compete:
 *    - `first`: a priority ticket always goes first;
 *    - `interleave` every N: a priority ticket is called when none of the counter's last N-1 calls
 *      of the day was one (so at most one in N calls is a priority call while ordinary people wait).
 * 3. Among equals, take order (ticket id): a ticket transferred to a service keeps its place by the
 *    time it was taken, ahead of people who came after it.
 */
export interface CallCandidate {
  id: number;
  priority: boolean;
  /** Transferred to this counter. */
  targeted: boolean;
}

export function pickNext<C extends CallCandidate>(
  candidates: readonly C[],
  recentPriorityCalls: readonly boolean[],
  rule: PriorityRule,
): C | null {
  const byTake = [...candidates].sort((a, b) => a.id - b.id);
  const targeted = byTake.find((c) => c.targeted);
  if (targeted) return targeted;
  const priority = byTake.find((c) => c.priority);
  const ordinary = byTake.find((c) => !c.priority);
  if (!priority || !ordinary) return priority ?? ordinary ?? null;
  if (rule.mode === 'first') return priority;
  const window = recentPriorityCalls.slice(0, Math.max(1, rule.every) - 1);
  return window.some(Boolean) ? ordinary : priority;
}

/**
 * How many of `waiting` the rule calls before ticket `id` (the "people ahead" printed on a ticket):
 * `pickNext` is applied call after call, each call added to the recent calls (newest first), until
 * it picks `id`. So a priority ticket under `first` has only older priority tickets (and tickets
 * transferred to the counter) ahead, and under `interleave` its place follows the 1-in-N pattern
 * from the counter's actual recent calls. A ticket not in `waiting` has everyone ahead.
 */
export function callsBefore<C extends CallCandidate>(
  waiting: readonly C[],
  id: number,
  recentPriorityCalls: readonly boolean[],
  rule: PriorityRule,
): number {
  const remaining = [...waiting];
  const calls = [...recentPriorityCalls];
  let count = 0;
  for (;;) {
    const next = pickNext(remaining, calls, rule);
    if (next === null || next.id === id) return count;
    remaining.splice(remaining.indexOf(next), 1);
    calls.unshift(next.priority);
    count += 1;
  }
}

/** How many recent calls `pickNext` needs to look at. */
export function recentWindow(rule: PriorityRule): number {
  return rule.mode === 'first' ? 0 : Math.max(1, rule.every) - 1;
}

/** `A001`: the service prefix and the number of the day, at least three digits. */
export function ticketNumber(prefix: string, seq: number): string {
  if (!Number.isInteger(seq) || seq < 1) throw new RangeError(`ticket sequence must be a positive integer, got ${seq}`);
  return `${prefix}${String(seq).padStart(3, '0')}`;
}

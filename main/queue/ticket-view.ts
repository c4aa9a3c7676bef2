import type { Ticket } from '../../common/contract';

/**
 * How a queue ticket is shown, the same for the desk's own queue (SQLite, `queue.service.ts`) and
 * the centre's (PostgreSQL, main/centre/queue): both records carry these facts.
 */
export interface TicketFacts {
  id: number;
  number: string;
  service: string;
  serviceName: string;
  priority: boolean;
  state: Ticket['state'];
  outcome: 'served' | 'expired' | null;
  takenAt: string;
  calledAt: string | null;
  callCount: number;
  counter: string | null;
  targetCounter: string | null;
  /** Epoch ms since the ticket is in its current state. */
  stateSinceMs: number;
  /** Time spent out of a counter (waiting, skipped, held) and at a counter (called) before that state, ms. */
  waitMs: number;
  serviceMs: number;
  finishedAt: string | null;
  dossierCode: string | null;
  printedAt: string | null;
  printError: string | null;
  rating: number | null;
}

/** How long after a ticket is served the counter-facing screen still asks for its rating. */
export const RATING_WINDOW_MS = 10 * 60_000;

/** A ticket as the contract shows it, with the time spent so far in its current state counted in. */
export function toTicket(t: TicketFacts, nowMs: number): Ticket {
  const open = t.state !== 'done';
  const running = open ? Math.max(0, nowMs - t.stateSinceMs) : 0;
  return {
    id: t.id,
    number: t.number,
    service: t.service,
    serviceName: t.serviceName,
    priority: t.priority,
    state: t.state,
    takenAt: t.takenAt,
    calledAt: t.calledAt,
    counter: t.counter,
    targetCounter: t.targetCounter,
    callCount: t.callCount,
    finishedAt: t.finishedAt,
    outcome: t.outcome,
    dossierCode: t.dossierCode,
    waitSeconds: Math.floor((t.waitMs + (t.state === 'called' ? 0 : running)) / 1000),
    serviceSeconds: Math.floor((t.serviceMs + (t.state === 'called' ? running : 0)) / 1000),
    printedAt: t.printedAt,
    printError: t.printError,
    rating: t.rating,
  };
}

/** `2026-11-20T08:42` → `08:42 20/11/2026`, as the printed ticket shows it. */
export function formatIssuedAt(local: string): string {
  return `${local.slice(11, 16)} ${local.slice(8, 10)}/${local.slice(5, 7)}/${local.slice(0, 4)}`;
}

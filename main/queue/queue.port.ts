import type { Ticket } from '../../common/contract';

/**
 * The queue as the counter sees it. This release has the store-backed local queue (tickets taken
 * from the desk itself or seeded in training mode); the kiosk, the display and the thermal printer
 * plug in behind the same port later.
 *
 * Errors: QUEUE_EMPTY when nobody waits; TICKET_STATE_INVALID when recall/skip has no current ticket.
 */
export interface QueueState { counter: string; current: Ticket | null; waiting: Ticket[]; skipped: Ticket[] }

export interface CounterQueue {
  state(): QueueState;
  callNext(): Ticket;
  recall(): Ticket;
  skip(): QueueState;
  take(service: string, priority: boolean): Ticket;
}

import type { z } from 'zod';
import type { QueueBoard, QueueSetup } from '../../../common/contract';
import type { QueueConfig } from '../../queue/queue-config';
import { toTicket } from '../../queue/ticket-view';
import type { CentreTicketRecord, CounterView } from './centre-queue.repository';

/** The queue section of the centre's configuration the service works from (main/queue/queue-config.ts). */
export type CentreQueueSetup = Pick<QueueConfig, 'services' | 'counters' | 'priority'>;

/** How many waiting numbers per service the display board shows. */
export const BOARD_NEXT = 3;

/** The NOTIFY channel of the queue: `{"type":"changed"}` or `{"type":"called", …TicketCalled}`. */
export const QUEUE_CHANNEL = 'motcua_queue';

/** The contract's setup; a centre has no desk of its own, so `deskCounter` is ''. */
export function toQueueSetup(setup: CentreQueueSetup): QueueSetup {
  return {
    services: setup.services.map((s) => ({
      code: s.code,
      name: s.name,
      prefix: s.prefix,
      procedures: [...s.procedures],
    })),
    counters: setup.counters.map((c) => ({ id: c.id, name: c.name, services: [...c.services] })),
    priority: setup.priority,
    deskCounter: '',
  };
}

export function toQueueState(counter: string, view: CounterView, nowMs: number) {
  return {
    counter,
    current: view.current ? toTicket(view.current, nowMs) : null,
    waiting: view.waiting.map((t) => toTicket(t, nowMs)),
    skipped: view.skipped.map((t) => toTicket(t, nowMs)),
    held: view.held.map((t) => toTicket(t, nowMs)),
  };
}

/**
 * The display board from the day's called and waiting tickets (take order): per counter its
 * current number, per service the count waiting and the next numbers (priority first under the
 * `first` rule, else in take order, as the desk's board).
 */
export function toBoard(
  setup: CentreQueueSetup,
  day: string,
  tickets: readonly CentreTicketRecord[],
): z.output<typeof QueueBoard> {
  const called = new Map<string, CentreTicketRecord>();
  const waiting = new Map<string, CentreTicketRecord[]>();
  for (const t of tickets) {
    if (t.state === 'called' && t.counter !== null) called.set(t.counter, t);
    else if (t.state === 'waiting') waiting.set(t.service, [...(waiting.get(t.service) ?? []), t]);
  }
  const priorityFirst = setup.priority.mode === 'first';
  return {
    day,
    counters: setup.counters.map((c) => {
      const t = called.get(c.id);
      return {
        id: c.id,
        name: c.name,
        current: t ? { number: t.number, service: t.service, calledAt: t.calledAt } : null,
      };
    }),
    waiting: setup.services.map((s) => {
      const line = [...(waiting.get(s.code) ?? [])];
      if (priorityFirst) line.sort((a, b) => Number(b.priority) - Number(a.priority) || a.id - b.id);
      return {
        service: s.code,
        name: s.name,
        count: line.length,
        next: line.slice(0, BOARD_NEXT).map((t) => t.number),
      };
    }),
  };
}

import { z } from 'zod';
import { define, DESK, none } from './define';
import { LocalDate, LocalDateTime, Ticket } from './schemas';

// The queue: services, counters, tickets. Every counter operation names the counter it
// acts for; left out, it is the desk's own counter (`counter.id` of the configuration).
//
// Roles: the counter operations are for desk roles (officer, supervisor, admin). Taking a ticket is
// too: a kiosk is a window in which an officer or an admin has signed in (there is no separate
// kiosk account; see docs/architecture.md, "Queue"). The setup and the board are readable by any
// signed-in role, so a display window can follow them.

export const CounterId = z.string().min(1).max(20);
export const ServiceCode = z.string().min(1).max(40);

/** How priority tickets (elderly, disabled, pregnant) are called: always first, or one in `every` calls. */
export const PriorityRule = z.discriminatedUnion('mode', [
  z.object({ mode: z.literal('first') }).strict(),
  z.object({ mode: z.literal('interleave'), every: z.number().int().min(2).max(20) }).strict(),
]);
export type PriorityRule = z.infer<typeof PriorityRule>;

export const QueueServiceInfo = z.object({
  code: ServiceCode,
  name: z.string(),
  prefix: z.string(),
  /** Procedure codes the service covers; empty = any procedure. */
  procedures: z.array(z.string()),
});
export const QueueCounterInfo = z.object({ id: CounterId, name: z.string(), services: z.array(ServiceCode) });

export const QueueSetup = z.object({
  services: z.array(QueueServiceInfo),
  counters: z.array(QueueCounterInfo),
  priority: PriorityRule,
  /** This desk's own counter. */
  deskCounter: CounterId,
});
export type QueueSetup = z.infer<typeof QueueSetup>;

export const QueueState = z.object({
  counter: z.string(),
  current: Ticket.nullable(),
  /** Who waits for this counter (its services, or transferred to it), in calling order. */
  waiting: z.array(Ticket),
  skipped: z.array(Ticket),
  held: z.array(Ticket),
});
export type QueueState = z.infer<typeof QueueState>;

/** The ticket is stored before it is printed: a printer fault never loses it (reprint with `queue.reprint`). */
export const TakeResult = z.object({
  ticket: Ticket,
  /** printed; failed (see `printError`); none (no ticket printer configured). */
  print: z.enum(['printed', 'failed', 'none']),
  printError: z.object({ code: z.string(), message: z.string() }).nullable(),
  peopleAhead: z.number().int(),
});
export type TakeResult = z.infer<typeof TakeResult>;

export const QueueBoard = z.object({
  day: LocalDate,
  counters: z.array(
    z.object({
      id: CounterId,
      name: z.string(),
      current: z.object({ number: z.string(), service: z.string(), calledAt: LocalDateTime.nullable() }).nullable(),
    }),
  ),
  /** Per service: how many wait and the next numbers in line (at most 3). */
  waiting: z.array(
    z.object({
      service: ServiceCode,
      name: z.string(),
      count: z.number().int(),
      next: z.array(z.string()).default([]),
    }),
  ),
});

/** Announced on every call and recall, for a display board and a voice ("Mời số … đến quầy …"). */
export const TicketCalled = z.object({
  ticketId: z.number().int(),
  number: z.string(),
  service: z.string(),
  counter: z.string(),
  counterName: z.string(),
  recall: z.boolean(),
});

const at = z.object({ counter: CounterId.optional() }).strict();

/** Satisfaction after service: 1 không hài lòng, 2 hài lòng, 3 rất hài lòng. */
export const SatisfactionRating = z.number().int().min(1).max(3);

export const TransferParams = z
  .object({
    /** The ticket to transfer; the counter's current ticket when left out. */
    ticketId: z.number().int().optional(),
    counter: CounterId.optional(),
    toCounter: CounterId.optional(),
    toService: ServiceCode.optional(),
  })
  .strict()
  .refine((p) => (p.toCounter === undefined) !== (p.toService === undefined), {
    message: 'chọn một quầy hoặc một dịch vụ để chuyển đến',
    path: ['toCounter'],
  });

export const queueMethods = {
  'queue.setup': define(none, QueueSetup, 'any'),
  'queue.board': define(none, QueueBoard, 'any'),
  'queue.state': define(at, QueueState, DESK),
  'queue.callNext': define(at, Ticket, DESK),
  /** Calls one waiting, skipped (came back) or held ticket to the counter. */
  'queue.callTicket': define(
    z.object({ ticketId: z.number().int(), counter: CounterId.optional() }).strict(),
    Ticket,
    DESK,
  ),
  'queue.recall': define(at, Ticket, DESK),
  'queue.skip': define(at, QueueState, DESK),
  'queue.hold': define(at, QueueState, DESK),
  'queue.transfer': define(TransferParams, Ticket, DESK),
  /** Finishes the counter's current ticket (optionally naming the dossier received for it). */
  'queue.finish': define(
    z
      .object({ counter: CounterId.optional(), dossierCode: z.string().min(1).max(60).nullable().default(null) })
      .strict(),
    QueueState,
    DESK,
  ),
  'queue.takeTicket': define(
    z.object({ service: ServiceCode.optional(), priority: z.boolean().default(false) }).strict(),
    TakeResult,
    DESK,
  ),
  'queue.reprint': define(z.object({ ticketId: z.number().int() }).strict(), TakeResult, DESK),
  /** The served ticket the counter-facing screen asks to rate (the last one, within 10 minutes), or null. */
  'queue.toRate': define(at, Ticket.nullable(), DESK),
  /** The applicant's rating of the service: 1 không hài lòng, 2 hài lòng, 3 rất hài lòng; once per ticket. */
  'queue.rate': define(z.object({ ticketId: z.number().int(), rating: SatisfactionRating }).strict(), Ticket, DESK),
} as const;

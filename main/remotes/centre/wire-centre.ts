import { z } from 'zod';
import {
  QueueBoard,
  QueueSetup,
  QueueState,
  SatisfactionRating,
  ServiceCode,
  CounterId,
  Ticket,
  TicketCalled,
} from '../../../common/contract';

/**
 * What a desk and the centre say to each other (docs/architecture.md, "Centre"): JSON over HTTPS with
 * mutual TLS, `POST {CENTRE_API}/<path>`. Every desk request carries {@link TIME_HEADER} (the desk's
 * clock, epoch ms); more than {@link MAX_CLOCK_SKEW_MS} off is refused (`CENTRE_CLOCK_SKEW`).
 * A refusal is `{ error: { code, message, details? } }` with a 4xx/5xx status.
 */
export const CENTRE_API = '/api/v1';
export const TIME_HEADER = 'x-motcua-time';
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** The desks' feed (WebSocket, mutual TLS). */
export const DESK_FEED_PATH = `${CENTRE_API}/feed`;

export const CentreErrorAnswer = z.object({
  error: z.object({ code: z.string(), message: z.string(), details: z.unknown().optional() }),
});

export const CentreInfo = z.object({
  centreId: z.string(),
  agencyId: z.string(),
  agencyName: z.string(),
  version: z.string(),
});

export const EnrolledDesk = z.object({
  id: z.string(),
  kind: z.literal('desk'),
  name: z.string(),
  agencyId: z.string(),
  counter: z.string().nullable(),
  deskSlot: z.number().int().min(0).max(9).nullable(),
});

/** `POST /api/v1/enrol` (no client certificate yet): the pairing code and the desk's new public key. */
export const EnrolRequest = z
  .object({ code: z.string().min(4).max(40), publicKeyPem: z.string().min(50).max(4000) })
  .strict();
export const EnrolAnswer = z.object({
  device: EnrolledDesk,
  certificatePem: z.string(),
  caPem: z.string(),
  centre: CentreInfo,
});

/** `POST /api/v1/hello`: who the centre is, its clock, and the desk as enrolled. */
export const HelloAnswer = z.object({ centre: CentreInfo, time: z.number().int(), device: EnrolledDesk });

/** The officer signed in at the desk (recorded as `device:<id>/<actor>` in the centre's audit). */
const Actor = z.string().min(1).max(60);
const none = z.object({}).strict();
const acting = z.object({ actor: Actor }).strict();

/**
 * The queue operations a desk calls, at `POST /api/v1/queue/<op>`; the counter is always the desk
 * device's own (enrolment). Params and answers by operation.
 */
export const CENTRE_QUEUE_OPS = {
  setup: { params: none, answer: QueueSetup },
  board: { params: none, answer: QueueBoard },
  state: { params: none, answer: QueueState },
  callNext: { params: acting, answer: Ticket },
  callTicket: { params: z.object({ ticketId: z.number().int(), actor: Actor }).strict(), answer: Ticket },
  recall: { params: acting, answer: Ticket },
  skip: { params: acting, answer: QueueState },
  hold: { params: acting, answer: QueueState },
  transfer: {
    params: z
      .object({
        ticketId: z.number().int().optional(),
        toCounter: CounterId.optional(),
        toService: ServiceCode.optional(),
        actor: Actor,
      })
      .strict(),
    answer: Ticket,
  },
  finish: {
    params: z.object({ dossierCode: z.string().min(1).max(60).nullable(), actor: Actor }).strict(),
    answer: QueueState,
  },
  toRate: { params: none, answer: Ticket.nullable() },
  rate: {
    params: z.object({ ticketId: z.number().int(), rating: SatisfactionRating, actor: Actor }).strict(),
    answer: Ticket,
  },
  finishForDossier: {
    params: z.object({ ticketId: z.number().int(), dossierCode: z.string().min(1).max(60), actor: Actor }).strict(),
    answer: z.object({ ok: z.literal(true) }),
  },
} as const;
export type CentreQueueOp = keyof typeof CENTRE_QUEUE_OPS;

/** Messages on the desks' feed: the desk's counter view after each change, every call, a revocation. */
export const DeskFeedMessage = z.discriminatedUnion('event', [
  z.object({ event: z.literal('queue.changed'), data: QueueState }),
  z.object({ event: z.literal('queue.called'), data: TicketCalled }),
  z.object({ event: z.literal('device.revoked'), data: z.object({}).passthrough() }),
]);
export type DeskFeedMessage = z.infer<typeof DeskFeedMessage>;

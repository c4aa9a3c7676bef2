import { z } from 'zod';
import { SyncOverview } from './sync';
import { QueueState, TicketCalled } from './queue';
import { SigningProgress } from './signing';

/** Events the core pushes to every connected window. */
export const events = {
  'queue.changed': QueueState.omit({ counter: true }).partial().extend({ counter: z.string() }),
  /** A ticket was called (or called again) to a counter: for the display board and the voice. */
  'queue.called': TicketCalled,
  /**
   * The link of an enrolled desk to its centre's queue (docs/architecture.md, "Centre"): `unreachable`
   * (queue buttons wait, receiving dossiers goes on), `revoked` (for good), `connected` again.
   */
  'queue.link': z.object({ state: z.enum(['connected', 'unreachable', 'revoked']), reason: z.string().nullable() }),
  'sync.progress': SyncOverview,
  'dossier.changed': z.object({ code: z.string(), status: z.number().int() }),
  /**
   * A page of a digitisation batch moved on. `page` is the capture number (null for the batch as a
   * whole); `stage` is `captured`, a pipeline stage name, `done`, `error`, `rescanned`, `finished`,
   * `scan-ended` or `cancelled`; `done`/`total` count processed/captured pages of the batch so far.
   */
  'digitise.progress': z.object({
    batchId: z.string(),
    page: z.number().int().nullable(),
    stage: z.string(),
    done: z.number().int(),
    total: z.number().int(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  /**
   * A serial barcode reader read a code (terminator removed). The renderer routes it as it routes a
   * keyboard-wedge scan: an ID card QR to the applicant step, a dossier code to the dossier.
   */
  'barcode.scanned': z.object({ text: z.string(), reader: z.string() }),
  /** A signing job moved on: after each document (`document`), and once more when it ends. */
  'signing.progress': SigningProgress,
  /** The serial barcode reader was connected or lost (`error.code` BARCODE_DISCONNECTED, DEVICE_UNAVAILABLE, ...). */
  'barcode.state': z.object({
    reader: z.string(),
    connected: z.boolean(),
    error: z.object({ code: z.string(), message: z.string() }).optional(),
  }),
  /**
   * Sent to one connection only: its session was ended by the core (another tab signed out
   * everywhere, the password was changed elsewhere, IT locked the account or changed its role).
   */
  'session.ended': z.object({ code: z.enum(['SESSION_REVOKED', 'SESSION_EXPIRED']) }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

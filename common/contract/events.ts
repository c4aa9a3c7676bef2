import { z } from 'zod';
import { SyncOverview, QueueState } from './methods';

/** Events the core pushes to every connected window. */
export const events = {
  'queue.changed': QueueState.omit({ counter: true }).partial().extend({ counter: z.string() }),
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
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

import { z } from 'zod';
import { SyncOverview, QueueState } from './methods';

/** Events the core pushes to every connected window. */
export const events = {
  'queue.changed': QueueState.omit({ counter: true }).partial().extend({ counter: z.string() }),
  'sync.progress': SyncOverview,
  'dossier.changed': z.object({ code: z.string(), status: z.number().int() }),
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type EventPayload<E extends EventName> = z.output<Events[E]>;
export const EVENT_NAMES = Object.keys(events) as EventName[];

import type { EventName, EventPayload } from '../../common/contract';

/**
 * Where a service tells the windows that something changed (`common/contract/events.ts`). The
 * composition root passes its event hub (`main/core/event-hub.ts`); the RPC server delivers.
 */
export interface EventPublisher {
  publish<E extends EventName>(event: E, payload: EventPayload<E>): void;
}

/** Publishes nowhere: for services built without windows (tests, command line). */
export const noEvents: EventPublisher = { publish: () => undefined };

import type { EventName, EventPayload } from '../../common/contract';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';

/** Receives every event published on the hub, with its name. */
export type EventListener = <E extends EventName>(event: E, payload: EventPayload<E>) => void;

/**
 * The core's events (`common/contract/events.ts`) in one place: services publish, the RPC server
 * subscribes when it is created and sends them to the windows, tests subscribe to watch them. Made
 * first in the composition root, so nothing waits for the RPC server to exist. A listener that
 * throws is logged and the others still get the event.
 */
export class EventHub implements EventPublisher {
  private readonly listeners = new Set<EventListener>();

  constructor(private readonly log: Logger) {}

  publish<E extends EventName>(event: E, payload: EventPayload<E>): void {
    for (const listener of [...this.listeners]) {
      try {
        listener(event, payload);
      } catch (error) {
        this.log.log('error', 'events.listener-failed', {
          event,
          error: error instanceof Error ? error.message : String(error),
        });
      }
    }
  }

  /** Every event from now on; the answer unsubscribes. */
  subscribe(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => {
      this.listeners.delete(listener);
    };
  }

  /** One kind of event from now on; the answer unsubscribes. */
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    return this.subscribe((name: EventName, payload: unknown) => {
      if (name === event) listener(payload as EventPayload<E>);
    });
  }
}

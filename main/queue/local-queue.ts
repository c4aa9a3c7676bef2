import { AppError, type Ticket } from '../../common/contract';
import type { Store } from '../store/store';
import type { Clock } from '../core/clock';
import type { CounterQueue, QueueState } from './queue.port';

/** The counter's queue on the local store (survives restarts; numbering restarts each day). */
export class LocalQueue implements CounterQueue {
  constructor(private readonly deps: { store: Store; clock: Clock; counter: string; onChange: (s: QueueState) => void }) {}

  state(): QueueState {
    return this.deps.store.queue.state(this.deps.counter, this.deps.clock.today());
  }

  callNext(): Ticket {
    const { store, clock, counter } = this.deps;
    const t = store.transaction(() => {
      const called = store.queue.callNext(counter, clock.localNow());
      if (called) store.audit.append({ at: clock.localNow(), actor: counter, action: 'queue.call', entity: 'ticket', entityId: called.number, details: {} });
      return called;
    });
    if (!t) throw new AppError('QUEUE_EMPTY', 'Hàng đợi trống.');
    this.changed();
    return strip(t);
  }

  recall(): Ticket {
    const t = this.deps.store.queue.recall(this.deps.counter);
    if (!t) throw new AppError('TICKET_STATE_INVALID', 'Chưa có số nào đang được gọi tại quầy.');
    this.changed();
    return strip(t);
  }

  skip(): QueueState {
    const { store, clock, counter } = this.deps;
    const t = store.transaction(() => {
      const skipped = store.queue.skip(counter);
      if (skipped) store.audit.append({ at: clock.localNow(), actor: counter, action: 'queue.skip', entity: 'ticket', entityId: skipped.number, details: {} });
      return skipped;
    });
    if (!t) throw new AppError('TICKET_STATE_INVALID', 'Chưa có số nào đang được gọi tại quầy.');
    this.changed();
    return this.state();
  }

  take(service: string, priority: boolean): Ticket {
    const t = this.deps.store.queue.take({ service, priority, at: this.deps.clock.localNow() });
    this.changed();
    return strip(t);
  }

  /** Training mode: a few people are already waiting when the desk opens. */
  seedTraining(count: number): void {
    const s = this.state();
    if (s.waiting.length + s.skipped.length > 0 || s.current) return;
    for (let i = 0; i < count; i++) this.take('TTHC', i === 2);
  }

  private changed(): void {
    this.deps.onChange(this.state());
  }
}

function strip(t: Ticket): Ticket {
  return { id: t.id, number: t.number, service: t.service, priority: t.priority, state: t.state, takenAt: t.takenAt, calledAt: t.calledAt, counter: t.counter };
}

import type { QueueSetup, QueueState, TicketCalled } from '../../../common/contract';
import type { z } from 'zod';
import type { TicketPrinter } from '../../../drivers';
import { EventHub } from '../../core/event-hub';
import { fixedClock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { openStore, type Store } from '../../store/store';
import { QueueService } from '../queue.service';

/**
 * Two services at three counters, the way a commune desk is often set up:
 * Q01 takes both services, Q02 only Chứng thực, Q03 only Hộ tịch.
 */
export const TEST_SETUP: QueueSetup = {
  services: [
    { code: 'HO-TICH', name: 'Hộ tịch', prefix: 'A', procedures: ['1.001193'] },
    { code: 'CHUNG-THUC', name: 'Chứng thực', prefix: 'B', procedures: ['2.000815'] },
  ],
  counters: [
    { id: 'Q01', name: 'Quầy số 1', services: ['HO-TICH', 'CHUNG-THUC'] },
    { id: 'Q02', name: 'Quầy số 2', services: ['CHUNG-THUC'] },
    { id: 'Q03', name: 'Quầy số 3', services: ['HO-TICH'] },
  ],
  priority: { mode: 'first' },
  deskCounter: 'Q01',
};

export const silentLog: Logger = { log: () => undefined, child: () => silentLog };

export interface QueueHarness {
  store: Store;
  clock: ReturnType<typeof fixedClock>;
  queue: QueueService;
  called: z.output<typeof TicketCalled>[];
  changed: QueueState[];
  /** Closes the store and opens it again with a fresh service, as a restart does. */
  restart(): void;
  close(): void;
}

export function queueHarness(options: {
  dataDir: string;
  setup?: Partial<QueueSetup>;
  printer?: TicketPrinter | null;
  now?: string;
}): QueueHarness {
  const clock = fixedClock(options.now ?? '2025-07-15T08:00');
  const setup: QueueSetup = { ...TEST_SETUP, ...options.setup };
  const called: z.output<typeof TicketCalled>[] = [];
  const changed: QueueState[] = [];
  const events = new EventHub(silentLog);
  events.on('queue.called', (c) => called.push(c));
  events.on('queue.changed', (s) => changed.push(s as QueueState));
  const make = (store: Store) => {
    const queue = new QueueService({
      store,
      clock,
      log: silentLog,
      setup,
      printer: options.printer ?? null,
      agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình' },
      events,
    });
    queue.configure();
    return queue;
  };
  const h: QueueHarness = {
    store: openStore({ dataDir: options.dataDir }),
    clock,
    called,
    changed,
    queue: null as unknown as QueueService,
    restart() {
      h.store.close();
      h.store = openStore({ dataDir: options.dataDir });
      h.queue = make(h.store);
    },
    close() {
      h.store.close();
    },
  };
  h.queue = make(h.store);
  return h;
}

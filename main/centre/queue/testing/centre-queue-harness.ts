import { randomUUID } from 'node:crypto';
import type { TicketPrinter } from '../../../../drivers';
import { fixedClock } from '../../../kernel/clock';
import { silentLogger } from '../../../kernel/logger';
import type { TestPostgres } from '../../database/testing/test-postgres';
import { openCentreDb, type CentreDb } from '../../database/sql';
import type { AuthenticatedDevice } from '../../security/device';
import { CentreQueueService } from '../centre-queue.service';
import type { CentreQueueSetup } from '../centre-queue-views';

/**
 * Two services at three counters, as the desk's queue tests (main/queue/testing/queue-harness.ts):
 * Q01 takes both services, Q02 only Chứng thực, Q03 only Hộ tịch.
 */
export const CENTRE_TEST_SETUP: CentreQueueSetup = {
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
};

export const TEST_AGENCY = { id: '000.00.12.H56', name: 'UBND xã Hòa Bình' };

export function testKiosk(name = 'Kiosk sảnh'): AuthenticatedDevice {
  return {
    id: randomUUID(),
    kind: 'kiosk',
    name,
    agencyId: TEST_AGENCY.id,
    counter: null,
    deskSlot: null,
    printer: 'tcp:127.0.0.1:9100',
  };
}

export interface CentreQueueHarness {
  db: CentreDb & { url: string };
  clock: ReturnType<typeof fixedClock>;
  queue: CentreQueueService;
  /** Kiosks the service asked a printer for, in order. */
  printerAsked: (AuthenticatedDevice | null)[];
  /** Another service on its own pool over the same database, as a second request handler or process. */
  another(): Promise<{ db: CentreDb; queue: CentreQueueService }>;
  /** Closes the pools `another` opened (the first one is closed with the test server). */
  close(): Promise<void>;
}

export async function centreQueueHarness(
  pg: TestPostgres,
  options: {
    setup?: Partial<CentreQueueSetup>;
    printer?: TicketPrinter | null;
    /** Replaces the fixed printer: the service's `printerFor` itself. */
    printerFor?: (kiosk: AuthenticatedDevice | null) => TicketPrinter | null;
    now?: string;
    poolSize?: number;
  } = {},
): Promise<CentreQueueHarness> {
  const db = await pg.freshCentreDb();
  const clock = fixedClock(options.now ?? '2025-07-15T08:00');
  const setup: CentreQueueSetup = { ...CENTRE_TEST_SETUP, ...options.setup };
  const printerAsked: (AuthenticatedDevice | null)[] = [];
  const make = (on: CentreDb) =>
    new CentreQueueService({
      db: on,
      clock,
      log: silentLogger,
      setup,
      agency: TEST_AGENCY,
      printerFor: (kiosk) => {
        printerAsked.push(kiosk);
        return options.printerFor ? options.printerFor(kiosk) : (options.printer ?? null);
      },
    });
  const queue = make(db);
  await queue.configure();
  const extra: CentreDb[] = [];
  return {
    db,
    clock,
    queue,
    printerAsked,
    async another() {
      const other = openCentreDb({ url: db.url, log: silentLogger, max: options.poolSize ?? 10 });
      extra.push(other);
      const q = make(other);
      await q.configure();
      return { db: other, queue: q };
    },
    async close() {
      await Promise.all(extra.splice(0).map((d) => d.close()));
    },
  };
}

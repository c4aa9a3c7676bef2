import type { z } from 'zod';
import { AppError, type QueueState, type SatisfactionRating, type Ticket } from '../../common/contract';
import type { Logger } from '../kernel/logger';
import type { DeskQueue } from '../queue/desk-queue.port';
import { RemoteError } from '../remotes/remote-error';
import type { CentreLink } from '../remotes/centre/centre.port';

/**
 * The queue of an enrolled desk: the centre's (docs/architecture.md, "Centre"). Every operation is
 * one call to the centre, which knows the desk's counter from its certificate; the officer signed in
 * goes as `actor` (the centre audits `device:<id>/<officer>`).
 *
 * - A counter other than the desk's own is refused here: a desk acts only for its counter.
 * - Transport failures (network, timeout, a bad answer, a server that is not the centre) become
 *   `CENTRE_UNREACHABLE` with the reason; the centre's own refusals (QUEUE_EMPTY, TICKET_*, …) pass
 *   through with their codes.
 * - Tickets are taken at the centre's kiosks, not at a desk: `take` and `reprint` are refused.
 */
export interface CentreDeskQueue extends DeskQueue {
  /** Tickets of a counter view heard on the feed, remembered for `ticket()`. */
  remember(state: { current?: Ticket | null; waiting?: Ticket[]; skipped?: Ticket[]; held?: Ticket[] }): void;
}

/** How many tickets seen at the centre are remembered (a counter's day, with room to spare). */
const REMEMBERED = 1000;

export function centreDeskQueue(deps: { link: CentreLink; counter: string | null; log: Logger }): CentreDeskQueue {
  const { link, log } = deps;
  const own = deps.counter;
  const seen = new Map<number, { id: number; number: string }>();

  const note = (t: Ticket | null | undefined): void => {
    if (!t) return;
    seen.delete(t.id);
    seen.set(t.id, { id: t.id, number: t.number });
    if (seen.size > REMEMBERED) seen.delete(seen.keys().next().value as number);
  };
  const remember: CentreDeskQueue['remember'] = (state) => {
    for (const list of [state.waiting, state.skipped, state.held]) for (const t of list ?? []) note(t);
    note(state.current);
  };
  const ticketOf = async (answer: Promise<Ticket>): Promise<Ticket> => {
    const t = await answer;
    note(t);
    return t;
  };
  const stateOf = async (answer: Promise<QueueState>): Promise<QueueState> => {
    const s = await answer;
    remember(s);
    return s;
  };

  const mine = (counter: string | undefined): void => {
    if (counter === undefined || counter === own) return;
    throw new AppError(
      'FORBIDDEN',
      own === null
        ? `Máy này chưa được gán quầy ở trung tâm; không thao tác được cho quầy ${counter}.`
        : `Máy này là quầy ${own} của trung tâm; không thao tác thay quầy ${counter}.`,
      { counter, own },
    );
  };

  const call = async <T>(op: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw asDeskError(err, op, log);
    }
  };

  return {
    async setup() {
      const setup = await call('setup', () => link.queue('setup', {}));
      // The centre's setup has no desk counter of its own; this desk's is the enrolment's.
      return { ...setup, deskCounter: own ?? '' };
    },
    board: () => call('board', () => link.queue('board', {})),
    async state(counter) {
      mine(counter);
      return stateOf(call('state', () => link.queue('state', {})));
    },
    async callNext(counter, actor) {
      mine(counter);
      return ticketOf(call('callNext', () => link.queue('callNext', { actor })));
    },
    async callTicket(ticketId, counter, actor) {
      mine(counter);
      return ticketOf(call('callTicket', () => link.queue('callTicket', { ticketId, actor })));
    },
    async recall(counter, actor) {
      mine(counter);
      return ticketOf(call('recall', () => link.queue('recall', { actor })));
    },
    async skip(counter, actor) {
      mine(counter);
      return stateOf(call('skip', () => link.queue('skip', { actor })));
    },
    async hold(counter, actor) {
      mine(counter);
      return stateOf(call('hold', () => link.queue('hold', { actor })));
    },
    async transfer(p, actor) {
      mine(p.counter);
      return ticketOf(
        call('transfer', () =>
          link.queue('transfer', {
            ...(p.ticketId !== undefined ? { ticketId: p.ticketId } : {}),
            ...(p.toCounter !== undefined ? { toCounter: p.toCounter } : {}),
            ...(p.toService !== undefined ? { toService: p.toService } : {}),
            actor,
          }),
        ),
      );
    },
    async finish(counter, dossierCode, actor) {
      mine(counter);
      return stateOf(call('finish', () => link.queue('finish', { dossierCode, actor })));
    },
    take() {
      return Promise.reject(kioskOnly());
    },
    reprint() {
      return Promise.reject(kioskOnly());
    },
    async toRate(counter) {
      mine(counter);
      return call('toRate', () => link.queue('toRate', {}));
    },
    rate: (ticketId, rating, actor) =>
      call('rate', () =>
        link.queue('rate', { ticketId, rating: rating as z.output<typeof SatisfactionRating>, actor }),
      ),
    finishForDossier(ticketId, dossierCode) {
      // Not called here: this runs inside the SQLite transaction that receives the dossier, and a
      // network call there would hold the store for as long as the centre takes. The replicated
      // `dossier.received` (it carries `ticketId`) makes the centre finish the ticket
      // (docs/architecture.md, "Centre").
      log.log('info', 'centre.queue.finish-by-replication', { ticketId, dossierCode });
    },
    ticket: (ticketId) => seen.get(ticketId) ?? null,
    remember,
  };
}

/** What a failed centre call becomes for the desk's screens. */
export function asDeskError(err: unknown, op: string, log: Logger): unknown {
  if (err instanceof RemoteError && err.code !== 'REMOTE_REJECTED') {
    log.log('warn', 'centre.queue.unreachable', { op, code: err.code, error: err.message });
    return new AppError(
      'CENTRE_UNREACHABLE',
      `Không kết nối được trung tâm để thao tác hàng đợi (${err.message.replace(/\.+$/, '')}). ` +
        'Vẫn tiếp nhận hồ sơ bình thường; gọi số lại khi trung tâm kết nối trở lại.',
      { remote: err.code },
    );
  }
  return err;
}

function kioskOnly(): AppError {
  return new AppError(
    'FORBIDDEN',
    'Máy này thuộc trung tâm: người dân lấy số ở ki-ốt của trung tâm, không lấy ở máy quầy.',
  );
}

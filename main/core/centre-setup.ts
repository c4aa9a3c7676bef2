import type { z } from 'zod';
import { AppError, type AppInfo } from '../../common/contract';
import type { DossierNumberLessor } from '../intake/dossier-code.allocator';
import type { Clock } from '../kernel/clock';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';
import type { DeskQueue } from '../queue/desk-queue.port';
import { createCentreClient } from '../remotes/centre/centre.client';
import type { CentreLink, DeskFeedHandle, DeskFeedState } from '../remotes/centre/centre.port';
import { isEnrolled, loadEnrolment, type Enrolment } from '../remotes/centre/enrolment';
import { centreDeskQueue } from './centre-queue';

export type CentreInfo = NonNullable<z.output<typeof AppInfo>['centre']>;

export interface CentreLinkState {
  state: DeskFeedState;
  reason: string | null;
}

/** What the core holds of the centre it is enrolled at (docs/architecture.md, "Centre"). */
export interface CoreCentre {
  link: CentreLink;
  enrolment: Enrolment;
  /** The feed's last state: connected, unreachable (with why) or revoked. */
  state(): CentreLinkState;
}

export interface CentreSetup {
  /** Null when the desk is not enrolled, or its enrolment is broken (`problem` says why). */
  centre: CoreCentre | null;
  problem: string | null;
  /** `app.info.centre`. */
  info(): CentreInfo | null;
  /** The centre's queue when enrolled; null: the desk's own. */
  queue: DeskQueue | null;
  /** The centre as the lessor of dossier numbers, with the reserve slot it gave; null: as configured. */
  numbers: { lessor: DossierNumberLessor; deskSlot: number | null } | null;
  /** Opens the feed: its messages become the core's queue events, its state `queue.link`. */
  start(events: EventPublisher): void;
  close(): void;
}

const NOT_ENROLLED: CentreSetup = {
  centre: null,
  problem: null,
  info: () => null,
  queue: null,
  numbers: null,
  start: () => undefined,
  close: () => undefined,
};

/**
 * At core start: `<data dir>/centre/centre.json` present → the enrolment is loaded and checked,
 * and the desk's queue and dossier numbers go through the centre (training mode included: an
 * enrolled training desk talks to its real centre). Nothing there → the desk runs alone, exactly
 * as before. Broken files → the desk runs alone, says why in the log, `app.info` and `doctor`.
 */
export function setUpCentre(deps: {
  dataDir: string;
  clock: Clock;
  log: Logger;
  /** Tests: another link; default the production client with the enrolment's key, certificate and CA. */
  makeLink?: (enrolment: Enrolment) => CentreLink;
}): CentreSetup {
  const log = deps.log.child('centre');
  if (!isEnrolled(deps.dataDir)) return NOT_ENROLLED;
  let enrolment: Enrolment;
  try {
    enrolment = loadEnrolment(deps.dataDir);
  } catch (err) {
    const problem = err instanceof AppError ? err.message : `Không đọc được tệp ghép nối trung tâm: ${String(err)}`;
    log.log('error', 'centre.enrolment-broken', { error: problem });
    return {
      ...NOT_ENROLLED,
      problem,
      info: () => ({ name: '', url: '', counter: null, state: 'broken', reason: problem }),
    };
  }
  const link =
    deps.makeLink?.(enrolment) ??
    createCentreClient({
      url: enrolment.url,
      caPem: enrolment.caPem,
      certPem: enrolment.certPem,
      keyPem: enrolment.keyPem,
      clock: deps.clock,
      log,
    });
  let current: CentreLinkState = { state: 'unreachable', reason: 'Đang kết nối tới trung tâm.' };
  let feed: DeskFeedHandle | null = null;
  let closed = false;
  log.log('info', 'centre.enrolled', {
    url: enrolment.url,
    device: enrolment.deviceId,
    counter: enrolment.counter,
    deskSlot: enrolment.deskSlot,
  });

  const centre: CoreCentre = { link, enrolment, state: () => current };
  const queue = centreDeskQueue({ link, counter: enrolment.counter, log });
  return {
    centre,
    problem: null,
    info: () => ({
      name: enrolment.name,
      url: enrolment.url,
      counter: enrolment.counter,
      state: current.state,
      reason: current.reason,
    }),
    queue,
    numbers: {
      lessor: { leaseCodeBlock: (r) => link.leaseNumbers({ agencyId: r.agencyId, date: r.date, count: r.count }) },
      deskSlot: enrolment.deskSlot,
    },
    start(events) {
      if (feed || closed) return;
      // Changes made while the feed was down are not replayed: the counter's view is read again.
      const refresh = (): void => {
        queue.state(undefined).then(
          (state) => {
            if (!closed) events.publish('queue.changed', state);
          },
          (err: unknown) =>
            log.log('info', 'centre.feed.refresh-failed', { error: err instanceof Error ? err.message : String(err) }),
        );
      };
      feed = link.openFeed({
        onMessage(message) {
          if (message.event === 'queue.changed') {
            queue.remember(message.data);
            events.publish('queue.changed', message.data);
          } else if (message.event === 'queue.called') events.publish('queue.called', message.data);
        },
        onState(state, reason) {
          current = { state, reason: reason ?? null };
          log.log(state === 'connected' ? 'info' : 'warn', 'centre.link', { state, reason: reason ?? null });
          events.publish('queue.link', current);
          if (state === 'connected') refresh();
        },
      });
    },
    close() {
      closed = true;
      feed?.close();
      feed = null;
      link.close();
    },
  };
}

import type { z } from 'zod';
import type { CENTRE_QUEUE_OPS, CentreQueueOp, DeskFeedMessage, HelloAnswer } from './wire-centre';
import type { LeaseAnswer, LeaseRequest, ReplicationEntry, ReplicationResult } from './wire-replication';

/**
 * What a desk sees of the centre it is enrolled at (docs/architecture.md, "Centre"). Calls go over
 * mutual TLS; failures follow the other remotes (docs/architecture.md, "Sync"):
 * - `RemoteError` ('centre'): REMOTE_UNAVAILABLE / REMOTE_TIMEOUT / REMOTE_BAD_RESPONSE (retry later),
 *   REMOTE_AUTH_FAILED (the server did not prove to be the centre: IT must look), REMOTE_REJECTED
 *   (a refusal the desk does not know; never retried automatically);
 * - `AppError` with the centre's own code (CENTRE_CLOCK_SKEW, CENTRE_DEVICE_REVOKED, QUEUE_EMPTY,
 *   TICKET_*, VALIDATION_FAILED, DOSSIER_CODE_EXHAUSTED …): the centre understood and refused.
 */
export type CentreHello = z.infer<typeof HelloAnswer>;

export type CentreQueueParams<Op extends CentreQueueOp> = z.input<(typeof CENTRE_QUEUE_OPS)[Op]['params']>;
export type CentreQueueAnswer<Op extends CentreQueueOp> = z.output<(typeof CENTRE_QUEUE_OPS)[Op]['answer']>;

/**
 * The feed's connection: `connected` once the WebSocket is open; `unreachable` after a failure
 * (the feed keeps reconnecting, the reason says why); `revoked` when the centre revoked this desk
 * (the feed stops for good).
 */
export type DeskFeedState = 'connected' | 'unreachable' | 'revoked';

export interface DeskFeedHandlers {
  onMessage(message: DeskFeedMessage): void;
  onState(state: DeskFeedState, reason?: string): void;
}

export interface DeskFeedHandle {
  close(): void;
}

/** The desk's TLS identity towards its centre (from the enrolment, enrolment.ts). */
export interface CentreTlsIdentity {
  /** `https://IP:8443` as enrolled. */
  url: string;
  /** The centre's CA: the only trust of every connection to the centre. */
  caPem: string;
  certPem: string;
  keyPem: string;
}

export interface CentreLink {
  /** Who the centre is, its clock (epoch ms) and this desk as the centre knows it. */
  hello(): Promise<CentreHello>;
  /** A queue operation at this desk's counter (the centre knows the counter from the enrolment). */
  queue<Op extends CentreQueueOp>(op: Op, params: CentreQueueParams<Op>): Promise<CentreQueueAnswer<Op>>;
  /** A block of the agency's dossier numbers for a day. */
  leaseNumbers(p: LeaseRequest): Promise<LeaseAnswer>;
  /** One result per entry, in the order sent. */
  replicate(entries: readonly ReplicationEntry[]): Promise<ReplicationResult[]>;
  /** Follows the desks' feed until closed (reconnecting by itself). */
  openFeed(handlers: DeskFeedHandlers): DeskFeedHandle;
  /** Closes kept-alive connections and open feeds. */
  close(): void;
}

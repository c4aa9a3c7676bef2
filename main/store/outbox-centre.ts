import { createHmac } from 'node:crypto';

/**
 * The centre's rows of the outbox (docs/architecture.md, "Centre"): on a desk enrolled at a
 * one-stop centre, each change of the desk's day also writes one `centre` row, in the same
 * transaction as the change, holding the replicated entry without its key
 * (`{ kind, at, payload }`, shapes in main/remotes/centre/wire-replication.ts). The key sent is the
 * row's idempotency key `<device id>:<outbox id>`, stable across retries and restarts. A desk that
 * is not enrolled writes none: `OutboxRepository.enqueueCentre` returns null.
 */
export interface CentreReplication {
  /** The desk's device id at the centre (its certificate's CN). */
  deviceId: string;
  /** The centre's id: the key of the applicants' HMAC, so a key means nothing outside this centre. */
  centreId: string;
  /** The desk's counter as enrolled (`Q01`), null when it has none. */
  counter?: string | null;
}

/** An entry as it is kept in the row: everything but the key. */
export interface CentreEntryDraft {
  kind: string;
  /** Epoch ms on the desk's clock when the change happened. */
  at: number;
  payload: Record<string, unknown>;
}

/**
 * The ordering key of a centre row (rows of one key are sent strictly in id order): the dossier's
 * code, or for a document filed without a dossier a stable pseudo-key of the document (its local
 * id `L:<n>`), which no dossier code can equal.
 */
export function centreOrderKey(dossierCode: string | null, documentId: string): string {
  return dossierCode ?? `document:${documentId}`;
}

/**
 * The applicant's key at the centre: HMAC-SHA256 of the ID number under the centre's id, hex.
 * Links one applicant's dossiers across desks of the centre without sending the number.
 */
export function applicantKeyOf(centreId: string, idNumber: string): string {
  return createHmac('sha256', centreId).update(idNumber.trim(), 'utf8').digest('hex');
}

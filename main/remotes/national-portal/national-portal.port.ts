import type { Channel } from '../../../common/contract/schemas';
import type { WireDossier, WireProgressStep } from './wire-schemas';

export type { WireDossier, WireProgressStep, WireDocument } from './wire-schemas';

/** A result document held in a person's national document store, in our own shape. */
export interface NationalDocument {
  /** The portal's id of the document (GiayToId). */
  nationalId: string;
  /** National document code, e.g. `KQ0003` (citizen ID card), `KQ0001` (birth certificate). */
  documentCode: string;
  documentName: string;
  /** Number / symbol (số ký hiệu). */
  number: string | null;
  issuer: string | null;
  /** `YYYY-MM-DD`. */
  issuedOn: string | null;
  /** `YYYY-MM-DD`; null = permanent. */
  validUntil: string | null;
  /** Download link given by the portal. */
  url: string | null;
}

export interface DocumentQuery {
  /** 12-digit personal ID or organisation identifier of the owner. */
  ownerId: string;
  /** Who asks (the officer's account or the agency code); the portal records it. */
  requester: string;
  channel: Channel;
  procedureCode: string;
  /** Wanted document codes (`KQ0003`, ...); empty = all of the owner's documents. */
  resultCodes: string[];
}

export interface CitizenLookup {
  found: boolean;
  fullName: string | null;
  /** The portal account is verified (e.g. with VNeID). */
  verified: boolean;
}

export interface DossierLookup {
  /** The portal already holds a record with this MaHoSo (it was synced before). */
  exists: boolean;
  /** TrangThaiHoSo as the portal has it ('1'..'10'), null when it does not exist. */
  status: string | null;
}

/**
 * The national public service portal (DVCQG) as the desk sees it. Every method logs in on
 * first use and renews an expired session by itself (once per call).
 *
 * Every method either resolves or throws a `RemoteError` (`main/remotes/remote-error.ts`):
 * - `REMOTE_UNAVAILABLE` (retryable): connection refused/reset, HTTP 5xx/429.
 * - `REMOTE_TIMEOUT` (retryable): no answer in time; the portal may have done the work, so a
 *   retried `syncDossiers` must be sent with `isUpdating` once `lookupDossier` finds the record.
 * - `REMOTE_BAD_RESPONSE` (retryable): not JSON, or JSON of the wrong shape.
 * - `REMOTE_REJECTED` (not retryable): the portal answered `error_code` ≠ 0 for a business
 *   reason (invalid record, unknown dossier, ...); `details.errorCode` holds its code.
 * - `REMOTE_AUTH_FAILED` (not retryable): login refused (user, password or dstcode), or a new
 *   session refused straight after login. It concerns every call, not one record: the sync
 *   engine opens the portal's circuit breaker instead of dead-lettering rows.
 *
 * An expired session is never an error for the caller: the client logs in again once and
 * repeats the call. The portal has no idempotency keys: `syncDossiers` is made safe to repeat by
 * asking `lookupDossier` first and sending an update, and a repeated progress step is stored once
 * by the portal (it keeps identical steps once). A `syncDossiers` answer that does not list the
 * MaHoSo sent (e.g. a stale acknowledgement of another request) is not a success: the sync engine
 * treats it as `REMOTE_BAD_RESPONSE`.
 */
export interface NationalPortal {
  /** DongBoHoSoMC: create (`isUpdating` false) or update dossiers. Resolves with the MaHoSo accepted. */
  syncDossiers(items: WireDossier[], isUpdating: boolean): Promise<{ accepted: string[] }>;
  /** CapNhatTienDoHoSoMC: progress steps, sent in chunks of at most 20 in the given order. */
  pushProgress(steps: WireProgressStep[]): Promise<void>;
  /** TraCuuHoSo: whether the portal holds this dossier. */
  lookupDossier(code: string): Promise<DossierLookup>;
  /** TraCuuTechID: the citizen's portal identity. */
  lookupCitizen(personalId: string): Promise<CitizenLookup>;
  /** GetKetQuaGiayTo: the owner's result documents from the national document store. */
  queryDocuments(query: DocumentQuery): Promise<NationalDocument[]>;
}

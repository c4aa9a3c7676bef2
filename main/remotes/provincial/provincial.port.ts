import type { WireDossier } from '../national-portal/wire-schemas';

/** A file handed over with a dossier (scans, digitised components, the receipt). */
export interface HandOffFile {
  name: string;
  /** Hex sha256 of the decoded bytes; the remote checks it. */
  sha256: string;
  /** The bytes inline; or, instead, `fileId`. */
  base64?: string | undefined;
  /** Id of the file already uploaded through `file-transfer.ts` (chunked, resumable, verified). */
  fileId?: string | undefined;
}

/**
 * An administrative unit (docs/domain.md §2): since 2025-07-01 provinces (2-digit codes) and
 * communes/wards/special zones (5-digit codes). Pulled from the provincial system as data with
 * dates: a unit merged away keeps its row with `abolishedFrom`.
 */
export interface AdministrativeUnit {
  code: string;
  name: string;
  level: 'province' | 'commune';
  /** For a commune, its province's code. */
  provinceCode: string | null;
  /** `YYYY-MM-DD` from which the unit exists under this name. */
  effectiveFrom: string;
  /** `YYYY-MM-DD` from which it no longer exists (merged, renamed); null = current. */
  abolishedFrom: string | null;
}

/** The dossier as handed to the processing unit: the national wire record plus its files. */
export type HandOffDossier = WireDossier & { files: HandOffFile[] };

export interface HandOffResult {
  /** The provincial system's id of the dossier. */
  remoteId: string;
  /** True when the idempotency key was seen before: nothing new was created. */
  duplicate: boolean;
}

export interface CodeLeaseRequest {
  /** Agency identifier, e.g. `000.00.12.H56`. */
  agencyId: string;
  /** Receipt date `YYYY-MM-DD` (Vietnam). */
  date: string;
  /** How many numbers are wanted. */
  count: number;
}

/** Inclusive range of sequence numbers for (agency, date), always within 1..8999. */
export interface CodeBlock {
  from: number;
  to: number;
}

/** Highest sequence number the provincial system leases; 9000-9999 are each desk's offline reserve. */
export const MAX_LEASED_SEQUENCE = 8999;

/** A status change made by the processing unit, as the desk sees it. */
export interface StatusChange {
  /** Position in the remote's feed (increasing within one feed, not necessarily by time). */
  seq: number;
  dossierCode: string;
  /** National status code 1-10 (TrangThaiHoSo). */
  status: number;
  /** Epoch ms of the change at the remote (from its ISO timestamp). */
  changedAt: number;
  note: string;
  /** With "processed" (9): the result document the processing unit issued, to be downloaded. */
  result?: ResultReference;
}

/** A result document announced in the status feed (the signed PDF stays at the remote until fetched). */
export interface ResultReference {
  /** The remote's id of the file; `resultFile(id)` downloads it. */
  id: string;
  fileName: string;
  /** Hex sha256 of the file; the desk refuses bytes that do not match. */
  sha256: string;
  size: number;
  /** National result code (MaGiayToKetQua), e.g. `KQ.G13.000031`; '' when the remote has none. */
  documentCode: string;
  /** Name of the result document (TenGiayTo). */
  documentName: string;
  /** Number/symbol (số ký hiệu) of the result, if any. */
  number: string | null;
  /** Link to the file at the remote (DuongDanTepTinKetQua), if it gives one. */
  url: string | null;
}

/** A downloaded result file, exactly as the remote sent it (the caller checks `sha256`). */
export interface ResultFile {
  id: string;
  fileName: string;
  bytes: Uint8Array;
}

export interface StatusPage {
  /**
   * Names the feed. It changes when the remote was reset or replaced; the cursor of an old feed
   * means nothing in the new one.
   */
  feedId: string;
  /** In the order the remote sent them, which may not be the order they happened in. */
  changes: StatusChange[];
  /** Opaque: pass it back to get the following page. */
  cursor: string;
  /** More changes are waiting after `cursor`. */
  hasMore: boolean;
}

export type HolidayKind = 'holiday' | 'compensatory' | 'swap';

/** A yearly notice of days off and make-up working days (docs/domain.md §5). */
export interface HolidayNotice {
  id: string;
  /** `YYYY-MM-DD` from which the notice applies. */
  effectiveFrom: string;
  year: number;
  /** `kind`: statutory holiday, compensatory day off, or a working day swapped for a day off. */
  daysOff: { date: string; name: string; kind: HolidayKind }[];
  /** Saturdays (or other days) that become working days. */
  makeUpDays: { date: string; name: string }[];
  /** True when this notice replaces the statutory default for the year instead of adding to it. */
  replacesDefault: boolean;
}

/**
 * The provincial resolution system (HTTT GQTTHC), reached through the provincial gateway with
 * OAuth2 client credentials. The client fetches and caches the token itself and refreshes it
 * once when a call answers 401.
 *
 * Every method either resolves or throws a `RemoteError` (`main/remotes/remote-error.ts`):
 * - `REMOTE_UNAVAILABLE` (retryable): connection refused/reset, HTTP 5xx/429.
 * - `REMOTE_TIMEOUT` (retryable): no answer in time; the remote may have done the work. A
 *   `handOff` retried with the same idempotency key is answered with `duplicate: true`; a
 *   retried `leaseCodeBlock` may skip numbers but never returns numbers twice.
 * - `REMOTE_BAD_RESPONSE` (retryable): not JSON, or JSON of the wrong shape (including a lease
 *   outside 1..8999).
 * - `REMOTE_REJECTED` (not retryable): HTTP 4xx for the request itself (invalid dossier, file
 *   hash mismatch, lease numbers exhausted for the day: 409); `details.remoteCode` holds the
 *   remote's code.
 * - `REMOTE_AUTH_FAILED` (not retryable): client id/secret refused, 403, or a fresh token refused.
 *   It concerns every call, not one record: the sync engine opens the remote's circuit breaker
 *   instead of dead-lettering rows.
 *
 * A call that resolves did what it says: `handOff` resolving means the dossier is held by the
 * remote under that key (an answer that echoes another request's key or MaHoSo is
 * `REMOTE_BAD_RESPONSE`, never a success). Nothing here deletes local data: an empty answer or a
 * reset feed only means the remote has nothing new to say.
 */
export interface ProvincialSystem {
  /** Hands a received dossier to the processing unit. Same key → same answer, `duplicate: true`. */
  handOff(dossier: HandOffDossier, idempotencyKey: string): Promise<HandOffResult>;
  /** Leases up to `count` dossier sequence numbers; never beyond 8999. */
  leaseCodeBlock(request: CodeLeaseRequest): Promise<CodeBlock>;
  /** Holiday notices for a year, oldest effective date first. An empty list means "none published", never "delete". */
  holidayNotices(year: number): Promise<HolidayNotice[]>;
  /**
   * The administrative units the province publishes (its own communes and the provinces list).
   * `REMOTE_BAD_RESPONSE` for a code of the wrong shape (2 digits for a province, 5 for a commune)
   * or a commune without its province. An empty list is a valid answer that deletes nothing.
   */
  administrativeUnits(): Promise<AdministrativeUnit[]>;
  /**
   * Status changes after `cursor` (null = from the start of the feed), at most `limit`. The page
   * may hold changes out of order or already seen; the caller orders them by `changedAt`/`seq`
   * and never lets a dossier go back to an older state. `REMOTE_BAD_RESPONSE` for an unknown
   * status code or a malformed timestamp.
   */
  statusChanges(cursor: string | null, limit: number): Promise<StatusPage>;
  /**
   * Downloads a result file announced in the status feed. The bytes are returned as sent: the
   * caller compares them with the announced sha256. `REMOTE_REJECTED` (404) when the remote does
   * not have that file.
   */
  resultFile(id: string): Promise<ResultFile>;
}

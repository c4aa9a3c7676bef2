import type { Channel, Procedure } from '../../../common/contract/schemas';
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

/** One line of the portal's procedure list (LayDanhSachTTHC). */
export interface ProcedureListItem {
  code: string;
  name: string;
  /** Code of the body that published it (MACOQUANCONGBO). */
  publisherCode: string;
  /** false = withdrawn nationally (the desk keeps it but stops offering it once effective). */
  active: boolean;
  /** Last change of the record, `YYYY-MM-DDTHH:mm:ss` Vietnam time. */
  updatedAt: string;
}

/** A full procedure record (LayThuTuc) in our shape. */
export interface NationalProcedure {
  /** `cutoff` is always null: same-day cut-offs are a local setting the portal does not carry. */
  procedure: Procedure;
  active: boolean;
  updatedAt: string;
  /** True when the portal gave no effective date and `procedure.effectiveFrom` is the pull date. */
  effectiveFromAssumed: boolean;
  /** Legal basis (CANCUPHAPLY), "number — title" each. */
  legalBasis: string[];
}

/** An agency of the national list (LayDanhMucCoQuan). */
export interface NationalAgency {
  code: string;
  name: string;
  parentCode: string | null;
}

/** A sector of the national list (LayDanhMucLinhVuc). */
export interface NationalSector {
  code: string;
  name: string;
}

/** A progress step as the portal lists it in a lookup (enough to recognise one we sent). */
export interface PortalStep {
  /** ThoiDiemXuLy, `yyyyMMddHHmmss`. */
  at: string;
  /** TrangThai ('1'..'10'). */
  status: string;
  /** NoiDungXuLy. */
  content: string;
}

/** How a step is recognised in the portal's list: its time, status and content. */
export function portalStepKey(step: PortalStep): string {
  return `${step.at}|${step.status}|${step.content.trim().normalize('NFC')}`;
}

export interface DossierLookup {
  /** The portal already holds a record with this MaHoSo (it was synced before). */
  exists: boolean;
  /** TrangThaiHoSo as the portal has it ('1'..'10'), null when it does not exist. */
  status: string | null;
  /**
   * The progress steps the portal holds for it (`DanhSachTienDoXuLy`, or `QuaTrinhXuLy`), in its
   * order; null when the answer does not say (then the desk cannot tell which steps arrived).
   */
  steps: PortalStep[] | null;
}

/** What DongBoHoSoMC said about each dossier of one call. */
export interface DossierSyncAnswer {
  /** MaHoSo the portal confirmed, entry by entry. */
  accepted: string[];
  /** Entries the portal refused, with its own code and message (e.g. -3, an unknown MaTTHC). */
  refused: { code: string; errorCode: number; message: string | null }[];
  /**
   * MaHoSo sent that the answer neither confirmed nor refused (no result, an empty list, a count,
   * a stale acknowledgement): not a success. Confirm with `lookupDossier`, never assume.
   */
  unconfirmed: string[];
}

/**
 * The national public service portal (DVCQG) as the desk sees it. Every method logs in on
 * first use and renews an expired session by itself (once per call).
 *
 * Answers are read tolerantly (`portal-answer.ts`): the verdict is `error_code` (number or
 * numeric string), decided first; `result` may be missing, null, an object, a list (a lookup's
 * list holds zero or one entries, matched by MaHoSo), or the same as a JSON string (`data` is
 * read as `result`); `message` may be null; extra fields are ignored. What we send is validated
 * strictly.
 *
 * Every method either resolves or throws a `RemoteError` (`main/remotes/remote-error.ts`):
 * - `REMOTE_UNAVAILABLE` (retryable): connection refused/reset, HTTP 5xx/429.
 * - `REMOTE_TIMEOUT` (retryable): no answer in time; the portal may have done the work (outcome
 *   unknown): the sync engine looks the dossier up before it sends the row again.
 * - `REMOTE_BAD_RESPONSE` (retryable): not a JSON object, or no readable `error_code` (a gateway
 *   page served with HTTP 200), or a payload that cannot mean anything for the call.
 * - `REMOTE_REJECTED` (not retryable): the portal answered `error_code` ≠ 0 for a business
 *   reason (invalid record, unknown dossier, ...); `details.errorCode` holds its code.
 * - `REMOTE_AUTH_FAILED` (not retryable): login refused (user, password or dstcode), or a new
 *   session refused straight after login. It concerns every call, not one record: the sync
 *   engine opens the portal's circuit breaker instead of dead-lettering rows.
 *
 * Catalogue pulls (`listProcedures`, `getProcedure`, `listAgencies`, `listSectors`) only read:
 * a record the desk cannot map (unknown channel or duration unit, bad number) is
 * `REMOTE_BAD_RESPONSE`, like any other malformed answer. An empty list is a valid answer and
 * means "nothing to report", never "delete what you have": callers must not wipe local data on it.
 * `getProcedure`, `lookupDossier` and `lookupCitizen` resolve "not found" (null / `exists:
 * false` / `found: false`, also for a lookup refused with a "not found" message) instead of
 * throwing, so a missing record is never mistaken for a failure of the portal.
 *
 * An expired session is never an error for the caller: `error_code` 401, HTTP 401, or any code
 * whose message speaks of the session ("Phiên làm việc hết hạn" with -1) makes the client log in
 * again once and repeat the call; a refusal straight after is `REMOTE_AUTH_FAILED`.
 *
 * The portal has no idempotency keys. `syncDossiers` answers per entry (`DossierSyncAnswer`): a
 * dossier counts as stored only when its own entry confirms it or a lookup finds it; a refused
 * entry is that dossier's failure only; a whole call refused with several entries says nothing
 * about any one of them (send them one by one). After an unknown outcome the engine asks
 * `lookupDossier` first: a create becomes an update when the record is there, and only the
 * progress steps the lookup does not list are sent again (a portal may keep every copy).
 */
export interface NationalPortal {
  /** DongBoHoSoMC: create (`isUpdating` false) or update dossiers, in one call; what it said per dossier. */
  syncDossiers(items: WireDossier[], isUpdating: boolean): Promise<DossierSyncAnswer>;
  /** CapNhatTienDoHoSoMC: progress steps, sent in chunks of at most 20 in the given order. */
  pushProgress(steps: WireProgressStep[]): Promise<void>;
  /** TraCuuHoSo: whether the portal holds this dossier, its status and the steps it holds. */
  lookupDossier(code: string): Promise<DossierLookup>;
  /** TraCuuTechID: the citizen's portal identity; `found: false` when the portal has no account. */
  lookupCitizen(personalId: string): Promise<CitizenLookup>;
  /**
   * LayDanhSachTTHC: the procedures the portal publishes for this agency; `changedSince`
   * (`YYYY-MM-DDTHH:mm`, Vietnam time) asks only for records changed after it.
   */
  listProcedures(changedSince?: string | null): Promise<ProcedureListItem[]>;
  /**
   * LayThuTuc: one procedure's full record; null when the portal does not know the code.
   * `pulledOn` (`YYYY-MM-DD`) is the effective date given to a record that carries none.
   */
  getProcedure(code: string, pulledOn: string): Promise<NationalProcedure | null>;
  /** LayDanhMucCoQuan: the agencies list. */
  listAgencies(): Promise<NationalAgency[]>;
  /** LayDanhMucLinhVuc: the sectors list. */
  listSectors(): Promise<NationalSector[]>;
  /** GetKetQuaGiayTo: the owner's result documents from the national document store. */
  queryDocuments(query: DocumentQuery): Promise<NationalDocument[]>;
}

import { z } from 'zod';
import { TEXT_LIMITS } from '../domain/text-safety';
import {
  ApplicantKind, Channel, ComponentSource, Delivery, Dossier, DossierDocumentKind, DossierStatus, DossierSummary,
  Fee, LocalDateTime, Person, PersonInput, Procedure, ProcedureSummary, Role, StoredDocument,
} from './schemas';
import { CODE_LIMITS, DigitisedMetadata, LocalDate, safeText } from './schemas';
import { MESSAGE_LIMITS } from './message-limits';
import { BatchDrafts, BatchDraftsView } from './digitise-drafts';
import { queueMethods } from './queue';
import { signingMethods } from './signing';
import { returnMethods } from './returns';

/**
 * The API, declared once. Every process imports this map: the core validates requests and
 * results against it, the preload builds `window.motcua` from it, the renderer's api is typed by it.
 * `roles: 'public'` methods work before login; `'any'` needs a session of any role.
 */
export type Access = 'public' | 'any' | readonly Role[];

export interface MethodDef<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  params: P;
  result: R;
  roles: Access;
}

function method<P extends z.ZodType, R extends z.ZodType>(params: P, result: R, roles: Access): MethodDef<P, R> {
  return { params, result, roles };
}

const none = z.object({}).strict();
/** A dossier code a caller sends (`000.00.12.H56-260408-0001`). */
const DossierCodeParam = z.string().min(1).max(CODE_LIMITS.dossier);
const ok = z.object({ done: z.literal(true) });
const DESK = ['officer', 'supervisor', 'admin'] as const;
const STAFF = ['officer', 'digitiser', 'supervisor', 'admin'] as const;

/** The full-screen pages left running for citizens (`meta.bare` routes): `/display`, `/kiosk`, `/rate`. */
export const WallScreen = z.enum(['display', 'kiosk', 'rate']);
export type WallScreen = z.infer<typeof WallScreen>;

export const TrainingAccount = z.object({ username: z.string(), password: z.string(), role: Role, displayName: z.string() });

export const AppInfo = z.object({
  version: z.string(),
  trainingMode: z.boolean(),
  agencyId: z.string(),
  agencyName: z.string(),
  counter: z.string(),
  /** Listed on the login screen in training mode only; empty otherwise. */
  trainingAccounts: z.array(TrainingAccount),
  /** Keyboard-wedge barcode detection thresholds (config `barcode.wedge`); absent = the renderer's defaults. */
  barcodeWedge: z.object({ enabled: z.boolean(), maxGapMs: z.number(), minLength: z.number().int() }).optional(),
  /** Config `session`: the screen locks itself after `idleTimeoutMinutes` without keys or clicks. */
  session: z.object({ idleTimeoutMinutes: z.number().int(), maxHours: z.number().int() }).optional(),
});

export const SessionUser = z.object({ username: z.string(), displayName: z.string(), role: Role });
/** Who is signed in: the one type the core's services and the screens share. */
export type SessionUser = z.infer<typeof SessionUser>;

/**
 * `auth.login`'s answer. A browser tab also gets `resumeSecret`: kept in the tab's sessionStorage
 * and presented with `auth.resume` after a reload (Electron windows get none).
 */
export const LoginResult = SessionUser.extend({ resumeSecret: z.string().min(32).max(200).optional() });

export const ApplicantLookup = z.object({
  /** The person as kept in the local store, if known here. */
  local: Person.nullable(),
  /** What the national portal knows (TraCuuTechID); null when unknown or unreachable. */
  national: z.object({ fullName: z.string(), verified: z.boolean() }).nullable(),
  nationalReachable: z.boolean(),
  documents: z.array(StoredDocument),
});

export const ComponentChoice = z.object({
  componentCode: z.string().max(CODE_LIMITS.component),
  originals: z.number().int().min(0).max(99),
  copies: z.number().int().min(0).max(99),
  source: ComponentSource,
  reusedDocumentId: z.string().max(CODE_LIMITS.documentId).nullable().default(null),
  /** Required when source = reused: the applicant agreed to share the stored document. */
  consent: z.boolean().default(false),
});

/** The person fields an ID card shows (docs/architecture.md, "Stored person and a differing card"). */
export const PersonCardField = z.enum(['fullName', 'birthDate', 'sex', 'address', 'oldIdNumber', 'idIssueDate']);
export type PersonCardField = z.infer<typeof PersonCardField>;

export const ReceiveParams = z.object({
  /** Idempotency key made by the screen when the draft starts; a second Receive returns the first result. */
  requestId: z.string().uuid(),
  applicant: PersonInput,
  /**
   * The card fields of a person already stored that the officer confirmed to change. Receiving
   * writes no other card field over a stored person (a new person is stored as given).
   */
  applicantChanges: z.array(PersonCardField).max(6).default([]),
  procedureCode: z.string().min(1).max(CODE_LIMITS.procedure),
  channel: Channel,
  components: z.array(ComponentChoice).max(200),
  summary: safeText(TEXT_LIMITS.note).default(''),
  contactPhone: z.string().max(20).nullable().default(null),
  contactEmail: z.string().max(200).nullable().default(null),
  delivery: Delivery.default('desk'),
  ticketId: z.number().int().nullable().default(null),
});
export type ReceiveParams = z.input<typeof ReceiveParams>;

export const AppointmentQuote = z.object({
  receivedAt: LocalDateTime,
  appointmentAt: LocalDateTime.nullable(),
  duration: z.number().nullable(),
  unit: z.string(),
  fees: z.array(Fee),
  totalFee: z.number().int(),
  notes: z.array(z.string()),
});

export const PdfFile = z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() });

export const SyncOverview = z.object({
  pending: z.number().int(),
  retrying: z.number().int(),
  dead: z.number().int(),
  sent: z.number().int(),
  lastError: z.string().nullable(),
});

const SyncTarget = z.enum(['national', 'provincial']);
const LocalTime = z.string();

/** Sync as IT staff and officers see it: counts, per remote (with its circuit breaker), status feed. */
export const SyncStatus = z.object({
  counts: z.object({ pending: z.number().int(), retrying: z.number().int(), sent: z.number().int(), dead: z.number().int() }),
  remotes: z.array(z.object({
    target: SyncTarget,
    owed: z.number().int(),
    dead: z.number().int(),
    oldestOwedAt: LocalTime.nullable(),
    nextAttemptAt: LocalTime.nullable(),
    breaker: z.enum(['closed', 'open', 'half-open']),
    breakerRetryAt: LocalTime.nullable(),
    breakerError: z.string().nullable(),
  })),
  statusFeed: z.object({ feedId: z.string().nullable(), cursor: z.string().nullable(), updatedAt: LocalTime.nullable() }),
  lastError: z.string().nullable(),
  /** The national catalogue pull: when it last moved, and procedure versions waiting for their date. */
  catalogue: z.object({
    pulledAt: LocalTime.nullable(),
    waiting: z.array(z.object({ code: z.string(), effectiveFrom: LocalDate })),
  }).optional(),
});

/** An outbox row that will not be sent again by itself; `message` is Vietnamese, for the officer. */
export const DeadLetter = z.object({
  id: z.number().int(),
  target: SyncTarget,
  kind: z.enum(['dossier.upsert', 'dossier.progress', 'dossier.handoff']),
  dossierCode: z.string(),
  attempts: z.number().int(),
  reason: z.enum(['rejected', 'invalid', 'exhausted']),
  errorCode: z.string().nullable(),
  error: z.string().nullable(),
  message: z.string(),
  createdAt: LocalTime,
  deadAt: LocalTime.nullable(),
});

export const DeadLetterFilter = z.object({
  target: SyncTarget.optional(),
  dossierCode: z.string().min(1).max(CODE_LIMITS.dossier).optional(),
}).strict();

// ---- digitisation station (scan, clean, OCR, searchable PDF with the mandatory metadata) ----

const DIGITISE = ['digitiser', 'supervisor', 'admin'] as const;

export const ScanRequestParams = z.object({
  source: z.enum(['flatbed', 'feeder']),
  duplex: z.boolean().default(false),
  /** Dots per inch; one the scanner offers (200 for ordinary documents, 300 for drawings). */
  resolution: z.number().int().min(50).max(1200),
  mode: z.enum(['color', 'gray', 'bw']),
  pageSize: z.string().min(1).max(20).optional(),
});
export type ScanRequestParams = z.output<typeof ScanRequestParams>;

/** Overrides of the station's default processing profile; what is left out keeps the default. */
export const DigitiseProfileInput = z.object({
  dpi: z.number().int().min(72).max(600),
  colour: z.enum(['color', 'gray', 'bw']),
  duplex: z.boolean(),
  autoOrient: z.boolean(),
  deskew: z.boolean(),
  cropToPage: z.boolean(),
  despeckle: z.boolean(),
  blankThreshold: z.number().min(0).max(0.2),
  jpegQuality: z.number().int().min(10).max(100),
}).partial().strict();
export type DigitiseProfileInput = z.output<typeof DigitiseProfileInput>;

export const ScannerListing = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['sane', 'escl', 'folder', 'file', 'simulated']),
  /** null when the device could not be asked (see `error`). */
  capabilities: z.object({
    sources: z.array(z.enum(['flatbed', 'feeder'])),
    duplex: z.boolean(),
    resolutions: z.array(z.number().int()),
    modes: z.array(z.enum(['color', 'gray', 'bw'])),
    pageSizes: z.array(z.object({ name: z.string(), widthMm: z.number(), heightMm: z.number() })),
  }).nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const ImportFile = z.object({
  name: z.string().min(1).max(255),
  /**
   * The file's bytes, base64 (an image or a PDF). The whole request travels in one message of at
   * most `MESSAGE_LIMITS.signedInBytes` (64 MiB), so one file's base64 is bounded by that, less room
   * for the rest of the message: about 48 MiB of file.
   */
  base64: z.string().min(1).max(MESSAGE_LIMITS.signedInBytes - MESSAGE_LIMITS.envelopeBytes),
});

export const BatchPageView = z.object({
  /** Capture number inside the batch; edits name pages by it. */
  index: z.number().int(),
  side: z.enum(['front', 'back']),
  position: z.number().int(),
  /** Which document of the batch the page belongs to (0, 1, …; `split` starts a new one). */
  group: z.number().int(),
  status: z.enum(['pending', 'ok', 'error']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  blank: z.boolean(),
  deleted: z.boolean(),
  rotation: z.number().int(),
  rotationOverride: z.number().int(),
  skewAngle: z.number(),
  /**
   * The orientation stage could not tell which way up the page is and kept it as scanned: the
   * officer should look ("Kiểm tra chiều trang"). False once the officer has turned the page.
   */
  orientationCheck: z.boolean().optional(),
  ocrText: z.string().nullable(),
  ocrConfidence: z.number().nullable(),
  /** Small PNG of the cleaned page (of the capture while it is processing), base64. */
  thumbnail: z.string().nullable(),
  /** `L:<n>` once the page's group became a document. */
  documentId: z.string().nullable(),
});

export const BatchView = z.object({
  batchId: z.string(),
  state: z.enum(['capturing', 'ready', 'closed']),
  source: z.enum(['scanner', 'import']),
  scannerId: z.string().nullable(),
  createdAt: LocalDateTime,
  officer: z.string(),
  lastError: z.string().nullable(),
  pages: z.array(BatchPageView),
  groups: z.array(z.object({ group: z.number().int(), pages: z.number().int(), documentId: z.string().nullable() })),
});
export type BatchView = z.output<typeof BatchView>;

export const BatchSummary = BatchView.pick({ batchId: true, state: true, source: true, createdAt: true, officer: true, lastError: true })
  .extend({ pages: z.number().int() });

const PageRef = z.number().int().min(0);
export const BatchEdit = z.discriminatedUnion('op', [
  /** Capture numbers in their new order; pages left out keep their order after them. */
  z.object({ op: z.literal('reorder'), order: z.array(PageRef).min(1).max(2000) }),
  /** Turns the page clockwise by `degrees` (on top of earlier turns) and processes it again. */
  z.object({ op: z.literal('rotate'), page: PageRef, degrees: z.union([z.literal(90), z.literal(180), z.literal(270), z.literal(-90)]) }),
  z.object({ op: z.literal('delete'), page: PageRef }),
  z.object({ op: z.literal('restore'), page: PageRef }),
  /** Pages after `afterPage` (in order) start a new document. */
  z.object({ op: z.literal('split'), afterPage: PageRef }),
  /** Undoes a split: the page's document continues into the next one. */
  z.object({ op: z.literal('join'), afterPage: PageRef }),
  /** Scans one sheet again on the batch's scanner; the new capture takes the page's place. */
  z.object({ op: z.literal('rescan'), page: PageRef }),
]);
export type BatchEdit = z.output<typeof BatchEdit>;

export const FinishParams = z.object({
  batchId: z.string().min(1).max(64),
  group: z.number().int().min(0).default(0),
  metadata: DigitisedMetadata,
  /** The dossier component the document is for (with `metadata.dossierCode`); found by document code when left out. */
  componentCode: z.string().min(1).max(60).nullable().default(null),
});

export const FinishResult = z.object({
  documentId: z.string(),
  sha256: z.string(),
  pageCount: z.number().int(),
  sizeBytes: z.number().int(),
  textChars: z.number().int(),
  blankPages: z.number().int(),
  dossierCode: z.string().nullable(),
  /** The dossier component marked digitised, if any. */
  componentCode: z.string().nullable(),
  batchClosed: z.boolean(),
});

export const PendingComponent = z.object({
  dossierCode: z.string(),
  componentCode: z.string(),
  componentName: z.string(),
  documentCode: z.string().nullable(),
  applicantName: z.string(),
  applicantIdNumber: z.string(),
  procedureCode: z.string(),
  procedureName: z.string(),
  receivedAt: LocalDateTime,
});

export const DocumentSearchHit = z.object({
  id: z.string(),
  source: z.enum(['local', 'national']),
  ownerIdNumber: z.string(),
  ownerName: z.string().nullable(),
  documentCode: z.string(),
  documentName: z.string(),
  dossierCode: z.string().nullable(),
  digitisedAt: LocalDateTime.nullable(),
  pageCount: z.number().int().nullable(),
  sizeBytes: z.number().int().nullable(),
  validUntil: LocalDate.nullable(),
  convertedFromPaper: z.boolean(),
  snippet: z.string(),
});

const digitiseMethods = {
  'digitise.scanners': method(none, z.array(ScannerListing), DIGITISE),
  'digitise.startScan': method(
    z.object({ scannerId: z.string().min(1).max(200), request: ScanRequestParams, profile: DigitiseProfileInput.default({}) }),
    z.object({ batchId: z.string() }), DIGITISE),
  'digitise.importFiles': method(
    z.object({ files: z.array(ImportFile).min(1).max(50), profile: DigitiseProfileInput.default({}) }),
    z.object({ batchId: z.string(), pages: z.number().int() }), DIGITISE),
  'digitise.cancel': method(z.object({ batchId: z.string().min(1).max(64) }), ok, DIGITISE),
  'digitise.batch': method(z.object({ batchId: z.string().min(1).max(64) }), BatchView, DIGITISE),
  'digitise.openBatches': method(none, z.array(BatchSummary), DIGITISE),
  'digitise.editBatch': method(z.object({ batchId: z.string().min(1).max(64), ops: z.array(BatchEdit).min(1).max(200) }), BatchView, DIGITISE),
  'digitise.finish': method(FinishParams, FinishResult, DIGITISE),
  /** The metadata drafts of an open batch's documents, as last saved (restored when the batch is reopened). */
  'digitise.drafts': method(z.object({ batchId: z.string().min(1).max(64) }), BatchDraftsView, DIGITISE),
  /** Saves the metadata drafts as typed (the whole set: a group left out is dropped); audited when they change. */
  'digitise.saveDrafts': method(z.object({ batchId: z.string().min(1).max(64), drafts: BatchDrafts }), z.object({ savedAt: z.string() }), DIGITISE),
  'digitise.pending': method(none, z.array(PendingComponent), STAFF),
  'documents.search': method(
    z.object({ query: z.string().min(1).max(200), limit: z.number().int().min(1).max(100).default(20) }),
    z.array(DocumentSearchHit), DIGITISE),
  /** The PDF of a document digitised at this desk (`L:<n>`), as stored (signed once signing has run). */
  'documents.pdf': method(z.object({ id: z.string().regex(/^L:\d{1,12}$/, 'mã văn bản số hóa dạng L:123') }), PdfFile, DIGITISE),
} as const;

export const contract = {
  'app.info': method(none, AppInfo, 'public'),
  'auth.login': method(z.object({ username: z.string().min(1).max(TEXT_LIMITS.username), password: z.string().min(1).max(TEXT_LIMITS.password) }), LoginResult, 'public'),
  /** Rebinds a browser tab's session after a reload; null when the secret is unknown, revoked or idle too long. */
  'auth.resume': method(z.object({ secret: z.string().min(32).max(200) }), SessionUser.nullable(), 'public'),
  'auth.logout': method(none, ok, 'any'),
  /** The user of this connection's session; also of a locked one (null when ended). See docs/architecture.md, "Sessions". */
  'auth.me': method(none, SessionUser.nullable(), 'public'),
  /** Locks this session now (the screen's idle timer, or the officer leaving the desk). */
  'auth.lock': method(none, ok, 'any'),
  /** Unlocks this connection's locked session with the signed-in user's password (login throttle, audited). */
  'auth.unlock': method(z.object({ password: z.string().min(1).max(TEXT_LIMITS.password) }), SessionUser, 'any'),
  /** Ends every session of the caller's account (all tabs, windows and resume grants), audited. */
  'auth.logoutEverywhere': method(none, ok, 'any'),
  /** Changes the caller's password: other sessions of the account end, this one continues. */
  /**
   * Narrows this connection's session to one wall screen for good (docs/architecture.md, "Sessions"):
   * only that screen's methods, no idle lock; a new sign-in is needed to widen it. Audited.
   */
  'auth.wallScreen': method(z.object({ screen: WallScreen }).strict(), z.object({ screen: WallScreen }), 'any'),
  'auth.changePassword': method(z.object({
    current: z.string().min(1).max(TEXT_LIMITS.password),
    next: z.string().min(8).max(TEXT_LIMITS.password),
  }), ok, 'any'),

  ...queueMethods,

  'applicant.lookup': method(z.object({ kind: ApplicantKind, idNumber: z.string().min(1).max(20) }), ApplicantLookup, DESK),
  'applicant.save': method(PersonInput, Person, DESK),
  'applicant.search': method(z.object({ query: z.string().min(1).max(100), limit: z.number().int().min(1).max(100).default(20) }), z.array(Person), STAFF),

  'catalogue.search': method(z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(100).default(20) }), z.array(ProcedureSummary), STAFF),
  'catalogue.get': method(z.object({ code: z.string().min(1).max(CODE_LIMITS.procedure) }), Procedure, STAFF),

  'intake.quote': method(z.object({ procedureCode: z.string().min(1).max(CODE_LIMITS.procedure), channel: Channel }), AppointmentQuote, DESK),
  'intake.receive': method(ReceiveParams, Dossier, DESK),

  'dossier.listToday': method(z.object({ query: z.string().max(100).default('') }), z.array(DossierSummary), STAFF),
  /**
   * Dossiers by name (folded), ID, code or code prefix, narrowed by the day received (inclusive
   * range) and the status; an empty query needs at least one filter.
   */
  'dossier.search': method(
    z.object({
      query: z.string().max(100).default(''),
      limit: z.number().int().min(1).max(200).default(50),
      receivedFrom: LocalDate.optional(),
      receivedTo: LocalDate.optional(),
      status: DossierStatus.optional(),
    })
      .refine((p) => p.query.trim() !== '' || p.receivedFrom !== undefined || p.receivedTo !== undefined || p.status !== undefined, 'cần từ khóa hoặc bộ lọc')
      .refine((p) => !p.receivedFrom || !p.receivedTo || p.receivedFrom <= p.receivedTo, { message: 'từ ngày sau đến ngày', path: ['receivedTo'] }),
    z.array(DossierSummary), STAFF),
  'dossier.get': method(z.object({ code: DossierCodeParam }), Dossier, STAFF),
  'dossier.document': method(z.object({ code: DossierCodeParam, kind: DossierDocumentKind }), PdfFile, STAFF),
  'dossier.printReceipt': method(z.object({ code: DossierCodeParam }), z.object({ printer: z.string(), jobId: z.string() }), DESK),
  'dossier.requestSupplement': method(
    z.object({
      code: DossierCodeParam,
      /** Component codes of the dossier. */
      missing: z.array(z.string().min(1).max(CODE_LIMITS.component)).min(1).max(200),
      reason: safeText(TEXT_LIMITS.note, { min: 1 }),
    }),
    Dossier, DESK),
  'dossier.refuse': method(z.object({ code: DossierCodeParam, reasons: z.array(safeText(TEXT_LIMITS.note, { min: 1 })).min(1).max(20) }), Dossier, DESK),

  'sync.overview': method(none, SyncOverview, STAFF),
  'sync.status': method(none, SyncStatus, STAFF),
  'sync.deadLetters': method(DeadLetterFilter.extend({ limit: z.number().int().min(1).max(1000).default(200) }), z.array(DeadLetter), STAFF),
  /** Sends dead rows again: the ids given, or every dead row matching the filter when `all`. */
  'sync.retryDead': method(
    DeadLetterFilter.extend({ ids: z.array(z.number().int().min(1)).max(1000).optional(), all: z.boolean().default(false) })
      .refine((p) => p.all || (p.ids !== undefined && p.ids.length > 0), 'cần ids hoặc all'),
    z.object({ revived: z.array(z.number().int()) }), STAFF),
  /** The dead letters as a JSON file to hand to IT staff (no payloads: they hold personal data). */
  'sync.exportDead': method(DeadLetterFilter, z.object({ fileName: z.string(), content: z.string(), count: z.number().int() }), STAFF),

  ...digitiseMethods,
  ...signingMethods,
  ...returnMethods,
} as const;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type ParamsOf<M extends MethodName> = z.input<Contract[M]['params']>;
export type ResultOf<M extends MethodName> = z.output<Contract[M]['result']>;
export const METHOD_NAMES = Object.keys(contract) as MethodName[];

export function rolesAllow(access: Access, role: Role | null): boolean {
  if (access === 'public') return true;
  if (role === null) return false;
  if (access === 'any') return true;
  return access.includes(role);
}

export type { Dossier, DossierSummary };

import { z } from 'zod';
import { checkMultiLineText, checkSingleLineText, TEXT_LIMITS, type TextSafetyResult } from '../domain/text-safety';

/**
 * Entity schemas shared by every process. Times are Vietnam wall-clock (UTC+7, no DST) strings:
 * `LocalDateTime` = `YYYY-MM-DDTHH:mm`, `LocalDate` = `YYYY-MM-DD`. The core's clock converts.
 */
export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD');
export const LocalDateTime = z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'YYYY-MM-DDTHH:mm');

export const Role = z.enum(['officer', 'digitiser', 'supervisor', 'admin']);
export type Role = z.infer<typeof Role>;

/** docs/domain.md §3 KenhThucHien: 1 walk-in, 2 online, 3 public postal service. */
export const Channel = z.enum(['walk-in', 'online', 'post']);
export type Channel = z.infer<typeof Channel>;

/** docs/domain.md §3 LoaiDoiTuong: 1 citizen, 2 enterprise, 3 state agency, 4 other organisation. */
export const ApplicantKind = z.enum(['citizen', 'enterprise', 'agency', 'organisation']);
export type ApplicantKind = z.infer<typeof ApplicantKind>;

/** docs/domain.md §3 TrangThaiHoSo 1-10. */
export const DossierStatus = z.number().int().min(1).max(10);

export const DurationUnit = z.enum(['working-days', 'calendar-days', 'hours', 'none']);
export type DurationUnit = z.infer<typeof DurationUnit>;

export const Delivery = z.enum(['desk', 'post']);

export const Person = z.object({
  id: z.number().int(),
  kind: ApplicantKind,
  /** 12-digit personal ID for citizens; organisation identifier (tax / enterprise / agency code) otherwise. */
  idNumber: z.string(),
  fullName: z.string(),
  oldIdNumber: z.string().nullable(),
  birthDate: LocalDate.nullable(),
  sex: z.enum(['Nam', 'Nữ']).nullable(),
  address: z.string().nullable(),
  idIssueDate: LocalDate.nullable(),
  phone: z.string().nullable(),
  email: z.string().nullable(),
  /** Identity confirmed at the national portal (TraCuuTechID). */
  portalVerified: z.boolean(),
});
export type Person = z.infer<typeof Person>;

/**
 * A single-line text people type (a name, an address): at most `max` characters, no control,
 * bidi or zero-width character (`checkSingleLineText`), stored NFC. A refusal is a `custom` issue
 * whose `params.problem` is the `TextSafetyProblem` code.
 */
export function safeLineText(max: number, options: TextOptions = {}) {
  return checkedText(max, checkSingleLineText, options);
}

/**
 * A multi-line text people type (a note, a reason): as `safeLineText`, but tab and line breaks
 * are allowed (`checkMultiLineText`).
 */
export function safeText(max: number, options: TextOptions = {}) {
  return checkedText(max, checkMultiLineText, options);
}

/** `trim`: spaces around are dropped before the checks; `min`: the least length after that. */
interface TextOptions {
  trim?: boolean;
  min?: number;
}

function checkedText(max: number, check: (text: string) => TextSafetyResult, options: TextOptions) {
  const base = options.trim ? z.string().trim() : z.string();
  return (options.min ? base.min(options.min) : base).max(max).transform((text, ctx) => {
    const checked = check(text);
    if (checked.ok) return checked.text;
    ctx.addIssue({
      code: 'custom',
      message: checked.problem,
      params: { problem: checked.problem, codePoint: checked.codePoint },
    });
    return z.NEVER;
  });
}

/** Lengths of codes callers send: a dossier code (`000.00.12.H56-260408-0001`), a procedure or component code. */
export const CODE_LIMITS = {
  dossier: 60,
  procedure: 100,
  component: 60,
  sector: 60,
  documentCode: 40,
  documentId: 100,
} as const;

export const PersonInput = Person.omit({ id: true, portalVerified: true }).extend({
  idNumber: z.string().max(20),
  fullName: safeLineText(TEXT_LIMITS.name),
  oldIdNumber: z.string().max(20).nullable(),
  address: safeLineText(TEXT_LIMITS.address).nullable(),
  phone: z.string().max(20).nullable(),
  email: z.string().max(200).nullable(),
  portalVerified: z.boolean().default(false),
});
export type PersonInput = z.infer<typeof PersonInput>;

export const Fee = z.object({ code: z.string(), name: z.string(), amount: z.number().int().nonnegative() });
export type Fee = z.infer<typeof Fee>;

export const ProcedureComponent = z.object({
  /** Component code inside the procedure (MaThanhPhanHoSo). */
  code: z.string(),
  name: z.string(),
  /** National document code (KQ0003, DC0001, ...) when the component is a known document. */
  documentCode: z.string().nullable(),
  required: z.boolean(),
  originals: z.number().int().nonnegative(),
  copies: z.number().int().nonnegative(),
});
export type ProcedureComponent = z.infer<typeof ProcedureComponent>;

export const ChannelTerms = z.object({
  channel: Channel,
  duration: z.number().nonnegative().nullable(),
  unit: DurationUnit,
  fees: z.array(Fee),
});
export type ChannelTerms = z.infer<typeof ChannelTerms>;

export const ProcedureSummary = z.object({
  code: z.string(),
  name: z.string(),
  sectorCode: z.string(),
  sectorName: z.string(),
});
export type ProcedureSummary = z.infer<typeof ProcedureSummary>;

export const Procedure = ProcedureSummary.extend({
  level: z.string(),
  agencyName: z.string(),
  resultName: z.string(),
  resultCode: z.string().nullable(),
  /** Same-day cut-off `HH:mm`: received after it counts from the next working day. */
  cutoff: z
    .string()
    .regex(/^\d{2}:\d{2}$/)
    .nullable(),
  components: z.array(ProcedureComponent),
  channels: z.array(ChannelTerms),
  effectiveFrom: LocalDate,
});
export type Procedure = z.infer<typeof Procedure>;

export const StoredDocument = z.object({
  /** Local id (`L:<n>`) or the national store's id (`N:<GiayToId>`). */
  id: z.string(),
  source: z.enum(['local', 'national']),
  ownerIdNumber: z.string(),
  documentCode: z.string(),
  documentName: z.string(),
  number: z.string().nullable(),
  issuer: z.string().nullable(),
  issuedOn: LocalDate.nullable(),
  /** null = permanent. */
  validUntil: LocalDate.nullable(),
  url: z.string().nullable(),
});
export type StoredDocument = z.infer<typeof StoredDocument>;

export const ComponentSource = z.enum(['paper', 'reused', 'to-digitise']);
export type ComponentSource = z.infer<typeof ComponentSource>;

export const DossierComponent = z.object({
  componentCode: z.string(),
  name: z.string(),
  documentCode: z.string().nullable(),
  originals: z.number().int().nonnegative(),
  copies: z.number().int().nonnegative(),
  source: ComponentSource,
  reusedDocumentId: z.string().nullable(),
  /** When the applicant consented to sharing the reused document. */
  consentAt: LocalDateTime.nullable(),
  /** Local document id once digitised (filled by the digitisation station). */
  digitisedDocumentId: z.number().int().nullable(),
});
export type DossierComponent = z.infer<typeof DossierComponent>;

export const SyncState = z.enum(['pending', 'synced', 'retrying', 'dead']);
export type SyncState = z.infer<typeof SyncState>;

export const DossierSummary = z.object({
  id: z.number().int(),
  code: z.string(),
  status: DossierStatus,
  channel: Channel,
  applicantName: z.string(),
  applicantIdNumber: z.string(),
  procedureCode: z.string(),
  procedureName: z.string(),
  receivedAt: LocalDateTime,
  appointmentAt: LocalDateTime.nullable(),
  officer: z.string(),
  sync: z.object({ national: SyncState, provincial: SyncState }),
});
export type DossierSummary = z.infer<typeof DossierSummary>;

export const DossierDocumentKind = z.enum(['receipt', 'supplement', 'refusal']);
export type DossierDocumentKind = z.infer<typeof DossierDocumentKind>;

export const Dossier = DossierSummary.extend({
  applicant: Person,
  summary: z.string(),
  contactPhone: z.string().nullable(),
  contactEmail: z.string().nullable(),
  delivery: Delivery,
  components: z.array(DossierComponent),
  fees: z.array(Fee),
  totalFee: z.number().int().nonnegative(),
  ticketNumber: z.string().nullable(),
  previousAppointmentAt: LocalDateTime.nullable(),
  documents: z.array(z.object({ kind: DossierDocumentKind, createdAt: LocalDateTime, sha256: z.string() })),
  history: z.array(z.object({ at: LocalDateTime, status: DossierStatus, actor: z.string(), note: z.string() })),
});
export type Dossier = z.infer<typeof Dossier>;

/**
 * A queue ticket. waiting: in line; called: at `counter`; skipped: did not come when
 * called (can be called again); held: set aside at `counter`; done: finished (`outcome` served,
 * or expired when its day ended unfinished).
 */
export const TicketState = z.enum(['waiting', 'called', 'skipped', 'held', 'done']);
export const Ticket = z.object({
  id: z.number().int(),
  /** Service prefix + number of the day, e.g. `A001`. */
  number: z.string(),
  /** Service code. */
  service: z.string(),
  serviceName: z.string(),
  priority: z.boolean(),
  state: TicketState,
  takenAt: LocalDateTime,
  /** First call (the waiting time ends there). */
  calledAt: LocalDateTime.nullable(),
  /** The counter that called it last. */
  counter: z.string().nullable(),
  /** Transferred to this counter: only it calls the ticket. */
  targetCounter: z.string().nullable(),
  callCount: z.number().int(),
  finishedAt: LocalDateTime.nullable(),
  outcome: z.enum(['served', 'expired']).nullable(),
  dossierCode: z.string().nullable(),
  /** Time spent waiting (also skipped or held) and being served at a counter, so far. */
  waitSeconds: z.number().int(),
  serviceSeconds: z.number().int(),
  printedAt: LocalDateTime.nullable(),
  /** The last print failure's error code, null once printed. */
  printError: z.string().nullable(),
  /** Satisfaction after service (1 không hài lòng, 2 hài lòng, 3 rất hài lòng); null until rated. */
  rating: z.number().int().min(1).max(3).nullable().optional(),
});
export type Ticket = z.infer<typeof Ticket>;

/**
 * Mandatory metadata of a digitised document (docs/domain.md §8), kept in the database row and
 * in the PDF's XMP. `validUntil` null with `permanent` true = valid without limit.
 */
export const DigitisedMetadata = z
  .object({
    ownerIdNumber: z.string().min(1).max(20),
    ownerName: z.string().min(1).max(200),
    documentCode: z
      .string()
      .max(CODE_LIMITS.documentCode)
      .regex(/^(KQ|DC)\d{4}$|^KQ\.[A-Z0-9]+\.\d+$/, 'mã giấy tờ dạng KQ0003'),
    documentName: z.string().min(1).max(300),
    dossierCode: z.string().max(CODE_LIMITS.dossier).nullable(),
    permanent: z.boolean(),
    validUntil: LocalDate.nullable(),
    issuer: z.string().max(300).nullable(),
    number: z.string().max(100).nullable(),
    issuedOn: LocalDate.nullable(),
    summary: safeText(TEXT_LIMITS.note).nullable(),
    kind: z.enum(['component', 'result']),
    procedureCode: z.string().max(CODE_LIMITS.procedure).nullable(),
    sectorCode: z.string().max(CODE_LIMITS.sector).nullable(),
  })
  .refine((m) => m.permanent === (m.validUntil === null), {
    message: 'chọn "vô thời hạn" hoặc nhập ngày hết hiệu lực',
    path: ['validUntil'],
  });
export type DigitisedMetadata = z.infer<typeof DigitisedMetadata>;

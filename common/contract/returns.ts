import { z } from 'zod';
import { TEXT_LIMITS } from '../domain/text-safety';
import { define, DESK, PdfFile, PrintJob } from './define';
import { Delivery, Dossier, LocalDateTime, safeLineText, safeText } from './schemas';

// Return of results (docs/domain.md §9; statuses 9 and 10 in §3, form 4 in §6).
//
// A dossier is ready to return when the provincial system reported it processed (9) and the
// result file it announced is held here (downloaded, sha256 checked). The officer checks the
// collector (the applicant, or an authorised person with their ID and the authorisation noted)
// and hands over at the desk or by post (tracking number): the dossier becomes 10, the national
// portal is told through the outbox. A dossier past its appointment and not yet processed gets
// form 4 (apology and new date, the new date computed by the working-time rules).
//
// Roles: the desk roles (officer, supervisor, admin).

const Code = z.string().trim().min(1).max(60);

export const ResultState = z.enum(['stored', 'pending', 'none']);

export const ResultInfo = z.object({
  id: z.number().int(),
  fileName: z.string(),
  documentName: z.string(),
  documentCode: z.string(),
  state: z.enum(['stored', 'pending']),
  attempts: z.number().int(),
  lastErrorCode: z.string().nullable(),
  /** `L:<n>` in the owner's document store once filed. */
  documentId: z.string().nullable(),
  sizeBytes: z.number().int(),
});

export const ReadyItem = z.object({
  code: z.string(),
  applicantName: z.string(),
  applicantIdNumber: z.string(),
  procedureName: z.string(),
  receivedAt: LocalDateTime,
  appointmentAt: LocalDateTime.nullable(),
  processedAt: LocalDateTime.nullable(),
  /** Processing finished after the appointment. */
  late: z.boolean(),
  delivery: Delivery,
  /** `stored`: every announced file is here; `pending`: one is still being fetched; `none`: no electronic result. */
  resultState: ResultState,
});
export type ReadyItem = z.output<typeof ReadyItem>;

export const HandOver = z.object({
  returnedAt: LocalDateTime,
  officer: z.string(),
  collectorKind: z.enum(['applicant', 'authorised']),
  collectorName: z.string(),
  /** Masked except the last 4 digits. */
  collectorIdNumber: z.string().nullable(),
  authorisation: z.string().nullable(),
  delivery: Delivery,
  trackingNumber: z.string().nullable(),
});

export const DelayLetterInfo = z.object({
  id: z.number().int(),
  issuedAt: LocalDateTime,
  previousAppointmentAt: LocalDateTime,
  newAppointmentAt: LocalDateTime,
  extensionDays: z.number().int(),
  reason: z.string(),
  officer: z.string(),
});

export const ReturnView = z.object({
  dossier: Dossier,
  processedAt: LocalDateTime.nullable(),
  results: z.array(ResultInfo),
  resultState: ResultState,
  /** Status 9 and every announced file held: the result can be handed over. */
  ready: z.boolean(),
  late: z.boolean(),
  /** Past the appointment and not processed yet: form 4 can be issued. */
  canApologise: z.boolean(),
  handOver: HandOver.nullable(),
  delayLetters: z.array(DelayLetterInfo),
});
export type ReturnView = z.output<typeof ReturnView>;

export const Collector = z.object({
  kind: z.enum(['applicant', 'authorised']),
  fullName: safeLineText(TEXT_LIMITS.name, { trim: true }).default(''),
  idNumber: z.string().trim().max(20).default(''),
  /** The authorisation (kind, number, date, who certified it); required for an authorised person. */
  authorisation: safeLineText(500, { trim: true }).default(''),
});

export const HandOverParams = z.object({
  code: Code,
  delivery: Delivery,
  collector: Collector,
  trackingNumber: z.string().trim().max(60).default(''),
  note: safeText(500, { trim: true }).default(''),
});
export type HandOverParams = z.input<typeof HandOverParams>;

export const ApologyParams = z.object({
  code: Code,
  /** Working days the processing unit still needs. */
  extensionDays: z.number().int().min(1).max(60),
  reason: safeText(TEXT_LIMITS.note, { trim: true, min: 1 }),
});

export const returnMethods = {
  'returns.listReady': define(z.object({ query: z.string().trim().max(100).default('') }), z.array(ReadyItem), DESK),
  'returns.get': define(z.object({ code: Code }), ReturnView, DESK),
  'returns.handOver': define(HandOverParams, ReturnView, DESK),
  /** Downloads announced result files that are still missing, now. */
  'returns.refetch': define(z.object({ code: Code }), ReturnView, DESK),
  'returns.resultPdf': define(z.object({ code: Code, resultId: z.number().int().min(1) }), PdfFile, DESK),
  /** The new date form 4 would give, without issuing it. */
  'returns.apologyQuote': define(
    ApologyParams.pick({ code: true, extensionDays: true }),
    z.object({ previousAppointmentAt: LocalDateTime, newAppointmentAt: LocalDateTime, notes: z.array(z.string()) }),
    DESK,
  ),
  'returns.issueApology': define(ApologyParams, z.object({ letter: DelayLetterInfo, pdf: PdfFile }), DESK),
  'returns.apologyPdf': define(z.object({ code: Code, letterId: z.number().int().min(1) }), PdfFile, DESK),
  /** Prints a form 4 letter on the desk's document printer. */
  'returns.printApology': define(z.object({ code: Code, letterId: z.number().int().min(1) }), PrintJob, DESK),
} as const;

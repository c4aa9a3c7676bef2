import { z } from 'zod';
import type { Access, MethodDef } from './methods';
import { TEXT_LIMITS } from '../domain/text-safety';
import { Delivery, Dossier, LocalDateTime, safeLineText, safeText } from './schemas';

/**
 * Return of results (issue 6, DOMAIN.md §1 "returns results", §4 statuses 9 and 10, §7 form 4).
 *
 * A dossier is ready to return when the provincial system reported it processed (9) and the
 * result file it announced is held here (downloaded, sha256 checked). The officer checks the
 * collector (the applicant, or an authorised person with their ID and the authorisation noted)
 * and hands over at the desk or by post (tracking number): the dossier becomes 10, the national
 * portal is told through the outbox. A dossier past its appointment and not yet processed gets
 * form 4 (apology and new date, the new date computed by the working-time rules).
 *
 * Roles: the desk roles (officer, supervisor, admin).
 */
function method<P extends z.ZodType, R extends z.ZodType>(params: P, result: R, roles: Access): MethodDef<P, R> {
  return { params, result, roles };
}

const DESK = ['officer', 'supervisor', 'admin'] as const;
const Code = z.string().trim().min(1).max(60);

/** Same shape as `PdfFile` of methods.ts (not imported from there: methods.ts imports this file). */
const ReturnPdf = z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() });

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
  'returns.listReady': method(z.object({ query: z.string().trim().max(100).default('') }), z.array(ReadyItem), DESK),
  'returns.get': method(z.object({ code: Code }), ReturnView, DESK),
  'returns.handOver': method(HandOverParams, ReturnView, DESK),
  /** Downloads announced result files that are still missing, now. */
  'returns.refetch': method(z.object({ code: Code }), ReturnView, DESK),
  'returns.resultPdf': method(z.object({ code: Code, resultId: z.number().int().min(1) }), ReturnPdf, DESK),
  /** The new date form 4 would give, without issuing it. */
  'returns.apologyQuote': method(ApologyParams.pick({ code: true, extensionDays: true }),
    z.object({ previousAppointmentAt: LocalDateTime, newAppointmentAt: LocalDateTime, notes: z.array(z.string()) }), DESK),
  'returns.issueApology': method(ApologyParams, z.object({ letter: DelayLetterInfo, pdf: ReturnPdf }), DESK),
  'returns.apologyPdf': method(z.object({ code: Code, letterId: z.number().int().min(1) }), ReturnPdf, DESK),
  /** Prints a form 4 letter on the desk's document printer. */
  'returns.printApology': method(z.object({ code: Code, letterId: z.number().int().min(1) }), z.object({ printer: z.string(), jobId: z.string() }), DESK),
} as const;

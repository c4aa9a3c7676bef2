import { z } from 'zod';
import {
  ApplicantKind, Channel, ComponentSource, Delivery, Dossier, DossierDocumentKind, DossierSummary,
  Fee, LocalDateTime, Person, PersonInput, Procedure, ProcedureSummary, Role, StoredDocument, Ticket,
} from './schemas';

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
const ok = z.object({ done: z.literal(true) });
const DESK = ['officer', 'supervisor', 'admin'] as const;
const STAFF = ['officer', 'digitiser', 'supervisor', 'admin'] as const;

export const TrainingAccount = z.object({ username: z.string(), password: z.string(), role: Role, displayName: z.string() });

export const AppInfo = z.object({
  version: z.string(),
  trainingMode: z.boolean(),
  agencyId: z.string(),
  agencyName: z.string(),
  counter: z.string(),
  /** Listed on the login screen in training mode only; empty otherwise. */
  trainingAccounts: z.array(TrainingAccount),
});

export const SessionUser = z.object({ username: z.string(), displayName: z.string(), role: Role });

export const ApplicantLookup = z.object({
  /** The person as kept in the local store, if known here. */
  local: Person.nullable(),
  /** What the national portal knows (TraCuuTechID); null when unknown or unreachable. */
  national: z.object({ fullName: z.string(), verified: z.boolean() }).nullable(),
  nationalReachable: z.boolean(),
  documents: z.array(StoredDocument),
});

export const ComponentChoice = z.object({
  componentCode: z.string(),
  originals: z.number().int().min(0).max(99),
  copies: z.number().int().min(0).max(99),
  source: ComponentSource,
  reusedDocumentId: z.string().nullable().default(null),
  /** Required when source = reused: the applicant agreed to share the stored document. */
  consent: z.boolean().default(false),
});

export const ReceiveParams = z.object({
  /** Idempotency key made by the screen when the draft starts; a second Receive returns the first result. */
  requestId: z.string().uuid(),
  applicant: PersonInput,
  procedureCode: z.string().min(1),
  channel: Channel,
  components: z.array(ComponentChoice),
  summary: z.string().max(2000).default(''),
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

export const QueueState = z.object({
  counter: z.string(),
  current: Ticket.nullable(),
  waiting: z.array(Ticket),
  skipped: z.array(Ticket),
});

export const PdfFile = z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() });

export const SyncOverview = z.object({
  pending: z.number().int(),
  retrying: z.number().int(),
  dead: z.number().int(),
  sent: z.number().int(),
  lastError: z.string().nullable(),
});

export const contract = {
  'app.info': method(none, AppInfo, 'public'),
  'auth.login': method(z.object({ username: z.string().min(1), password: z.string().min(1) }), SessionUser, 'public'),
  'auth.logout': method(none, ok, 'any'),
  'auth.me': method(none, SessionUser.nullable(), 'public'),

  'queue.state': method(none, QueueState, DESK),
  'queue.callNext': method(none, Ticket, DESK),
  'queue.recall': method(none, Ticket, DESK),
  'queue.skip': method(none, QueueState, DESK),
  'queue.takeTicket': method(z.object({ service: z.string().default('TTHC'), priority: z.boolean().default(false) }), Ticket, STAFF),

  'applicant.lookup': method(z.object({ kind: ApplicantKind, idNumber: z.string().min(1).max(20) }), ApplicantLookup, DESK),
  'applicant.save': method(PersonInput, Person, DESK),
  'applicant.search': method(z.object({ query: z.string().min(1).max(100), limit: z.number().int().min(1).max(100).default(20) }), z.array(Person), STAFF),

  'catalogue.search': method(z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(100).default(20) }), z.array(ProcedureSummary), STAFF),
  'catalogue.get': method(z.object({ code: z.string().min(1) }), Procedure, STAFF),

  'intake.quote': method(z.object({ procedureCode: z.string().min(1), channel: Channel }), AppointmentQuote, DESK),
  'intake.receive': method(ReceiveParams, Dossier, DESK),

  'dossier.listToday': method(z.object({ query: z.string().max(100).default('') }), z.array(DossierSummary), STAFF),
  'dossier.search': method(z.object({ query: z.string().min(1).max(100), limit: z.number().int().min(1).max(200).default(50) }), z.array(DossierSummary), STAFF),
  'dossier.get': method(z.object({ code: z.string().min(1) }), Dossier, STAFF),
  'dossier.document': method(z.object({ code: z.string().min(1), kind: DossierDocumentKind }), PdfFile, STAFF),
  'dossier.printReceipt': method(z.object({ code: z.string().min(1) }), z.object({ printer: z.string(), jobId: z.string() }), DESK),
  'dossier.requestSupplement': method(
    z.object({ code: z.string().min(1), missing: z.array(z.string().min(1)).min(1), reason: z.string().min(1).max(2000) }),
    Dossier, DESK),
  'dossier.refuse': method(z.object({ code: z.string().min(1), reasons: z.array(z.string().min(1)).min(1) }), Dossier, DESK),

  'sync.overview': method(none, SyncOverview, STAFF),
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

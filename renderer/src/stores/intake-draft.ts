import type {
  ApplicantKind,
  Channel,
  ComponentSource,
  Dossier,
  PersonCardField,
  Procedure,
  ReceiveParams,
  StoredDocument,
} from '../../../common/contract';
import type { IdCardQrProblem, IdCardQrWarning, PersonalIdProblem, PersonalIdWarning } from '../../../common/domain';
import type { ApplicantLookup, AppointmentQuote } from './types';
import { LOCAL_DATE } from '../format/format';
import type { UiError } from './ui-error';

/** One row of the components table as the officer fills it. */
export interface ComponentDraft {
  originals: number;
  copies: number;
  source: ComponentSource;
  reusedDocumentId: string | null;
  consent: boolean;
  /** The officer changed the source: suggestions no longer overwrite it. */
  touched: boolean;
}

export interface PersonDraft {
  fullName: string;
  /** `YYYY-MM-DD`, '' or, while it is not a valid date, the text as typed. */
  birthDate: string;
  sex: '' | 'Nam' | 'Nữ';
  address: string;
  oldIdNumber: string;
  /** `YYYY-MM-DD`, '' or, while it is not a valid date, the text as typed. */
  idIssueDate: string;
  phone: string;
  email: string;
}

/**
 * Why the applicant field was rejected: an ID card QR's problem (worded by the locale,
 * `idCardQr.*`), or the ID rule's problem (worded by the locale, `personalId.*`).
 */
export type ApplicantProblem =
  { kind: 'qr'; problem: IdCardQrProblem } | { kind: 'id' | 'organisation'; problem: PersonalIdProblem };

/** One card field where a scanned ID card differs from the stored person. */
export interface PersonDiffRow {
  field: PersonCardField;
  /** As stored ('' when the stored person has none). */
  stored: string;
  /** As read from the card. */
  scanned: string;
  /** The officer chose to take the card's value. */
  accept: boolean;
}

/** The whole intake in progress. Plain data: it is persisted to sessionStorage on every change. */
export interface IntakeDraft {
  version: 1;
  requestId: string;
  kind: ApplicantKind;
  /** What is in the applicant field (after a QR scan: the 12-digit ID only). */
  idInput: string;
  /** The identifier that passed the check and was looked up. */
  idNumber: string | null;
  /** A typed personal ID's warnings (worded by the locale, `idCardQr.warnings.*`). */
  idWarnings: PersonalIdWarning[];
  applicantProblem: ApplicantProblem | null;
  /** The last ID card QR read: its warnings, and whether its text was repaired from a wrong code page. */
  qr: { warnings: IdCardQrWarning[]; repaired: boolean } | null;
  person: PersonDraft;
  /**
   * The scanned card differs from the stored person: the rows wait for the officer, the person
   * form keeps the stored values meanwhile (docs/architecture.md, "Stored person and a differing card").
   */
  personDiff: PersonDiffRow[] | null;
  /** Card fields of a stored person the officer changed (confirmed in the diff or edited by hand). */
  confirmedChanges: PersonCardField[];
  lookup: ApplicantLookup | null;
  procedure: Procedure | null;
  channel: Channel;
  components: Record<string, ComponentDraft>;
  quote: AppointmentQuote | null;
  summary: string;
  contactPhone: string;
  contactEmail: string;
  delivery: 'desk' | 'post';
  result: Dossier | null;
  printedTo: string | null;
  errors: {
    lookup: UiError | null;
    procedure: UiError | null;
    quote: UiError | null;
    receive: UiError | null;
    print: UiError | null;
  };
}

export function newRequestId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function emptyPerson(): PersonDraft {
  return { fullName: '', birthDate: '', sex: '', address: '', oldIdNumber: '', idIssueDate: '', phone: '', email: '' };
}

export function newDraft(): IntakeDraft {
  return {
    version: 1,
    requestId: newRequestId(),
    kind: 'citizen',
    idInput: '',
    idNumber: null,
    idWarnings: [],
    applicantProblem: null,
    qr: null,
    person: emptyPerson(),
    personDiff: null,
    confirmedChanges: [],
    lookup: null,
    procedure: null,
    channel: 'walk-in',
    components: {},
    quote: null,
    summary: '',
    contactPhone: '',
    contactEmail: '',
    delivery: 'desk',
    result: null,
    printedTo: null,
    errors: { lookup: null, procedure: null, quote: null, receive: null, print: null },
  };
}

/** Stored documents whose national document code matches a component's. */
export function matchingDocuments(documents: readonly StoredDocument[], documentCode: string | null): StoredDocument[] {
  if (!documentCode) return [];
  return documents.filter((d) => d.documentCode === documentCode);
}

/** Fresh rows for a procedure, with a "reused" suggestion where the store holds the document. */
export function initialComponents(
  procedure: Procedure,
  documents: readonly StoredDocument[],
): Record<string, ComponentDraft> {
  const rows: Record<string, ComponentDraft> = {};
  for (const c of procedure.components) {
    const match = matchingDocuments(documents, c.documentCode)[0];
    rows[c.code] = {
      originals: match ? 0 : c.originals,
      copies: match ? 0 : c.copies,
      source: match ? 'reused' : 'paper',
      reusedDocumentId: match ? match.id : null,
      consent: false,
      touched: false,
    };
  }
  return rows;
}

/** Re-applies suggestions after a lookup, leaving rows the officer already set alone. */
export function applySuggestions(draft: IntakeDraft): void {
  if (!draft.procedure) return;
  const documents = draft.lookup?.documents ?? [];
  for (const c of draft.procedure.components) {
    const row = draft.components[c.code];
    if (!row || row.touched) continue;
    const match = matchingDocuments(documents, c.documentCode)[0];
    row.source = match ? 'reused' : 'paper';
    row.reusedDocumentId = match ? match.id : null;
    row.consent = false;
    row.originals = match ? 0 : c.originals;
    row.copies = match ? 0 : c.copies;
  }
}

export class DraftInvalid extends Error {
  constructor(readonly error: UiError) {
    super(error.code);
  }
}

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

/**
 * The `intake.receive` params for a draft, or `DraftInvalid` naming the first thing to fix.
 * Reused rows carry the chosen stored document and the consent; other rows carry neither.
 */
export function buildReceiveParams(draft: IntakeDraft, ticketId: number | null): ReceiveParams {
  const fail = (error: UiError): never => {
    throw new DraftInvalid(error);
  };
  if (!draft.idNumber)
    fail({
      code: draft.kind === 'citizen' ? 'PERSONAL_ID_INVALID' : 'ORGANISATION_CODE_INVALID',
      message: '',
      fields: ['applicant_idNumber'],
    });
  const idNumber = draft.idNumber as string;
  const p = draft.person;
  if (p.fullName.trim() === '') fail({ code: 'VALIDATION_FAILED', message: '', fields: ['applicant_fullName'] });
  if (draft.kind === 'citizen') {
    if (p.birthDate.trim() !== '' && !LOCAL_DATE.test(p.birthDate))
      fail({ code: 'VALIDATION_FAILED', message: '', fields: ['applicant_birthDate'] });
    if (p.idIssueDate.trim() !== '' && !LOCAL_DATE.test(p.idIssueDate))
      fail({ code: 'VALIDATION_FAILED', message: '', fields: ['applicant_idIssueDate'] });
  }
  // A differing card waits for the officer's choice: nothing is received with it undecided.
  if (draft.personDiff !== null) fail({ code: 'VALIDATION_FAILED', message: '', fields: ['personDiff'] });
  if (!draft.procedure) fail({ code: 'VALIDATION_FAILED', message: '', fields: ['procedureCode'] });
  const procedure = draft.procedure as Procedure;

  const components: ReceiveParams['components'] = [];
  for (const c of procedure.components) {
    const row = draft.components[c.code];
    if (!row) continue;
    if (!Number.isInteger(row.originals) || row.originals < 0 || row.originals > 99) {
      fail({ code: 'VALIDATION_FAILED', message: '', fields: ['components_originals'], component: c.name });
    }
    if (!Number.isInteger(row.copies) || row.copies < 0 || row.copies > 99) {
      fail({ code: 'VALIDATION_FAILED', message: '', fields: ['components_copies'], component: c.name });
    }
    if (row.source === 'reused') {
      if (!row.reusedDocumentId) fail({ code: 'DOCUMENT_UNKNOWN', message: '', component: c.name });
      if (!row.consent) fail({ code: 'CONSENT_REQUIRED', message: '', component: c.name });
    }
    const reused = row.source === 'reused';
    components.push({
      componentCode: c.code,
      originals: row.originals,
      copies: row.copies,
      source: row.source,
      reusedDocumentId: reused ? row.reusedDocumentId : null,
      consent: reused ? row.consent : false,
    });
  }

  return {
    requestId: draft.requestId,
    applicant: {
      kind: draft.kind,
      idNumber,
      fullName: p.fullName.trim(),
      oldIdNumber: draft.kind === 'citizen' ? orNull(p.oldIdNumber) : null,
      birthDate: draft.kind === 'citizen' ? orNull(p.birthDate) : null,
      sex: draft.kind === 'citizen' && p.sex !== '' ? p.sex : null,
      address: orNull(p.address),
      idIssueDate: draft.kind === 'citizen' ? orNull(p.idIssueDate) : null,
      phone: orNull(p.phone),
      email: orNull(p.email),
      portalVerified: draft.lookup?.national?.verified ?? draft.lookup?.local?.portalVerified ?? false,
    },
    applicantChanges: [...draft.confirmedChanges],
    procedureCode: procedure.code,
    channel: draft.channel,
    components,
    summary: draft.summary.trim(),
    contactPhone: orNull(draft.contactPhone) ?? orNull(p.phone),
    contactEmail: orNull(draft.contactEmail) ?? orNull(p.email),
    delivery: draft.delivery,
    ticketId,
  };
}

import { DigitisedMetadata } from '../../../common/contract';
import { documentNameOf } from '../data/document-codes';
import { LOCAL_DATE } from '../format/format';
import type { PendingComponent } from './types';
import type { UiError } from './ui-error';

/**
 * The metadata form of one document of a batch, as typed. Plain data: kept in sessionStorage and, after a pause, with
 * the batch in the core (`digitise.saveDrafts`).
 */
export interface MetadataDraft {
  ownerIdNumber: string;
  ownerName: string;
  documentCode: string;
  documentName: string;
  dossierCode: string;
  permanent: boolean;
  /** `YYYY-MM-DD`, '' or, while it is not a valid date, the text as typed. */
  validUntil: string;
  issuer: string;
  number: string;
  /** `YYYY-MM-DD`, '' or the text as typed. */
  issuedOn: string;
  summary: string;
  kind: 'component' | 'result';
  procedureCode: string;
  sectorCode: string;
  /** The dossier component this document is for (picked from the intake hand-off). */
  componentCode: string | null;
  componentName: string | null;
  /** The dossier that component belongs to. */
  componentDossierCode: string | null;
}

/** The fields a draft names in errors, as message keys under `fields.` (`metadata_validUntil`). */
export const METADATA_FIELDS = [
  'ownerIdNumber',
  'ownerName',
  'documentCode',
  'documentName',
  'dossierCode',
  'permanent',
  'validUntil',
  'issuer',
  'number',
  'issuedOn',
  'summary',
  'kind',
  'procedureCode',
  'sectorCode',
] as const;
export type MetadataField = (typeof METADATA_FIELDS)[number];

export const fieldKey = (field: MetadataField): string => `metadata_${field}`;

export function emptyMetadataDraft(): MetadataDraft {
  return {
    ownerIdNumber: '',
    ownerName: '',
    documentCode: '',
    documentName: '',
    dossierCode: '',
    permanent: false,
    validUntil: '',
    issuer: '',
    number: '',
    issuedOn: '',
    summary: '',
    kind: 'component',
    procedureCode: '',
    sectorCode: '',
    componentCode: null,
    componentName: null,
    componentDossierCode: null,
  };
}

/** A draft for the next document of a batch: same owner and dossier, a new document. */
export function followingDraft(previous: MetadataDraft): MetadataDraft {
  return {
    ...emptyMetadataDraft(),
    ownerIdNumber: previous.ownerIdNumber,
    ownerName: previous.ownerName,
    dossierCode: previous.dossierCode,
    procedureCode: previous.procedureCode,
    sectorCode: previous.sectorCode,
    kind: previous.kind,
  };
}

/** Fills the owner and dossier fields left empty in the next document from the one before it. */
export function inheritOwner(draft: MetadataDraft, from: MetadataDraft): void {
  for (const key of ['ownerIdNumber', 'ownerName', 'dossierCode', 'procedureCode', 'sectorCode'] as const) {
    if (draft[key].trim() === '') draft[key] = from[key];
  }
}

/** Fills the owner, document and dossier from a component intake marked "cần số hóa". */
export function applyPending(draft: MetadataDraft, pending: PendingComponent): void {
  draft.ownerIdNumber = pending.applicantIdNumber;
  draft.ownerName = pending.applicantName;
  draft.dossierCode = pending.dossierCode;
  draft.procedureCode = pending.procedureCode;
  draft.kind = 'component';
  draft.componentCode = pending.componentCode;
  draft.componentName = pending.componentName;
  draft.componentDossierCode = pending.dossierCode;
  if (pending.documentCode) {
    draft.documentCode = pending.documentCode;
    draft.documentName = documentNameOf(pending.documentCode) ?? pending.componentName;
  } else {
    draft.documentName = pending.componentName;
  }
}

/** Unlinks the draft from the dossier component (the owner and document stay as typed). */
export function clearPending(draft: MetadataDraft): void {
  draft.componentCode = null;
  draft.componentName = null;
  draft.componentDossierCode = null;
}

/**
 * A new document code: upper-cased, and the national name filled in when the name is empty or
 * still the one filled for the previous code.
 */
export function setDocumentCode(draft: MetadataDraft, code: string): void {
  const previousName = documentNameOf(draft.documentCode);
  draft.documentCode = code.trim().toUpperCase();
  const name = documentNameOf(draft.documentCode);
  if (name && (draft.documentName.trim() === '' || draft.documentName === previousName)) draft.documentName = name;
}

/** The component the draft was linked to, as long as it still names that component's dossier. */
export function linkedComponent(draft: MetadataDraft): string | null {
  const dossierCode = draft.dossierCode.trim();
  return draft.componentCode && dossierCode !== '' && dossierCode === draft.componentDossierCode
    ? draft.componentCode
    : null;
}

export type BuiltMetadata =
  { ok: true; metadata: DigitisedMetadata; componentCode: string | null } | { ok: false; error: UiError };

const orNull = (s: string): string | null => (s.trim() === '' ? null : s.trim());

function isMetadataField(value: unknown): value is MetadataField {
  return typeof value === 'string' && (METADATA_FIELDS as readonly string[]).includes(value);
}

/**
 * The `metadata` of `digitise.finish`, checked with the contract's own schema, or a
 * VALIDATION_FAILED naming every field to fix. Validity is either "vô thời hạn" or a date.
 */
export function buildMetadata(draft: MetadataDraft): BuiltMetadata {
  const bad = new Set<MetadataField>();
  // Named here as well: the schema's own check runs only once every other field is right.
  if (!draft.permanent && !LOCAL_DATE.test(draft.validUntil)) bad.add('validUntil');
  if (draft.issuedOn.trim() !== '' && !LOCAL_DATE.test(draft.issuedOn)) bad.add('issuedOn');
  const candidate = {
    ownerIdNumber: draft.ownerIdNumber.trim(),
    ownerName: draft.ownerName.trim(),
    documentCode: draft.documentCode.trim().toUpperCase(),
    documentName: draft.documentName.trim(),
    dossierCode: orNull(draft.dossierCode),
    permanent: draft.permanent,
    validUntil: draft.permanent || !LOCAL_DATE.test(draft.validUntil) ? null : draft.validUntil,
    issuer: orNull(draft.issuer),
    number: orNull(draft.number),
    issuedOn: LOCAL_DATE.test(draft.issuedOn) ? draft.issuedOn : null,
    summary: orNull(draft.summary),
    kind: draft.kind,
    procedureCode: orNull(draft.procedureCode),
    sectorCode: orNull(draft.sectorCode),
  };
  const parsed = DigitisedMetadata.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0];
      if (isMetadataField(field)) bad.add(field);
    }
  }
  if (bad.size > 0 || !parsed.success) {
    const fields = METADATA_FIELDS.filter((f) => bad.has(f)).map(fieldKey);
    return { ok: false, error: { code: 'VALIDATION_FAILED', message: '', fields } };
  }
  return { ok: true, metadata: parsed.data, componentCode: linkedComponent(draft) };
}

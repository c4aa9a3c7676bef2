import {
  AppError,
  type ApplicantKind,
  type Person,
  type PersonCardField,
  type PersonInput,
  type ResultOf,
} from '../../common/contract';
import { checkOrganisationCode, checkPersonalId, personalIdProblemVi } from '../../common/domain';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import { maskIdNumber } from '../kernel/mask';
import type { Store } from '../store/store';
import type { Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';

const CARD_FIELDS: readonly PersonCardField[] = [
  'fullName',
  'birthDate',
  'sex',
  'address',
  'oldIdNumber',
  'idIssueDate',
];

const normalised = (value: string | null): string => (value ?? '').trim().replace(/\s+/gu, ' ').normalize('NFC');

/** The card fields where `wanted` differs from the stored person (blank and null are the same). */
export function cardDifferences(stored: Person, wanted: PersonInput): PersonCardField[] {
  return CARD_FIELDS.filter((field) => normalised(stored[field]) !== normalised(wanted[field]));
}

/** `wanted` with the `declined` fields put back to their stored values. */
function keepStored(wanted: PersonInput, stored: Person, declined: readonly PersonCardField[]): PersonInput {
  const merged: PersonInput = { ...wanted };
  for (const field of declined) {
    if (field === 'fullName') merged.fullName = stored.fullName;
    else if (field === 'sex') merged.sex = stored.sex;
    else merged[field] = stored[field];
  }
  return merged;
}

/**
 * Step 1-2 of the walk-in intake: identify the applicant locally and at the national portal,
 * and bring the documents the state already holds for them into the local document store.
 */
export class ApplicantService {
  constructor(
    private readonly deps: { store: Store; national: NationalPortal; agencyId: string; clock: Clock; log: Logger },
  ) {}

  /**
   * Throws PERSONAL_ID_INVALID / ORGANISATION_CODE_INVALID: the rule's problem in `details.problem`, in Vietnamese as
   * the message.
   */
  checkIdentifier(kind: ApplicantKind, idNumber: string): string {
    if (kind === 'citizen') {
      const r = checkPersonalId(idNumber);
      if (!r.ok)
        throw new AppError('PERSONAL_ID_INVALID', personalIdProblemVi(r.problem), {
          field: 'idNumber',
          problem: r.problem,
        });
      return r.id;
    }
    const r = checkOrganisationCode(idNumber);
    if (!r.ok)
      throw new AppError('ORGANISATION_CODE_INVALID', personalIdProblemVi(r.problem), {
        field: 'idNumber',
        problem: r.problem,
      });
    return idNumber.trim();
  }

  async lookup(kind: ApplicantKind, rawId: string, actor: string): Promise<ResultOf<'applicant.lookup'>> {
    const { store, national } = this.deps;
    const idNumber = this.checkIdentifier(kind, rawId);
    let nationalResult: { fullName: string; verified: boolean } | null = null;
    let nationalReachable = true;
    if (kind === 'citizen') {
      try {
        const found = await national.lookupCitizen(idNumber);
        if (found.found && found.fullName) nationalResult = { fullName: found.fullName, verified: found.verified };
        const docs = await national.queryDocuments({
          ownerId: idNumber,
          requester: this.deps.agencyId,
          channel: 'walk-in',
          procedureCode: '',
          resultCodes: [],
        });
        store.transaction(() => {
          for (const d of docs) store.documents.add({ ...d, ownerIdNumber: idNumber, source: 'national' });
        });
      } catch (err) {
        nationalReachable = false;
        this.deps.log.log('warn', 'applicant.national-unreachable', {
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
    let local = store.people.findByIdNumber(kind, idNumber);
    if (local && nationalResult?.verified && !local.portalVerified) {
      store.people.setPortalVerified(local.id, true);
      local = store.people.get(local.id);
    }
    store.audit.append({
      at: this.deps.clock.localNow(),
      actor,
      action: 'applicant.lookup',
      entity: 'person',
      entityId: maskIdNumber(idNumber),
      details: { kind, foundLocal: local !== null, foundNational: nationalResult !== null, nationalReachable },
    });
    return { local, national: nationalResult, nationalReachable, documents: store.documents.listForOwner(idNumber) };
  }

  /**
   * Creates or updates a person (keyed by kind + identifier). Synchronous: usable inside a
   * transaction. With `confirmed` (receiving), a stored person's card fields change only where
   * the officer confirmed the change; the other differences are kept as stored and named in the
   * audit entry as declined. Without it (`applicant.save`, an explicit edit) every field is written.
   * The audit names the fields, never their values (docs/architecture.md, "Stored person and a
   * differing card").
   */
  save(input: PersonInput, actor: string, confirmed?: readonly PersonCardField[]): Person {
    const idNumber = this.checkIdentifier(input.kind, input.idNumber);
    const fullName = input.fullName.trim();
    if (!fullName)
      throw new AppError('VALIDATION_FAILED', 'Chưa nhập họ và tên người nộp hồ sơ.', { field: 'fullName' });
    const stored = this.deps.store.people.findByIdNumber(input.kind, idNumber);
    const wanted: PersonInput = { ...input, idNumber, fullName };
    const differing = stored === null ? [] : cardDifferences(stored, wanted);
    const declined = confirmed === undefined ? [] : differing.filter((field) => !confirmed.includes(field));
    const written: PersonInput = stored === null ? wanted : keepStored(wanted, stored, declined);
    const person = this.deps.store.people.upsert(written);
    this.deps.store.audit.append({
      at: this.deps.clock.localNow(),
      actor,
      action: stored !== null ? 'person.update' : 'person.create',
      entity: 'person',
      entityId: maskIdNumber(idNumber),
      details:
        stored === null
          ? { kind: input.kind }
          : { kind: input.kind, changed: differing.filter((field) => !declined.includes(field)), declined },
    });
    return person;
  }

  search(query: string, limit: number): Person[] {
    return this.deps.store.people.search(query, limit);
  }
}

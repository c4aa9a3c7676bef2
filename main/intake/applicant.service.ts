import { AppError, type ApplicantKind, type Person, type PersonInput, type ResultOf } from '../../common/contract';
import { checkOrganisationCode, checkPersonalId } from '../../common/domain';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import { maskIdNumber } from '../store/mask';
import type { Store } from '../store/store';
import type { Clock } from '../core/clock';
import type { Logger } from '../core/logger';

/**
 * Step 1-2 of the walk-in intake: identify the applicant locally and at the national portal,
 * and bring the documents the state already holds for them into the local document store.
 */
export class ApplicantService {
  constructor(private readonly deps: { store: Store; national: NationalPortal; agencyId: string; clock: Clock; log: Logger }) {}

  /** Throws PERSONAL_ID_INVALID / ORGANISATION_CODE_INVALID with the rule's Vietnamese reason. */
  checkIdentifier(kind: ApplicantKind, idNumber: string): string {
    if (kind === 'citizen') {
      const r = checkPersonalId(idNumber);
      if (!r.ok) throw new AppError('PERSONAL_ID_INVALID', r.reason, { field: 'idNumber' });
      return r.id;
    }
    const r = checkOrganisationCode(idNumber);
    if (!r.ok) throw new AppError('ORGANISATION_CODE_INVALID', r.reason, { field: 'idNumber' });
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
        const docs = await national.queryDocuments({ ownerId: idNumber, requester: this.deps.agencyId, channel: 'walk-in', procedureCode: '', resultCodes: [] });
        store.transaction(() => {
          for (const d of docs) store.documents.add({ ...d, ownerIdNumber: idNumber, source: 'national' });
        });
      } catch (err) {
        nationalReachable = false;
        this.deps.log.log('warn', 'applicant.national-unreachable', { error: err instanceof Error ? err.message : String(err) });
      }
    }
    let local = store.people.findByIdNumber(kind, idNumber);
    if (local && nationalResult?.verified && !local.portalVerified) {
      store.people.setPortalVerified(local.id, true);
      local = store.people.get(local.id);
    }
    store.audit.append({
      at: this.deps.clock.localNow(), actor, action: 'applicant.lookup', entity: 'person', entityId: maskIdNumber(idNumber),
      details: { kind, foundLocal: local !== null, foundNational: nationalResult !== null, nationalReachable },
    });
    return { local, national: nationalResult, nationalReachable, documents: store.documents.listForOwner(idNumber) };
  }

  /** Creates or updates a person (keyed by kind + identifier). Synchronous: usable inside a transaction. */
  save(input: PersonInput, actor: string): Person {
    const idNumber = this.checkIdentifier(input.kind, input.idNumber);
    const fullName = input.fullName.trim();
    if (!fullName) throw new AppError('VALIDATION_FAILED', 'Chưa nhập họ và tên người nộp hồ sơ.', { field: 'fullName' });
    const existed = this.deps.store.people.findByIdNumber(input.kind, idNumber) !== null;
    const person = this.deps.store.people.upsert({ ...input, idNumber, fullName });
    this.deps.store.audit.append({
      at: this.deps.clock.localNow(), actor, action: existed ? 'person.update' : 'person.create', entity: 'person',
      entityId: maskIdNumber(idNumber), details: { kind: input.kind },
    });
    return person;
  }

  search(query: string, limit: number): Person[] {
    return this.deps.store.people.search(query, limit);
  }
}

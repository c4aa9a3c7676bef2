import type { ApplicantKind, Person, PersonInput } from '../../common/contract/schemas';
import type { Db } from './database';
import { foldVietnamese } from '../../common/domain/text-normalise';
import { clampLimit, exactKey, toFtsQuery } from './search-query';

interface PersonRow {
  id: number;
  kind: ApplicantKind;
  id_number: string;
  full_name: string;
  old_id_number: string | null;
  birth_date: string | null;
  sex: 'Nam' | 'Nữ' | null;
  address: string | null;
  id_issue_date: string | null;
  phone: string | null;
  email: string | null;
  portal_verified: number;
}

const COLUMNS =
  'p.id, p.kind, p.id_number, p.full_name, p.old_id_number, p.birth_date, p.sex, p.address, p.id_issue_date, p.phone, p.email, p.portal_verified';

export function toPerson(row: PersonRow): Person {
  return {
    id: row.id,
    kind: row.kind,
    idNumber: row.id_number,
    fullName: row.full_name,
    oldIdNumber: row.old_id_number,
    birthDate: row.birth_date,
    sex: row.sex,
    address: row.address,
    idIssueDate: row.id_issue_date,
    phone: row.phone,
    email: row.email,
    portalVerified: row.portal_verified === 1,
  };
}

interface UpsertParams {
  kind: ApplicantKind;
  idNumber: string;
  fullName: string;
  oldIdNumber: string | null;
  birthDate: string | null;
  sex: 'Nam' | 'Nữ' | null;
  address: string | null;
  idIssueDate: string | null;
  phone: string | null;
  email: string | null;
  portalVerified: number;
  nameFold: string;
}

export class PeopleRepository {
  private readonly upsertStmt;
  private readonly byKey;
  private readonly byId;
  private readonly byExact;
  private readonly byText;
  private readonly verifiedStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare<[UpsertParams]>(`
      INSERT INTO people (kind, id_number, full_name, old_id_number, birth_date, sex, address, id_issue_date,
                          phone, email, portal_verified, name_fold)
      VALUES (@kind, @idNumber, @fullName, @oldIdNumber, @birthDate, @sex, @address, @idIssueDate,
              @phone, @email, @portalVerified, @nameFold)
      ON CONFLICT (kind, id_number) DO UPDATE SET
        full_name = excluded.full_name,
        old_id_number = excluded.old_id_number,
        birth_date = excluded.birth_date,
        sex = excluded.sex,
        address = excluded.address,
        id_issue_date = excluded.id_issue_date,
        phone = excluded.phone,
        email = excluded.email,
        portal_verified = max(people.portal_verified, excluded.portal_verified),
        name_fold = excluded.name_fold,
        updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`);
    this.byKey = db.prepare<[ApplicantKind, string], PersonRow>(`SELECT ${COLUMNS} FROM people p WHERE p.kind = ? AND p.id_number = ?`);
    this.byId = db.prepare<[number], PersonRow>(`SELECT ${COLUMNS} FROM people p WHERE p.id = ?`);
    this.byExact = db.prepare<[string, string, number], PersonRow>(
      `SELECT ${COLUMNS} FROM people p WHERE p.id_number = ? OR p.old_id_number = ? ORDER BY p.id LIMIT ?`,
    );
    this.byText = db.prepare<[string, number], PersonRow>(`
      SELECT ${COLUMNS} FROM people_fts JOIN people p ON p.id = people_fts.rowid
      WHERE people_fts MATCH ? ORDER BY people_fts.rank, p.name_fold, p.id LIMIT ?`);
    this.verifiedStmt = db.prepare<[number, number]>(
      "UPDATE people SET portal_verified = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now') WHERE id = ?",
    );
  }

  /**
   * Inserts or updates the person keyed by (kind, idNumber). `portalVerified` is sticky: once the
   * national portal confirmed the identity, saving edited contact details does not clear it
   * (use `setPortalVerified` to change it explicitly).
   */
  upsert(input: PersonInput): Person {
    const idNumber = input.idNumber.trim();
    const fullName = input.fullName.trim().replace(/\s+/g, ' ');
    this.upsertStmt.run({
      kind: input.kind,
      idNumber,
      fullName,
      oldIdNumber: blankToNull(input.oldIdNumber),
      birthDate: input.birthDate,
      sex: input.sex,
      address: blankToNull(input.address),
      idIssueDate: input.idIssueDate,
      phone: blankToNull(input.phone),
      email: blankToNull(input.email),
      portalVerified: input.portalVerified ? 1 : 0,
      nameFold: foldVietnamese(fullName),
    });
    const row = this.byKey.get(input.kind, idNumber);
    if (!row) throw new Error('person vanished after upsert');
    return toPerson(row);
  }

  setPortalVerified(id: number, verified: boolean): void {
    this.verifiedStmt.run(verified ? 1 : 0, id);
  }

  findByIdNumber(kind: ApplicantKind, idNumber: string): Person | null {
    const row = this.byKey.get(kind, idNumber.trim());
    return row ? toPerson(row) : null;
  }

  get(id: number): Person | null {
    const row = this.byId.get(id);
    return row ? toPerson(row) : null;
  }

  /** Exact ID / old ID matches first, then folded full-text matches on name and ID number. */
  search(query: string, limit: number): Person[] {
    const max = clampLimit(limit);
    const found = new Map<number, Person>();
    const key = exactKey(query);
    if (key !== null) {
      for (const row of this.byExact.all(key, key, max)) found.set(row.id, toPerson(row));
    }
    const match = toFtsQuery(query);
    if (match !== null && found.size < max) {
      for (const row of this.byText.all(match, max)) {
        if (found.size >= max) break;
        if (!found.has(row.id)) found.set(row.id, toPerson(row));
      }
    }
    return [...found.values()];
  }
}

function blankToNull(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed.length === 0 ? null : trimmed;
}

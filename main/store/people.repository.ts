import type { ApplicantKind, Person, PersonInput } from '../../common/contract/schemas';
import type { Db } from './db';
import { foldVietnamese } from '../../common/domain/text-normalise';
import { clampLimit, exactKey, prefixEnd, searchTerms, toFtsQuery } from './search-query';

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

/**
 * How many full-text matches a name search looks at before ordering them: the newest
 * `FTS_CANDIDATES` (or the page size, if larger). bm25 is computed for these rows only, so the
 * cost of a search is bounded by this number and not by how many people match (a common family
 * name matches a third of the table).
 */
const FTS_CANDIDATES = 200;

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
  private readonly byNamePrefix;
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
    this.byKey = db.prepare<[ApplicantKind, string], PersonRow>(
      `SELECT ${COLUMNS} FROM people p WHERE p.kind = ? AND p.id_number = ?`,
    );
    this.byId = db.prepare<[number], PersonRow>(`SELECT ${COLUMNS} FROM people p WHERE p.id = ?`);
    this.byExact = db.prepare<[string, string, number], PersonRow>(
      `SELECT ${COLUMNS} FROM people p WHERE p.id_number = ? OR p.old_id_number = ? ORDER BY p.id LIMIT ?`,
    );
    // Range over the b-tree index people_name_fold: (name_fold, rowid) order, no sort step.
    this.byNamePrefix = db.prepare<[string, string, number], PersonRow>(
      `SELECT ${COLUMNS} FROM people p WHERE p.name_fold >= ? AND p.name_fold < ? ORDER BY p.name_fold, p.id LIMIT ?`,
    );
    // The subquery takes a bounded set of matches (newest rowids first, which FTS5 reads in
    // index order); rank (bm25) is computed for those rows only, then they are sorted.
    this.byText = db.prepare<[string, number, number], PersonRow>(`
      SELECT ${COLUMNS} FROM (
        SELECT rowid AS id, rank AS score FROM people_fts WHERE people_fts MATCH ? ORDER BY rowid DESC LIMIT ?
      ) f JOIN people p ON p.id = f.id
      ORDER BY f.score, p.name_fold, p.id LIMIT ?`);
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

  /**
   * People matching what an officer typed, at most `limit`, in this order:
   * 1. exact ID number or old ID number matches (the whole query, spaces removed), by row id;
   * 2. people whose folded full name starts with the folded query, words in the order typed
   *    ("nguyen van d" → "Nguyễn Văn Dũng"), in folded-name order: an exact full name comes
   *    first, then longer names continuing it with a whole word (a space sorts before letters),
   *    then names where the last word typed is the start of a longer word; read from the
   *    b-tree index on `name_fold`, so a page costs the page size;
   * 3. other people with every term as a word prefix anywhere in the name, ID or old ID
   *    ("van dung", "hue", an ID prefix): of the newest {@link FTS_CANDIDATES} full-text matches,
   *    the best bm25 rank first, then folded name, then row id.
   * Each person appears once, at the first place it qualifies. Matching ignores case,
   * diacritics and đ/d; FTS syntax in the query is plain text.
   */
  search(query: string, limit: number): Person[] {
    const max = clampLimit(limit);
    const found = new Map<number, Person>();
    const add = (rows: PersonRow[]): void => {
      for (const row of rows) {
        if (found.size >= max) return;
        if (!found.has(row.id)) found.set(row.id, toPerson(row));
      }
    };
    const key = exactKey(query);
    if (key !== null) add(this.byExact.all(key, key, max));
    const terms = searchTerms(query);
    const prefix = terms.join(' ');
    if (found.size < max && prefix.length > 0 && !/^\p{N}/u.test(prefix)) {
      add(this.byNamePrefix.all(prefix, prefixEnd(prefix), max));
    }
    const match = toFtsQuery(query);
    if (match !== null && found.size < max) add(this.byText.all(match, Math.max(FTS_CANDIDATES, max), max));
    return [...found.values()];
  }
}

function blankToNull(value: string | null): string | null {
  if (value === null) return null;
  const trimmed = value.trim();
  return trimmed.length === 0 ? null : trimmed;
}

import type { StoredDocument } from '../../common/contract/schemas';
import type { Db } from './database';

export interface NewStoredDocument {
  ownerIdNumber: string;
  documentCode: string;
  documentName: string;
  number?: string | null;
  issuer?: string | null;
  issuedOn?: string | null;
  /** null = permanent. */
  validUntil?: string | null;
  /** 'local' = digitised here; 'national' = a copy of a national-store entry (then `nationalId` is required). */
  source: 'local' | 'national';
  nationalId?: string | null;
  url?: string | null;
  blobSha256?: string | null;
}

/** A stored document with the fields the contract leaves out. */
export interface StoredDocumentRecord extends StoredDocument {
  rowId: number;
  nationalId: string | null;
  blobSha256: string | null;
  createdAt: string;
}

interface DocumentRow {
  id: number;
  owner_id_number: string;
  document_code: string;
  document_name: string;
  number: string | null;
  issuer: string | null;
  issued_on: string | null;
  valid_until: string | null;
  source: 'local' | 'national';
  national_id: string | null;
  url: string | null;
  blob_sha256: string | null;
  created_at: string;
}

interface InsertParams {
  ownerIdNumber: string;
  documentCode: string;
  documentName: string;
  number: string | null;
  issuer: string | null;
  issuedOn: string | null;
  validUntil: string | null;
  source: 'local' | 'national';
  nationalId: string | null;
  url: string | null;
  blobSha256: string | null;
}

/** `L:<rowid>` for documents digitised here, `N:<national id>` for copies of national-store entries. */
export function documentId(row: Pick<DocumentRow, 'id' | 'source' | 'national_id'>): string {
  return row.source === 'national' && row.national_id !== null ? `N:${row.national_id}` : `L:${row.id}`;
}

function toRecord(row: DocumentRow): StoredDocumentRecord {
  return {
    id: documentId(row),
    source: row.source,
    ownerIdNumber: row.owner_id_number,
    documentCode: row.document_code,
    documentName: row.document_name,
    number: row.number,
    issuer: row.issuer,
    issuedOn: row.issued_on,
    validUntil: row.valid_until,
    url: row.url,
    rowId: row.id,
    nationalId: row.national_id,
    blobSha256: row.blob_sha256,
    createdAt: row.created_at,
  };
}

function toStored(record: StoredDocumentRecord): StoredDocument {
  return {
    id: record.id,
    source: record.source,
    ownerIdNumber: record.ownerIdNumber,
    documentCode: record.documentCode,
    documentName: record.documentName,
    number: record.number,
    issuer: record.issuer,
    issuedOn: record.issuedOn,
    validUntil: record.validUntil,
    url: record.url,
  };
}

/** A person's electronic document store as kept on this desk. */
export class DocumentsRepository {
  private readonly insertStmt;
  private readonly byRowId;
  private readonly byNationalId;
  private readonly byOwner;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[InsertParams], DocumentRow>(`
      INSERT INTO documents (owner_id_number, document_code, document_name, number, issuer, issued_on, valid_until,
                             source, national_id, url, blob_sha256)
      VALUES (@ownerIdNumber, @documentCode, @documentName, @number, @issuer, @issuedOn, @validUntil,
              @source, @nationalId, @url, @blobSha256)
      ON CONFLICT (national_id) WHERE national_id IS NOT NULL DO UPDATE SET
        owner_id_number = excluded.owner_id_number, document_code = excluded.document_code,
        document_name = excluded.document_name, number = excluded.number, issuer = excluded.issuer,
        issued_on = excluded.issued_on, valid_until = excluded.valid_until, source = excluded.source,
        url = excluded.url, blob_sha256 = coalesce(excluded.blob_sha256, documents.blob_sha256)
      RETURNING *`);
    this.byRowId = db.prepare<[number], DocumentRow>('SELECT * FROM documents WHERE id = ?');
    this.byNationalId = db.prepare<[string], DocumentRow>('SELECT * FROM documents WHERE national_id = ?');
    this.byOwner = db.prepare<[string], DocumentRow>(
      'SELECT * FROM documents WHERE owner_id_number = ? ORDER BY document_code, id',
    );
  }

  /** Adds a document; a national copy whose `nationalId` is already stored is refreshed instead. */
  add(doc: NewStoredDocument): StoredDocumentRecord {
    const row = this.insertStmt.get({
      ownerIdNumber: doc.ownerIdNumber.trim(),
      documentCode: doc.documentCode,
      documentName: doc.documentName,
      number: doc.number ?? null,
      issuer: doc.issuer ?? null,
      issuedOn: doc.issuedOn ?? null,
      validUntil: doc.validUntil ?? null,
      source: doc.source,
      nationalId: doc.nationalId ?? null,
      url: doc.url ?? null,
      blobSha256: doc.blobSha256 ?? null,
    });
    if (!row) throw new Error('document insert returned nothing');
    return toRecord(row);
  }

  listForOwner(ownerIdNumber: string): StoredDocument[] {
    return this.byOwner.all(ownerIdNumber.trim()).map((row) => toStored(toRecord(row)));
  }

  /** By contract id (`L:<n>` or `N:<national id>`); null when unknown or malformed. */
  get(id: string): StoredDocumentRecord | null {
    const local = /^L:(\d+)$/.exec(id);
    if (local) {
      const row = this.byRowId.get(Number(local[1]));
      return row ? toRecord(row) : null;
    }
    if (id.startsWith('N:') && id.length > 2) {
      const row = this.byNationalId.get(id.slice(2));
      return row ? toRecord(row) : null;
    }
    return null;
  }
}

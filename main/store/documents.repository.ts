import type { StoredDocument } from '../../common/contract/schemas';
import type { Db } from './db';
import { clampLimit, exactKey, searchTerms, toFtsQuery } from './search-query';
import { textSnippet } from './snippet';

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
  owner_name: string | null;
  kind: 'component' | 'result' | null;
  dossier_code: string | null;
  digitised_at: string | null;
  digitiser: string | null;
  summary: string | null;
  permanent: 0 | 1;
  procedure_code: string | null;
  sector_code: string | null;
  page_count: number | null;
  size_bytes: number | null;
  ocr_text: string | null;
  converted_from_paper: 0 | 1;
}

/** One page of a digitised document: the capture it was made from and what the clean-up did. */
export interface DocumentPage {
  pageIndex: number;
  /** The capture exactly as it came from the scanner or file. */
  originalSha256: string;
  blank: boolean;
  skewAngle: number;
  rotation: 0 | 90 | 180 | 270;
}

/** A document converted from paper here, with the mandatory metadata (docs/domain.md §8). */
export interface NewDigitisedDocument {
  ownerIdNumber: string;
  ownerName: string;
  documentCode: string;
  documentName: string;
  number: string | null;
  issuer: string | null;
  issuedOn: string | null;
  /** null with `permanent` true = valid without limit. */
  validUntil: string | null;
  permanent: boolean;
  kind: 'component' | 'result';
  dossierCode: string | null;
  /** `YYYY-MM-DDTHH:mm`, Vietnam time. */
  digitisedAt: string;
  digitiser: string;
  summary: string | null;
  procedureCode: string | null;
  sectorCode: string | null;
  pageCount: number;
  sizeBytes: number;
  ocrText: string;
  /** The searchable PDF in the blob store. */
  pdfSha256: string;
  pages: DocumentPage[];
}

export interface DigitisedDocumentRecord extends StoredDocumentRecord {
  ownerName: string | null;
  kind: 'component' | 'result' | null;
  dossierCode: string | null;
  digitisedAt: string | null;
  digitiser: string | null;
  summary: string | null;
  permanent: boolean;
  procedureCode: string | null;
  sectorCode: string | null;
  pageCount: number | null;
  sizeBytes: number | null;
  ocrText: string | null;
  convertedFromPaper: boolean;
}

/** One answer of a text search over the document store. */
export interface DocumentSearchHit {
  id: string;
  source: 'local' | 'national';
  ownerIdNumber: string;
  ownerName: string | null;
  documentCode: string;
  documentName: string;
  dossierCode: string | null;
  digitisedAt: string | null;
  pageCount: number | null;
  sizeBytes: number | null;
  validUntil: string | null;
  convertedFromPaper: boolean;
  /** A short piece of the OCR text around the first match ('' when the match is elsewhere). */
  snippet: string;
}

interface PageRow {
  page_index: number;
  original_blob_sha256: string;
  blank: 0 | 1;
  skew_angle: number;
  rotation: 0 | 90 | 180 | 270;
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

interface DigitisedParams {
  ownerIdNumber: string;
  ownerName: string;
  documentCode: string;
  documentName: string;
  number: string | null;
  issuer: string | null;
  issuedOn: string | null;
  validUntil: string | null;
  permanent: 0 | 1;
  pdfSha256: string;
  kind: 'component' | 'result';
  dossierCode: string | null;
  digitisedAt: string;
  digitiser: string;
  summary: string | null;
  procedureCode: string | null;
  sectorCode: string | null;
  pageCount: number;
  sizeBytes: number;
  ocrText: string;
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

function toDigitised(row: DocumentRow): DigitisedDocumentRecord {
  return {
    ...toRecord(row),
    ownerName: row.owner_name,
    kind: row.kind,
    dossierCode: row.dossier_code,
    digitisedAt: row.digitised_at,
    digitiser: row.digitiser,
    summary: row.summary,
    permanent: row.permanent === 1,
    procedureCode: row.procedure_code,
    sectorCode: row.sector_code,
    pageCount: row.page_count,
    sizeBytes: row.size_bytes,
    ocrText: row.ocr_text,
    convertedFromPaper: row.converted_from_paper === 1,
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
  private readonly insertDigitisedStmt;
  private readonly insertPage;
  private readonly pagesStmt;
  private readonly exactStmt;
  private readonly textStmt;

  constructor(private readonly db: Db) {
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
    this.insertDigitisedStmt = db.prepare<[DigitisedParams], DocumentRow>(`
      INSERT INTO documents (owner_id_number, owner_name, document_code, document_name, number, issuer, issued_on, valid_until,
        permanent, source, blob_sha256, kind, dossier_code, digitised_at, digitiser, summary, procedure_code, sector_code,
        page_count, size_bytes, ocr_text, converted_from_paper)
      VALUES (@ownerIdNumber, @ownerName, @documentCode, @documentName, @number, @issuer, @issuedOn, @validUntil,
        @permanent, 'local', @pdfSha256, @kind, @dossierCode, @digitisedAt, @digitiser, @summary, @procedureCode, @sectorCode,
        @pageCount, @sizeBytes, @ocrText, 1)
      RETURNING *`);
    this.insertPage = db.prepare<[number, number, string, number, number, number]>(`
      INSERT INTO document_pages (document_id, page_index, original_blob_sha256, blank, skew_angle, rotation)
      VALUES (?, ?, ?, ?, ?, ?)`);
    this.pagesStmt = db.prepare<[number], PageRow>(
      'SELECT page_index, original_blob_sha256, blank, skew_angle, rotation FROM document_pages WHERE document_id = ? ORDER BY page_index',
    );
    this.exactStmt = db.prepare<[string, string, string, number], DocumentRow>(`
      SELECT * FROM documents WHERE owner_id_number = ? OR document_code = ? OR dossier_code = ?
      ORDER BY coalesce(digitised_at, created_at) DESC, id DESC LIMIT ?`);
    this.textStmt = db.prepare<[string, number], DocumentRow>(`
      SELECT d.* FROM documents_fts JOIN documents d ON d.id = documents_fts.rowid
      WHERE documents_fts MATCH ? ORDER BY documents_fts.rank, d.id DESC LIMIT ?`);
  }

  /**
   * Records a document converted from paper with every mandatory field, and its pages, together
   * (inside the caller's transaction when there is one). The CHECK on `converted_from_paper`
   * refuses a row that misses a mandatory field.
   */
  addDigitised(doc: NewDigitisedDocument): DigitisedDocumentRecord {
    if (doc.pages.length !== doc.pageCount)
      throw new Error(`page count ${doc.pageCount} does not match ${doc.pages.length} pages`);
    return this.db.transaction(() => {
      const row = this.insertDigitisedStmt.get({
        ownerIdNumber: doc.ownerIdNumber.trim(),
        ownerName: doc.ownerName.trim(),
        documentCode: doc.documentCode,
        documentName: doc.documentName,
        number: doc.number,
        issuer: doc.issuer,
        issuedOn: doc.issuedOn,
        validUntil: doc.permanent ? null : doc.validUntil,
        permanent: doc.permanent ? 1 : 0,
        pdfSha256: doc.pdfSha256,
        kind: doc.kind,
        dossierCode: doc.dossierCode,
        digitisedAt: doc.digitisedAt,
        digitiser: doc.digitiser,
        summary: doc.summary,
        procedureCode: doc.procedureCode,
        sectorCode: doc.sectorCode,
        pageCount: doc.pageCount,
        sizeBytes: doc.sizeBytes,
        ocrText: doc.ocrText,
      });
      if (!row) throw new Error('document insert returned nothing');
      for (const page of doc.pages) {
        this.insertPage.run(
          row.id,
          page.pageIndex,
          page.originalSha256,
          page.blank ? 1 : 0,
          page.skewAngle,
          page.rotation,
        );
      }
      return toDigitised(row);
    })();
  }

  /** The full record (mandatory metadata included) by contract id; null when unknown. */
  digitised(id: string): DigitisedDocumentRecord | null {
    const record = this.get(id);
    if (!record) return null;
    const row = this.byRowId.get(record.rowId);
    return row ? toDigitised(row) : null;
  }

  /**
   * Points a digitised document at a new PDF (its signed version: the old bytes followed by the
   * signature's incremental update). Only for documents converted here; the previous blob stays in
   * the blob store. Returns false when the row is not a digitised document or the PDF changed meanwhile.
   */
  replaceDigitisedPdf(rowId: number, previousSha256: string, pdfSha256: string, sizeBytes: number): boolean {
    const info = this.db
      .prepare<[string, number, number, string]>(
        'UPDATE documents SET blob_sha256 = ?, size_bytes = ? WHERE id = ? AND converted_from_paper = 1 AND blob_sha256 = ?',
      )
      .run(pdfSha256, sizeBytes, rowId, previousSha256);
    return info.changes === 1;
  }

  /** Pages of a digitised document in order (empty for other documents). */
  pagesOf(rowId: number): DocumentPage[] {
    return this.pagesStmt.all(rowId).map((p) => ({
      pageIndex: p.page_index,
      originalSha256: p.original_blob_sha256,
      blank: p.blank === 1,
      skewAngle: p.skew_angle,
      rotation: p.rotation,
    }));
  }

  /**
   * Exact owner ID / document code / dossier code first, then folded full-text matches over the
   * OCR text, document name and owner: "giay khai sinh dong da" finds "Giấy khai sinh … Đống Đa".
   */
  searchText(query: string, limit: number): DocumentSearchHit[] {
    const max = clampLimit(limit, 200);
    const found = new Map<number, DocumentRow>();
    const key = exactKey(query);
    if (key !== null) for (const row of this.exactStmt.all(key, key, key, max)) found.set(row.id, row);
    const text = toFtsQuery(query);
    if (text !== null && found.size < max) {
      for (const row of this.textStmt.all(text, max)) {
        if (found.size >= max) break;
        if (!found.has(row.id)) found.set(row.id, row);
      }
    }
    const terms = searchTerms(query);
    return [...found.values()].map((row) => ({
      id: documentId(row),
      source: row.source,
      ownerIdNumber: row.owner_id_number,
      ownerName: row.owner_name,
      documentCode: row.document_code,
      documentName: row.document_name,
      dossierCode: row.dossier_code,
      digitisedAt: row.digitised_at,
      pageCount: row.page_count,
      sizeBytes: row.size_bytes,
      validUntil: row.valid_until,
      convertedFromPaper: row.converted_from_paper === 1,
      snippet: row.ocr_text === null ? '' : textSnippet(row.ocr_text, terms),
    }));
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

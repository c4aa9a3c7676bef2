import {
  Person,
  type Channel,
  type ComponentSource,
  type Dossier,
  type DossierComponent,
  type DossierDocumentKind,
  type DossierSummary,
  type Fee,
} from '../../common/contract/schemas';
import type { Db } from './db';
import { OutboxRepository, type DossierSyncState } from './outbox.repository';
import { clampLimit, exactKey, prefixEnd, toFtsQuery } from './search-query';

/** How many full-text matches a dossier search orders at most (see `search`). */
const FTS_CANDIDATES = 200;

const CODE_PREFIX_RE = /^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}(?:-(?:\d{0,5}|\d{6}(?:-\d{0,4})?))?$/;

/**
 * The query as a dossier-code prefix (spaces removed, upper case) when it is a whole agency id
 * (`000.00.12.H56`) followed by nothing or by the start of `-{yyMMdd}-{NNNN}`; otherwise null.
 */
export function dossierCodePrefix(query: string): string | null {
  const key = query.replace(/\s+/g, '').toUpperCase();
  return CODE_PREFIX_RE.test(key) ? key : null;
}

/** Narrows a dossier search: received between two local days (inclusive) and/or one status. */
export interface DossierFilter {
  /** `YYYY-MM-DD`, first day included. */
  receivedFrom?: string | undefined;
  /** `YYYY-MM-DD`, last day included. */
  receivedTo?: string | undefined;
  status?: number | undefined;
}

/** Named parameters of the filtered statements: whole-day bounds of `received_at`, and the status or null. */
interface FilterParams {
  from: string;
  to: string;
  status: number | null;
}

/** The filter as statement parameters; null when it narrows nothing. */
function filterParams(filter: DossierFilter | undefined): FilterParams | null {
  if (!filter || (!filter.receivedFrom && !filter.receivedTo && filter.status === undefined)) return null;
  return {
    from: filter.receivedFrom ? dayBounds(filter.receivedFrom)[0] : '0000-01-01T00:00',
    to: filter.receivedTo ? dayBounds(filter.receivedTo)[1] : '9999-12-31T23:59',
    status: filter.status ?? null,
  };
}

export interface NewDossier {
  code: string;
  /** Idempotency key of the Receive request; unique. */
  requestId: string;
  status: number;
  channel: Channel;
  /** The stored person (its id is the foreign key); also kept as the snapshot at receipt. */
  applicant: Person;
  procedureCode: string;
  procedureName: string;
  receivedAt: string;
  appointmentAt: string | null;
  summary: string;
  contactPhone: string | null;
  contactEmail: string | null;
  delivery: Dossier['delivery'];
  components: DossierComponent[];
  fees: Fee[];
  /** Defaults to the sum of `fees`. */
  totalFee?: number;
  officer: string;
  ticketNumber: string | null;
  /** Note on the first status-history row. */
  note?: string;
}

interface SummaryRow {
  id: number;
  code: string;
  status: number;
  channel: Channel;
  applicant_name: string;
  applicant_id_number: string;
  procedure_code: string;
  procedure_name: string;
  received_at: string;
  appointment_at: string | null;
  officer: string;
}

interface DossierRow extends SummaryRow {
  applicant_json: string;
  summary: string;
  contact_phone: string | null;
  contact_email: string | null;
  delivery: Dossier['delivery'];
  total_fee: number;
  ticket_number: string | null;
  previous_appointment_at: string | null;
}

interface ComponentRow {
  component_code: string;
  name: string;
  document_code: string | null;
  originals: number;
  copies: number;
  source: ComponentSource;
  reused_document_id: string | null;
  consent_at: string | null;
  digitised_document_id: number | null;
}

interface InsertParams {
  code: string;
  requestId: string;
  status: number;
  channel: Channel;
  personId: number;
  applicantJson: string;
  applicantName: string;
  applicantIdNumber: string;
  procedureCode: string;
  procedureName: string;
  receivedAt: string;
  appointmentAt: string | null;
  summary: string;
  contactPhone: string | null;
  contactEmail: string | null;
  delivery: Dossier['delivery'];
  totalFee: number;
  officer: string;
  ticketNumber: string | null;
}

const SUMMARY = `d.id, d.code, d.status, d.channel, d.applicant_name, d.applicant_id_number, d.procedure_code,
  d.procedure_name, d.received_at, d.appointment_at, d.officer`;

/** Range bounds covering every `YYYY-MM-DDTHH:mm` of one local day. */
function dayBounds(date: string): [string, string] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw new Error(`not a YYYY-MM-DD date: ${date}`);
  return [`${date}T00:00`, `${date}T23:59`];
}

/** A dossier component the applicant brought on paper for the digitisation station (intake's hand-off). */
export interface PendingDigitisation {
  dossierCode: string;
  componentCode: string;
  componentName: string;
  documentCode: string | null;
  applicantName: string;
  applicantIdNumber: string;
  procedureCode: string;
  procedureName: string;
  receivedAt: string;
}

export class DossiersRepository {
  private readonly insertStmt;
  private readonly insertComponent;
  private readonly insertFee;
  private readonly insertHistory;
  private readonly insertDocument;
  private readonly idByCode;
  private readonly byCode;
  private readonly byRequestId;
  private readonly componentsOf;
  private readonly feesOf;
  private readonly documentsOf;
  private readonly historyOf;
  private readonly latestDocumentStmt;
  private readonly statusStmt;
  private readonly appointmentStmt;
  private readonly digitisedStmt;
  private readonly pendingStmt;
  private readonly onDay;
  private readonly onDayExact;
  private readonly onDayText;
  private readonly exact;
  private readonly byCodeRange;
  private readonly byText;
  private readonly filtered;
  private readonly sync: Pick<OutboxRepository, 'stateOf'>;

  constructor(
    private readonly db: Db,
    sync?: Pick<OutboxRepository, 'stateOf'>,
  ) {
    this.sync = sync ?? new OutboxRepository(db);
    this.insertStmt = db.prepare<[InsertParams]>(`
      INSERT INTO dossiers (code, request_id, status, channel, person_id, applicant_json, applicant_name,
        applicant_id_number, procedure_code, procedure_name, received_at, appointment_at, summary, contact_phone,
        contact_email, delivery, total_fee, officer, ticket_number)
      VALUES (@code, @requestId, @status, @channel, @personId, @applicantJson, @applicantName,
        @applicantIdNumber, @procedureCode, @procedureName, @receivedAt, @appointmentAt, @summary, @contactPhone,
        @contactEmail, @delivery, @totalFee, @officer, @ticketNumber)`);
    this.insertComponent = db.prepare<
      [
        number,
        number,
        string,
        string,
        string | null,
        number,
        number,
        ComponentSource,
        string | null,
        string | null,
        number | null,
      ]
    >(`
      INSERT INTO dossier_components (dossier_id, position, component_code, name, document_code, originals, copies,
        source, reused_document_id, consent_at, digitised_document_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.insertFee = db.prepare<[number, number, string, string, number]>(
      'INSERT INTO dossier_fees (dossier_id, position, code, name, amount) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertHistory = db.prepare<[number, string, number, string, string]>(
      'INSERT INTO dossier_status_history (dossier_id, at, status, actor, note) VALUES (?, ?, ?, ?, ?)',
    );
    this.insertDocument = db.prepare<[number, DossierDocumentKind, string, string]>(
      'INSERT INTO dossier_documents (dossier_id, kind, blob_sha256, created_at) VALUES (?, ?, ?, ?)',
    );
    this.idByCode = db.prepare<[string], number>('SELECT id FROM dossiers WHERE code = ?').pluck();
    this.byCode = db.prepare<[string], DossierRow>('SELECT * FROM dossiers d WHERE d.code = ?');
    this.byRequestId = db.prepare<[string], DossierRow>('SELECT * FROM dossiers d WHERE d.request_id = ?');
    this.componentsOf = db.prepare<[number], ComponentRow>(
      'SELECT * FROM dossier_components WHERE dossier_id = ? ORDER BY position',
    );
    this.feesOf = db.prepare<[number], Fee>(
      'SELECT code, name, amount FROM dossier_fees WHERE dossier_id = ? ORDER BY position',
    );
    this.documentsOf = db.prepare<[number], { kind: DossierDocumentKind; createdAt: string; sha256: string }>(
      'SELECT kind, created_at AS createdAt, blob_sha256 AS sha256 FROM dossier_documents WHERE dossier_id = ? ORDER BY id',
    );
    this.historyOf = db.prepare<[number], { at: string; status: number; actor: string; note: string }>(
      'SELECT at, status, actor, note FROM dossier_status_history WHERE dossier_id = ? ORDER BY id',
    );
    this.latestDocumentStmt = db.prepare<[number, DossierDocumentKind], { sha256: string; createdAt: string }>(
      'SELECT blob_sha256 AS sha256, created_at AS createdAt FROM dossier_documents WHERE dossier_id = ? AND kind = ? ORDER BY id DESC LIMIT 1',
    );
    this.statusStmt = db.prepare<[number, number]>('UPDATE dossiers SET status = ? WHERE id = ?');
    this.appointmentStmt = db.prepare<[string | null, string | null, number]>(
      'UPDATE dossiers SET appointment_at = ?, previous_appointment_at = ? WHERE id = ?',
    );
    this.digitisedStmt = db.prepare<[number, number, string]>(
      'UPDATE dossier_components SET digitised_document_id = ? WHERE dossier_id = ? AND component_code = ?',
    );
    this.pendingStmt = db.prepare<[number], PendingDigitisation>(`
      SELECT d.code AS dossierCode, c.component_code AS componentCode, c.name AS componentName, c.document_code AS documentCode,
        d.applicant_name AS applicantName, d.applicant_id_number AS applicantIdNumber, d.procedure_code AS procedureCode,
        d.procedure_name AS procedureName, d.received_at AS receivedAt
      FROM dossier_components c JOIN dossiers d ON d.id = c.dossier_id
      WHERE c.source = 'to-digitise' AND c.digitised_document_id IS NULL AND d.status NOT IN (3, 7, 8, 10)
      ORDER BY d.received_at, d.id, c.position LIMIT ?`);
    this.onDay = db.prepare<[string, string], SummaryRow>(
      `SELECT ${SUMMARY} FROM dossiers d WHERE d.received_at BETWEEN ? AND ? ORDER BY d.received_at DESC, d.id DESC`,
    );
    this.onDayExact = db.prepare<[string, string, string, string], SummaryRow>(
      `SELECT ${SUMMARY} FROM dossiers d WHERE (d.code = ? OR d.applicant_id_number = ?) AND d.received_at BETWEEN ? AND ?
       ORDER BY d.received_at DESC, d.id DESC`,
    );
    this.onDayText = db.prepare<[string, string, string], SummaryRow>(`
      SELECT ${SUMMARY} FROM dossiers_fts JOIN dossiers d ON d.id = dossiers_fts.rowid
      WHERE dossiers_fts MATCH ? AND d.received_at BETWEEN ? AND ?
      ORDER BY d.received_at DESC, d.id DESC`);
    this.exact = db.prepare<[string, string, number], SummaryRow>(
      `SELECT ${SUMMARY} FROM dossiers d WHERE d.code = ? OR d.applicant_id_number = ?
       ORDER BY d.received_at DESC, d.id DESC LIMIT ?`,
    );
    // Range over the unique b-tree index on code: code order, no sort step.
    this.byCodeRange = db.prepare<[string, string, number], SummaryRow>(
      `SELECT ${SUMMARY} FROM dossiers d WHERE d.code >= ? AND d.code < ? ORDER BY d.code LIMIT ?`,
    );
    // A bounded set of matches (newest rowids first, read in FTS5 index order); bm25 is computed
    // for those rows only, then they are sorted.
    this.byText = db.prepare<[string, number, number], SummaryRow>(`
      SELECT ${SUMMARY} FROM (
        SELECT rowid AS id, rank AS score FROM dossiers_fts WHERE dossiers_fts MATCH ? ORDER BY rowid DESC LIMIT ?
      ) f JOIN dossiers d ON d.id = f.id
      ORDER BY f.score, d.received_at DESC, d.id DESC LIMIT ?`);
    this.filtered = this.filteredStatements(db);
  }

  /**
   * The statements of a filtered search (`search` with a filter). FILTER: the received day range
   * is a range over the `received_at` index, and the status (`dossiers_status` index) is applied
   * when given. Each path is the unfiltered one with FILTER added, so the same input finds the same
   * dossiers, only fewer.
   */
  private filteredStatements(db: Db) {
    const FILTER = 'd.received_at BETWEEN @from AND @to AND (@status IS NULL OR d.status = @status)';
    type Named<T> = FilterParams & T;
    return {
      // Nothing typed: the newest dossiers of the range (and status).
      all: db.prepare<[Named<{ limit: number }>], SummaryRow>(
        `SELECT ${SUMMARY} FROM dossiers d WHERE ${FILTER} ORDER BY d.received_at DESC, d.id DESC LIMIT @limit`,
      ),
      // The status alone: read through its index, newest first.
      byStatus: db.prepare<[{ status: number; limit: number }], SummaryRow>(
        `SELECT ${SUMMARY} FROM dossiers d INDEXED BY dossiers_status WHERE d.status = @status
         ORDER BY d.received_at DESC, d.id DESC LIMIT @limit`,
      ),
      codeRange: db.prepare<[Named<{ prefix: string; end: string; limit: number }>], SummaryRow>(
        `SELECT ${SUMMARY} FROM dossiers d WHERE d.code >= @prefix AND d.code < @end AND ${FILTER} ORDER BY d.code LIMIT @limit`,
      ),
      exact: db.prepare<[Named<{ key: string; limit: number }>], SummaryRow>(
        `SELECT ${SUMMARY} FROM dossiers d WHERE (d.code = @key OR d.applicant_id_number = @key) AND ${FILTER}
         ORDER BY d.received_at DESC, d.id DESC LIMIT @limit`,
      ),
      // Newest matches first, read in FTS5 rowid order and stopped at the limit: no rank to compute
      // for every match of a common name, which a filter would otherwise have to sort.
      text: db.prepare<[Named<{ match: string; limit: number }>], SummaryRow>(`
        SELECT ${SUMMARY} FROM dossiers_fts JOIN dossiers d ON d.id = dossiers_fts.rowid
        WHERE dossiers_fts MATCH @match AND ${FILTER}
        ORDER BY dossiers_fts.rowid DESC LIMIT @limit`),
    };
  }

  /**
   * Writes the dossier, its components, fees and first status-history row together.
   * A second insert with the same `requestId` (or code) fails on the unique constraint; callers
   * check `findByRequestId` first to make Receive idempotent.
   */
  insert(d: NewDossier): Dossier {
    const applicant = Person.parse(d.applicant);
    const totalFee = d.totalFee ?? d.fees.reduce((sum, fee) => sum + fee.amount, 0);
    this.db.transaction(() => {
      const result = this.insertStmt.run({
        code: d.code,
        requestId: d.requestId,
        status: d.status,
        channel: d.channel,
        personId: applicant.id,
        applicantJson: JSON.stringify(applicant),
        applicantName: applicant.fullName,
        applicantIdNumber: applicant.idNumber,
        procedureCode: d.procedureCode,
        procedureName: d.procedureName,
        receivedAt: d.receivedAt,
        appointmentAt: d.appointmentAt,
        summary: d.summary,
        contactPhone: d.contactPhone,
        contactEmail: d.contactEmail,
        delivery: d.delivery,
        totalFee,
        officer: d.officer,
        ticketNumber: d.ticketNumber,
      });
      const id = Number(result.lastInsertRowid);
      d.components.forEach((c, position) =>
        this.insertComponent.run(
          id,
          position,
          c.componentCode,
          c.name,
          c.documentCode,
          c.originals,
          c.copies,
          c.source,
          c.reusedDocumentId,
          c.consentAt,
          c.digitisedDocumentId,
        ),
      );
      d.fees.forEach((fee, position) => this.insertFee.run(id, position, fee.code, fee.name, fee.amount));
      this.insertHistory.run(id, d.receivedAt, d.status, d.officer, d.note ?? '');
    })();
    return this.mustGet(d.code);
  }

  findByRequestId(requestId: string): Dossier | null {
    const row = this.byRequestId.get(requestId);
    return row ? this.toDossier(row) : null;
  }

  getByCode(code: string): Dossier | null {
    const row = this.byCode.get(code.trim());
    return row ? this.toDossier(row) : null;
  }

  /** Changes the status and appends a history row. Throws when the code is unknown. */
  setStatus(code: string, status: number, actor: string, note: string, at: string): Dossier {
    this.db.transaction(() => {
      const id = this.idOf(code);
      this.statusStmt.run(status, id);
      this.insertHistory.run(id, at, status, actor, note);
    })();
    return this.mustGet(code);
  }

  /** Moves the appointment (e.g. after a supplement pause), keeping the date it replaces. */
  setAppointment(code: string, newAt: string | null, previousAt: string | null): Dossier {
    this.appointmentStmt.run(newAt, previousAt, this.idOf(code));
    return this.mustGet(code);
  }

  /** Records a generated document (receipt, supplement request, refusal) stored in the blob store. */
  addDocument(code: string, kind: DossierDocumentKind, sha256: string, at: string): void {
    this.insertDocument.run(this.idOf(code), kind, sha256, at);
  }

  /** The newest document of a kind, or null. */
  latestDocument(code: string, kind: DossierDocumentKind): { sha256: string; createdAt: string } | null {
    return this.latestDocumentStmt.get(this.idOf(code), kind) ?? null;
  }

  /** Links a component to the document the digitisation station produced for it. */
  setComponentDigitised(code: string, componentCode: string, documentRowId: number): void {
    const changes = this.digitisedStmt.run(documentRowId, this.idOf(code), componentCode).changes;
    if (changes !== 1) throw new Error(`dossier ${code} has no component ${componentCode}`);
  }

  /**
   * Components marked 'to-digitise' that have no digitised document yet, oldest dossier first (refused, withdrawn,
   * stopped and returned dossiers left out).
   */
  pendingDigitisation(limit = 500): PendingDigitisation[] {
    return this.pendingStmt.all(clampLimit(limit, 2000));
  }

  /** Dossiers received on a local day (`YYYY-MM-DD`), newest first, optionally filtered by a search query. */
  listReceivedOn(date: string, query?: string): DossierSummary[] {
    const [from, to] = dayBounds(date);
    const text = query === undefined ? null : toFtsQuery(query);
    if (text === null) return this.onDay.all(from, to).map((row) => this.toSummary(row));
    const found = new Map<number, SummaryRow>();
    const key = exactKey(query ?? '');
    if (key !== null) for (const row of this.onDayExact.all(key, key, from, to)) found.set(row.id, row);
    for (const row of this.onDayText.all(text, from, to)) if (!found.has(row.id)) found.set(row.id, row);
    return [...found.values()].map((row) => this.toSummary(row));
  }

  /**
   * Dossiers matching what an officer typed, at most `limit`.
   * - Input shaped like a dossier code or the start of one (`{agency id}`, `{agency id}-{yyMMdd}`
   *   or any prefix of it, `{agency id}-{yyMMdd}-{NNNN}` or any prefix of it; case and spaces
   *   ignored): the dossiers whose code starts with it, in code order, read as a range of the
   *   unique index on `code`. A whole code returns that dossier only.
   * - Anything else: exact code or applicant ID matches first (newest first), then dossiers with
   *   every term as a word prefix in the code, applicant name or ID or procedure name: of the
   *   newest {@link FTS_CANDIDATES} full-text matches, the best bm25 rank first, then newest.
   */
  search(query: string, limit: number, filter?: DossierFilter): DossierSummary[] {
    const max = clampLimit(limit);
    const narrowed = filterParams(filter);
    if (narrowed !== null) return this.searchFiltered(query, max, narrowed);
    const code = dossierCodePrefix(query);
    if (code !== null) {
      return this.byCodeRange.all(code, prefixEnd(code), max).map((row) => this.toSummary(row));
    }
    const found = new Map<number, SummaryRow>();
    const key = exactKey(query);
    if (key !== null) for (const row of this.exact.all(key, key, max)) found.set(row.id, row);
    const text = toFtsQuery(query);
    if (text !== null && found.size < max) {
      for (const row of this.byText.all(text, Math.max(FTS_CANDIDATES, max), max)) {
        if (found.size >= max) break;
        if (!found.has(row.id)) found.set(row.id, row);
      }
    }
    return [...found.values()].map((row) => this.toSummary(row));
  }

  /** `search` with a filter; an empty query lists the newest dossiers the filter keeps. */
  private searchFiltered(query: string, max: number, f: FilterParams): DossierSummary[] {
    const q = this.filtered;
    const summaries = (rows: SummaryRow[]) => rows.map((row) => this.toSummary(row));
    const code = dossierCodePrefix(query);
    if (code !== null) return summaries(q.codeRange.all({ ...f, prefix: code, end: prefixEnd(code), limit: max }));
    const key = exactKey(query);
    const text = toFtsQuery(query);
    if (key === null || text === null) {
      const anyDay = f.from.startsWith('0000') && f.to.startsWith('9999');
      if (f.status !== null && anyDay) return summaries(q.byStatus.all({ status: f.status, limit: max }));
      return summaries(q.all.all({ ...f, limit: max }));
    }
    const found = new Map<number, SummaryRow>();
    for (const row of q.exact.all({ ...f, key, limit: max })) found.set(row.id, row);
    if (found.size < max) {
      for (const row of q.text.all({ ...f, match: text, limit: max })) {
        if (found.size >= max) break;
        if (!found.has(row.id)) found.set(row.id, row);
      }
    }
    return summaries([...found.values()]);
  }

  private idOf(code: string): number {
    const id = this.idByCode.get(code.trim());
    if (id === undefined) throw new Error(`unknown dossier ${code}`);
    return id;
  }

  private mustGet(code: string): Dossier {
    const dossier = this.getByCode(code);
    if (!dossier) throw new Error(`unknown dossier ${code}`);
    return dossier;
  }

  private syncOf(code: string): DossierSyncState {
    return this.sync.stateOf(code);
  }

  private toSummary(row: SummaryRow): DossierSummary {
    return {
      id: row.id,
      code: row.code,
      status: row.status,
      channel: row.channel,
      applicantName: row.applicant_name,
      applicantIdNumber: row.applicant_id_number,
      procedureCode: row.procedure_code,
      procedureName: row.procedure_name,
      receivedAt: row.received_at,
      appointmentAt: row.appointment_at,
      officer: row.officer,
      sync: this.syncOf(row.code),
    };
  }

  private toDossier(row: DossierRow): Dossier {
    return {
      ...this.toSummary(row),
      applicant: Person.parse(JSON.parse(row.applicant_json)),
      summary: row.summary,
      contactPhone: row.contact_phone,
      contactEmail: row.contact_email,
      delivery: row.delivery,
      components: this.componentsOf.all(row.id).map((c) => ({
        componentCode: c.component_code,
        name: c.name,
        documentCode: c.document_code,
        originals: c.originals,
        copies: c.copies,
        source: c.source,
        reusedDocumentId: c.reused_document_id,
        consentAt: c.consent_at,
        digitisedDocumentId: c.digitised_document_id,
      })),
      fees: this.feesOf.all(row.id),
      totalFee: row.total_fee,
      ticketNumber: row.ticket_number,
      previousAppointmentAt: row.previous_appointment_at,
      documents: this.documentsOf.all(row.id),
      history: this.historyOf.all(row.id),
    };
  }
}

import type { Sql } from '../database/sql';
import type { ReplicationEntry } from '../../remotes/centre/wire-replication';
import type { EntryError } from './entry-check';

/** An entry the centre will never store as sent (its savepoint is rolled back, the batch goes on). */
export class EntryRejected extends Error {
  constructor(readonly error: EntryError) {
    super(error.message);
    this.name = 'EntryRejected';
  }
}

type Stored = 'stored' | 'duplicate';

/**
 * Stores one checked entry and projects it (docs/architecture.md, "Centre"), inside the caller's
 * transaction and savepoint: the raw entry (`ON CONFLICT (key) DO NOTHING`: nothing inserted is a
 * duplicate), its event row, the dossier's row for a receipt, then the dossier's current state
 * derived again from all its events. An event for a dossier whose receipt has not arrived yet is
 * kept and counted when the receipt comes.
 */
export async function storeEntry(
  tx: Sql,
  p: { deviceId: string; key: string; entry: ReplicationEntry; code: string | null; receivedAt: number },
): Promise<Stored> {
  const { entry, key } = p;
  const inserted = await tx.query(
    `INSERT INTO replicated_entries (key, device_id, kind, at, received_at, payload)
     VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000), to_timestamp($5::float8 / 1000), $6)
     ON CONFLICT (key) DO NOTHING RETURNING key`,
    [key, p.deviceId, entry.kind, entry.at, p.receivedAt, JSON.stringify(entry.payload)],
  );
  if (inserted.rowCount === 0) {
    const owner = await tx.query<{ device_id: string }>('SELECT device_id FROM replicated_entries WHERE key = $1', [
      key,
    ]);
    if (owner.rows[0] && owner.rows[0].device_id !== p.deviceId) {
      throw new EntryRejected({ code: 'CONFLICT', message: `Khóa mục '${key}' đã được một máy khác dùng.` });
    }
    return 'duplicate';
  }
  const { localAt, officer, details } = eventOf(entry);
  await tx.query(
    `INSERT INTO centre_dossier_events (key, code, kind, at, local_at, officer, device_id, details)
     VALUES ($1, $2, $3, to_timestamp($4::float8 / 1000), $5, $6, $7, $8)`,
    [key, p.code, entry.kind, entry.at, localAt, officer, p.deviceId, JSON.stringify(details)],
  );
  if (entry.kind === 'dossier.received') await upsertReceived(tx, p.deviceId, key, entry, p.receivedAt);
  if (p.code !== null) await recompute(tx, p.code, p.receivedAt);
  return 'stored';
}

function eventOf(entry: ReplicationEntry): {
  localAt: string;
  officer: string | null;
  details: Record<string, unknown>;
} {
  switch (entry.kind) {
    case 'dossier.received':
      return {
        localAt: entry.payload.receivedAt,
        officer: entry.payload.officer,
        details: { procedureCode: entry.payload.procedureCode },
      };
    case 'dossier.status':
      return { localAt: entry.payload.at, officer: entry.payload.officer, details: { status: entry.payload.status } };
    case 'document.digitised':
      return {
        localAt: entry.payload.at,
        officer: entry.payload.officer,
        details: { documentCode: entry.payload.documentCode, pages: entry.payload.pages },
      };
    case 'document.signed':
      return {
        localAt: entry.payload.at,
        officer: entry.payload.officer,
        details: { documentCode: entry.payload.documentCode, signer: entry.payload.signer },
      };
    case 'dossier.returned':
      return { localAt: entry.payload.at, officer: entry.payload.officer, details: { outcome: entry.payload.outcome } };
    case 'dossier.rated':
      return { localAt: entry.payload.at, officer: null, details: { rating: entry.payload.rating } };
  }
}

/**
 * The dossier's row from its receipt. The same code received by another desk is refused (two
 * desks issued one number: it must be seen, never merged); a newer receipt of the same desk
 * (re-sent after a correction) replaces the received fields.
 */
async function upsertReceived(
  tx: Sql,
  deviceId: string,
  key: string,
  entry: Extract<ReplicationEntry, { kind: 'dossier.received' }>,
  receivedAt: number,
): Promise<void> {
  const d = entry.payload;
  const existing = await tx.query<{ device_id: string; newer: boolean }>(
    `SELECT device_id, received_entry_at > to_timestamp($2::float8 / 1000) AS newer
     FROM centre_dossiers WHERE code = $1 FOR UPDATE`,
    [d.code, entry.at],
  );
  const row = existing.rows[0];
  if (row && row.device_id !== deviceId) {
    throw new EntryRejected({
      code: 'CONFLICT',
      message: `Số hồ sơ ${d.code} đã được một quầy khác tiếp nhận; hai quầy không được cấp trùng số.`,
    });
  }
  if (row?.newer) return;
  const values = [
    d.code,
    d.agencyId,
    d.procedureCode,
    d.procedureName,
    d.channel,
    d.officer,
    d.counter,
    deviceId,
    key,
    entry.at,
    d.receivedAt,
    d.appointmentAt,
    d.applicantKey,
    d.applicantIdMasked,
    JSON.stringify(d.components),
    d.fee,
    d.ticketId,
    d.ticketNumber,
    receivedAt,
  ];
  await tx.query(
    `INSERT INTO centre_dossiers (code, agency_id, procedure_code, procedure_name, channel, officer, counter,
       device_id, received_key, received_entry_at, received_at, appointment_at, status, status_at, applicant_key,
       applicant_id_masked, components, fee, ticket_id, ticket_number, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, to_timestamp($10::float8 / 1000), $11, $12, 2, $11, $13, $14, $15,
       $16, $17, $18, to_timestamp($19::float8 / 1000))
     ON CONFLICT (code) DO UPDATE SET agency_id = EXCLUDED.agency_id, procedure_code = EXCLUDED.procedure_code,
       procedure_name = EXCLUDED.procedure_name, channel = EXCLUDED.channel, officer = EXCLUDED.officer,
       counter = EXCLUDED.counter, received_key = EXCLUDED.received_key,
       received_entry_at = EXCLUDED.received_entry_at, received_at = EXCLUDED.received_at,
       appointment_at = EXCLUDED.appointment_at, applicant_key = EXCLUDED.applicant_key,
       applicant_id_masked = EXCLUDED.applicant_id_masked, components = EXCLUDED.components, fee = EXCLUDED.fee,
       ticket_id = EXCLUDED.ticket_id, ticket_number = EXCLUDED.ticket_number, updated_at = EXCLUDED.updated_at`,
    values,
  );
}

/**
 * The dossier's state from all its events, newest (desk time, then key) first: status (a return
 * is 10; a receipt, 2, counts only while no status came, so a re-sent receipt never moves a
 * dossier back), the return, the rating, the documents digitised and signed.
 */
async function recompute(tx: Sql, code: string, receivedAt: number): Promise<void> {
  await tx.query(
    `UPDATE centre_dossiers SET
       (status, status_at) = (
         SELECT CASE e.kind WHEN 'dossier.received' THEN 2 WHEN 'dossier.returned' THEN 10
                ELSE (e.details->>'status')::smallint END, e.local_at
         FROM centre_dossier_events e
         WHERE e.code = $1 AND e.kind IN ('dossier.received', 'dossier.status', 'dossier.returned')
         ORDER BY e.kind = 'dossier.received', e.at DESC, e.key DESC LIMIT 1),
       (returned_at, return_outcome) = (
         SELECT e.local_at, e.details->>'outcome' FROM centre_dossier_events e
         WHERE e.code = $1 AND e.kind = 'dossier.returned' ORDER BY e.at DESC, e.key DESC LIMIT 1),
       (satisfaction, rated_at) = (
         SELECT (e.details->>'rating')::smallint, e.local_at FROM centre_dossier_events e
         WHERE e.code = $1 AND e.kind = 'dossier.rated' ORDER BY e.at DESC, e.key DESC LIMIT 1),
       documents_digitised = (
         SELECT count(*) FROM centre_dossier_events e WHERE e.code = $1 AND e.kind = 'document.digitised'),
       documents_signed = (
         SELECT count(*) FROM centre_dossier_events e WHERE e.code = $1 AND e.kind = 'document.signed'),
       updated_at = to_timestamp($2::float8 / 1000)
     WHERE code = $1`,
    [code, receivedAt],
  );
}

import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import type { Db } from './database';
import { looksUnmasked } from './mask';

export const GENESIS_HASH = '0'.repeat(64);

export interface AuditInput {
  /** When it happened (the caller's clock, e.g. `YYYY-MM-DDTHH:mm` local or ISO). */
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  /** JSON-serialisable; personal ID numbers must already be masked (see `mask.ts`). */
  details?: Record<string, unknown>;
}

export interface AuditEntry {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type ChainCheck = { ok: true; count: number } | { ok: false; brokenAt: number; reason: string };

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

/** sha256(prev_hash + canonical JSON of the row's own fields), hex. */
export function auditHash(prevHash: string, row: { id: number; at: string; actor: string; action: string; entity: string; entityId: string | null; detailsJson: string }): string {
  const fields = canonicalJson({
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    entityId: row.entityId,
    details: JSON.parse(row.detailsJson),
  });
  return createHash('sha256').update(prevHash + fields, 'utf8').digest('hex');
}

const ID_KEY = /id[-_ ]?number|cccd|cmnd|passport/i;

/** Refuses details that carry an unmasked personal ID under an ID-like key. */
function assertMasked(value: unknown, path: string): void {
  if (value === null || typeof value !== 'object') return;
  for (const [key, member] of Object.entries(value)) {
    if (typeof member === 'string' && ID_KEY.test(key) && looksUnmasked(member)) {
      throw new Error(`audit details ${path}${key} holds an unmasked ID number; mask it with maskIdNumber()`);
    }
    assertMasked(member, `${path}${key}.`);
  }
}

function toEntry(row: AuditRow): AuditEntry {
  const details: unknown = JSON.parse(row.details_json);
  return {
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    entityId: row.entity_id,
    details: details !== null && typeof details === 'object' && !Array.isArray(details) ? Object.fromEntries(Object.entries(details)) : {},
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/**
 * The append-only audit trail. Rows chain by hash; triggers refuse UPDATE and DELETE, and
 * `verifyChain` detects a row edited or removed behind the triggers' back.
 */
export class AuditRepository {
  private readonly last;
  private readonly insertStmt;
  private readonly allStmt;
  private readonly forEntityStmt;
  private readonly appendTx;

  constructor(db: Db) {
    this.last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    this.insertStmt = db.prepare<[number, string, string, string, string, string | null, string, string, string]>(`
      INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details_json, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.allStmt = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id');
    this.forEntityStmt = db.prepare<[string, string], AuditRow>('SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id');
    this.appendTx = db.transaction((input: AuditInput): AuditEntry => {
      const details = input.details ?? {};
      assertMasked(details, '');
      const detailsJson = canonicalJson(details);
      const previous = this.last.get();
      const id = (previous?.id ?? 0) + 1;
      const prevHash = previous?.hash ?? GENESIS_HASH;
      const hash = auditHash(prevHash, { id, at: input.at, actor: input.actor, action: input.action, entity: input.entity, entityId: input.entityId, detailsJson });
      this.insertStmt.run(id, input.at, input.actor, input.action, input.entity, input.entityId, detailsJson, prevHash, hash);
      return toEntry({ id, at: input.at, actor: input.actor, action: input.action, entity: input.entity, entity_id: input.entityId, details_json: detailsJson, prev_hash: prevHash, hash });
    });
  }

  append(input: AuditInput): AuditEntry {
    return this.appendTx.immediate(input);
  }

  forEntity(entity: string, entityId: string): AuditEntry[] {
    return this.forEntityStmt.all(entity, entityId).map(toEntry);
  }

  /**
   * Walks the whole chain: each row's prev_hash must be the previous row's hash, ids must follow
   * without gaps, and each hash must match the row's content. Removing the newest rows cannot be
   * seen from inside the chain; compare `count` with a copy kept elsewhere for that.
   */
  verifyChain(): ChainCheck {
    let prevHash = GENESIS_HASH;
    let expectedId = 1;
    let count = 0;
    for (const row of this.allStmt.iterate()) {
      if (row.id !== expectedId) return { ok: false, brokenAt: row.id, reason: `row ${expectedId} is missing` };
      if (row.prev_hash !== prevHash) return { ok: false, brokenAt: row.id, reason: 'prev_hash does not match the previous row' };
      let expected: string;
      try {
        expected = auditHash(prevHash, { id: row.id, at: row.at, actor: row.actor, action: row.action, entity: row.entity, entityId: row.entity_id, detailsJson: row.details_json });
      } catch {
        return { ok: false, brokenAt: row.id, reason: 'details are not valid JSON' };
      }
      if (expected !== row.hash) return { ok: false, brokenAt: row.id, reason: 'hash does not match the row content' };
      prevHash = row.hash;
      expectedId += 1;
      count += 1;
    }
    return { ok: true, count };
  }
}

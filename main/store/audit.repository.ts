import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { AppError } from '../../common/contract/errors';
import { canonicalJson } from './canonical-json';
import type { Db } from './db';
import { looksUnmasked } from '../kernel/mask';

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

/** What `verifyChain` found wrong (docs/operations.md, "Audit chain" lists each with doctor's line). */
export type ChainProblem =
  /** An id is skipped: a row was deleted from the middle. */
  | 'row-missing'
  /** A row's prev_hash is not the previous row's hash. */
  | 'link-broken'
  /** A row from before the keyed chain no longer matches its sha256. */
  | 'hash-mismatch'
  /** A keyed row does not match its HMAC: edited, or rewritten without the key. */
  | 'mac-mismatch'
  /** details_json does not parse. */
  | 'details-invalid'
  /** The sha256 rows end elsewhere than where the keyed chain was started. */
  | 'legacy-end'
  /** No `audit_chain_start` row (migration 0009): removed. */
  | 'start-missing'
  /** The start row does not match its seal, or keyed rows exist while it is unsealed. */
  | 'start-invalid'
  /** No audit key: the keyed rows cannot be verified at all. */
  | 'key-missing'
  /** The key given is not the key the chain was sealed with (the key file was replaced). */
  | 'key-other';

export interface ChainHead {
  id: number;
  hash: string;
}

export type ChainCheck =
  | { ok: true; count: number; keyedFrom: number; head: ChainHead | null }
  | { ok: false; reason: ChainProblem; brokenAt: number | null; detail: string };

/** Where the keyed chain starts (the `audit_chain_start` row, migration 0009). */
export interface ChainStart {
  chainId: string;
  firstKeyedId: number;
  legacyHead: string;
  legacyCount: number;
  keyCheck: string | null;
  seal: string | null;
}

export interface AuditRepositoryOptions {
  /** The `audit` key (main/store/key-store.ts); null when it is missing: appends are refused, verify says so. */
  key: Buffer | null;
}

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

type HashedFields = {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entityId: string | null;
  detailsJson: string;
};

function fieldsJson(row: HashedFields, chainId?: string): string {
  return canonicalJson({
    id: row.id,
    at: row.at,
    actor: row.actor,
    action: row.action,
    entity: row.entity,
    entityId: row.entityId,
    details: JSON.parse(row.detailsJson),
    ...(chainId === undefined ? {} : { chain: chainId }),
  });
}

/** Rows before the keyed chain (migration 0009): sha256(prev_hash + canonical JSON of the row's own fields), hex. */
export function auditHash(prevHash: string, row: HashedFields): string {
  return createHash('sha256')
    .update(prevHash + fieldsJson(row), 'utf8')
    .digest('hex');
}

/** Keyed rows: HMAC-SHA256 under the audit key of prev_hash + canonical JSON of the fields and the chain id, hex. */
export function auditMac(key: Buffer, chainId: string, prevHash: string, row: HashedFields): string {
  return createHmac('sha256', key)
    .update(prevHash + fieldsJson(row, chainId), 'utf8')
    .digest('hex');
}

/** Which key: an HMAC of a fixed label (says nothing about the key, tells two keys apart). */
export function auditKeyCheck(key: Buffer): string {
  return createHmac('sha256', key).update('motcua-audit/key-check', 'utf8').digest('hex');
}

/** The seal of the start row: an HMAC of where the keyed chain starts. */
export function chainStartSeal(
  key: Buffer,
  start: Pick<ChainStart, 'chainId' | 'firstKeyedId' | 'legacyHead' | 'legacyCount'>,
): string {
  const body = canonicalJson({
    chainId: start.chainId,
    firstKeyedId: start.firstKeyedId,
    legacyHead: start.legacyHead,
    legacyCount: start.legacyCount,
  });
  return createHmac('sha256', key).update(`motcua-audit/start\n${body}`, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex digests. */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
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
    details:
      details !== null && typeof details === 'object' && !Array.isArray(details)
        ? Object.fromEntries(Object.entries(details))
        : {},
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

interface StartRow {
  chain_id: string;
  first_keyed_id: number;
  legacy_head: string;
  legacy_count: number;
  key_check: string | null;
  seal: string | null;
}

const toStart = (row: StartRow): ChainStart => ({
  chainId: row.chain_id,
  firstKeyedId: row.first_keyed_id,
  legacyHead: row.legacy_head,
  legacyCount: row.legacy_count,
  keyCheck: row.key_check,
  seal: row.seal,
});

/**
 * The append-only audit trail (docs/architecture.md, "Audit chain: keyed and anchored"). Rows
 * chain by HMAC-SHA256 under the `audit` key kept outside the database; rows written before
 * migration 0009 keep their sha256 links. Triggers refuse UPDATE and DELETE; `verifyChain` finds a
 * row edited, removed, or rewritten behind the triggers' back, as long as the rewriter has no key.
 * Removing the newest rows cannot be seen from inside the database: the checkpoints and the head
 * record outside it (`audit-checkpoint.ts`) catch that.
 */
export class AuditRepository {
  private readonly key: Buffer | null;
  private readonly last;
  private readonly insertStmt;
  private readonly allStmt;
  private readonly forEntityStmt;
  private readonly startStmt;
  private readonly hashAtStmt;
  private readonly countStmt;
  private readonly appendTx;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly db: Db,
    options: AuditRepositoryOptions,
  ) {
    this.key = options.key;
    this.last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
    this.insertStmt = db.prepare<[number, string, string, string, string, string | null, string, string, string]>(`
      INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details_json, prev_hash, hash)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    this.allStmt = db.prepare<[], AuditRow>('SELECT * FROM audit_log ORDER BY id');
    this.forEntityStmt = db.prepare<[string, string], AuditRow>(
      'SELECT * FROM audit_log WHERE entity = ? AND entity_id = ? ORDER BY id',
    );
    this.startStmt = db.prepare<[], StartRow>(
      'SELECT chain_id, first_keyed_id, legacy_head, legacy_count, key_check, seal FROM audit_chain_start WHERE singleton = 1',
    );
    this.hashAtStmt = db.prepare<[number], string>('SELECT hash FROM audit_log WHERE id = ?').pluck();
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM audit_log').pluck();
    const seal = db.prepare<[string, string]>(
      'UPDATE audit_chain_start SET key_check = ?, seal = ? WHERE singleton = 1 AND seal IS NULL AND key_check IS NULL',
    );
    this.appendTx = db.transaction((input: AuditInput): AuditEntry => {
      const key = this.key;
      if (!key)
        throw new AppError(
          'STORE_FAILURE',
          'Thiếu khoá nhật ký kiểm toán (khoá "audit"): không ghi được nhật ký. Khôi phục thư mục khoá từ bản sao của bộ phận CNTT.',
        );
      const start = this.start();
      if (!start)
        throw new AppError('STORE_FAILURE', 'Kho dữ liệu thiếu dòng khởi đầu chuỗi nhật ký (audit_chain_start).');
      const details = input.details ?? {};
      assertMasked(details, '');
      const detailsJson = canonicalJson(details);
      const previous = this.last.get();
      const id = (previous?.id ?? 0) + 1;
      const prevHash = previous?.hash ?? GENESIS_HASH;
      const fields = {
        id,
        at: input.at,
        actor: input.actor,
        action: input.action,
        entity: input.entity,
        entityId: input.entityId,
        detailsJson,
      };
      // Always keyed: an id below first_keyed_id only happens when old rows were cut, which verifyChain reports.
      const hash = auditMac(key, start.chainId, prevHash, fields);
      this.insertStmt.run(
        id,
        input.at,
        input.actor,
        input.action,
        input.entity,
        input.entityId,
        detailsJson,
        prevHash,
        hash,
      );
      return toEntry({
        id,
        at: input.at,
        actor: input.actor,
        action: input.action,
        entity: input.entity,
        entity_id: input.entityId,
        details_json: detailsJson,
        prev_hash: prevHash,
        hash,
      });
    });
    // The first open with the key seals the start row, so its boundary cannot be moved later.
    const start = this.start();
    if (this.key && start && start.seal === null) seal.run(auditKeyCheck(this.key), chainStartSeal(this.key, start));
  }

  /** Appends one entry in its own transaction, or as part of the caller's (then it commits or rolls back with it). */
  append(input: AuditInput): AuditEntry {
    const entry = this.appendTx.immediate(input);
    for (const listener of this.listeners) listener();
    return entry;
  }

  /**
   * Calls `listener` after every append (also inside a caller's transaction, which may still roll
   * back: read the committed head later, not in the call). Returns the unsubscribe function.
   */
  onAppend(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  forEntity(entity: string, entityId: string): AuditEntry[] {
    return this.forEntityStmt.all(entity, entityId).map(toEntry);
  }

  /** Where the keyed chain starts, or null when the row is gone (a store at schema 9 always has one). */
  start(): ChainStart | null {
    const row = this.startStmt.get();
    return row ? toStart(row) : null;
  }

  /** Whether the key given is the one the chain was sealed with (false: the key file was replaced). */
  keyMatches(): boolean {
    const start = this.start();
    return (
      this.key !== null &&
      start !== null &&
      start.keyCheck !== null &&
      sameDigest(start.keyCheck, auditKeyCheck(this.key))
    );
  }

  /** The newest committed row, or null for an empty trail. Outside a transaction: committed rows only. */
  head(): ChainHead | null {
    return this.last.get() ?? null;
  }

  /** The stored hash of row `id`, or null when there is none. */
  hashAt(id: number): string | null {
    return this.hashAtStmt.get(id) ?? null;
  }

  count(): number {
    return this.countStmt.get() ?? 0;
  }

  /** True while a transaction is open on this connection (the head may still roll back). */
  get inTransaction(): boolean {
    return this.db.inTransaction;
  }

  /**
   * Walks the whole chain: ids follow without gaps, each prev_hash is the previous row's hash,
   * rows before the start row's `first_keyed_id` match their sha256 and end at its `legacy_head`,
   * and every later row matches its HMAC under the key. Without the key the answer is
   * `key-missing` (after the sha256 part was checked): never "intact".
   */
  verifyChain(): ChainCheck {
    const start = this.start();
    if (!start) return { ok: false, reason: 'start-missing', brokenAt: null, detail: 'audit_chain_start has no row' };
    const key = this.key;
    if (key) {
      if (start.keyCheck !== null && !sameDigest(start.keyCheck, auditKeyCheck(key))) {
        return {
          ok: false,
          reason: 'key-other',
          brokenAt: null,
          detail: 'the audit key is not the key this chain was sealed with',
        };
      }
      if (start.seal !== null && !sameDigest(start.seal, chainStartSeal(key, start))) {
        return {
          ok: false,
          reason: 'start-invalid',
          brokenAt: null,
          detail: 'audit_chain_start does not match its seal',
        };
      }
    }
    let prevHash = GENESIS_HASH;
    let expectedId = 1;
    let count = 0;
    let head: ChainHead | null = null;
    for (const row of this.allStmt.iterate()) {
      if (row.id !== expectedId)
        return { ok: false, reason: 'row-missing', brokenAt: row.id, detail: `row ${expectedId} is missing` };
      if (row.prev_hash !== prevHash)
        return {
          ok: false,
          reason: 'link-broken',
          brokenAt: row.id,
          detail: 'prev_hash does not match the previous row',
        };
      const fields = {
        id: row.id,
        at: row.at,
        actor: row.actor,
        action: row.action,
        entity: row.entity,
        entityId: row.entity_id,
        detailsJson: row.details_json,
      };
      if (row.id < start.firstKeyedId) {
        let expected: string;
        try {
          expected = auditHash(prevHash, fields);
        } catch {
          return { ok: false, reason: 'details-invalid', brokenAt: row.id, detail: 'details are not valid JSON' };
        }
        if (expected !== row.hash)
          return {
            ok: false,
            reason: 'hash-mismatch',
            brokenAt: row.id,
            detail: 'hash does not match the row content',
          };
      } else {
        if (row.id === start.firstKeyedId && (prevHash !== start.legacyHead || count !== start.legacyCount)) {
          return {
            ok: false,
            reason: 'legacy-end',
            brokenAt: row.id,
            detail: 'the sha256 rows do not end where the keyed chain was started',
          };
        }
        if (!key)
          return {
            ok: false,
            reason: 'key-missing',
            brokenAt: null,
            detail: `rows from ${start.firstKeyedId} on are keyed and no audit key was given`,
          };
        if (start.seal === null)
          return {
            ok: false,
            reason: 'start-invalid',
            brokenAt: row.id,
            detail: 'keyed rows exist but audit_chain_start is not sealed',
          };
        let expected: string;
        try {
          expected = auditMac(key, start.chainId, prevHash, fields);
        } catch {
          return { ok: false, reason: 'details-invalid', brokenAt: row.id, detail: 'details are not valid JSON' };
        }
        if (!sameDigest(expected, row.hash))
          return { ok: false, reason: 'mac-mismatch', brokenAt: row.id, detail: 'HMAC does not match the row content' };
      }
      prevHash = row.hash;
      head = { id: row.id, hash: row.hash };
      expectedId += 1;
      count += 1;
    }
    if (
      count < start.firstKeyedId - 1 ||
      (count === start.firstKeyedId - 1 && (prevHash !== start.legacyHead || count !== start.legacyCount))
    ) {
      return {
        ok: false,
        reason: 'legacy-end',
        brokenAt: count + 1,
        detail: 'the sha256 rows do not end where the keyed chain was started',
      };
    }
    if (!key)
      return {
        ok: false,
        reason: 'key-missing',
        brokenAt: null,
        detail: 'no audit key was given: the start row and any keyed row cannot be checked',
      };
    return { ok: true, count, keyedFrom: start.firstKeyedId, head };
  }
}

import { redact } from '../../kernel/mask';
import type { Sql } from './sql';

export interface CentreAuditEntry {
  /** Who: `it` (the command line), `system`, `device:<id>`, `device:<id>/<username>` (an officer at a desk). */
  actor: string;
  /** `<area>.<what>`, e.g. `device.revoke`, `queue.call`. */
  action: string;
  entity?: string | null;
  entityId?: string | null;
  details?: Record<string, unknown>;
}

/**
 * Appends one entry to `centre_audit`, in the caller's transaction, so the change and its entry
 * commit together. Secret-looking values and personal numbers in `details` are masked.
 */
export async function appendCentreAudit(tx: Sql, e: CentreAuditEntry): Promise<void> {
  await tx.query('INSERT INTO centre_audit (actor, action, entity, entity_id, details) VALUES ($1, $2, $3, $4, $5)', [
    e.actor,
    e.action,
    e.entity ?? null,
    e.entityId ?? null,
    JSON.stringify(redact(e.details ?? {})),
  ]);
}

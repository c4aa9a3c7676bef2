import type { CentreMigration } from './migration';

/**
 * The centre itself (docs/architecture.md, "Centre"): who it is (one row: its id and the agency
 * it serves) and its audit trail. Audit rows are append-only: a trigger refuses UPDATE and
 * DELETE, so a change can only be followed by another entry.
 */
export const centre: CentreMigration = {
  version: 1,
  name: 'centre',
  async up(tx) {
    await tx.query(`
CREATE TABLE centre_identity (
  singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
  centre_id uuid NOT NULL,
  agency_id text NOT NULL CHECK (agency_id ~ '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'),
  agency_name text NOT NULL CHECK (length(agency_name) >= 1),
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE centre_audit (
  id bigserial PRIMARY KEY,
  at timestamptz NOT NULL DEFAULT now(),
  actor text NOT NULL CHECK (length(actor) >= 1),
  action text NOT NULL CHECK (action ~ '^[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)+$'),
  entity text,
  entity_id text,
  details jsonb NOT NULL DEFAULT '{}'::jsonb CHECK (jsonb_typeof(details) = 'object')
);
CREATE INDEX centre_audit_entity ON centre_audit (entity, entity_id);
CREATE INDEX centre_audit_at ON centre_audit (at);

CREATE FUNCTION centre_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'centre_audit is append-only';
END $$;
CREATE TRIGGER centre_audit_append_only BEFORE UPDATE OR DELETE ON centre_audit
  FOR EACH ROW EXECUTE FUNCTION centre_audit_append_only();
`);
  },
};

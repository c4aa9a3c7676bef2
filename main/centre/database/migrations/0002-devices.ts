import type { CentreMigration } from './migration';

/**
 * Enrolled devices and their one-time pairing codes (docs/architecture.md, "Centre").
 *
 * - `centre_devices`: a desk is known by its client certificate's SHA-256 fingerprint, a browser
 *   device (kiosk, display, rating tablet) by the SHA-256 of its cookie token; never both. Kinds
 *   are those of `DEVICE_KINDS` (main/centre/security/device.ts), written out here so this step
 *   never changes after it shipped.
 * - Desk slots (0-9, the offline reserve of dossier numbers): an active desk holds its slot, and the
 *   partial unique index keeps it unique among the agency's active desks. A revoked desk may
 *   already have used numbers of its slot today, so revoking sets `slot_free_from` to the next day
 *   (Vietnam date) and the allocator counts the slot as taken until then
 *   (`DeviceRegistry`, under a per-agency advisory lock).
 * - `centre_pairing_codes`: only the SHA-256 of the secret; redeeming sets `used_at` and
 *   `used_by_device` together (the device row is inserted in the same transaction, hence the
 *   deferred foreign key).
 */
export const devices: CentreMigration = {
  version: 2,
  name: 'devices',
  async up(tx) {
    await tx.query(`
CREATE TABLE centre_devices (
  id uuid PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('desk', 'kiosk', 'display', 'rating')),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  agency_id text NOT NULL CHECK (agency_id ~ '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'),
  counter text CHECK (length(counter) BETWEEN 1 AND 20),
  desk_slot smallint CHECK (desk_slot BETWEEN 0 AND 9),
  printer text CHECK (length(printer) BETWEEN 1 AND 200),
  cert_fingerprint text UNIQUE CHECK (cert_fingerprint ~ '^[0-9a-f]{64}$'),
  cert_expires_at timestamptz,
  token_hash text UNIQUE CHECK (token_hash ~ '^[0-9a-f]{64}$'),
  enrolled_at timestamptz NOT NULL,
  last_seen_at timestamptz,
  revoked_at timestamptz,
  revoked_by text CHECK (length(revoked_by) >= 1),
  slot_free_from date,
  CONSTRAINT centre_devices_desk_credentials CHECK (
    kind <> 'desk' OR (cert_fingerprint IS NOT NULL AND cert_expires_at IS NOT NULL AND token_hash IS NULL)),
  CONSTRAINT centre_devices_browser_credentials CHECK (
    kind = 'desk' OR (token_hash IS NOT NULL AND cert_fingerprint IS NULL AND cert_expires_at IS NULL)),
  CONSTRAINT centre_devices_desk_slot CHECK ((kind = 'desk') = (desk_slot IS NOT NULL)),
  CONSTRAINT centre_devices_counter CHECK (
    CASE kind WHEN 'rating' THEN counter IS NOT NULL WHEN 'desk' THEN true ELSE counter IS NULL END),
  CONSTRAINT centre_devices_printer CHECK (kind = 'kiosk' OR printer IS NULL),
  CONSTRAINT centre_devices_revoked CHECK ((revoked_at IS NULL) = (revoked_by IS NULL)),
  CONSTRAINT centre_devices_slot_free_from CHECK (
    CASE WHEN kind = 'desk' AND revoked_at IS NOT NULL THEN slot_free_from IS NOT NULL ELSE slot_free_from IS NULL END)
);
CREATE UNIQUE INDEX centre_devices_active_desk_slot ON centre_devices (agency_id, desk_slot)
  WHERE kind = 'desk' AND revoked_at IS NULL;
CREATE INDEX centre_devices_slot_held ON centre_devices (agency_id, slot_free_from)
  WHERE kind = 'desk' AND revoked_at IS NOT NULL;

CREATE TABLE centre_pairing_codes (
  secret_hash text PRIMARY KEY CHECK (secret_hash ~ '^[0-9a-f]{64}$'),
  kind text NOT NULL CHECK (kind IN ('desk', 'kiosk', 'display', 'rating')),
  name text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
  agency_id text NOT NULL CHECK (agency_id ~ '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'),
  counter text CHECK (length(counter) BETWEEN 1 AND 20),
  printer text CHECK (length(printer) BETWEEN 1 AND 200),
  created_by text NOT NULL CHECK (length(created_by) >= 1),
  created_at timestamptz NOT NULL,
  expires_at timestamptz NOT NULL,
  used_at timestamptz,
  used_by_device uuid UNIQUE REFERENCES centre_devices (id) DEFERRABLE INITIALLY DEFERRED,
  CONSTRAINT centre_pairing_codes_lifetime CHECK (expires_at > created_at),
  CONSTRAINT centre_pairing_codes_used CHECK ((used_at IS NULL) = (used_by_device IS NULL)),
  CONSTRAINT centre_pairing_codes_counter CHECK (
    CASE kind WHEN 'rating' THEN counter IS NOT NULL WHEN 'desk' THEN true ELSE counter IS NULL END),
  CONSTRAINT centre_pairing_codes_printer CHECK (kind = 'kiosk' OR printer IS NULL)
);
CREATE INDEX centre_pairing_codes_expires ON centre_pairing_codes (expires_at) WHERE used_at IS NULL;
`);
  },
};

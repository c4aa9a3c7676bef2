import type { CentreMigration } from './migration';

/**
 * Dossier number leases (docs/architecture.md, "Centre" and "Dossier codes: leases plus per-desk
 * reserve"). The numbers themselves come from one PostgreSQL SEQUENCE per agency and day, created
 * on first use by `main/centre/numbers/dossier-numbers.ts`; `dossier_number_sequences` names each
 * one with the block size it was created with (a later change of `numbers.blockSize` applies to
 * new days only). `dossier_number_blocks` records every block handed to a desk; an exclusion
 * constraint (btree_gist) makes two overlapping blocks of one agency and day impossible, whatever
 * the code above it does.
 */
export const dossierNumbers: CentreMigration = {
  version: 4,
  name: 'dossier-numbers',
  async up(tx) {
    await tx.query('CREATE EXTENSION IF NOT EXISTS btree_gist');
    await tx.query(`
CREATE TABLE dossier_number_sequences (
  agency_id text NOT NULL CHECK (agency_id ~ '^[0-9]{3}\\.[0-9]{2}\\.[0-9]{2}\\.[A-Z][0-9]{2}$'),
  day date NOT NULL,
  sequence_name text NOT NULL UNIQUE CHECK (sequence_name ~ '^dossier_seq_[a-z0-9_]{1,40}$'),
  block_size integer NOT NULL CHECK (block_size BETWEEN 1 AND 8999),
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (agency_id, day)
);

CREATE TABLE dossier_number_blocks (
  id bigserial PRIMARY KEY,
  agency_id text NOT NULL,
  day date NOT NULL,
  first_seq integer NOT NULL CHECK (first_seq BETWEEN 1 AND 8999),
  last_seq integer NOT NULL CHECK (last_seq BETWEEN 1 AND 8999 AND last_seq >= first_seq),
  device_id uuid NOT NULL,
  leased_at timestamptz NOT NULL,
  FOREIGN KEY (agency_id, day) REFERENCES dossier_number_sequences (agency_id, day),
  CONSTRAINT dossier_number_blocks_no_overlap
    EXCLUDE USING gist (agency_id WITH =, day WITH =, int4range(first_seq, last_seq, '[]') WITH &&)
);
CREATE INDEX dossier_number_blocks_device ON dossier_number_blocks (device_id, day);
`);
  },
};

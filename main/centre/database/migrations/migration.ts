import type { Sql } from '../sql';

/**
 * One step of the centre's schema. `up` runs inside the transaction `migrateCentre` opens (with
 * its `centre_schema_migrations` row); it must not open or end one itself.
 */
export interface CentreMigration {
  version: number;
  name: string;
  up(tx: Sql): Promise<void>;
}

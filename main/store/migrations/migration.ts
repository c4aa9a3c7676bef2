import type { Db } from '../db';

/** One schema step. `up` runs inside a transaction opened by `migrate`; it must not open its own. */
export interface Migration {
  version: number;
  name: string;
  up(db: Db): void;
}

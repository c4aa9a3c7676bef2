import type Database from 'better-sqlite3';

/** An open desk database (better-sqlite3), as `openDatabase` (database.ts) returns it. */
export type Db = Database.Database;

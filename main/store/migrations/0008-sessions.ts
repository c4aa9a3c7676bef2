import type { Migration } from './migration';

/**
 * Sessions that end (docs/architecture.md, "Sessions"):
 * - `accounts.session_epoch`: a counter every session records at sign-in. Changing the password,
 *   a lock by IT, a change of role and "sign out everywhere" add one; each call compares, so a
 *   session signed in before the change ends, also in a core that learns of it only through the
 *   store (the command line runs in another process). Read by username (its unique index).
 * - `accounts.it_locked`: 1 while IT keeps the account locked (`accounts lock`); unlike the
 *   15-minute lock after five wrong passwords it lasts until `accounts unlock`.
 */
const SQL = `
ALTER TABLE accounts ADD COLUMN session_epoch INTEGER NOT NULL DEFAULT 0 CHECK (session_epoch >= 0);
ALTER TABLE accounts ADD COLUMN it_locked INTEGER NOT NULL DEFAULT 0 CHECK (it_locked IN (0, 1));
`;

export const sessions: Migration = {
  version: 8,
  name: 'sessions',
  up(db) {
    db.exec(SQL);
  },
};

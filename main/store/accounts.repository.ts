import type { Role } from '../../common/contract/schemas';
import type { Db } from './database';
import { decoyHash, hashPassword, verifyPassword, verifyPasswordAsync } from './password';

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_DURATION_MS = 15 * 60 * 1000;

export interface Account {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Epoch ms until which sign-in is refused, or null. */
  lockedUntil: number | null;
  createdAt: string;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

export type VerifyResult =
  | { ok: true; account: Account }
  | { ok: false; reason: 'unknown' | 'wrong-password' | 'locked' };

interface AccountRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  failed_attempts: number;
  locked_until: number | null;
  created_at: string;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
  };
}

export class AccountsRepository {
  private readonly insertStmt;
  private readonly byUsername;
  private readonly byId;
  private readonly listStmt;
  private readonly countStmt;
  private readonly recordFailure;
  private readonly recordSuccess;
  private readonly setHash;

  constructor(db: Db) {
    this.insertStmt = db.prepare<[string, string, Role, string]>(
      'INSERT INTO accounts (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)',
    );
    this.byUsername = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE username = ?');
    this.byId = db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?');
    this.listStmt = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY username');
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM accounts').pluck();
    this.recordFailure = db.prepare<[number, number | null, number]>(
      'UPDATE accounts SET failed_attempts = ?, locked_until = ? WHERE id = ?',
    );
    this.recordSuccess = db.prepare<[number]>('UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE id = ?');
    this.setHash = db.prepare<[string, number]>(
      'UPDATE accounts SET password_hash = ?, failed_attempts = 0, locked_until = NULL WHERE id = ?',
    );
  }

  /** Throws a SQLite constraint error when the username (case-insensitive) is taken. */
  create(input: NewAccount): Account {
    const username = input.username.trim();
    if (input.password.length === 0) throw new Error('password must not be empty');
    const result = this.insertStmt.run(username, input.displayName, input.role, hashPassword(input.password));
    return toAccount(this.mustGet(Number(result.lastInsertRowid)));
  }

  /**
   * Checks a sign-in. Five wrong passwords in a row lock the account for 15 minutes; while locked
   * the password is not even compared. Unknown usernames cost the same scrypt work as known ones.
   */
  verify(username: string, password: string, now: number = Date.now()): VerifyResult {
    const row = this.byUsername.get(username.trim());
    if (!row) {
      verifyPassword(password, decoyHash());
      return { ok: false, reason: 'unknown' };
    }
    if (row.locked_until !== null && row.locked_until > now) {
      return { ok: false, reason: 'locked' };
    }
    return this.settle(row, verifyPassword(password, row.password_hash), now);
  }

  /**
   * `verify` with the scrypt work on the thread pool (the core's sign-in path). The row is read
   * again after the hash so a failure counted meanwhile by another sign-in is not lost.
   */
  async verifyAsync(username: string, password: string, now: number = Date.now()): Promise<VerifyResult> {
    const first = this.byUsername.get(username.trim());
    if (!first) {
      await verifyPasswordAsync(password, decoyHash());
      return { ok: false, reason: 'unknown' };
    }
    if (first.locked_until !== null && first.locked_until > now) return { ok: false, reason: 'locked' };
    const matches = await verifyPasswordAsync(password, first.password_hash);
    const row = this.byUsername.get(username.trim());
    if (!row) return { ok: false, reason: 'unknown' };
    if (row.locked_until !== null && row.locked_until > now) return { ok: false, reason: 'locked' };
    return this.settle(row, matches && row.password_hash === first.password_hash, now);
  }

  /** Records the outcome of a compared password: success clears the count, the fifth failure locks. */
  private settle(row: AccountRow, matches: boolean, now: number): VerifyResult {
    if (matches) {
      this.recordSuccess.run(row.id);
      return { ok: true, account: toAccount(this.mustGet(row.id)) };
    }
    const failures = (row.locked_until !== null ? 0 : row.failed_attempts) + 1;
    if (failures >= MAX_FAILED_ATTEMPTS) {
      this.recordFailure.run(0, now + LOCK_DURATION_MS, row.id);
      return { ok: false, reason: 'locked' };
    }
    this.recordFailure.run(failures, null, row.id);
    return { ok: false, reason: 'wrong-password' };
  }

  /** Replaces the password and clears any lock. */
  setPassword(username: string, password: string): void {
    const row = this.byUsername.get(username.trim());
    if (!row) throw new Error(`unknown account ${username}`);
    if (password.length === 0) throw new Error('password must not be empty');
    this.setHash.run(hashPassword(password), row.id);
  }

  /** Clears a lock and the count of wrong passwords (an administrator's unlock); false for an unknown account. */
  unlock(username: string): boolean {
    const row = this.byUsername.get(username.trim());
    if (!row) return false;
    this.recordSuccess.run(row.id);
    return true;
  }

  get(username: string): Account | null {
    const row = this.byUsername.get(username.trim());
    return row ? toAccount(row) : null;
  }

  list(): Account[] {
    return this.listStmt.all().map(toAccount);
  }

  count(): number {
    return this.countStmt.get() ?? 0;
  }

  private mustGet(id: number): AccountRow {
    const row = this.byId.get(id);
    if (!row) throw new Error(`account ${id} vanished`);
    return row;
  }
}

import type { Role } from '../../common/contract/schemas';
import type { Db } from './db';
import { PasswordHasher, storedCost, type ScryptCost } from './password';

// Wrong passwords are counted (`failed_attempts`), never a lock: the waits are the sign-in
// throttle's (`main/core/login-throttle.ts`), and the right password still gets in
// (docs/architecture.md, "Sign-in").

export interface Account {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  /** Epoch ms until which sign-in is refused, or null. */
  lockedUntil: number | null;
  createdAt: string;
  /** Sessions signed in under another value have ended (docs/architecture.md, "Sessions"). */
  sessionEpoch: number;
  /** Locked by IT (`accounts lock`) until `accounts unlock`. */
  itLocked: boolean;
}

/** What every call of a session compares: the account's epoch and IT lock (null: no such account). */
export interface SessionStanding {
  epoch: number;
  itLocked: boolean;
}

export interface NewAccount {
  username: string;
  displayName: string;
  role: Role;
  password: string;
}

/**
 * A checked sign-in. `locked` is answered only to the right password (a stranger's wrong one is
 * `wrong-password`, as for any account), so the answer never tells a stranger that a name exists
 * or is locked.
 */
export type VerifyResult =
  { ok: true; account: Account } | { ok: false; reason: 'unknown' | 'wrong-password' | 'locked' };

/** A stored hash replaced by a stronger one after a successful sign-in (no hash in it: it is audited). */
export interface Rehashed {
  from: ScryptCost;
  to: ScryptCost;
}

/** Work done in the transaction that records a sign-in's outcome (the caller's audit entry). */
export interface VerifyHooks {
  /** Runs in the same transaction as the failure count or success, for every outcome (also `unknown`). */
  record?(result: VerifyResult): void;
  /** Runs in the same transaction as the rehash, when the stored hash was replaced. */
  rehashed?(account: Account, change: Rehashed): void;
}

interface AccountRow {
  id: number;
  username: string;
  display_name: string;
  role: Role;
  password_hash: string;
  failed_attempts: number;
  locked_until: number | null;
  created_at: string;
  session_epoch: number;
  it_locked: number;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    lockedUntil: row.locked_until,
    createdAt: row.created_at,
    sessionEpoch: row.session_epoch,
    itLocked: row.it_locked === 1,
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
  private readonly rehashStmt;
  private readonly standingStmt;
  private readonly bumpEpochStmt;
  private readonly setRoleStmt;
  private readonly itLockStmt;
  private readonly itUnlockStmt;

  /**
   * `passwords` hashes at 2^17 by default; tests pass a `PasswordHasher` with a small cost or a
   * counting scrypt.
   */
  constructor(
    private readonly db: Db,
    readonly passwords: PasswordHasher = new PasswordHasher(),
  ) {
    this.insertStmt = db.prepare<[string, string, Role, string]>(
      'INSERT INTO accounts (username, display_name, role, password_hash) VALUES (?, ?, ?, ?)',
    );
    this.byUsername = db.prepare<[string], AccountRow>('SELECT * FROM accounts WHERE username = ?');
    this.byId = db.prepare<[number], AccountRow>('SELECT * FROM accounts WHERE id = ?');
    this.listStmt = db.prepare<[], AccountRow>('SELECT * FROM accounts ORDER BY username');
    this.countStmt = db.prepare<[], number>('SELECT count(*) FROM accounts').pluck();
    // A wrong password is counted (shown to IT), never a lock.
    this.recordFailure = db.prepare<[number]>('UPDATE accounts SET failed_attempts = failed_attempts + 1 WHERE id = ?');
    this.recordSuccess = db.prepare<[number]>(
      'UPDATE accounts SET failed_attempts = 0, locked_until = NULL WHERE id = ?',
    );
    this.setHash = db.prepare<[string, number]>(
      'UPDATE accounts SET password_hash = ?, failed_attempts = 0, locked_until = NULL, session_epoch = session_epoch + 1 WHERE id = ?',
    );
    // A stronger hash of the same password: only if the row's hash is still the one checked.
    this.rehashStmt = db.prepare<[string, number, string]>(
      'UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?',
    );
    // One row by the unique index on username: the read every call of a session makes.
    this.standingStmt = db.prepare<[string], { session_epoch: number; it_locked: number }>(
      'SELECT session_epoch, it_locked FROM accounts WHERE username = ?',
    );
    this.bumpEpochStmt = db.prepare<[number]>('UPDATE accounts SET session_epoch = session_epoch + 1 WHERE id = ?');
    this.setRoleStmt = db.prepare<[Role, number]>(
      'UPDATE accounts SET role = ?, session_epoch = session_epoch + 1 WHERE id = ?',
    );
    this.itLockStmt = db.prepare<[number]>(
      'UPDATE accounts SET it_locked = 1, session_epoch = session_epoch + 1 WHERE id = ?',
    );
    this.itUnlockStmt = db.prepare<[number]>('UPDATE accounts SET it_locked = 0 WHERE id = ?');
  }

  /** Throws a SQLite constraint error when the username (case-insensitive) is taken. */
  create(input: NewAccount): Account {
    const username = input.username.trim();
    if (input.password.length === 0) throw new Error('password must not be empty');
    const result = this.insertStmt.run(username, input.displayName, input.role, this.passwords.hash(input.password));
    return toAccount(this.mustGet(Number(result.lastInsertRowid)));
  }

  /**
   * Checks a sign-in (the command line's path; the core uses `verifyAsync`). Every name costs the
   * same scrypt work: an unknown one is checked against the decoy hash, a locked account's
   * password is compared too. A weaker stored hash is replaced after a success.
   */
  verify(username: string, password: string, now: number = Date.now(), hooks: VerifyHooks = {}): VerifyResult {
    const name = username.trim();
    const first = this.byUsername.get(name);
    const matches = this.passwords.verify(password, first ? first.password_hash : this.passwords.decoyHashSync());
    const result = this.settle(first, this.byUsername.get(name), matches, now, hooks);
    if (result.ok && first && this.passwords.needsRehash(first.password_hash)) {
      this.storeRehash(result.account, first.password_hash, this.passwords.hash(password), hooks);
    }
    return result;
  }

  /**
   * `verify` with the scrypt work on the thread pool (the core's sign-in path). The row is read
   * again after the hash, in both paths, so a failure counted meanwhile by another sign-in is not
   * lost and a password changed meanwhile is not accepted. The rehash after a success runs on the
   * thread pool too and is stored only if the row still holds the hash that was checked.
   */
  async verifyAsync(
    username: string,
    password: string,
    now: number = Date.now(),
    hooks: VerifyHooks = {},
  ): Promise<VerifyResult> {
    const name = username.trim();
    const first = this.byUsername.get(name);
    const matches = await this.passwords.verifyAsync(
      password,
      first ? first.password_hash : await this.passwords.decoyHash(),
    );
    const result = this.settle(first, this.byUsername.get(name), matches, now, hooks);
    if (result.ok && first && this.passwords.needsRehash(first.password_hash)) {
      this.storeRehash(result.account, first.password_hash, await this.passwords.hashAsync(password), hooks);
    }
    return result;
  }

  /**
   * Records the outcome of a compared password in one transaction with the caller's `record`
   * (one commit for every outcome, unknown names included): a success clears the count of wrong
   * passwords, a wrong password adds one. A locked account (by IT, or a timed lock from before
   * wrong passwords stopped locking) answers `locked` to the right password only.
   */
  private settle(
    first: AccountRow | undefined,
    row: AccountRow | undefined,
    matched: boolean,
    now: number,
    hooks: VerifyHooks,
  ): VerifyResult {
    return this.db
      .transaction((): VerifyResult => {
        let result: VerifyResult;
        if (!first || !row) {
          result = { ok: false, reason: 'unknown' };
        } else if (!matched || row.password_hash !== first.password_hash) {
          this.recordFailure.run(row.id);
          result = { ok: false, reason: 'wrong-password' };
        } else if (row.it_locked === 1 || (row.locked_until !== null && row.locked_until > now)) {
          result = { ok: false, reason: 'locked' };
        } else {
          this.recordSuccess.run(row.id);
          result = { ok: true, account: toAccount(this.mustGet(row.id)) };
        }
        hooks.record?.(result);
        return result;
      })
      .immediate();
  }

  /** Stores a stronger hash if the row still holds `checked`; audited by the caller's hook. */
  private storeRehash(account: Account, checked: string, fresh: string, hooks: VerifyHooks): void {
    const from = storedCost(checked);
    if (!from) return;
    this.db
      .transaction(() => {
        if (this.rehashStmt.run(fresh, account.id, checked).changes !== 1) return;
        hooks.rehashed?.(account, { from, to: { ...this.passwords.cost } });
      })
      .immediate();
  }

  /** Replaces the password, clears the timed lock and ends every session (a new epoch, returned). */
  setPassword(username: string, password: string): number {
    const row = this.byUsername.get(username.trim());
    if (!row) throw new Error(`unknown account ${username}`);
    if (password.length === 0) throw new Error('password must not be empty');
    return this.setPasswordHash(row.username, this.passwords.hash(password));
  }

  /**
   * `setPassword` with a hash made beforehand (`passwords.hashAsync`, on the thread pool, so the
   * core's event loop does not wait for scrypt): same effects, the new epoch returned.
   */
  setPasswordHash(username: string, hash: string): number {
    const row = this.byUsername.get(username.trim());
    if (!row) throw new Error(`unknown account ${username}`);
    this.setHash.run(hash, row.id);
    return this.mustGet(row.id).session_epoch;
  }

  /**
   * Clears the timed lock, the count of wrong passwords and a lock by IT (an administrator's
   * unlock); false for an unknown account. Sessions ended by the lock stay ended.
   */
  unlock(username: string): boolean {
    const row = this.byUsername.get(username.trim());
    if (!row) return false;
    this.recordSuccess.run(row.id);
    this.itUnlockStmt.run(row.id);
    return true;
  }

  /** The account's session epoch and IT lock, or null when there is no such account. */
  sessionStanding(username: string): SessionStanding | null {
    const row = this.standingStmt.get(username.trim());
    return row ? { epoch: row.session_epoch, itLocked: row.it_locked === 1 } : null;
  }

  /** Ends every session of the account ("sign out everywhere"): the new epoch, or null when unknown. */
  bumpSessionEpoch(username: string): number | null {
    const row = this.byUsername.get(username.trim());
    if (!row) return null;
    this.bumpEpochStmt.run(row.id);
    return this.mustGet(row.id).session_epoch;
  }

  /** A new role; the account's sessions end (they carry the old role). False when unknown. */
  setRole(username: string, role: Role): boolean {
    const row = this.byUsername.get(username.trim());
    if (!row) return false;
    this.setRoleStmt.run(role, row.id);
    return true;
  }

  /** IT locks the account until unlocked: sign-in is refused and its sessions end. False when unknown. */
  lockByIt(username: string): boolean {
    const row = this.byUsername.get(username.trim());
    if (!row) return false;
    this.itLockStmt.run(row.id);
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

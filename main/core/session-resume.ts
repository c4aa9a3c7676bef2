import { createHash, randomBytes } from 'node:crypto';
import type { Role } from '../../common/contract';
import type { Clock } from '../kernel/clock';

/** The signed-in user a grant rebinds (the same shape as the RPC server's session user). */
export interface ResumableUser {
  username: string;
  displayName: string;
  role: Role;
}

/** Default idle time after which a browser tab's session cannot be resumed (config `session.idleTimeoutMinutes`). */
export const DEFAULT_IDLE_TIMEOUT_MS = 15 * 60_000;

interface Grant<T> {
  /** What a redeemed grant gives back: the RPC server keeps its whole session here (`sessions.ts`). */
  user: T;
  /** Last call made under this session (epoch ms). */
  lastSeen: number;
  /** Connections bound to it now: a grant in use is never swept, only revoked. */
  live: number;
}

/** The key a secret is kept under: its sha256. The secret itself is never stored or logged. */
export function resumeKeyOf(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/**
 * Session resume for browser tabs (see docs/architecture.md, "Contract and RPC"). A session
 * belongs to a connection, and a page reload makes a new one; at login a tab gets a random secret
 * that it presents on its next connection to get the same user back, as long as the session has
 * been idle for less than `idleMs`. Kept in memory only, hashed: a restart of the core forgets
 * every grant, and a leaked store of keys cannot be presented.
 *
 * Rules:
 * 1. `issue` makes a 256-bit secret; the registry keeps only its sha256.
 * 2. `redeem` answers the user when the key is known and `now - lastSeen < idleMs`; an expired
 *    grant is deleted on sight. Redeeming counts as activity.
 * 3. `touch` records activity (each call made by a bound connection).
 * 4. `revoke` (logout, or a new login on the same connection) deletes the grant at once.
 * 5. Grants no connection holds are swept once idle past `idleMs`.
 * 6. `revokeWhere` deletes every grant of a session that ended (sign out everywhere, a new password).
 * 7. A grant whose value `keepAliveWhileBound` accepts (a wall screen's session) is not idle while
 *    a connection holds it: `redeem` honours it however long ago the last call was, and
 *    `release` counts as activity, so a reload of a quiet display still gets it back, and a closed
 *    one is swept after `idleMs`.
 * The value given to `issue` is kept by reference: a session's lock and times travel with it.
 */
export class SessionResumeRegistry<T extends object = ResumableUser> {
  private readonly grants = new Map<string, Grant<T>>();

  constructor(private readonly opts: { clock: Clock; idleMs: number; keepAliveWhileBound?: (value: T) => boolean }) {}

  get size(): number {
    return this.grants.size;
  }

  issue(user: T): { secret: string; key: string } {
    this.sweep();
    const secret = randomBytes(32).toString('base64url');
    const key = resumeKeyOf(secret);
    this.grants.set(key, { user, lastSeen: this.opts.clock.now(), live: 1 });
    return { secret, key };
  }

  /** The user of a live grant (and its key, now bound to one more connection), or null. */
  redeem(secret: string): { user: T; key: string } | null {
    const key = resumeKeyOf(secret);
    const grant = this.grants.get(key);
    if (!grant) return null;
    const now = this.opts.clock.now();
    if (now - grant.lastSeen >= this.opts.idleMs && !(grant.live > 0 && this.keptAlive(grant))) {
      this.grants.delete(key);
      return null;
    }
    grant.lastSeen = now;
    grant.live += 1;
    return { user: grant.user, key };
  }

  touch(key: string): void {
    const grant = this.grants.get(key);
    if (grant) grant.lastSeen = this.opts.clock.now();
  }

  /** A connection holding the grant went away; the grant stays for a reload within the idle time. */
  release(key: string): void {
    const grant = this.grants.get(key);
    if (!grant) return;
    if (grant.live > 0 && this.keptAlive(grant)) grant.lastSeen = this.opts.clock.now();
    if (grant.live > 0) grant.live -= 1;
  }

  private keptAlive(grant: Grant<T>): boolean {
    return this.opts.keepAliveWhileBound?.(grant.user) ?? false;
  }

  revoke(key: string): void {
    this.grants.delete(key);
  }

  /** Deletes every grant whose value matches (bound or not); answers how many. */
  revokeWhere(matches: (value: T) => boolean): number {
    let n = 0;
    for (const [key, grant] of this.grants) {
      if (matches(grant.user)) {
        this.grants.delete(key);
        n += 1;
      }
    }
    return n;
  }

  private sweep(): void {
    const now = this.opts.clock.now();
    for (const [key, grant] of this.grants) {
      if (grant.live === 0 && now - grant.lastSeen >= this.opts.idleMs) this.grants.delete(key);
    }
  }
}

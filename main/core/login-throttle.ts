/**
 * Slows wrong sign-ins down without letting a stranger lock a real account quickly.
 *
 * - Per connection (a window or a tab): sign-ins run one at a time, and after each failure the next
 *   waits `connectionBaseMs × 2^(failures-1)` (at most `maxDelayMs`). Fifty guesses sent at once
 *   on one socket are one scrypt at a time, so other calls keep running between them.
 * - Per account name (across connections): attempts for one name also run one at a time, each after
 *   a failure waiting `accountBaseMs × 2^(failures-1)` (at most `maxDelayMs`). Guesses spread over
 *   many connections are therefore slowed too.
 * The store still locks an account after five wrong passwords in a row (`accounts.repository.ts`);
 * with the per-account wait, reaching five takes at least 1+2+4+8 = 15 s at the defaults, so the
 * lock cannot be set off by a burst. A success clears both counts. State is memory only.
 */
export interface LoginThrottleOptions {
  connectionBaseMs?: number;
  accountBaseMs?: number;
  maxDelayMs?: number;
  /** Account names remembered at most (oldest forgotten first). */
  maxAccounts?: number;
  sleep?: (ms: number) => Promise<void>;
}

interface Lane { chain: Promise<void>; failures: number }

export class LoginThrottle {
  private readonly connections = new Map<number, Lane>();
  private readonly accounts = new Map<string, Lane>();
  private readonly connectionBaseMs: number;
  private readonly accountBaseMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAccounts: number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(options: LoginThrottleOptions = {}) {
    this.connectionBaseMs = options.connectionBaseMs ?? 500;
    this.accountBaseMs = options.accountBaseMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.maxAccounts = options.maxAccounts ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Runs one sign-in attempt in turn for its connection and its account name; a throw is a failure. */
  async run<T>(connectionId: number, username: string, attempt: () => Promise<T>): Promise<T> {
    const conn = this.lane(this.connections, connectionId);
    const account = this.lane(this.accounts, username.trim().toLowerCase());
    this.trimAccounts();
    const previous = Promise.all([conn.chain, account.chain]);
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => { release = resolve; });
    conn.chain = mine;
    account.chain = mine;
    try {
      await previous;
      const wait = Math.max(this.delay(conn.failures, this.connectionBaseMs), this.delay(account.failures, this.accountBaseMs));
      if (wait > 0) await this.sleep(wait);
      try {
        const value = await attempt();
        conn.failures = 0;
        account.failures = 0;
        return value;
      } catch (err) {
        conn.failures += 1;
        account.failures += 1;
        throw err;
      }
    } finally {
      release();
    }
  }

  /** Forgets a closed connection. */
  forget(connectionId: number): void {
    this.connections.delete(connectionId);
  }

  /** Failures counted for a connection and an account name (for tests and the log). */
  failures(connectionId: number, username: string): { connection: number; account: number } {
    return {
      connection: this.connections.get(connectionId)?.failures ?? 0,
      account: this.accounts.get(username.trim().toLowerCase())?.failures ?? 0,
    };
  }

  private delay(failures: number, base: number): number {
    if (failures === 0) return 0;
    return Math.min(this.maxDelayMs, base * 2 ** Math.min(failures - 1, 20));
  }

  private lane<K>(map: Map<K, Lane>, key: K): Lane {
    let lane = map.get(key);
    if (!lane) {
      lane = { chain: Promise.resolve(), failures: 0 };
      map.set(key, lane);
    }
    return lane;
  }

  private trimAccounts(): void {
    while (this.accounts.size > this.maxAccounts) {
      const oldest = this.accounts.keys().next();
      if (oldest.done) return;
      this.accounts.delete(oldest.value);
    }
  }
}

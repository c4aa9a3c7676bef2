import { systemClock, type Clock } from '../kernel/clock';

/**
 * Slows wrong sign-ins down without letting a stranger lock a real account out
 * (docs/architecture.md, "Sign-in").
 *
 * - Per connection (a window or a tab): sign-ins run one at a time, and after each failure the next
 *   waits `connectionBaseMs × 2^(failures-1)` (at most `maxDelayMs`). Fifty guesses sent at once
 *   on one socket are one scrypt at a time, so other calls keep running between them.
 * - Per account name (across connections): after each failure, attempts for that name wait until
 *   `accountBaseMs × 2^(failures-1)` (at most `maxDelayMs`) after the last failure. The wait is a
 *   point in time, not a queue: attempts of other connections do not line up behind each other, so
 *   however many wrong passwords a stranger sends, the real user's attempt waits at most
 *   `maxDelayMs` and then the right password gets in. Nothing locks the account.
 * The throttle does not know which names are accounts: an unknown name is slowed exactly like a
 * real one. A success clears both counts. State is memory only (a restart clears it).
 */
export interface LoginThrottleOptions {
  connectionBaseMs?: number;
  accountBaseMs?: number;
  maxDelayMs?: number;
  /** Account names remembered at most (oldest forgotten first). */
  maxAccounts?: number;
  sleep?: (ms: number) => Promise<void>;
  /** Default the system clock (the waits are real time unless `sleep` is given too). */
  clock?: Clock;
}

interface ConnectionLane {
  chain: Promise<void>;
  failures: number;
}
/** `notBefore`: epoch ms before which no attempt for the name starts. */
interface AccountLane {
  failures: number;
  notBefore: number;
}

export class LoginThrottle {
  private readonly connections = new Map<number, ConnectionLane>();
  private readonly accounts = new Map<string, AccountLane>();
  private readonly connectionBaseMs: number;
  private readonly accountBaseMs: number;
  private readonly maxDelayMs: number;
  private readonly maxAccounts: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: Clock;

  constructor(options: LoginThrottleOptions = {}) {
    this.connectionBaseMs = options.connectionBaseMs ?? 500;
    this.accountBaseMs = options.accountBaseMs ?? 1000;
    this.maxDelayMs = options.maxDelayMs ?? 30_000;
    this.maxAccounts = options.maxAccounts ?? 10_000;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.clock = options.clock ?? systemClock;
  }

  /**
   * Runs one sign-in attempt after its connection's earlier ones, once both waits are over; a
   * throw is a failure.
   */
  async run<T>(connectionId: number, username: string, attempt: () => Promise<T>): Promise<T> {
    let conn = this.connections.get(connectionId);
    if (!conn) {
      conn = { chain: Promise.resolve(), failures: 0 };
      this.connections.set(connectionId, conn);
    }
    const key = username.trim().toLowerCase();
    const previous = conn.chain;
    let release: () => void = () => undefined;
    conn.chain = new Promise<void>((resolve) => {
      release = resolve;
    });
    try {
      await previous;
      const account = this.account(key);
      const wait = Math.max(this.delay(conn.failures, this.connectionBaseMs), account.notBefore - this.clock.now());
      if (wait > 0) await this.sleep(wait);
      try {
        const value = await attempt();
        conn.failures = 0;
        this.accounts.delete(key);
        return value;
      } catch (err) {
        conn.failures += 1;
        const failed = this.account(key);
        failed.failures += 1;
        failed.notBefore = this.clock.now() + this.delay(failed.failures, this.accountBaseMs);
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

  /** The name's lane, made when missing (most recently used last, so trimming forgets the oldest). */
  private account(key: string): AccountLane {
    let lane = this.accounts.get(key);
    if (lane) {
      this.accounts.delete(key);
    } else {
      lane = { failures: 0, notBefore: 0 };
    }
    this.accounts.set(key, lane);
    this.trimAccounts();
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

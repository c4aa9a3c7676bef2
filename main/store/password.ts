import { randomBytes, scrypt, scryptSync, timingSafeEqual, type ScryptOptions } from 'node:crypto';

/**
 * Password hashes: `scrypt$N$r$p$salt$hash` (salt and hash base64). See docs/architecture.md,
 * "Sign-in".
 *
 * New hashes use N = 2^17, r = 8, p = 1 (the OWASP minimum for scrypt): 128 MiB and, on a desk PC,
 * a few hundred milliseconds per check (figures in bench/README.md, "Passwords"). Hashes made with
 * a lower cost stay valid and are replaced after the next successful sign-in (`needsRehash`).
 */
export interface ScryptCost {
  N: number;
  r: number;
  p: number;
}

export const DEFAULT_PASSWORD_COST: Readonly<ScryptCost> = Object.freeze({ N: 2 ** 17, r: 8, p: 1 });
const KEY_LENGTH = 32;
const SALT_LENGTH = 16;
/** A stored hash asking for more than this is refused, not computed (it would need gigabytes). */
const MAX_N = 2 ** 20;
const MAX_R = 32;
const MAX_P = 16;

/**
 * What scrypt needs for N, r, p: its working array (128 × r × (N + 2)) and block (128 × r × p),
 * plus 1 MiB of slack. Node refuses a cost above `maxmem` (default 32 MiB, too small for 2^17).
 */
export function scryptMaxmem(cost: ScryptCost): number {
  return 128 * cost.r * (cost.N + 2) + 128 * cost.r * cost.p + 1024 * 1024;
}

/** The key derivation itself; injected in tests to count the work done per sign-in. */
export interface ScryptFunctions {
  deriveSync(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Buffer;
  derive(password: string, salt: Buffer, keyLength: number, options: ScryptOptions): Promise<Buffer>;
}

export const NODE_SCRYPT: ScryptFunctions = {
  deriveSync: (password, salt, keyLength, options) => scryptSync(password, salt, keyLength, options),
  derive: (password, salt, keyLength, options) =>
    new Promise<Buffer>((resolve, reject) => {
      scrypt(password, salt, keyLength, options, (err, key) => {
        if (err) reject(err);
        else resolve(key);
      });
    }),
};

interface StoredHash {
  cost: ScryptCost;
  salt: Buffer;
  expected: Buffer;
}

/** The parts of a stored `scrypt$N$r$p$salt$hash`, or null when it is malformed or asks for too much. */
function parseStoredHash(stored: string): StoredHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [N, r, p] = parts.slice(1, 4).map((value) => (/^\d{1,8}$/.test(value) ? Number(value) : Number.NaN));
  if (![N, r, p].every((value) => Number.isInteger(value) && value > 0)) return null;
  if (N > MAX_N || r > MAX_R || p > MAX_P || (N & (N - 1)) !== 0) return null;
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length === 0 || expected.length > 64) return null;
  return { cost: { N, r, p }, salt: Buffer.from(parts[4], 'base64'), expected };
}

function format(cost: ScryptCost, salt: Buffer, hash: Buffer): string {
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

/** The cost a stored hash was made with, or null when it is no scrypt hash. */
export function storedCost(stored: string): ScryptCost | null {
  return parseStoredHash(stored)?.cost ?? null;
}

export interface PasswordHasherOptions {
  /** Cost of new hashes and of the decoy (default `DEFAULT_PASSWORD_COST`); tests pass a small one. */
  cost?: ScryptCost;
  scrypt?: ScryptFunctions;
}

/**
 * Hashes and checks passwords at one cost. The async checks run on the libuv thread pool
 * (`crypto.scrypt`), at most two at a time for the whole process (`scryptSlots`): with 2^17 that
 * bounds sign-in memory to 2 × 128 MiB and leaves thread-pool threads for file and blob work.
 */
export class PasswordHasher {
  readonly cost: Readonly<ScryptCost>;
  private readonly fn: ScryptFunctions;
  private decoy: string | null = null;
  private decoyPending: Promise<string> | null = null;

  constructor(options: PasswordHasherOptions = {}) {
    this.cost = Object.freeze({ ...(options.cost ?? DEFAULT_PASSWORD_COST) });
    this.fn = options.scrypt ?? NODE_SCRYPT;
  }

  hash(password: string): string {
    const salt = randomBytes(SALT_LENGTH);
    return format(
      this.cost,
      salt,
      this.fn.deriveSync(password.normalize('NFC'), salt, KEY_LENGTH, this.options(this.cost)),
    );
  }

  async hashAsync(password: string): Promise<string> {
    const salt = randomBytes(SALT_LENGTH);
    return format(
      this.cost,
      salt,
      await this.inSlot(() => this.fn.derive(password.normalize('NFC'), salt, KEY_LENGTH, this.options(this.cost))),
    );
  }

  /** Constant-time check against a stored hash; false for a malformed one. */
  verify(password: string, stored: string): boolean {
    const hash = parseStoredHash(stored);
    if (!hash) return false;
    const actual = this.fn.deriveSync(
      password.normalize('NFC'),
      hash.salt,
      hash.expected.length,
      this.options(hash.cost),
    );
    return timingSafeEqual(actual, hash.expected);
  }

  /** `verify` on the thread pool, in one of the two scrypt slots. */
  async verifyAsync(password: string, stored: string): Promise<boolean> {
    const hash = parseStoredHash(stored);
    if (!hash) return false;
    const actual = await this.inSlot(() =>
      this.fn.derive(password.normalize('NFC'), hash.salt, hash.expected.length, this.options(hash.cost)),
    );
    return timingSafeEqual(actual, hash.expected);
  }

  /** True when a stored hash is weaker than this hasher's cost (it is replaced after a successful sign-in). */
  needsRehash(stored: string): boolean {
    const hash = parseStoredHash(stored);
    if (!hash) return false;
    return hash.cost.N * hash.cost.r < this.cost.N * this.cost.r || hash.expected.length < KEY_LENGTH;
  }

  /**
   * Makes the decoy: a hash of a random password at this hasher's cost, checked against when a
   * name is no account, so that path does the same scrypt work as a real one. The core prepares
   * it at start (`createCore`), before it serves a sign-in.
   */
  prepareDecoy(): Promise<string> {
    if (this.decoy) return Promise.resolve(this.decoy);
    this.decoyPending ??= this.hashAsync(randomBytes(16).toString('hex')).then((made) => {
      this.decoy ??= made;
      return this.decoy;
    });
    return this.decoyPending;
  }

  /** The decoy for the async path (prepared at start; made now if it was not). */
  async decoyHash(): Promise<string> {
    return this.decoy ?? this.prepareDecoy();
  }

  /** The decoy for the sync path (the command line), made synchronously when not prepared. */
  decoyHashSync(): string {
    this.decoy ??= this.hash(randomBytes(16).toString('hex'));
    return this.decoy;
  }

  private options(cost: ScryptCost): ScryptOptions {
    return { N: cost.N, r: cost.r, p: cost.p, maxmem: scryptMaxmem(cost) };
  }

  private async inSlot<T>(work: () => Promise<T>): Promise<T> {
    await takeScryptSlot();
    try {
      return await work();
    } finally {
      releaseScryptSlot();
    }
  }
}

const defaultHasher = new PasswordHasher();

/** `scrypt$N$r$p$salt$hash` at `cost` (default 2^17). */
export function hashPassword(password: string, cost: ScryptCost = DEFAULT_PASSWORD_COST): string {
  return (cost === DEFAULT_PASSWORD_COST ? defaultHasher : new PasswordHasher({ cost })).hash(password);
}

/** Constant-time check of a password against a stored `scrypt$…` hash (any cost); false for a malformed hash. */
export function verifyPassword(password: string, stored: string): boolean {
  return defaultHasher.verify(password, stored);
}

/** `verifyPassword` on the thread pool, in one of the two scrypt slots. */
export function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  return defaultHasher.verifyAsync(password, stored);
}

/**
 * At most two scrypt computations use the libuv thread pool at once (it has four threads by
 * default), so a flood of sign-ins leaves threads for file and blob work, and memory stays at
 * 2 × 128 MiB at the default cost.
 */
export const MAX_CONCURRENT_SCRYPT = 2;
let scryptRunning = 0;
const scryptWaiting: (() => void)[] = [];

function takeScryptSlot(): Promise<void> {
  if (scryptRunning < MAX_CONCURRENT_SCRYPT) {
    scryptRunning += 1;
    return Promise.resolve();
  }
  return new Promise((resolve) => scryptWaiting.push(resolve));
}

function releaseScryptSlot(): void {
  const next = scryptWaiting.shift();
  if (next) next();
  else scryptRunning -= 1;
}

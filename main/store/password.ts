import { randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';

/** scrypt cost: N = 2^15, r = 8, p = 1 (about 32 MiB and tens of milliseconds per check). */
const DEFAULT_N = 32768;
const DEFAULT_R = 8;
const DEFAULT_P = 1;
const KEY_LENGTH = 32;

function maxmem(n: number, r: number): number {
  return 128 * n * r * 2;
}

/** `scrypt$N$r$p$salt$hash`, salt and hash in base64. */
export function hashPassword(password: string, cost: { N: number; r: number; p: number } = { N: DEFAULT_N, r: DEFAULT_R, p: DEFAULT_P }): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password.normalize('NFC'), salt, KEY_LENGTH, { ...cost, maxmem: maxmem(cost.N, cost.r) });
  return ['scrypt', cost.N, cost.r, cost.p, salt.toString('base64'), hash.toString('base64')].join('$');
}

interface StoredHash {
  salt: Buffer;
  expected: Buffer;
  options: { N: number; r: number; p: number; maxmem: number };
}

/** The parts of a stored `scrypt$N$r$p$salt$hash`, or null when it is malformed. */
function parseStoredHash(stored: string): StoredHash | null {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt') return null;
  const [n, r, p] = parts.slice(1, 4).map((value) => Number.parseInt(value, 10));
  if (![n, r, p].every((value) => Number.isInteger(value) && value > 0)) return null;
  const expected = Buffer.from(parts[5], 'base64');
  if (expected.length === 0) return null;
  return { salt: Buffer.from(parts[4], 'base64'), expected, options: { N: n, r, p, maxmem: maxmem(n, r) } };
}

/** Constant-time check of a password against a stored `scrypt$…` hash; false for a malformed hash. */
export function verifyPassword(password: string, stored: string): boolean {
  const hash = parseStoredHash(stored);
  if (!hash) return false;
  const actual = scryptSync(password.normalize('NFC'), hash.salt, hash.expected.length, hash.options);
  return timingSafeEqual(actual, hash.expected);
}

let decoy: string | null = null;

/** A valid hash of a random password, checked against when the username is unknown so timing does not tell. */
export function decoyHash(): string {
  decoy ??= hashPassword(randomBytes(16).toString('hex'));
  return decoy;
}

/**
 * `verifyPassword` run on the libuv thread pool (`crypto.scrypt`), so a burst of sign-ins does not
 * stop the core's event loop. Same hash format: every stored hash stays valid.
 */
export async function verifyPasswordAsync(password: string, stored: string): Promise<boolean> {
  const hash = parseStoredHash(stored);
  if (!hash) return false;
  await takeScryptSlot();
  try {
    const actual = await new Promise<Buffer>((resolve, reject) => {
      scrypt(password.normalize('NFC'), hash.salt, hash.expected.length, hash.options, (err, key) => {
        if (err) reject(err); else resolve(key);
      });
    });
    return timingSafeEqual(actual, hash.expected);
  } finally {
    releaseScryptSlot();
  }
}

/**
 * At most two password checks use the libuv thread pool at once (it has four threads by default),
 * so a flood of sign-ins leaves threads for file and blob work.
 */
const MAX_CONCURRENT_SCRYPT = 2;
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

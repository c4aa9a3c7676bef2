import { closeSync, openSync, readSync } from 'node:fs';
import type Database from 'better-sqlite3';
import { KEY_BYTES, type KeyStore } from './key-store';

/**
 * How the desk database is encrypted at rest (docs/architecture.md, "Store"; docs/operations.md,
 * "Data at rest"): SQLite3 Multiple Ciphers (the `better-sqlite3` dependency is its build) in its
 * SQLCipher 4 scheme: AES-256-CBC per page with an HMAC-SHA512 per page, the whole file including
 * the header encrypted. The 32-byte key from the key store is given raw (`x'…'`), so no password
 * derivation runs on each open. The scheme was chosen over the library's default ChaCha20 for one
 * reason: IT can open a copy of the store with the stock SQLCipher 4 tools and the key, without
 * this application, when it must recover data.
 */
export const CIPHER = 'sqlcipher';
/** SQLite3 Multiple Ciphers' name for "exactly as SQLCipher 4 writes it" (header encrypted too). */
export const CIPHER_LEGACY = 4;

/** The first 16 bytes of every unencrypted SQLite database file. */
const PLAINTEXT_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

export type StoreErrorCode = 'STORE_KEY_WRONG' | 'STORE_KEY_MISSING' | 'STORE_IN_USE' | 'STORE_ENCRYPTION_FAILED';

const MESSAGES: Record<StoreErrorCode, string> = {
  STORE_KEY_WRONG:
    'Không mở được kho dữ liệu: khoá mã hoá không khớp với kho (khoá bị thay, hoặc kho được chép từ máy khác). Liên hệ bộ phận CNTT để khôi phục khoá từ bản sao lưu.',
  STORE_KEY_MISSING:
    'Không mở được kho dữ liệu: kho đã được mã hoá nhưng không tìm thấy khoá. Liên hệ bộ phận CNTT để khôi phục khoá từ bản sao lưu.',
  STORE_IN_USE: 'Không mã hoá được kho dữ liệu: kho đang được một tiến trình khác mở. Đóng ứng dụng rồi thử lại.',
  STORE_ENCRYPTION_FAILED: 'Không mã hoá được kho dữ liệu; kho cũ được giữ nguyên. Liên hệ bộ phận CNTT.',
};

/**
 * The error `openDatabase` throws when the store cannot be opened for a reason an officer or IT
 * must act on. Shaped like `AppError` (a stable code, a Vietnamese message); `detail` is for the
 * log and never holds the key or personal data.
 */
export class StoreOpenError extends Error {
  constructor(
    readonly code: StoreErrorCode,
    readonly detail?: string,
  ) {
    super(MESSAGES[code]);
    this.name = 'StoreOpenError';
  }
}

export type DatabaseFileState = 'absent' | 'empty' | 'plaintext' | 'encrypted';

/**
 * What is on disk, from the first 16 bytes: an unencrypted SQLite file starts with its magic
 * string; an encrypted one starts with a random salt.
 */
export function databaseFileState(file: string): DatabaseFileState {
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    if (error instanceof Error && 'code' in error && error.code === 'ENOENT') return 'absent';
    throw error;
  }
  try {
    const head = Buffer.alloc(PLAINTEXT_HEADER.length);
    const read = readSync(fd, head, 0, head.length, 0);
    if (read === 0) return 'empty';
    return read === head.length && head.equals(PLAINTEXT_HEADER) ? 'plaintext' : 'encrypted';
  } finally {
    closeSync(fd);
  }
}

function assertKey(key: Buffer): void {
  if (key.length !== KEY_BYTES) throw new Error(`database key must be ${KEY_BYTES} bytes`);
}

/**
 * Sets the cipher and the key on a connection that has run no other statement. SQLite checks the
 * key only on the first read, so this is followed by `verifyKey`.
 */
export function applyKey(db: Database.Database, key: Buffer): void {
  assertKey(key);
  db.pragma(`cipher = '${CIPHER}'`);
  db.pragma(`legacy = ${CIPHER_LEGACY}`);
  db.pragma(`key = "x'${key.toString('hex')}'"`);
}

/** Encrypts an unencrypted database open on `db` (not in WAL mode) with `key`, in place. */
export function rekeyPlaintext(db: Database.Database, key: Buffer): void {
  assertKey(key);
  db.pragma(`cipher = '${CIPHER}'`);
  db.pragma(`legacy = ${CIPHER_LEGACY}`);
  db.pragma(`rekey = "x'${key.toString('hex')}'"`);
}

export function isNotADatabase(error: unknown): boolean {
  return error instanceof Error && 'code' in error && error.code === 'SQLITE_NOTADB';
}

export function isBusy(error: unknown): boolean {
  return (
    error instanceof Error && 'code' in error && typeof error.code === 'string' && error.code.startsWith('SQLITE_BUSY')
  );
}

/** Reads the schema once: throws `STORE_KEY_WRONG` when the key does not open the file. */
export function verifyKey(db: Database.Database): void {
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get();
  } catch (error) {
    if (isNotADatabase(error)) throw new StoreOpenError('STORE_KEY_WRONG');
    throw error;
  }
}

/**
 * The key that opens `file`: an encrypted store's key must already exist (a new one would never
 * open it, so its absence is `STORE_KEY_MISSING`); a new or unencrypted store gets the key
 * created on first use.
 */
export function databaseKeyFor(file: string, keyStore: KeyStore): Buffer {
  if (databaseFileState(file) === 'encrypted') {
    const key = keyStore.read('database');
    if (!key) throw new StoreOpenError('STORE_KEY_MISSING', `no database key in ${keyStore.location}`);
    return key;
  }
  return keyStore.obtain('database');
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { KeyDirProblem, KeyStore } from '../store/key-store';
import { databaseFileState, type DatabaseFileState } from '../store/store-encryption';
import { encryptingCopyOf } from '../store/store-migration';
import { DATABASE_FILE } from '../store/store';
import type { CheckStatus } from './doctor-check';

/** A key store that can report its own folder's problems (`FileKeyStore`, `DpapiKeyStore`). */
export type CheckedKeyStore = KeyStore & { problems(): KeyDirProblem[] };

const KIND: Record<KeyStore['kind'], string> = {
  file: 'tệp chỉ chủ sở hữu đọc được',
  os: 'bọc bằng DPAPI của tài khoản Windows',
};

/**
 * `store-encryption` and `keys` (docs/operations.md, "Data at rest"), read before the store is
 * opened, so what is reported is what the disk held:
 * - the database file encrypted: ok; unencrypted: an error in production (a warning in training
 *   mode), since the next start of the application encrypts it; a copy left by an interrupted
 *   encryption: a warning (the next start removes it);
 * - the key store: its kind and folder, the `database` key present (an encrypted store without
 *   its key cannot be opened), and the folder and key files owner-only.
 * Returns what the file held, so the caller opens the store without encrypting it.
 */
export function checkStoreEncryption(
  dataDir: string,
  keyStore: CheckedKeyStore,
  trainingMode: boolean,
  add: (name: string, status: CheckStatus, detail: string) => void,
): DatabaseFileState {
  const file = join(dataDir, DATABASE_FILE);
  const state = databaseFileState(file);
  if (state === 'encrypted') {
    add('store-encryption', 'ok', `${file}: đã mã hoá (SQLCipher 4, AES-256, khoá "database")`);
  } else if (state === 'plaintext') {
    add(
      'store-encryption',
      trainingMode ? 'warn' : 'fail',
      `${file}: CHƯA mã hoá — dữ liệu cá nhân đọc được khi chép tệp; khởi động ứng dụng một lần để mã hoá (docs/operations.md, "Data at rest")`,
    );
  }
  if (existsSync(encryptingCopyOf(file))) {
    add(
      'store-encryption',
      'warn',
      `${encryptingCopyOf(file)}: bản sao dở dang của một lần mã hoá bị ngắt; lần khởi động sau sẽ xoá`,
    );
  }

  let key: Buffer | null = null;
  let keyError: string | null = null;
  try {
    key = keyStore.read('database');
  } catch (error) {
    keyError = error instanceof Error ? error.message : String(error);
  }
  const where = `${KIND[keyStore.kind]}, thư mục ${keyStore.location}`;
  const problems = keyStore.problems();
  if (keyError) {
    add('keys', 'fail', `${where}: ${keyError}`);
  } else if (!key && state === 'encrypted') {
    add(
      'keys',
      'fail',
      `${where}: thiếu khoá "database" — kho đã mã hoá không mở được; khôi phục thư mục khoá từ bản sao lưu`,
    );
  } else if (problems.length > 0) {
    const named = problems
      .map((p) => `${p.path} (${p.problem === 'open-mode' ? 'nhóm/người khác truy cập được' : 'độ dài sai'})`)
      .join(', ');
    const fix = problems.some((p) => p.problem === 'open-mode')
      ? `; sửa: chmod 700 ${keyStore.location} && chmod 400 ${join(keyStore.location, '*.key')}`
      : '';
    add('keys', 'fail', `${where}: ${named}${fix}`);
  } else {
    add('keys', 'ok', `${where}: ${key ? 'có khoá "database"' : 'chưa có khoá "database" (tạo khi mở kho lần đầu)'}`);
  }
  return state;
}

import { chmodSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FileKeyStore } from '../store/key-store';
import { encryptingCopyOf } from '../store/store-migration';
import { DATABASE_FILE, openStore } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { checkStoreEncryption } from './doctor-encryption';
import type { CheckResult } from './doctor-check';

describe('doctor: store-encryption and keys', () => {
  let temp: ReturnType<typeof tempDir>;
  let dataDir: string;
  let keys: FileKeyStore;
  let results: CheckResult[];
  const add = (name: string, status: CheckResult['status'], detail: string) => results.push({ name, status, detail });
  const statusOf = (name: string) => results.filter((r) => r.name === name).map((r) => r.status);

  beforeEach(() => {
    temp = tempDir('motcua-doctor-enc-');
    dataDir = path.join(temp.dir, 'data');
    keys = new FileKeyStore(path.join(temp.dir, 'keys'));
    results = [];
  });
  afterEach(() => temp.cleanup());

  it('an encrypted store with its key in an owner-only folder: both ok, naming the key store kind and folder', () => {
    openStore({ dataDir, keyStore: keys }).close();
    expect(checkStoreEncryption(dataDir, keys, false, add)).toBe('encrypted');
    expect(statusOf('store-encryption')).toEqual(['ok']);
    expect(statusOf('keys')).toEqual(['ok']);
    expect(results.find((r) => r.name === 'keys')?.detail).toContain(keys.location);
    expect(results.find((r) => r.name === 'keys')?.detail).toContain('tệp chỉ chủ sở hữu đọc được');
  });

  it('an unencrypted store fails in production and warns in training mode', () => {
    openStore({ dataDir, keyStore: null }).close();
    expect(checkStoreEncryption(dataDir, keys, false, add)).toBe('plaintext');
    expect(statusOf('store-encryption')).toEqual(['fail']);
    expect(results[0]?.detail).toMatch(/CHƯA mã hoá/);
    results = [];
    checkStoreEncryption(dataDir, keys, true, add);
    expect(statusOf('store-encryption')).toEqual(['warn']);
  });

  it('an encrypted store whose key is gone fails on keys', () => {
    openStore({ dataDir, keyStore: keys }).close();
    checkStoreEncryption(dataDir, new FileKeyStore(path.join(temp.dir, 'elsewhere')), false, add);
    expect(statusOf('keys')).toEqual(['fail']);
    expect(results.find((r) => r.name === 'keys')?.detail).toMatch(/thiếu khoá "database"/);
  });

  it.skipIf(process.platform === 'win32')(
    'a key folder others can enter fails, with the command that fixes it; a leftover encryption copy warns',
    () => {
      openStore({ dataDir, keyStore: keys }).close();
      chmodSync(keys.location, 0o755);
      writeFileSync(encryptingCopyOf(path.join(dataDir, DATABASE_FILE)), 'half');
      checkStoreEncryption(dataDir, keys, false, add);
      expect(statusOf('keys')).toEqual(['fail']);
      expect(results.find((r) => r.name === 'keys')?.detail).toContain(`chmod 700 ${keys.location}`);
      expect(statusOf('store-encryption')).toEqual(['ok', 'warn']);
    },
  );
});

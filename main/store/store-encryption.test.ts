import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database';
import { FileKeyStore } from './key-store';
import { maskIdNumber } from '../kernel/mask';
import { databaseFileState, StoreOpenError } from './store-encryption';
import { encryptingCopyOf, type EncryptionStep } from './store-migration';
import { DATABASE_FILE, openStore, type Store } from './store';
import { newDossier, personInput, tempDir } from './testing/store-fixtures';

/** A personal ID and a name that must never be readable in an encrypted file. */
const ID_NUMBER = '079203009876';
const NAME = 'Hoang Thi Phuong Mai';
const root = path.resolve(import.meta.dirname, '..', '..');

/** Receives `count` dossiers (person, dossier, outbox row, audit entry each), as the desk does. */
function populate(store: Store, count: number): void {
  store.sequences.addBlock({ agencyId: '000.00.12.H56', date: '2025-07-15', from: 1, to: 1000, source: 'lease' });
  for (let i = 0; i < count; i += 1) {
    store.transaction(() => {
      const idNumber = i === 0 ? ID_NUMBER : `0792030${String(10000 + i)}`;
      const applicant = store.people.upsert(personInput({ idNumber, fullName: i === 0 ? NAME : `Nguyen Van ${i}` }));
      const taken = store.sequences.take('000.00.12.H56', '2025-07-15');
      const code = `000.00.12.H56-250715-${String(taken?.sequence ?? 0).padStart(4, '0')}`;
      store.dossiers.insert(newDossier(applicant, { code, requestId: `req-${i}` }));
      store.outbox.enqueue({
        target: 'national',
        kind: 'dossier.upsert',
        dossierCode: code,
        idempotencyKey: `${code}:1`,
        payload: { code },
        now: 1,
      });
      store.audit.append({
        at: '2025-07-15T09:30',
        actor: 'canbo1',
        action: 'dossier.receive',
        entity: 'dossier',
        entityId: code,
        details: { applicant: maskIdNumber(idNumber) },
      });
    });
  }
}

/** Every row of every ordinary table, as sorted JSON lines per table. */
function snapshot(db: Database.Database): Record<string, string[]> {
  const tables = db
    .prepare<[], string>(
      `SELECT name FROM sqlite_master WHERE type = 'table' AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name`,
    )
    .pluck()
    .all();
  const out: Record<string, string[]> = {};
  for (const name of tables)
    out[name] = db
      .prepare(`SELECT * FROM "${name}"`)
      .all()
      .map((row) => JSON.stringify(row))
      .sort();
  return out;
}

/** Every row kept, the one `store.encrypt` audit entry the encryption adds aside. */
function expectSameRows(before: Record<string, string[]>, after: Record<string, string[]>): void {
  expect(Object.keys(after)).toEqual(Object.keys(before));
  for (const [table, rows] of Object.entries(before)) {
    const kept =
      table === 'audit_log'
        ? (after[table] ?? []).filter((row) => !row.includes('"action":"store.encrypt"'))
        : after[table];
    expect(kept, table).toEqual(rows);
  }
}

/** The raw bytes of the database and its WAL, as they sit on disk. */
function rawBytes(file: string): Buffer {
  const parts = [readFileSync(file)];
  if (existsSync(`${file}-wal`)) parts.push(readFileSync(`${file}-wal`));
  return Buffer.concat(parts);
}

function expectStoreError(fn: () => unknown, code: string): StoreOpenError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(StoreOpenError);
    expect((error as StoreOpenError).code).toBe(code);
    return error as StoreOpenError;
  }
  throw new Error(`expected ${code}`);
}

describe('the store encrypted at rest', () => {
  let temp: ReturnType<typeof tempDir>;
  let dataDir: string;
  let file: string;
  let keys: FileKeyStore;

  beforeEach(() => {
    temp = tempDir();
    dataDir = path.join(temp.dir, 'data');
    file = path.join(dataDir, DATABASE_FILE);
    keys = new FileKeyStore(path.join(temp.dir, 'keys'));
  });
  afterEach(() => temp.cleanup());

  it('with a key store, no personal ID or name is readable in the file or its WAL; without one they are', () => {
    const plainDir = path.join(temp.dir, 'plain');
    const plain = openStore({ dataDir: plainDir, keyStore: null });
    populate(plain, 3);
    const plainBytes = rawBytes(path.join(plainDir, DATABASE_FILE));
    plain.close();
    // The control: the same data in an unencrypted store is there to find.
    expect(plainBytes.includes(ID_NUMBER)).toBe(true);
    expect(plainBytes.includes(NAME)).toBe(true);

    const store = openStore({ dataDir, keyStore: keys });
    expect(store.encryption).toEqual({ encrypted: true, migrated: null });
    populate(store, 3);
    // While open: the rows sit in the WAL.
    expect(existsSync(`${file}-wal`)).toBe(true);
    const open = rawBytes(file);
    expect(open.includes(ID_NUMBER)).toBe(false);
    expect(open.includes(NAME)).toBe(false);
    expect(store.people.findByIdNumber('citizen', ID_NUMBER)?.fullName).toBe(NAME);
    store.close();
    const closed = rawBytes(file);
    expect(closed.includes(ID_NUMBER)).toBe(false);
    expect(closed.includes(NAME)).toBe(false);
    expect(closed.subarray(0, 15).toString('latin1')).not.toBe('SQLite format 3');
    expect(databaseFileState(file)).toBe('encrypted');
    // A plain SQLite connection (no key) sees no database at all.
    const raw = new Database(file);
    expect(() => raw.prepare('SELECT count(*) FROM people').get()).toThrow(/not a database/);
    raw.close();

    const again = openStore({ dataDir, keyStore: keys });
    expect(again.people.findByIdNumber('citizen', ID_NUMBER)?.fullName).toBe(NAME);
    expect(again.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(again.db.pragma('temp_store', { simple: true })).toBe(2);
    again.close();
  });

  it('a key that does not open the store is refused with STORE_KEY_WRONG, in Vietnamese, and the store is left as it was', () => {
    const store = openStore({ dataDir, keyStore: keys });
    populate(store, 1);
    store.close();
    const before = readFileSync(file);

    const otherKeys = new FileKeyStore(path.join(temp.dir, 'other-keys'));
    otherKeys.obtain('database');
    const error = expectStoreError(() => openStore({ dataDir, keyStore: otherKeys }), 'STORE_KEY_WRONG');
    expect(error.message).toMatch(/khoá mã hoá không khớp/);
    expect(error.message).not.toMatch(/not a database/);
    expect(readFileSync(file).equals(before)).toBe(true);
    expect(() => openDatabase(file, Buffer.alloc(32, 7))).toThrow(StoreOpenError);
  });

  it('an encrypted store whose key is missing is refused with STORE_KEY_MISSING, and no new key is made for it', () => {
    openStore({ dataDir, keyStore: keys }).close();
    const emptyKeys = new FileKeyStore(path.join(temp.dir, 'lost-keys'));
    const error = expectStoreError(() => openStore({ dataDir, keyStore: emptyKeys }), 'STORE_KEY_MISSING');
    expect(error.message).toMatch(/không tìm thấy khoá/);
    expect(emptyKeys.read('database')).toBeNull();
    expectStoreError(() => openStore({ dataDir, keyStore: null }), 'STORE_KEY_MISSING');
  });

  it('an existing unencrypted store is encrypted on open: every row and the audit chain kept, the migration audited, no plaintext left', () => {
    const plain = openStore({ dataDir, keyStore: null });
    populate(plain, 25);
    expect(plain.audit.verifyChain()).toMatchObject({ ok: true, count: 25 });
    plain.close();
    const plainDb = new Database(file);
    const before = snapshot(plainDb);
    plainDb.close();
    expect(rawBytes(file).includes(ID_NUMBER)).toBe(true);

    const store = openStore({ dataDir, keyStore: keys });
    expect(store.encryption.encrypted).toBe(true);
    expect(store.encryption.migrated).toMatchObject({ tables: Object.keys(before).length });
    expect(store.encryption.migrated?.rows).toBe(Object.values(before).reduce((n, rows) => n + rows.length, 0));
    const chain = store.audit.verifyChain();
    expect(chain).toMatchObject({ ok: true, count: 26 });
    const last = store.audit.forEntity('store', DATABASE_FILE);
    expect(last.map((e) => e.action)).toEqual(['store.encrypt']);
    expect(last[0]?.details).toEqual({
      cipher: 'sqlcipher',
      tables: Object.keys(before).length,
      rows: store.encryption.migrated?.rows,
    });
    expect(JSON.stringify(last[0]?.details)).not.toContain(ID_NUMBER);
    expect(store.dossiers.search('Phuong Mai', 10).map((d) => d.applicantName)).toEqual([NAME]);
    const after = snapshot(store.db);
    store.close();
    expectSameRows(before, after);
    expect(rawBytes(file).includes(ID_NUMBER)).toBe(false);
    expect(rawBytes(file).includes(NAME)).toBe(false);
    expect(existsSync(encryptingCopyOf(file))).toBe(false);
    expect(existsSync(`${file}-journal`)).toBe(false);
    if (process.platform !== 'win32') expect(statSync(file).mode & 0o777).toBe(0o600);
    // Opening again is an ordinary open, no second migration.
    const again = openStore({ dataDir, keyStore: keys });
    expect(again.encryption.migrated).toBeNull();
    again.close();
  });

  it('an unencrypted store left with a hot WAL by a crash (rows only in the -wal) is encrypted with those rows, and no clear -wal remains', () => {
    mkdirSync(dataDir, { recursive: true });
    // An older desk killed mid-day: its last rows are in the -wal, never checkpointed.
    const writer = `const D = require('better-sqlite3'); const db = new D(${JSON.stringify(file)});
      db.pragma('journal_mode = WAL'); db.pragma('wal_autocheckpoint = 0');
      db.exec("CREATE TABLE hot (id_number TEXT, full_name TEXT)");
      const ins = db.prepare('INSERT INTO hot VALUES (?, ?)'); for (let i = 0; i < 500; i++) ins.run('${ID_NUMBER}', '${NAME} ' + i);
      process.kill(process.pid, 'SIGKILL');`;
    const child = spawnSync(process.execPath, ['-e', writer], { cwd: root, encoding: 'utf8' });
    expect(child.signal, child.stderr).toBe('SIGKILL');
    expect(readFileSync(`${file}-wal`).includes(ID_NUMBER)).toBe(true);

    const store = openStore({ dataDir, keyStore: keys });
    expect(store.encryption.migrated).not.toBeNull();
    expect(store.db.prepare('SELECT count(*) AS n FROM hot').get()).toEqual({ n: 500 });
    store.close();
    expect(rawBytes(file).includes(ID_NUMBER)).toBe(false);
    expect(existsSync(`${file}-wal`) && readFileSync(`${file}-wal`).includes(ID_NUMBER)).toBe(false);
  });

  it('an unencrypted store another process holds open is not encrypted under it (STORE_IN_USE), and stays usable', () => {
    const holder = openStore({ dataDir, keyStore: null });
    populate(holder, 2);
    expectStoreError(() => openStore({ dataDir, keyStore: keys }), 'STORE_IN_USE');
    expect(databaseFileState(file)).toBe('plaintext');
    expect(holder.people.findByIdNumber('citizen', ID_NUMBER)?.fullName).toBe(NAME);
    holder.audit.append({
      at: '2025-07-15T10:00',
      actor: 'canbo1',
      action: 'test.write',
      entity: 'store',
      entityId: null,
    });
    holder.close();
    const store = openStore({ dataDir, keyStore: keys });
    expect(store.encryption.migrated).not.toBeNull();
    expect(store.people.findByIdNumber('citizen', ID_NUMBER)?.fullName).toBe(NAME);
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 4 });
    store.close();
  });

  describe('a crash during the encryption leaves the old store or the new one, never a broken one', () => {
    const steps: EncryptionStep[] = ['locked', 'copied', 'encrypted', 'verified', 'replaced', 'cleaned'];

    for (const step of steps) {
      it(`killed right after "${step}"`, () => {
        const plain = openStore({ dataDir, keyStore: null });
        populate(plain, 12);
        plain.close();
        const plainDb = new Database(file);
        const before = snapshot(plainDb);
        plainDb.close();
        const key = keys.obtain('database');

        const child = spawnSync(
          process.execPath,
          [
            path.join(root, 'bin', 'run-ts.mjs'),
            path.join(root, 'main', 'store', 'testing', 'encrypt-child.ts'),
            file,
            key.toString('hex'),
            step,
          ],
          { encoding: 'utf8', timeout: 60_000 },
        );
        expect(child.signal, child.stderr).toBe('SIGKILL');
        expect(child.stdout).toContain(`step ${step}`);
        const replaced = step === 'replaced' || step === 'cleaned';
        expect(databaseFileState(file)).toBe(replaced ? 'encrypted' : 'plaintext');

        const store = openStore({ dataDir, keyStore: keys });
        expect(store.encryption.migrated !== null).toBe(!replaced);
        expect(store.audit.verifyChain()).toMatchObject({ ok: true });
        const after = snapshot(store.db);
        store.close();
        expectSameRows(before, after);
        expect(databaseFileState(file)).toBe('encrypted');
        expect(rawBytes(file).includes(ID_NUMBER)).toBe(false);
        expect(existsSync(encryptingCopyOf(file))).toBe(false);
      }, 90_000);
    }

    it('a torn copy and its journal (killed inside the rekey) are thrown away and the encryption done again', () => {
      const plain = openStore({ dataDir, keyStore: null });
      populate(plain, 5);
      plain.close();
      const copy = encryptingCopyOf(file);
      writeFileSync(copy, readFileSync(file));
      truncateSync(copy, 2048);
      writeFileSync(`${copy}-journal`, readFileSync(file).subarray(0, 4096));
      const store = openStore({ dataDir, keyStore: keys });
      expect(store.encryption.migrated).not.toBeNull();
      expect(store.people.findByIdNumber('citizen', ID_NUMBER)?.fullName).toBe(NAME);
      store.close();
      expect(existsSync(copy)).toBe(false);
      expect(existsSync(`${copy}-journal`)).toBe(false);
    });
  });
});

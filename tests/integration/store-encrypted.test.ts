import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runDoctor } from '../../main/cli/doctor.command';
import { isSealed } from '../../main/store/blob-encryption';
import { FileKeyStore } from '../../main/store/key-store';
import { databaseFileState } from '../../main/store/store-encryption';
import { DATABASE_FILE, openStore } from '../../main/store/store';
import { personInput } from '../../main/store/testing/store-fixtures';
import { startTestCore } from './core-support';

const ID_NUMBER = '001203007788';
const NAME = 'Vu Thi Thanh Huong';
const root = join(import.meta.dirname, '..', '..');

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

function rawStore(dataDir: string): Buffer {
  const file = join(dataDir, DATABASE_FILE);
  return Buffer.concat([readFileSync(file), ...(existsSync(`${file}-wal`) ? [readFileSync(`${file}-wal`)] : [])]);
}

/** The production paths (the core's composition root and the command line) always encrypt. */
describe('the desk store is encrypted at rest', () => {
  let parent: string;
  let keyDir: string;
  let savedKeyDir: string | undefined;

  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'motcua-enc-'));
    keyDir = join(parent, 'keys');
    savedKeyDir = process.env.MOTCUA_KEY_DIR;
    process.env.MOTCUA_KEY_DIR = keyDir;
  });
  afterEach(() => {
    if (savedKeyDir === undefined) delete process.env.MOTCUA_KEY_DIR;
    else process.env.MOTCUA_KEY_DIR = savedKeyDir;
    rmSync(parent, { recursive: true, force: true });
  });

  it('a core that received a dossier leaves no applicant ID or name readable in the database; doctor says encrypted', async () => {
    const dataDir = join(parent, 'data');
    const t = await startTestCore({ dataDir, fixedNow: '2026-11-20T09:00' });
    try {
      await t.session.login();
      const p = await t.session.ok('catalogue.get', { code: '1.004873' });
      const dossier = await t.session.ok('intake.receive', {
        requestId: randomUUID(),
        procedureCode: p.code,
        channel: 'walk-in',
        applicant: {
          kind: 'citizen',
          idNumber: ID_NUMBER,
          fullName: NAME,
          oldIdNumber: null,
          birthDate: null,
          sex: null,
          address: null,
          idIssueDate: null,
          phone: null,
          email: null,
        },
        components: p.components.map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' })),
      });
      await t.session.ok('dossier.printReceipt', { code: dossier.code });
      const live = rawStore(dataDir);
      expect(live.includes(ID_NUMBER)).toBe(false);
      expect(live.includes(NAME)).toBe(false);
    } finally {
      await t.dispose();
    }
    expect(databaseFileState(join(dataDir, DATABASE_FILE))).toBe('encrypted');
    expect(rawStore(dataDir).includes(ID_NUMBER)).toBe(false);
    // The receipt and every other blob: sealed.
    const blobFiles = filesUnder(join(dataDir, 'blobs'));
    expect(blobFiles.length).toBeGreaterThanOrEqual(1);
    for (const f of blobFiles) expect({ f, sealed: isSealed(readFileSync(f)) }).toEqual({ f, sealed: true });
    const keys = new FileKeyStore(keyDir);
    expect(keys.read('database')).toHaveLength(32);
    if (process.platform !== 'win32') expect(statSync(join(keyDir, 'database.key')).mode & 0o777).toBe(0o400);

    const out: string[] = [];
    await runDoctor(dataDir, { out: (s) => out.push(s), json: false, platform: 'linux', keyStore: keys });
    expect(out.find((l) => l.includes('store-encryption'))).toMatch(/^\[OK {2}\].*đã mã hoá/);
    expect(out.find((l) => / store {2,}/.test(l))).toMatch(/^\[OK {2}\]/);
    expect(out.find((l) => l.includes(' keys '))).toMatch(/^\[OK {2}\].*có khoá "database"/);
  }, 60_000);

  it('an older unencrypted store is reported by doctor, left alone by it, encrypted by the next core start, and logged without personal data', async () => {
    const dataDir = join(parent, 'data');
    const plain = openStore({ dataDir, keyStore: null });
    plain.people.upsert(personInput({ idNumber: ID_NUMBER, fullName: NAME }));
    const oldScan = await plain.blobs.put(new TextEncoder().encode(`scan of ${ID_NUMBER}`));
    plain.close();
    expect(rawStore(dataDir).includes(ID_NUMBER)).toBe(true);

    const out: string[] = [];
    await runDoctor(dataDir, {
      out: (s) => out.push(s),
      json: false,
      platform: 'linux',
      keyStore: new FileKeyStore(keyDir),
    });
    // No config file: training mode, so a warning; production is an error (main/cli/doctor-encryption.test.ts).
    expect(out.find((l) => l.includes('store-encryption'))).toMatch(/^\[CẢNH\].*CHƯA mã hoá/);
    expect(databaseFileState(join(dataDir, DATABASE_FILE))).toBe('plaintext');

    const t = await startTestCore({ dataDir });
    try {
      expect(t.core.store.encryption.encrypted).toBe(true);
      expect(t.core.store.encryption.migrated).toMatchObject({ rows: expect.any(Number) });
      expect(t.core.store.people.findByIdNumber('citizen', ID_NUMBER)?.fullName).toBe(NAME);
    } finally {
      await t.dispose();
    }
    expect(databaseFileState(join(dataDir, DATABASE_FILE))).toBe('encrypted');
    expect(rawStore(dataDir).includes(ID_NUMBER)).toBe(false);
    // The blob from before encryption: sealed in place by the core (close waits for it).
    const scanFile = join(dataDir, 'blobs', oldScan.sha256.slice(0, 2), oldScan.sha256.slice(2));
    expect(isSealed(readFileSync(scanFile))).toBe(true);
    expect(readFileSync(scanFile).includes(ID_NUMBER)).toBe(false);
    const log = readFileSync(join(dataDir, 'logs', 'core.log'), 'utf8');
    const line = log.split('\n').find((l) => l.includes('store.encrypted'));
    expect(line).toBeDefined();
    expect(line).not.toContain(ID_NUMBER);
    expect(line).not.toContain(NAME);
    const key = new FileKeyStore(keyDir).read('database');
    expect(log).not.toContain(key?.toString('hex'));
    expect(log).not.toContain(key?.toString('base64'));
  }, 60_000);

  it('the command line encrypts an older unencrypted store it opens (motcua-desk accounts list)', () => {
    const dataDir = join(parent, 'data');
    const plain = openStore({ dataDir, keyStore: null });
    plain.people.upsert(personInput({ idNumber: ID_NUMBER, fullName: NAME }));
    plain.close();
    const r = spawnSync(
      process.execPath,
      [join(root, 'bin', 'motcua-desk.mjs'), 'accounts', 'list', '--data-dir', dataDir],
      {
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, MOTCUA_KEY_DIR: keyDir },
      },
    );
    expect(r.status, r.stderr).toBe(0);
    expect(databaseFileState(join(dataDir, DATABASE_FILE))).toBe('encrypted');
    expect(rawStore(dataDir).includes(ID_NUMBER)).toBe(false);
    // The same key store opens it again, with every row.
    const store = openStore({ dataDir, keyStore: new FileKeyStore(keyDir) });
    expect(store.people.findByIdNumber('citizen', ID_NUMBER)?.fullName).toBe(NAME);
    store.close();
  }, 60_000);
});

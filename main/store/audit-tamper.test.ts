import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { auditHash, GENESIS_HASH } from './audit.repository';
import { migrate } from './migrate';
import { DATABASE_FILE, openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

/**
 * The attacks of docs/operations.md, "Audit chain", done for real on the SQLite file: a second
 * connection (as `sqlite3 motcua.sqlite` would be) drops the triggers and rewrites rows.
 */
interface Row {
  id: number;
  at: string;
  actor: string;
  action: string;
  entity: string;
  entity_id: string | null;
  details_json: string;
  prev_hash: string;
  hash: string;
}

/** Drops the append-only triggers and recomputes every hash from `fromId` on with plain sha256. */
function rewriteWithSha256(file: string, fromId: number, edit: (row: Row) => Row): void {
  const db = new Database(file);
  try {
    db.exec('DROP TRIGGER IF EXISTS audit_log_no_update; DROP TRIGGER IF EXISTS audit_log_no_delete;');
    const rows = db.prepare<[], Row>('SELECT * FROM audit_log ORDER BY id').all();
    const update = db.prepare(
      'UPDATE audit_log SET at = ?, actor = ?, action = ?, details_json = ?, prev_hash = ?, hash = ? WHERE id = ?',
    );
    let prev = GENESIS_HASH;
    db.transaction(() => {
      for (const original of rows) {
        if (original.id < fromId) {
          prev = original.hash;
          continue;
        }
        const row = original.id === fromId ? edit(original) : original;
        const hash = auditHash(prev, {
          id: row.id,
          at: row.at,
          actor: row.actor,
          action: row.action,
          entity: row.entity,
          entityId: row.entity_id,
          detailsJson: row.details_json,
        });
        update.run(row.at, row.actor, row.action, row.details_json, prev, hash, row.id);
        prev = hash;
      }
    })();
  } finally {
    db.close();
  }
}

describe('audit chain against rewrites on disk', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  const key = randomBytes(32);
  const file = (): string => path.join(temp.dir, DATABASE_FILE);
  const appendFive = (): void => {
    for (let i = 1; i <= 5; i++)
      store.audit.append({
        at: `2026-12-07T08:0${i}`,
        actor: 'canbo1',
        action: 'dossier.receive',
        entity: 'dossier',
        entityId: `D-${i}`,
        details: { fee: i * 1000 },
      });
  };

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir, audit: { key } });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('detects a row edited and every later hash recomputed with sha256 (HMAC mismatch)', () => {
    appendFive();
    store.close();
    rewriteWithSha256(file(), 2, (row) => ({ ...row, actor: 'someone-else', details_json: '{"fee":1}' }));
    store = openStore({ dataDir: temp.dir, audit: { key } });
    expect(store.audit.forEntity('dossier', 'D-2')[0].actor).toBe('someone-else');
    expect(store.audit.verifyChain()).toMatchObject({ ok: false, reason: 'mac-mismatch', brokenAt: 2 });
  });

  it('detects the whole chain recomputed with sha256 from the first row', () => {
    appendFive();
    store.close();
    rewriteWithSha256(file(), 1, (row) => ({ ...row, action: 'login' }));
    store = openStore({ dataDir: temp.dir, audit: { key } });
    expect(store.audit.verifyChain()).toMatchObject({ ok: false, reason: 'mac-mismatch', brokenAt: 1 });
  });

  it('detects the keyed boundary moved past the rows so they pass as old sha256 rows (seal)', () => {
    appendFive();
    store.close();
    rewriteWithSha256(file(), 1, (row) => row);
    const db = new Database(file());
    db.exec('DROP TRIGGER audit_chain_start_seal_once');
    db.prepare(
      `UPDATE audit_chain_start SET first_keyed_id = 6, legacy_count = 5, legacy_head = (SELECT hash FROM audit_log WHERE id = 5)`,
    ).run();
    db.close();
    store = openStore({ dataDir: temp.dir, audit: { key } });
    expect(store.audit.verifyChain()).toMatchObject({ ok: false, reason: 'start-invalid' });
  });

  it('detects the start row removed', () => {
    appendFive();
    store.close();
    const db = new Database(file());
    db.exec('DROP TRIGGER audit_chain_start_no_delete; DELETE FROM audit_chain_start');
    db.close();
    store = openStore({ dataDir: temp.dir, audit: { key } });
    expect(store.audit.verifyChain()).toMatchObject({ ok: false, reason: 'start-missing' });
    expect(() => store.audit.append({ at: 'x', actor: 'a', action: 'b', entity: 'e', entityId: null })).toThrow(
      /audit_chain_start/,
    );
  });

  it('says the chain cannot be verified without the key, and refuses to append', () => {
    appendFive();
    store.close();
    store = openStore({ dataDir: temp.dir, audit: { key: null } });
    const check = store.audit.verifyChain();
    expect(check.ok).toBe(false);
    expect(check).toMatchObject({ reason: 'key-missing' });
    expect(() => store.audit.append({ at: 'x', actor: 'a', action: 'b', entity: 'e', entityId: null })).toThrow(
      /Thiếu khoá nhật ký/,
    );
    expect(store.db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(5);
  });

  it('says the chain cannot be verified with another key (the key file replaced)', () => {
    appendFive();
    store.close();
    store = openStore({ dataDir: temp.dir, audit: { key: randomBytes(32) } });
    expect(store.audit.keyMatches()).toBe(false);
    expect(store.audit.verifyChain()).toMatchObject({ ok: false, reason: 'key-other' });
  });

  it('opened without a key option (the command line), creates no new key for a sealed chain whose key is gone', () => {
    const saved = process.env.MOTCUA_KEY_DIR;
    const keyDir = path.join(temp.dir, 'keys');
    process.env.MOTCUA_KEY_DIR = keyDir;
    try {
      store.close();
      const other = path.join(temp.dir, 'cli-data');
      store = openStore({ dataDir: other });
      store.audit.append({ at: 'x', actor: 'cli', action: 'account.unlock', entity: 'account', entityId: 'canbo1' });
      expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 1 });
      store.close();
      rmSync(path.join(keyDir, 'audit.key'), { force: true });
      store = openStore({ dataDir: other });
      expect(() =>
        store.audit.append({ at: 'y', actor: 'cli', action: 'account.unlock', entity: 'account', entityId: 'canbo1' }),
      ).toThrow(/Thiếu khoá nhật ký/);
      expect(store.audit.verifyChain()).toMatchObject({ ok: false, reason: 'key-missing' });
      expect(existsSync(path.join(keyDir, 'audit.key'))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.MOTCUA_KEY_DIR;
      else process.env.MOTCUA_KEY_DIR = saved;
    }
  });

  it('refuses to change the start row once sealed, through the triggers', () => {
    expect(() => store.db.prepare('UPDATE audit_chain_start SET first_keyed_id = 99').run()).toThrow(/sealed once/);
    expect(() => store.db.prepare('DELETE FROM audit_chain_start').run()).toThrow(/permanent/);
  });
});

describe('a store with a sha256 chain from before migration 0009', () => {
  let temp: ReturnType<typeof tempDir>;
  const key = randomBytes(32);
  let legacyHashes: string[];

  beforeEach(() => {
    temp = tempDir();
    const db = new Database(path.join(temp.dir, DATABASE_FILE));
    migrate(db, 8);
    // Rows as the previous build wrote them.
    const insert = db.prepare(
      'INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
    );
    let prev = GENESIS_HASH;
    legacyHashes = [];
    for (let id = 1; id <= 3; id++) {
      const row = {
        id,
        at: `2026-12-01T09:0${id}`,
        actor: 'canbo1',
        action: 'login',
        entity: 'account',
        entityId: 'canbo1',
        detailsJson: '{}',
      };
      const hash = auditHash(prev, row);
      insert.run(id, row.at, row.actor, row.action, row.entity, row.entityId, row.detailsJson, prev, hash);
      legacyHashes.push(hash);
      prev = hash;
    }
    db.close();
  });
  afterEach(() => temp.cleanup());

  it('migrates: the old rows keep verifying with sha256, new rows chain by HMAC from the last old hash', () => {
    const store = openStore({ dataDir: temp.dir, audit: { key } });
    try {
      expect(store.audit.start()).toMatchObject({ firstKeyedId: 4, legacyHead: legacyHashes[2], legacyCount: 3 });
      expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 3, keyedFrom: 4 });
      const entry = store.audit.append({
        at: '2026-12-07T08:00',
        actor: 'canbo1',
        action: 'login',
        entity: 'account',
        entityId: 'canbo1',
      });
      expect(entry.prevHash).toBe(legacyHashes[2]);
      expect(entry.hash).not.toBe(
        auditHash(legacyHashes[2], {
          id: 4,
          at: entry.at,
          actor: entry.actor,
          action: entry.action,
          entity: entry.entity,
          entityId: entry.entityId,
          detailsJson: '{}',
        }),
      );
      expect(store.audit.verifyChain()).toMatchObject({
        ok: true,
        count: 4,
        keyedFrom: 4,
        head: { id: 4, hash: entry.hash },
      });
    } finally {
      store.close();
    }
  });

  it('detects an old row edited and recomputed with sha256 after the migration', () => {
    let store = openStore({ dataDir: temp.dir, audit: { key } });
    store.audit.append({
      at: '2026-12-07T08:00',
      actor: 'canbo1',
      action: 'login',
      entity: 'account',
      entityId: 'canbo1',
    });
    store.close();
    // Only the old part rewritten: its end no longer meets the first keyed row.
    const file = path.join(temp.dir, DATABASE_FILE);
    const db = new Database(file);
    db.exec('DROP TRIGGER audit_log_no_update');
    const rows = db.prepare<[], Row>('SELECT * FROM audit_log WHERE id <= 3 ORDER BY id').all();
    let prev = GENESIS_HASH;
    for (const r of rows) {
      const actor = r.id === 2 ? 'someone-else' : r.actor;
      const hash = auditHash(prev, {
        id: r.id,
        at: r.at,
        actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        detailsJson: r.details_json,
      });
      db.prepare('UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?').run(actor, prev, hash, r.id);
      prev = hash;
    }
    db.close();
    store = openStore({ dataDir: temp.dir, audit: { key } });
    try {
      expect(store.audit.verifyChain()).toMatchObject({ ok: false, reason: 'link-broken', brokenAt: 4 });
    } finally {
      store.close();
    }
  });
});

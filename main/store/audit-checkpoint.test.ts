import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from '../kernel/clock';
import { anchorMac, AuditAnchor, checkAnchors, HEAD_FILE, type AnchorRecord } from './audit-checkpoint';
import { auditHash, GENESIS_HASH } from './audit.repository';
import { DATABASE_FILE, openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

describe('audit checkpoints outside the data folder', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let anchor: AuditAnchor;
  let dataDir: string;
  let checkpointDir: string;
  const key = randomBytes(32);
  const clock = fixedClock('2026-12-07T08:00');

  const append = (n: number): void => {
    for (let i = 0; i < n; i++)
      store.audit.append({
        at: clock.localNow(),
        actor: 'canbo1',
        action: 'dossier.receive',
        entity: 'dossier',
        entityId: `D-${i}`,
      });
  };
  /** Lets the post-append step run, then waits for its write. */
  const flush = async (): Promise<void> => {
    await new Promise((resolve) => setImmediate(resolve));
    await anchor.settled();
  };
  const readLines = (day: string): AnchorRecord[] =>
    readFileSync(path.join(anchor.folder, `${day}.jsonl`), 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as AnchorRecord);
  const readHead = (): AnchorRecord =>
    JSON.parse(readFileSync(path.join(anchor.folder, HEAD_FILE), 'utf8')) as AnchorRecord;
  const newAnchor = (options: { headEvery?: number; headEveryMs?: number } = {}): AuditAnchor =>
    new AuditAnchor({
      audit: store.audit,
      key,
      dir: checkpointDir,
      deskId: '000.00.12.H56/Q01',
      clock,
      headEvery: 3,
      headEveryMs: 3_600_000,
      ...options,
    });
  const secondConnection = (sql: string): void => {
    const db = new Database(path.join(dataDir, DATABASE_FILE));
    try {
      db.exec(sql);
    } finally {
      db.close();
    }
  };

  beforeEach(async () => {
    temp = tempDir();
    dataDir = path.join(temp.dir, 'data');
    checkpointDir = path.join(temp.dir, 'audit-checkpoints');
    clock.set('2026-12-07T08:00');
    store = openStore({ dataDir, audit: { key, checkpointDir } });
    anchor = newAnchor();
    await anchor.start();
  });
  afterEach(async () => {
    await anchor.close();
    store.close();
    temp.cleanup();
  });

  it('writes a signed checkpoint at start into <dir>/<chain id>/<day>.jsonl and a head record', async () => {
    append(2);
    await flush();
    const chainId = store.audit.start()?.chainId ?? '';
    expect(anchor.folder).toBe(path.join(checkpointDir, chainId));
    const [first] = readLines('2026-12-07');
    expect(first).toMatchObject({
      v: 1,
      reason: 'start',
      chainId,
      deskId: '000.00.12.H56/Q01',
      id: 0,
      hash: GENESIS_HASH,
      count: 0,
      keyedFrom: 1,
      at: '2026-12-07T08:00',
    });
    const { mac, ...body } = first;
    expect(mac).toBe(anchorMac(key, body));
    const check = checkAnchors(store.audit, checkpointDir, key);
    expect(check).toMatchObject({
      status: 'ok',
      problems: [],
      lastCheckpoint: { reason: 'start', at: '2026-12-07T08:00' },
    });
  });

  it('rewrites the head record after every `headEvery` appends, from committed rows only', async () => {
    append(2);
    await flush();
    expect(readHead().id).toBe(0);
    append(1);
    await flush();
    expect(readHead()).toMatchObject({ reason: 'head', id: 3, hash: store.audit.head()?.hash });
    // An append inside a transaction that rolls back is never anchored.
    append(2);
    expect(() =>
      store.transaction(() => {
        append(1);
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    await flush();
    expect(readHead().id).toBe(5);
    expect(checkAnchors(store.audit, checkpointDir, key).status).toBe('ok');
  });

  it('writes the head record on the first append once `headEveryMs` has passed since the last', async () => {
    await anchor.close();
    anchor = newAnchor({ headEvery: 100, headEveryMs: 60_000 });
    await anchor.start();
    append(1);
    await flush();
    expect(readHead().id).toBe(0);
    clock.advance(61_000);
    append(1);
    await flush();
    expect(readHead().id).toBe(2);
  });

  it("writes a checkpoint on the first append after midnight into the new day's file", async () => {
    clock.set('2026-12-07T23:58');
    append(1);
    await flush();
    expect(readLines('2026-12-07').map((r) => r.reason)).toEqual(['start']);
    clock.set('2026-12-08T00:01');
    append(1);
    await flush();
    expect(readLines('2026-12-08')).toEqual([
      expect.objectContaining({ reason: 'day', id: 2, count: 2, at: '2026-12-08T00:01' }),
    ]);
    append(1);
    await flush();
    expect(readLines('2026-12-08')).toHaveLength(1);
    expect(checkAnchors(store.audit, checkpointDir, key).lastCheckpoint).toMatchObject({
      reason: 'day',
      at: '2026-12-08T00:01',
    });
  });

  it('writes a checkpoint at clean shutdown', async () => {
    append(4);
    await anchor.close();
    expect(readLines('2026-12-07').map((r) => [r.reason, r.id])).toEqual([
      ['start', 0],
      ['stop', 4],
    ]);
  });

  it('detects the newest rows deleted after the last checkpoint (truncation)', async () => {
    append(6);
    await anchor.close();
    store.close();
    secondConnection('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > 4');
    store = openStore({ dataDir, audit: { key, checkpointDir } });
    anchor = newAnchor();
    // The chain itself cannot show it: what is left is a valid chain.
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 4 });
    const check = checkAnchors(store.audit, checkpointDir, key);
    expect(check.status).toBe('fail');
    expect(check.problems).toContainEqual(
      expect.objectContaining({ kind: 'truncated', storeCount: 4, record: expect.objectContaining({ id: 6 }) }),
    );
  });

  it('detects rows deleted since the last checkpoint through the head record alone', async () => {
    append(3);
    await flush();
    // A crash: no stop checkpoint; only the start checkpoint (0 rows) and the head record (3).
    store.close();
    secondConnection('DROP TRIGGER audit_log_no_delete; DELETE FROM audit_log WHERE id > 1');
    store = openStore({ dataDir, audit: { key, checkpointDir } });
    anchor = newAnchor();
    const check = checkAnchors(store.audit, checkpointDir, key);
    expect(check.problems).toEqual([
      expect.objectContaining({
        kind: 'truncated',
        storeCount: 1,
        record: expect.objectContaining({ reason: 'head', id: 3 }),
      }),
    ]);
  });

  it('detects a whole chain rewritten with sha256 and its start row re-made (only the anchors can)', async () => {
    append(3);
    await anchor.close();
    store.close();
    const db = new Database(path.join(dataDir, DATABASE_FILE));
    db.exec(
      'DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_chain_start_seal_once; DROP TRIGGER audit_chain_start_no_delete',
    );
    let prev = GENESIS_HASH;
    for (const r of db
      .prepare<
        [],
        {
          id: number;
          at: string;
          actor: string;
          action: string;
          entity: string;
          entity_id: string | null;
          details_json: string;
        }
      >('SELECT * FROM audit_log ORDER BY id')
      .all()) {
      const hash = auditHash(prev, {
        id: r.id,
        at: r.at,
        actor: r.id === 2 ? 'someone-else' : r.actor,
        action: r.action,
        entity: r.entity,
        entityId: r.entity_id,
        detailsJson: r.details_json,
      });
      db.prepare('UPDATE audit_log SET actor = ?, prev_hash = ?, hash = ? WHERE id = ?').run(
        r.id === 2 ? 'someone-else' : r.actor,
        prev,
        hash,
        r.id,
      );
      prev = hash;
    }
    db.prepare(
      'UPDATE audit_chain_start SET first_keyed_id = 4, legacy_head = ?, legacy_count = 3, key_check = NULL, seal = NULL',
    ).run(prev);
    db.close();
    store = openStore({ dataDir, audit: { key, checkpointDir } });
    anchor = newAnchor();
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, keyedFrom: 4 });
    const kinds = checkAnchors(store.audit, checkpointDir, key).problems.map((p) => p.kind);
    expect(kinds).toContain('start-moved');
  });

  it('detects a checkpoint edited, or signed with another key', async () => {
    append(3);
    await anchor.close();
    const file = path.join(anchor.folder, '2026-12-07.jsonl');
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const stop = JSON.parse(lines[1]) as AnchorRecord;
    // More rows than the store holds would make a false truncation; fewer would hide one.
    lines[1] = JSON.stringify({ ...stop, count: 1, id: 1 });
    const { mac: _mac, ...body } = { ...stop, count: 2 };
    lines.push(JSON.stringify({ ...body, mac: anchorMac(randomBytes(32), body) }));
    writeFileSync(file, `${lines.join('\n')}\n`);
    writeFileSync(path.join(anchor.folder, HEAD_FILE), 'not json');
    const check = checkAnchors(store.audit, checkpointDir, key);
    expect(check.status).toBe('fail');
    expect(check.problems).toEqual([
      { kind: 'forged', file, line: 2 },
      { kind: 'forged', file, line: 3 },
      { kind: 'forged', file: path.join(anchor.folder, HEAD_FILE), line: null },
    ]);
  });

  it('reports no anchors for a chain that has none, and cannot check them without the key', () => {
    const other = tempDir();
    try {
      expect(checkAnchors(store.audit, other.dir, key).status).toBe('none');
      expect(checkAnchors(store.audit, checkpointDir, null).status).toBe('unverifiable');
      expect(existsSync(path.join(other.dir, store.audit.start()?.chainId ?? ''))).toBe(false);
    } finally {
      other.cleanup();
    }
  });

  it('keeps the desk working when the checkpoint folder cannot be written, and writes once it can', async () => {
    await anchor.close();
    const blocked = path.join(temp.dir, 'share-offline');
    writeFileSync(blocked, 'a file where the folder should be');
    const errors: unknown[] = [];
    anchor = new AuditAnchor({
      audit: store.audit,
      key,
      dir: blocked,
      deskId: '000.00.12.H56/Q01',
      clock,
      headEvery: 1,
      onError: (e) => errors.push(e),
    });
    await anchor.start();
    append(2);
    await flush();
    expect(errors.length).toBeGreaterThan(0);
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 2 });
    rmSync(blocked);
    append(1);
    await flush();
    // The day's checkpoint that failed is written by the next append.
    const chainDir = path.join(blocked, store.audit.start()?.chainId ?? '');
    const lines = readFileSync(path.join(chainDir, '2026-12-07.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as AnchorRecord);
    expect(lines).toEqual([expect.objectContaining({ reason: 'day', id: 3 })]);
    expect(checkAnchors(store.audit, blocked, key).status).toBe('ok');
  });

  it('keeps the checkpoint files private (0600, folder 0700)', async () => {
    if (process.platform === 'win32') return;
    append(1);
    await anchor.close();
    const { statSync } = await import('node:fs');
    expect(statSync(anchor.folder).mode & 0o777).toBe(0o700);
    for (const name of readdirSync(anchor.folder))
      expect(statSync(path.join(anchor.folder, name)).mode & 0o777).toBe(0o600);
  });
});

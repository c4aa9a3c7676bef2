import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { GENESIS_HASH } from './audit.repository';
import { maskIdNumber } from '../kernel/mask';
import { openStore, type Store } from './store';
import { tempDir } from './testing/store-fixtures';

describe('AuditRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  const key = randomBytes(32);

  const appendThree = (): void => {
    store.audit.append({
      at: '2025-07-15T09:30',
      actor: 'canbo1',
      action: 'dossier.receive',
      entity: 'dossier',
      entityId: 'D-1',
      details: { applicantIdNumber: maskIdNumber('001203004567'), fee: 200000 },
    });
    store.audit.append({
      at: '2025-07-15T09:31',
      actor: 'canbo1',
      action: 'receipt.print',
      entity: 'dossier',
      entityId: 'D-1',
    });
    store.audit.append({
      at: '2025-07-15T09:40',
      actor: 'admin',
      action: 'account.create',
      entity: 'account',
      entityId: 'canbo2',
      details: { role: 'officer', nested: { z: 1, a: [true, null] } },
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

  it('chains entries by hash and verifies the chain', () => {
    expect(store.audit.verifyChain()).toEqual({ ok: true, count: 0, keyedFrom: 1, head: null });
    appendThree();
    const entries = [...store.audit.forEntity('dossier', 'D-1'), ...store.audit.forEntity('account', 'canbo2')];
    expect(entries.map((e) => e.id)).toEqual([1, 2, 3]);
    expect(entries[0].prevHash).toBe(GENESIS_HASH);
    expect(entries[1].prevHash).toBe(entries[0].hash);
    expect(entries[2].prevHash).toBe(entries[1].hash);
    expect(entries[0].details).toEqual({ applicantIdNumber: '00120****567', fee: 200000 });
    expect(store.audit.verifyChain()).toEqual({
      ok: true,
      count: 3,
      keyedFrom: 1,
      head: { id: 3, hash: entries[2].hash },
    });
  });

  it('keeps the chain across reopen', () => {
    appendThree();
    store.close();
    store = openStore({ dataDir: temp.dir, audit: { key } });
    store.audit.append({
      at: '2025-07-16T08:00',
      actor: 'canbo1',
      action: 'login',
      entity: 'account',
      entityId: 'canbo1',
    });
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 4 });
  });

  it('refuses UPDATE and DELETE through triggers', () => {
    appendThree();
    expect(() => store.db.prepare("UPDATE audit_log SET actor = 'x' WHERE id = 2").run()).toThrow(/append-only/);
    expect(() => store.db.prepare('DELETE FROM audit_log WHERE id = 3').run()).toThrow(/append-only/);
  });

  it('detects a row edited behind the triggers', () => {
    appendThree();
    store.db.exec('DROP TRIGGER audit_log_no_update');
    store.db.prepare(`UPDATE audit_log SET details_json = '{"role":"admin"}' WHERE id = 3`).run();
    expect(store.audit.verifyChain()).toMatchObject({ ok: false, brokenAt: 3, reason: 'mac-mismatch' });
  });

  it('detects a re-hashed row by the broken link to the next one', () => {
    appendThree();
    store.db.exec('DROP TRIGGER audit_log_no_update');
    store.db.prepare("UPDATE audit_log SET actor = 'someone', hash = ? WHERE id = 1").run('f'.repeat(64));
    const check = store.audit.verifyChain();
    expect(check.ok).toBe(false);
    expect(check).toMatchObject({ brokenAt: 1 });
  });

  it('detects a deleted row in the middle', () => {
    appendThree();
    store.db.exec('DROP TRIGGER audit_log_no_delete');
    store.db.prepare('DELETE FROM audit_log WHERE id = 2').run();
    expect(store.audit.verifyChain()).toMatchObject({ ok: false, brokenAt: 3, reason: 'row-missing' });
  });

  it('refuses details carrying a raw personal ID', () => {
    expect(() =>
      store.audit.append({
        at: 'x',
        actor: 'a',
        action: 'b',
        entity: 'person',
        entityId: null,
        details: { idNumber: '001203004567' },
      }),
    ).toThrow(/unmasked/);
    expect(() =>
      store.audit.append({
        at: 'x',
        actor: 'a',
        action: 'b',
        entity: 'person',
        entityId: null,
        details: { applicant: { old_id_number: '012345678' } },
      }),
    ).toThrow(/unmasked/);
    store.audit.append({
      at: 'x',
      actor: 'a',
      action: 'b',
      entity: 'person',
      entityId: null,
      details: { idNumber: maskIdNumber('001203004567') },
    });
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 1 });
  });

  it('rolls back with the surrounding transaction and keeps the chain intact', () => {
    appendThree();
    expect(() =>
      store.transaction(() => {
        store.audit.append({ at: 'x', actor: 'a', action: 'b', entity: 'e', entityId: null });
        throw new Error('rollback');
      }),
    ).toThrow('rollback');
    store.audit.append({ at: 'y', actor: 'a', action: 'c', entity: 'e', entityId: null });
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 4 });
  });
});

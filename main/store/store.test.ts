import { existsSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskIdNumber } from '../kernel/mask';
import { openStore, type Store } from './store';
import { newDossier, personInput, procedure, tempDir } from './testing/store-fixtures';

describe('openStore', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: path.join(temp.dir, 'data') });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('creates the database file in the data directory', () => {
    expect(existsSync(path.join(temp.dir, 'data', 'motcua.sqlite'))).toBe(true);
    expect(store.blobs.rootDir).toBe(path.join(temp.dir, 'data', 'blobs'));
  });

  const receive = (fail: boolean): void => {
    store.transaction(() => {
      const applicant = store.people.upsert(personInput());
      const taken = store.sequences.take('000.00.12.H56', '2025-07-15');
      const code = `000.00.12.H56-250715-${String(taken?.sequence ?? 0).padStart(4, '0')}`;
      store.dossiers.insert(newDossier(applicant, { code }));
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
        details: { applicant: maskIdNumber(applicant.idNumber) },
      });
      if (fail) throw new Error('printer exploded');
    });
  };

  it('commits the dossier, its outbox row and its audit entry together', () => {
    store.sequences.addBlock({ agencyId: '000.00.12.H56', date: '2025-07-15', from: 1, to: 10, source: 'lease' });
    expect(() => receive(true)).toThrow('printer exploded');
    expect(store.dossiers.listReceivedOn('2025-07-15')).toEqual([]);
    expect(store.outbox.counts().pending).toBe(0);
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 0 });
    expect(store.people.findByIdNumber('citizen', '001203004567')).toBeNull();
    receive(false);
    const [dossier] = store.dossiers.listReceivedOn('2025-07-15');
    expect(dossier.code).toBe('000.00.12.H56-250715-0001');
    expect(dossier.sync.national).toBe('pending');
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: 1 });
  });

  it('checks integrity of the database, the audit chain and referenced blobs', async () => {
    store.catalogue.upsertProcedure(procedure());
    const applicant = store.people.upsert(personInput());
    const dossier = store.dossiers.insert(newDossier(applicant));
    const receipt = await store.blobs.put(new TextEncoder().encode('%PDF-1.7 receipt'));
    store.dossiers.addDocument(dossier.code, 'receipt', receipt.sha256, '2025-07-15T09:31');
    store.documents.add({
      ownerIdNumber: applicant.idNumber,
      documentCode: 'KQ0003',
      documentName: 'CCCD',
      source: 'local',
      blobSha256: 'c'.repeat(64),
    });
    expect(store.referencedBlobs().sort()).toEqual([receipt.sha256, 'c'.repeat(64)].sort());
    const report = await store.checkIntegrity();
    expect(report).toEqual({
      database: ['ok'],
      audit: { ok: true, count: 0, keyedFrom: 1, head: null },
      auditAnchors: null,
      blobs: { checked: 1, corrupt: [], missing: ['c'.repeat(64)] },
    });
  });

  it('closes idempotently', () => {
    store.close();
    store.close();
    expect(store.db.open).toBe(false);
  });
});

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedLargeStore, type SeedResult } from '../../bench/seed-large-store';
import { TRAINING_CONFIG } from '../../main/core/config';
import { openStore, type Store } from '../../main/store/store';
import { parseHandoffPayload, parseProgressPayload, parseUpsertPayload } from '../../main/sync/outbox-payloads';

/**
 * The benchmark seeder (bench/seed-large-store.ts) writes through the store's and the intake's own
 * code, so what it writes is what the app reads: an audit chain that verifies, and outbox rows the
 * sender's payload checks accept, one set per receipt and per status change.
 */
let parent: string;
let seed: SeedResult;
let store: Store;
const savedKeyDir = process.env.MOTCUA_KEY_DIR;

beforeAll(async () => {
  parent = mkdtempSync(join(tmpdir(), 'motcua-bench-seed-'));
  process.env.MOTCUA_KEY_DIR = join(parent, 'keys');
  seed = await seedLargeStore({
    out: join(parent, 'store'),
    people: 400,
    dossiers: 150,
    until: '2026-11-20',
    seed: 7,
    log: () => undefined,
  });
  store = openStore({ dataDir: seed.dataDir });
});

afterAll(() => {
  store?.close();
  if (savedKeyDir === undefined) delete process.env.MOTCUA_KEY_DIR;
  else process.env.MOTCUA_KEY_DIR = savedKeyDir;
  rmSync(parent, { recursive: true, force: true });
});

interface OutboxRow {
  kind: string;
  target: string;
  dossier_code: string;
  idempotency_key: string;
  payload_json: string;
  status: string;
}

describe('the benchmark seed', () => {
  it('holds the people and dossiers asked for, with an audit chain that verifies', () => {
    expect(seed.rows).toMatchObject({ people: 400, dossiers: 150 });
    expect(store.audit.verifyChain()).toMatchObject({ ok: true, count: seed.rows['audit_log'] });
  });

  it('writes outbox rows the sender reads, all sent: three at receipt and two per status change', () => {
    const rows = store.db
      .prepare<[], OutboxRow>(
        'SELECT kind, target, dossier_code, idempotency_key, payload_json, status FROM outbox ORDER BY id',
      )
      .all();
    const parse = {
      'dossier.upsert': parseUpsertPayload,
      'dossier.progress': parseProgressPayload,
      'dossier.handoff': parseHandoffPayload,
    } as const;
    for (const row of rows) {
      expect(row.status, row.idempotency_key).toBe('sent');
      expect(row.target).toBe(row.kind === 'dossier.handoff' ? 'provincial' : 'national');
      const check = parse[row.kind as keyof typeof parse];
      expect(check, row.kind).toBeDefined();
      expect(() => check(JSON.parse(row.payload_json)), row.idempotency_key).not.toThrow();
    }
    const codes = store.db.prepare<[], string>('SELECT code FROM dossiers ORDER BY id').pluck().all();
    expect(codes).toHaveLength(150);
    for (const code of codes) {
      const d = store.dossiers.getByCode(code);
      if (!d) throw new Error(`dossier ${code} missing`);
      expect(d.sync).toEqual({ national: 'synced', provincial: 'synced' });
      const changes = d.history.length - 1;
      expect(rows.filter((r) => r.dossier_code === code)).toHaveLength(3 + 2 * changes);
      expect(store.audit.forEntity('dossier', code).map((e) => e.action)).toEqual([
        'dossier.receive',
        ...d.history.slice(1).map((h) => `dossier.status-${h.status}`),
      ]);
    }
  });

  it('takes each day’s numbers in order from leased blocks', () => {
    const agency = TRAINING_CONFIG.agency.id;
    const byDay = store.db
      .prepare<[], { day: string; n: number }>(
        'SELECT substr(received_at, 1, 10) AS day, count(*) AS n FROM dossiers GROUP BY 1',
      )
      .all();
    expect(byDay.length).toBeGreaterThan(0);
    for (const { day, n } of byDay) {
      const blocks = store.sequences.blocks(agency, day);
      expect(blocks.every((b) => b.source === 'lease')).toBe(true);
      expect(blocks.reduce((taken, b) => taken + (b.next - b.from), 0)).toBe(n);
    }
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEVICE_KINDS } from '../../security/device';
import type { Sql } from '../sql';
import { startTestPostgres, type TestPostgres } from '../testing/test-postgres';

let pg: TestPostgres;
beforeAll(async () => {
  pg = await startTestPostgres();
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

const AGENCY = '000.00.12.H56';
const hex = (c: string) => c.repeat(64);
let unique = 0;
const uniqueHex = () => (unique += 1).toString(16).padStart(64, '0');

interface DeviceColumns {
  id?: string;
  kind?: string;
  name?: string;
  agency_id?: string;
  counter?: string | null;
  desk_slot?: number | null;
  printer?: string | null;
  cert_fingerprint?: string | null;
  cert_expires_at?: string | null;
  token_hash?: string | null;
  revoked_at?: string | null;
  revoked_by?: string | null;
  slot_free_from?: string | null;
}

function desk(over: DeviceColumns = {}): DeviceColumns {
  return {
    kind: 'desk',
    desk_slot: 0,
    cert_fingerprint: uniqueHex(),
    cert_expires_at: '2028-01-01T00:00:00Z',
    ...over,
  };
}

function browser(kind: string, over: DeviceColumns = {}): DeviceColumns {
  return { kind, token_hash: uniqueHex(), counter: kind === 'rating' ? 'Q01' : null, ...over };
}

async function insertDevice(sql: Sql, c: DeviceColumns): Promise<string> {
  const id = c.id ?? randomUUID();
  await sql.query(
    `INSERT INTO centre_devices (id, kind, name, agency_id, counter, desk_slot, printer, cert_fingerprint,
       cert_expires_at, token_hash, enrolled_at, revoked_at, revoked_by, slot_free_from)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, now(), $11, $12, $13)`,
    [
      id,
      c.kind ?? 'desk',
      c.name ?? 'Quầy 1',
      c.agency_id ?? AGENCY,
      c.counter ?? null,
      c.desk_slot ?? null,
      c.printer ?? null,
      c.cert_fingerprint ?? null,
      c.cert_expires_at ?? null,
      c.token_hash ?? null,
      c.revoked_at ?? null,
      c.revoked_by ?? null,
      c.slot_free_from ?? null,
    ],
  );
  return id;
}

const CHECK = /check constraint/;

describe('migration 0002-devices: centre_devices', () => {
  it('takes every device kind with its own credential, and no other kind', async () => {
    const db = await pg.freshCentreDb({ upTo: 2 });
    for (const kind of DEVICE_KINDS) {
      await insertDevice(db, kind === 'desk' ? desk() : browser(kind));
    }
    await expect(insertDevice(db, browser('printer'))).rejects.toThrow(CHECK);
    const r = await db.query<{ kind: string }>('SELECT kind FROM centre_devices ORDER BY kind');
    expect(r.rows.map((x) => x.kind)).toEqual([...DEVICE_KINDS].sort());
  });

  it('a desk has a certificate and no token; a browser device a token and no certificate', async () => {
    const db = await pg.freshCentreDb({ upTo: 2 });
    await expect(insertDevice(db, desk({ cert_fingerprint: null }))).rejects.toThrow(/desk_credentials/);
    await expect(insertDevice(db, desk({ cert_expires_at: null }))).rejects.toThrow(/desk_credentials/);
    await expect(insertDevice(db, desk({ token_hash: uniqueHex() }))).rejects.toThrow(/desk_credentials/);
    await expect(insertDevice(db, browser('kiosk', { token_hash: null }))).rejects.toThrow(/browser_credentials/);
    await expect(insertDevice(db, browser('display', { cert_fingerprint: uniqueHex() }))).rejects.toThrow(
      /browser_credentials/,
    );
    await expect(insertDevice(db, desk({ cert_fingerprint: 'AB'.repeat(32) }))).rejects.toThrow(CHECK);
    await expect(insertDevice(db, browser('kiosk', { token_hash: 'short' }))).rejects.toThrow(CHECK);
    const fp = hex('a');
    await insertDevice(db, desk({ cert_fingerprint: fp }));
    await expect(insertDevice(db, desk({ cert_fingerprint: fp, desk_slot: 1 }))).rejects.toThrow(/duplicate key/);
    const token = hex('b');
    await insertDevice(db, browser('kiosk', { token_hash: token }));
    await expect(insertDevice(db, browser('display', { token_hash: token }))).rejects.toThrow(/duplicate key/);
  });

  it('desk slots: 0-9, desks only; counters and printers where they belong', async () => {
    const db = await pg.freshCentreDb({ upTo: 2 });
    await expect(insertDevice(db, desk({ desk_slot: null }))).rejects.toThrow(/desk_slot/);
    await expect(insertDevice(db, desk({ desk_slot: 10 }))).rejects.toThrow(CHECK);
    await expect(insertDevice(db, desk({ desk_slot: -1 }))).rejects.toThrow(CHECK);
    await expect(insertDevice(db, browser('kiosk', { desk_slot: 3 }))).rejects.toThrow(/desk_slot/);
    await expect(insertDevice(db, browser('rating', { counter: null }))).rejects.toThrow(/centre_devices_counter/);
    await expect(insertDevice(db, browser('display', { counter: 'Q01' }))).rejects.toThrow(/centre_devices_counter/);
    await expect(insertDevice(db, browser('display', { printer: 'tcp:10.0.0.9:9100' }))).rejects.toThrow(
      /centre_devices_printer/,
    );
    await insertDevice(db, browser('kiosk', { printer: 'tcp:10.0.0.9:9100' }));
    await insertDevice(db, desk({ desk_slot: 9, counter: null }));
    await expect(insertDevice(db, desk({ desk_slot: 1, name: '  ' }))).rejects.toThrow(CHECK);
    await expect(insertDevice(db, desk({ desk_slot: 1, agency_id: 'H56' }))).rejects.toThrow(CHECK);
  });

  it('a slot is unique among the active desks of one agency; a revoked desk leaves the index', async () => {
    const db = await pg.freshCentreDb({ upTo: 2 });
    const first = await insertDevice(db, desk({ desk_slot: 4 }));
    await expect(insertDevice(db, desk({ desk_slot: 4 }))).rejects.toThrow(/centre_devices_active_desk_slot/);
    await insertDevice(db, desk({ desk_slot: 4, agency_id: '000.00.12.H57' }));
    await db.query(
      "UPDATE centre_devices SET revoked_at = now(), revoked_by = 'it', slot_free_from = '2026-03-03' WHERE id = $1",
      [first],
    );
    // From then on the allocator (DeviceRegistry) decides when the slot is free again.
    await insertDevice(db, desk({ desk_slot: 4 }));
  });

  it('revocation: who and when together; a revoked desk records from when its slot is free', async () => {
    const db = await pg.freshCentreDb({ upTo: 2 });
    const at = '2026-03-02T03:00:00Z';
    await expect(insertDevice(db, desk({ revoked_at: at, slot_free_from: '2026-03-03' }))).rejects.toThrow(
      /centre_devices_revoked/,
    );
    await expect(insertDevice(db, desk({ revoked_by: 'it' }))).rejects.toThrow(/centre_devices_revoked/);
    await expect(insertDevice(db, desk({ revoked_at: at, revoked_by: 'it' }))).rejects.toThrow(/slot_free_from/);
    await expect(insertDevice(db, desk({ slot_free_from: '2026-03-03' }))).rejects.toThrow(/slot_free_from/);
    await expect(
      insertDevice(db, browser('kiosk', { revoked_at: at, revoked_by: 'it', slot_free_from: '2026-03-03' })),
    ).rejects.toThrow(/slot_free_from/);
    await insertDevice(db, desk({ revoked_at: at, revoked_by: 'it', slot_free_from: '2026-03-03' }));
    await insertDevice(db, browser('kiosk', { revoked_at: at, revoked_by: 'it' }));
  });
});

describe('migration 0002-devices: centre_pairing_codes', () => {
  async function insertCode(sql: Sql, over: Record<string, unknown> = {}): Promise<string> {
    const c = {
      secret_hash: uniqueHex(),
      kind: 'kiosk',
      counter: null,
      printer: null,
      created_at: '2026-03-02T03:00:00Z',
      expires_at: '2026-03-02T03:15:00Z',
      used_at: null,
      used_by_device: null,
      ...over,
    };
    await sql.query(
      `INSERT INTO centre_pairing_codes (secret_hash, kind, name, agency_id, counter, printer, created_by, created_at,
         expires_at, used_at, used_by_device) VALUES ($1, $2, 'Kiosk sảnh', $3, $4, $5, 'it', $6, $7, $8, $9)`,
      [c.secret_hash, c.kind, AGENCY, c.counter, c.printer, c.created_at, c.expires_at, c.used_at, c.used_by_device],
    );
    return c.secret_hash as string;
  }

  it('keeps only a SHA-256 hex, a lifetime after creation, a kind of DEVICE_KINDS', async () => {
    const db = await pg.freshCentreDb({ upTo: 2 });
    const h = await insertCode(db);
    await expect(insertCode(db, { secret_hash: h })).rejects.toThrow(/duplicate key/);
    await expect(insertCode(db, { secret_hash: 'ABCD-1234' })).rejects.toThrow(CHECK);
    await expect(insertCode(db, { expires_at: '2026-03-02T03:00:00Z' })).rejects.toThrow(/lifetime/);
    await expect(insertCode(db, { kind: 'printer' })).rejects.toThrow(CHECK);
    await expect(insertCode(db, { kind: 'rating' })).rejects.toThrow(/centre_pairing_codes_counter/);
    await expect(insertCode(db, { kind: 'desk', printer: 'tcp:1.2.3.4:9100' })).rejects.toThrow(/printer/);
    await insertCode(db, { kind: 'rating', counter: 'Q02' });
  });

  it('used_at and used_by_device go together; the device must exist when the transaction commits', async () => {
    const db = await pg.freshCentreDb({ upTo: 2 });
    await expect(insertCode(db, { used_at: '2026-03-02T03:05:00Z' })).rejects.toThrow(/centre_pairing_codes_used/);
    await expect(insertCode(db, { used_by_device: randomUUID() })).rejects.toThrow(/centre_pairing_codes_used/);
    await expect(insertCode(db, { used_at: '2026-03-02T03:05:00Z', used_by_device: randomUUID() })).rejects.toThrow(
      /foreign key/,
    );
    // Redemption: the code is marked first, the device row follows in the same transaction.
    const id = randomUUID();
    await db.transaction(async (tx) => {
      await insertCode(tx, { used_at: '2026-03-02T03:05:00Z', used_by_device: id });
      await insertDevice(tx, browser('kiosk', { id }));
    });
    const r = await db.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM centre_pairing_codes WHERE used_by_device = $1',
      [id],
    );
    expect(r.rows[0]!.n).toBe(1);
    await expect(insertCode(db, { used_at: '2026-03-02T03:06:00Z', used_by_device: id })).rejects.toThrow(
      /duplicate key/,
    );
  });
});

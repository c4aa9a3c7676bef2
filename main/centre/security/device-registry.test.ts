import { X509Certificate, createHash, generateKeyPairSync } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import { fixedClock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import type { CentreDb } from '../database/sql';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { certificateFingerprint, certificateInfo, createCentreCa, type CertificateAndKey } from './ca';
import { DEVICE_CHANNEL, DeviceRegistry, parseDeviceNotice } from './device-registry';
import { caMatchesCheck, parsePairingCode } from '../../remotes/centre/wire-pairing';

const AGENCY = '000.00.12.H56';
const INVALID = /Mã ghép nối không đúng, đã dùng hoặc đã hết hạn/;

let pg: TestPostgres;
let ca: CertificateAndKey;
beforeAll(async () => {
  [pg, ca] = await Promise.all([startTestPostgres(), createCentreCa({ commonName: 'CA', organization: 'UBND xã' })]);
}, 120_000);
afterAll(async () => {
  await pg.stop();
});

interface Setup {
  db: CentreDb;
  clock: ReturnType<typeof fixedClock>;
  registry: DeviceRegistry;
  logLines: string[];
}

async function setup(): Promise<Setup> {
  const db = await pg.freshCentreDb();
  const clock = fixedClock('2026-03-02T08:00');
  const logLines: string[] = [];
  const log: Logger = {
    log: (level, event, fields) => logLines.push(JSON.stringify({ level, event, fields })),
    child: () => log,
  };
  return { db, clock, logLines, registry: new DeviceRegistry({ db, clock, log, ca, agencyId: AGENCY }) };
}

function deskKey(): { publicKeyPem: string } {
  const k = generateKeyPairSync('ec', {
    namedCurve: 'P-256',
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  return { publicKeyPem: k.publicKey };
}

async function enrolDesk(s: Setup, name = 'Quầy') {
  const { code } = await s.registry.createPairingCode({ kind: 'desk', name, counter: 'Q01', actor: 'it' });
  return s.registry.redeemDesk({ code, ...deskKey() });
}

async function rejection(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a rejection');
}

async function auditText(db: CentreDb): Promise<string> {
  const r = await db.query('SELECT actor, action, entity, entity_id, details FROM centre_audit ORDER BY id');
  return JSON.stringify(r.rows);
}

describe('enrolling a desk', () => {
  it('issues a client certificate of the centre CA and authenticates it by fingerprint', async () => {
    const s = await setup();
    const { code, expiresAt } = await s.registry.createPairingCode({
      kind: 'desk',
      name: 'Quầy 1',
      counter: 'Q01',
      actor: 'it',
    });
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    expect(caMatchesCheck(ca.certPem, parsePairingCode(code).caCheck!)).toBe(true);
    expect(expiresAt).toBe(new Date(s.clock.now() + 15 * 60_000).toISOString());

    const r = await s.registry.redeemDesk({ code, ...deskKey() });
    expect(r.caPem).toBe(ca.certPem);
    expect(r.device).toMatchObject({
      kind: 'desk',
      name: 'Quầy 1',
      agencyId: AGENCY,
      counter: 'Q01',
      deskSlot: 0,
      printer: null,
    });
    const cert = new X509Certificate(r.certificatePem);
    expect(cert.verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    expect(certificateInfo(r.certificatePem).subjectCommonName).toBe(r.device.id);

    const fp = certificateFingerprint(r.certificatePem);
    expect(await s.registry.authenticateCertificate(fp)).toEqual(r.device);
    expect(await s.registry.authenticateCertificate(cert.fingerprint256)).toEqual(r.device);
    expect(await s.registry.authenticateCertificate('0'.repeat(64))).toBeNull();
    expect(await s.registry.authenticateCertificate('garbage')).toBeNull();
    // A desk is never authenticated by a token, nor a certificate holder by the token path.
    expect(await s.registry.authenticateToken(fp)).toBeNull();

    const [listed] = await s.registry.list();
    expect(listed).toMatchObject({ id: r.device.id, certificateFingerprint: fp, revokedAt: null, lastSeenAt: null });
    expect(listed!.certificateExpiresAt).toBe(certificateInfo(r.certificatePem).notAfter);

    const audit = await s.db.query<{ action: string; actor: string; entity_id: string | null }>(
      'SELECT action, actor, entity_id FROM centre_audit ORDER BY id',
    );
    expect(audit.rows).toEqual([
      { action: 'device.pairing-code', actor: 'it', entity_id: null },
      { action: 'device.enrol', actor: `device:${r.device.id}`, entity_id: r.device.id },
    ]);
    const details = await s.db.query<{ details: Record<string, unknown> }>(
      "SELECT details FROM centre_audit WHERE action = 'device.enrol'",
    );
    expect(details.rows[0]!.details).toMatchObject({
      kind: 'desk',
      deskSlot: 0,
      codeCreatedBy: 'it',
      certificateFingerprint: fp.match(/../g)!.join(':'),
    });
    const secret = parsePairingCode(code).secret;
    const text = `${await auditText(s.db)}\n${s.logLines.join('\n')}`;
    expect(text).not.toContain(secret);
    expect(text).not.toContain(createHash('sha256').update(secret).digest('hex'));
    expect(text).not.toContain('PRIVATE KEY');
  });

  it('refuses a bad public key without spending the code', async () => {
    const s = await setup();
    const { code } = await s.registry.createPairingCode({ kind: 'desk', name: 'Quầy 1', actor: 'it' });
    const weak = generateKeyPairSync('ec', {
      namedCurve: 'secp256k1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    expect((await rejection(s.registry.redeemDesk({ code, publicKeyPem: 'garbage' }))).code).toBe('VALIDATION_FAILED');
    expect((await rejection(s.registry.redeemDesk({ code, publicKeyPem: weak.publicKey }))).code).toBe(
      'VALIDATION_FAILED',
    );
    expect((await s.registry.redeemDesk({ code, ...deskKey() })).device.deskSlot).toBe(0);
  });

  it('refuses a desk code whose CA check is not this centre’s', async () => {
    const s = await setup();
    const { code } = await s.registry.createPairingCode({ kind: 'desk', name: 'Quầy 1', actor: 'it' });
    const tampered = `${code.slice(0, 10)}${code[10] === '0' ? '1' : '0'}${code.slice(11)}`;
    const err = await rejection(s.registry.redeemDesk({ code: tampered, ...deskKey() }));
    expect(err.code).toBe('CENTRE_PAIRING_INVALID');
    expect(err.message).toMatch(/không khớp chứng thư/);
    // The secret alone (the desk checked the CA itself) is enough.
    expect((await s.registry.redeemDesk({ code: code.slice(0, 9), ...deskKey() })).device.kind).toBe('desk');
  });
});

describe('enrolling a browser device', () => {
  it('binds a token of which only the SHA-256 is stored', async () => {
    const s = await setup();
    const { code } = await s.registry.createPairingCode({
      kind: 'kiosk',
      name: 'Kiosk sảnh',
      printer: 'tcp:192.168.1.50:9100',
      actor: 'it',
    });
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const r = await s.registry.redeemBrowser({ code: code.toLowerCase() });
    expect(r.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.device).toMatchObject({
      kind: 'kiosk',
      name: 'Kiosk sảnh',
      printer: 'tcp:192.168.1.50:9100',
      deskSlot: null,
    });
    expect(await s.registry.authenticateToken(r.token)).toEqual(r.device);
    expect(
      await s.registry.authenticateToken(`${r.token.slice(0, -1)}${r.token.endsWith('A') ? 'B' : 'A'}`),
    ).toBeNull();
    expect(await s.registry.authenticateToken('')).toBeNull();
    expect(await s.registry.authenticateToken(undefined as unknown as string)).toBeNull();

    const stored = await s.db.query<{ token_hash: string }>('SELECT token_hash FROM centre_devices');
    const hash = createHash('sha256').update(r.token).digest('hex');
    expect(stored.rows).toEqual([{ token_hash: hash }]);
    const text = `${await auditText(s.db)}\n${s.logLines.join('\n')}`;
    expect(text).toContain('device.enrol');
    for (const secret of [r.token, hash, parsePairingCode(code).secret]) expect(text).not.toContain(secret);
  });

  it('a rating tablet keeps its counter; a display has none', async () => {
    const s = await setup();
    const rating = await s.registry.createPairingCode({
      kind: 'rating',
      name: 'Đánh giá 2',
      counter: 'Q02',
      actor: 'it',
    });
    expect((await s.registry.redeemBrowser({ code: rating.code })).device).toMatchObject({
      kind: 'rating',
      counter: 'Q02',
    });
    const display = await s.registry.createPairingCode({ kind: 'display', name: 'Màn hình', actor: 'it' });
    expect((await s.registry.redeemBrowser({ code: display.code })).device).toMatchObject({
      kind: 'display',
      counter: null,
    });
  });
});

describe('pairing codes are one-time, expire, and tell nothing', () => {
  it('a used code, an expired code and an unknown code get the same answer', async () => {
    const s = await setup();
    const used = await s.registry.createPairingCode({ kind: 'display', name: 'Màn hình 1', actor: 'it' });
    await s.registry.redeemBrowser({ code: used.code });
    const second = await rejection(s.registry.redeemBrowser({ code: used.code }));

    const expiring = await s.registry.createPairingCode({
      kind: 'display',
      name: 'Màn hình 2',
      ttlMinutes: 5,
      actor: 'it',
    });
    s.clock.advance(5 * 60_000);
    const expired = await rejection(s.registry.redeemBrowser({ code: expiring.code }));
    const unknown = await rejection(s.registry.redeemBrowser({ code: 'ZZZZ-ZZZZ' }));
    for (const err of [second, expired, unknown]) {
      expect(err.code).toBe('CENTRE_PAIRING_INVALID');
      expect(err.message).toMatch(INVALID);
    }
    expect(second.message).toBe(expired.message);
    expect(unknown.message).toBe(expired.message);
    expect((await s.registry.list()).length).toBe(1);
  });

  it('a code is still good one second before it expires', async () => {
    const s = await setup();
    const { code } = await s.registry.createPairingCode({ kind: 'display', name: 'Màn hình', actor: 'it' });
    s.clock.advance(15 * 60_000 - 1000);
    expect((await s.registry.redeemBrowser({ code })).device.kind).toBe('display');
  });

  it('garbage codes are refused without touching the database', async () => {
    const s = await setup();
    for (const code of ['garbage', '', 'ABCD', 'ABCD-EFGH-IJ', "' OR 1=1 --", null, 12345678]) {
      expect((await rejection(s.registry.redeemBrowser({ code: code as string }))).code).toBe('CENTRE_PAIRING_INVALID');
      expect((await rejection(s.registry.redeemDesk({ code: code as string, ...deskKey() }))).code).toBe(
        'CENTRE_PAIRING_INVALID',
      );
    }
  });

  it('a code of the other path is refused and stays good for its own path', async () => {
    const s = await setup();
    const deskCode = await s.registry.createPairingCode({ kind: 'desk', name: 'Quầy 1', actor: 'it' });
    const kioskCode = await s.registry.createPairingCode({ kind: 'kiosk', name: 'Kiosk', actor: 'it' });
    const a = await rejection(s.registry.redeemBrowser({ code: deskCode.code }));
    const b = await rejection(s.registry.redeemDesk({ code: kioskCode.code, ...deskKey() }));
    expect([a.code, b.code]).toEqual(['CENTRE_PAIRING_INVALID', 'CENTRE_PAIRING_INVALID']);
    expect(a.message).toMatch(/máy bàn/);
    expect(b.message).toMatch(/\/pair/);
    expect((await s.registry.redeemDesk({ code: deskCode.code, ...deskKey() })).device.kind).toBe('desk');
    expect((await s.registry.redeemBrowser({ code: kioskCode.code })).device.kind).toBe('kiosk');
  });

  it('two simultaneous redemptions of one code: exactly one wins', async () => {
    const s = await setup();
    const browserCode = await s.registry.createPairingCode({ kind: 'kiosk', name: 'Kiosk', actor: 'it' });
    const deskCode = await s.registry.createPairingCode({ kind: 'desk', name: 'Quầy', actor: 'it' });
    const results = await Promise.allSettled([
      ...Array.from({ length: 4 }, () => s.registry.redeemBrowser({ code: browserCode.code })),
      ...Array.from({ length: 4 }, () => s.registry.redeemDesk({ code: deskCode.code, ...deskKey() })),
    ]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(2);
    expect(lost.map((r) => (r.reason as AppError).code)).toEqual(Array(6).fill('CENTRE_PAIRING_INVALID'));
    expect((await s.registry.list()).map((d) => d.kind).sort()).toEqual(['desk', 'kiosk']);
    const enrolments = await s.db.query("SELECT 1 FROM centre_audit WHERE action = 'device.enrol'");
    expect(enrolments.rowCount).toBe(2);
  });

  it('refuses bad requests for a code', async () => {
    const s = await setup();
    const bad: Array<[Record<string, unknown>, string]> = [
      [{ kind: 'printer', name: 'x' }, 'kind'],
      [{ kind: 'kiosk', name: '   ' }, 'name'],
      [{ kind: 'kiosk', name: 'x'.repeat(101) }, 'name'],
      [{ kind: 'rating', name: 'Đánh giá' }, 'counter'],
      [{ kind: 'display', name: 'Màn hình', counter: 'Q01' }, 'counter'],
      [{ kind: 'desk', name: 'Quầy', counter: 'Q'.repeat(21) }, 'counter'],
      [{ kind: 'display', name: 'Màn hình', printer: 'tcp:10.0.0.1:9100' }, 'printer'],
      [{ kind: 'kiosk', name: 'Kiosk', printer: 'lpt1' }, 'printer'],
      [{ kind: 'kiosk', name: 'Kiosk', ttlMinutes: 0 }, 'ttlMinutes'],
      [{ kind: 'kiosk', name: 'Kiosk', ttlMinutes: 1.5 }, 'ttlMinutes'],
      [{ kind: 'kiosk', name: 'Kiosk', agencyId: 'H56' }, 'agencyId'],
      [{ kind: 'kiosk', name: 'Kiosk', actor: '' }, 'actor'],
    ];
    for (const [p, field] of bad) {
      const err = await rejection(s.registry.createPairingCode({ actor: 'it', ...p } as never));
      expect(err.code, JSON.stringify(p)).toBe('VALIDATION_FAILED');
      expect(err.details).toEqual({ field });
    }
    const r = await s.db.query('SELECT 1 FROM centre_pairing_codes');
    expect(r.rowCount).toBe(0);
  });
});

describe('revocation', () => {
  it('refuses the device at once, notifies listeners, and is audited', async () => {
    const s = await setup();
    const payloads: string[] = [];
    const unlisten = await s.db.listen(DEVICE_CHANNEL, (p) => payloads.push(p));
    const deskEnrol = await enrolDesk(s, 'Quầy 1');
    const kioskCode = await s.registry.createPairingCode({ kind: 'kiosk', name: 'Kiosk', actor: 'it' });
    const kiosk = await s.registry.redeemBrowser({ code: kioskCode.code });
    const fp = certificateFingerprint(deskEnrol.certificatePem);

    const revoked = await s.registry.revoke(deskEnrol.device.id, 'it');
    expect(revoked.revokedAt).toBe(new Date(s.clock.now()).toISOString());
    expect(await s.registry.authenticateCertificate(fp)).toBeNull();
    expect(await s.registry.revokedDeviceId({ fingerprint: fp })).toBe(deskEnrol.device.id);
    expect(await s.registry.authenticateToken(kiosk.token)).toEqual(kiosk.device);
    expect(await s.registry.revokedDeviceId({ token: kiosk.token })).toBeNull();

    await s.registry.revoke(kiosk.device.id.toUpperCase(), 'device:admin/it');
    expect(await s.registry.authenticateToken(kiosk.token)).toBeNull();
    expect(await s.registry.revokedDeviceId({ token: kiosk.token })).toBe(kiosk.device.id);
    expect(await s.registry.revokedDeviceId({ token: 'nope', fingerprint: 'nope' })).toBeNull();

    await expect.poll(() => payloads.length, { timeout: 5000 }).toBe(2);
    expect(payloads.map(parseDeviceNotice)).toEqual([{ revoked: deskEnrol.device.id }, { revoked: kiosk.device.id }]);
    for (const bad of ['', 'marker', '{}', '{"revoked":42}', '{"revoked":"x"}', '[1]', 'null']) {
      expect(parseDeviceNotice(bad)).toBeNull();
    }
    await unlisten();

    const audit = await s.db.query<{ actor: string; entity_id: string }>(
      "SELECT actor, entity_id FROM centre_audit WHERE action = 'device.revoke' ORDER BY id",
    );
    expect(audit.rows).toEqual([
      { actor: 'it', entity_id: deskEnrol.device.id },
      { actor: 'device:admin/it', entity_id: kiosk.device.id },
    ]);
    const list = await s.registry.list();
    expect(list.every((d) => d.revokedAt !== null)).toBe(true);
  });

  it('a second revocation, an unknown device and a malformed id are refused', async () => {
    const s = await setup();
    const d = await enrolDesk(s);
    await s.registry.revoke(d.device.id, 'it');
    expect((await rejection(s.registry.revoke(d.device.id, 'it'))).code).toBe('CENTRE_DEVICE_REVOKED');
    expect((await rejection(s.registry.revoke('6f1c7e0a-0000-4000-8000-000000000000', 'it'))).code).toBe('NOT_FOUND');
    expect((await rejection(s.registry.revoke(d.device.id, ''))).code).toBe('VALIDATION_FAILED');
    expect((await rejection(s.registry.revoke("1'; DROP TABLE centre_devices; --", 'it'))).code).toBe(
      'VALIDATION_FAILED',
    );
    const audit = await s.db.query("SELECT 1 FROM centre_audit WHERE action = 'device.revoke'");
    expect(audit.rowCount).toBe(1);
  });

  it('a refused second revocation sends no notification', async () => {
    const s = await setup();
    const payloads: string[] = [];
    const unlisten = await s.db.listen(DEVICE_CHANNEL, (p) => payloads.push(p));
    const d = await enrolDesk(s);
    await s.registry.revoke(d.device.id, 'it');
    await rejection(s.registry.revoke(d.device.id, 'it'));
    await expect.poll(() => payloads.length, { timeout: 5000 }).toBe(1);
    // A marker sent after the failed attempt arrives with nothing before it.
    await s.db.query('SELECT pg_notify($1, $2)', [DEVICE_CHANNEL, 'marker']);
    await expect.poll(() => payloads.length, { timeout: 5000 }).toBe(2);
    expect(payloads[1]).toBe('marker');
    await unlisten();
  });
});

describe('desk slots', () => {
  it('ten active desks fill the slots; the eleventh is refused and its code stays unspent', async () => {
    const s = await setup();
    const slots: number[] = [];
    for (let i = 0; i < 10; i += 1) slots.push((await enrolDesk(s, `Quầy ${i + 1}`)).device.deskSlot!);
    expect(slots).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const { code } = await s.registry.createPairingCode({ kind: 'desk', name: 'Quầy 11', actor: 'it' });
    const full = await rejection(s.registry.redeemDesk({ code, ...deskKey() }));
    expect(full.code).toBe('CENTRE_DESK_SLOTS_FULL');
    // Kiosks and displays take no slot.
    const kiosk = await s.registry.createPairingCode({ kind: 'kiosk', name: 'Kiosk', actor: 'it' });
    expect((await s.registry.redeemBrowser({ code: kiosk.code })).device.deskSlot).toBeNull();
    const unspent = await s.db.query('SELECT 1 FROM centre_pairing_codes WHERE used_at IS NULL');
    expect(unspent.rowCount).toBe(1);
  });

  it('a revoked desk’s slot is not reused the same day, and is reused from the next day', async () => {
    const s = await setup();
    s.clock.set('2026-03-02T23:50');
    const desks = [];
    for (let i = 0; i < 3; i += 1) desks.push(await enrolDesk(s, `Quầy ${i + 1}`));
    await s.registry.revoke(desks[1]!.device.id, 'it');
    // Same (Vietnam) day: slot 1 stays taken, the next desk gets 3.
    expect((await enrolDesk(s, 'Quầy 4')).device.deskSlot).toBe(3);
    s.clock.set('2026-03-03T00:00');
    expect((await enrolDesk(s, 'Quầy 5')).device.deskSlot).toBe(1);
    expect((await enrolDesk(s, 'Quầy 6')).device.deskSlot).toBe(4);
  });

  it('with all ten slots held, revoking one frees a slot only the next day', async () => {
    const s = await setup();
    const desks = [];
    for (let i = 0; i < 10; i += 1) desks.push(await enrolDesk(s, `Quầy ${i + 1}`));
    await s.registry.revoke(desks[6]!.device.id, 'it');
    const { code } = await s.registry.createPairingCode({
      kind: 'desk',
      name: 'Quầy mới',
      ttlMinutes: 1440,
      actor: 'it',
    });
    expect((await rejection(s.registry.redeemDesk({ code, ...deskKey() }))).code).toBe('CENTRE_DESK_SLOTS_FULL');
    s.clock.set('2026-03-03T07:30');
    expect((await s.registry.redeemDesk({ code, ...deskKey() })).device.deskSlot).toBe(6);
  });

  it('simultaneous desk enrolments get different slots', async () => {
    const s = await setup();
    const codes = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        s.registry.createPairingCode({ kind: 'desk', name: `Quầy ${i}`, actor: 'it' }),
      ),
    );
    const enrolled = await Promise.all(codes.map(({ code }) => s.registry.redeemDesk({ code, ...deskKey() })));
    expect(enrolled.map((e) => e.device.deskSlot).sort()).toEqual([0, 1, 2, 3, 4]);
  });
});

describe('touch', () => {
  it('writes last_seen_at at most once a minute per device, never for a revoked one', async () => {
    const s = await setup();
    const a = await enrolDesk(s, 'Quầy 1');
    const b = await enrolDesk(s, 'Quầy 2');
    const seen = async (id: string) => (await s.registry.list()).find((d) => d.id === id)!.lastSeenAt;
    const t0 = new Date(s.clock.now()).toISOString();
    await s.registry.touch(a.device.id);
    expect(await seen(a.device.id)).toBe(t0);
    s.clock.advance(59_000);
    await s.registry.touch(a.device.id);
    await s.registry.touch(b.device.id);
    expect(await seen(a.device.id)).toBe(t0);
    expect(await seen(b.device.id)).toBe(new Date(s.clock.now()).toISOString());
    s.clock.advance(1_000);
    await s.registry.touch(a.device.id);
    expect(await seen(a.device.id)).toBe(new Date(s.clock.now()).toISOString());

    await s.registry.revoke(b.device.id, 'it');
    s.clock.advance(120_000);
    const before = await seen(b.device.id);
    await s.registry.touch(b.device.id);
    expect(await seen(b.device.id)).toBe(before);
    await expect(s.registry.touch('not-a-uuid')).resolves.toBeUndefined();
  });

  it('a failed write is logged and tried again on the next call', async () => {
    const s = await setup();
    const a = await enrolDesk(s);
    await s.db.query('ALTER TABLE centre_devices RENAME COLUMN last_seen_at TO seen_later');
    await expect(s.registry.touch(a.device.id)).resolves.toBeUndefined();
    expect(s.logLines.some((l) => l.includes('centre.device.touch-failed'))).toBe(true);
    await s.db.query('ALTER TABLE centre_devices RENAME COLUMN seen_later TO last_seen_at');
    await s.registry.touch(a.device.id);
    expect((await s.registry.list())[0]!.lastSeenAt).toBe(new Date(s.clock.now()).toISOString());
  });
});

describe('certificate expiry', () => {
  it('a desk whose certificate has expired is no longer authenticated', async () => {
    const s = await setup();
    const d = await enrolDesk(s);
    const fp = certificateFingerprint(d.certificatePem);
    s.clock.set('2028-02-29T08:00');
    expect(await s.registry.authenticateCertificate(fp)).not.toBeNull();
    s.clock.set('2028-03-03T08:00');
    expect(await s.registry.authenticateCertificate(fp)).toBeNull();
  });
});

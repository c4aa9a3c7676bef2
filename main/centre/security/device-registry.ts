import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { AppError } from '../../../common/contract/errors';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { appendCentreAudit } from '../database/audit';
import type { CentreDb, Sql } from '../database/sql';
import { certificateFingerprint, certificateInfo, checkClientPublicKey, issueClientCertificate } from './ca';
import type { AuthenticatedDevice, DeviceKind, DeviceRecord } from './device';
import { checkPairingRequest, type PairingCodeRequest } from './pairing-request';
import {
  caCheckOf,
  caMatchesCheck,
  formatPairingCode,
  newPairingSecret,
  pairingSecretHash,
  parsePairingCode,
} from '../../remotes/centre/wire-pairing';

export type { PairingCodeRequest } from './pairing-request';

/** NOTIFY channel of device changes: `{"revoked":"<device id>"}` (the server closes its sockets). */
export const DEVICE_CHANNEL = 'motcua_devices';

/** Reads a `motcua_devices` payload; null for anything else (never throws). */
export function parseDeviceNotice(payload: string): { revoked: string } | null {
  try {
    const value: unknown = JSON.parse(payload);
    if (value && typeof value === 'object' && 'revoked' in value) {
      const id = (value as { revoked: unknown }).revoked;
      if (typeof id === 'string' && UUID.test(id)) return { revoked: id };
    }
  } catch {
    // not JSON: not ours
  }
  return null;
}

export interface DeviceRegistryDeps {
  db: CentreDb;
  clock: Clock;
  log: Logger;
  /** The centre's CA (tls-files.ts `loadCentreTls`): signs desk certificates. */
  ca: { certPem: string; keyPem: string };
  /** The agency the centre serves (`centre_identity.agency_id`): the default of new codes. */
  agencyId: string;
}

const DESK_SLOTS = 10;
const TOUCH_EVERY_MS = 60_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const PAIRING_INVALID = 'Mã ghép nối không đúng, đã dùng hoặc đã hết hạn. Hãy xin bộ phận IT một mã mới.';

interface DeviceRow {
  id: string;
  kind: DeviceKind;
  name: string;
  agency_id: string;
  counter: string | null;
  desk_slot: number | null;
  printer: string | null;
  cert_fingerprint: string | null;
  cert_expires_at: Date | null;
  enrolled_at: Date;
  last_seen_at: Date | null;
  revoked_at: Date | null;
}

interface CodeRow {
  kind: DeviceKind;
  name: string;
  agency_id: string;
  counter: string | null;
  printer: string | null;
  created_by: string;
}

const DEVICE_COLUMNS =
  'id, kind, name, agency_id, counter, desk_slot, printer, cert_fingerprint, cert_expires_at, enrolled_at, last_seen_at, revoked_at';

/**
 * Enrolled devices of the centre (docs/architecture.md, "Centre"): one-time pairing codes, desk
 * enrolment (a client certificate signed by the centre's CA), browser enrolment (a device token),
 * authentication of every request, revocation. Every change is one transaction with its audit entry;
 * neither codes nor tokens reach the database, the audit trail or the log (only their SHA-256 is kept).
 */
export class DeviceRegistry {
  private readonly lastTouch = new Map<string, number>();

  constructor(private readonly deps: DeviceRegistryDeps) {}

  /** A new one-time code for a device IT is about to enrol; a desk's code carries the CA check. */
  async createPairingCode(p: PairingCodeRequest): Promise<{ code: string; expiresAt: string }> {
    const req = checkPairingRequest(p, this.deps.agencyId);
    const now = this.deps.clock.now();
    const expiresAt = new Date(now + req.ttlMinutes * 60_000);
    for (let attempt = 0; ; attempt += 1) {
      const secret = newPairingSecret();
      const stored = await this.deps.db.transaction(async (tx) => {
        const r = await tx.query(
          `INSERT INTO centre_pairing_codes (secret_hash, kind, name, agency_id, counter, printer, created_by, created_at, expires_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (secret_hash) DO NOTHING`,
          [
            pairingSecretHash(secret),
            req.kind,
            req.name,
            req.agencyId,
            req.counter,
            req.printer,
            p.actor,
            new Date(now),
            expiresAt,
          ],
        );
        if (r.rowCount === 0) return false;
        await appendCentreAudit(tx, {
          actor: p.actor,
          action: 'device.pairing-code',
          entity: 'device',
          details: {
            kind: req.kind,
            name: req.name,
            agencyId: req.agencyId,
            counter: req.counter,
            printer: req.printer,
            expiresAt: expiresAt.toISOString(),
          },
        });
        return true;
      });
      // 40 bits: a collision with a stored code is next to impossible; try again if it happens.
      if (stored) {
        this.deps.log.log('info', 'centre.device.pairing-code', { kind: req.kind, name: req.name, actor: p.actor });
        const caCheck = req.kind === 'desk' ? caCheckOf(this.deps.ca.certPem) : null;
        return { code: formatPairingCode(secret, caCheck), expiresAt: expiresAt.toISOString() };
      }
      if (attempt >= 3) throw new Error('could not store a fresh pairing code');
    }
  }

  /**
   * Enrols a desk: spends its code, picks the smallest free desk slot, issues the client
   * certificate for the desk's public key. A bad key is refused before the code is spent.
   */
  async redeemDesk(p: {
    code: string;
    publicKeyPem: string;
  }): Promise<{ device: AuthenticatedDevice; certificatePem: string; caPem: string }> {
    const parsed = parsePairingCode(p.code);
    if (parsed.caCheck !== null && !caMatchesCheck(this.deps.ca.certPem, parsed.caCheck)) {
      throw new AppError(
        'CENTRE_PAIRING_INVALID',
        'Phần sau của mã ghép nối không khớp chứng thư của trung tâm này: kiểm tra địa chỉ trung tâm và mã.',
      );
    }
    checkClientPublicKey(p.publicKeyPem);
    const id = randomUUID();
    const now = this.deps.clock.now();
    const { device, certificatePem } = await this.deps.db.transaction(async (tx) => {
      const code = await this.spend(tx, parsed.secret, id, now, 'desk');
      const slot = await this.freeDeskSlot(tx, code.agency_id);
      const certificatePem = await issueClientCertificate(this.deps.ca, {
        publicKeyPem: p.publicKeyPem,
        deviceId: id,
        kind: 'desk',
        name: code.name,
        now,
      });
      const fingerprint = certificateFingerprint(certificatePem);
      const expires = certificateInfo(certificatePem).notAfter;
      const r = await tx.query<DeviceRow>(
        `INSERT INTO centre_devices (id, kind, name, agency_id, counter, desk_slot, printer, cert_fingerprint, cert_expires_at, enrolled_at)
         VALUES ($1, 'desk', $2, $3, $4, $5, NULL, $6, $7, $8) RETURNING ${DEVICE_COLUMNS}`,
        [id, code.name, code.agency_id, code.counter, slot, fingerprint, new Date(expires), new Date(now)],
      );
      const device = toRecord(r.rows[0]!);
      await appendCentreAudit(tx, {
        actor: `device:${id}`,
        action: 'device.enrol',
        entity: 'device',
        entityId: id,
        details: {
          ...enrolDetails(device, code),
          // Colon-separated, as certificate tools show it (and never taken for a personal number).
          certificateFingerprint: fingerprint.match(/../g)!.join(':'),
          certificateExpiresAt: expires,
        },
      });
      return { device, certificatePem };
    });
    this.deps.log.log('info', 'centre.device.enrolled', {
      deviceId: id,
      kind: 'desk',
      name: device.name,
      deskSlot: device.deskSlot,
    });
    return { device: toAuthenticated(device), certificatePem, caPem: this.deps.ca.certPem };
  }

  /** Enrols a kiosk, display or rating tablet: spends its code and binds a new device token. */
  async redeemBrowser(p: { code: string }): Promise<{ device: AuthenticatedDevice; token: string }> {
    const parsed = parsePairingCode(p.code);
    const id = randomUUID();
    const token = randomBytes(32).toString('base64url');
    const now = this.deps.clock.now();
    const device = await this.deps.db.transaction(async (tx) => {
      const code = await this.spend(tx, parsed.secret, id, now, 'browser');
      const r = await tx.query<DeviceRow>(
        `INSERT INTO centre_devices (id, kind, name, agency_id, counter, printer, token_hash, enrolled_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING ${DEVICE_COLUMNS}`,
        [id, code.kind, code.name, code.agency_id, code.counter, code.printer, tokenHash(token), new Date(now)],
      );
      const device = toRecord(r.rows[0]!);
      await appendCentreAudit(tx, {
        actor: `device:${id}`,
        action: 'device.enrol',
        entity: 'device',
        entityId: id,
        details: enrolDetails(device, code),
      });
      return device;
    });
    this.deps.log.log('info', 'centre.device.enrolled', { deviceId: id, kind: device.kind, name: device.name });
    return { device: toAuthenticated(device), token };
  }

  /** The active desk whose client certificate (already verified by TLS) has this SHA-256; else null. */
  async authenticateCertificate(fingerprintHex: string): Promise<AuthenticatedDevice | null> {
    const fp = normaliseFingerprint(fingerprintHex);
    if (!fp) return null;
    const r = await this.deps.db.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM centre_devices
       WHERE cert_fingerprint = $1 AND kind = 'desk' AND revoked_at IS NULL AND cert_expires_at > $2`,
      [fp, new Date(this.deps.clock.now())],
    );
    return r.rows[0] ? toAuthenticated(toRecord(r.rows[0])) : null;
  }

  /** The active browser device holding this token (cookie `motcua_device`); else null. */
  async authenticateToken(token: string): Promise<AuthenticatedDevice | null> {
    if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(token)) return null;
    const r = await this.deps.db.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM centre_devices WHERE token_hash = $1 AND kind <> 'desk' AND revoked_at IS NULL`,
      [tokenHash(token)],
    );
    return r.rows[0] ? toAuthenticated(toRecord(r.rows[0])) : null;
  }

  /**
   * The id of the revoked device this credential belonged to, or null (unknown or active): lets the
   * server answer CENTRE_DEVICE_REVOKED instead of CENTRE_NOT_ENROLLED.
   */
  async revokedDeviceId(credential: { fingerprint?: string; token?: string }): Promise<string | null> {
    const fp = credential.fingerprint === undefined ? null : normaliseFingerprint(credential.fingerprint);
    const th =
      typeof credential.token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(credential.token)
        ? tokenHash(credential.token)
        : null;
    if (!fp && !th) return null;
    const r = await this.deps.db.query<{ id: string }>(
      'SELECT id FROM centre_devices WHERE revoked_at IS NOT NULL AND (cert_fingerprint = $1 OR token_hash = $2)',
      [fp, th],
    );
    return r.rows[0]?.id ?? null;
  }

  /** Records that the device was seen: at most one write a minute per device; never throws. */
  async touch(deviceId: string): Promise<void> {
    if (typeof deviceId !== 'string' || !UUID.test(deviceId)) return;
    const now = this.deps.clock.now();
    const last = this.lastTouch.get(deviceId);
    if (last !== undefined && now - last < TOUCH_EVERY_MS && now >= last) return;
    this.lastTouch.set(deviceId, now);
    try {
      await this.deps.db.query('UPDATE centre_devices SET last_seen_at = $2 WHERE id = $1 AND revoked_at IS NULL', [
        deviceId,
        new Date(now),
      ]);
    } catch (err) {
      this.lastTouch.delete(deviceId);
      this.deps.log.log('warn', 'centre.device.touch-failed', {
        deviceId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  /**
   * Revokes a device at once: every later request is refused, and the NOTIFY (sent at commit) lets
   * the server close its open connections. A desk's slot stays taken until the next day.
   */
  async revoke(deviceId: string, actor: string): Promise<DeviceRecord> {
    if (typeof deviceId !== 'string' || !UUID.test(deviceId.toLowerCase())) {
      throw new AppError('VALIDATION_FAILED', `"${String(deviceId)}" không phải mã thiết bị (dạng UUID).`);
    }
    if (typeof actor !== 'string' || actor.length === 0)
      throw new AppError('VALIDATION_FAILED', 'Thiếu người thu hồi.');
    const id = deviceId.toLowerCase();
    const now = this.deps.clock.now();
    const record = await this.deps.db.transaction(async (tx) => {
      const r = await tx.query<DeviceRow>(
        `UPDATE centre_devices SET revoked_at = $2, revoked_by = $3,
           slot_free_from = CASE WHEN kind = 'desk' THEN $4::date + 1 END
         WHERE id = $1 AND revoked_at IS NULL RETURNING ${DEVICE_COLUMNS}`,
        [id, new Date(now), actor, this.deps.clock.today()],
      );
      const row = r.rows[0];
      if (!row) {
        const found = await tx.query<{ revoked_at: Date | null }>(
          'SELECT revoked_at FROM centre_devices WHERE id = $1',
          [id],
        );
        const revokedAt = found.rows[0]?.revoked_at;
        if (revokedAt) {
          throw new AppError('CENTRE_DEVICE_REVOKED', `Thiết bị ${id} đã bị thu hồi từ ${revokedAt.toISOString()}.`);
        }
        throw new AppError('NOT_FOUND', `Không có thiết bị ${id}.`);
      }
      const record = toRecord(row);
      await appendCentreAudit(tx, {
        actor,
        action: 'device.revoke',
        entity: 'device',
        entityId: id,
        details: { kind: record.kind, name: record.name, deskSlot: record.deskSlot },
      });
      await tx.query('SELECT pg_notify($1, $2)', [DEVICE_CHANNEL, JSON.stringify({ revoked: id })]);
      return record;
    });
    this.lastTouch.delete(id);
    this.deps.log.log('info', 'centre.device.revoked', { deviceId: id, kind: record.kind, actor });
    return record;
  }

  /** Every device, revoked ones included, in enrolment order. */
  async list(): Promise<DeviceRecord[]> {
    const r = await this.deps.db.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM centre_devices ORDER BY enrolled_at, id`,
    );
    return r.rows.map(toRecord);
  }

  /**
   * Spends a code in the caller's transaction: exactly one of two simultaneous redemptions gets the
   * row (the other waits on its lock and then finds `used_at` set). A code of the other path
   * (desk vs browser) is refused and, the transaction rolling back, stays unspent.
   */
  private async spend(
    tx: Sql,
    secret: string,
    deviceId: string,
    now: number,
    path: 'desk' | 'browser',
  ): Promise<CodeRow> {
    const r = await tx.query<CodeRow>(
      `UPDATE centre_pairing_codes SET used_at = $3, used_by_device = $2
       WHERE secret_hash = $1 AND used_at IS NULL AND expires_at > $3
       RETURNING kind, name, agency_id, counter, printer, created_by`,
      [pairingSecretHash(secret), deviceId, new Date(now)],
    );
    const code = r.rows[0];
    if (!code) throw new AppError('CENTRE_PAIRING_INVALID', PAIRING_INVALID);
    if (path === 'desk' && code.kind !== 'desk') {
      throw new AppError(
        'CENTRE_PAIRING_INVALID',
        'Mã ghép nối này dành cho kiosk, màn hình hoặc máy đánh giá: nhập mã ở trang /pair trên thiết bị đó.',
      );
    }
    if (path === 'browser' && code.kind === 'desk') {
      throw new AppError(
        'CENTRE_PAIRING_INVALID',
        'Mã ghép nối này dành cho máy bàn: nhập mã trong ứng dụng Một Cửa Desk.',
      );
    }
    return code;
  }

  /**
   * The smallest slot (0-9) neither held by an active desk of the agency nor by one revoked today or
   * later (its numbers of the day may be in use). Allocations of one agency run one at a time.
   */
  private async freeDeskSlot(tx: Sql, agencyId: string): Promise<number> {
    await tx.query("SELECT pg_advisory_xact_lock(hashtext('motcua-desk-slot:' || $1))", [agencyId]);
    const held = await tx.query<{ desk_slot: number }>(
      `SELECT desk_slot FROM centre_devices
       WHERE agency_id = $1 AND kind = 'desk' AND (revoked_at IS NULL OR slot_free_from > $2::date)`,
      [agencyId, this.deps.clock.today()],
    );
    const taken = new Set(held.rows.map((r) => r.desk_slot));
    for (let slot = 0; slot < DESK_SLOTS; slot += 1) if (!taken.has(slot)) return slot;
    throw new AppError(
      'CENTRE_DESK_SLOTS_FULL',
      `Cơ quan ${agencyId} đã có đủ ${DESK_SLOTS} máy bàn đang hoạt động (hoặc vừa thu hồi hôm nay): thu hồi một máy không dùng nữa rồi thử lại (chỗ của máy thu hồi dùng lại được từ hôm sau).`,
    );
  }
}

function enrolDetails(device: DeviceRecord, code: CodeRow): Record<string, unknown> {
  return {
    kind: device.kind,
    name: device.name,
    agencyId: device.agencyId,
    counter: device.counter,
    deskSlot: device.deskSlot,
    printer: device.printer,
    codeCreatedBy: code.created_by,
  };
}

function tokenHash(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/** `AB:CD:…` or `abcd…` → 64 lowercase hex characters, or null. */
function normaliseFingerprint(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const hex = value.replace(/:/g, '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : null;
}

function toRecord(r: DeviceRow): DeviceRecord {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    agencyId: r.agency_id,
    counter: r.counter,
    deskSlot: r.desk_slot,
    printer: r.printer,
    enrolledAt: r.enrolled_at.toISOString(),
    lastSeenAt: r.last_seen_at?.toISOString() ?? null,
    revokedAt: r.revoked_at?.toISOString() ?? null,
    certificateFingerprint: r.cert_fingerprint,
    certificateExpiresAt: r.cert_expires_at?.toISOString() ?? null,
  };
}

function toAuthenticated(d: DeviceRecord): AuthenticatedDevice {
  return {
    id: d.id,
    kind: d.kind,
    name: d.name,
    agencyId: d.agencyId,
    counter: d.counter,
    deskSlot: d.deskSlot,
    printer: d.printer,
  };
}

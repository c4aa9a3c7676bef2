/**
 * The token host: a child process that loads one vendor PKCS#11 module (graphene-pk11) and
 * answers requests from `Pkcs11TokenProvider` over the `child_process.fork` channel. Vendor
 * modules crash; when one does, only this process dies and the core reports
 * `TOKEN_MODULE_CRASHED`.
 *
 * The PIN arrives in one `login` request and is handed straight to `C_Login`; it is never
 * stored, echoed or logged. Errors answer with a code and a message naming the PKCS#11 return
 * value (`CKR_…`), never a PIN.
 */
import { createRequire } from 'node:module';
import type * as Graphene from 'graphene-pk11';
import { ckrName, codeForCkr, WRONG_PIN_CKRS, wrongPin } from './pkcs11-errors';
import type {
  HostErrorCode,
  HostRequest,
  HostResponse,
  HostSlot,
  HostCertificate,
  HostKeyInfo,
} from './pkcs11-protocol';

const require = createRequire(import.meta.url);

const CKA_LABEL = 0x03;
const CKA_VALUE = 0x11;
const CKA_KEY_TYPE = 0x100;
const CKA_ID = 0x102;
const CKA_EC_PARAMS = 0x180;
const CKO_CERTIFICATE = 1;
const CKO_PRIVATE_KEY = 3;
const CKK_RSA = 0;
const CKK_EC = 3;
const CKM_RSA_PKCS = 0x01;
const CKM_SHA256_RSA_PKCS = 0x40;
const CKM_ECDSA = 0x1041;
const CKF_SIGN = 0x800;
const CKF_TOKEN_PRESENT = 0x1;
const CKF_SERIAL_SESSION = 0x4;
const CKU_USER = 1;

const OID_P256 = Buffer.from('06082a8648ce3d030107', 'hex');
const OID_P384 = Buffer.from('06052b81040022', 'hex');

class HostError extends Error {
  constructor(
    readonly code: HostErrorCode,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }
}

let graphene: typeof Graphene | null = null;
let mod: Graphene.Module | null = null;
const sessions = new Map<number, { session: Graphene.Session; slot: Graphene.Slot; serial: string }>();
let nextSession = 1;

function describe(error: unknown): string {
  return ckrName(error) ?? (error instanceof Error ? error.message : String(error));
}

/** Maps a PKCS#11 failure to a contract code. */
function mapError(error: unknown, context: string): HostError {
  if (error instanceof HostError) return error;
  return new HostError(codeForCkr(ckrName(error)), `${context}: ${describe(error)}`);
}

function requireModule(): Graphene.Module {
  if (mod === null) throw new HostError('TOKEN_MODULE_LOAD_FAILED', 'no module loaded');
  return mod;
}

function slotKey(handle: Buffer): string {
  return handle.length === 8
    ? handle.readBigUInt64LE(0).toString()
    : handle.length === 4
      ? String(handle.readUInt32LE(0))
      : handle.toString('hex');
}

function findSlot(slotId: string): Graphene.Slot {
  const slots = requireModule().getSlots(false);
  for (let i = 0; i < slots.length; i += 1) {
    const slot = slots.items(i);
    if (slotKey(slot.handle) === slotId) return slot;
  }
  throw new HostError('TOKEN_NOT_FOUND', `slot ${slotId} not found`);
}

function session(id: number): { session: Graphene.Session; slot: Graphene.Slot; serial: string } {
  const found = sessions.get(id);
  if (found === undefined) throw new HostError('TOKEN_NOT_LOGGED_IN', 'session closed');
  return found;
}

/**
 * Throws `TOKEN_REMOVED` when the token the session was opened on is no longer in its slot (or
 * another token is). Some modules answer a pulled-out token with "object not found" or a generic
 * error rather than `CKR_DEVICE_REMOVED`; this tells the cases apart.
 */
function assertStillPresent(entry: { slot: Graphene.Slot; serial: string }, context: string): void {
  let serial: string | null;
  try {
    serial = entry.slot.getToken().serialNumber.trim();
  } catch {
    serial = null;
  }
  if (serial !== entry.serial) throw new HostError('TOKEN_REMOVED', `${context}: the token was removed`);
}

function tokenFlags(slot: Graphene.Slot): number {
  return slot.getToken().flags;
}

function ulong(buffer: Buffer): number {
  return buffer.length >= 4 ? buffer.readUInt32LE(0) : (buffer[0] ?? 0);
}

function findObjects(s: Graphene.Session, template: Record<string, unknown>): Graphene.SessionObject[] {
  const found = s.find(template as Graphene.ITemplate);
  const out: Graphene.SessionObject[] = [];
  for (let i = 0; i < found.length; i += 1) out.push(found.items(i));
  return out;
}

function privateKey(s: Graphene.Session, keyId: string): Graphene.SessionObject | null {
  return findObjects(s, { class: CKO_PRIVATE_KEY, id: Buffer.from(keyId, 'hex') })[0] ?? null;
}

function signMechanisms(slot: Graphene.Slot): Set<number> {
  const out = new Set<number>();
  const list = slot.getMechanisms();
  for (let i = 0; i < list.length; i += 1) {
    const m = list.items(i);
    if ((m.flags & CKF_SIGN) !== 0) out.add(m.type as number);
  }
  return out;
}

function handle(request: HostRequest): unknown {
  switch (request.op) {
    case 'load': {
      try {
        graphene = require('graphene-pk11') as typeof Graphene;
        mod = graphene.Module.load(request.path, 'token');
      } catch (error) {
        throw new HostError('TOKEN_MODULE_LOAD_FAILED', `cannot load ${request.path}: ${describe(error)}`);
      }
      try {
        mod.initialize();
      } catch (error) {
        if (ckrName(error) !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
          throw new HostError('TOKEN_MODULE_LOAD_FAILED', `C_Initialize failed in ${request.path}: ${describe(error)}`);
        }
      }
      return { manufacturer: mod.manufacturerID.trim(), description: mod.libraryDescription.trim() };
    }
    case 'slots': {
      const slots = requireModule().getSlots(false);
      const out: HostSlot[] = [];
      for (let i = 0; i < slots.length; i += 1) {
        const slot = slots.items(i);
        let token: HostSlot['token'] = null;
        if ((slot.flags & CKF_TOKEN_PRESENT) !== 0) {
          try {
            const t = slot.getToken();
            token = {
              label: t.label.trim(),
              manufacturer: t.manufacturerID.trim(),
              model: t.model.trim(),
              serialNumber: t.serialNumber.trim(),
              flags: t.flags,
            };
          } catch {
            token = null;
          }
        }
        out.push({ slotId: slotKey(slot.handle), description: slot.slotDescription.trim(), token });
      }
      return out;
    }
    case 'open': {
      const slot = findSlot(request.slotId);
      if ((slot.flags & CKF_TOKEN_PRESENT) === 0)
        throw new HostError('TOKEN_NOT_FOUND', `no token in slot ${request.slotId}`);
      try {
        const s = slot.open(CKF_SERIAL_SESSION);
        const id = nextSession;
        nextSession += 1;
        sessions.set(id, { session: s, slot, serial: slot.getToken().serialNumber.trim() });
        return { sessionId: id };
      } catch (error) {
        throw mapError(error, 'C_OpenSession');
      }
    }
    case 'certificates': {
      const entry = session(request.sessionId);
      const s = entry.session;
      try {
        assertStillPresent(entry, 'reading certificates');
        const keyIds = new Set(
          findObjects(s, { class: CKO_PRIVATE_KEY }).map((k) => k.getAttribute(CKA_ID).toString('hex')),
        );
        const out: HostCertificate[] = findObjects(s, { class: CKO_CERTIFICATE }).map((c) => ({
          keyId: c.getAttribute(CKA_ID).toString('hex'),
          label: c.getAttribute(CKA_LABEL).toString('utf8'),
          der: c.getAttribute(CKA_VALUE).toString('base64'),
          privateKeyVisible: keyIds.has(c.getAttribute(CKA_ID).toString('hex')),
        }));
        return out;
      } catch (error) {
        if (!(error instanceof HostError)) assertStillPresent(entry, 'reading certificates');
        throw mapError(error, 'reading certificates');
      }
    }
    case 'login': {
      const { session: s, slot } = session(request.sessionId);
      try {
        s.login(request.pin, CKU_USER);
        return null;
      } catch (error) {
        const ckr = ckrName(error);
        if (ckr === 'CKR_USER_ALREADY_LOGGED_IN') return null;
        if (ckr !== null && WRONG_PIN_CKRS.has(ckr)) {
          let flags: number;
          try {
            flags = tokenFlags(slot);
          } catch {
            flags = 0;
          }
          const outcome = wrongPin(flags);
          throw new HostError(
            outcome.code,
            `C_Login: ${ckr}${outcome.code === 'TOKEN_PIN_LOCKED' ? ', PIN now locked' : ''}`,
            outcome.details,
          );
        }
        throw mapError(error, 'C_Login');
      }
    }
    case 'keyInfo': {
      const entry = session(request.sessionId);
      const { session: s, slot } = entry;
      try {
        const key = privateKey(s, request.keyId);
        if (key === null) {
          assertStillPresent(entry, 'reading the private key');
          return null;
        }
        const keyType = ulong(key.getAttribute(CKA_KEY_TYPE));
        const mechanisms = signMechanisms(slot);
        let info: HostKeyInfo;
        if (keyType === CKK_RSA) {
          const mechanism = mechanisms.has(CKM_RSA_PKCS)
            ? 'CKM_RSA_PKCS'
            : mechanisms.has(CKM_SHA256_RSA_PKCS)
              ? 'CKM_SHA256_RSA_PKCS'
              : null;
          if (mechanism === null)
            throw new HostError(
              'TOKEN_MECHANISM_UNSUPPORTED',
              'the token signs with neither CKM_RSA_PKCS nor CKM_SHA256_RSA_PKCS',
            );
          info = { algorithm: 'rsa', mechanism };
        } else if (keyType === CKK_EC) {
          const params = key.getAttribute(CKA_EC_PARAMS);
          const algorithm = params.equals(OID_P256) ? 'ecdsa-p256' : params.equals(OID_P384) ? 'ecdsa-p384' : null;
          if (algorithm === null)
            throw new HostError('TOKEN_MECHANISM_UNSUPPORTED', `EC curve ${params.toString('hex')} not supported`);
          if (!mechanisms.has(CKM_ECDSA))
            throw new HostError('TOKEN_MECHANISM_UNSUPPORTED', 'the token does not sign with CKM_ECDSA');
          info = { algorithm, mechanism: 'CKM_ECDSA' };
        } else {
          throw new HostError('TOKEN_MECHANISM_UNSUPPORTED', `key type ${keyType} not supported`);
        }
        return info;
      } catch (error) {
        if (!(error instanceof HostError)) assertStillPresent(entry, 'reading the private key');
        throw mapError(error, 'reading the private key');
      }
    }
    case 'sign': {
      const entry = session(request.sessionId);
      const s = entry.session;
      try {
        const key = privateKey(s, request.keyId);
        if (key === null) assertStillPresent(entry, 'C_Sign');
        if (key === null) throw new HostError('TOKEN_KEY_NOT_FOUND', `no private key with id ${request.keyId}`);
        const name =
          request.mechanism === 'CKM_RSA_PKCS'
            ? 'RSA_PKCS'
            : request.mechanism === 'CKM_SHA256_RSA_PKCS'
              ? 'SHA256_RSA_PKCS'
              : 'ECDSA';
        const signature = s
          .createSign({ name, params: null }, key.toType<Graphene.PrivateKey>())
          .once(Buffer.from(request.data, 'base64'));
        return signature.toString('base64');
      } catch (error) {
        if (!(error instanceof HostError)) assertStillPresent(entry, 'C_Sign');
        throw mapError(error, 'C_Sign');
      }
    }
    case 'logout': {
      const { session: s } = session(request.sessionId);
      try {
        s.logout();
      } catch (error) {
        const ckr = ckrName(error);
        if (ckr !== 'CKR_USER_NOT_LOGGED_IN') throw mapError(error, 'C_Logout');
      }
      return null;
    }
    case 'close': {
      const found = sessions.get(request.sessionId);
      if (found === undefined) return null;
      sessions.delete(request.sessionId);
      try {
        found.session.logout();
      } catch {
        // not logged in or already gone
      }
      try {
        found.session.close();
      } catch {
        // the token may be gone; the session is gone with it
      }
      return null;
    }
    case 'finalize': {
      for (const id of [...sessions.keys()]) handle({ id: 0, op: 'close', sessionId: id });
      try {
        mod?.finalize();
      } catch {
        // nothing left to do
      }
      mod = null;
      return null;
    }
  }
}

process.on('message', (message: HostRequest) => {
  let response: HostResponse;
  try {
    response = { id: message.id, ok: true, value: handle(message) };
  } catch (error) {
    const mapped = mapError(error, 'token host');
    response = {
      id: message.id,
      ok: false,
      error: { code: mapped.code, message: mapped.message, details: mapped.details },
    };
  }
  process.send?.(response);
});

process.on('disconnect', () => {
  try {
    handle({ id: 0, op: 'finalize' });
  } finally {
    process.exit(0);
  }
});

process.send?.({ id: 0, ok: true, value: 'ready' } satisfies HostResponse);

/**
 * Opens the signing key of a batch on a token: find the slot (by token label when given, else the
 * token holding a certificate with the key id), open ONE session, log in with the PIN once and
 * hand out the key. The caller signs the whole batch with it and then calls `close()`, which logs
 * out and closes the session (docs/domain.md §8: session open and login take seconds on real tokens).
 *
 * The PIN is passed straight to `login` and kept nowhere here. Faults are the driver's
 * `DeviceError`s (`TOKEN_NOT_FOUND`, `TOKEN_PIN_INCORRECT`, `TOKEN_KEY_NOT_FOUND`, …).
 */
import { DeviceError } from '../../drivers/device-error';
import type { TokenProvider, TokenSession, TokenSigningKey, TokenSlotInfo } from '../../drivers/token/token.port';

export interface TokenKeySelector {
  /** CKA_ID of the key pair, hex (case and separators ignored). */
  keyId: string;
  /** Token label as the token reports it; any token holding the key when absent. */
  tokenLabel?: string;
  /** Issuer certificates (DER) to add to the chain the driver builds from the token. */
  chain?: readonly Uint8Array[];
}

export interface OpenedTokenKey {
  key: TokenSigningKey;
  slot: TokenSlotInfo;
  /** Logs out and closes the session; the key stops signing. Safe to call twice. */
  close(): Promise<void>;
}

/** `a1:B2 c3` → `a1b2c3`; RangeError when it is not whole bytes of hex. */
export function normaliseKeyIdHex(keyId: string): string {
  const hex = keyId.replace(/[\s:]/g, '').toLowerCase();
  if (!/^([0-9a-f]{2}){1,64}$/.test(hex)) throw new RangeError(`key id must be hex bytes, got "${keyId.slice(0, 40)}"`);
  return hex;
}

const sameLabel = (a: string, b: string): boolean => a.normalize('NFC').trim() === b.normalize('NFC').trim();

export async function openTokenKey(
  provider: TokenProvider,
  selector: TokenKeySelector,
  pin: string,
): Promise<OpenedTokenKey> {
  const keyId = normaliseKeyIdHex(selector.keyId);
  const slots = (await provider.listSlots()).filter((s) => s.token !== null);
  const candidates =
    selector.tokenLabel === undefined ? slots : slots.filter((s) => sameLabel(s.token!.label, selector.tokenLabel!));
  if (candidates.length === 0) {
    throw new DeviceError(
      'TOKEN_NOT_FOUND',
      selector.tokenLabel === undefined
        ? 'no token is inserted'
        : `no token labelled "${selector.tokenLabel}" is inserted (found: ${slots.map((s) => `"${s.token!.label}"`).join(', ') || 'none'})`,
    );
  }
  let session: TokenSession | null = null;
  for (const slot of candidates) {
    const s = await provider.open(slot.id);
    const certs = await s.certificates().catch(async (err: unknown) => {
      await s.close().catch(() => undefined);
      throw err;
    });
    if (certs.some((c) => c.keyId === keyId)) {
      session = s;
      break;
    }
    await s.close().catch(() => undefined);
  }
  if (session === null) {
    throw new DeviceError(
      'TOKEN_KEY_NOT_FOUND',
      `no certificate with key id ${keyId} on ${candidates.length === 1 ? `token "${candidates[0]!.token!.label}"` : `${candidates.length} tokens`}`,
    );
  }
  const opened = session;
  try {
    await opened.login(pin);
    const key = await opened.signingKey(keyId, selector.chain ? { chain: selector.chain } : undefined);
    let closed = false;
    return {
      key,
      slot: opened.slot,
      close: async () => {
        if (closed) return;
        closed = true;
        await opened.close().catch(() => undefined);
      },
    };
  } catch (err) {
    await opened.close().catch(() => undefined);
    throw err;
  }
}

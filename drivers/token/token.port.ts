/**
 * Signing tokens: the USB PKCS#11 tokens agencies sign with (docs/domain.md §8; docs/architecture.md, "Drivers").
 *
 * Adapters: `Pkcs11TokenProvider` (`pkcs11-provider.ts`: vendor PKCS#11 modules through
 * graphene-pk11, every call made in a separate token host process so a crashing vendor module
 * cannot take the core down) and `SimulatedTokenProvider` (`simulated-token.ts`: the twin on
 * `node:crypto` used in training mode and tests). `token.contract.ts` holds the behaviour both
 * must show.
 *
 * Contract:
 *
 * - `listSlots()` lists every slot of every module found, with the token in it when one is
 *   present. A module that cannot be loaded is left out of the list (and reported by
 *   `listModules()` with its error); `listSlots()` itself rejects only when no module at all is
 *   usable (`TOKEN_MODULE_LOAD_FAILED`, or `TOKEN_NOT_FOUND` when none was found).
 * - `watch(listener)` polls and calls the listener when a token is inserted into or removed from
 *   a slot. It returns a function that stops watching.
 * - `open(slotId)` opens one session on the token in that slot (read-only, not logged in).
 *   `TOKEN_NOT_FOUND` when the slot is unknown or empty.
 * - `session.certificates()` lists the certificates on the token, each with the CKA_ID that ties
 *   it to its private key. Keys are matched by CKA_ID only, never by label (labels with
 *   Vietnamese diacritics are unreliable across vendors).
 * - `session.login(pin)`: the PIN is passed through once and never stored or logged by the
 *   driver. Wrong PIN: `TOKEN_PIN_INCORRECT` with `triesLeft` when the token tells it (`1` when
 *   it says "final try"; the twin knows the exact count) and `pinCountLow` when it says "low".
 *   Locked: `TOKEN_PIN_LOCKED`.
 * - `session.signingKey(keyId)` (after login) returns a `TokenSigningKey` for the certificate and
 *   private key with that CKA_ID: `TOKEN_KEY_NOT_FOUND` when either is missing,
 *   `TOKEN_NOT_LOGGED_IN` before login. Its `signDigest` signs a SHA-256 digest: RSA with
 *   `CKM_RSA_PKCS` over the DigestInfo, ECDSA with `CKM_ECDSA`, returned as DER
 *   `ECDSA-Sig-Value`. A token that offers only `CKM_SHA256_RSA_PKCS` cannot sign a bare
 *   digest: `signDigest` rejects with `TOKEN_MECHANISM_UNSUPPORTED` and `signData` (which hashes
 *   on the token) must be used instead.
 * - Keep one session for a whole batch (opening and logging in take seconds on real tokens).
 *   `logout()` ends the login; `close()` logs out and closes the session. After either, keys
 *   handed out reject with `TOKEN_NOT_LOGGED_IN`; nothing of the PIN remains.
 * - Token pulled out while a session is open: the next call rejects with `TOKEN_REMOVED`.
 *   A vendor module that crashes (or hangs past the call timeout): `TOKEN_MODULE_CRASHED`; the
 *   caller keeps running and a new `open()` starts afresh.
 * - Every fault is a `DeviceError` (`drivers/device-error.ts`) carrying one of those codes;
 *   wrong arguments (a malformed key id, an empty digest) throw `RangeError`.
 */
import type { SigningKey } from './signing-key.port';

export interface TokenModuleInfo {
  /** The library file (`.so`, `.dll`, `.dylib`). */
  path: string;
  /** True when the module loaded and initialised. */
  loaded: boolean;
  /** From `C_GetInfo` when loaded. */
  manufacturer?: string;
  description?: string;
  /** Why it did not load (`TOKEN_MODULE_LOAD_FAILED` or `TOKEN_MODULE_CRASHED`), for IT staff. */
  error?: { code: string; message: string };
}

export interface TokenInfo {
  label: string;
  manufacturer: string;
  model: string;
  serialNumber: string;
  /** The user PIN was entered wrongly at least once since the last correct login. */
  pinCountLow: boolean;
  /** One more wrong PIN locks the token. */
  pinFinalTry: boolean;
  pinLocked: boolean;
}

export interface TokenSlotInfo {
  /** Stable while the module stays where it is: `<kind>:<slot id>@<module path or name>`. */
  id: string;
  /** The module path (real adapter) or `simulated`. */
  module: string;
  description: string;
  /** The token in the slot, or null when the slot is empty. */
  token: TokenInfo | null;
}

export type TokenKeyAlgorithm = SigningKey['algorithm'];

export interface TokenCertificate {
  /** CKA_ID, lower-case hex; the same id names the private key. */
  keyId: string;
  /** CKA_LABEL as the token gives it (display only). */
  label: string;
  /** DER. */
  der: Uint8Array;
  /** Subject and issuer as `X509Certificate` prints them (one attribute per line). */
  subject: string;
  issuer: string;
  notBefore: Date;
  notAfter: Date;
  algorithm: TokenKeyAlgorithm | 'other';
  /**
   * Whether a private key with the same CKA_ID is on the token. `unknown` before login when
   * private keys are hidden until then (most tokens); always `found` or `missing` after login.
   */
  privateKey: 'found' | 'missing' | 'unknown';
}

export type TokenSignMechanism = 'CKM_RSA_PKCS' | 'CKM_SHA256_RSA_PKCS' | 'CKM_ECDSA';

/** A `SigningKey` handed out by a token session, with what only a token can tell. */
export interface TokenSigningKey extends SigningKey {
  /** The slot it came from. */
  readonly slotId: string;
  /** CKA_LABEL of the certificate (display only). */
  readonly label: string;
  /** The mechanism `signDigest` (or `signData`) uses. */
  readonly mechanism: TokenSignMechanism;
  /**
   * Signs data hashed on the token with SHA-256 (`CKM_SHA256_RSA_PKCS`, or the digest then
   * `signDigest` for the other mechanisms). Same result format as `signDigest`.
   */
  signData(data: Uint8Array): Promise<Uint8Array>;
}

export interface TokenSession {
  readonly slot: TokenSlotInfo;
  certificates(): Promise<TokenCertificate[]>;
  login(pin: string): Promise<void>;
  readonly loggedIn: boolean;
  /**
   * The key for a certificate's CKA_ID (hex). `chain` adds issuer certificates (DER, nearest
   * first) from configuration; issuers stored on the token are added by the driver itself.
   */
  signingKey(keyId: string, options?: { chain?: readonly Uint8Array[] }): Promise<TokenSigningKey>;
  logout(): Promise<void>;
  close(): Promise<void>;
}

export type TokenChange = { kind: 'inserted' | 'removed'; slot: TokenSlotInfo };

export interface TokenProvider {
  listModules(): Promise<TokenModuleInfo[]>;
  listSlots(): Promise<TokenSlotInfo[]>;
  /** Polls every `intervalMs` (default 1500). Returns `stop`. */
  watch(listener: (change: TokenChange) => void, options?: { intervalMs?: number }): () => void;
  open(slotId: string): Promise<TokenSession>;
  /** Closes every session and stops every module host. */
  dispose(): Promise<void>;
}

/**
 * The simulated token: the twin training mode and tests use. It keeps keys made with
 * `node:crypto`, certificates issued by its own training CA (Vietnamese names, UTF8String), and
 * behaves like a PKCS#11 token: private keys hidden until login, a PIN that counts wrong tries down
 * and locks, sessions that die when the token is pulled out. Test controls (`remove()`,
 * `insert()`, `removeAfterSignatures()`, `failNextSign()`) live here and only here.
 */
import { constants, createHash, generateKeyPairSync, privateEncrypt, randomBytes, type KeyObject } from 'node:crypto';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import { signP256Digest } from './p256';
import { ecdsaRawToDer, normaliseKeyId, sha256DigestInfo, assertSha256Digest } from './signature-format';
import { issueCertificate, type DistinguishedName } from './simulated-certificates';
import { describeCertificate, mergeChain } from './certificate-chain';
import { pollSlots } from './slot-polling';
import type {
  TokenCertificate,
  TokenChange,
  TokenModuleInfo,
  TokenProvider,
  TokenSession,
  TokenSignMechanism,
  TokenSigningKey,
  TokenSlotInfo,
} from './token.port';

export interface SimulatedKeySpec {
  algorithm: 'rsa' | 'ecdsa-p256';
  /** CKA_ID in hex; made up when absent. */
  keyId?: string;
  subject?: DistinguishedName;
  label?: string;
  /** A certificate on the token whose private key is missing (to exercise `TOKEN_KEY_NOT_FOUND`). */
  withoutPrivateKey?: boolean;
}

export interface SimulatedTokenOptions {
  label?: string;
  serialNumber?: string;
  /** Default `123456` (the PIN written in the training guide). */
  pin?: string;
  /** Wrong tries before the PIN locks; default 5. */
  maxPinTries?: number;
  /** Default: one RSA 2048 key and one EC P-256 key for "Nguyễn Văn An, UBND xã Hòa Phú". */
  keys?: SimulatedKeySpec[];
  /** Mechanisms the token signs with; default all three. */
  mechanisms?: TokenSignMechanism[];
  /** Store the training CA's certificate on the token (so the chain comes from the token); default true. */
  caOnToken?: boolean;
  /** Inserted at start; default true. */
  present?: boolean;
  /** Time each signature takes; default 0. */
  signDelayMs?: number;
}

export const TRAINING_SIGNER: DistinguishedName = {
  C: 'VN',
  ST: 'Quảng Nam',
  L: 'Xã Hòa Phú',
  O: 'UBND xã Hòa Phú',
  CN: 'Nguyễn Văn An',
};
export const TRAINING_CA: DistinguishedName = {
  C: 'VN',
  O: 'Cơ quan chứng thực đào tạo',
  CN: 'CA đào tạo Một Cửa (mô phỏng)',
};

interface Material {
  caDer: Uint8Array;
  entries: {
    keyId: string;
    label: string;
    der: Uint8Array;
    privateKey: KeyObject | null;
    algorithm: 'rsa' | 'ecdsa-p256';
  }[];
}

let trainingCa: { key: KeyObject; publicKey: KeyObject } | null = null;

function ca(): { key: KeyObject; publicKey: KeyObject } {
  if (trainingCa === null) {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    trainingCa = { key: pair.privateKey, publicKey: pair.publicKey };
  }
  return trainingCa;
}

export class SimulatedToken {
  readonly label: string;
  readonly serialNumber: string;
  readonly maxPinTries: number;
  private pin: string;
  private tries: number;
  private present: boolean;
  /** Bumped on every removal: sessions of an older insertion are gone. */
  insertion = 0;
  private removeAfter: number | null = null;
  private failNext: DeviceErrorCode | null = null;
  private material: Material | null = null;
  private readonly specs: SimulatedKeySpec[];
  readonly mechanisms: ReadonlySet<TokenSignMechanism>;
  private readonly caOnToken: boolean;
  readonly signDelayMs: number;
  /** Signatures made so far (test inspection). */
  signatures = 0;

  constructor(options: SimulatedTokenOptions = {}) {
    this.label = options.label ?? 'Token đào tạo';
    this.serialNumber = options.serialNumber ?? randomBytes(8).toString('hex');
    this.pin = options.pin ?? '123456';
    this.maxPinTries = options.maxPinTries ?? 5;
    this.tries = this.maxPinTries;
    this.present = options.present ?? true;
    this.specs = options.keys ?? [
      { algorithm: 'rsa', keyId: '5a01', label: 'Chữ ký số RSA' },
      { algorithm: 'ecdsa-p256', keyId: '5a02', label: 'Chữ ký số EC' },
    ];
    this.mechanisms = new Set(options.mechanisms ?? ['CKM_RSA_PKCS', 'CKM_SHA256_RSA_PKCS', 'CKM_ECDSA']);
    this.caOnToken = options.caOnToken ?? true;
    this.signDelayMs = options.signDelayMs ?? 0;
  }

  get isPresent(): boolean {
    return this.present;
  }

  get pinTriesLeft(): number {
    return this.tries;
  }

  get pinLocked(): boolean {
    return this.tries <= 0;
  }

  /** Pulls the token out: open sessions end, the slot shows empty. */
  remove(): void {
    if (!this.present) return;
    this.present = false;
    this.insertion += 1;
  }

  insert(): void {
    this.present = true;
  }

  /** The token is pulled out right after the next `n` signatures. */
  removeAfterSignatures(n: number): void {
    this.removeAfter = n;
  }

  /** The next signature fails with this code (e.g. `TOKEN_MECHANISM_UNSUPPORTED`). */
  failNextSign(code: DeviceErrorCode): void {
    this.failNext = code;
  }

  /** What an officer's "unblock PIN" at the CA does. */
  unlockPin(newPin?: string): void {
    if (newPin !== undefined) this.pin = newPin;
    this.tries = this.maxPinTries;
  }

  /** Keys and certificates, made on first use. */
  materialise(): Material {
    if (this.material !== null) return this.material;
    const authority = ca();
    const now = Date.now();
    const caDer = issueCertificate({
      subject: TRAINING_CA,
      subjectKey: authority.publicKey,
      issuer: TRAINING_CA,
      issuerKey: authority.key,
      issuerPublicKey: authority.publicKey,
      serial: 1n,
      notBefore: new Date(now - 86_400_000),
      notAfter: new Date(now + 10 * 365 * 86_400_000),
      ca: true,
    });
    const entries = this.specs.map((spec, i) => {
      const pair =
        spec.algorithm === 'rsa'
          ? generateKeyPairSync('rsa', { modulusLength: 2048 })
          : generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const der = issueCertificate({
        subject: spec.subject ?? TRAINING_SIGNER,
        subjectKey: pair.publicKey,
        issuer: TRAINING_CA,
        issuerKey: authority.key,
        issuerPublicKey: authority.publicKey,
        serial: BigInt(`0x${randomBytes(8).toString('hex')}`) + BigInt(i),
        notBefore: new Date(now - 86_400_000),
        notAfter: new Date(now + 2 * 365 * 86_400_000),
        ca: false,
      });
      return {
        keyId: normaliseKeyId(spec.keyId ?? randomBytes(4).toString('hex')),
        label: spec.label ?? `Chữ ký số ${i + 1}`,
        der,
        privateKey: spec.withoutPrivateKey ? null : pair.privateKey,
        algorithm: spec.algorithm,
      };
    });
    this.material = { caDer, entries };
    return this.material;
  }

  get caCertificate(): Uint8Array {
    return this.materialise().caDer;
  }

  /** Certificates stored on the token, the CA's included when it is kept there. */
  storedCertificates(): { keyId: string; label: string; der: Uint8Array; privateKey: KeyObject | null }[] {
    const m = this.materialise();
    return [
      ...m.entries,
      ...(this.caOnToken ? [{ keyId: 'ca', label: 'CA đào tạo', der: m.caDer, privateKey: null }] : []),
    ];
  }

  /** Checks a PIN like a token does. */
  checkPin(pin: string): void {
    if (this.tries <= 0) throw new DeviceError('TOKEN_PIN_LOCKED', `PIN of token "${this.label}" is locked`);
    if (pin === this.pin) {
      this.tries = this.maxPinTries;
      return;
    }
    this.tries -= 1;
    if (this.tries <= 0)
      throw new DeviceError('TOKEN_PIN_LOCKED', `wrong PIN; PIN of token "${this.label}" is now locked`);
    throw new DeviceError('TOKEN_PIN_INCORRECT', `wrong PIN for token "${this.label}"`, {
      details: { triesLeft: this.tries, pinCountLow: true, ...(this.tries === 1 ? { finalTry: true } : {}) },
    });
  }

  /** Called before each signature: injected faults. */
  beforeSign(): void {
    if (this.failNext !== null) {
      const code = this.failNext;
      this.failNext = null;
      if (code === 'TOKEN_REMOVED') this.remove();
      throw new DeviceError(code, `simulated fault ${code}`);
    }
  }

  afterSign(): void {
    this.signatures += 1;
    if (this.removeAfter !== null) {
      this.removeAfter -= 1;
      if (this.removeAfter <= 0) {
        this.removeAfter = null;
        this.remove();
      }
    }
  }
}

/** The twin provider: one slot per simulated token (`sim:1`, `sim:2`, …). */
export class SimulatedTokenProvider implements TokenProvider {
  readonly tokens: SimulatedToken[];

  constructor(tokens: SimulatedToken[] = [new SimulatedToken()]) {
    this.tokens = tokens;
  }

  async listModules(): Promise<TokenModuleInfo[]> {
    return [{ path: 'simulated', loaded: true, manufacturer: 'Một Cửa', description: 'Token mô phỏng (đào tạo)' }];
  }

  async listSlots(): Promise<TokenSlotInfo[]> {
    return this.tokens.map((t, i) => slotInfo(t, i));
  }

  watch(listener: (change: TokenChange) => void, options: { intervalMs?: number } = {}): () => void {
    return pollSlots(() => this.listSlots(), listener, options.intervalMs ?? 1500);
  }

  async open(slotId: string): Promise<TokenSession> {
    const match = /^sim:(\d+)$/.exec(slotId);
    if (match === null) throw new RangeError(`not a simulated slot id: "${slotId}"`);
    const index = Number(match[1]) - 1;
    const token = this.tokens[index];
    if (token === undefined || !token.isPresent) throw new DeviceError('TOKEN_NOT_FOUND', `no token in slot ${slotId}`);
    return new SimulatedSession(token, slotInfo(token, index));
  }

  async dispose(): Promise<void> {
    // nothing runs in the background
  }
}

function slotInfo(token: SimulatedToken, index: number): TokenSlotInfo {
  return {
    id: `sim:${index + 1}`,
    module: 'simulated',
    description: `Khe token mô phỏng ${index + 1}`,
    token: token.isPresent
      ? {
          label: token.label,
          manufacturer: 'Một Cửa (mô phỏng)',
          model: 'Token mô phỏng',
          serialNumber: token.serialNumber,
          pinCountLow: token.pinTriesLeft < token.maxPinTries,
          pinFinalTry: token.pinTriesLeft === 1,
          pinLocked: token.pinLocked,
        }
      : null,
  };
}

class SimulatedSession implements TokenSession {
  private state: 'open' | 'loggedIn' | 'closed' = 'open';
  private loginEpoch = 0;
  private readonly insertion: number;

  constructor(
    private readonly token: SimulatedToken,
    readonly slot: TokenSlotInfo,
  ) {
    this.insertion = token.insertion;
  }

  get loggedIn(): boolean {
    return this.state === 'loggedIn';
  }

  private check(): void {
    if (this.state === 'closed') throw new DeviceError('TOKEN_NOT_LOGGED_IN', 'the token session is closed');
    if (!this.token.isPresent || this.token.insertion !== this.insertion) {
      this.state = 'closed';
      throw new DeviceError('TOKEN_REMOVED', `token "${this.token.label}" was removed`);
    }
  }

  async certificates(): Promise<TokenCertificate[]> {
    this.check();
    return this.token.storedCertificates().map((c) => ({
      keyId: c.keyId,
      label: c.label,
      der: Uint8Array.from(c.der),
      ...describeCertificate(c.der),
      privateKey: this.loggedIn ? (c.privateKey === null ? 'missing' : 'found') : 'unknown',
    }));
  }

  async login(pin: string): Promise<void> {
    if (typeof pin !== 'string' || pin.length === 0) throw new RangeError('the PIN is empty');
    this.check();
    if (this.loggedIn) return;
    this.token.checkPin(pin);
    this.state = 'loggedIn';
  }

  async signingKey(keyId: string, options: { chain?: readonly Uint8Array[] } = {}): Promise<TokenSigningKey> {
    const id = normaliseKeyId(keyId);
    this.check();
    if (!this.loggedIn) throw new DeviceError('TOKEN_NOT_LOGGED_IN', 'log in to the token before asking for a key');
    const entry = this.token.materialise().entries.find((e) => e.keyId === id);
    if (entry === undefined)
      throw new DeviceError('TOKEN_KEY_NOT_FOUND', `no certificate with key id ${id} on the token`);
    const privateKey = entry.privateKey;
    if (privateKey === null)
      throw new DeviceError('TOKEN_KEY_NOT_FOUND', `no private key with key id ${id} on the token`);
    const mechanisms = this.token.mechanisms;
    let mechanism: TokenSignMechanism;
    if (entry.algorithm === 'rsa') {
      if (mechanisms.has('CKM_RSA_PKCS')) mechanism = 'CKM_RSA_PKCS';
      else if (mechanisms.has('CKM_SHA256_RSA_PKCS')) mechanism = 'CKM_SHA256_RSA_PKCS';
      else
        throw new DeviceError(
          'TOKEN_MECHANISM_UNSUPPORTED',
          'the token signs with neither CKM_RSA_PKCS nor CKM_SHA256_RSA_PKCS',
        );
    } else {
      if (!mechanisms.has('CKM_ECDSA'))
        throw new DeviceError('TOKEN_MECHANISM_UNSUPPORTED', 'the token does not sign with CKM_ECDSA');
      mechanism = 'CKM_ECDSA';
    }
    const epoch = this.loginEpoch;
    const token = this.token;
    const signRaw = async (digest: Uint8Array): Promise<Uint8Array> => {
      if (this.loginEpoch !== epoch)
        throw new DeviceError('TOKEN_NOT_LOGGED_IN', 'the token session has ended; log in again');
      this.check();
      if (!this.loggedIn) throw new DeviceError('TOKEN_NOT_LOGGED_IN', 'the token session has ended; log in again');
      if (token.signDelayMs > 0) await new Promise((r) => setTimeout(r, token.signDelayMs));
      this.check();
      token.beforeSign();
      const signature =
        entry.algorithm === 'rsa'
          ? new Uint8Array(
              privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, sha256DigestInfo(digest)),
            )
          : ecdsaRawToDer(signP256Digest(privateKey, digest));
      token.afterSign();
      return signature;
    };
    const signDigest = async (digest: Uint8Array): Promise<Uint8Array> => {
      assertSha256Digest(digest);
      if (mechanism === 'CKM_SHA256_RSA_PKCS') {
        throw new DeviceError(
          'TOKEN_MECHANISM_UNSUPPORTED',
          'this token signs only with CKM_SHA256_RSA_PKCS (it hashes itself); use signData',
        );
      }
      return signRaw(digest);
    };
    const ca = token.caCertificate;
    return {
      certificate: Uint8Array.from(entry.der),
      chain: mergeChain([ca], options.chain ?? []),
      algorithm: entry.algorithm,
      keyId: id,
      slotId: this.slot.id,
      label: entry.label,
      mechanism,
      signDigest,
      signData: async (data: Uint8Array) => signRaw(new Uint8Array(createHash('sha256').update(data).digest())),
    };
  }

  async logout(): Promise<void> {
    this.loginEpoch += 1;
    if (this.state === 'loggedIn') this.state = 'open';
  }

  async close(): Promise<void> {
    this.loginEpoch += 1;
    this.state = 'closed';
  }
}

import { createHash } from 'node:crypto';
import { DeviceError } from '../device-error';
import { ModuleHost, type HostRequestBody } from './module-host';
import { findModules, type ModuleSearchOptions } from './module-search';
import {
  CKF_USER_PIN_COUNT_LOW,
  CKF_USER_PIN_FINAL_TRY,
  CKF_USER_PIN_LOCKED,
  type HostCertificate,
  type HostKeyInfo,
  type HostSlot,
} from './pkcs11-protocol';
import { assertSha256Digest, ecdsaRawToDer, normaliseKeyId, sha256DigestInfo } from './signature-format';
import { buildChain, describeCertificate, mergeChain } from './certificate-chain';
import { pollSlots } from './slot-polling';
import type {
  TokenCertificate,
  TokenChange,
  TokenModuleInfo,
  TokenProvider,
  TokenSession,
  TokenSigningKey,
  TokenSlotInfo,
} from './token.port';

export interface Pkcs11TokenProviderOptions {
  /** Module files IT staff configured (tried first). */
  modules?: readonly string[];
  /** Also look for the known Vietnamese CA modules in the usual folders; default true. */
  search?: boolean;
  /** Extra environment for the token host processes (e.g. `SOFTHSM2_CONF`). */
  env?: Record<string, string>;
  /** A host that does not answer within this long is killed (`TOKEN_MODULE_CRASHED`); default 60 s. */
  callTimeoutMs?: number;
  /** For tests: how modules are found. */
  moduleSearch?: Omit<ModuleSearchOptions, 'configured' | 'search'>;
}

function moduleKey(modulePath: string): string {
  return createHash('sha256').update(modulePath).digest('hex').slice(0, 8);
}

/**
 * Real tokens through vendor PKCS#11 modules (graphene-pk11), one token host process per module.
 * Slot ids are `p11:<slot id>@<module hash>`.
 */
export class Pkcs11TokenProvider implements TokenProvider {
  private readonly hosts = new Map<string, ModuleHost>();
  private readonly sessions = new Set<Pkcs11Session>();
  private readonly options: Pkcs11TokenProviderOptions;

  constructor(options: Pkcs11TokenProviderOptions = {}) {
    this.options = options;
  }

  private modulePaths(): string[] {
    return findModules({
      configured: this.options.modules ?? [],
      search: this.options.search ?? true,
      ...(this.options.moduleSearch ?? {}),
    });
  }

  private host(modulePath: string): ModuleHost {
    let host = this.hosts.get(modulePath);
    if (host === undefined) {
      host = new ModuleHost(modulePath, this.options.env ?? {}, this.options.callTimeoutMs ?? 60_000);
      this.hosts.set(modulePath, host);
    }
    return host;
  }

  /** The running host process id of a module (supervision and tests). */
  hostPid(modulePath: string): number | undefined {
    return this.hosts.get(modulePath)?.pid;
  }

  async listModules(): Promise<TokenModuleInfo[]> {
    const out: TokenModuleInfo[] = [];
    for (const file of this.modulePaths()) {
      try {
        const info = await this.host(file).start();
        out.push({ path: file, loaded: true, manufacturer: info.manufacturer, description: info.description });
      } catch (error) {
        const e = error instanceof DeviceError ? error : new DeviceError('TOKEN_MODULE_LOAD_FAILED', String(error));
        out.push({ path: file, loaded: false, error: { code: e.code, message: e.message } });
      }
    }
    return out;
  }

  async listSlots(): Promise<TokenSlotInfo[]> {
    const files = this.modulePaths();
    if (files.length === 0)
      throw new DeviceError('TOKEN_NOT_FOUND', 'no PKCS#11 module configured or found in the usual folders');
    const out: TokenSlotInfo[] = [];
    let firstError: unknown = null;
    let usable = 0;
    for (const file of files) {
      try {
        const slots = (await this.host(file).call({ op: 'slots' })) as HostSlot[];
        usable += 1;
        for (const slot of slots) out.push(toSlotInfo(file, slot));
      } catch (error) {
        firstError ??= error;
      }
    }
    if (usable === 0)
      throw firstError instanceof DeviceError
        ? firstError
        : new DeviceError('TOKEN_MODULE_LOAD_FAILED', String(firstError));
    return out;
  }

  watch(listener: (change: TokenChange) => void, options: { intervalMs?: number } = {}): () => void {
    return pollSlots(() => this.listSlots(), listener, options.intervalMs ?? 1500);
  }

  async open(slotId: string): Promise<TokenSession> {
    const match = /^p11:([^@]+)@([0-9a-f]{8})$/.exec(slotId);
    if (match === null) throw new RangeError(`not a PKCS#11 slot id: "${slotId}"`);
    const file = this.modulePaths().find((f) => moduleKey(f) === match[2]);
    if (file === undefined)
      throw new DeviceError('TOKEN_NOT_FOUND', `the module of slot ${slotId} is no longer configured or present`);
    const host = this.host(file);
    await host.start();
    const generation = host.generation;
    const slots = (await host.call({ op: 'slots' }, generation)) as HostSlot[];
    const slot = slots.find((s) => s.slotId === match[1]);
    if (slot === undefined || slot.token === null)
      throw new DeviceError('TOKEN_NOT_FOUND', `no token in slot ${slotId}`);
    const { sessionId } = (await host.call({ op: 'open', slotId: match[1]! }, generation)) as { sessionId: number };
    const session = new Pkcs11Session(host, generation, sessionId, toSlotInfo(file, slot), () =>
      this.sessions.delete(session),
    );
    this.sessions.add(session);
    return session;
  }

  async dispose(): Promise<void> {
    for (const session of [...this.sessions]) await session.close().catch(() => undefined);
    await Promise.all([...this.hosts.values()].map((h) => h.shutdown()));
    this.hosts.clear();
  }
}

function toSlotInfo(file: string, slot: HostSlot): TokenSlotInfo {
  return {
    id: `p11:${slot.slotId}@${moduleKey(file)}`,
    module: file,
    description: slot.description,
    token:
      slot.token === null
        ? null
        : {
            label: slot.token.label,
            manufacturer: slot.token.manufacturer,
            model: slot.token.model,
            serialNumber: slot.token.serialNumber,
            pinCountLow: (slot.token.flags & CKF_USER_PIN_COUNT_LOW) !== 0,
            pinFinalTry: (slot.token.flags & CKF_USER_PIN_FINAL_TRY) !== 0,
            pinLocked: (slot.token.flags & CKF_USER_PIN_LOCKED) !== 0,
          },
  };
}

class Pkcs11Session implements TokenSession {
  private state: 'open' | 'loggedIn' | 'closed' = 'open';
  /** Bumped on logout and close: keys of an older login refuse to sign. */
  private loginEpoch = 0;

  constructor(
    private readonly host: ModuleHost,
    private readonly generation: number,
    private readonly sessionId: number,
    readonly slot: TokenSlotInfo,
    private readonly onClosed: () => void,
  ) {}

  get loggedIn(): boolean {
    return this.state === 'loggedIn';
  }

  private call(body: HostRequestBody): Promise<unknown> {
    if (this.state === 'closed')
      return Promise.reject(new DeviceError('TOKEN_NOT_LOGGED_IN', 'the token session is closed'));
    return this.host.call(body, this.generation);
  }

  private async raw(): Promise<HostCertificate[]> {
    return (await this.call({ op: 'certificates', sessionId: this.sessionId })) as HostCertificate[];
  }

  async certificates(): Promise<TokenCertificate[]> {
    const raw = await this.raw();
    const out: TokenCertificate[] = [];
    for (const c of raw) {
      const der = new Uint8Array(Buffer.from(c.der, 'base64'));
      let described;
      try {
        described = describeCertificate(der);
      } catch {
        continue; // not an X.509 certificate this driver can read
      }
      out.push({
        keyId: c.keyId,
        label: c.label,
        der,
        ...described,
        privateKey: c.privateKeyVisible ? 'found' : this.loggedIn ? 'missing' : 'unknown',
      });
    }
    return out;
  }

  async login(pin: string): Promise<void> {
    if (typeof pin !== 'string' || pin.length === 0) throw new RangeError('the PIN is empty');
    await this.call({ op: 'login', sessionId: this.sessionId, pin });
    this.state = 'loggedIn';
  }

  async signingKey(keyId: string, options: { chain?: readonly Uint8Array[] } = {}): Promise<TokenSigningKey> {
    const id = normaliseKeyId(keyId);
    if (!this.loggedIn) throw new DeviceError('TOKEN_NOT_LOGGED_IN', 'log in to the token before asking for a key');
    const raw = await this.raw();
    const cert = raw.find((c) => c.keyId === id);
    if (cert === undefined)
      throw new DeviceError('TOKEN_KEY_NOT_FOUND', `no certificate with key id ${id} on the token`);
    const info = (await this.call({ op: 'keyInfo', sessionId: this.sessionId, keyId: id })) as HostKeyInfo | null;
    if (info === null) throw new DeviceError('TOKEN_KEY_NOT_FOUND', `no private key with key id ${id} on the token`);
    const der = new Uint8Array(Buffer.from(cert.der, 'base64'));
    const pool = raw
      .filter((c) => c.keyId !== id || c.der !== cert.der)
      .map((c) => new Uint8Array(Buffer.from(c.der, 'base64')));
    const chain = mergeChain(buildChain(der, [...pool, ...(options.chain ?? [])]), options.chain ?? []);
    const epoch = this.loginEpoch;
    const sign = async (mechanism: HostKeyInfo['mechanism'], data: Uint8Array): Promise<Uint8Array> => {
      if (this.loginEpoch !== epoch || !this.loggedIn)
        throw new DeviceError('TOKEN_NOT_LOGGED_IN', 'the token session has ended; log in again');
      const signature = new Uint8Array(
        Buffer.from(
          (await this.call({
            op: 'sign',
            sessionId: this.sessionId,
            keyId: id,
            mechanism,
            data: Buffer.from(data).toString('base64'),
          })) as string,
          'base64',
        ),
      );
      return mechanism === 'CKM_ECDSA' ? ecdsaRawToDer(signature) : signature;
    };
    const signDigest = async (digest: Uint8Array): Promise<Uint8Array> => {
      assertSha256Digest(digest);
      if (info.mechanism === 'CKM_ECDSA') return sign('CKM_ECDSA', digest);
      if (info.mechanism === 'CKM_RSA_PKCS') return sign('CKM_RSA_PKCS', sha256DigestInfo(digest));
      throw new DeviceError(
        'TOKEN_MECHANISM_UNSUPPORTED',
        'this token signs only with CKM_SHA256_RSA_PKCS (it hashes itself); use signData',
      );
    };
    return {
      certificate: der,
      chain,
      algorithm: info.algorithm,
      keyId: id,
      slotId: this.slot.id,
      label: cert.label,
      mechanism: info.mechanism,
      signDigest,
      signData: async (data: Uint8Array) =>
        info.mechanism === 'CKM_SHA256_RSA_PKCS'
          ? sign('CKM_SHA256_RSA_PKCS', data)
          : signDigest(new Uint8Array(createHash('sha256').update(data).digest())),
    };
  }

  async logout(): Promise<void> {
    this.loginEpoch += 1;
    if (this.state !== 'loggedIn') return;
    this.state = 'open';
    await this.call({ op: 'logout', sessionId: this.sessionId }).catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.state === 'closed') return;
    this.loginEpoch += 1;
    this.state = 'closed';
    this.onClosed();
    if (this.host.alive && this.host.generation === this.generation) {
      await this.host.call({ op: 'close', sessionId: this.sessionId }, this.generation).catch(() => undefined);
    }
  }
}

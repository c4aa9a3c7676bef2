import { fork, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DeviceError } from '../device-error';
import { findModules, type ModuleSearchOptions } from './module-search';
import {
  CKF_USER_PIN_COUNT_LOW,
  CKF_USER_PIN_FINAL_TRY,
  CKF_USER_PIN_LOCKED,
  type HostCertificate,
  type HostKeyInfo,
  type HostRequest,
  type HostResponse,
  type HostSlot,
} from './pkcs11-protocol';
import { assertSha256Digest, ecdsaRawToDer, normaliseKeyId, sha256DigestInfo } from './signature-format';
import { buildChain, describeCertificate, mergeChain, pollSlots } from './token-support';
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

type HostRequestBody = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

/** How to start the token host: the bundled `token-host.js` next to this code, else the source with tsx. */
function hostEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const dir = path.dirname(here);
  if (here.endsWith('.ts')) {
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    return { file: path.join(dir, 'pkcs11-host.ts'), execArgv: ['--import', tsx] };
  }
  const bundled = path.join(dir, 'token-host.js');
  if (existsSync(bundled)) return { file: bundled, execArgv: [] };
  return { file: path.join(dir, 'pkcs11-host.js'), execArgv: [] };
}

/**
 * One child process that has loaded one module. Each start is a new generation: sessions of a
 * generation that died are gone with it.
 */
class ModuleHost {
  private child: ChildProcess | null = null;
  private ready: Promise<{ manufacturer: string; description: string }> | null = null;
  private pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }>();
  private nextId = 1;
  private stderrTail = '';
  generation = 0;
  lastError: DeviceError | null = null;
  private lastFailureAt = 0;

  constructor(
    readonly modulePath: string,
    private readonly env: Record<string, string>,
    private readonly timeoutMs: number,
  ) {}

  get alive(): boolean {
    return this.child !== null;
  }

  /** Starts the host and loads the module, unless it runs already. A load failure is retried after 10 s. */
  start(): Promise<{ manufacturer: string; description: string }> {
    if (this.ready !== null) return this.ready;
    if (this.lastError !== null && Date.now() - this.lastFailureAt < 10_000) return Promise.reject(this.lastError);
    this.generation += 1;
    const { file, execArgv } = hostEntry();
    const child = fork(file, [], {
      execArgv,
      // Under Electron the core host's executable is Electron itself: make the child plain Node.
      env: { ...process.env, ...(process.versions.electron === undefined ? {} : { ELECTRON_RUN_AS_NODE: '1' }), ...this.env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    this.child = child;
    this.stderrTail = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderrTail = (this.stderrTail + chunk.toString('utf8')).slice(-1000);
    });
    const started = new Promise<void>((resolve, reject) => {
      const onMessage = (message: HostResponse): void => {
        if (message.id === 0) {
          child.off('exit', onEarlyExit);
          resolve();
        }
      };
      const onEarlyExit = (): void => reject(this.crashError('the token host stopped while starting'));
      child.once('message', onMessage);
      child.once('exit', onEarlyExit);
    });
    child.on('message', (message: HostResponse) => this.onMessage(message));
    child.on('exit', (code, signal) => this.onExit(child, code, signal));
    child.on('error', () => {
      // 'exit' follows and reports it
    });
    this.ready = started
      .then(() => this.send({ op: 'load', path: this.modulePath }) as Promise<{ manufacturer: string; description: string }>)
      .then(
        (info) => {
          this.lastError = null;
          return info;
        },
        (error: unknown) => {
          const failure =
            error instanceof DeviceError && (error.code === 'TOKEN_MODULE_CRASHED' || error.code === 'TOKEN_MODULE_LOAD_FAILED')
              ? error
              : new DeviceError('TOKEN_MODULE_LOAD_FAILED', `module ${this.modulePath} failed to load: ${(error as Error).message}`, { cause: error });
          this.lastError = failure;
          this.lastFailureAt = Date.now();
          this.stop();
          throw failure;
        },
      );
    return this.ready;
  }

  async call(body: HostRequestBody, generation?: number): Promise<unknown> {
    await this.start();
    if (generation !== undefined && generation !== this.generation) {
      throw new DeviceError('TOKEN_MODULE_CRASHED', `the token host for ${this.modulePath} stopped; open the token again`);
    }
    return this.send(body);
  }

  private send(body: HostRequestBody): Promise<unknown> {
    const child = this.child;
    if (child === null) return Promise.reject(this.crashError('the token host is not running'));
    const id = this.nextId;
    this.nextId += 1;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new DeviceError('TOKEN_MODULE_CRASHED', `module ${this.modulePath} did not answer ${body.op} within ${this.timeoutMs} ms; its host was stopped`));
        this.stop();
      }, this.timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      child.send({ ...body, id } as HostRequest);
    });
  }

  private onMessage(message: HostResponse): void {
    const waiting = this.pending.get(message.id);
    if (waiting === undefined) return;
    this.pending.delete(message.id);
    clearTimeout(waiting.timer);
    if (message.ok) waiting.resolve(message.value);
    else waiting.reject(new DeviceError(message.error.code, message.error.message, message.error.details === undefined ? {} : { details: message.error.details }));
  }

  private crashError(what: string): DeviceError {
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    return new DeviceError('TOKEN_MODULE_CRASHED', `${what} (module ${this.modulePath})${tail === '' ? '' : `: ${tail}`}`);
  }

  private onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child === child) {
      this.child = null;
      this.ready = null;
    }
    const error = this.crashError(`the token host stopped (${signal ?? `exit ${code}`})`);
    for (const [id, waiting] of this.pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      this.pending.delete(id);
    }
  }

  stop(): void {
    const child = this.child;
    this.child = null;
    this.ready = null;
    if (child !== null && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  /** Asks the host to finalise the module and exit; kills it if it does not within 2 s. */
  async shutdown(): Promise<void> {
    const child = this.child;
    if (child === null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await Promise.race([this.send({ op: 'finalize' }), new Promise((r) => setTimeout(r, 2000))]);
    } catch {
      // the host is going away anyway
    }
    child.disconnect();
    const timer = setTimeout(() => this.stop(), 2000);
    await exited;
    clearTimeout(timer);
    this.stop();
  }

  /** Test and supervision hook: the process id of the running host, if any. */
  get pid(): number | undefined {
    return this.child?.pid;
  }
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
    return findModules({ configured: this.options.modules ?? [], search: this.options.search ?? true, ...(this.options.moduleSearch ?? {}) });
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
    if (files.length === 0) throw new DeviceError('TOKEN_NOT_FOUND', 'no PKCS#11 module configured or found in the usual folders');
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
    if (usable === 0) throw firstError instanceof DeviceError ? firstError : new DeviceError('TOKEN_MODULE_LOAD_FAILED', String(firstError));
    return out;
  }

  watch(listener: (change: TokenChange) => void, options: { intervalMs?: number } = {}): () => void {
    return pollSlots(() => this.listSlots(), listener, options.intervalMs ?? 1500);
  }

  async open(slotId: string): Promise<TokenSession> {
    const match = /^p11:([^@]+)@([0-9a-f]{8})$/.exec(slotId);
    if (match === null) throw new RangeError(`not a PKCS#11 slot id: "${slotId}"`);
    const file = this.modulePaths().find((f) => moduleKey(f) === match[2]);
    if (file === undefined) throw new DeviceError('TOKEN_NOT_FOUND', `the module of slot ${slotId} is no longer configured or present`);
    const host = this.host(file);
    await host.start();
    const generation = host.generation;
    const slots = (await host.call({ op: 'slots' }, generation)) as HostSlot[];
    const slot = slots.find((s) => s.slotId === match[1]);
    if (slot === undefined || slot.token === null) throw new DeviceError('TOKEN_NOT_FOUND', `no token in slot ${slotId}`);
    const { sessionId } = (await host.call({ op: 'open', slotId: match[1]! }, generation)) as { sessionId: number };
    const session = new Pkcs11Session(host, generation, sessionId, toSlotInfo(file, slot), () => this.sessions.delete(session));
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
    if (this.state === 'closed') return Promise.reject(new DeviceError('TOKEN_NOT_LOGGED_IN', 'the token session is closed'));
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
    if (cert === undefined) throw new DeviceError('TOKEN_KEY_NOT_FOUND', `no certificate with key id ${id} on the token`);
    const info = (await this.call({ op: 'keyInfo', sessionId: this.sessionId, keyId: id })) as HostKeyInfo | null;
    if (info === null) throw new DeviceError('TOKEN_KEY_NOT_FOUND', `no private key with key id ${id} on the token`);
    const der = new Uint8Array(Buffer.from(cert.der, 'base64'));
    const pool = raw.filter((c) => c.keyId !== id || c.der !== cert.der).map((c) => new Uint8Array(Buffer.from(c.der, 'base64')));
    const chain = mergeChain(buildChain(der, [...pool, ...(options.chain ?? [])]), options.chain ?? []);
    const epoch = this.loginEpoch;
    const sign = async (mechanism: HostKeyInfo['mechanism'], data: Uint8Array): Promise<Uint8Array> => {
      if (this.loginEpoch !== epoch || !this.loggedIn) throw new DeviceError('TOKEN_NOT_LOGGED_IN', 'the token session has ended; log in again');
      const signature = new Uint8Array(
        Buffer.from((await this.call({ op: 'sign', sessionId: this.sessionId, keyId: id, mechanism, data: Buffer.from(data).toString('base64') })) as string, 'base64'),
      );
      return mechanism === 'CKM_ECDSA' ? ecdsaRawToDer(signature) : signature;
    };
    const signDigest = async (digest: Uint8Array): Promise<Uint8Array> => {
      assertSha256Digest(digest);
      if (info.mechanism === 'CKM_ECDSA') return sign('CKM_ECDSA', digest);
      if (info.mechanism === 'CKM_RSA_PKCS') return sign('CKM_RSA_PKCS', sha256DigestInfo(digest));
      throw new DeviceError('TOKEN_MECHANISM_UNSUPPORTED', 'this token signs only with CKM_SHA256_RSA_PKCS (it hashes itself); use signData');
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
        info.mechanism === 'CKM_SHA256_RSA_PKCS' ? sign('CKM_SHA256_RSA_PKCS', data) : signDigest(new Uint8Array(createHash('sha256').update(data).digest())),
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

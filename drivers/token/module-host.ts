import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DeviceError } from '../device-error';
import type { HostRequest, HostResponse } from './pkcs11-protocol';

/** The core's side of a token host (`pkcs11-host.ts`): starting it, calls over IPC, crashes and timeouts. */

export type HostRequestBody = HostRequest extends infer R ? (R extends { id: number } ? Omit<R, 'id'> : never) : never;

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
export class ModuleHost {
  private child: ChildProcess | null = null;
  private ready: Promise<{ manufacturer: string; description: string }> | null = null;
  private pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
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
      env: {
        ...process.env,
        ...(process.versions.electron === undefined ? {} : { ELECTRON_RUN_AS_NODE: '1' }),
        ...this.env,
      },
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
      .then(
        () =>
          this.send({ op: 'load', path: this.modulePath }) as Promise<{ manufacturer: string; description: string }>,
      )
      .then(
        (info) => {
          this.lastError = null;
          return info;
        },
        (error: unknown) => {
          const failure =
            error instanceof DeviceError &&
            (error.code === 'TOKEN_MODULE_CRASHED' || error.code === 'TOKEN_MODULE_LOAD_FAILED')
              ? error
              : new DeviceError(
                  'TOKEN_MODULE_LOAD_FAILED',
                  `module ${this.modulePath} failed to load: ${(error as Error).message}`,
                  { cause: error },
                );
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
      throw new DeviceError(
        'TOKEN_MODULE_CRASHED',
        `the token host for ${this.modulePath} stopped; open the token again`,
      );
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
        reject(
          new DeviceError(
            'TOKEN_MODULE_CRASHED',
            `module ${this.modulePath} did not answer ${body.op} within ${this.timeoutMs} ms; its host was stopped`,
          ),
        );
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
    else
      waiting.reject(
        new DeviceError(
          message.error.code,
          message.error.message,
          message.error.details === undefined ? {} : { details: message.error.details },
        ),
      );
  }

  private crashError(what: string): DeviceError {
    const tail = this.stderrTail.trim().split('\n').slice(-3).join(' | ');
    return new DeviceError(
      'TOKEN_MODULE_CRASHED',
      `${what} (module ${this.modulePath})${tail === '' ? '' : `: ${tail}`}`,
    );
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

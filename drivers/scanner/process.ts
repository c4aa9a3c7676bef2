import { spawn, type ChildProcess } from 'node:child_process';

export interface RunOptions {
  env?: NodeJS.ProcessEnv;
  /** Kill the process (group) and resolve `timedOut: true` after this long. */
  timeoutMs: number;
  /** Kill the process (group) and resolve `aborted: true` when this aborts. */
  signal?: AbortSignal | undefined;
}

export interface RunResult {
  code: number | null;
  stdout: Buffer;
  stderr: string;
  timedOut: boolean;
  aborted: boolean;
}

/** Thrown when the program cannot be started at all (`code` is the errno code, e.g. ENOENT). */
export class SpawnError extends Error {
  readonly code: string;

  constructor(file: string, cause: NodeJS.ErrnoException) {
    super(`cannot run "${file}" (${cause.code ?? cause.message})`, { cause });
    this.name = 'SpawnError';
    this.code = cause.code ?? 'UNKNOWN';
  }
}

/**
 * Starts `file` in its own process group (Unix), so that killing it also kills whatever it
 * started. Nothing passes through a shell.
 */
export function spawnGroup(file: string, args: readonly string[], env?: NodeJS.ProcessEnv): ChildProcess {
  return spawn(file, args, {
    env: env ?? process.env,
    detached: process.platform !== 'win32',
    stdio: ['ignore', 'pipe', 'pipe'],
    windowsHide: true,
  });
}

/** Kills the child's whole process group; harmless when it has already gone. */
export function killGroup(child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): void {
  if (child.pid === undefined) return;
  try {
    if (process.platform === 'win32') child.kill(signal);
    else process.kill(-child.pid, signal);
  } catch {
    try {
      child.kill(signal);
    } catch {
      // Already gone.
    }
  }
}

/** True while the process has not been reaped. */
export function isRunning(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

/**
 * Stops a child: SIGTERM to the group (scanimage then cancels the scan on the device), SIGKILL if
 * it is still there after `graceMs`. Resolves once the process has exited.
 */
export function stopGroup(child: ChildProcess, graceMs = 2_000): Promise<void> {
  if (!isRunning(child) || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      killGroup(child, 'SIGKILL');
      resolve();
    };
    const timer = setTimeout(() => {
      killGroup(child, 'SIGKILL');
    }, graceMs);
    child.once('exit', done);
    if (!isRunning(child)) done();
    else killGroup(child, 'SIGTERM');
  });
}

/** Runs a program to completion, collecting its output. Rejects only with `SpawnError`. */
export function runProcess(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    let child: ChildProcess;
    try {
      child = spawnGroup(file, args, options.env);
    } catch (error) {
      reject(new SpawnError(file, error as NodeJS.ErrnoException));
      return;
    }
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let timedOut = false;
    let aborted = false;
    let settled = false;
    const finish = (code: number | null): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      resolve({
        code,
        stdout: Buffer.concat(stdout),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
        aborted,
      });
    };
    const onAbort = (): void => {
      aborted = true;
      void stopGroup(child, 500);
    };
    const timer = setTimeout(() => {
      timedOut = true;
      void stopGroup(child, 500);
    }, options.timeoutMs);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    if (options.signal?.aborted) onAbort();
    child.stdout?.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      options.signal?.removeEventListener('abort', onAbort);
      reject(new SpawnError(file, error));
    });
    child.on('close', (code) => finish(code));
  });
}

import type { ChildProcess } from 'node:child_process';
import { DeviceError } from '../device-error';
import { isRunning, runProcess, SpawnError, stopGroup, type RunResult } from './process';
import { Waker } from './scan-progress';

/** Running `scanimage` for the SANE adapter and provider: one-shot commands and watched scan runs. */

export interface SaneCommonOptions {
  /** Path or name of `scanimage`; default `scanimage` (found on PATH). */
  scanimagePath?: string;
  /** Extra environment (e.g. `SANE_CONFIG_DIR`), laid over the process's own. */
  env?: Readonly<Record<string, string>>;
  /** How long `scanimage -L` / `-A` may take; default 30 s (network backends are slow to list). */
  commandTimeoutMs?: number;
}

const DEFAULT_COMMAND_TIMEOUT_MS = 30_000;
/**
 * After scanimage has printed an error it normally exits at once; some backends leave it hanging
 * (seen with SANE's own test backend after an I/O error). It gets this long, then it is stopped.
 */
const EXIT_AFTER_ERROR_MS = 2_000;
const ERROR_LINE = /^scanimage: (?!rounded value)/m;

/** One scanimage process being watched: output, progress lines, exit. */
export class ScanRun {
  readonly waker = new Waker();
  readonly pagesStarted: number[] = [];
  lastActivity = Date.now();
  stdoutBytes = 0;
  private readonly chunks: Buffer[] = [];
  private stderrText = '';
  private exited = false;
  private code: number | null = null;
  private spawnError: NodeJS.ErrnoException | null = null;
  private errorSeenAt: number | null = null;

  constructor(
    private readonly child: ChildProcess,
    private readonly deviceName: string,
    private readonly file: string,
  ) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.chunks.push(chunk);
      this.stdoutBytes += chunk.length;
      this.lastActivity = Date.now();
      this.waker.notify();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      const text = chunk.toString('utf8');
      this.stderrText += text;
      for (const m of text.matchAll(/Scanning page (\d+)/g)) this.pagesStarted.push(Number(m[1]));
      if (this.errorSeenAt === null && ERROR_LINE.test(this.stderrText)) this.errorSeenAt = Date.now();
      this.lastActivity = Date.now();
      this.waker.notify();
    });
    child.on('error', (error: NodeJS.ErrnoException) => {
      this.spawnError = error;
      this.exited = true;
      this.waker.notify();
    });
    child.on('close', (code) => {
      this.code = code;
      this.exited = true;
      this.waker.notify();
    });
  }

  get running(): boolean {
    return !this.exited;
  }

  get exitCode(): number | null {
    return this.code;
  }

  get stderr(): string {
    return this.stderrText;
  }

  stdout(): Uint8Array {
    return new Uint8Array(Buffer.concat(this.chunks));
  }

  throwSpawnError(): void {
    if (this.spawnError === null) return;
    const why =
      this.spawnError.code === 'ENOENT'
        ? `"${this.file}" was not found: is SANE (package sane-utils) installed?`
        : `cannot run "${this.file}" (${this.spawnError.code ?? this.spawnError.message})`;
    throw new DeviceError('DEVICE_UNAVAILABLE', `${this.deviceName}: ${why}`, { cause: this.spawnError });
  }

  /** Stops a process that reported an error but did not exit within EXIT_AFTER_ERROR_MS. */
  async endIfStuckAfterError(): Promise<void> {
    if (this.running && this.errorSeenAt !== null && Date.now() - this.errorSeenAt >= EXIT_AFTER_ERROR_MS)
      await this.stop();
  }

  /** Ends the process group (if still there) and waits until the process has exited. */
  async stop(): Promise<void> {
    if (this.exited || !isRunning(this.child)) return;
    await stopGroup(this.child);
    if (!this.exited) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 1_000);
        this.child.once('close', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }
}

export async function runScanimage(
  deviceName: string,
  file: string,
  args: readonly string[],
  options: SaneCommonOptions,
): Promise<RunResult> {
  const timeoutMs = options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS;
  let result: RunResult;
  try {
    result = await runProcess(file, args, {
      timeoutMs,
      env: { ...process.env, ...options.env, LC_ALL: 'C', LANG: 'C' },
    });
  } catch (error) {
    const why =
      error instanceof SpawnError && error.code === 'ENOENT'
        ? `"${file}" was not found: is SANE (package sane-utils) installed?`
        : (error as Error).message;
    throw new DeviceError('DEVICE_UNAVAILABLE', `${deviceName}: ${why}`, { cause: error });
  }
  if (result.timedOut)
    throw new DeviceError('DEVICE_UNAVAILABLE', `${deviceName}: scanimage gave no answer within ${timeoutMs} ms`);
  return result;
}

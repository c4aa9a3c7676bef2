import { spawn } from 'node:child_process';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import { oneLine } from '../one-line';
import { checkPrintRequest } from './document-print-request';
import type {
  DocumentPrinter,
  DocumentPrintJob,
  DocumentPrintReceipt,
  DocumentPrinterStatus,
} from './document-printer.port';

export interface CupsPrinterOptions {
  /**
   * CUPS queue (destination) name, as `lpstat -p` lists it. Absent: the system's default
   * destination (`lpstat -d`), looked up again before every job and status, so changing the default
   * printer in the OS takes effect without a restart; no default is `PRINTER_NOT_SET`.
   */
  queue?: string;
  /** Display name; default `CUPS <queue>` or `CUPS (máy in mặc định)`. */
  name?: string;
  /** Path or name of the `lp` command; default `lp` (found on PATH). */
  lpPath?: string;
  /** Path or name of the `lpstat` command; default `lpstat`. */
  lpstatPath?: string;
  /** Extra job options passed as `-o key=value` (e.g. `{ media: 'A4', sides: 'one-sided' }`). */
  jobOptions?: Readonly<Record<string, string>>;
  /** How long one `lp`/`lpstat` run may take before the print system counts as unreachable. */
  timeoutMs?: number;
  /** Extra environment for `lp`/`lpstat`, e.g. `CUPS_SERVER` for a print server other than the local one. */
  env?: Readonly<Record<string, string>>;
}

const DEFAULT_TIMEOUT_MS = 30_000;

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

interface Probe {
  fault: DeviceErrorCode | null;
  detail: string;
}

const SCHEDULER_DOWN =
  /scheduler is not running|scheduler not responding|unable to connect|connection refused|server-error-service-unavailable/i;
const QUEUE_UNKNOWN = /does not exist|invalid destination|unknown destination/i;
const NOT_ACCEPTING = /not accepting jobs/i;
const PAPER_OUT = /media-empty|media-needed|out of paper|paper out|no paper|load paper|hết giấy/i;
const DISCONNECTED = /\bdisabled\b|\bpaused\b|not connected|offline|unplugged/i;
const DEFAULT_DESTINATION = /system default destination:\s*(\S+)/i;
const NO_DEFAULT = /no system default destination/i;
const QUEUE_NAME = /^[^\s/#\\-][^\s/#\\]{0,126}$/;

/**
 * A CUPS queue driven through the `lp` and `lpstat` commands (Linux, macOS). The PDF goes to
 * `lp` on stdin; nothing passes through a shell, so titles with any characters are safe.
 * Commands run with `LC_ALL=C` so their messages can be recognised.
 */
export class CupsPrinter implements DocumentPrinter {
  readonly name: string;
  /** The configured queue; null means the system's default destination. */
  readonly queue: string | null;
  private readonly lpPath: string;
  private readonly lpstatPath: string;
  private readonly jobOptions: readonly [string, string][];
  private readonly timeoutMs: number;
  private readonly env: Readonly<Record<string, string>>;

  constructor(options: CupsPrinterOptions = {}) {
    if (options.queue !== undefined && !QUEUE_NAME.test(options.queue)) {
      throw new RangeError(
        `CUPS queue name "${options.queue}" is not valid (no spaces, "/", "#", "\\", no leading "-")`,
      );
    }
    this.queue = options.queue ?? null;
    this.name = options.name ?? (options.queue === undefined ? 'CUPS (máy in mặc định)' : `CUPS ${options.queue}`);
    this.lpPath = options.lpPath ?? 'lp';
    this.lpstatPath = options.lpstatPath ?? 'lpstat';
    this.jobOptions = Object.entries(options.jobOptions ?? {});
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.env = options.env ?? {};
  }

  async print(pdf: Uint8Array, job: DocumentPrintJob): Promise<DocumentPrintReceipt> {
    const { title, copies } = checkPrintRequest(pdf, job);

    // lp queues jobs for a disabled printer without complaint, so ask first.
    const probe = await this.probe();
    if (probe.fault !== null) throw new DeviceError(probe.fault, probe.detail);
    const queue = probe.queue;

    const args = ['-d', queue, '-n', String(copies), '-t', title];
    for (const [key, value] of this.jobOptions) args.push('-o', `${key}=${value}`);
    args.push('-');
    const result = await this.run(this.lpPath, args, pdf);
    const output = oneLine(`${result.stdout} ${result.stderr}`);

    if (result.timedOut) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: lp gave no answer within ${this.timeoutMs} ms`);
    }
    if (result.code !== 0) {
      if (SCHEDULER_DOWN.test(output)) {
        throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the CUPS scheduler is not reachable (${output})`);
      }
      if (QUEUE_UNKNOWN.test(output)) {
        throw new DeviceError('PRINTER_OFFLINE', `${this.name}: CUPS queue "${queue}" does not exist (${output})`);
      }
      if (NOT_ACCEPTING.test(output)) {
        throw new DeviceError('PRINTER_OFFLINE', `${this.name}: queue "${queue}" is not accepting jobs (${output})`);
      }
      throw new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: lp failed with exit code ${String(result.code)} (${output})`,
      );
    }
    const match = /request id is (\S+)/.exec(result.stdout);
    if (!match?.[1]) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: lp did not report a request id (${output})`);
    }
    return { jobId: match[1] };
  }

  async status(): Promise<DocumentPrinterStatus> {
    const probe = await this.probe();
    return probe.fault === null
      ? { ready: true, detail: probe.detail }
      : { ready: false, detail: probe.detail, fault: probe.fault };
  }

  /** Never throws: every failure is a fault with a detail line. */
  private async probe(): Promise<Probe & { queue: string }> {
    if (this.queue !== null) return { ...(await this.probeQueue(this.queue)), queue: this.queue };
    const found = await this.defaultQueue();
    if ('fault' in found) return { ...found, queue: '' };
    const probe = await this.probeQueue(found.queue);
    return { ...probe, queue: found.queue };
  }

  /** The system's default destination (`lpstat -d`). */
  private async defaultQueue(): Promise<{ queue: string } | Probe> {
    const answer = await this.lpstat(['-d']);
    if ('fault' in answer) return answer;
    const { result, output } = answer;
    const match = DEFAULT_DESTINATION.exec(output);
    if (result.code === 0 && match?.[1] !== undefined && QUEUE_NAME.test(match[1])) return { queue: match[1] };
    if (NO_DEFAULT.test(output) || (result.code === 0 && output === '')) {
      return {
        fault: 'PRINTER_NOT_SET',
        detail: `${this.name}: no default printer is set (${output || 'lpstat -d: empty'})`,
      };
    }
    return { fault: 'DEVICE_UNAVAILABLE', detail: `${this.name}: unexpected lpstat -d answer (${output})` };
  }

  private async probeQueue(queue: string): Promise<Probe> {
    const answer = await this.lpstat(['-p', queue]);
    if ('fault' in answer) return answer;
    const { result, output } = answer;
    if (result.code !== 0) {
      return QUEUE_UNKNOWN.test(output)
        ? { fault: 'PRINTER_OFFLINE', detail: `${this.name}: CUPS queue "${queue}" does not exist (${output})` }
        : {
            fault: 'DEVICE_UNAVAILABLE',
            detail: `${this.name}: lpstat failed with exit code ${String(result.code)} (${output})`,
          };
    }
    if (!result.stdout.includes(`printer ${queue} `)) {
      return { fault: 'DEVICE_UNAVAILABLE', detail: `${this.name}: unexpected lpstat answer (${output})` };
    }
    if (PAPER_OUT.test(output)) return { fault: 'PRINTER_PAPER_OUT', detail: `${this.name}: out of paper (${output})` };
    if (DISCONNECTED.test(output))
      return { fault: 'PRINTER_OFFLINE', detail: `${this.name}: not taking jobs (${output})` };
    return { fault: null, detail: this.queue === null ? `${queue}: ${output}` : output };
  }

  /** Runs `lpstat`; no answer in time, or no scheduler to answer, is a fault before any parsing. */
  private async lpstat(args: readonly string[]): Promise<{ result: RunResult; output: string } | Probe> {
    let result: RunResult;
    try {
      result = await this.run(this.lpstatPath, args, null);
    } catch (error) {
      return { fault: 'DEVICE_UNAVAILABLE', detail: error instanceof Error ? error.message : String(error) };
    }
    const output = oneLine(`${result.stdout} ${result.stderr}`);
    if (result.timedOut) {
      return { fault: 'DEVICE_UNAVAILABLE', detail: `${this.name}: lpstat gave no answer within ${this.timeoutMs} ms` };
    }
    if (SCHEDULER_DOWN.test(output)) {
      return { fault: 'DEVICE_UNAVAILABLE', detail: `${this.name}: the CUPS scheduler is not reachable (${output})` };
    }
    return { result, output };
  }

  private run(file: string, args: readonly string[], input: Uint8Array | null): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        env: { ...process.env, ...this.env, LC_ALL: 'C', LANG: 'C' },
        windowsHide: true,
      });
      const stdout: Buffer[] = [];
      const stderr: Buffer[] = [];
      let timedOut = false;
      let settled = false;
      const collect = (): RunResult => ({
        code: child.exitCode,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        timedOut,
      });
      // On timeout, answer at once: a grandchild holding the pipes open must not keep us waiting.
      const timer = setTimeout(() => {
        timedOut = true;
        child.kill('SIGKILL');
        child.stdin.destroy();
        child.stdout.destroy();
        child.stderr.destroy();
        if (settled) return;
        settled = true;
        resolve(collect());
      }, this.timeoutMs);

      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      // lp may exit before reading everything (e.g. unknown queue); its exit code tells why.
      child.stdin.on('error', () => undefined);
      child.on('error', (error: NodeJS.ErrnoException) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const why =
          error.code === 'ENOENT'
            ? `"${file}" was not found: is the CUPS client (package cups-client) installed?`
            : `cannot run "${file}" (${error.code ?? error.message})`;
        reject(new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: ${why}`, { cause: error }));
      });
      child.on('close', (code) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve({ ...collect(), code });
      });
      if (input === null) child.stdin.end();
      else child.stdin.end(input);
    });
  }
}

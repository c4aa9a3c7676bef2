import { spawn } from 'node:child_process';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import type { DocumentPrinter, DocumentPrintJob, DocumentPrintReceipt, DocumentPrinterStatus } from './document-printer.port';

export interface CupsPrinterOptions {
  /** CUPS queue (destination) name, as `lpstat -p` lists it. */
  queue: string;
  /** Display name; default `CUPS <queue>`. */
  name?: string;
  /** Path or name of the `lp` command; default `lp` (found on PATH). */
  lpPath?: string;
  /** Path or name of the `lpstat` command; default `lpstat`. */
  lpstatPath?: string;
  /** Extra job options passed as `-o key=value` (e.g. `{ media: 'A4', sides: 'one-sided' }`). */
  jobOptions?: Readonly<Record<string, string>>;
  /** How long one `lp`/`lpstat` run may take before the print system counts as unreachable. */
  timeoutMs?: number;
}

const MAX_COPIES = 99;
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

const SCHEDULER_DOWN = /scheduler is not running|scheduler not responding|unable to connect|connection refused|server-error-service-unavailable/i;
const QUEUE_UNKNOWN = /does not exist|invalid destination|unknown destination/i;
const NOT_ACCEPTING = /not accepting jobs/i;
const PAPER_OUT = /media-empty|media-needed|out of paper|paper out|no paper|load paper|hết giấy/i;
const DISCONNECTED = /\bdisabled\b|\bpaused\b|not connected|offline|unplugged/i;

/**
 * A CUPS queue driven through the `lp` and `lpstat` commands (Linux, macOS). The PDF goes to
 * `lp` on stdin; nothing passes through a shell, so titles with any characters are safe.
 * Commands run with `LC_ALL=C` so their messages can be recognised.
 */
export class CupsPrinter implements DocumentPrinter {
  readonly name: string;
  readonly queue: string;
  private readonly lpPath: string;
  private readonly lpstatPath: string;
  private readonly jobOptions: readonly [string, string][];
  private readonly timeoutMs: number;

  constructor(options: CupsPrinterOptions) {
    if (!/^[^\s/#\\-][^\s/#\\]{0,126}$/.test(options.queue)) {
      throw new RangeError(`CUPS queue name "${options.queue}" is not valid (no spaces, "/", "#", "\\", no leading "-")`);
    }
    this.queue = options.queue;
    this.name = options.name ?? `CUPS ${options.queue}`;
    this.lpPath = options.lpPath ?? 'lp';
    this.lpstatPath = options.lpstatPath ?? 'lpstat';
    this.jobOptions = Object.entries(options.jobOptions ?? {});
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async print(pdf: Uint8Array, job: DocumentPrintJob): Promise<DocumentPrintReceipt> {
    const { title, copies } = checkRequest(pdf, job);

    // lp queues jobs for a disabled printer without complaint, so ask first.
    const probe = await this.probe();
    if (probe.fault !== null) throw new DeviceError(probe.fault, probe.detail);

    const args = ['-d', this.queue, '-n', String(copies), '-t', title];
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
        throw new DeviceError('PRINTER_OFFLINE', `${this.name}: CUPS queue "${this.queue}" does not exist (${output})`);
      }
      if (NOT_ACCEPTING.test(output)) {
        throw new DeviceError('PRINTER_OFFLINE', `${this.name}: queue "${this.queue}" is not accepting jobs (${output})`);
      }
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: lp failed with exit code ${String(result.code)} (${output})`);
    }
    const match = /request id is (\S+)/.exec(result.stdout);
    if (!match?.[1]) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: lp did not report a request id (${output})`);
    }
    return { jobId: match[1] };
  }

  async status(): Promise<DocumentPrinterStatus> {
    const probe = await this.probe();
    return { ready: probe.fault === null, detail: probe.detail };
  }

  /** Never throws: every failure is a fault with a detail line. */
  private async probe(): Promise<Probe> {
    let result: RunResult;
    try {
      result = await this.run(this.lpstatPath, ['-p', this.queue], null);
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
    if (result.code !== 0) {
      return QUEUE_UNKNOWN.test(output)
        ? { fault: 'PRINTER_OFFLINE', detail: `${this.name}: CUPS queue "${this.queue}" does not exist (${output})` }
        : { fault: 'DEVICE_UNAVAILABLE', detail: `${this.name}: lpstat failed with exit code ${String(result.code)} (${output})` };
    }
    if (!result.stdout.includes(`printer ${this.queue} `)) {
      return { fault: 'DEVICE_UNAVAILABLE', detail: `${this.name}: unexpected lpstat answer (${output})` };
    }
    if (PAPER_OUT.test(output)) return { fault: 'PRINTER_PAPER_OUT', detail: `${this.name}: out of paper (${output})` };
    if (DISCONNECTED.test(output)) return { fault: 'PRINTER_OFFLINE', detail: `${this.name}: not taking jobs (${output})` };
    return { fault: null, detail: output };
  }

  private run(file: string, args: readonly string[], input: Uint8Array | null): Promise<RunResult> {
    return new Promise((resolve, reject) => {
      const child = spawn(file, args, {
        env: { ...process.env, LC_ALL: 'C', LANG: 'C' },
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

function checkRequest(pdf: Uint8Array, job: DocumentPrintJob): { title: string; copies: number } {
  if (!(pdf instanceof Uint8Array) || pdf.byteLength < 5 || String.fromCharCode(...pdf.subarray(0, 5)) !== '%PDF-') {
    throw new RangeError('print: the document must be a non-empty PDF');
  }
  const title = job.title.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (title === '') throw new RangeError('print: the job title must not be blank');
  const copies = job.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
    throw new RangeError(`print: copies must be a whole number from 1 to ${MAX_COPIES}`);
  }
  return { title, copies };
}

function oneLine(text: string): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}...` : line;
}

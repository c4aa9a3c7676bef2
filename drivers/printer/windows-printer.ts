import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import { oneLine } from '../one-line';
import { checkPrintRequest } from './document-print-request';
import type {
  DocumentPrinter,
  DocumentPrintJob,
  DocumentPrintReceipt,
  DocumentPrinterStatus,
} from './document-printer.port';

export interface WindowsPrinterOptions {
  /**
   * Printer name as Windows lists it (Settings → Printers); absent: the default printer, looked up before every job.
   */
  printer?: string;
  /**
   * `SumatraPDF.exe`: prints silently with the copy count (`-print-to NAME -print-settings Nx -silent`).
   * Absent: `Start-Process -Verb PrintTo`, which hands the file to whatever PDF application has
   * registered the PrintTo verb (one job per copy).
   */
  sumatraPdfPath?: string;
  /** Default `powershell.exe` (Windows PowerShell 5.1, present on every supported Windows). */
  powershellPath?: string;
  /** Where the PDF files handed to the print application are kept for a while; default the OS temp folder. */
  spoolDir?: string;
  timeoutMs?: number;
}

/** What the status script answers (one JSON line). */
export interface WindowsPrinterAnswer {
  found: boolean;
  name?: string;
  /** Win32_Printer.PrinterStatus: 3 idle, 4 printing, 5 warming up, 6 stopped, 7 offline. */
  printerStatus?: number;
  workOffline?: boolean;
  /** Win32_Printer.DetectedErrorState: 2 no error, 4 no paper, 7 door open, 8 jammed, 9 offline, … */
  errorState?: number;
}

export interface CommandLine {
  file: string;
  args: string[];
  /** Values go through the environment, never into the script text, so no quoting is needed. */
  env: Record<string, string>;
}

const DEFAULT_TIMEOUT_MS = 60_000;
/** Files handed to a print application are removed after this long (it reads them after we return). */
const SPOOL_KEEP_MS = 60 * 60 * 1000;
const POWERSHELL_ARGS = ['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command'];

const STATUS_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$p = if ($env:MOTCUA_PRINTER) { Get-CimInstance Win32_Printer | Where-Object { $_.Name -eq $env:MOTCUA_PRINTER } | Select-Object -First 1 }',
  "     else { Get-CimInstance Win32_Printer -Filter 'Default=TRUE' | Select-Object -First 1 }",
  'if ($null -eq $p) { \'{"found":false}\' } else {',
  '  [pscustomobject]@{ found = $true; name = $p.Name; printerStatus = [int]$p.PrinterStatus; workOffline = [bool]$p.WorkOffline; errorState = [int]$p.DetectedErrorState } | ConvertTo-Json -Compress',
  '}',
].join('\n');

const PRINT_TO_SCRIPT = [
  "$ErrorActionPreference = 'Stop'",
  '$n = [int]$env:MOTCUA_COPIES',
  'for ($i = 0; $i -lt $n; $i++) {',
  "  Start-Process -FilePath $env:MOTCUA_FILE -Verb PrintTo -ArgumentList ('\"' + $env:MOTCUA_PRINTER + '\"') -WindowStyle Hidden",
  '}',
].join('\n');

/** The PowerShell command that reports the named (or default) printer as one JSON line. */
export function windowsStatusCommand(powershellPath: string, printer: string | null): CommandLine {
  return { file: powershellPath, args: [...POWERSHELL_ARGS, STATUS_SCRIPT], env: { MOTCUA_PRINTER: printer ?? '' } };
}

/** The command that hands one PDF file to the printer: SumatraPDF when configured, else the PrintTo verb. */
export function windowsPrintCommand(options: {
  powershellPath: string;
  sumatraPdfPath: string | null;
  printer: string;
  file: string;
  copies: number;
}): CommandLine {
  if (options.sumatraPdfPath !== null) {
    return {
      file: options.sumatraPdfPath,
      args: [
        '-print-to',
        options.printer,
        '-print-settings',
        `${options.copies}x`,
        '-silent',
        '-exit-on-print',
        options.file,
      ],
      env: {},
    };
  }
  return {
    file: options.powershellPath,
    args: [...POWERSHELL_ARGS, PRINT_TO_SCRIPT],
    env: { MOTCUA_PRINTER: options.printer, MOTCUA_FILE: options.file, MOTCUA_COPIES: String(options.copies) },
  };
}

/** Reads the status script's answer; null when it is not the JSON the script writes. */
export function parseWindowsAnswer(stdout: string): WindowsPrinterAnswer | null {
  const line = stdout.trim().split(/\r?\n/).pop() ?? '';
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || typeof (value as { found?: unknown }).found !== 'boolean')
    return null;
  const v = value as Record<string, unknown>;
  return {
    found: v.found === true,
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(typeof v.printerStatus === 'number' ? { printerStatus: v.printerStatus } : {}),
    ...(typeof v.workOffline === 'boolean' ? { workOffline: v.workOffline } : {}),
    ...(typeof v.errorState === 'number' ? { errorState: v.errorState } : {}),
  };
}

/** The fault a printer's answer means, or null when it takes jobs. */
export function windowsFault(
  answer: WindowsPrinterAnswer,
  named: string | null,
): { fault: DeviceErrorCode; detail: string } | null {
  if (!answer.found) {
    return named === null
      ? { fault: 'PRINTER_NOT_SET', detail: 'Windows has no default printer' }
      : { fault: 'PRINTER_OFFLINE', detail: `printer "${named}" does not exist in Windows` };
  }
  const name = answer.name ?? named ?? '?';
  if (answer.errorState === 4) return { fault: 'PRINTER_PAPER_OUT', detail: `${name}: out of paper` };
  if (answer.errorState === 7) return { fault: 'PRINTER_COVER_OPEN', detail: `${name}: door open` };
  if (answer.workOffline === true || answer.printerStatus === 7 || answer.errorState === 9) {
    return { fault: 'PRINTER_OFFLINE', detail: `${name}: offline` };
  }
  if (answer.printerStatus === 6 || answer.errorState === 8)
    return { fault: 'PRINTER_OFFLINE', detail: `${name}: stopped (jammed or needs service)` };
  return null;
}

/**
 * The Windows spooler. Limits, said plainly: Windows has no built-in command that prints a PDF, so
 * the file goes to SumatraPDF (recommended: silent, copies honoured) or to the PDF application's
 * PrintTo verb; `print` resolves when that program has been started, not when the spooler has
 * the job. The job id is the desk's own (`WIN-…`), not the spooler's, and the job's name in the
 * Windows queue is the file name (the title with characters Windows forbids in names replaced).
 */
export class WindowsPrinter implements DocumentPrinter {
  readonly name: string;
  readonly printer: string | null;
  private readonly sumatraPdfPath: string | null;
  private readonly powershellPath: string;
  private readonly spoolDir: string;
  private readonly timeoutMs: number;
  private counter = 0;

  constructor(options: WindowsPrinterOptions = {}) {
    if (options.printer !== undefined && (options.printer.trim() === '' || /[\u0000-\u001f]/.test(options.printer))) {
      throw new RangeError('Windows printer name must not be blank or hold control characters');
    }
    this.printer = options.printer ?? null;
    this.name = options.printer === undefined ? 'Máy in mặc định của Windows' : `Windows ${options.printer}`;
    this.sumatraPdfPath = options.sumatraPdfPath ?? null;
    this.powershellPath = options.powershellPath ?? 'powershell.exe';
    this.spoolDir = options.spoolDir ?? join(tmpdir(), 'motcua-desk-print');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async status(): Promise<DocumentPrinterStatus> {
    const probe = await this.probe();
    return probe.fault === null
      ? { ready: true, detail: probe.detail }
      : { ready: false, detail: probe.detail, fault: probe.fault };
  }

  async print(pdf: Uint8Array, job: DocumentPrintJob): Promise<DocumentPrintReceipt> {
    const { title, copies } = checkPrintRequest(pdf, job);
    const probe = await this.probe();
    if (probe.fault !== null) throw new DeviceError(probe.fault, probe.detail);
    this.counter += 1;
    const jobId = `WIN-${Date.now().toString(36)}-${this.counter}`;
    await this.sweepSpool();
    let file: string;
    try {
      await mkdir(this.spoolDir, { recursive: true });
      const dir = await mkdtemp(join(this.spoolDir, `${jobId}-`));
      file = join(dir, `${windowsFileName(title)}.pdf`);
      await writeFile(file, pdf);
    } catch (cause) {
      throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: cannot write the job to ${this.spoolDir}`, { cause });
    }
    const command = windowsPrintCommand({
      powershellPath: this.powershellPath,
      sumatraPdfPath: this.sumatraPdfPath,
      printer: probe.printer,
      file,
      copies,
    });
    const result = await this.run(command);
    if (result.timedOut)
      throw new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: ${command.file} gave no answer within ${this.timeoutMs} ms`,
      );
    if (result.code !== 0) {
      throw new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: ${command.file} failed with exit code ${String(result.code)} (${oneLine(result.output)})`,
      );
    }
    return { jobId };
  }

  private async probe(): Promise<
    { fault: null; detail: string; printer: string } | { fault: DeviceErrorCode; detail: string }
  > {
    const result = await this.run(windowsStatusCommand(this.powershellPath, this.printer));
    if (result.timedOut)
      return {
        fault: 'DEVICE_UNAVAILABLE',
        detail: `${this.name}: PowerShell gave no answer within ${this.timeoutMs} ms`,
      };
    const answer = result.code === 0 ? parseWindowsAnswer(result.stdout) : null;
    if (answer === null)
      return {
        fault: 'DEVICE_UNAVAILABLE',
        detail: `${this.name}: cannot ask Windows for the printer (${oneLine(result.output)})`,
      };
    const fault = windowsFault(answer, this.printer);
    if (fault !== null) return { fault: fault.fault, detail: `${this.name}: ${fault.detail}` };
    const printer = answer.name ?? this.printer ?? '';
    return { fault: null, detail: `${printer}: ready`, printer };
  }

  /** Removes spooled files older than an hour (the print application has long read them). */
  private async sweepSpool(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.spoolDir);
    } catch {
      return;
    }
    const limit = Date.now() - SPOOL_KEEP_MS;
    for (const entry of names.filter((n) => n.startsWith('WIN-'))) {
      const path = join(this.spoolDir, entry);
      try {
        if ((await stat(path)).mtimeMs < limit) await rm(path, { recursive: true, force: true });
      } catch {
        /* removed meanwhile */
      }
    }
  }

  private run(
    command: CommandLine,
  ): Promise<{ code: number | null; stdout: string; output: string; timedOut: boolean }> {
    return new Promise((resolve) => {
      const child = spawn(command.file, command.args, { env: { ...process.env, ...command.env }, windowsHide: true });
      const out: Buffer[] = [];
      const err: Buffer[] = [];
      let settled = false;
      const finish = (code: number | null, timedOut: boolean, extra = ''): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const stdout = Buffer.concat(out).toString('utf8');
        resolve({ code, stdout, output: `${stdout} ${Buffer.concat(err).toString('utf8')} ${extra}`, timedOut });
      };
      const timer = setTimeout(() => {
        child.kill();
        child.stdout.destroy();
        child.stderr.destroy();
        finish(null, true);
      }, this.timeoutMs);
      child.stdout.on('data', (c: Buffer) => out.push(c));
      child.stderr.on('data', (c: Buffer) => err.push(c));
      child.stdin.end();
      child.on('error', (e: NodeJS.ErrnoException) =>
        finish(null, false, e.code === 'ENOENT' ? `"${command.file}" was not found` : e.message),
      );
      child.on('close', (code) => finish(code, false));
    });
  }
}

/** The title as a Windows file name: the characters Windows forbids replaced, at most 120 characters. */
export function windowsFileName(title: string): string {
  const name = title
    .replace(/[<>:"/\\|?*\u0000-\u001f]/g, '_')
    .replace(/[. ]+$/, '')
    .slice(0, 120);
  return name === '' ? 'tai-lieu' : name;
}

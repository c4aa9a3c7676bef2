import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DeviceError, type DeviceErrorCode } from '../device-error';
import { checkPrintRequest } from './document-print-request';
import type {
  DocumentPrinter,
  DocumentPrintJob,
  DocumentPrintReceipt,
  DocumentPrinterStatus,
} from './document-printer.port';

export interface SimulatedPrintJob {
  jobId: string;
  title: string;
  copies: number;
  /** A copy of the bytes as they were handed over. */
  bytes: Uint8Array;
  /** Where the job was written when `outDir` is set, else null. */
  file: string | null;
  acceptedAt: Date;
}

export interface SimulatedDocumentPrinterOptions {
  name?: string;
  /**
   * Also write each accepted job here as `<yyyyMMdd-HHmmss>-<jobId>-<title>.pdf`, for trainers to
   * look at. The time prefix keeps files of earlier sessions (job ids restart at SIM-1).
   */
  outDir?: string;
}

/** A job file as `print` names it: `<yyyyMMdd-HHmmss>-SIM-<n>-<slug>.pdf`. */
const JOB_FILE = /^\d{8}-\d{6}-SIM-\d+-[a-z0-9-]+\.pdf$/;

/**
 * The twin of a real A4 printer: accepts jobs into memory (and optionally a folder) and lets tests
 * and trainers cause the faults a real one has. Behaves per `DocumentPrinter`'s contract.
 */
export class SimulatedDocumentPrinter implements DocumentPrinter {
  readonly name: string;
  readonly outDir: string | null;
  private readonly accepted: SimulatedPrintJob[] = [];
  private readonly pendingFaults: { code: DeviceErrorCode; message: string }[] = [];
  private connected = true;
  private counter = 0;

  constructor(options: SimulatedDocumentPrinterOptions = {}) {
    this.name = options.name ?? 'Máy in A4 mô phỏng';
    this.outDir = options.outDir ?? null;
  }

  /** Every accepted job, oldest first. */
  get jobs(): readonly SimulatedPrintJob[] {
    return this.accepted;
  }

  get lastJob(): SimulatedPrintJob | undefined {
    return this.accepted.at(-1);
  }

  get plugged(): boolean {
    return this.connected;
  }

  /**
   * The next `print` call fails with this code (calls queue up: one fault per print). A one-shot
   * event: `status()` does not show it, `unplug()` is the lasting fault.
   */
  failNext(code: DeviceErrorCode, message?: string): void {
    this.pendingFaults.push({ code, message: message ?? `${this.name}: simulated ${code}` });
  }

  /** Until `plugIn()`, prints fail with PRINTER_OFFLINE and status is not ready. */
  unplug(): void {
    this.connected = false;
  }

  plugIn(): void {
    this.connected = true;
  }

  /** Forget accepted jobs and pending faults (files already written stay). */
  reset(): void {
    this.accepted.length = 0;
    this.pendingFaults.length = 0;
    this.connected = true;
  }

  async print(pdf: Uint8Array, job: DocumentPrintJob): Promise<DocumentPrintReceipt> {
    const { title, copies } = checkPrintRequest(pdf, job);
    const bytes = Uint8Array.from(pdf);
    if (!this.connected) {
      throw new DeviceError('PRINTER_OFFLINE', `${this.name}: printer is unplugged`);
    }
    const fault = this.pendingFaults.shift();
    if (fault) throw new DeviceError(fault.code, fault.message);

    this.counter += 1;
    const jobId = `SIM-${this.counter}`;
    const acceptedAt = new Date();
    const file =
      this.outDir === null ? null : join(this.outDir, `${fileStamp(acceptedAt)}-${jobId}-${fileSlug(title)}.pdf`);
    if (file !== null && this.outDir !== null) {
      try {
        // Owner-only, like the rest of the data folder (docs/operations.md, "Data at rest").
        await mkdir(this.outDir, { recursive: true, mode: 0o700 });
        await writeFile(file, bytes, { mode: 0o600 });
      } catch (cause) {
        throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: cannot write the job to ${this.outDir}`, { cause });
      }
    }
    this.accepted.push({ jobId, title, copies, bytes, file, acceptedAt });
    return { jobId };
  }

  async status(): Promise<DocumentPrinterStatus> {
    if (!this.connected) return { ready: false, detail: `${this.name}: chưa cắm (mô phỏng)`, fault: 'PRINTER_OFFLINE' };
    const count = await this.printedCount();
    return {
      ready: true,
      detail: `${this.name}: sẵn sàng, đã in ${count} tài liệu${this.outDir === null ? '' : ` (tệp PDF trong ${this.outDir})`}`,
    };
  }

  /**
   * How many jobs this printer has printed: with `outDir`, the job files there (every session of
   * the desk, also those of another process such as the running desk when `doctor` asks); without
   * it, the jobs of this instance.
   */
  async printedCount(): Promise<number> {
    if (this.outDir === null) return this.accepted.length;
    try {
      return (await readdir(this.outDir)).filter((name) => JOB_FILE.test(name)).length;
    } catch {
      return 0;
    }
  }
}

function fileStamp(at: Date): string {
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${at.getFullYear()}${two(at.getMonth() + 1)}${two(at.getDate())}-${two(at.getHours())}${two(at.getMinutes())}${two(at.getSeconds())}`;
}

/** ASCII file-name part from a Vietnamese title: "Giấy tiếp nhận" → "giay-tiep-nhan". */
function fileSlug(title: string): string {
  const ascii = title
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/đ/g, 'd')
    .replace(/Đ/g, 'D')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60);
  return ascii === '' ? 'job' : ascii;
}

/**
 * The real ticket printer: `renderTicket` over a `PrinterTransport` (serial, TCP 9100 or a USB
 * device file), with DLE EOT status checks. See the contract in `ticket-printer.port.ts`.
 */
import { DeviceError, isDeviceError } from '../device-error';
import { statusRequest, type PaperWidth } from './escpos';
import { decodeStatus } from './escpos-status';
import { renderTicket } from './ticket-render';
import type {
  TicketDocument,
  TicketPrinter,
  TicketPrinterStatus,
  TicketPrintResult,
  TicketTextMode,
} from './ticket-printer.port';
import type { PrinterTransport } from './ticket-transports';

export interface EscPosPrinterOptions {
  paper: PaperWidth;
  text?: TicketTextMode;
  fontDir?: string;
  /** How long to wait for each status byte; default 1000 ms. */
  statusTimeoutMs?: number;
}

/** Turns a decoded status into the fault it means, or null when the printer can print. */
export function statusFault(status: TicketPrinterStatus, name: string): DeviceError | null {
  if (status.coverOpen) return new DeviceError('PRINTER_COVER_OPEN', `${name}: the cover is open`);
  if (status.paperOut) return new DeviceError('PRINTER_PAPER_OUT', `${name}: out of paper`);
  if (!status.online)
    return new DeviceError(
      'PRINTER_OFFLINE',
      `${name}: the printer reports it is offline${status.error ? ' (error: cutter, head temperature or voltage)' : ''}`,
    );
  return null;
}

export class EscPosTicketPrinter implements TicketPrinter {
  readonly name: string;
  readonly paper: PaperWidth;
  private queue: Promise<unknown> = Promise.resolve();
  private closed = false;
  private readonly statusTimeoutMs: number;
  /** False once a pre-print status query went unanswered; set again by an answered `status()`. */
  private answersStatus = true;

  constructor(
    private readonly transport: PrinterTransport,
    private readonly options: EscPosPrinterOptions,
  ) {
    this.name = transport.name;
    this.paper = options.paper;
    this.statusTimeoutMs = options.statusTimeoutMs ?? 1000;
  }

  /** One call at a time on the wire. */
  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(() => {
      if (this.closed) throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the printer was closed`);
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async readStatus(): Promise<TicketPrinterStatus> {
    // A write-only transport (device file) rejects the first query with PRINTER_NO_STATUS.
    const printer = await this.transport.query(statusRequest(1), this.statusTimeoutMs);
    const offlineCause = await this.transport.query(statusRequest(2), this.statusTimeoutMs);
    const paper = await this.transport.query(statusRequest(4), this.statusTimeoutMs);
    return decodeStatus(printer, offlineCause, paper);
  }

  status(): Promise<TicketPrinterStatus> {
    return this.serial(async () => {
      const status = await this.readStatus();
      this.answersStatus = true;
      return status;
    });
  }

  /** Encodes first (bad arguments reject before the device is touched), then checks status, then writes. */
  async print(ticket: TicketDocument): Promise<TicketPrintResult> {
    const bytes = await renderTicket(ticket, {
      paper: this.paper,
      ...(this.options.text ? { text: this.options.text } : {}),
      ...(this.options.fontDir ? { fontDir: this.options.fontDir } : {}),
    });
    return this.serial(async () => {
      await this.transport.open();
      if (this.transport.readable && this.answersStatus) {
        let status: TicketPrinterStatus | null = null;
        try {
          status = await this.readStatus();
        } catch (err) {
          if (!(isDeviceError(err) && err.code === 'PRINTER_NO_STATUS')) throw err;
          // A printer that never answers would cost every ticket the timeout; `status()` still asks.
          this.answersStatus = false;
        }
        const fault = status === null ? null : statusFault(status, this.name);
        if (fault !== null) throw fault;
      }
      await this.transport.write(bytes);
      return { bytesWritten: bytes.length };
    });
  }

  async close(): Promise<void> {
    await this.serial(async () => {
      this.closed = true;
      await this.transport.close();
    }).catch(() => undefined);
    this.closed = true;
  }
}

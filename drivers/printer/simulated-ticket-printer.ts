/**
 * The ticket printer's simulated twin, for training mode and tests. It encodes tickets exactly as
 * the real printer does (same bytes) and keeps them; faults are set by test controls, never by
 * production code.
 */
import { DeviceError } from '../device-error';
import type { PaperWidth } from './escpos';
import { decodeStatus, encodeStatus } from './escpos-status';
import { statusFault } from './escpos-printer';
import { renderTicket } from './ticket-render';
import type {
  TicketDocument,
  TicketPrinter,
  TicketPrinterStatus,
  TicketPrintResult,
  TicketTextMode,
} from './ticket-printer.port';

export type SimulatedTicketFault = 'PAPER_OUT' | 'COVER_OPEN' | 'OFFLINE' | 'NO_STATUS';

export interface SimulatedTicketJob {
  ticket: TicketDocument;
  bytes: Uint8Array;
}

export class SimulatedTicketPrinter implements TicketPrinter {
  readonly name: string;
  readonly paper: PaperWidth;
  readonly jobs: SimulatedTicketJob[] = [];
  private fault: SimulatedTicketFault | null = null;
  private nextFault: SimulatedTicketFault | null = null;
  private paperNearEnd = false;
  private closed = false;

  constructor(
    private readonly options: { name?: string; paper?: PaperWidth; text?: TicketTextMode; fontDir?: string } = {},
  ) {
    this.name = options.name ?? 'Máy in vé mô phỏng';
    this.paper = options.paper ?? 80;
  }

  /** Test control: a lasting fault (until `setFault(null)`). */
  setFault(fault: SimulatedTicketFault | null): void {
    this.fault = fault;
  }

  /** Test control: a fault for the next call only. */
  failNext(fault: SimulatedTicketFault): void {
    this.nextFault = fault;
  }

  /** Test control: the paper roll sensor reports near end (printing goes on). */
  setPaperNearEnd(on: boolean): void {
    this.paperNearEnd = on;
  }

  get lastJob(): SimulatedTicketJob | undefined {
    return this.jobs.at(-1);
  }

  private takeFault(): SimulatedTicketFault | null {
    const f = this.nextFault ?? this.fault;
    this.nextFault = null;
    return f;
  }

  private statusFor(fault: SimulatedTicketFault | null): TicketPrinterStatus {
    if (this.closed) throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the printer was closed`);
    if (fault === 'NO_STATUS')
      throw new DeviceError('PRINTER_NO_STATUS', `${this.name}: no answer to the status query`);
    const raw = encodeStatus({
      offline: fault === 'OFFLINE',
      coverOpen: fault === 'COVER_OPEN',
      paperOut: fault === 'PAPER_OUT',
      paperNearEnd: this.paperNearEnd,
    });
    return decodeStatus(raw.printer, raw.offlineCause, raw.paper);
  }

  async status(): Promise<TicketPrinterStatus> {
    return this.statusFor(this.takeFault());
  }

  async print(ticket: TicketDocument): Promise<TicketPrintResult> {
    const bytes = await renderTicket(ticket, {
      paper: this.paper,
      ...(this.options.text ? { text: this.options.text } : {}),
      ...(this.options.fontDir ? { fontDir: this.options.fontDir } : {}),
    });
    const fault = this.takeFault();
    if (fault !== 'NO_STATUS') {
      const problem = statusFault(this.statusFor(fault), this.name);
      if (problem !== null) throw problem;
    } else if (this.closed) throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the printer was closed`);
    this.jobs.push({ ticket, bytes });
    return { bytesWritten: bytes.length };
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

/**
 * The thermal ticket printer at the kiosk and the counters (docs/domain.md §7): ESC/POS over serial,
 * TCP port 9100 or a USB printer device file.
 *
 * Adapters: `EscPosTicketPrinter` (`escpos-printer.ts`, the encoder over one of the transports of
 * `ticket-transports.ts`) and `SimulatedTicketPrinter` (the twin for training mode and tests, with
 * paper out, cover open and offline faults). `ticket-printer.contract.ts` holds the behaviour both
 * must show.
 */
import type { PaperWidth } from './escpos';

/** One block of a ticket, top to bottom. */
export type TicketBlock =
  | {
      kind: 'text';
      text: string;
      align?: 'left' | 'center' | 'right';
      /** normal ≈ 24 dots high, large ≈ double, huge for the ticket number. */
      size?: 'normal' | 'large' | 'huge';
      bold?: boolean;
    }
  | { kind: 'qr'; data: string; moduleSize?: number }
  | { kind: 'rule' }
  | { kind: 'feed'; lines: number };

/** A ticket to print: blocks, then the paper is fed and cut. */
export interface TicketDocument {
  blocks: TicketBlock[];
}

/**
 * How text reaches the paper. `raster` (default) renders it to a 1-bit image with the shipped
 * Noto Sans and sends `GS v 0`: every printer prints it the same. `codepage` sends text in CP1258
 * after `ESC t table` (the printer's own table number), for printers known to handle it.
 */
export type TicketTextMode = { kind: 'raster' } | { kind: 'codepage'; codePage: 'cp1258'; table: number };

export interface TicketPrintResult {
  /** Bytes handed to the transport (all of them, or the promise rejects). */
  bytesWritten: number;
}

/** The printer's answers to DLE EOT 1, 2 and 4, decoded. */
export interface TicketPrinterStatus {
  online: boolean;
  coverOpen: boolean;
  paperOut: boolean;
  paperNearEnd: boolean;
  /** The printer reports an error (cutter, head temperature, ...) in its offline cause byte. */
  error: boolean;
  /** The raw status bytes, for IT staff. */
  raw: { printer: number; offlineCause: number; paper: number };
}

/**
 * Contract:
 *
 * - `print(ticket)` encodes the ticket for this printer's paper width and text mode and resolves
 *   once every byte has been handed to the device (a serial line drained, a socket flushed, a
 *   device file written), not when paper comes out.
 * - Before writing, a printer that answers status queries is asked; a fault rejects with
 *   `DeviceError` and nothing is written: `PRINTER_PAPER_OUT`, `PRINTER_COVER_OPEN`, or
 *   `PRINTER_OFFLINE` (also for a refused or lost connection). A printer that does not answer is
 *   printed to anyway (many never answer). A device that is not there (no such serial port or
 *   device file, no permission) rejects with `DEVICE_UNAVAILABLE`.
 * - `status()` asks DLE EOT 1, 2 and 4 and resolves the decoded answer. It rejects with
 *   `PRINTER_NO_STATUS` when the printer does not answer within the timeout (or the transport
 *   cannot read, as a write-only device file), and with the codes above when it cannot be reached.
 * - Bad arguments (an empty ticket, QR data too long) reject with `RangeError`.
 * - Calls are serialised: one job at a time on the wire. `close()` releases the device; a closed
 *   printer rejects further calls with `DEVICE_UNAVAILABLE`.
 */
export interface TicketPrinter {
  /** Human-readable name for the device page and logs (the target, never a secret). */
  readonly name: string;
  readonly paper: PaperWidth;
  print(ticket: TicketDocument): Promise<TicketPrintResult>;
  status(): Promise<TicketPrinterStatus>;
  close(): Promise<void>;
}

/** The data of a queue ticket, as the kiosk prints it. */
export interface QueueTicketData {
  /** e.g. "A015". */
  number: string;
  serviceName: string;
  /** When it was taken, already formatted for the ticket (e.g. "08:42 04/12/2026"). */
  issuedAt: string;
  peopleAhead: number;
  /** What the QR code holds (e.g. a link to follow the queue, or the ticket id). */
  qr: string;
  agencyName?: string;
}

/**
 * Decoding the one-byte answers to DLE EOT n (real-time status). Each answer has bit 1 and bit 4
 * set and bits 0 and 7 clear, which tells a status byte from stray data. Pure.
 */
import type { TicketPrinterStatus } from './ticket-printer.port';

/** True when `b` has the fixed bits of a DLE EOT answer (xxx1 xx10 with bit 7 clear). */
export function isStatusByte(b: number): boolean {
  return (b & 0x93) === 0x12;
}

/** n=1 printer status: bit 3 = offline. */
export const PRINTER_OFFLINE_BIT = 0x08;
/** n=2 offline cause: bit 2 cover open, bit 3 paper fed by button, bit 5 stopped for paper end, bit 6 error. */
export const CAUSE_COVER_OPEN = 0x04;
export const CAUSE_PAPER_END_STOP = 0x20;
export const CAUSE_ERROR = 0x40;
/** n=4 paper roll sensor: bits 2-3 near end, bits 5-6 paper end. */
export const PAPER_NEAR_END = 0x0c;
export const PAPER_END = 0x60;

export function decodeStatus(printer: number, offlineCause: number, paper: number): TicketPrinterStatus {
  const paperOut = (paper & PAPER_END) !== 0 || (offlineCause & CAUSE_PAPER_END_STOP) !== 0;
  const coverOpen = (offlineCause & CAUSE_COVER_OPEN) !== 0;
  return {
    online: (printer & PRINTER_OFFLINE_BIT) === 0,
    coverOpen,
    paperOut,
    paperNearEnd: (paper & PAPER_NEAR_END) !== 0,
    error: (offlineCause & CAUSE_ERROR) !== 0,
    raw: { printer, offlineCause, paper },
  };
}

/** The answers a printer in the given state gives (used by the twin and by tests playing a printer). */
export function encodeStatus(state: {
  offline?: boolean;
  coverOpen?: boolean;
  paperOut?: boolean;
  paperNearEnd?: boolean;
  error?: boolean;
}): {
  printer: number;
  offlineCause: number;
  paper: number;
} {
  const offline = Boolean(state.offline || state.coverOpen || state.paperOut || state.error);
  return {
    printer: 0x12 | 0x04 | (offline ? PRINTER_OFFLINE_BIT : 0), // bit 2 (drawer pin) high, as most printers report
    offlineCause:
      0x12 |
      (state.coverOpen ? CAUSE_COVER_OPEN : 0) |
      (state.paperOut ? CAUSE_PAPER_END_STOP : 0) |
      (state.error ? CAUSE_ERROR : 0),
    paper: 0x12 | (state.paperNearEnd || state.paperOut ? PAPER_NEAR_END : 0) | (state.paperOut ? PAPER_END : 0),
  };
}

/**
 * The A4 document printer (receipts, supplement requests, refusals, apologies: the forms of
 * docs/domain.md §6). The desk hands it a finished PDF; layout and fonts are the forms' business.
 *
 * Adapters: `CupsPrinter` (a CUPS queue, or the default destination, through `lp`/`lpstat`),
 * `WindowsPrinter` (the Windows spooler through PowerShell, or SumatraPDF when configured) and
 * `SimulatedDocumentPrinter` (the twin used in training mode and tests). `createDrivers` in `drivers/index.ts` picks
 * one.
 * `drivers/printer/document-printer.contract.ts` holds the behaviour every adapter must show.
 */

import type { DeviceErrorCode } from '../device-error';

export interface DocumentPrintJob {
  /**
   * Job name shown in the print queue (e.g. the dossier code and form name). Unicode is kept as is;
   * control characters are replaced by spaces. Must not be blank.
   */
  title: string;
  /** Whole number of copies, 1 to 99; default 1. */
  copies?: number;
}

export interface DocumentPrintReceipt {
  /** The print system's id of the accepted job (CUPS: `<queue>-<n>`); unique per printer. */
  jobId: string;
}

export interface DocumentPrinterStatus {
  /** True when a job sent now would be accepted and printed. */
  ready: boolean;
  /** One line for IT staff and the device page: the print system's own words where it has them. */
  detail: string;
  /** When not ready and the adapter knows why: the code a print would fail with now. */
  fault?: DeviceErrorCode;
}

/**
 * Contract:
 *
 * - `print(pdf, job)` resolves once the print system has **accepted** the job (queued), not when
 *   paper comes out. `pdf` must be a non-empty PDF (starting with `%PDF-`). The bytes are sent
 *   unchanged; the caller may reuse its buffer after the promise settles.
 * - Bad arguments (empty or non-PDF bytes, blank title, copies outside 1..99 or not whole)
 *   reject with `RangeError` before anything reaches the device.
 * - Device faults reject with `DeviceError` (`drivers/device-error.ts`), whose `code` is one of:
 *   - `PRINTER_OFFLINE`: the printer is not taking jobs (disabled, paused, unplugged) or the
 *     configured queue does not exist;
 *   - `PRINTER_PAPER_OUT`: the printer reports it has no paper;
 *   - `PRINTER_NOT_SET`: no printer is named and the system has no default printer;
 *   - `DEVICE_UNAVAILABLE`: the print system itself cannot be reached or used (no `lp` binary,
 *     scheduler down, no answer within the adapter's timeout, an answer it cannot understand).
 *   A rejected job was not queued (except after a timeout, when its fate is unknown), so the
 *   caller may retry it once the fault is fixed.
 * - `status()` never rejects for a device fault: it resolves `{ ready: false, detail }` instead,
 *   so the device page can poll it.
 * - There is no cancel: a queued job belongs to the print system (CUPS `cancel`, the OS queue UI).
 * - Calls may overlap; each `print` is an independent job.
 */
export interface DocumentPrinter {
  /** Human-readable name for the device page and logs (never a secret). */
  readonly name: string;
  print(pdf: Uint8Array, job: DocumentPrintJob): Promise<DocumentPrintReceipt>;
  status(): Promise<DocumentPrinterStatus>;
}

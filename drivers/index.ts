import { CupsPrinter } from './printer/cups-printer';
import type { DocumentPrinter } from './printer/document-printer.port';
import { SimulatedDocumentPrinter } from './printer/simulated-document-printer';

export type { DocumentPrinter, DocumentPrintJob, DocumentPrintReceipt, DocumentPrinterStatus } from './printer/document-printer.port';
export { DeviceError, DEVICE_ERROR_CODES, isDeviceError, type DeviceErrorCode } from './device-error';

export type DocumentPrinterConfig =
  | {
      kind: 'simulated';
      /** Also write each job as a PDF file here (trainers look at them). */
      outDir?: string;
    }
  | {
      kind: 'cups';
      /** CUPS queue name, as `lpstat -p` lists it. */
      queue: string;
    };

export interface DriversConfig {
  mode: 'training' | 'production';
  documentPrinter: DocumentPrinterConfig;
}

export interface Drivers {
  documentPrinter: DocumentPrinter;
}

/**
 * The one place that picks real or simulated devices. Training mode never touches real devices:
 * whatever a device's configured kind, it gets the simulated twin (ARCHITECTURE.md §1, training
 * mode). In production each device is what its config says; a simulated printer there writes
 * jobs only to memory and `outDir`, which IT staff may choose on purpose (print to a folder).
 */
export function createDrivers(config: DriversConfig): Drivers {
  return { documentPrinter: createDocumentPrinter(config.mode, config.documentPrinter) };
}

function createDocumentPrinter(mode: DriversConfig['mode'], config: DocumentPrinterConfig): DocumentPrinter {
  if (config.kind === 'cups' && mode === 'production') {
    return new CupsPrinter({ queue: config.queue });
  }
  return new SimulatedDocumentPrinter(
    config.kind === 'simulated' && config.outDir !== undefined ? { outDir: config.outDir } : {},
  );
}

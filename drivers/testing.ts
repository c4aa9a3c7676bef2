/**
 * The test entry of drivers/: simulated twins, the real adapters tests drive directly, sample pages
 * and the far end of each device (a printer sink, an eSCL scanner, a SANE test backend, a SoftHSM
 * token, stand-in print tools). Tests and benches outside drivers/ take these from here and nothing
 * else from a driver file; production code never imports this file and gets its devices from
 * drivers/index.ts (docs/architecture.md, "Folders and import walls").
 */

// Simulated twins.
export { SimulatedBarcodeReader } from './barcode/simulated-barcode-reader';
export { SimulatedDocumentPrinter } from './printer/simulated-document-printer';
export { SimulatedTicketPrinter, type SimulatedTicketFault } from './printer/simulated-ticket-printer';
export { SimulatedScanner, SimulatedScannerProvider } from './scanner/simulated-scanner';
export { SimulatedToken, SimulatedTokenProvider, type SimulatedTokenOptions } from './token/simulated-token';

// Real adapters.
export { Pkcs11TokenProvider, type Pkcs11TokenProviderOptions } from './token/pkcs11-provider';

// Sample pages and files.
export { fixtureText, renderFixturePage } from './scanner/fixture-pages';
export { importFiles } from './scanner/file-import';

// The far end of a device.
export { EscPosSink, EscPosWalker, StatusResponder } from './printer/escpos-sink';
export { LPSTAT_WITH_DEFAULT_FILE, standInsOnPath, type StandInsOnPath } from './printer/testing/print-tool-stand-ins';
export { startEsclServer, type EsclServer } from './scanner/escl-server';
export { makeSaneEnv, SCANIMAGE, type SaneEnv } from './scanner/sane-test-env';
export { createSoftHsmToken, softHsmAvailable, type SoftHsmFixture } from './token/testing/softhsm-fixture';

// The pieces of a ticket's way to the printer, for the ticket bench.
export { statusRequest } from './printer/escpos';
export { renderTicket } from './printer/ticket-render';
export { createTransport, type PrinterTransport } from './printer/ticket-transports';

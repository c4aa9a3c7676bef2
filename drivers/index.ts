/**
 * The production entry of drivers/: the factories that pick a real device or its simulated twin
 * (`createDrivers`, `createTicketPrinter`, `createBarcodeReader`, `createTokenProvider`), their
 * settings types and helpers, the port types, `DeviceError`, and plain helpers the core needs:
 * ticket rendering, printer targets and barcode terminators (config validation), and reading the
 * pages of files an officer picks (the station's file import). Twins and real adapter classes are
 * not exported here: tests get them from drivers/testing.ts (docs/architecture.md, "Folders and
 * import walls").
 */
import type { BarcodeReader } from './barcode/barcode-reader.port';
import { parseTerminator } from './barcode/barcode-framer';
import { SerialBarcodeReader } from './barcode/serial-barcode-reader';
import { SimulatedBarcodeReader } from './barcode/simulated-barcode-reader';
import { CupsPrinter } from './printer/cups-printer';
import type { DocumentPrinter } from './printer/document-printer.port';
import { SimulatedDocumentPrinter } from './printer/simulated-document-printer';
import { WindowsPrinter } from './printer/windows-printer';
import type { PaperWidth } from './printer/escpos';
import { EscPosTicketPrinter } from './printer/escpos-printer';
import { SimulatedTicketPrinter } from './printer/simulated-ticket-printer';
import type { TicketPrinter } from './printer/ticket-printer.port';
import { createTransport, parsePrinterTarget } from './printer/ticket-transports';
import { CombinedScannerProvider } from './scanner/combined-provider';
import { EsclScannerProvider } from './scanner/escl-scanner';
import { FileImportProvider } from './scanner/file-import';
import { FolderScannerProvider } from './scanner/folder-scanner';
import { SaneScannerProvider } from './scanner/sane-provider';
import type { ScannerProvider } from './scanner/scanner.port';
import { SimulatedScanner, SimulatedScannerProvider } from './scanner/simulated-scanner';
import { Pkcs11TokenProvider } from './token/pkcs11-provider';
import { SimulatedToken, SimulatedTokenProvider } from './token/simulated-token';
import type { TokenProvider } from './token/token.port';

export type {
  DocumentPrinter,
  DocumentPrintJob,
  DocumentPrintReceipt,
  DocumentPrinterStatus,
} from './printer/document-printer.port';
export type {
  PageSize,
  ScanMode,
  ScanOptions,
  ScanPhase,
  ScanProgress,
  ScanRequest,
  ScanSource,
  ScannedPage,
  Scanner,
  ScannerCapabilities,
  ScannerInfo,
  ScannerKind,
  ScannerProvider,
} from './scanner/scanner.port';
export { DeviceError, DEVICE_ERROR_CODES, isDeviceError, type DeviceErrorCode } from './device-error';
/** File import for the core: the pages of image/PDF files (the station's import and the `digitise` command). */
export {
  DEFAULT_MAX_FILE_BYTES as MAX_IMPORT_FILE_BYTES,
  readFilePages,
  type FilePage as ImportedFilePage,
  type UnreadableReason,
} from './scanner/file-import';
export type {
  QueueTicketData,
  TicketBlock,
  TicketDocument,
  TicketPrinter,
  TicketPrinterStatus,
  TicketPrintResult,
  TicketTextMode,
} from './printer/ticket-printer.port';
export type { PaperWidth } from './printer/escpos';
export { describeTarget, parsePrinterTarget, type PrinterTarget } from './printer/ticket-transports';
export { queueTicketDocument, testTicketDocument } from './printer/ticket-render';

export type DocumentPrinterConfig =
  | {
      kind: 'simulated';
      /** Also write each job as a PDF file here (trainers look at them). */
      outDir?: string;
    }
  | {
      kind: 'cups';
      /** CUPS queue name, as `lpstat -p` lists it; absent: the default destination (`lpstat -d`). */
      queue?: string | undefined;
    }
  | {
      kind: 'windows';
      /** Printer name as Windows lists it; absent: the Windows default printer. */
      printer?: string | undefined;
      /** `SumatraPDF.exe` for silent printing; absent: the PDF application's PrintTo verb. */
      sumatraPdfPath?: string | undefined;
    }
  | {
      /** The operating system's default printer: CUPS on Linux and macOS, the spooler on Windows. */
      kind: 'system';
    };

/**
 * The document printer a desk gets (`compose` and `doctor` both ask here, so they agree).
 * Training mode: the twin, writing each job into `printedDir`. Production: the printer the config
 * names; a simulated one only when named `kind: 'simulated'` (it then prints into `printedDir`);
 * nothing named is the system's default printer.
 */
export function documentPrinterSetting(
  mode: DriversConfig['mode'],
  configured: DocumentPrinterConfig | undefined,
  printedDir: string,
): DocumentPrinterConfig {
  if (mode === 'training' || configured?.kind === 'simulated') return { kind: 'simulated', outDir: printedDir };
  return configured ?? { kind: 'system' };
}

/** One scanner source. In training mode each becomes a simulated twin. */
export type ScannerDeviceConfig =
  | {
      kind: 'simulated';
      name?: string;
      /** Time each simulated page takes; default 400 ms. */
      pageDelayMs?: number;
    }
  | {
      /** Every scanner SANE finds (`scanimage -L`), or only the `devices` named. */
      kind: 'sane';
      devices?: string[];
      scanimagePath?: string;
      /** Extra environment for scanimage, e.g. `SANE_CONFIG_DIR`. */
      env?: Record<string, string>;
    }
  | {
      /** A driverless network scanner; `url` is its eSCL root, e.g. `http://192.168.1.20/eSCL`. */
      kind: 'escl';
      url: string;
      name?: string;
    }
  | {
      /** A scan-to-folder device writing into `path`. */
      kind: 'folder';
      path: string;
      name?: string;
      /** End of a batch after this long without a new file; default 20 s. */
      idleTimeoutMs?: number;
    };

export interface ScannerConfig {
  /** Default: training, one simulated scanner; production, every scanner SANE finds. */
  devices?: ScannerDeviceConfig[];
  /** Offer importing image and PDF files as a scanner ("Nhập từ tệp"); default true. */
  fileImport?: boolean;
}

export interface DriversConfig {
  mode: 'training' | 'production';
  /** See `documentPrinterSetting` for what a desk without a printer in its config gets. */
  documentPrinter: DocumentPrinterConfig;
  /** Which OS adapter `kind: 'system'` means; default the running platform. */
  platform?: NodeJS.Platform;
  scanner?: ScannerConfig;
}

export interface Drivers {
  documentPrinter: DocumentPrinter;
  /** Every scanner of the desk, file import included (ids: `sane:…`, `escl:…`, `folder:…`, `sim:…`, `file`). */
  scanners: ScannerProvider;
}

/**
 * The one place that picks real or simulated devices. Training mode never touches real devices:
 * whatever a device's configured kind, it gets the simulated twin (docs/architecture.md, training
 * mode). In production each device is what its config says; a simulated printer there only when
 * IT staff name `kind: 'simulated'` on purpose (`doctor` warns about it).
 */
export function createDrivers(config: DriversConfig): Drivers {
  return {
    documentPrinter: createDocumentPrinter(config.mode, config.documentPrinter, config.platform ?? process.platform),
    scanners: createScanners(config.mode, config.scanner ?? {}),
  };
}

/**
 * Training: one twin per configured device (named after it), real devices never touched. File
 * import reads only files the officer picks, so it is offered in both modes.
 */
function createScanners(mode: DriversConfig['mode'], config: ScannerConfig): ScannerProvider {
  const parts: ScannerProvider[] = [];
  if (mode === 'training') {
    // Training keeps at least one twin, even when every real adapter is switched off.
    const devices: ScannerDeviceConfig[] = config.devices?.length ? config.devices : [{ kind: 'simulated' }];
    parts.push(
      new SimulatedScannerProvider(
        devices.map(
          (device, i) =>
            new SimulatedScanner({
              id: `sim:${i + 1}`,
              name: simulatedName(device, i),
              pageDelayMs: device.kind === 'simulated' ? (device.pageDelayMs ?? 400) : 400,
            }),
        ),
      ),
    );
  } else {
    const devices = config.devices ?? [{ kind: 'sane' }];
    const simulated = devices.flatMap((d, i) => (d.kind === 'simulated' ? [{ device: d, i }] : []));
    if (simulated.length > 0) {
      parts.push(
        new SimulatedScannerProvider(
          simulated.map(
            ({ device, i }) =>
              new SimulatedScanner({
                id: `sim:${i + 1}`,
                name: simulatedName(device, i),
                pageDelayMs: device.pageDelayMs ?? 400,
              }),
          ),
        ),
      );
    }
    for (const device of devices) {
      if (device.kind === 'sane') {
        parts.push(
          new SaneScannerProvider({
            ...(device.devices === undefined ? {} : { devices: device.devices }),
            ...(device.scanimagePath === undefined ? {} : { scanimagePath: device.scanimagePath }),
            ...(device.env === undefined ? {} : { env: device.env }),
          }),
        );
      }
    }
    const escl = devices.flatMap((d) =>
      d.kind === 'escl' ? [{ url: d.url, ...(d.name === undefined ? {} : { name: d.name }) }] : [],
    );
    if (escl.length > 0) parts.push(new EsclScannerProvider(escl));
    const folders = devices.flatMap((d) =>
      d.kind === 'folder'
        ? [
            {
              folder: d.path,
              ...(d.name === undefined ? {} : { name: d.name }),
              ...(d.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: d.idleTimeoutMs }),
            },
          ]
        : [],
    );
    if (folders.length > 0) parts.push(new FolderScannerProvider(folders));
  }
  if (config.fileImport ?? true) parts.push(new FileImportProvider());
  return new CombinedScannerProvider(parts);
}

function simulatedName(device: ScannerDeviceConfig, i: number): string {
  const base = device.kind === 'simulated' || device.kind === 'sane' ? undefined : device.name;
  if (device.kind === 'simulated' && device.name !== undefined) return device.name;
  return base === undefined ? `Máy quét mô phỏng ${i + 1}` : `${base} (mô phỏng)`;
}

function createDocumentPrinter(
  mode: DriversConfig['mode'],
  config: DocumentPrinterConfig,
  platform: NodeJS.Platform,
): DocumentPrinter {
  if (mode === 'training' || config.kind === 'simulated') {
    return new SimulatedDocumentPrinter(
      config.kind === 'simulated' && config.outDir !== undefined ? { outDir: config.outDir } : {},
    );
  }
  if (config.kind === 'cups') return new CupsPrinter(config.queue === undefined ? {} : { queue: config.queue });
  if (config.kind === 'windows') {
    return new WindowsPrinter({
      ...(config.printer === undefined ? {} : { printer: config.printer }),
      ...(config.sumatraPdfPath === undefined ? {} : { sumatraPdfPath: config.sumatraPdfPath }),
    });
  }
  return platform === 'win32' ? new WindowsPrinter() : new CupsPrinter();
}

/** The kiosk's or a counter's thermal ticket printer. */
export type TicketPrinterConfig =
  | { kind: 'simulated'; paper?: PaperWidth | undefined }
  | {
      kind: 'escpos';
      /** `serial:PATH@BAUD`, `tcp:HOST:PORT` or `usb:PATH`. */
      target: string;
      paper: PaperWidth;
      /** Print text in CP1258 at this code table number instead of as an image (default: image). */
      cp1258Table?: number | undefined;
      statusTimeoutMs?: number | undefined;
    };

/**
 * Training mode always gets the twin; production gets the ESC/POS printer the config names.
 * A bad target string throws `RangeError` (config validation reports it).
 */
export function createTicketPrinter(mode: DriversConfig['mode'], config: TicketPrinterConfig): TicketPrinter {
  if (config.kind === 'escpos' && mode === 'production') {
    return new EscPosTicketPrinter(createTransport(parsePrinterTarget(config.target)), {
      paper: config.paper,
      ...(config.cp1258Table === undefined
        ? {}
        : { text: { kind: 'codepage', codePage: 'cp1258', table: config.cp1258Table } }),
      ...(config.statusTimeoutMs === undefined ? {} : { statusTimeoutMs: config.statusTimeoutMs }),
    });
  }
  return new SimulatedTicketPrinter({ paper: config.paper ?? 80 });
}

export type { BarcodeReader, BarcodeReaderState, BarcodeScan } from './barcode/barcode-reader.port';
export { describeTerminator, parseTerminator, type Terminator } from './barcode/barcode-framer';

/** A serial barcode / QR reader (keyboard-wedge readers need no config here: the renderer sees them). */
export interface BarcodeReaderConfig {
  path: string;
  baudRate: number;
  /** `CR`, `LF`, `CRLF` or one byte (`0x03`); see `parseTerminator`. */
  terminator: string;
  reconnectMs?: number;
}

/**
 * Training mode gets the twin (named after the configured port); production opens the serial
 * port. No config, no reader. A bad terminator throws `RangeError` (config validation reports it).
 */
export function createBarcodeReader(
  mode: DriversConfig['mode'],
  config: BarcodeReaderConfig | undefined,
): BarcodeReader | null {
  if (config === undefined) return null;
  const terminator = parseTerminator(config.terminator);
  if (mode === 'training')
    return new SimulatedBarcodeReader({ name: `serial:${config.path}@${config.baudRate} (mô phỏng)` });
  return new SerialBarcodeReader({
    path: config.path,
    baudRate: config.baudRate,
    terminator,
    ...(config.reconnectMs === undefined ? {} : { reconnectMs: config.reconnectMs }),
  });
}

export type { SigningKey, SigningKeyAlgorithm } from './token/signing-key.port';
export type {
  TokenCertificate,
  TokenChange,
  TokenInfo,
  TokenKeyAlgorithm,
  TokenModuleInfo,
  TokenProvider,
  TokenSession,
  TokenSignMechanism,
  TokenSigningKey,
  TokenSlotInfo,
} from './token/token.port';

export type TokenConfig =
  | {
      /** The twin (training mode, or a desk without a token on purpose). */
      kind: 'simulated';
      label?: string;
    }
  | {
      kind: 'pkcs11';
      /** Module files IT staff configured, tried first. */
      modules?: string[];
      /** Also look for the Vietnamese CA modules in the usual folders; default true. */
      search?: boolean;
      /** Extra environment for the module (e.g. `SOFTHSM2_CONF`). */
      env?: Record<string, string>;
      /** A module call that takes longer is stopped (`TOKEN_MODULE_CRASHED`); default 60 s. */
      callTimeoutMs?: number;
    };

/**
 * Signing tokens. Training mode always gets the simulated token (PIN `123456`); production gets
 * PKCS#11 modules, each loaded in its own token host process.
 */
export function createTokenProvider(
  mode: DriversConfig['mode'],
  config: TokenConfig = { kind: 'pkcs11' },
): TokenProvider {
  if (mode === 'training' || config.kind === 'simulated') {
    return new SimulatedTokenProvider([
      new SimulatedToken(config.kind === 'simulated' && config.label !== undefined ? { label: config.label } : {}),
    ]);
  }
  return new Pkcs11TokenProvider({
    ...(config.modules === undefined ? {} : { modules: config.modules }),
    ...(config.search === undefined ? {} : { search: config.search }),
    ...(config.env === undefined ? {} : { env: config.env }),
    ...(config.callTimeoutMs === undefined ? {} : { callTimeoutMs: config.callTimeoutMs }),
  });
}

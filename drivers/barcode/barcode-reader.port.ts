/**
 * A barcode / QR reader that the core reads (docs/architecture.md, "Drivers"): a serial reader, or its twin.
 * Keyboard-wedge readers type into the window instead and are recognised in the renderer
 * (`renderer/src/composables/use-barcode-wedge.ts`); both end up in the same routing.
 *
 * Adapters: `SerialBarcodeReader` (`serial-barcode-reader.ts`, serialport) and
 * `SimulatedBarcodeReader` (the twin with test controls). `barcode-reader.contract.ts` holds the
 * behaviour both must show.
 *
 * Contract:
 * - `start()` opens the device and resolves once the first attempt is over. It never rejects for
 *   a device that is missing or busy: the reader reports `state` `{ connected: false, error }`
 *   (`DEVICE_UNAVAILABLE`) and keeps trying every `reconnectMs`, so a reader plugged in later
 *   works without a restart.
 * - Each frame ended by the configured terminator becomes one scan, terminator removed, whatever
 *   the chunking of the line (a code split over reads, two codes in one read). Frames are decoded
 *   as UTF-8 (the ID card QR is UTF-8 Vietnamese); control bytes are dropped; empty frames are
 *   ignored. Undecodable bytes become U+FFFD, so the scan is reported and the UI can say it was
 *   not recognised instead of silently losing it.
 * - Bytes that wait longer than `frameTimeoutMs` for their terminator are line noise or a
 *   half-sent code: they are dropped before the next byte is framed. A frame longer than
 *   `maxFrameBytes` without a terminator is dropped and reported once as state error
 *   `BARCODE_FRAME_TOO_LONG` (still connected); reading resumes after the next terminator.
 * - Unplugging (the port closes under the reader, or the line reports an I/O error) reports
 *   `{ connected: false, error: BARCODE_DISCONNECTED }`, drops the partial frame and retries; a
 *   reconnect reports `{ connected: true }`.
 * - `close()` stops reading and retrying; no listener is called after it resolves.
 */
import type { DeviceError } from '../device-error';

export interface BarcodeScan {
  text: string;
  /** The reader's name (its target, e.g. `serial:/dev/ttyUSB0@9600`). */
  reader: string;
}

export interface BarcodeReaderState {
  connected: boolean;
  error?: DeviceError;
}

export interface BarcodeReader {
  readonly name: string;
  readonly state: BarcodeReaderState;
  start(): Promise<void>;
  onScan(listener: (scan: BarcodeScan) => void): () => void;
  onState(listener: (state: BarcodeReaderState) => void): () => void;
  close(): Promise<void>;
}

/**
 * A serial barcode / QR reader (RS-232, or a USB reader in its "virtual COM port" mode) read with
 * serialport. Contract in `barcode-reader.port.ts`. The line is opened on `start()` and re-opened
 * after an unplug; the native binding is loaded on first use, so a desk without a serial reader
 * never loads it.
 */
import { existsSync } from 'node:fs';
import { DeviceError, isDeviceError } from '../device-error';
import { BarcodeFramer, describeTerminator, type Terminator } from './barcode-framer';
import type { BarcodeReader, BarcodeReaderState, BarcodeScan } from './barcode-reader.port';

export interface SerialBarcodeReaderOptions {
  path: string;
  baudRate: number;
  terminator: Terminator;
  /** How often a missing or unplugged reader is tried again; default 2000 ms. */
  reconnectMs?: number;
  maxFrameBytes?: number;
  frameTimeoutMs?: number;
  /** Opens the line; default serialport. Tests pass their own to reach odd cases. */
  openLine?: (path: string, baudRate: number) => Promise<SerialLine>;
  now?: () => number;
}

/** The part of serialport's `SerialPort` the reader uses. */
export interface SerialLine {
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'close', cb: (err?: Error & { disconnected?: boolean }) => void): void;
  on(event: 'error', cb: (err: Error) => void): void;
  close(cb: (err: Error | null) => void): void;
  readonly isOpen: boolean;
}

async function openSerialPort(path: string, baudRate: number): Promise<SerialLine> {
  const { SerialPort } = await import('serialport');
  const port = new SerialPort({ path, baudRate, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  return port as unknown as SerialLine;
}

export class SerialBarcodeReader implements BarcodeReader {
  readonly name: string;
  private current: BarcodeReaderState = { connected: false };
  private readonly scanListeners = new Set<(scan: BarcodeScan) => void>();
  private readonly stateListeners = new Set<(state: BarcodeReaderState) => void>();
  private readonly framer: BarcodeFramer;
  private line: SerialLine | null = null;
  private retry: ReturnType<typeof setTimeout> | null = null;
  /** While connected: checks that the device file is still there (see `watch`). */
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private closed = false;
  private readonly openLine: (path: string, baudRate: number) => Promise<SerialLine>;
  private readonly now: () => number;

  constructor(private readonly options: SerialBarcodeReaderOptions) {
    this.name = `serial:${options.path}@${options.baudRate}`;
    this.framer = new BarcodeFramer(options);
    this.openLine = options.openLine ?? openSerialPort;
    this.now = options.now ?? Date.now;
  }

  get state(): BarcodeReaderState {
    return this.current;
  }

  /** Terminator as configured, for the device page and logs. */
  get terminator(): string {
    return describeTerminator(this.options.terminator);
  }

  onScan(listener: (scan: BarcodeScan) => void): () => void {
    this.scanListeners.add(listener);
    return () => this.scanListeners.delete(listener);
  }

  onState(listener: (state: BarcodeReaderState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  async start(): Promise<void> {
    if (this.closed) throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the reader was closed`);
    await this.connect();
  }

  private setState(state: BarcodeReaderState): void {
    this.current = state;
    if (this.closed) return;
    for (const l of [...this.stateListeners]) l(state);
  }

  private fault(err: unknown): DeviceError {
    if (isDeviceError(err)) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (/ENOENT|No such file|cannot open/i.test(message)) {
      return new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: no such serial port (is the reader's cable or USB adapter plugged in?)`,
        { cause: err },
      );
    }
    if (/EACCES|Permission denied/i.test(message)) {
      return new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: permission denied (add the desk's user to the dialout group)`,
        { cause: err },
      );
    }
    if (/EBUSY|Resource busy|lock/i.test(message)) {
      return new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the port is in use by another program`, {
        cause: err,
      });
    }
    return new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: ${message}`, { cause: err });
  }

  private async connect(): Promise<void> {
    this.retry = null;
    if (this.closed || this.line !== null) return;
    let line: SerialLine;
    try {
      line = await this.openLine(this.options.path, this.options.baudRate);
    } catch (err) {
      const error = this.fault(err);
      // Report a new kind of failure once, not every retry.
      if (this.current.connected || this.current.error?.message !== error.message)
        this.setState({ connected: false, error });
      this.scheduleRetry();
      return;
    }
    if (this.closed) {
      await new Promise<void>((resolve) => line.close(() => resolve()));
      return;
    }
    this.line = line;
    this.framer.reset();
    line.on('data', (chunk) => this.onData(chunk));
    line.on('error', (err) => this.lost(line, err));
    line.on('close', (err) => this.lost(line, err));
    this.watch(line);
    this.setState({ connected: true });
  }

  /**
   * A USB-serial reader's device file goes away when it is unplugged. The line's own close event
   * usually says so, but not always at once (a hangup the poller has not seen yet, a busy
   * machine): a device file that is gone is a disconnect too.
   */
  private watch(line: SerialLine): void {
    this.stopWatch();
    if (this.options.openLine !== undefined) return; // an injected line has no device file
    const every = Math.max(100, Math.min(this.options.reconnectMs ?? 2000, 1000));
    this.watchdog = setInterval(() => {
      if (!existsSync(this.options.path)) this.lost(line, new Error('the device file is gone'));
    }, every);
    this.watchdog.unref?.();
  }

  private stopWatch(): void {
    if (this.watchdog !== null) clearInterval(this.watchdog);
    this.watchdog = null;
  }

  private onData(chunk: Uint8Array): void {
    if (this.closed) return;
    for (const out of this.framer.push(chunk, this.now())) {
      if (out.kind === 'frame') {
        const scan = { text: out.text, reader: this.name };
        for (const l of [...this.scanListeners]) l(scan);
      } else {
        this.setState({
          connected: true,
          error: new DeviceError(
            'BARCODE_FRAME_TOO_LONG',
            `${this.name}: ${out.bytes} bytes without the ${this.terminator} terminator; check the reader's suffix setting`,
          ),
        });
      }
    }
  }

  /** The port closed under us or reported an error: unplugged (or the line died). */
  private lost(line: SerialLine, err?: Error): void {
    if (this.line !== line) return;
    this.line = null;
    this.stopWatch();
    this.framer.reset();
    if (line.isOpen) line.close(() => undefined);
    if (this.closed) return;
    const why = err?.message ? ` (${err.message})` : '';
    this.setState({
      connected: false,
      error: new DeviceError(
        'BARCODE_DISCONNECTED',
        `${this.name}: the reader was disconnected${why}; retrying every ${this.options.reconnectMs ?? 2000} ms`,
        { cause: err },
      ),
    });
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.closed || this.retry !== null) return;
    this.retry = setTimeout(() => void this.connect(), this.options.reconnectMs ?? 2000);
    this.retry.unref?.();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stopWatch();
    if (this.retry !== null) clearTimeout(this.retry);
    this.retry = null;
    const line = this.line;
    this.line = null;
    if (line !== null && line.isOpen) await new Promise<void>((resolve) => line.close(() => resolve()));
    this.scanListeners.clear();
    this.stateListeners.clear();
  }
}

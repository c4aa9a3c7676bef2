/**
 * The barcode reader's twin, for training mode and tests. `scan(text)` plays a code read by the
 * reader; `unplug()` / `replug()` play the cable. Faults live here, never in production code.
 */
import { DeviceError } from '../device-error';
import type { BarcodeReader, BarcodeReaderState, BarcodeScan } from './barcode-reader.port';

export class SimulatedBarcodeReader implements BarcodeReader {
  readonly name: string;
  private current: BarcodeReaderState = { connected: false };
  private readonly scanListeners = new Set<(scan: BarcodeScan) => void>();
  private readonly stateListeners = new Set<(state: BarcodeReaderState) => void>();
  private started = false;
  private plugged = true;
  private closed = false;

  constructor(options: { name?: string } = {}) {
    this.name = options.name ?? 'Đầu đọc mã mô phỏng';
  }

  get state(): BarcodeReaderState {
    return this.current;
  }

  onScan(listener: (scan: BarcodeScan) => void): () => void {
    this.scanListeners.add(listener);
    return () => this.scanListeners.delete(listener);
  }

  onState(listener: (state: BarcodeReaderState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  private setState(state: BarcodeReaderState): void {
    this.current = state;
    if (!this.closed) for (const l of [...this.stateListeners]) l(state);
  }

  async start(): Promise<void> {
    if (this.closed) throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the reader was closed`);
    this.started = true;
    this.setState(
      this.plugged
        ? { connected: true }
        : { connected: false, error: new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: not plugged in`) },
    );
  }

  /** Test control: the reader reads `text` (ignored when not connected, as a real unplugged reader). */
  scan(text: string): void {
    if (this.closed || !this.current.connected) return;
    const clean = text.replace(/[\u0000-\u0008\u000a-\u001f\u007f]/g, '').trim();
    if (clean === '') return;
    for (const l of [...this.scanListeners]) l({ text: clean, reader: this.name });
  }

  /** Test control: the cable is pulled. */
  unplug(): void {
    this.plugged = false;
    if (this.started && this.current.connected) {
      this.setState({
        connected: false,
        error: new DeviceError('BARCODE_DISCONNECTED', `${this.name}: the reader was disconnected`),
      });
    }
  }

  /** Test control: the cable is back. */
  replug(): void {
    this.plugged = true;
    if (this.started && !this.current.connected && !this.closed) this.setState({ connected: true });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.scanListeners.clear();
    this.stateListeners.clear();
  }
}

/**
 * Byte transports to an ESC/POS printer: a serial line (serialport), TCP port 9100 (raw socket,
 * "JetDirect"), and a USB printer device file (`/dev/usb/lp0`, plain writes). Each maps the
 * system's errors to `DeviceError` codes with a message naming the target and what to check.
 */
import { constants as fsConstants } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { Socket } from 'node:net';
import { DeviceError, isDeviceError } from '../device-error';
import { isStatusByte } from './escpos-status';

export type PrinterTarget =
  | { kind: 'serial'; path: string; baudRate: number }
  | { kind: 'tcp'; host: string; port: number }
  | { kind: 'usb'; path: string };

export const DEFAULT_BAUD_RATE = 9600;
export const DEFAULT_RAW_PORT = 9100;
const BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];

/**
 * Parses `serial:PATH[@BAUD]`, `tcp:HOST[:PORT]` (IPv6 as `[::1]:9100`) or `usb:PATH`.
 * Throws `RangeError` naming what is wrong.
 */
export function parsePrinterTarget(text: string): PrinterTarget {
  const colon = text.indexOf(':');
  const kind = colon < 0 ? '' : text.slice(0, colon);
  const rest = colon < 0 ? '' : text.slice(colon + 1);
  if (kind === 'serial') {
    const m = /^(.+?)(?:@(\d+))?$/.exec(rest);
    if (rest === '' || m === null)
      throw new RangeError(`serial target needs a port path: serial:/dev/ttyUSB0@9600, got "${text}"`);
    const baudRate = m[2] === undefined ? DEFAULT_BAUD_RATE : Number(m[2]);
    if (!BAUD_RATES.includes(baudRate))
      throw new RangeError(`baud rate ${m[2]} is not one of ${BAUD_RATES.join(', ')}`);
    return { kind: 'serial', path: m[1]!, baudRate };
  }
  if (kind === 'tcp') {
    const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+))(?::(\d+))?$/.exec(rest);
    if (rest === '' || m === null)
      throw new RangeError(`tcp target needs a host: tcp:192.168.1.50:9100, got "${text}"`);
    const port = m[3] === undefined ? DEFAULT_RAW_PORT : Number(m[3]);
    if (!Number.isInteger(port) || port < 1 || port > 65535)
      throw new RangeError(`TCP port must be 1..65535, got ${m[3]}`);
    return { kind: 'tcp', host: m[1] ?? m[2]!, port };
  }
  if (kind === 'usb') {
    if (!rest.startsWith('/') && !/^[A-Za-z]:\\/.test(rest))
      throw new RangeError(`usb target needs an absolute device path: usb:/dev/usb/lp0, got "${text}"`);
    return { kind: 'usb', path: rest };
  }
  throw new RangeError(`printer target must be serial:PATH@BAUD, tcp:HOST:PORT or usb:PATH, got "${text}"`);
}

export function describeTarget(target: PrinterTarget): string {
  switch (target.kind) {
    case 'serial':
      return `serial:${target.path}@${target.baudRate}`;
    case 'tcp':
      return `tcp:${target.host.includes(':') ? `[${target.host}]` : target.host}:${target.port}`;
    case 'usb':
      return `usb:${target.path}`;
  }
}

/**
 * A byte pipe to the printer. `open` is idempotent; `write` resolves once the bytes have left the
 * process (drained / flushed / written). `query` sends a DLE EOT request and resolves with the
 * first status byte that comes back, or rejects `PRINTER_NO_STATUS` after `timeoutMs`.
 */
export interface PrinterTransport {
  readonly name: string;
  /** False when the transport cannot read answers (a device file): `query` always rejects. */
  readonly readable: boolean;
  open(): Promise<void>;
  write(bytes: Uint8Array): Promise<void>;
  query(request: Uint8Array, timeoutMs: number): Promise<number>;
  close(): Promise<void>;
}

export interface TransportOptions {
  /** TCP connect and serial open timeout; default 3000 ms. */
  connectTimeoutMs?: number;
}

export function createTransport(target: PrinterTarget, options: TransportOptions = {}): PrinterTransport {
  switch (target.kind) {
    case 'serial':
      return new SerialTransport(target.path, target.baudRate, options);
    case 'tcp':
      return new TcpTransport(target.host, target.port, options);
    case 'usb':
      return new DeviceFileTransport(target.path);
  }
}

/** Collects bytes the printer sends and hands out status bytes to whoever waits for one. */
class StatusReader {
  private pending: number[] = [];
  private waiter: ((b: number) => void) | null = null;

  push(chunk: Uint8Array): void {
    for (const b of chunk) {
      if (!isStatusByte(b)) continue; // automatic status blocks and stray data are not answers
      if (this.waiter !== null) {
        const w = this.waiter;
        this.waiter = null;
        w(b);
      } else this.pending.push(b);
    }
  }

  clear(): void {
    this.pending = [];
  }

  next(timeoutMs: number, name: string): Promise<number> {
    const ready = this.pending.shift();
    if (ready !== undefined) return Promise.resolve(ready);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiter = null;
        reject(
          new DeviceError(
            'PRINTER_NO_STATUS',
            `${name}: no answer to the status query within ${timeoutMs} ms (the printer may not report status on this connection)`,
          ),
        );
      }, timeoutMs);
      this.waiter = (b) => {
        clearTimeout(timer);
        resolve(b);
      };
    });
  }
}

function errno(err: unknown): string | undefined {
  return typeof err === 'object' && err !== null && 'code' in err ? String((err as { code: unknown }).code) : undefined;
}

class TcpTransport implements PrinterTransport {
  readonly name: string;
  readonly readable = true;
  private socket: Socket | null = null;
  private broken: DeviceError | null = null;
  private readonly reader = new StatusReader();
  private readonly connectTimeoutMs: number;

  constructor(
    private readonly host: string,
    private readonly port: number,
    options: TransportOptions,
  ) {
    this.name = describeTarget({ kind: 'tcp', host, port });
    this.connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  }

  private fault(err: unknown): DeviceError {
    if (isDeviceError(err)) return err;
    const code = errno(err);
    const where = `${this.name}`;
    switch (code) {
      case 'ECONNREFUSED':
        return new DeviceError(
          'PRINTER_OFFLINE',
          `${where}: connection refused (is the printer on, and is ${this.port} its raw port?)`,
          { cause: err },
        );
      case 'ENOTFOUND':
      case 'EAI_AGAIN':
        return new DeviceError('DEVICE_UNAVAILABLE', `${where}: host name "${this.host}" cannot be resolved`, {
          cause: err,
        });
      case 'ECONNRESET':
      case 'EPIPE':
        return new DeviceError('PRINTER_OFFLINE', `${where}: the printer closed the connection`, { cause: err });
      default:
        return new DeviceError('PRINTER_OFFLINE', `${where}: cannot reach the printer (${code ?? String(err)})`, {
          cause: err,
        });
    }
  }

  async open(): Promise<void> {
    if (this.socket !== null && this.broken === null) return;
    this.broken = null;
    const socket = new Socket();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(
          new DeviceError(
            'PRINTER_OFFLINE',
            `${this.name}: no connection within ${this.connectTimeoutMs} ms (check the address and the network)`,
          ),
        );
      }, this.connectTimeoutMs);
      socket.once('error', (err) => {
        clearTimeout(timer);
        reject(this.fault(err));
      });
      socket.connect({ host: this.host, port: this.port }, () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve();
      });
    });
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.reader.push(chunk));
    socket.on('error', (err) => {
      this.broken = this.fault(err);
    });
    socket.on('close', () => {
      this.broken ??= new DeviceError('PRINTER_OFFLINE', `${this.name}: the printer closed the connection`);
    });
    this.socket = socket;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.open();
    const socket = this.socket!;
    await new Promise<void>((resolve, reject) => {
      socket.write(bytes, (err) => (err ? reject(this.fault(err)) : resolve()));
    });
  }

  async query(request: Uint8Array, timeoutMs: number): Promise<number> {
    await this.open();
    this.reader.clear();
    await this.write(request);
    return this.reader.next(timeoutMs, this.name);
  }

  async close(): Promise<void> {
    const socket = this.socket;
    this.socket = null;
    if (socket === null || socket.destroyed) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        socket.destroy();
        resolve();
      }, 2000);
      socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      socket.end();
    });
  }
}

/** The part of serialport's `SerialPort` this transport uses. */
interface SerialPortLike {
  open(cb: (err: Error | null) => void): void;
  write(data: Uint8Array, cb: (err: Error | null | undefined) => void): boolean;
  drain(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  on(event: 'data', cb: (chunk: Buffer) => void): void;
  on(event: 'error' | 'close', cb: (err?: Error) => void): void;
  readonly isOpen: boolean;
}

class SerialTransport implements PrinterTransport {
  readonly name: string;
  readonly readable = true;
  private port: SerialPortLike | null = null;
  private readonly reader = new StatusReader();

  constructor(
    private readonly path: string,
    private readonly baudRate: number,
    _options: TransportOptions,
  ) {
    this.name = describeTarget({ kind: 'serial', path, baudRate });
  }

  private fault(err: unknown): DeviceError {
    if (isDeviceError(err)) return err;
    const message = err instanceof Error ? err.message : String(err);
    if (/ENOENT|No such file|cannot open/i.test(message)) {
      return new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: no such serial port (is the printer's cable or USB adapter plugged in?)`,
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
    return new DeviceError('PRINTER_OFFLINE', `${this.name}: ${message}`, { cause: err });
  }

  async open(): Promise<void> {
    if (this.port?.isOpen) return;
    // Loaded on use: a desk without a serial printer never loads the native binding.
    const { SerialPort } = await import('serialport');
    const port = new SerialPort({
      path: this.path,
      baudRate: this.baudRate,
      autoOpen: false,
    }) as unknown as SerialPortLike;
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(this.fault(err)) : resolve())));
    port.on('data', (chunk) => this.reader.push(chunk));
    port.on('error', () => {
      /* surfaced by the next write or drain */
    });
    this.port = port;
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.open();
    const port = this.port!;
    await new Promise<void>((resolve, reject) => {
      port.write(bytes, (err) => {
        if (err) reject(this.fault(err));
      });
      port.drain((err) => (err ? reject(this.fault(err)) : resolve()));
    });
  }

  async query(request: Uint8Array, timeoutMs: number): Promise<number> {
    await this.open();
    this.reader.clear();
    await this.write(request);
    return this.reader.next(timeoutMs, this.name);
  }

  async close(): Promise<void> {
    const port = this.port;
    this.port = null;
    if (port === null || !port.isOpen) return;
    await new Promise<void>((resolve) => port.close(() => resolve()));
  }
}

/**
 * A printer device file (`/dev/usb/lp0` from the usblp driver, or a FIFO / file standing in for
 * it). Opened write-only without O_CREAT, so a missing device is reported, never created. Answers
 * are not read: a blocking read on a printer device could hang a worker thread forever.
 */
class DeviceFileTransport implements PrinterTransport {
  readonly name: string;
  readonly readable = false;
  private handle: FileHandle | null = null;

  constructor(private readonly path: string) {
    this.name = describeTarget({ kind: 'usb', path });
  }

  private fault(err: unknown): DeviceError {
    if (isDeviceError(err)) return err;
    const code = errno(err);
    if (code === 'ENOENT' || code === 'ENODEV' || code === 'ENXIO') {
      return new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: no such device (is the printer plugged in and switched on?)`,
        { cause: err },
      );
    }
    if (code === 'EACCES' || code === 'EPERM') {
      return new DeviceError(
        'DEVICE_UNAVAILABLE',
        `${this.name}: permission denied (add the desk's user to the lp group)`,
        { cause: err },
      );
    }
    if (code === 'EBUSY')
      return new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: the device is in use`, { cause: err });
    return new DeviceError('PRINTER_OFFLINE', `${this.name}: ${code ?? String(err)}`, { cause: err });
  }

  async open(): Promise<void> {
    if (this.handle !== null) return;
    try {
      const info = await stat(this.path);
      if (info.isDirectory())
        throw new DeviceError('DEVICE_UNAVAILABLE', `${this.name}: is a folder, not a printer device`);
      this.handle = await open(this.path, fsConstants.O_WRONLY | fsConstants.O_APPEND);
    } catch (err) {
      throw this.fault(err);
    }
  }

  async write(bytes: Uint8Array): Promise<void> {
    await this.open();
    try {
      let at = 0;
      while (at < bytes.length) {
        const { bytesWritten } = await this.handle!.write(bytes, at, bytes.length - at);
        at += bytesWritten;
      }
    } catch (err) {
      throw this.fault(err);
    }
  }

  async query(): Promise<number> {
    throw new DeviceError(
      'PRINTER_NO_STATUS',
      `${this.name}: a printer device file is written only; its status is not read`,
    );
  }

  async close(): Promise<void> {
    const handle = this.handle;
    this.handle = null;
    await handle?.close();
  }
}

import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BarcodeFramer, parseTerminator, terminatorBytes, type Terminator } from './barcode-framer';
import { barcodeReaderContract, ID_CARD_QR, until } from './barcode-reader.contract';
import type { BarcodeReaderState, BarcodeScan } from './barcode-reader.port';
import { SerialBarcodeReader } from './serial-barcode-reader';
import { SimulatedBarcodeReader } from './simulated-barcode-reader';

const bytes = (s: string) => new TextEncoder().encode(s);
const frames = (out: ReturnType<BarcodeFramer['push']>) => out.flatMap((o) => (o.kind === 'frame' ? [o.text] : []));

describe('terminators', () => {
  it.each([
    ['CR', 'CR'],
    ['lf', 'LF'],
    ['CRLF', 'CRLF'],
    ['0x03', { byte: 3 }],
    ['4', { byte: 4 }],
  ])('parses %j', (text, expected) => {
    expect(parseTerminator(text)).toEqual(expected);
  });

  it.each(['', 'ETX', '0x100', '256', 'CR LF'])('refuses %j', (text) => {
    expect(() => parseTerminator(text)).toThrow(RangeError);
  });
});

describe('framer', () => {
  it('joins a code split across chunks, even a split CRLF', () => {
    const f = new BarcodeFramer({ terminator: 'CRLF' });
    expect(frames(f.push(bytes('000.00.12.H5'), 0))).toEqual([]);
    expect(frames(f.push(bytes('6-261204-0042\r'), 5))).toEqual([]);
    expect(frames(f.push(bytes('\nB00'), 6))).toEqual(['000.00.12.H56-261204-0042']);
  });

  it('splits two codes in one chunk and ignores empty frames', () => {
    const f = new BarcodeFramer({ terminator: 'CR' });
    expect(frames(f.push(bytes('A1\r\rB2\r'), 0))).toEqual(['A1', 'B2']);
  });

  it('a CR reader seen with an LF terminator still gives clean codes (CR dropped as a control byte)', () => {
    const f = new BarcodeFramer({ terminator: 'LF' });
    expect(frames(f.push(bytes('A1\r\nB2\r\n'), 0))).toEqual(['A1', 'B2']);
  });

  it('a single-byte terminator (ETX)', () => {
    const f = new BarcodeFramer({ terminator: { byte: 0x03 } });
    expect(frames(f.push(Uint8Array.of(0x02, ...bytes('STX-CODE'), 0x03), 0))).toEqual(['STX-CODE']);
  });

  it('keeps UTF-8 split inside a character across chunks', () => {
    const f = new BarcodeFramer({ terminator: 'CR' });
    const b = bytes(`${ID_CARD_QR}\r`);
    const cut = b.indexOf(0xe1) + 1; // inside "ễ"
    expect(frames(f.push(b.subarray(0, cut), 0))).toEqual([]);
    expect(frames(f.push(b.subarray(cut), 1))).toEqual([ID_CARD_QR]);
  });

  it('garbage: control bytes dropped, invalid UTF-8 shown as U+FFFD, stale noise dropped after the frame timeout', () => {
    const f = new BarcodeFramer({ terminator: 'CR', frameTimeoutMs: 500 });
    expect(frames(f.push(Uint8Array.of(0x00, 0x41, 0xff, 0x42, 0x0d), 0))).toEqual(['A\uFFFDB']);
    expect(frames(f.push(Uint8Array.of(0xfe, 0x00, 0x13), 10))).toEqual([]);
    expect(frames(f.push(bytes('CODE\r'), 700))).toEqual(['CODE']);
    expect(frames(f.push(Uint8Array.of(0x00, 0x0d), 800))).toEqual([]);
  });

  it('a frame too long is reported once and skipped up to the next terminator', () => {
    const f = new BarcodeFramer({ terminator: 'CRLF', maxFrameBytes: 16 });
    const out = f.push(bytes('X'.repeat(40)), 0);
    expect(out).toEqual([{ kind: 'too-long', bytes: 19 }]);
    expect(f.push(bytes('YYYY\r\nOK\r\n'), 1)).toEqual([{ kind: 'frame', text: 'OK' }]);
  });

  it('refuses a terminator byte out of range', () => {
    expect(() => terminatorBytes({ byte: 300 })).toThrow(RangeError);
  });
});

barcodeReaderContract('simulated twin', async () => {
  const reader = new SimulatedBarcodeReader();
  return {
    reader,
    send: async (text) => reader.scan(text),
    unplug: async () => reader.unplug(),
    replug: async () => reader.replug(),
    dispose: () => reader.close(),
  };
});

const hasSocat = spawnSync('socat', ['-V']).status === 0;

/** A socat pty pair: the app opens `app`, the test plays the reader on `device`. */
class PtyPair {
  socat: ChildProcess | null = null;
  device: SerialPort | null = null;
  constructor(readonly dir: string) {}
  get app(): string {
    return join(this.dir, 'app');
  }
  get deviceEnd(): string {
    return join(this.dir, 'dev');
  }

  async up(): Promise<void> {
    const socat = spawn('socat', [`pty,raw,echo=0,link=${this.app}`, `pty,raw,echo=0,link=${this.deviceEnd}`], {
      stdio: 'ignore',
    });
    this.socat = socat;
    await until(() => existsSync(this.app) && existsSync(this.deviceEnd), 'the pty pair');
    const device = new SerialPort({ path: this.deviceEnd, baudRate: 9600, autoOpen: false });
    await new Promise<void>((resolve, reject) => device.open((err) => (err ? reject(err) : resolve())));
    this.device = device;
  }

  async write(chunk: Uint8Array): Promise<void> {
    const device = this.device!;
    await new Promise<void>((resolve, reject) => {
      device.write(Buffer.from(chunk));
      device.drain((err) => (err ? reject(err) : resolve()));
    });
  }

  /** Pulls the cable: socat exits, both ptys go away. */
  async down(): Promise<void> {
    const device = this.device;
    this.device = null;
    if (device?.isOpen) await new Promise<void>((resolve) => device.close(() => resolve()));
    const socat = this.socat;
    this.socat = null;
    if (socat !== null && socat.exitCode === null) {
      const exited = new Promise<void>((resolve) => socat.once('exit', () => resolve()));
      socat.kill();
      await exited;
    }
    await until(() => !existsSync(this.app), 'the pty links to go');
  }
}

describe.skipIf(!hasSocat)('serial reader through a socat pty pair', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-barcode-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  let n = 0;
  async function pair(): Promise<PtyPair> {
    const p = new PtyPair(mkdtempSync(join(dir, `p${n++}-`)));
    await p.up();
    return p;
  }

  barcodeReaderContract('serial over socat (CR)', async () => {
    const p = await pair();
    const reader = new SerialBarcodeReader({ path: p.app, baudRate: 9600, terminator: 'CR', reconnectMs: 100 });
    return {
      reader,
      send: async (text) => (p.device ? p.write(bytes(`${text}\r`)) : undefined),
      unplug: () => p.down(),
      replug: () => p.up(),
      dispose: async () => {
        await reader.close();
        await p.down();
      },
    };
  });

  describe('line faults', () => {
    let p: PtyPair;
    let reader: SerialBarcodeReader;
    let scans: BarcodeScan[];
    let states: BarcodeReaderState[];
    async function open(terminator: Terminator, extra: { frameTimeoutMs?: number; maxFrameBytes?: number } = {}) {
      reader = new SerialBarcodeReader({ path: p.app, baudRate: 9600, terminator, reconnectMs: 100, ...extra });
      reader.onScan((s) => scans.push(s));
      reader.onState((s) => states.push(s));
      await reader.start();
    }
    beforeEach(async () => {
      p = await pair();
      scans = [];
      states = [];
    });
    afterEach(async () => {
      await reader?.close();
      await p.down();
    });

    it('partial chunks, with pauses, make one code (CRLF)', async () => {
      await open('CRLF');
      const whole = bytes(`${ID_CARD_QR}\r\n`);
      for (let at = 0; at < whole.length; at += 7) {
        await p.write(whole.subarray(at, at + 7));
        await new Promise((r) => setTimeout(r, 5));
      }
      await until(() => scans.length === 1, 'the scan');
      expect(scans[0]!.text).toBe(ID_CARD_QR);
    });

    it('two codes in one chunk, LF terminator', async () => {
      await open('LF');
      await p.write(bytes('000.00.12.H56-261204-0042\nB007\n'));
      await until(() => scans.length === 2, 'two scans');
      expect(scans.map((s) => s.text)).toEqual(['000.00.12.H56-261204-0042', 'B007']);
    });

    it('garbage bytes: noise before a code is dropped after the frame timeout; a garbled frame is still reported', async () => {
      await open({ byte: 0x03 }, { frameTimeoutMs: 150 });
      await p.write(Uint8Array.of(0x00, 0xff, 0xfe, 0x13, 0x11));
      await new Promise((r) => setTimeout(r, 300));
      await p.write(Uint8Array.of(...bytes('CODE-1'), 0x03, 0x41, 0xc3, 0x28, 0x42, 0x03));
      await until(() => scans.length === 2, 'two scans');
      expect(scans.map((s) => s.text)).toEqual(['CODE-1', 'A\uFFFD(B']);
      expect(reader.state).toEqual({ connected: true });
    });

    it('a reader sending without the configured terminator: BARCODE_FRAME_TOO_LONG, then recovers', async () => {
      await open('CR', { maxFrameBytes: 64 });
      await p.write(bytes('NO-TERMINATOR-'.repeat(10)));
      await until(() => reader.state.error !== undefined, 'the error');
      expect(reader.state.error?.code).toBe('BARCODE_FRAME_TOO_LONG');
      expect(reader.state.connected).toBe(true);
      await p.write(bytes('tail\rGOOD\r'));
      await until(() => scans.length === 1, 'the scan after');
      expect(scans[0]!.text).toBe('GOOD');
    });

    it('unplugged mid-read: the half code is dropped, BARCODE_DISCONNECTED, reconnects and reads whole codes', async () => {
      await open('CR');
      await p.write(bytes('HALF-A-CO'));
      await p.down();
      await until(() => !reader.state.connected, 'the disconnect', 20_000);
      expect(reader.state.error?.code).toBe('BARCODE_DISCONNECTED');
      expect(reader.state.error?.message).toContain(p.app);
      await p.up();
      await until(() => reader.state.connected, 'the reconnect', 20_000);
      await p.write(bytes('DE\rWHOLE\r'));
      await until(() => scans.length >= 1 && scans.at(-1)!.text === 'WHOLE', 'the scan after reconnect');
      expect(scans.map((s) => s.text)).not.toContain('HALF-A-CODE');
      expect(states.map((s) => s.error?.code ?? 'ok')).toEqual(['ok', 'BARCODE_DISCONNECTED', 'ok']);
    });
  });

  it('a missing port at start is DEVICE_UNAVAILABLE, and it connects once the port appears', async () => {
    const p = new PtyPair(mkdtempSync(join(dir, 'late-')));
    const reader = new SerialBarcodeReader({ path: p.app, baudRate: 9600, terminator: 'CR', reconnectMs: 100 });
    const states: BarcodeReaderState[] = [];
    reader.onState((s) => states.push(s));
    await reader.start();
    expect(reader.state.connected).toBe(false);
    expect(reader.state.error?.code).toBe('DEVICE_UNAVAILABLE');
    expect(reader.state.error?.message).toContain('no such serial port');
    await new Promise((r) => setTimeout(r, 350));
    expect(states).toHaveLength(1); // retries do not repeat the same report
    await p.up();
    await until(() => reader.state.connected, 'the late connect');
    await reader.close();
    await p.down();
  });
});

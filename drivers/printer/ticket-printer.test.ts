import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createReadStream, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DeviceError } from '../device-error';
import { statusRequest } from './escpos';
import { decodeStatus, encodeStatus, isStatusByte } from './escpos-status';
import { EscPosTicketPrinter } from './escpos-printer';
import { EscPosSink, StatusResponder } from './escpos-sink';
import { SimulatedTicketPrinter } from './simulated-ticket-printer';
import { SAMPLE_TICKET, ticketPrinterContract } from './ticket-printer.contract';
import { renderTicket } from './ticket-render';
import { createTransport, parsePrinterTarget } from './ticket-transports';

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DeviceError) return err.code;
    throw err;
  }
  throw new Error('expected a rejection');
}

ticketPrinterContract('simulated twin', async () => {
  const printer = new SimulatedTicketPrinter({ paper: 80 });
  return {
    printer,
    delivered: async () => Buffer.concat(printer.jobs.map((j) => j.bytes)),
    setFault: (f) => printer.setFault(f),
    dispose: async () => printer.close(),
  };
});

ticketPrinterContract('ESC/POS over TCP to a loopback sink', async () => {
  const sink = await EscPosSink.start();
  // The sink always answers, so the status timeout is only a safety net. It used to be 500 ms: on a
  // loaded machine an answer could come later, the printer then took the sink for one that never
  // answers, stopped asking and printed through the faults, and what reached the wire changed.
  const printer = new EscPosTicketPrinter(createTransport({ kind: 'tcp', host: '127.0.0.1', port: sink.port }), {
    paper: 58,
    statusTimeoutMs: 10_000,
  });
  return {
    printer,
    delivered: async () => {
      await sink.settle();
      return sink.jobBytes();
    },
    setFault: (f) => {
      sink.state = { offline: f === 'OFFLINE', coverOpen: f === 'COVER_OPEN', paperOut: f === 'PAPER_OUT' };
    },
    dispose: async () => {
      await printer.close();
      await sink.stop();
    },
  };
});

describe('status bytes', () => {
  it('decodes DLE EOT answers', () => {
    expect(decodeStatus(0x16, 0x12, 0x12)).toMatchObject({
      online: true,
      coverOpen: false,
      paperOut: false,
      paperNearEnd: false,
      error: false,
    });
    // offline, cover open (n=2 bit 2), paper end (n=4 bits 5-6)
    expect(decodeStatus(0x1e, 0x16, 0x72)).toMatchObject({
      online: false,
      coverOpen: true,
      paperOut: true,
      paperNearEnd: false,
    });
    expect(decodeStatus(0x16, 0x12, 0x1e)).toMatchObject({ online: true, paperNearEnd: true, paperOut: false });
    expect(encodeStatus({ paperOut: true })).toEqual({ printer: 0x1e, offlineCause: 0x32, paper: 0x7e });
    expect(isStatusByte(0x16)).toBe(true);
    expect(isStatusByte(0x00)).toBe(false);
    expect(isStatusByte(0x41)).toBe(false);
  });

  it('the responder answers requests split across chunks', () => {
    const r = new StatusResponder({ coverOpen: true });
    expect(r.feed(Uint8Array.of(0x1b, 0x40, 0x10))).toEqual([]);
    expect(r.feed(Uint8Array.of(0x04, 0x02))).toEqual([0x16]);
  });
});

describe('printer targets', () => {
  it('parses serial, tcp and usb targets', () => {
    expect(parsePrinterTarget('serial:/dev/ttyUSB0@19200')).toEqual({
      kind: 'serial',
      path: '/dev/ttyUSB0',
      baudRate: 19200,
    });
    expect(parsePrinterTarget('serial:/dev/ttyS0')).toEqual({ kind: 'serial', path: '/dev/ttyS0', baudRate: 9600 });
    expect(parsePrinterTarget('serial:COM3@115200')).toEqual({ kind: 'serial', path: 'COM3', baudRate: 115200 });
    expect(parsePrinterTarget('tcp:192.168.1.50:9100')).toEqual({ kind: 'tcp', host: '192.168.1.50', port: 9100 });
    expect(parsePrinterTarget('tcp:printer.local')).toEqual({ kind: 'tcp', host: 'printer.local', port: 9100 });
    expect(parsePrinterTarget('tcp:[::1]:9101')).toEqual({ kind: 'tcp', host: '::1', port: 9101 });
    expect(parsePrinterTarget('usb:/dev/usb/lp0')).toEqual({ kind: 'usb', path: '/dev/usb/lp0' });
  });

  it.each(['', 'lpt:1', 'tcp:', 'tcp:host:99999', 'tcp:host:abc', 'serial:', 'serial:/dev/ttyS0@1234', 'usb:lp0'])(
    'refuses %j',
    (t) => {
      expect(() => parsePrinterTarget(t)).toThrow(RangeError);
    },
  );
});

describe('TCP transport', () => {
  let sink: EscPosSink;
  beforeAll(async () => {
    sink = await EscPosSink.start();
  });
  afterAll(async () => sink.stop());

  it('asks DLE EOT 1, 2, 4 before printing and writes the ticket byte for byte', async () => {
    sink.reset();
    const printer = new EscPosTicketPrinter(createTransport({ kind: 'tcp', host: '127.0.0.1', port: sink.port }), {
      paper: 80,
    });
    const result = await printer.print(SAMPLE_TICKET);
    await printer.close();
    await sink.settle();
    const expected = Buffer.from(await renderTicket(SAMPLE_TICKET, { paper: 80 }));
    expect(sink.queries()).toEqual([1, 2, 4]);
    expect(result.bytesWritten).toBe(expected.length);
    expect(sink.bytes().equals(Buffer.concat([Buffer.from([0x10, 4, 1, 0x10, 4, 2, 0x10, 4, 4]), expected]))).toBe(
      true,
    );
  });

  it('a printer that never answers: status rejects PRINTER_NO_STATUS, print still goes out', async () => {
    const silent = await EscPosSink.start({ silent: true });
    const printer = new EscPosTicketPrinter(createTransport({ kind: 'tcp', host: '127.0.0.1', port: silent.port }), {
      paper: 58,
      statusTimeoutMs: 200,
    });
    const started = Date.now();
    expect(await code(printer.status())).toBe('PRINTER_NO_STATUS');
    expect(Date.now() - started).toBeLessThan(2000);
    const { bytesWritten } = await printer.print(SAMPLE_TICKET);
    // the next ticket does not wait for an answer that never comes
    const second = Date.now();
    await printer.print(SAMPLE_TICKET);
    expect(Date.now() - second).toBeLessThan(150);
    await printer.close();
    await silent.settle();
    expect(silent.jobBytes().length).toBe(2 * bytesWritten);
    expect(silent.queries()).toEqual([1, 1]);
    await silent.stop();
  });

  it('a refused connection is PRINTER_OFFLINE naming the target', async () => {
    const gone = await EscPosSink.start();
    const port = gone.port;
    await gone.stop();
    const printer = new EscPosTicketPrinter(createTransport({ kind: 'tcp', host: '127.0.0.1', port }), { paper: 80 });
    const err = await printer.print(SAMPLE_TICKET).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeviceError);
    expect((err as DeviceError).code).toBe('PRINTER_OFFLINE');
    expect((err as DeviceError).message).toContain(`tcp:127.0.0.1:${port}: connection refused`);
  });
});

describe('USB printer device file', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-lp-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes the ticket to the device file byte for byte; no status', async () => {
    const device = join(dir, 'lp0');
    writeFileSync(device, '');
    const printer = new EscPosTicketPrinter(createTransport(parsePrinterTarget(`usb:${device}`)), { paper: 58 });
    const { bytesWritten } = await printer.print(SAMPLE_TICKET);
    expect(await code(printer.status())).toBe('PRINTER_NO_STATUS');
    await printer.close();
    const expected = await renderTicket(SAMPLE_TICKET, { paper: 58 });
    expect(bytesWritten).toBe(expected.length);
    expect(readFileSync(device).equals(Buffer.from(expected))).toBe(true);
  });

  it('writes through a FIFO as a character device would', async () => {
    const fifo = join(dir, 'lp-fifo');
    spawnSync('mkfifo', [fifo]);
    const chunks: Buffer[] = [];
    const reader = createReadStream(fifo);
    reader.on('data', (c) => chunks.push(c as Buffer));
    const done = new Promise<void>((resolve) => reader.on('end', () => resolve()));
    const printer = new EscPosTicketPrinter(createTransport({ kind: 'usb', path: fifo }), { paper: 80 });
    const { bytesWritten } = await printer.print(SAMPLE_TICKET);
    await printer.close();
    await done;
    expect(Buffer.concat(chunks).length).toBe(bytesWritten);
    expect(Buffer.concat(chunks).equals(Buffer.from(await renderTicket(SAMPLE_TICKET, { paper: 80 })))).toBe(true);
  });

  it('a missing device is DEVICE_UNAVAILABLE and is not created', async () => {
    const missing = join(dir, 'no-such-lp');
    const printer = new EscPosTicketPrinter(createTransport({ kind: 'usb', path: missing }), { paper: 80 });
    const err = await printer.print(SAMPLE_TICKET).catch((e: unknown) => e);
    expect((err as DeviceError).code).toBe('DEVICE_UNAVAILABLE');
    expect((err as DeviceError).message).toContain('no such device');
    expect(existsSync(missing)).toBe(false);
  });
});

describe.skipIf(spawnSync('socat', ['-V']).status !== 0)('serial transport through a socat pty pair', () => {
  let dir: string;
  let socat: ChildProcess;
  let printerEnd: SerialPort;
  const seen: Buffer[] = [];
  const responder = new StatusResponder();
  let answering = true;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'motcua-pty-'));
    socat = spawn(
      'socat',
      ['-d', '-d', `pty,raw,echo=0,link=${join(dir, 'a')}`, `pty,raw,echo=0,link=${join(dir, 'b')}`],
      { stdio: 'ignore' },
    );
    for (let i = 0; i < 100 && !(existsSync(join(dir, 'a')) && existsSync(join(dir, 'b'))); i++)
      await new Promise((r) => setTimeout(r, 50));
    // The test plays the printer on end b: keeps what arrives and answers status requests.
    printerEnd = new SerialPort({ path: join(dir, 'b'), baudRate: 115200, autoOpen: false });
    await new Promise<void>((resolve, reject) => printerEnd.open((err) => (err ? reject(err) : resolve())));
    printerEnd.on('data', (chunk: Buffer) => {
      seen.push(chunk);
      const answers = responder.feed(chunk);
      if (answering && answers.length > 0) printerEnd.write(Buffer.from(answers));
    });
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => (printerEnd?.isOpen ? printerEnd.close(() => resolve()) : resolve()));
    socat?.kill();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    seen.length = 0;
    responder.state = {};
    answering = true;
  });

  const received = async (n: number) => {
    for (let i = 0; i < 200 && Buffer.concat(seen).length < n; i++) await new Promise((r) => setTimeout(r, 25));
    return Buffer.concat(seen);
  };

  it('writes raw bytes that arrive byte for byte', async () => {
    const transport = createTransport(parsePrinterTarget(`serial:${join(dir, 'a')}@115200`));
    const bytes = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7 + 3) & 0xff).map((b) => (b === 0x10 ? 0x11 : b));
    await transport.write(bytes);
    await transport.close();
    expect((await received(bytes.length)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('reads the status the printer writes back, then prints the ticket', async () => {
    responder.state = { paperNearEnd: true };
    const printer = new EscPosTicketPrinter(
      createTransport({ kind: 'serial', path: join(dir, 'a'), baudRate: 115200 }),
      { paper: 58 },
    );
    expect(await printer.status()).toMatchObject({
      online: true,
      paperNearEnd: true,
      raw: { printer: 0x16, offlineCause: 0x12, paper: 0x1e },
    });
    const { bytesWritten } = await printer.print(SAMPLE_TICKET);
    await printer.close();
    const expected = Buffer.from(await renderTicket(SAMPLE_TICKET, { paper: 58 }));
    const queries = Buffer.concat([1, 2, 4, 1, 2, 4].map((n) => Buffer.from(statusRequest(n as 1 | 2 | 4))));
    expect((await received(queries.length + bytesWritten)).equals(Buffer.concat([queries, expected]))).toBe(true);
  });

  it('paper out answered on the line stops the job', async () => {
    responder.state = { paperOut: true };
    const printer = new EscPosTicketPrinter(
      createTransport({ kind: 'serial', path: join(dir, 'a'), baudRate: 115200 }),
      { paper: 80 },
    );
    expect(await code(printer.print(SAMPLE_TICKET))).toBe('PRINTER_PAPER_OUT');
    await printer.close();
    expect((await received(9)).length).toBe(9);
  });

  it('no answer: PRINTER_NO_STATUS after the timeout', async () => {
    answering = false;
    const printer = new EscPosTicketPrinter(
      createTransport({ kind: 'serial', path: join(dir, 'a'), baudRate: 115200 }),
      { paper: 80, statusTimeoutMs: 200 },
    );
    expect(await code(printer.status())).toBe('PRINTER_NO_STATUS');
    await printer.close();
  });

  it('a missing serial port is DEVICE_UNAVAILABLE', async () => {
    const printer = new EscPosTicketPrinter(
      createTransport({ kind: 'serial', path: join(dir, 'nothing'), baudRate: 9600 }),
      { paper: 80 },
    );
    expect(await code(printer.status())).toBe('DEVICE_UNAVAILABLE');
  });
});

describe('sink stream walking (what made "serialises overlapping calls" flaky)', () => {
  it('finds status requests by their place in the stream, however the line chunks it', async () => {
    const ticket = await renderTicket(SAMPLE_TICKET, { paper: 58 });
    const q = (n: 1 | 2 | 4) => Array.from(statusRequest(n));
    const stream = Uint8Array.from([...q(1), ...q(2), ...q(4), ...ticket, ...q(1), ...q(2), ...q(4), ...ticket]);
    // Every way of cutting: one chunk, requests glued to ticket bytes, every 1..7 bytes.
    for (const size of [stream.length, 4, 1, 2, 3, 5, 7, 1000]) {
      const r = new StatusResponder();
      const answers: number[] = [];
      const { EscPosWalker } = await import('./escpos-sink');
      const w = new EscPosWalker();
      const job: number[] = [];
      const queries: number[] = [];
      for (let at = 0; at < stream.length; at += size) {
        const chunk = stream.subarray(at, at + size);
        answers.push(...r.feed(chunk));
        const walked = w.feed(chunk);
        job.push(...walked.job);
        queries.push(...walked.queries);
      }
      expect(queries, `chunks of ${size}`).toEqual([1, 2, 4, 1, 2, 4]);
      expect(answers).toHaveLength(6);
      expect(Buffer.from(job).equals(Buffer.concat([Buffer.from(ticket), Buffer.from(ticket)]))).toBe(true);
      expect(w.atBoundary).toBe(true);
    }
  });

  it('DLE EOT n inside raster data is picture, not a request', async () => {
    const { EscPos } = await import('./escpos');
    const { EscPosWalker } = await import('./escpos-sink');
    const image = { width: 24, height: 2, data: Uint8Array.of(0x10, 0x04, 0x01, 0x10, 0x04, 0x02) };
    const bytes = new EscPos().init().raster(image).qr('\u0010\u0004\u0004').cut({ partial: true }).bytes();
    const walked = new EscPosWalker().feed(bytes);
    expect(walked.queries).toEqual([]);
    expect(walked.job.length).toBe(bytes.length);
    expect(new StatusResponder().feed(bytes)).toEqual([]);
  });
});

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CupsPrinter } from './cups-printer';
import { samplePdf } from './document-printer.contract';
import { deviceErrorOf, LPSTAT_WITH_DEFAULT_FILE, writeStandIns } from './testing/print-tool-stand-ins';
import { privateCupsdAvailable, startPrivateCupsd, type PrivateCupsd } from './testing/private-cupsd';

const FAKE_LP = `#!/bin/sh
dir=$(dirname "$0")
echo "$@" > "$dir/lp.args"
cat > /dev/null
echo "request id is $2-7 (1 file(s))"
`;

describe.skipIf(process.platform === 'win32')(
  'CupsPrinter without a queue: the default destination (fake lpstat)',
  () => {
    let dir: string;
    let printer: CupsPrinter;

    beforeEach(async () => {
      dir = await mkdtemp(join(tmpdir(), 'motcua-cups-default-'));
      await writeStandIns(dir, { lpstat: LPSTAT_WITH_DEFAULT_FILE, lp: FAKE_LP });
      printer = new CupsPrinter({ lpPath: join(dir, 'lp'), lpstatPath: join(dir, 'lpstat') });
    });

    afterEach(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('no default destination: status says PRINTER_NOT_SET and print refuses with it, sending nothing', async () => {
      expect(printer.queue).toBeNull();
      expect(printer.name).toBe('CUPS (máy in mặc định)');
      expect(await printer.status()).toMatchObject({ ready: false, fault: 'PRINTER_NOT_SET' });
      expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'Giấy tiếp nhận' }))).code).toBe(
        'PRINTER_NOT_SET',
      );
      await expect(readFile(join(dir, 'lp.args'), 'utf8')).rejects.toThrow();
    });

    it('prints to the default destination, read again before each job', async () => {
      await writeFile(join(dir, 'default'), 'A4_Quay1');
      expect(await printer.status()).toMatchObject({ ready: true });
      expect((await printer.status()).detail).toMatch(/^A4_Quay1: /);
      expect(await printer.print(samplePdf(1_000), { title: 'x' })).toEqual({ jobId: 'A4_Quay1-7' });
      expect(await readFile(join(dir, 'lp.args'), 'utf8')).toMatch(/^-d A4_Quay1 -n 1 -t x -\n$/);
      await writeFile(join(dir, 'default'), 'A4_Quay2');
      expect(await printer.print(samplePdf(1_000), { title: 'y' })).toEqual({ jobId: 'A4_Quay2-7' });
    });

    it('a default name that is not a CUPS name is not used', async () => {
      await writeFile(join(dir, 'default'), '-o');
      expect(await printer.status()).toMatchObject({ ready: false, fault: 'DEVICE_UNAVAILABLE' });
    });
  },
);

/** A network printer's port 9100 on 127.0.0.1: each connection's bytes are one delivered job. */
interface Sink {
  port: number;
  next(): Promise<Uint8Array>;
  close(): void;
}

async function startSink(): Promise<Sink> {
  const jobs: Uint8Array[] = [];
  const waiting: ((job: Uint8Array) => void)[] = [];
  const server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', () => {
      const job = new Uint8Array(Buffer.concat(chunks));
      const resolve = waiting.shift();
      if (resolve) resolve(job);
      else jobs.push(job);
      socket.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    port: address.port,
    next: () => {
      const job = jobs.shift();
      return job ? Promise.resolve(job) : new Promise((resolve) => waiting.push(resolve));
    },
    close: () => server.close(),
  };
}

describe.skipIf(!privateCupsdAvailable())('CupsPrinter against a real CUPS scheduler (private cupsd)', () => {
  let cups: PrivateCupsd;
  let sink: Sink;

  beforeAll(async () => {
    cups = await startPrivateCupsd();
    sink = await startSink();
  }, 20_000);

  afterAll(async () => {
    await cups?.stop();
    sink?.close();
  });

  it('without a default printer: PRINTER_NOT_SET; with one: the job is accepted and reaches the device unchanged', async () => {
    const printer = new CupsPrinter({ env: cups.env });
    expect(await printer.status()).toMatchObject({ ready: false, fault: 'PRINTER_NOT_SET' });
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('PRINTER_NOT_SET');

    // A raw queue to a network printer (AppSocket, as port 9100 printers speak) that is a TCP sink
    // on 127.0.0.1: CUPS's socket backend delivers the job's bytes unchanged.
    expect(
      cups.admin('lpadmin', ['-p', 'MotCua_A4', '-E', '-v', `socket://127.0.0.1:${sink.port}`, '-m', 'raw']).code,
    ).toBe(0);
    expect(cups.admin('lpadmin', ['-d', 'MotCua_A4']).code).toBe(0);

    const status = await printer.status();
    expect(status).toMatchObject({ ready: true });
    expect(status.detail).toMatch(/^MotCua_A4: printer MotCua_A4 is idle/);
    const pdf = samplePdf(50_000, 3);
    const { jobId } = await printer.print(pdf, { title: 'Giấy tiếp nhận hồ sơ – Đặng Văn Đức', copies: 1 });
    expect(jobId).toMatch(/^MotCua_A4-\d+$/);
    const deadline = Date.now() + 10_000;
    while (!cups.admin('lpstat', ['-W', 'completed', '-o', 'MotCua_A4']).out.includes(jobId) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(cups.admin('lpstat', ['-W', 'completed', '-o', 'MotCua_A4']).out).toContain(jobId);
    const delivered = await sink.next();
    expect(Buffer.from(delivered).equals(Buffer.from(pdf))).toBe(true);
  }, 30_000);

  it('a disabled queue is PRINTER_OFFLINE and nothing is queued; enabled again it prints', async () => {
    const printer = new CupsPrinter({ queue: 'MotCua_A4', env: cups.env });
    expect(cups.admin('cupsdisable', ['MotCua_A4']).code).toBe(0);
    expect(await printer.status()).toMatchObject({ ready: false, fault: 'PRINTER_OFFLINE' });
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('PRINTER_OFFLINE');
    expect(cups.admin('cupsenable', ['MotCua_A4']).code).toBe(0);
    expect((await printer.print(samplePdf(1_000), { title: 'x' })).jobId).toMatch(/^MotCua_A4-\d+$/);
  }, 30_000);

  it('a queue that does not exist is PRINTER_OFFLINE naming it', async () => {
    const printer = new CupsPrinter({ queue: 'Khong_Co', env: cups.env });
    const status = await printer.status();
    expect(status).toMatchObject({ ready: false, fault: 'PRINTER_OFFLINE' });
    expect(status.detail).toMatch(/Khong_Co.*does not exist/);
  }, 30_000);
});

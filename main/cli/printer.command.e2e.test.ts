import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EscPosSink } from '../../drivers/testing';

/** The real `motcua-desk printer test` entry (tsx) against a network printer on 127.0.0.1. */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'motcua-desk.mjs');

let dir: string;
let sink: EscPosSink;

/** Runs the CLI without blocking this process, which hosts the sink. */
function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, 'printer', ...args, '--data-dir', join(dir, 'data')],
      { encoding: 'utf8', timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, out: stdout, err: stderr });
      },
    );
  });
}

const hasQr = (bytes: Buffer, data: string) =>
  bytes.includes(Buffer.concat([Buffer.from([0x31, 0x50, 0x30]), Buffer.from(data)]));

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-printer-e2e-'));
  sink = await EscPosSink.start();
});
afterAll(async () => {
  await sink.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('motcua-desk printer test (real entry point)', () => {
  it('prints the test ticket over TCP as an image with a QR code and reports the status (--json)', async () => {
    sink.reset();
    sink.state = { paperNearEnd: true };
    const r = await cli(['test', '--target', `tcp:127.0.0.1:${sink.port}`, '--width', '58', '--json']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as {
      target: string;
      width: number;
      text: string;
      bytesWritten: number;
      status: { online: boolean; paperNearEnd: boolean } | null;
      statusError: string | null;
    };
    expect(summary).toMatchObject({
      target: `tcp:127.0.0.1:${sink.port}`,
      width: 58,
      text: 'raster',
      statusError: null,
      status: { online: true, paperNearEnd: true },
    });
    await sink.settle();
    const job = sink.jobBytes();
    expect(job.length).toBe(summary.bytesWritten);
    expect(sink.queries()).toEqual([1, 2, 4, 1, 2, 4]); // before printing and for the report
    expect(job.subarray(0, 2)).toEqual(Buffer.from([0x1b, 0x40]));
    expect(job.includes(Buffer.from([0x1d, 0x76, 0x30, 0x00, 48, 0x00]))).toBe(true); // GS v 0, 384 dots
    expect(hasQr(job, 'MOTCUA-DESK PRINTER TEST 58MM')).toBe(true);
    expect(job.subarray(-3)).toEqual(Buffer.from([0x1d, 0x56, 0x01]));
  });

  it('prints in CP1258 at the given table, in words', async () => {
    sink.reset();
    sink.state = {};
    const r = await cli(['test', '--target', `tcp:127.0.0.1:${sink.port}`, '--codepage', 'cp1258:52']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Đã gửi phiếu in thử tới tcp:127\.0\.0\.1:\d+: \d+ byte \(khổ 80 mm, chữ CP1258 bảng 52\)/);
    expect(r.out).toContain('Trạng thái máy in: sẵn sàng (DLE EOT 1/2/4: 16 12 12)');
    await sink.settle();
    const job = sink.jobBytes();
    expect(job.subarray(0, 5)).toEqual(Buffer.from([0x1b, 0x40, 0x1b, 0x74, 52]));
    // "PHIẾU IN THỬ": Ế = Ê CA + acute EC, Ử = Ư DD + hook D2
    expect(
      job.includes(Buffer.from([0x50, 0x48, 0x49, 0xca, 0xec, 0x55, 0x20, 0x49, 0x4e, 0x20, 0x54, 0x48, 0xdd, 0xd2])),
    ).toBe(true);
    expect(hasQr(job, 'MOTCUA-DESK PRINTER TEST 80MM')).toBe(true);
  });

  it('a printer with its cover open: exit 1 with the code', async () => {
    sink.reset();
    sink.state = { coverOpen: true };
    const r = await cli(['test', '--target', `tcp:127.0.0.1:${sink.port}`]);
    expect(r.code).toBe(1);
    expect(r.err).toContain('Lỗi PRINTER_COVER_OPEN');
    await sink.settle();
    expect(sink.jobBytes().length).toBe(0);
    sink.state = {};
  });

  it('a printer that does not answer status: printed, status not reported', async () => {
    const silent = await EscPosSink.start({ silent: true });
    const r = await cli(['test', '--target', `tcp:127.0.0.1:${silent.port}`, '--timeout', '200', '--json']);
    await silent.stop();
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { bytesWritten: number; status: unknown; statusError: string };
    expect(summary.bytesWritten).toBeGreaterThan(1000);
    expect(summary.status).toBeNull();
    expect(summary.statusError).toMatch(/^PRINTER_NO_STATUS: /);
  });

  it('clear errors: refused connection, missing device, bad target, bad width', async () => {
    const gone = await EscPosSink.start();
    const port = gone.port;
    await gone.stop();
    const refused = await cli(['test', '--target', `tcp:127.0.0.1:${port}`]);
    expect(refused.code).toBe(1);
    expect(refused.err).toContain(`Lỗi PRINTER_OFFLINE: tcp:127.0.0.1:${port}: connection refused`);

    const missing = await cli(['test', '--target', `usb:${join(dir, 'lp9')}`]);
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('Lỗi DEVICE_UNAVAILABLE');
    expect(missing.err).toContain('no such device');

    const noSerial = await cli(['test', '--target', `serial:${join(dir, 'ttyUSB9')}@9600`]);
    expect(noSerial.code).toBe(1);
    expect(noSerial.err).toContain('no such serial port');

    const bad = await cli(['test', '--target', 'lpt1']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--target không hợp lệ');

    const width = await cli(['test', '--target', 'tcp:127.0.0.1', '--width', '76']);
    expect(width.code).toBe(2);
    expect(width.err).toContain('--width phải là 58 hoặc 80');
  });

  it('writes to a USB device file', async () => {
    const device = join(dir, 'lp0');
    writeFileSync(device, '');
    const r = await cli(['test', '--target', `usb:${device}`, '--json']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { bytesWritten: number; statusError: string };
    expect(readFileSync(device).length).toBe(summary.bytesWritten);
    expect(summary.statusError).toMatch(/^PRINTER_NO_STATUS/);
  });
});

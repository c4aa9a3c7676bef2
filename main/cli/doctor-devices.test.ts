import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSoftHsmToken, EscPosSink, softHsmAvailable, type SoftHsmFixture } from '../../drivers/testing';
import { ConfigSchema, TRAINING_CONFIG, type LoadedConfig } from '../core/config';
import { checkDevices } from './doctor-devices';

type Row = { name: string; status: string; detail: string };

async function run(loaded: LoadedConfig): Promise<Map<string, Row>> {
  const rows: Row[] = [];
  await checkDevices(loaded, (name, status, detail) => rows.push({ name, status, detail }), 3000);
  return new Map(rows.map((r) => [r.name, r]));
}

function production(extra: Record<string, unknown>): LoadedConfig {
  const config = ConfigSchema.parse({
    agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
    counter: { id: 'Q01', name: 'Quầy số 1' },
    ...extra,
  });
  return { config, trainingMode: false, file: '/etc/motcua-desk.config.json' };
}

const queue = (target: string) => ({
  services: [{ code: 'TTHC', name: 'Thủ tục hành chính', prefix: 'A' }],
  counters: [{ id: 'Q01', name: 'Quầy số 1', services: ['TTHC'] }],
  ticketPrinter: { kind: 'escpos', target, paper: 80, statusTimeoutMs: 1500 },
});

let sink: EscPosSink;
let token: SoftHsmFixture | null = null;

beforeAll(async () => {
  sink = await EscPosSink.start();
  if (await softHsmAvailable()) token = await createSoftHsmToken({ label: 'Token xã Hòa Bình' });
}, 60_000);
afterAll(async () => {
  await sink.stop();
  await token?.dispose();
});

describe('doctor: ticket printer, barcode reader, signing token', () => {
  it('a training desk: the simulated printer and token answer; no serial reader configured', async () => {
    const rows = await run({ config: TRAINING_CONFIG, trainingMode: true, file: null });
    expect(rows.get('device.ticketPrinter')).toMatchObject({ status: 'ok' });
    expect(rows.get('device.ticketPrinter')?.detail).toContain('sẵn sàng');
    expect(rows.get('device.barcodeReader')).toMatchObject({ status: 'ok' });
    expect(rows.get('device.token')).toMatchObject({ status: 'ok' });
    expect(rows.get('device.token')?.detail).toContain('token mô phỏng');
    expect(rows.get('device.token')?.detail).toContain('PIN bình thường');
  });

  it('a real ESC/POS printer on TCP: ready, then cover open and paper out are failures, an unreachable one too', async () => {
    sink.state = {};
    expect(
      (await run(production({ queue: queue(`tcp:127.0.0.1:${sink.port}`) }))).get('device.ticketPrinter'),
    ).toMatchObject({ status: 'ok' });
    sink.state = { coverOpen: true, paperOut: true };
    const bad = (await run(production({ queue: queue(`tcp:127.0.0.1:${sink.port}`) }))).get('device.ticketPrinter')!;
    expect(bad.status).toBe('fail');
    expect(bad.detail).toContain('nắp đang mở');
    expect(bad.detail).toContain('hết giấy');
    sink.state = {};
    const gone = (await run(production({ queue: queue('tcp:127.0.0.1:9') }))).get('device.ticketPrinter')!;
    expect(gone.status).toBe('fail');
    expect(gone.detail).toMatch(/PRINTER_|DEVICE_/);
    // Nothing was printed by the checks.
    expect(sink.jobBytes().length).toBe(0);
  });

  it('a printer that never answers status is a warning, not a failure', async () => {
    const silent = await EscPosSink.start({ silent: true });
    try {
      const row = (await run(production({ queue: queue(`tcp:127.0.0.1:${silent.port}`) }))).get(
        'device.ticketPrinter',
      )!;
      expect(row.status).toBe('warn');
      expect(row.detail).toContain('không trả lời trạng thái');
    } finally {
      await silent.stop();
    }
  });

  it('a serial barcode reader whose port is missing is a warning naming the code', async () => {
    const row = (
      await run(production({ barcode: { serial: { path: '/dev/ttyMOTCUA-missing', baudRate: 9600 } } }))
    ).get('device.barcodeReader')!;
    expect(row.status).toBe('warn');
    expect(row.detail).toContain('DEVICE_UNAVAILABLE');
  });

  it('the SoftHSM2 token: module loaded, token listed with its PIN state; a wrong module or label fails', async (ctx) => {
    if (token === null) ctx.skip();
    const t = token!;
    const signing = { modulePath: t.modulePath, moduleEnv: t.env, tokenLabel: t.label, keyId: t.keyId };
    const ok = (await run(production({ signing }))).get('device.token')!;
    expect(ok.status).toBe('ok');
    expect(ok.detail).toContain('Token xã Hòa Bình');
    expect(ok.detail).toContain('PIN bình thường');
    expect(ok.detail).not.toContain(t.pin);

    const noToken = (await run(production({ signing: { ...signing, tokenLabel: 'Token khác' } }))).get('device.token')!;
    expect(noToken).toMatchObject({ status: 'fail' });
    expect(noToken.detail).toContain('chưa cắm token nhãn "Token khác"');

    const badModule = (
      await run(production({ signing: { ...signing, modulePath: '/usr/lib/not-a-pkcs11-module.so' } }))
    ).get('device.token')!;
    expect(badModule.status).toBe('fail');
  }, 60_000);
});

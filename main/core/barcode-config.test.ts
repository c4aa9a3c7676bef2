import { describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { SimulatedBarcodeReader } from '../../drivers/testing';
import { startBarcodeReader } from './barcode-forwarding';
import { parseConfig } from './config';
import type { Logger } from '../kernel/logger';
import { noEvents } from '../kernel/events';

const base = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q02', name: 'Quầy 2' },
};

function issues(barcode: unknown): string[] {
  try {
    parseConfig({ ...base, barcode });
  } catch (err) {
    if (err instanceof AppError) return (err.details as { issues: string[] }).issues;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('config section barcode', () => {
  it('fills defaults for a serial reader and the wedge', () => {
    const config = parseConfig({ ...base, barcode: { serial: { path: '/dev/ttyUSB0' }, wedge: {} } });
    expect(config.barcode).toEqual({
      serial: { path: '/dev/ttyUSB0', baudRate: 9600, terminator: 'CR', reconnectMs: 2000 },
      wedge: { enabled: true, maxGapMs: 35, minLength: 6 },
    });
    expect(
      parseConfig({ ...base, barcode: { serial: { path: 'COM3', baudRate: 115200, terminator: '0x03' } } }).barcode
        ?.serial?.terminator,
    ).toBe('0x03');
    expect(parseConfig(base).barcode).toBeUndefined();
  });

  it.each([
    [{ serial: { path: '' } }, 'barcode.serial.path'],
    [{ serial: { path: '/dev/ttyS0', baudRate: 1234 } }, 'barcode.serial.baudRate'],
    [{ serial: { path: '/dev/ttyS0', terminator: 'ETX' } }, 'barcode.serial.terminator'],
    [{ serial: { path: '/dev/ttyS0', terminator: '0x1FF' } }, 'barcode.serial.terminator'],
    [{ serial: { path: '/dev/ttyS0', reconnectMs: 10 } }, 'barcode.serial.reconnectMs'],
    [{ serial: { port: '/dev/ttyS0' } }, 'barcode.serial'],
    [{ wedge: { maxGapMs: 1000 } }, 'barcode.wedge.maxGapMs'],
    [{ wedge: { minLength: 1 } }, 'barcode.wedge.minLength'],
    [{ keyboard: true }, 'barcode'],
  ])('names the wrong field (%#)', (barcode, field) => {
    const lines = issues(barcode);
    expect(
      lines.some((l) => l.startsWith(`${field}: `)),
      lines.join('\n'),
    ).toBe(true);
  });
});

describe('forwarding scans to the windows', () => {
  const silent: Logger = { log: () => undefined, child: () => silent } as unknown as Logger;

  it('no serial reader configured: nothing is started', () => {
    expect(
      startBarcodeReader({
        mode: 'production',
        config: { wedge: { enabled: true, maxGapMs: 35, minLength: 6 } },
        events: noEvents,
        log: silent,
      }),
    ).toBeNull();
  });

  it('scans and state changes become barcode.scanned / barcode.state events; the log never holds the text', async () => {
    const sent: { event: string; payload: unknown }[] = [];
    const logged: unknown[] = [];
    const log = { log: (...args: unknown[]) => logged.push(args), child: () => log } as unknown as Logger;
    const reader = startBarcodeReader({
      mode: 'training',
      config: { serial: { path: '/dev/ttyUSB0', baudRate: 9600, terminator: 'CR', reconnectMs: 2000 } },
      events: { publish: (event, payload) => void sent.push({ event, payload }) },
      log,
    });
    expect(reader).toBeInstanceOf(SimulatedBarcodeReader);
    const twin = reader as SimulatedBarcodeReader;
    await new Promise((r) => setTimeout(r, 0));
    twin.scan('001090012345|123456789|Nguyễn Văn An|15071990|Nam|Hà Nội|01022021');
    twin.unplug();
    expect(sent.map((s) => s.event)).toEqual(['barcode.state', 'barcode.scanned', 'barcode.state']);
    expect(sent[1]!.payload).toEqual({
      text: '001090012345|123456789|Nguyễn Văn An|15071990|Nam|Hà Nội|01022021',
      reader: twin.name,
    });
    expect(sent[2]!.payload).toMatchObject({ connected: false, error: { code: 'BARCODE_DISCONNECTED' } });
    expect(JSON.stringify(logged)).not.toContain('001090012345');
    await twin.close();
  });
});

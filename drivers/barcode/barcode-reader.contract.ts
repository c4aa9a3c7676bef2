import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { BarcodeReader, BarcodeReaderState, BarcodeScan } from './barcode-reader.port';

/** What the shared suite needs from an adapter: the reader, a way to read a code, and the cable. */
export interface BarcodeReaderHarness {
  reader: BarcodeReader;
  /** The device reads `text` and sends it, terminator included. */
  send(text: string): Promise<void>;
  unplug(): Promise<void>;
  replug(): Promise<void>;
  dispose(): Promise<void>;
}

/** A chip ID card QR payload (docs/domain.md §2): UTF-8 Vietnamese, 7 fields. */
export const ID_CARD_QR =
  '001090012345|123456789|Nguyễn Văn An|15071990|Nam|Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội|01022021';

export async function until(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** The behaviour every `BarcodeReader` adapter must show (contract in barcode-reader.port.ts). */
export function barcodeReaderContract(label: string, make: () => Promise<BarcodeReaderHarness>): void {
  describe(`BarcodeReader contract: ${label}`, () => {
    let h: BarcodeReaderHarness;
    let scans: BarcodeScan[];
    let states: BarcodeReaderState[];
    beforeEach(async () => {
      h = await make();
      scans = [];
      states = [];
      h.reader.onScan((s) => scans.push(s));
      h.reader.onState((s) => states.push(s));
      await h.reader.start();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('is connected after start and reports each code once, terminator removed', async () => {
      expect(h.reader.state.connected).toBe(true);
      await h.send('000.00.12.H56-261204-0042');
      await until(() => scans.length === 1, 'the scan');
      expect(scans[0]).toEqual({ text: '000.00.12.H56-261204-0042', reader: h.reader.name });
    });

    it('keeps a Vietnamese ID card QR intact', async () => {
      await h.send(ID_CARD_QR);
      await h.send('B007');
      await until(() => scans.length === 2, 'two scans');
      expect(scans.map((s) => s.text)).toEqual([ID_CARD_QR, 'B007']);
    });

    it('unplugged: BARCODE_DISCONNECTED; plugged back: connected and reading again', async () => {
      await h.unplug();
      await until(() => !h.reader.state.connected, 'the disconnect');
      expect(h.reader.state.error?.code).toBe('BARCODE_DISCONNECTED');
      expect(states.at(-1)?.error?.code).toBe('BARCODE_DISCONNECTED');
      await h.replug();
      await until(() => h.reader.state.connected, 'the reconnect');
      expect(h.reader.state.error).toBeUndefined();
      await h.send('AFTER-REPLUG');
      await until(() => scans.length === 1, 'a scan after the reconnect');
      expect(scans[0]!.text).toBe('AFTER-REPLUG');
    });

    it('calls no listener after close', async () => {
      await h.reader.close();
      await h.send('IGNORED-1');
      await new Promise((r) => setTimeout(r, 100));
      expect(scans).toEqual([]);
    });
  });
}

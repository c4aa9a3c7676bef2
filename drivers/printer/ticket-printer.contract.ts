import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../device-error';
import { queueTicketDocument, renderTicket } from './ticket-render';
import type { TicketPrinter } from './ticket-printer.port';

/** What the shared suite needs from an adapter: the printer, what reached the device, and faults. */
export interface TicketPrinterHarness {
  printer: TicketPrinter;
  /** Ticket bytes that reached the device (status queries left out). */
  delivered(): Promise<Uint8Array>;
  setFault(fault: 'PAPER_OUT' | 'COVER_OPEN' | 'OFFLINE' | null): void;
  dispose(): Promise<void>;
}

export const SAMPLE_TICKET = queueTicketDocument({
  number: 'B007',
  serviceName: 'Đăng ký khai sinh',
  issuedAt: '08:42 04/12/2026',
  peopleAhead: 4,
  qr: 'MOTCUA-TICKET B007',
  agencyName: 'UBND phường Bến Nghé',
});

async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

/** The behaviour every `TicketPrinter` adapter must show (contract in ticket-printer.port.ts). */
export function ticketPrinterContract(label: string, make: () => Promise<TicketPrinterHarness>): void {
  describe(`TicketPrinter contract: ${label}`, () => {
    let h: TicketPrinterHarness;
    beforeEach(async () => {
      h = await make();
    });
    afterEach(async () => {
      await h.dispose();
    });

    it('prints a queue ticket: the bytes that arrive are the encoded ticket', async () => {
      const expected = await renderTicket(SAMPLE_TICKET, { paper: h.printer.paper });
      const result = await h.printer.print(SAMPLE_TICKET);
      expect(result.bytesWritten).toBe(expected.length);
      expect(Buffer.from(await h.delivered()).equals(Buffer.from(expected))).toBe(true);
    });

    it('reports a healthy status', async () => {
      const s = await h.printer.status();
      expect(s).toMatchObject({ online: true, coverOpen: false, paperOut: false });
    });

    it.each([
      ['PAPER_OUT', 'PRINTER_PAPER_OUT', { paperOut: true }],
      ['COVER_OPEN', 'PRINTER_COVER_OPEN', { coverOpen: true }],
      ['OFFLINE', 'PRINTER_OFFLINE', { online: false }],
    ] as const)('%s: print rejects with %s and writes nothing; status shows it', async (fault, code, shown) => {
      h.setFault(fault);
      const err = await rejection(h.printer.print(SAMPLE_TICKET));
      expect(err).toBeInstanceOf(DeviceError);
      expect((err as DeviceError).code).toBe(code);
      expect((await h.delivered()).length).toBe(0);
      expect(await h.printer.status()).toMatchObject({ ...shown, online: false });
      h.setFault(null);
      await h.printer.print(SAMPLE_TICKET);
      expect((await h.delivered()).length).toBeGreaterThan(0);
    });

    it('rejects an empty ticket with RangeError before touching the device', async () => {
      await expect(h.printer.print({ blocks: [] })).rejects.toBeInstanceOf(RangeError);
      expect((await h.delivered()).length).toBe(0);
    });

    it('serialises overlapping calls', async () => {
      const one = Buffer.from(await renderTicket(SAMPLE_TICKET, { paper: h.printer.paper }));
      const [a, b] = await Promise.all([h.printer.print(SAMPLE_TICKET), h.printer.print(SAMPLE_TICKET)]);
      expect([a.bytesWritten, b.bytesWritten]).toEqual([one.length, one.length]);
      // Byte for byte: two whole tickets one after the other, never interleaved.
      expect(Buffer.from(await h.delivered()).equals(Buffer.concat([one, one]))).toBe(true);
    });

    it('rejects calls after close with DEVICE_UNAVAILABLE', async () => {
      await h.printer.close();
      const err = await rejection(h.printer.status());
      expect((err as DeviceError).code).toBe('DEVICE_UNAVAILABLE');
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../device-error';
import type { DocumentPrinter } from './document-printer.port';

/** A job as it reached the device (or the print system standing in for it). */
export interface DeliveredJob {
  jobId: string;
  title: string;
  copies: number;
  bytes: Uint8Array;
}

/**
 * What the shared suite needs from an adapter under test: the printer, a way to see what it
 * delivered, and a way to make the device stop taking jobs (unplugged, disabled queue).
 */
export interface DocumentPrinterHarness {
  printer: DocumentPrinter;
  delivered(): Promise<DeliveredJob[]>;
  takeOffline(): Promise<void>;
  bringOnline(): Promise<void>;
  dispose(): Promise<void>;
}

/** A small but real-looking PDF: header, binary marker line, filler past a pipe buffer, trailer. */
export function samplePdf(size = 200_000, seed = 7): Uint8Array {
  const head = new TextEncoder().encode('%PDF-1.7\n%\u00e2\u00e3\u00cf\u00d3\n');
  const tail = new TextEncoder().encode('\n%%EOF\n');
  const bytes = new Uint8Array(Math.max(size, head.length + tail.length));
  bytes.set(head, 0);
  let state = seed;
  for (let i = head.length; i < bytes.length - tail.length; i += 1) {
    state = (state * 1103515245 + 12345) >>> 0;
    bytes[i] = state >>> 24;
  }
  bytes.set(tail, bytes.length - tail.length);
  return bytes;
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to reject');
}

/** Runs the `DocumentPrinter` contract (see `document-printer.port.ts`) against one adapter. */
export function runDocumentPrinterContract(name: string, make: () => Promise<DocumentPrinterHarness>): void {
  describe(`DocumentPrinter contract: ${name}`, () => {
    let harness: DocumentPrinterHarness;

    beforeEach(async () => {
      harness = await make();
    });

    afterEach(async () => {
      await harness.dispose();
    });

    it('has a display name', () => {
      expect(typeof harness.printer.name).toBe('string');
      expect(harness.printer.name.trim()).not.toBe('');
    });

    it('reports ready with a detail line when the printer takes jobs', async () => {
      const status = await harness.printer.status();
      expect(status.ready).toBe(true);
      expect(status.detail.trim()).not.toBe('');
    });

    it('accepts a PDF, returns a job id and delivers exactly the bytes', async () => {
      const pdf = samplePdf();
      const { jobId } = await harness.printer.print(pdf, { title: 'Giấy tiếp nhận hồ sơ' });
      expect(jobId.trim()).not.toBe('');
      const delivered = await harness.delivered();
      expect(delivered).toHaveLength(1);
      expect(delivered[0]?.jobId).toBe(jobId);
      expect(delivered[0]?.copies).toBe(1);
      expect(Buffer.from(delivered[0]?.bytes ?? []).equals(Buffer.from(pdf))).toBe(true);
    });

    it('passes the title verbatim (Vietnamese, quotes, shell characters) and the copy count', async () => {
      const title = `Phiếu yêu cầu bổ sung 000.00.12.H56-250715-0001 "$(echo injected)" \`id\`; echo 'a' | cat & $HOME`;
      await harness.printer.print(samplePdf(2_000), { title, copies: 3 });
      const [job] = await harness.delivered();
      expect(job?.title).toBe(title);
      expect(job?.copies).toBe(3);
    });

    it('replaces control characters in the title with spaces', async () => {
      await harness.printer.print(samplePdf(2_000), { title: 'Sổ theo dõi\nhồ sơ\t' });
      const [job] = await harness.delivered();
      expect(job?.title).toBe('Sổ theo dõi hồ sơ');
    });

    it('gives every job its own id, also when calls overlap', async () => {
      const receipts = await Promise.all(
        [1, 2, 3].map((n) => harness.printer.print(samplePdf(30_000, n), { title: `Tài liệu ${n}` })),
      );
      const ids = receipts.map((r) => r.jobId);
      expect(new Set(ids).size).toBe(3);
      const delivered = await harness.delivered();
      expect(delivered.map((d) => d.jobId).sort()).toEqual([...ids].sort());
      for (const n of [1, 2, 3]) {
        const job = delivered.find((d) => d.title === `Tài liệu ${n}`);
        expect(Buffer.from(job?.bytes ?? []).equals(Buffer.from(samplePdf(30_000, n)))).toBe(true);
      }
    });

    it('rejects bad arguments with RangeError before anything reaches the device', async () => {
      const pdf = samplePdf(2_000);
      const bad: [Uint8Array, { title: string; copies?: number }][] = [
        [new Uint8Array(0), { title: 'rỗng' }],
        [new TextEncoder().encode('not a pdf at all'), { title: 'không phải PDF' }],
        [pdf, { title: '  \n ' }],
        [pdf, { title: 'x', copies: 0 }],
        [pdf, { title: 'x', copies: 1.5 }],
        [pdf, { title: 'x', copies: 100 }],
        [pdf, { title: 'x', copies: Number.NaN }],
      ];
      for (const [bytes, job] of bad) {
        expect(await rejection(harness.printer.print(bytes, job))).toBeInstanceOf(RangeError);
      }
      expect(await harness.delivered()).toEqual([]);
    });

    it('when offline: print rejects with PRINTER_OFFLINE, status is not ready; it recovers', async () => {
      await harness.takeOffline();
      const error = await rejection(harness.printer.print(samplePdf(2_000), { title: 'Phiếu từ chối' }));
      expect(error).toBeInstanceOf(DeviceError);
      expect((error as DeviceError).code).toBe('PRINTER_OFFLINE');
      expect((error as DeviceError).message).not.toBe('');
      expect(await harness.delivered()).toEqual([]);

      const status = await harness.printer.status();
      expect(status.ready).toBe(false);
      expect(status.detail.trim()).not.toBe('');

      await harness.bringOnline();
      expect((await harness.printer.status()).ready).toBe(true);
      await harness.printer.print(samplePdf(2_000), { title: 'Phiếu từ chối' });
      expect(await harness.delivered()).toHaveLength(1);
    });
  });
}

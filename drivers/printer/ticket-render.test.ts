import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { queueTicketDocument, renderTicket, testTicketDocument } from './ticket-render';

const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');

/** The GS v 0 headers in `bytes`: [width bytes, rows] each. */
function rasterBands(bytes: Uint8Array): [number, number][] {
  const bands: [number, number][] = [];
  for (let i = 0; i + 8 <= bytes.length;) {
    if (bytes[i] === 0x1d && bytes[i + 1] === 0x76 && bytes[i + 2] === 0x30 && bytes[i + 3] === 0) {
      const x = bytes[i + 4]! | (bytes[i + 5]! << 8);
      const y = bytes[i + 6]! | (bytes[i + 7]! << 8);
      bands.push([x, y]);
      i += 8 + x * y;
    } else i++;
  }
  return bands;
}

describe('ticket rendering', () => {
  it('code page mode: exact bytes for a small ticket (CP1258 at table 52)', async () => {
    const bytes = await renderTicket(
      {
        blocks: [
          { kind: 'text', text: 'Số 15', align: 'center', size: 'large' },
          { kind: 'qr', data: 'A' },
        ],
      },
      { paper: 80, text: { kind: 'codepage', codePage: 'cp1258', table: 52 } },
    );
    expect(hex(bytes)).toBe(
      [
        '1b 40', // initialise
        '1b 74 34', // ESC t 52
        '1b 61 01 1d 21 11 1b 45 00', // centre, double size, bold off
        '53 f4 ec 20 31 35 0a', // "Số 15" LF: ố = ô F4 + acute EC
        '1d 21 00 1b 45 00', // size and emphasis back
        '1b 61 01', // centre the QR
        '1d 28 6b 04 00 31 41 32 00 1d 28 6b 03 00 31 43 06 1d 28 6b 03 00 31 45 31',
        '1d 28 6b 04 00 31 50 30 41 1d 28 6b 03 00 31 51 30 0a',
        '1b 61 00 1b 64 04 1d 56 01', // left, feed 4, partial cut
      ].join(' '),
    );
  });

  it.each([
    [58, 48],
    [80, 72],
  ] as const)('raster mode on %i mm paper: images %i bytes wide, native QR, cut', async (paper, rowBytes) => {
    const doc = queueTicketDocument({
      number: 'A015',
      serviceName: 'Chứng thực bản sao',
      issuedAt: '08:42 04/12/2026',
      peopleAhead: 3,
      qr: 'T-A015',
    });
    const bytes = await renderTicket(doc, { paper });
    expect(hex(bytes.subarray(0, 2))).toBe('1b 40');
    expect(hex(bytes.subarray(-3))).toBe('1d 56 01');
    const bands = rasterBands(bytes);
    expect(bands.length).toBeGreaterThanOrEqual(2);
    for (const [x, y] of bands) {
      expect(x).toBe(rowBytes);
      expect(y).toBeGreaterThan(0);
      expect(y).toBeLessThanOrEqual(256);
    }
    // the QR data is stored with its own command, not as an image
    expect(
      Buffer.from(bytes).includes(
        Buffer.from([0x1d, 0x28, 0x6b, 0x09, 0x00, 0x31, 0x50, 0x30, ...Buffer.from('T-A015')]),
      ),
    ).toBe(true);
    // no text bytes: Vietnamese went into the image
    expect(Buffer.from(bytes).includes(Buffer.from('Ch'))).toBe(false);
  });

  it('the same ticket gives the same bytes; ink is present', async () => {
    const doc = testTicketDocument({
      target: 'tcp:127.0.0.1:9100',
      paper: 80,
      printedAt: '10:00 04/12/2026',
      mode: 'ảnh',
    });
    const a = await renderTicket(doc, { paper: 80 });
    const b = await renderTicket(doc, { paper: 80 });
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const blackDots = [...a.subarray(8, 8 + 72 * 200)].reduce(
      (n, x) => n + (x.toString(2).match(/1/g) ?? []).length,
      0,
    );
    expect(blackDots).toBeGreaterThan(500);
  });

  it.skipIf(!existsSync('/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf'))(
    'renders with the system Noto Sans (fonts-noto-core) too',
    async () => {
      const doc = { blocks: [{ kind: 'text' as const, text: 'Mời số A015 đến quầy 2' }] };
      const bytes = await renderTicket(doc, { paper: 58, fontDir: '/usr/share/fonts/truetype/noto' });
      expect(rasterBands(bytes)).toHaveLength(1);
      expect(rasterBands(bytes)[0]![0]).toBe(48);
    },
  );

  it('rejects an empty ticket and an unknown paper width', async () => {
    await expect(renderTicket({ blocks: [] }, { paper: 80 })).rejects.toBeInstanceOf(RangeError);
    await expect(renderTicket({ blocks: [{ kind: 'feed', lines: 1 }] }, { paper: 62 as 80 })).rejects.toBeInstanceOf(
      RangeError,
    );
  });
});

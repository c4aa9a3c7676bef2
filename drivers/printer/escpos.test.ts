import { describe, expect, it } from 'vitest';
import { EscPos, packMono, PAPER_DOTS, statusRequest } from './escpos';

/** Hex with spaces, as the command reference writes sequences. */
const hex = (b: Uint8Array) => [...b].map((x) => x.toString(16).padStart(2, '0')).join(' ');
const enc = () => new EscPos();

describe('ESC/POS encoder', () => {
  it('initialise, alignment, size, emphasis, feeds', () => {
    expect(hex(enc().init().bytes())).toBe('1b 40');
    expect(hex(enc().align('left').align('center').align('right').bytes())).toBe('1b 61 00 1b 61 01 1b 61 02');
    expect(hex(enc().size(1, 1).size(2, 2).size(3, 1).size(8, 8).bytes())).toBe('1d 21 00 1d 21 11 1d 21 20 1d 21 77');
    expect(hex(enc().bold(true).bold(false).bytes())).toBe('1b 45 01 1b 45 00');
    expect(hex(enc().feed().feed(3).bytes())).toBe('0a 1b 64 03');
    expect(() => enc().size(9, 1)).toThrow(RangeError);
  });

  it('text in ASCII and in CP1258 after ESC t n', () => {
    expect(hex(enc().line('So 15').bytes())).toBe('53 6f 20 31 35 0a');
    expect(hex(enc().text('Số').bytes())).toBe('53 3f'); // ASCII: no Vietnamese
    expect(hex(enc().codePage('cp1258', 52).line('Số').bytes())).toBe('1b 74 34 53 f4 ec 0a');
    expect(hex(enc().codePage('cp1258', 30).text('Mời số').init().text('é').bytes())).toBe(
      '1b 74 1e 4d f5 cc 69 20 73 f4 ec 1b 40 3f',
    );
    expect(hex(enc().text('a\tb\u0007').bytes())).toBe('61 62');
  });

  it('QR code: model 2, module size, error correction, store, print', () => {
    expect(hex(enc().qr('A1', { moduleSize: 6, errorCorrection: 'M' }).bytes())).toBe(
      [
        '1d 28 6b 04 00 31 41 32 00', // model 2
        '1d 28 6b 03 00 31 43 06', // module size 6
        '1d 28 6b 03 00 31 45 31', // error correction M (49)
        '1d 28 6b 05 00 31 50 30 41 31', // store: pL = 2 + 3
        '1d 28 6b 03 00 31 51 30', // print
      ].join(' '),
    );
    expect(hex(enc().qr('x'.repeat(300), { errorCorrection: 'H', moduleSize: 3 }).bytes().subarray(9, 25))).toBe(
      '1d 28 6b 03 00 31 43 03 1d 28 6b 03 00 31 45 33',
    );
    // 300 + 3 = 303 = 0x012F → pL 2f pH 01
    expect(hex(enc().qr('x'.repeat(300)).bytes().subarray(25, 33))).toBe('1d 28 6b 2f 01 31 50 30');
  });

  it('CODE128 with code set B prefix, { escaped', () => {
    expect(hex(enc().code128('A-015', { height: 60, moduleWidth: 2 }).bytes())).toBe(
      '1d 68 3c 1d 77 02 1d 48 02 1d 6b 49 07 7b 42 41 2d 30 31 35',
    );
    expect(hex(enc().code128('a{b', { hri: false }).bytes().subarray(9))).toBe('1d 6b 49 06 7b 42 61 7b 7b 62');
    expect(() => enc().code128('Số')).toThrow(RangeError);
  });

  it('raster image GS v 0: width bytes, height, 1-bit MSB first', () => {
    // 10 × 2 dots: row 0 black at x=0 and x=9, row 1 black at x=1..8
    const grey = new Uint8Array(20).fill(255);
    grey[0] = 0;
    grey[9] = 0;
    for (let x = 1; x <= 8; x++) grey[10 + x] = 0;
    const bitmap = packMono(grey, 10, 2);
    expect(hex(bitmap.data)).toBe('80 40 7f 80');
    expect(hex(enc().raster(bitmap).bytes())).toBe('1d 76 30 00 02 00 02 00 80 40 7f 80');
    // bands: 3 rows sent as 2 + 1
    const tall = { width: 8, height: 3, data: Uint8Array.of(0xff, 0x00, 0xaa) };
    expect(hex(enc().raster(tall, 2).bytes())).toBe('1d 76 30 00 01 00 02 00 ff 00 1d 76 30 00 01 00 01 00 aa');
    // full 80 mm width: 576 dots = 72 bytes = 0x48; 300 rows = 0x012C
    const wide = { width: PAPER_DOTS[80], height: 300, data: new Uint8Array(72 * 300) };
    expect(hex(enc().raster(wide, 2303).bytes().subarray(0, 8))).toBe('1d 76 30 00 48 00 2c 01');
    expect(
      hex(
        enc()
          .raster({ width: PAPER_DOTS[58], height: 1, data: new Uint8Array(48) })
          .bytes()
          .subarray(0, 8),
      ),
    ).toBe('1d 76 30 00 30 00 01 00');
    expect(() => enc().raster({ width: 9, height: 1, data: new Uint8Array(1) })).toThrow(RangeError);
  });

  it('cut, code page select, status request', () => {
    expect(hex(enc().cut().cut({ partial: true }).cut({ feed: 3 }).cut({ partial: true, feed: 0 }).bytes())).toBe(
      '1d 56 00 1d 56 01 1d 56 41 03 1d 56 42 00',
    );
    expect(hex(enc().codePage('cp1258', 52).bytes())).toBe('1b 74 34');
    expect(hex(statusRequest(1))).toBe('10 04 01');
    expect(hex(statusRequest(2))).toBe('10 04 02');
    expect(hex(statusRequest(4))).toBe('10 04 04');
  });

  it('a whole small ticket in order', () => {
    const bytes = enc().init().align('center').size(2, 2).line('A015').size(1, 1).cut().bytes();
    expect(hex(bytes)).toBe('1b 40 1b 61 01 1d 21 11 41 30 31 35 0a 1d 21 00 1d 56 00');
  });
});

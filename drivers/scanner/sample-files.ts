import { PDFDocument } from 'pdf-lib';
import sharp from 'sharp';
import { fixtureText, renderFixturePage } from './fixture-pages';

/**
 * Files like the ones officers import or scan-to-folder devices write, generated at run time for
 * tests and training: a multi-page PDF of fixture pages, a multi-page TIFF, BMP and PNM images.
 */

const POINTS_PER_MM = 72 / 25.4;

/** A PDF with `pages` A4 pages, each a fixture page (known text: `fixtureText(n, pages)`) drawn at `dpi`. */
export async function samplePdf(pages: number, dpi = 50): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  for (let n = 1; n <= pages; n += 1) {
    const png = await pdf.embedPng(await renderFixturePage({ text: fixtureText(n, pages), dpi }));
    const page = pdf.addPage([210 * POINTS_PER_MM, 297 * POINTS_PER_MM]);
    page.drawImage(png, { x: 0, y: 0, width: page.getWidth(), height: page.getHeight() });
  }
  return pdf.save({ useObjectStreams: false });
}

/** A multi-page TIFF whose page `n` (0-based) is filled with grey level `levels[n]`. */
export async function sampleMultiPageTiff(levels: readonly number[], width = 60, height = 80): Promise<Uint8Array> {
  const pages = await Promise.all(
    levels.map((level) =>
      sharp({ create: { width, height, channels: 3, background: { r: level, g: level, b: level } } })
        .png()
        .toBuffer(),
    ),
  );
  return new Uint8Array(
    await sharp(pages, { join: { animated: true } })
      .tiff()
      .toBuffer(),
  );
}

/** An uncompressed 24-bit BMP: left half red, right half blue. */
export function sampleBmp(width = 8, height = 4): Uint8Array {
  const stride = Math.ceil((24 * width) / 32) * 4;
  const size = 54 + stride * height;
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes.set([0x42, 0x4d]);
  view.setUint32(2, size, true);
  view.setUint32(10, 54, true);
  view.setUint32(14, 40, true);
  view.setInt32(18, width, true);
  view.setInt32(22, height, true);
  view.setUint16(26, 1, true);
  view.setUint16(28, 24, true);
  view.setUint32(34, stride * height, true);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) {
      const o = 54 + y * stride + x * 3;
      if (x < width / 2) bytes.set([0, 0, 255], o);
      else bytes.set([255, 0, 0], o);
    }
  }
  return bytes;
}

/** A binary PGM (P5) with a horizontal gradient, as SANE writes by default. */
export function samplePgm(width = 16, height = 4): Uint8Array {
  const header = new TextEncoder().encode(`P5\n# SANE data follows\n${width} ${height}\n255\n`);
  const bytes = new Uint8Array(header.length + width * height);
  bytes.set(header);
  for (let y = 0; y < height; y += 1) {
    for (let x = 0; x < width; x += 1) bytes[header.length + y * width + x] = Math.round((x * 255) / (width - 1));
  }
  return bytes;
}

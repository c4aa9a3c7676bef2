import fontkit from '@pdf-lib/fontkit';
import {
  PDFContentStream,
  PDFDocument,
  PDFName,
  TextRenderingMode,
  beginText,
  concatTransformationMatrix,
  drawObject,
  endText,
  popGraphicsState,
  pushGraphicsState,
  rgb,
  setCharacterSqueeze,
  setFontAndSize,
  setTextMatrix,
  setTextRenderingMode,
  showText,
} from 'pdf-lib';
import type { PDFFont, PDFOperator, PDFPage, PDFRef } from 'pdf-lib';
import { jpegFrame } from '../decode';
import { loadFonts } from '../../forms/fonts';
import type { LoadedFont } from '../../forms/fonts';
import { subsetFontName } from '../../forms/pdf';
import type { DocumentOutput, EncodedPageImage, OcrWord, PageState } from '../types';
import { encodePageImage } from './page-image';
import { inMemoryPages } from '../document-pages';
import type { DocumentPages } from '../document-pages';
import { PRODUCER, buildXmp, parseInstant } from './xmp';
import type { DigitisedDocumentMeta } from './xmp';

export interface SearchablePdfOptions {
  /** JPEG quality for pages that arrive without an encoded image. Default 70. */
  jpegQuality?: number;
  /** Folder of the Noto Sans fonts (default: the app's resources). */
  fontsDir?: string;
}

/** Footer band: the converted-from-paper mark sits here, over white paper or on an added strip. */
const FOOTER_BAND_PT = 20;
const FOOTER_SIZE_PT = 6.5;
const round = (n: number): number => Math.round(n * 100) / 100;

function isPageArray(input: readonly PageState[] | DocumentPages): input is readonly PageState[] {
  return Array.isArray(input);
}

export function paperMarkText(agencyName: string, displayTime: string): string {
  return `Bản số hóa từ bản giấy – ${agencyName} – ${displayTime}`;
}

/** Text the font can draw: characters without a glyph become '?' (else they would vanish from search). */
function drawable(font: LoadedFont, text: string): string {
  let out = '';
  for (const ch of text.normalize('NFC')) out += font.codePoints.has(ch.codePointAt(0)!) ? ch : '?';
  return out;
}

function embedImage(doc: PDFDocument, encoded: EncodedPageImage): PDFRef | Promise<PDFRef> {
  // The document holds the image until it is saved: never a view pinning a larger buffer (a page
  // file read whole, the capture with it).
  const img =
    encoded.bytes.byteLength < encoded.bytes.buffer.byteLength ? { ...encoded, bytes: encoded.bytes.slice() } : encoded;
  const common = {
    Type: 'XObject',
    Subtype: 'Image',
    Width: img.width,
    Height: img.height,
    ColorSpace: img.channels === 1 ? 'DeviceGray' : 'DeviceRGB',
  };
  if (img.format === 'bilevel') {
    return doc.context.register(
      doc.context.stream(img.bytes, { ...common, BitsPerComponent: 1, Filter: 'FlateDecode' }),
    );
  }
  if (img.format === 'jpeg') {
    // The image dictionary must describe the JPEG as it is, whatever the page state says.
    const frame = jpegFrame(img.bytes);
    if (frame === null || (frame.components !== 1 && frame.components !== 3))
      throw new Error(`page image is not a grey or RGB JPEG`);
    const dict = {
      ...common,
      Width: frame.width,
      Height: frame.height,
      ColorSpace: frame.components === 1 ? 'DeviceGray' : 'DeviceRGB',
    };
    return doc.context.register(doc.context.stream(img.bytes, { ...dict, BitsPerComponent: 8, Filter: 'DCTDecode' }));
  }
  return doc.embedPng(img.bytes).then((e) => e.ref);
}

interface LineRun {
  words: OcrWord[];
}

function linesOf(words: readonly OcrWord[]): LineRun[] {
  const byLine = new Map<number, OcrWord[]>();
  for (const w of words) {
    const list = byLine.get(w.line) ?? [];
    list.push(w);
    byLine.set(w.line, list);
  }
  return [...byLine.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, ws]) => ({ words: ws.sort((p, q) => p.bbox.x0 - q.bbox.x0) }));
}

/**
 * The invisible text layer (render mode 3) of one page: each word at its baseline, its font size
 * from the line height and its horizontal scaling (Tz) stretched so the glyphs cover the word's box
 * (plus the gap to the next word, filled by a space), so selection highlights the printed words and
 * text extraction returns the lines in reading order with single spaces.
 */
export function textLayerOperators(
  words: readonly OcrWord[],
  font: PDFFont,
  fontKey: PDFName,
  loaded: LoadedFont,
  pxToPt: number,
  pageHeightPt: number,
  yOffsetPt: number,
): PDFOperator[] {
  const ops: PDFOperator[] = [];
  const lines = linesOf(words);
  if (lines.length === 0) return ops;
  ops.push(pushGraphicsState(), beginText(), setTextRenderingMode(TextRenderingMode.Invisible));
  for (const line of lines) {
    const ws = line.words;
    const heights = ws.map((w) => w.lineHeight ?? (w.bbox.y1 - w.bbox.y0) * 1.25);
    const lineHeightPx = heights.reduce((a, b) => a + b, 0) / heights.length;
    const size = round(Math.max(1, Math.min(300, lineHeightPx * pxToPt * 0.8)));
    ops.push(setFontAndSize(fontKey, size));
    ws.forEach((w, i) => {
      const next = ws[i + 1];
      const text = drawable(loaded, w.text) + (next === undefined ? '' : ' ');
      const natural = font.widthOfTextAtSize(text, size);
      const spanPx = next === undefined ? w.bbox.x1 - w.bbox.x0 : next.bbox.x0 - w.bbox.x0;
      const target = Math.max(0.5, spanPx * pxToPt);
      const tz = natural > 0 ? round(Math.max(1, Math.min(1000, (100 * target) / natural))) : 100;
      const x = round(w.bbox.x0 * pxToPt);
      const y = round(pageHeightPt - (w.baseline ?? w.bbox.y1) * pxToPt + yOffsetPt);
      ops.push(setCharacterSqueeze(tz), setTextMatrix(1, 0, 0, 1, x, y), showText(font.encodeText(text)));
    });
  }
  ops.push(endText(), popGraphicsState());
  return ops;
}

function contentBottomPx(page: PageState): number {
  let bottom = page.inkBox?.y1 ?? 0;
  for (const w of page.ocr?.words ?? []) bottom = Math.max(bottom, w.bbox.y1);
  return bottom;
}

function addFooter(page: PDFPage, font: PDFFont, text: string, bandPt: number): void {
  const width = page.getWidth();
  let size = FOOTER_SIZE_PT;
  const margin = 14;
  const natural = font.widthOfTextAtSize(text, size);
  if (natural > width - 2 * margin) size = Math.max(3.5, (size * (width - 2 * margin)) / natural);
  const w = font.widthOfTextAtSize(text, size);
  page.drawText(text, {
    x: Math.max(margin / 2, (width - w) / 2),
    y: (bandPt - size) / 2 + size * 0.25,
    size,
    font,
    color: rgb(0.3, 0.3, 0.3),
  });
}

/**
 * The searchable PDF of a digitised document: one page per `PageState`, sized from its pixels and
 * dpi (points = px × 72 / dpi), the page image (JPEG, or 1-bit Flate for black and white), the
 * invisible OCR text layer in embedded Noto Sans (subset), a visible footer line marking the copy
 * as converted from paper (on the bottom margin when it is empty, else on a strip added below the
 * image so no content is covered), XMP metadata with the mandatory fields and the same in the Info
 * dictionary.
 */
export async function buildSearchablePdf(
  input: readonly PageState[] | DocumentPages,
  meta: DigitisedDocumentMeta,
  opts: SearchablePdfOptions = {},
): Promise<DocumentOutput> {
  // Pages are read one at a time (a spilled or stored document never sits in memory whole); what
  // accumulates is the encoded page images inside the PDF being built, i.e. the PDF itself.
  const pages = isPageArray(input) ? inMemoryPages(input) : input;
  if (pages.count === 0) throw new RangeError('buildSearchablePdf: no pages');
  const created = parseInstant(meta.digitisedAt);
  const mark = paperMarkText(meta.agencyName, created.display);
  const fonts = loadFonts(opts.fontsDir);
  const loaded = fonts.regular;

  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);
  const used = new Set<string>([...mark, ' ']);
  for (let i = 0; i < pages.count; i++) for (const ch of drawable(loaded, await pages.characters(i))) used.add(ch);
  const font = await doc.embedFont(loaded.bytes, {
    subset: true,
    customName: subsetFontName(loaded.postscriptName, [...used].sort().join('')),
  });

  const texts: string[] = [];
  for (let i = 0; i < pages.count; i++) {
    const p = await pages.load(i);
    texts.push(p.ocr?.text ?? '');
    const image = p.output ?? (await encodePageImage(p.image, p.dpi, { jpegQuality: opts.jpegQuality ?? 70 }));
    const dpi = image.dpi > 0 ? image.dpi : p.dpi;
    const pxToPt = 72 / dpi;
    const imgW = round(image.width * pxToPt);
    const imgH = round(image.height * pxToPt);
    const freeBottomPt = (image.height - contentBottomPx(p)) * pxToPt;
    const strip = freeBottomPt >= FOOTER_BAND_PT + 4 ? 0 : FOOTER_BAND_PT;
    const pdfPage = doc.addPage([imgW, imgH + strip]);
    const ref = await embedImage(doc, image);
    const name = pdfPage.node.newXObject('Im', ref);
    const fontKey = pdfPage.node.newFontDictionary(font.name, font.ref);
    // The page's image and text layer are serialised and compressed now, not kept as operator
    // objects until the document is saved (hundreds of thousands of them for a long document).
    const ops = [
      pushGraphicsState(),
      concatTransformationMatrix(imgW, 0, 0, imgH, 0, strip),
      drawObject(name),
      popGraphicsState(),
      ...textLayerOperators(p.ocr?.words ?? [], font, fontKey, loaded, pxToPt, imgH, strip),
    ];
    const content = PDFContentStream.of(doc.context.obj({}), ops, false).getUnencodedContents();
    pdfPage.node.addContentStream(doc.context.register(doc.context.flateStream(content)));
    addFooter(pdfPage, font, mark, FOOTER_BAND_PT);
  }

  const title = `${meta.documentName} – ${meta.ownerName}`;
  const keywords = [meta.documentCode, meta.dossierCode, meta.procedureCode, meta.sectorCode, 'bản số hóa'].filter(
    (k): k is string => k !== null && k !== '',
  );
  doc.setTitle(title, { showInWindowTitleBar: true });
  doc.setAuthor(meta.agencyName);
  doc.setSubject(meta.summary ?? meta.documentName);
  doc.setKeywords(keywords);
  doc.setCreator(PRODUCER);
  doc.setProducer(PRODUCER);
  doc.setCreationDate(created.date);
  doc.setModificationDate(created.date);
  doc.setLanguage('vi');
  const xmp = buildXmp({ meta, pageCount: pages.count, createdAt: created, title, keywords: keywords.join(', ') });
  const metadata = doc.context.stream(new TextEncoder().encode(xmp), { Type: 'Metadata', Subtype: 'XML' });
  doc.catalog.set(PDFName.of('Metadata'), doc.context.register(metadata));

  const pdf = await doc.save({ useObjectStreams: false });
  return { pdf, pageCount: pages.count, text: texts.join('\n\f\n') };
}

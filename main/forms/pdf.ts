import { createHash } from 'node:crypto';
import fontkit from '@pdf-lib/fontkit';
import {
  PDFDocument,
  degrees,
  fill,
  popGraphicsState,
  pushGraphicsState,
  rectangle,
  rgb,
  setFillingRgbColor,
} from 'pdf-lib';
import type { PDFFont, PDFPage } from 'pdf-lib';
import type { FontKey, FontSet } from './fonts';
import type { DrawOp, PageGeometry, Rgb } from './layout';
import { qrSquares } from './qr';

export const PRODUCER = 'Một Cửa Desk';

export interface PdfMeta {
  title: string;
  subject: string;
  author: string;
  keywords: string[];
  /** Creation and modification date: derived from the form's data so output is reproducible. */
  date: Date;
  language: string;
}

const color = (c: Rgb | undefined) => (c === undefined ? rgb(0, 0, 0) : rgb(c.r, c.g, c.b));

/**
 * Subset font name `ABCDEF+PostScriptName`, the tag derived from the characters used so the same
 * document always gets the same name (PDF 32000-1 §9.6.4).
 */
export function subsetFontName(postscriptName: string, text: string): string {
  const digest = createHash('sha256').update(text, 'utf8').digest();
  let tag = '';
  for (let i = 0; i < 6; i++) tag += String.fromCharCode(65 + (digest[i]! % 26));
  return `${tag}+${postscriptName}`;
}

function drawQr(page: PDFPage, op: Extract<DrawOp, { kind: 'qr' }>, pageHeight: number): void {
  const layout = qrSquares(op.text, op.size);
  // All modules in one path, filled once: no hairline seams between neighbouring squares.
  page.pushOperators(
    pushGraphicsState(),
    setFillingRgbColor(0, 0, 0),
    ...layout.squares.map((s) => rectangle(op.x + s.x, pageHeight - (op.y + s.y) - s.size, s.size, s.size)),
    fill(),
    popGraphicsState(),
  );
}

/** Writes laid-out pages to a PDF with the fonts embedded as subsets. */
export async function writePdf(
  pages: readonly (readonly DrawOp[])[],
  geometry: PageGeometry,
  fonts: FontSet,
  meta: PdfMeta,
): Promise<Uint8Array> {
  const doc = await PDFDocument.create({ updateMetadata: false });
  doc.registerFontkit(fontkit);

  const usedText = new Map<FontKey, Set<string>>();
  for (const ops of pages) {
    for (const op of ops) {
      if (op.kind !== 'text') continue;
      const set = usedText.get(op.font) ?? new Set<string>();
      for (const ch of op.text) set.add(ch);
      usedText.set(op.font, set);
    }
  }
  const embedded = new Map<FontKey, PDFFont>();
  for (const [key, chars] of [...usedText.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const font = fonts[key];
    const customName = subsetFontName(font.postscriptName, [...chars].sort().join(''));
    embedded.set(key, await doc.embedFont(font.bytes, { subset: true, customName }));
  }

  for (const ops of pages) {
    const page = doc.addPage([geometry.width, geometry.height]);
    const h = geometry.height;
    for (const op of ops) {
      switch (op.kind) {
        case 'text': {
          const font = embedded.get(op.font);
          if (font === undefined) throw new Error(`font ${op.font} not embedded`);
          page.drawText(op.text, {
            x: op.x,
            y: h - op.y,
            size: op.size,
            font,
            color: color(op.color),
            ...(op.rotate !== undefined ? { rotate: degrees(op.rotate) } : {}),
            ...(op.opacity !== undefined ? { opacity: op.opacity } : {}),
          });
          break;
        }
        case 'line':
          page.drawLine({
            start: { x: op.x1, y: h - op.y1 },
            end: { x: op.x2, y: h - op.y2 },
            thickness: op.width,
            color: color(op.color),
          });
          break;
        case 'rect':
          page.drawRectangle({
            x: op.x,
            y: h - op.y - op.h,
            width: op.w,
            height: op.h,
            ...(op.fill ? { color: color(op.fill) } : {}),
            ...(op.stroke ? { borderColor: color(op.stroke), borderWidth: op.lineWidth ?? 0.5 } : { borderWidth: 0 }),
            ...(op.opacity !== undefined ? { opacity: op.opacity, borderOpacity: op.opacity } : {}),
          });
          break;
        case 'qr':
          drawQr(page, op, h);
          break;
        case 'path':
          page.drawSvgPath(op.d, {
            x: op.x,
            y: h - op.y,
            color: color(op.color),
            borderWidth: 0,
            ...(op.rotate !== undefined ? { rotate: degrees(op.rotate) } : {}),
            ...(op.opacity !== undefined ? { opacity: op.opacity } : {}),
          });
          break;
      }
    }
  }

  doc.setTitle(meta.title, { showInWindowTitleBar: true });
  doc.setSubject(meta.subject);
  doc.setAuthor(meta.author);
  doc.setKeywords(meta.keywords);
  doc.setProducer(PRODUCER);
  doc.setCreator(PRODUCER);
  doc.setCreationDate(meta.date);
  doc.setModificationDate(meta.date);
  doc.setLanguage(meta.language);
  return doc.save();
}

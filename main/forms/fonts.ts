import { readFileSync } from 'node:fs';
import path from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import type { Font } from '@pdf-lib/fontkit';
import { fontsDir } from '../kernel/resources';

export type FontKey = 'regular' | 'bold' | 'italic';
export const FONT_KEYS: readonly FontKey[] = ['regular', 'bold', 'italic'];

const FONT_FILES: Readonly<Record<FontKey, string>> = {
  regular: 'NotoSans-Regular.ttf',
  bold: 'NotoSans-Bold.ttf',
  italic: 'NotoSans-Italic.ttf',
};

/** Text widths, as pdf-lib will draw the text (sum of glyph advances, no kerning). */
export interface TextMeasurer {
  width(text: string, font: FontKey, size: number): number;
  /** Whether the font has a glyph for the code point. */
  supports(codePoint: number, font: FontKey): boolean;
}

export interface LoadedFont {
  key: FontKey;
  file: string;
  bytes: Uint8Array;
  postscriptName: string;
  face: Font;
  codePoints: ReadonlySet<number>;
}

export type FontSet = Readonly<Record<FontKey, LoadedFont>>;

const cache = new Map<string, FontSet>();

/** Reads the form fonts from `<resources>/fonts` once per folder. */
export function loadFonts(dir: string = fontsDir()): FontSet {
  const key = path.resolve(dir);
  const cached = cache.get(key);
  if (cached !== undefined) return cached;
  const load = (k: FontKey): LoadedFont => {
    const file = path.join(key, FONT_FILES[k]);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(readFileSync(file));
    } catch (err) {
      throw new Error(`Form font missing: ${file} (${(err as Error).message})`, { cause: err });
    }
    const face = fontkit.create(bytes);
    return {
      key: k,
      file,
      bytes,
      postscriptName: face.postscriptName ?? path.basename(file, '.ttf'),
      face,
      codePoints: new Set(face.characterSet),
    };
  };
  const set: FontSet = { regular: load('regular'), bold: load('bold'), italic: load('italic') };
  cache.set(key, set);
  return set;
}

export function fontMeasurer(fonts: FontSet): TextMeasurer {
  const widths = new Map<string, number>();
  return {
    width(text, font, size) {
      if (text === '') return 0;
      const cacheKey = `${font}\u0000${text}`;
      let units = widths.get(cacheKey);
      if (units === undefined) {
        const face = fonts[font].face;
        units = 0;
        for (const glyph of face.layout(text).glyphs) units += glyph.advanceWidth;
        units = units / face.unitsPerEm;
        if (widths.size > 20_000) widths.clear();
        widths.set(cacheKey, units);
      }
      return units * size;
    },
    supports(codePoint, font) {
      return fonts[font].codePoints.has(codePoint);
    },
  };
}

const SVG_COMMAND = /([MLQCZ])([^MLQCZ]*)/gi;
const SVG_NUMBER = /-?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?/gi;

/**
 * The outline of `text` as SVG path data in points: origin at the start of the baseline, y
 * growing downwards. Used for marks that must look like text but not be extracted as text
 * (the training watermark).
 */
export function textOutline(fonts: FontSet, text: string, font: FontKey, size: number): { d: string; width: number } {
  const face = fonts[font].face;
  const scale = size / face.unitsPerEm;
  const run = face.layout(text.normalize('NFC'));
  const fmt = (n: number): string => String(Math.round(n * 100) / 100);
  const parts: string[] = [];
  let pen = 0;
  run.glyphs.forEach((glyph, i) => {
    const pos = run.positions[i];
    const ox = pen + (pos?.xOffset ?? 0);
    const oy = pos?.yOffset ?? 0;
    for (const m of glyph.path.toSVG().matchAll(SVG_COMMAND)) {
      const cmd = (m[1] ?? '').toUpperCase();
      const nums = [...(m[2] ?? '').matchAll(SVG_NUMBER)].map((n) => Number(n[0]));
      const coords = nums.map((v, j) => (j % 2 === 0 ? fmt((ox + v) * scale) : fmt(-(oy + v) * scale)));
      parts.push(cmd + coords.join(' '));
    }
    pen += pos?.xAdvance ?? glyph.advanceWidth;
  });
  return { d: parts.join(''), width: pen * scale };
}

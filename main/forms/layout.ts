import type { FontKey, TextMeasurer } from './fonts';

/**
 * A small flow layout engine for the printed forms. It produces, per page, a list of drawing
 * operations in "top-down" page coordinates (points, origin at the top-left corner, y grows
 * downwards); `pdf.ts` turns them into PDF content. Keeping layout separate from PDF writing
 * lets the page count be known before anything is drawn (footers "page x of y") and keeps the
 * layout testable with a fake measurer.
 */

export interface Rgb {
  r: number;
  g: number;
  b: number;
}

export const BLACK: Rgb = { r: 0, g: 0, b: 0 };

export type DrawOp =
  | {
      kind: 'text';
      x: number;
      /** Baseline, from the top of the page. */
      y: number;
      text: string;
      font: FontKey;
      size: number;
      color?: Rgb;
      /** Degrees, counter-clockwise, about (x, y). */
      rotate?: number;
      opacity?: number;
    }
  | { kind: 'line'; x1: number; y1: number; x2: number; y2: number; width: number; color?: Rgb }
  | {
      kind: 'rect';
      x: number;
      y: number;
      w: number;
      h: number;
      fill?: Rgb;
      stroke?: Rgb;
      lineWidth?: number;
      opacity?: number;
    }
  | { kind: 'qr'; x: number; y: number; size: number; text: string }
  | {
      kind: 'path';
      /** Origin of the SVG path data (y down), from the top-left of the page. */
      x: number;
      y: number;
      d: string;
      color?: Rgb;
      /** Degrees, counter-clockwise, about (x, y). */
      rotate?: number;
      opacity?: number;
    };

export interface PageGeometry {
  width: number;
  height: number;
  marginTop: number;
  marginBottom: number;
  marginLeft: number;
  marginRight: number;
}

/** A4 portrait; margins close to the administrative-document rules (left wider for binding). */
export const A4: PageGeometry = {
  width: 595.28,
  height: 841.89,
  marginTop: 36,
  marginBottom: 48,
  marginLeft: 70,
  marginRight: 45,
};

export interface Run {
  text: string;
  font: FontKey;
}

export interface LineSegment {
  text: string;
  font: FontKey;
  /** Offset from the line's start. */
  dx: number;
  width: number;
}

export interface Line {
  segments: LineSegment[];
  width: number;
  /** Indent of this line relative to the paragraph's left edge. */
  indent: number;
}

export interface WrapOptions {
  /** Indent of the first line. */
  firstIndent?: number;
  /** Indent of the following lines (hanging indent). */
  hangIndent?: number;
}

/** Line height and baseline position for a font size. */
export function lineHeight(size: number): number {
  return size * 1.4;
}

function baselineOffset(size: number): number {
  return size * 1.09;
}

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * Normalises text for drawing: NFC (precomposed Vietnamese letters, which the font has),
 * control characters and line breaks become spaces, and characters the font cannot draw become
 * "?" rather than an empty box.
 */
export function cleanText(text: string, font: FontKey, measurer: TextMeasurer): string {
  let out = '';
  for (const ch of text.normalize('NFC').replace(CONTROL, ' ')) {
    const cp = ch.codePointAt(0) ?? 0x3f;
    out += cp === 0x20 || measurer.supports(cp, font) ? ch : '?';
  }
  return out;
}

interface Token {
  text: string;
  font: FontKey;
  space: boolean;
}

function tokenize(runs: readonly Run[]): Token[] {
  const tokens: Token[] = [];
  for (const run of runs) {
    for (const piece of run.text.split(/( +)/)) {
      if (piece !== '') tokens.push({ text: piece, font: run.font, space: piece.startsWith(' ') });
    }
  }
  return tokens;
}

/** Splits a word that is wider than `avail` into pieces that fit (at least one character each). */
function splitLongWord(word: string, font: FontKey, size: number, avail: number, measurer: TextMeasurer): string[] {
  const pieces: string[] = [];
  let current = '';
  for (const ch of word) {
    if (current !== '' && measurer.width(current + ch, font, size) > avail) {
      pieces.push(current);
      current = ch;
    } else {
      current += ch;
    }
  }
  if (current !== '') pieces.push(current);
  return pieces;
}

/**
 * Greedy word wrap of styled runs into lines no wider than `width` (minus indents). Breaks at
 * spaces; a word longer than a whole line is broken between characters. Spaces at line breaks are
 * dropped. Always returns at least one line.
 */
export function wrapRuns(
  runs: readonly Run[],
  width: number,
  size: number,
  measurer: TextMeasurer,
  opts: WrapOptions = {},
): Line[] {
  const firstIndent = opts.firstIndent ?? 0;
  const hangIndent = opts.hangIndent ?? 0;
  const lines: Token[][] = [];
  let line: Token[] = [];
  let lineWidth = 0;
  let pendingSpace: Token | null = null;
  const avail = (): number => Math.max(1, width - (lines.length === 0 ? firstIndent : hangIndent));
  const wordWidth = (t: Token): number => measurer.width(t.text, t.font, size);

  const pushWord = (word: Token): void => {
    const w = wordWidth(word);
    const spaceW = pendingSpace !== null && line.length > 0 ? wordWidth(pendingSpace) : 0;
    if (line.length > 0 && lineWidth + spaceW + w > avail()) {
      lines.push(line);
      line = [];
      lineWidth = 0;
      pendingSpace = null;
    }
    if (line.length === 0 && w > avail()) {
      const pieces = splitLongWord(word.text, word.font, size, avail(), measurer);
      pieces.forEach((piece, i) => {
        const t = { text: piece, font: word.font, space: false };
        if (i < pieces.length - 1) {
          lines.push([t]);
        } else {
          line = [t];
          lineWidth = wordWidth(t);
        }
      });
      pendingSpace = null;
      return;
    }
    if (pendingSpace !== null && line.length > 0) {
      line.push(pendingSpace);
      lineWidth += spaceW;
    }
    pendingSpace = null;
    line.push(word);
    lineWidth += w;
  };

  for (const token of tokenize(runs)) {
    if (token.space) pendingSpace = token;
    else pushWord(token);
  }
  if (line.length > 0 || lines.length === 0) lines.push(line);

  return lines.map((tokens, i) => {
    const segments: LineSegment[] = [];
    let dx = 0;
    let i0 = 0;
    while (i0 < tokens.length) {
      const font = tokens[i0]!.font;
      let text = '';
      let j = i0;
      while (j < tokens.length && tokens[j]!.font === font) text += tokens[j++]!.text;
      const w = measurer.width(text, font, size);
      segments.push({ text, font, dx, width: w });
      dx += w;
      i0 = j;
    }
    return { segments, width: dx, indent: i === 0 ? firstIndent : hangIndent };
  });
}

export type Align = 'left' | 'center' | 'right';

export interface ParagraphStyle {
  size: number;
  align?: Align;
  color?: Rgb;
  firstIndent?: number;
  hangIndent?: number;
  /** Extra space after the paragraph. */
  after?: number;
  /** Override line height. */
  leading?: number;
}

/** Draws wrapped lines into an op list from `top`; returns the height used. */
function drawLines(
  ops: DrawOp[] | null,
  lines: readonly Line[],
  x: number,
  width: number,
  top: number,
  style: ParagraphStyle,
): number {
  const lh = style.leading ?? lineHeight(style.size);
  let y = top;
  for (const line of lines) {
    if (ops !== null) {
      const align = style.align ?? 'left';
      const room = width - line.indent;
      const start =
        x + line.indent + (align === 'center' ? (room - line.width) / 2 : align === 'right' ? room - line.width : 0);
      for (const seg of line.segments) {
        const text = seg.text;
        if (text.trim() === '') continue;
        ops.push({
          kind: 'text',
          x: start + seg.dx,
          y: y + baselineOffset(style.size),
          text,
          font: seg.font,
          size: style.size,
          ...(style.color ? { color: style.color } : {}),
        });
      }
    }
    y += lh;
  }
  return y - top;
}

/**
 * A fixed region (a column) of the current page: draws paragraphs top-down without page
 * breaks. With `ops` null it only measures.
 */
export class Column {
  y: number;
  constructor(
    private readonly measurer: TextMeasurer,
    private readonly ops: DrawOp[] | null,
    readonly x: number,
    readonly width: number,
    top: number,
  ) {
    this.y = top;
  }

  clean(text: string, font: FontKey): string {
    return cleanText(text, font, this.measurer);
  }

  paragraph(runs: Run | readonly Run[], style: ParagraphStyle): this {
    const list = (Array.isArray(runs) ? runs : [runs]) as readonly Run[];
    const cleaned = list.map((r) => ({ text: cleanText(r.text, r.font, this.measurer), font: r.font }));
    const lines = wrapRuns(cleaned, this.width, style.size, this.measurer, style);
    this.y += drawLines(this.ops, lines, this.x, this.width, this.y, style) + (style.after ?? 0);
    return this;
  }

  space(h: number): this {
    this.y += h;
    return this;
  }

  /** A horizontal rule of `length`, centred in the column, at the current position. */
  rule(length: number, width = 0.6): this {
    if (this.ops !== null) {
      const x1 = this.x + (this.width - length) / 2;
      this.ops.push({ kind: 'line', x1, y1: this.y, x2: x1 + length, y2: this.y, width });
    }
    return this;
  }

  push(op: DrawOp): this {
    this.ops?.push(op);
    return this;
  }

  textWidth(text: string, font: FontKey, size: number): number {
    return this.measurer.width(cleanText(text, font, this.measurer), font, size);
  }
}

export interface TableColumn {
  /** Width in points; one column may be `'fill'` to take the rest. */
  width: number | 'fill';
  align?: Align;
}

export interface TableCell {
  text: string;
  font?: FontKey;
}

export interface TableOptions {
  size: number;
  headerSize?: number;
  padX?: number;
  padY?: number;
  /** Called on each new page before the repeated header row (e.g. "continued" caption). */
  onContinue?: (flow: Flow) => void;
}

/** A block drawn into a fixed region: measured first, then drawn where it fits. */
export type BlockPainter = (col: Column) => void;

/**
 * The page flow: a cursor moving down the pages, adding a page when content does not fit.
 */
export class Flow {
  readonly pages: DrawOp[][] = [[]];
  y: number;

  constructor(
    readonly measurer: TextMeasurer,
    readonly page: PageGeometry = A4,
  ) {
    this.y = page.marginTop;
  }

  get left(): number {
    return this.page.marginLeft;
  }

  get width(): number {
    return this.page.width - this.page.marginLeft - this.page.marginRight;
  }

  get bottom(): number {
    return this.page.height - this.page.marginBottom;
  }

  get ops(): DrawOp[] {
    return this.pages[this.pages.length - 1]!;
  }

  get pageIndex(): number {
    return this.pages.length - 1;
  }

  newPage(): void {
    this.pages.push([]);
    this.y = this.page.marginTop;
  }

  /** Starts a new page unless `height` more points fit on this one (never on an empty page). */
  ensure(height: number): void {
    if (this.y + height > this.bottom + 0.01 && this.y > this.page.marginTop) this.newPage();
  }

  space(h: number): void {
    this.y = Math.min(this.y + h, this.bottom);
  }

  /**
   * A paragraph across the full width; lines that do not fit go to the next page. Short
   * paragraphs (up to 3 lines, unless `keepLines` says otherwise) are not split.
   */
  paragraph(runs: Run | readonly Run[], style: ParagraphStyle, opts: { keepLines?: boolean } = {}): void {
    const list = (Array.isArray(runs) ? runs : [runs]) as readonly Run[];
    const cleaned = list.map((r) => ({ text: cleanText(r.text, r.font, this.measurer), font: r.font }));
    const lines = wrapRuns(cleaned, this.width, style.size, this.measurer, style);
    const lh = style.leading ?? lineHeight(style.size);
    if (opts.keepLines ?? lines.length <= 3) this.ensure(lh * lines.length);
    for (const line of lines) {
      this.ensure(lh);
      this.y += drawLines(this.ops, [line], this.left, this.width, this.y, style);
    }
    this.y += style.after ?? 0;
  }

  /** Height a block would take when painted into a region `width` wide. */
  measureBlock(width: number, paint: BlockPainter, x: number = this.left): number {
    const col = new Column(this.measurer, null, x, width, 0);
    paint(col);
    return col.y;
  }

  /**
   * Side-by-side blocks kept together on one page (header columns, signature row). Each entry is
   * a region [x offset from the left margin, width]; returns the height of the tallest.
   */
  row(
    blocks: ReadonlyArray<{ dx: number; width: number; paint: BlockPainter }>,
    opts: { keepTogether?: boolean; extra?: number } = {},
  ): number {
    const height = Math.max(0, ...blocks.map((b) => this.measureBlock(b.width, b.paint, this.left + b.dx)));
    if (opts.keepTogether !== false) this.ensure(height + (opts.extra ?? 0));
    for (const b of blocks) b.paint(new Column(this.measurer, this.ops, this.left + b.dx, b.width, this.y));
    this.y += height;
    return height;
  }

  /** A bordered table with a header row repeated on every page it spans. */
  table(
    columns: readonly TableColumn[],
    header: readonly TableCell[],
    rows: readonly (readonly TableCell[])[],
    opts: TableOptions,
  ): void {
    const padX = opts.padX ?? 4;
    const padY = opts.padY ?? 2.5;
    const headerSize = opts.headerSize ?? opts.size;
    const fixed = columns.reduce((s, c) => s + (c.width === 'fill' ? 0 : c.width), 0);
    const widths = columns.map((c) => (c.width === 'fill' ? Math.max(20, this.width - fixed) : c.width));
    const xs: number[] = [];
    widths.reduce((x, w) => (xs.push(x), x + w), this.left);

    const layoutRow = (cells: readonly TableCell[], size: number, defaultFont: FontKey) =>
      cells.map((cell, i) => {
        const font = cell.font ?? defaultFont;
        const text = cleanText(cell.text, font, this.measurer);
        return wrapRuns([{ text, font }], widths[i]! - 2 * padX, size, this.measurer);
      });
    const rowHeight = (cellLines: Line[][], size: number): number =>
      Math.max(...cellLines.map((l) => l.length)) * lineHeight(size) + 2 * padY;

    const paintRow = (
      cellLines: Line[][],
      size: number,
      height: number,
      aligns: readonly Align[],
      fill?: Rgb,
    ): void => {
      cellLines.forEach((lines, i) => {
        const x = xs[i]!;
        const w = widths[i]!;
        this.ops.push({
          kind: 'rect',
          x,
          y: this.y,
          w,
          h: height,
          stroke: BLACK,
          lineWidth: 0.5,
          ...(fill ? { fill } : {}),
        });
        const textHeight = lines.length * lineHeight(size);
        const top = fill ? this.y + (height - textHeight) / 2 : this.y + padY;
        drawLines(this.ops, lines, x + padX, w - 2 * padX, top, { size, align: aligns[i] ?? 'left' });
      });
      this.y += height;
    };

    const headerLines = layoutRow(header, headerSize, 'bold');
    const headerHeight = rowHeight(headerLines, headerSize);
    const headerAligns = columns.map(() => 'center' as const);
    const aligns = columns.map((c) => c.align ?? 'left');
    const grey: Rgb = { r: 0.92, g: 0.92, b: 0.92 };

    const bodyRows = rows.map((cells) => {
      const lines = layoutRow(cells, opts.size, 'regular');
      return { lines, height: rowHeight(lines, opts.size) };
    });
    this.ensure(headerHeight + (bodyRows[0]?.height ?? 0));
    paintRow(headerLines, headerSize, headerHeight, headerAligns, grey);
    for (const row of bodyRows) {
      if (this.y + row.height > this.bottom) {
        this.newPage();
        opts.onContinue?.(this);
        paintRow(headerLines, headerSize, headerHeight, headerAligns, grey);
      }
      paintRow(row.lines, opts.size, row.height, aligns);
    }
  }
}

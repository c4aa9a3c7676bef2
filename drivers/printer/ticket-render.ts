/**
 * Turns a `TicketDocument` into ESC/POS bytes for a paper width and text mode.
 *
 * Raster mode (the default, docs/domain.md §7): each text block is laid out by sharp's text renderer
 * (Pango) with the shipped Noto Sans at the paper's width, thresholded to 1 bit and sent with
 * `GS v 0`; runs of text blocks become one image. QR codes are always sent as the printer's own
 * `GS ( k` command (they hold ASCII, and the printer draws them sharper than a scaled bitmap).
 * Code page mode sends text with `ESC t n` + CP1258 and the printer's own fonts and sizes.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import sharp from 'sharp';
import { EscPos, PAPER_DOTS, type MonoBitmap, type PaperWidth } from './escpos';
import type { QueueTicketData, TicketBlock, TicketDocument, TicketTextMode } from './ticket-printer.port';

export interface RenderOptions {
  paper: PaperWidth;
  text?: TicketTextMode;
  /** Folder holding NotoSans-Regular.ttf and NotoSans-Bold.ttf; default: the shipped resources/fonts. */
  fontDir?: string;
}

/** Pixel heights of the three text sizes at 203 dpi. */
const FONT_PX = { normal: 24, large: 40, huge: 96 } as const;
const MARGIN_DOTS = 8;

/** Where Noto Sans is looked for: the packaged resources, the source tree, then Debian's fonts-noto-core. */
function fontDirs(): string[] {
  const dirs: string[] = [];
  if (process.env.MOTCUA_RESOURCES_DIR) dirs.push(join(process.env.MOTCUA_RESOURCES_DIR, 'fonts'));
  dirs.push(join(import.meta.dirname, '..', '..', 'resources', 'fonts'), '/usr/share/fonts/truetype/noto');
  return dirs;
}

function defaultFontDir(): string {
  const dirs = fontDirs();
  const found = dirs.find(
    (d) => existsSync(join(d, 'NotoSans-Regular.ttf')) && existsSync(join(d, 'NotoSans-Bold.ttf')),
  );
  if (found === undefined) throw new Error(`Noto Sans not found in ${dirs.join(', ')}`);
  return found;
}

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

type TextBlock = Extract<TicketBlock, { kind: 'text' }>;

/** One text block as grey-level ink (0 = none, 255 = full) at most `maxWidth` wide, wrapped at words. */
async function renderText(
  block: TextBlock,
  maxWidth: number,
  fontDir: string,
): Promise<{ width: number; height: number; ink: Uint8Array }> {
  const px = FONT_PX[block.size ?? 'normal'];
  const bold = block.bold ?? block.size === 'huge';
  const { data, info } = await sharp({
    text: {
      text: `<span font_size="${px * 1024 * 0.75}">${escapeMarkup(block.text.normalize('NFC'))}</span>`,
      font: bold ? 'Noto Sans Bold' : 'Noto Sans',
      fontfile: join(fontDir, bold ? 'NotoSans-Bold.ttf' : 'NotoSans-Regular.ttf'),
      width: maxWidth,
      dpi: 96,
      align: block.align ?? 'left',
      wrap: 'word',
      rgba: true,
    },
  })
    .extractChannel(3)
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, ink: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}

/** Stacks text blocks into one 1-bit image of the paper's width. */
async function rasteriseText(blocks: TextBlock[], widthDots: number, fontDir: string): Promise<MonoBitmap> {
  const inner = widthDots - 2 * MARGIN_DOTS;
  const gap = 6;
  const parts = await Promise.all(blocks.map((b) => (b.text.trim() === '' ? null : renderText(b, inner, fontDir))));
  const heights = parts.map((p) => (p === null ? FONT_PX.normal : p.height));
  const height = heights.reduce((a, b) => a + b + gap, 0);
  const rowBytes = widthDots / 8;
  const data = new Uint8Array(rowBytes * height);
  let top = 0;
  parts.forEach((part, i) => {
    if (part !== null) {
      const align = blocks[i]!.align ?? 'left';
      const left =
        align === 'center'
          ? Math.floor((widthDots - part.width) / 2)
          : align === 'right'
            ? widthDots - MARGIN_DOTS - part.width
            : MARGIN_DOTS;
      for (let y = 0; y < part.height; y++) {
        for (let x = 0; x < part.width; x++) {
          if (part.ink[y * part.width + x]! >= 128) {
            const dx = left + x;
            if (dx >= 0 && dx < widthDots) data[(top + y) * rowBytes + (dx >> 3)]! |= 0x80 >> (dx & 7);
          }
        }
      }
    }
    top += heights[i]! + gap;
  });
  return { width: widthDots, height, data };
}

/** A full-width line of dots, `thickness` rows. */
function ruleBitmap(widthDots: number, thickness = 2): MonoBitmap {
  const rowBytes = widthDots / 8;
  const data = new Uint8Array(rowBytes * (thickness + 8));
  data.fill(0xff, 4 * rowBytes, (4 + thickness) * rowBytes);
  return { width: widthDots, height: thickness + 8, data };
}

const GS_SIZE: Record<NonNullable<TextBlock['size']>, [number, number]> = {
  normal: [1, 1],
  large: [2, 2],
  huge: [4, 4],
};

/** Encodes the ticket: initialise, blocks, feed, partial cut. */
export async function renderTicket(doc: TicketDocument, options: RenderOptions): Promise<Uint8Array> {
  if (doc.blocks.length === 0) throw new RangeError('a ticket needs at least one block');
  const widthDots = PAPER_DOTS[options.paper];
  if (widthDots === undefined) throw new RangeError(`paper width must be 58 or 80 mm, got ${String(options.paper)}`);
  const mode = options.text ?? { kind: 'raster' };
  const out = new EscPos().init();
  if (mode.kind === 'codepage') out.codePage(mode.codePage, mode.table);
  const fontDir = mode.kind === 'raster' ? (options.fontDir ?? defaultFontDir()) : '';
  let run: TextBlock[] = [];
  const flush = async () => {
    if (run.length === 0) return;
    out.align('left').raster(await rasteriseText(run, widthDots, fontDir));
    run = [];
  };
  for (const block of doc.blocks) {
    if (block.kind === 'text' && mode.kind === 'raster') {
      run.push(block);
      continue;
    }
    await flush();
    switch (block.kind) {
      case 'text': {
        const [w, h] = GS_SIZE[block.size ?? 'normal'];
        out
          .align(block.align ?? 'left')
          .size(w, h)
          .bold(block.bold ?? false)
          .line(block.text)
          .size(1, 1)
          .bold(false);
        break;
      }
      case 'qr':
        out
          .align('center')
          .qr(block.data, { moduleSize: block.moduleSize ?? (options.paper === 58 ? 5 : 6), errorCorrection: 'M' })
          .feed();
        break;
      case 'rule':
        if (mode.kind === 'raster') out.align('left').raster(ruleBitmap(widthDots));
        else out.align('left').line('-'.repeat(options.paper === 58 ? 32 : 48));
        break;
      case 'feed':
        out.feed(block.lines);
        break;
    }
  }
  await flush();
  return out.align('left').feed(4).cut({ partial: true }).bytes();
}

/** The queue ticket the kiosk prints: agency, service, the number large, time, people ahead, QR. */
export function queueTicketDocument(t: QueueTicketData): TicketDocument {
  const blocks: TicketBlock[] = [];
  if (t.agencyName) blocks.push({ kind: 'text', text: t.agencyName.toUpperCase(), align: 'center', bold: true });
  blocks.push(
    { kind: 'text', text: 'SỐ THỨ TỰ', align: 'center' },
    { kind: 'text', text: t.number, align: 'center', size: 'huge', bold: true },
    { kind: 'text', text: t.serviceName, align: 'center', size: 'large' },
    { kind: 'rule' },
    { kind: 'text', text: `Thời gian lấy số: ${t.issuedAt}`, align: 'left' },
    { kind: 'text', text: `Số người đang chờ trước bạn: ${t.peopleAhead}`, align: 'left' },
    { kind: 'qr', data: t.qr },
    { kind: 'text', text: 'Quét mã để theo dõi lượt gọi. Xin vui lòng chờ đến lượt.', align: 'center' },
  );
  return { blocks };
}

/** The test ticket IT staff print when setting up a printer: Vietnamese text of every kind, a QR code. */
export function testTicketDocument(info: {
  target: string;
  paper: PaperWidth;
  printedAt: string;
  mode: string;
}): TicketDocument {
  return {
    blocks: [
      { kind: 'text', text: 'PHIẾU IN THỬ', align: 'center', size: 'large', bold: true },
      { kind: 'text', text: 'Bộ phận tiếp nhận và trả kết quả', align: 'center' },
      { kind: 'text', text: 'A015', align: 'center', size: 'huge', bold: true },
      { kind: 'text', text: 'Chứng thực bản sao', align: 'center', size: 'large' },
      { kind: 'rule' },
      { kind: 'text', text: 'Mời ông Nguyễn Văn Dũng, bà Đặng Thị Ánh đến quầy số 2.' },
      {
        kind: 'text',
        text: 'ă â đ ê ô ơ ư · Á À Ả Ã Ạ · Ắ Ằ Ẳ Ẵ Ặ · Ấ Ầ Ẩ Ẫ Ậ · ế ề ể ễ ệ · ố ồ ổ ỗ ộ · ớ ờ ở ỡ ợ · ứ ừ ử ữ ự · ý ỳ ỷ ỹ ỵ',
      },
      { kind: 'text', text: 'Lệ phí: 10.000 ₫' },
      { kind: 'rule' },
      { kind: 'text', text: `Máy in: ${info.target}` },
      { kind: 'text', text: `Khổ giấy: ${info.paper} mm (${PAPER_DOTS[info.paper]} điểm) · Chữ: ${info.mode}` },
      { kind: 'text', text: `In lúc: ${info.printedAt}` },
      { kind: 'qr', data: `MOTCUA-DESK PRINTER TEST ${info.paper}MM` },
      { kind: 'text', text: 'Nếu đọc rõ các dấu tiếng Việt và quét được mã QR, máy in đã sẵn sàng.', align: 'center' },
    ],
  };
}

import sharp from 'sharp';
import { mulberry32 } from '../../../common/domain/seeded-random';
import { degradeScan } from './degrade';

/**
 * Administrative pages laid out the way real ones are, for orientation tests and the orientation
 * benchmark: a two-column header (agency and number on the left, the national motto on the right),
 * a centred title, body paragraphs, short form lines, a ruled table, a signature block with a big
 * round stamp, the "Nơi nhận" list in small type. Pages with few lines and a lot of white are
 * where line-shape heuristics go wrong, so several layouts are mostly empty or put their heaviest
 * element (a heading, a stamp) where a heuristic does not expect it.
 *
 * Rendered from SVG (fonts from the system: `fc-list`), optionally skewed, fed turned by a quarter
 * turn, then damaged like a cheap scan. Deterministic for the same options on the same machine.
 */

export const ADMIN_LAYOUTS = [
  'decision',
  'form',
  'sparse',
  'table',
  'headingBottom',
  'signatureOnly',
  'shortList',
] as const;
export type AdminLayout = (typeof ADMIN_LAYOUTS)[number];

export type ScanCondition = 'clean' | 'noisy' | 'blurred' | 'skewed' | 'lowContrast' | 'speckled';

export interface AdminPageOptions {
  layout: AdminLayout;
  /** Varies names, numbers and sentences (deterministic). */
  variant?: number;
  font?: string;
  dpi: number;
  /** The sheet was fed turned by this quarter turn (clockwise). */
  rotate?: 0 | 90 | 180 | 270;
  condition?: ScanCondition;
}

const BODY: readonly string[] = [
  'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015;',
  'Căn cứ Nghị định số 61/2018/NĐ-CP về thực hiện cơ chế một cửa, một cửa liên thông;',
  'Xét đề nghị của Trưởng phòng Tư pháp và hồ sơ công dân đã nộp đầy đủ, hợp lệ.',
  'Ủy ban nhân dân phường xác nhận ông Nguyễn Văn Hưởng, sinh ngày 14/02/1987, thường trú',
  'tại số 18 đường Lê Lợi, phường Thạch Thang, quận Hải Châu, thành phố Đà Nẵng.',
  'Người đề nghị chịu trách nhiệm trước pháp luật về tính chính xác của thông tin đã khai.',
  'Thời hạn giải quyết là năm ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ.',
  'Trường hợp hồ sơ chưa đầy đủ, cán bộ tiếp nhận hướng dẫn bổ sung một lần bằng văn bản.',
  'Lệ phí được thu theo Thông tư số 85/2019/TT-BTC và nộp vào ngân sách nhà nước.',
  'Quyết định này có hiệu lực kể từ ngày ký; các cơ quan, cá nhân có liên quan thi hành.',
  'Kết quả được trả tại Bộ phận một cửa hoặc qua dịch vụ bưu chính công ích.',
  'Giấy chứng nhận được cấp cho hộ gia đình ông Phạm Quốc Khánh và bà Lê Thị Ngọc Ánh.',
];

const PEOPLE = [
  'Nguyễn Thị Hồng Nhung',
  'Trần Văn Đức',
  'Lê Hoàng Phương Anh',
  'Phạm Quốc Bảo',
  'Võ Thị Ngọc Hân',
  'Đặng Minh Tuấn',
];
const TITLES = ['QUYẾT ĐỊNH', 'GIẤY XÁC NHẬN', 'THÔNG BÁO', 'GIẤY BIÊN NHẬN HỒ SƠ'];

interface Text {
  x: number;
  y: number;
  text: string;
  size: number;
  bold?: boolean;
  italic?: boolean;
  anchor?: 'start' | 'middle' | 'end';
}
interface Drawing {
  texts: Text[];
  shapes: string[];
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Page content in millimetres on A4 (210 × 297), y of a text is its baseline. */
function layout(kind: AdminLayout, variant: number): Drawing {
  const rand = mulberry32(1000 + variant * 31 + ADMIN_LAYOUTS.indexOf(kind));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const person = pick(PEOPLE);
  const texts: Text[] = [];
  const shapes: string[] = [];
  const header = (): number => {
    texts.push({ x: 55, y: 22, text: 'ỦY BAN NHÂN DÂN', size: 12.5, anchor: 'middle' });
    texts.push({ x: 55, y: 28, text: 'PHƯỜNG HÒA THUẬN', size: 12.5, bold: true, anchor: 'middle' });
    texts.push({ x: 55, y: 37, text: `Số: ${100 + Math.floor(rand() * 800)}/QĐ-UBND`, size: 13, anchor: 'middle' });
    texts.push({ x: 145, y: 22, text: 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', size: 12, bold: true, anchor: 'middle' });
    texts.push({ x: 145, y: 28, text: 'Độc lập - Tự do - Hạnh phúc', size: 13, bold: true, anchor: 'middle' });
    shapes.push(line(122, 29.5, 168, 29.5));
    texts.push({
      x: 145,
      y: 37,
      text: `Đà Nẵng, ngày ${1 + Math.floor(rand() * 27)} tháng ${1 + Math.floor(rand() * 12)} năm 2024`,
      size: 13,
      italic: true,
      anchor: 'middle',
    });
    return 50;
  };
  const signature = (y: number, stampMm = 19): void => {
    texts.push({ x: 150, y, text: 'TM. ỦY BAN NHÂN DÂN', size: 13, bold: true, anchor: 'middle' });
    texts.push({ x: 150, y: y + 6, text: 'CHỦ TỊCH', size: 13, bold: true, anchor: 'middle' });
    const cx = 138;
    const cy = y + 24;
    shapes.push(
      `<g fill="none" stroke="#b01020" stroke-width="0.9"><circle cx="${cx}" cy="${cy}" r="${stampMm}"/><circle cx="${cx}" cy="${cy}" r="${stampMm * 0.8}"/></g>`,
    );
    shapes.push(
      `<text x="${cx}" y="${cy + 1.5}" font-size="4.2" font-weight="bold" text-anchor="middle" fill="#b01020">UBND PHƯỜNG</text>`,
    );
    shapes.push(
      `<path d="M ${cx - 8} ${cy + 6} c 6 -12, 12 10, 18 -4 s 8 8, 16 -6 s 4 10, 12 2" fill="none" stroke="#1a1a60" stroke-width="0.7"/>`,
    );
    texts.push({ x: 150, y: y + 50, text: person, size: 13, bold: true, anchor: 'middle' });
  };
  const body = (y: number, count: number, from = Math.floor(rand() * BODY.length)): number => {
    for (let i = 0; i < count; i++) {
      texts.push({ x: 25, y, text: BODY[(from + i) % BODY.length]!, size: 12 });
      y += 7;
    }
    return y;
  };
  switch (kind) {
    case 'decision': {
      let y = header();
      texts.push({ x: 105, y, text: pick(TITLES), size: 14, bold: true, anchor: 'middle' });
      texts.push({
        x: 105,
        y: y + 6.5,
        text: 'Về việc cấp giấy xác nhận tình trạng hôn nhân',
        size: 13,
        bold: true,
        anchor: 'middle',
      });
      y = body(y + 18, 7);
      texts.push({ x: 105, y: y + 3, text: 'QUYẾT ĐỊNH:', size: 13, bold: true, anchor: 'middle' });
      y = body(y + 12, 4);
      signature(y + 10);
      texts.push({ x: 25, y: y + 12, text: 'Nơi nhận:', size: 11, bold: true, italic: true });
      texts.push({ x: 25, y: y + 17, text: '- Như Điều 3;', size: 10 });
      texts.push({ x: 25, y: y + 21.5, text: '- Lưu: VT, TP.', size: 10 });
      break;
    }
    case 'form': {
      let y = header();
      texts.push({ x: 105, y, text: 'TỜ KHAI ĐĂNG KÝ THƯỜNG TRÚ', size: 14, bold: true, anchor: 'middle' });
      y += 14;
      for (const f of [
        `Họ và tên: ${person}`,
        'Ngày sinh: 12/03/1990',
        'Giới tính: Nữ',
        'Dân tộc: Kinh',
        `Số định danh: 0791${String(10_000_000 + variant * 7_654_321).slice(-8)}`,
        'Nghề nghiệp: Kế toán',
        'Nơi ở hiện tại: 47 Nguyễn Huệ',
      ]) {
        texts.push({ x: 25, y, text: f, size: 12.5 });
        shapes.push(dots(25 + f.length * 2.3, y, 185));
        y += 9;
      }
      texts.push({ x: 150, y: y + 12, text: 'Người khai', size: 13, bold: true, anchor: 'middle' });
      texts.push({ x: 150, y: y + 18, text: '(Ký, ghi rõ họ tên)', size: 11, italic: true, anchor: 'middle' });
      break;
    }
    case 'sparse': {
      texts.push({ x: 105, y: 40, text: pick(TITLES), size: 14, bold: true, anchor: 'middle' });
      body(58, 2);
      texts.push({ x: 150, y: 95, text: person, size: 13, bold: true, anchor: 'middle' });
      break;
    }
    case 'table': {
      let y = header();
      texts.push({ x: 105, y, text: 'DANH SÁCH HỒ SƠ ĐÃ TIẾP NHẬN', size: 14, bold: true, anchor: 'middle' });
      y += 10;
      const cols = [20, 32, 92, 130, 165, 190];
      const rows = 9;
      for (let r = 0; r <= rows; r++) shapes.push(line(cols[0]!, y + r * 9, cols[cols.length - 1]!, y + r * 9));
      for (const c of cols) shapes.push(line(c, y, c, y + rows * 9));
      const headings = ['TT', 'Họ và tên', 'Thủ tục', 'Ngày nhận', 'Ghi chú'];
      headings.forEach((h, i) => texts.push({ x: cols[i]! + 2, y: y + 6.3, text: h, size: 11, bold: true }));
      for (let r = 1; r < rows; r++) {
        const cells = [
          String(r),
          PEOPLE[(r + variant) % PEOPLE.length]!,
          r % 2 === 0 ? 'Khai sinh' : 'Thường trú',
          `${10 + r}/05/2024`,
          r % 3 === 0 ? 'Bổ sung' : '',
        ];
        cells.forEach((c, i) => texts.push({ x: cols[i]! + 2, y: y + r * 9 + 6.3, text: c, size: 11 }));
      }
      signature(y + rows * 9 + 14, 17);
      break;
    }
    case 'headingBottom': {
      // The end of a document: a few lines at the top, then a big bold heading low on the page.
      body(25, 3);
      texts.push({
        x: 105,
        y: 230,
        text: 'XÁC NHẬN CỦA CƠ QUAN CÓ THẨM QUYỀN',
        size: 16,
        bold: true,
        anchor: 'middle',
      });
      texts.push({ x: 105, y: 240, text: pick(PEOPLE), size: 14, bold: true, anchor: 'middle' });
      break;
    }
    case 'signatureOnly': {
      // The last sheet: two lines of text and a signature block with a large stamp.
      body(30, 2);
      signature(60, 22);
      break;
    }
    case 'shortList': {
      texts.push({ x: 25, y: 30, text: 'Hồ sơ gồm:', size: 13, bold: true });
      const items = [
        '- Tờ khai;',
        '- Bản sao giấy khai sinh;',
        '- Căn cước công dân;',
        '- Sổ hộ khẩu;',
        '- Ảnh 4x6;',
        '- Giấy ủy quyền.',
      ];
      items.forEach((t, i) => texts.push({ x: 30, y: 40 + i * 8, text: t, size: 12.5 }));
      texts.push({ x: 150, y: 110, text: 'Cán bộ tiếp nhận', size: 13, bold: true, anchor: 'middle' });
      break;
    }
  }
  return { texts, shapes };
}

function line(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2}" y2="${y2}" stroke="#151515" stroke-width="0.3"/>`;
}

function dots(x0: number, y: number, x1: number): string {
  return x1 - x0 < 5
    ? ''
    : `<line x1="${x0.toFixed(1)}" y1="${y}" x2="${x1}" y2="${y}" stroke="#151515" stroke-width="0.35" stroke-dasharray="0.35 1.2"/>`;
}

const CONDITIONS: Readonly<
  Record<
    ScanCondition,
    { blur?: number; noise?: number; specks?: number; skewDeg?: number; ink?: string; paper?: string; jpeg?: number }
  >
> = {
  clean: {},
  noisy: { noise: 16, blur: 0.5, jpeg: 60 },
  blurred: { blur: 1.2, noise: 6, jpeg: 70 },
  skewed: { skewDeg: 2.2, noise: 8, blur: 0.5, jpeg: 70 },
  lowContrast: { ink: '#7a7a7a', paper: '#d8d8d8', noise: 10, blur: 0.6, jpeg: 60 },
  speckled: { specks: 1500, noise: 8, jpeg: 70 },
};

/** A4 grey scan of the layout (PNG, or JPEG for the damaged conditions), dpi recorded. */
export async function renderAdminPage(o: AdminPageOptions): Promise<Uint8Array> {
  const c = CONDITIONS[o.condition ?? 'clean'];
  const width = Math.round((210 / 25.4) * o.dpi);
  const height = Math.round((297 / 25.4) * o.dpi);
  const font = o.font ?? 'Noto Sans';
  const ink = c.ink ?? '#141414';
  const drawing = layout(o.layout, o.variant ?? 0);
  const texts = drawing.texts.map(
    (t) =>
      `<text x="${t.x}" y="${t.y}" font-size="${(t.size * 25.4) / 72}"${t.bold === true ? ' font-weight="bold"' : ''}` +
      `${t.italic === true ? ' font-style="italic"' : ''}${t.anchor === undefined ? '' : ` text-anchor="${t.anchor}"`} fill="${ink}" xml:space="preserve">${escapeXml(t.text)}</text>`,
  );
  const skew =
    c.skewDeg === undefined ? '' : ` rotate(${(o.variant ?? 0) % 2 === 0 ? c.skewDeg : -c.skewDeg} 105 148.5)`;
  const shapes = c.ink === undefined ? drawing.shapes : drawing.shapes.map((s) => s.replace(/#151515|#1a1a60/g, ink));
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 210 297">` +
    `<rect width="210" height="297" fill="${c.paper ?? '#ffffff'}"/><g font-family="${font}" transform="${skew}">${texts.join('')}${shapes.join('')}</g></svg>`;
  let img = sharp(Buffer.from(svg), { density: 72 }).flatten({ background: '#ffffff' }).toColourspace('b-w');
  if ((o.rotate ?? 0) !== 0)
    img = sharp(await img.png().toBuffer())
      .rotate(o.rotate)
      .toColourspace('b-w');
  const png = new Uint8Array(await img.withMetadata({ density: o.dpi }).png({ compressionLevel: 3 }).toBuffer());
  if (o.condition === undefined || o.condition === 'clean') return png;
  return degradeScan(png, {
    ...(c.blur === undefined ? {} : { blur: c.blur }),
    ...(c.noise === undefined ? {} : { noise: c.noise }),
    ...(c.specks === undefined ? {} : { specks: c.specks }),
    jpegQuality: c.jpeg ?? 75,
    format: 'jpeg',
    seed: 50 + (o.variant ?? 0),
  });
}

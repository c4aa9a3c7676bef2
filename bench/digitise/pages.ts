import sharp from 'sharp';
import { degradeScan } from '../../main/digitise/testing/degrade';

/**
 * Benchmark pages: Vietnamese administrative prose (diacritics on most words) set in several
 * installed fonts, rendered from SVG at a given dpi as 8-bit grey, then optionally damaged the way
 * cheap scans are (skew, blur, grey noise, specks, a scanner-bed strip, JPEG). The reference text
 * is exactly what is drawn. Deterministic for the same options on the same machine.
 */

/** Fonts installed on the desk image (fonts-noto-core, fonts-dejavu, fonts-liberation). */
export const BENCH_FONTS = ['Noto Sans', 'Noto Serif', 'DejaVu Sans', 'Liberation Serif'] as const;

const SENTENCES: readonly string[] = [
  'Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015.',
  'Căn cứ Nghị định số 61/2018/NĐ-CP về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính.',
  'Xét đề nghị của Trưởng phòng Tư pháp và hồ sơ do công dân nộp tại Bộ phận tiếp nhận và trả kết quả.',
  'Ủy ban nhân dân phường xác nhận ông Nguyễn Văn Hưởng, sinh ngày 14/02/1987, thường trú tại số 18 đường Lê Lợi.',
  'Người đề nghị chịu trách nhiệm trước pháp luật về tính chính xác của các thông tin đã khai trong tờ khai.',
  'Hồ sơ gồm bản sao giấy khai sinh, căn cước công dân và giấy xác nhận tình trạng hôn nhân còn hiệu lực.',
  'Thời hạn giải quyết là năm ngày làm việc kể từ ngày nhận đủ hồ sơ hợp lệ theo quy định.',
  'Trường hợp hồ sơ chưa đầy đủ, cán bộ tiếp nhận hướng dẫn người nộp bổ sung một lần bằng văn bản.',
  'Lệ phí đăng ký được thu theo Thông tư số 85/2019/TT-BTC của Bộ Tài chính và nộp vào ngân sách nhà nước.',
  'Bà Trần Thị Diệu Hương được cấp bản trích lục khai sinh để bổ sung vào hồ sơ đăng ký thường trú.',
  'Quyết định này có hiệu lực kể từ ngày ký; các cơ quan, đơn vị và cá nhân có liên quan chịu trách nhiệm thi hành.',
  'Kết quả giải quyết được trả trực tiếp tại Bộ phận một cửa hoặc qua dịch vụ bưu chính công ích.',
  'Phòng Tài nguyên và Môi trường kiểm tra hiện trạng thửa đất số 245, tờ bản đồ số 12, diện tích 96,5 mét vuông.',
  'Đề nghị Chi cục Thuế khu vực xác định nghĩa vụ tài chính và thông báo cho người sử dụng đất.',
  'Giấy chứng nhận được cấp cho hộ gia đình ông Phạm Quốc Khánh và bà Lê Thị Ngọc Ánh.',
  'Sau khi thẩm định, hồ sơ đủ điều kiện được chuyển Chủ tịch Ủy ban nhân dân huyện xem xét, quyết định.',
  'Nơi nhận: như trên; lưu văn thư, bộ phận một cửa; đăng tải cổng dịch vụ công quốc gia.',
  'Công chức tư pháp – hộ tịch ghi vào sổ đăng ký và cấp bản chính cho người yêu cầu trong ngày.',
  'Người được ủy quyền phải xuất trình văn bản ủy quyền đã được chứng thực theo quy định của pháp luật.',
  'Mọi thắc mắc xin liên hệ số điện thoại đường dây nóng 0236 3821 456 trong giờ hành chính.',
];

const HEADINGS: readonly string[] = [
  'QUYẾT ĐỊNH VỀ VIỆC CẤP GIẤY XÁC NHẬN',
  'THÔNG BÁO KẾT QUẢ GIẢI QUYẾT HỒ SƠ',
  'GIẤY BIÊN NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ',
  'TỜ TRÌNH VỀ VIỆC THẨM ĐỊNH HỒ SƠ',
];

/** Greedy word wrap to at most `width` characters per line. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/u).filter((w) => w !== '')) {
    if (line === '') line = word;
    else if (line.length + 1 + word.length <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** The lines of page `n`: a heading and ~20 lines of prose chosen by `n` (a full page at 11 pt). */
export function pageLines(n: number, lineCount = 22): string[] {
  const lines = [HEADINGS[n % HEADINGS.length]!];
  let s = (n * 7) % SENTENCES.length;
  while (lines.length < lineCount) {
    lines.push(...wrap(SENTENCES[s % SENTENCES.length]!, 68));
    s++;
  }
  return lines.slice(0, lineCount);
}

export interface BenchPageOptions {
  lines: readonly string[];
  font: string;
  dpi: number;
  /** Content rotated by this many degrees (a crooked sheet), page size kept. */
  skewDeg?: number;
  fontSizePt?: number;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A4 grey PNG of the lines (dpi recorded in the file). */
export async function renderBenchPage(o: BenchPageOptions): Promise<Uint8Array> {
  const px = (mm: number): number => (mm / 25.4) * o.dpi;
  const width = Math.round(px(210));
  const height = Math.round(px(297));
  const fontPx = ((o.fontSizePt ?? 11) / 72) * o.dpi;
  const texts: string[] = [];
  let y = px(22) + fontPx;
  o.lines.forEach((line, i) => {
    const heading = i === 0;
    const x = heading ? width / 2 : px(22);
    texts.push(
      `<text x="${x.toFixed(1)}" y="${y.toFixed(1)}" font-family="${o.font}" font-size="${fontPx.toFixed(2)}"` +
        `${heading ? ' font-weight="bold" text-anchor="middle"' : ''} fill="#161616" xml:space="preserve">${escapeXml(line)}</text>`,
    );
    y += fontPx * (heading ? 2.2 : 1.55);
  });
  const rot =
    o.skewDeg === undefined || o.skewDeg === 0 ? '' : ` transform="rotate(${o.skewDeg} ${width / 2} ${height / 2})"`;
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">` +
    `<rect width="100%" height="100%" fill="#ffffff"/><g${rot}>${texts.join('')}</g></svg>`;
  const png = await sharp(Buffer.from(svg), { density: 72 })
    .flatten({ background: '#ffffff' })
    .toColourspace('b-w')
    .withMetadata({ density: o.dpi })
    .png({ compressionLevel: 3 })
    .toBuffer();
  return new Uint8Array(png);
}

export type Condition = 'clean' | 'degraded';

/** A generated page: what it says and its scan bytes. */
export interface BenchPage {
  id: string;
  reference: string;
  bytes: Uint8Array;
  dpi: number;
  font: string;
  condition: Condition;
  skewDeg: number;
}

/** Page `n` in `font` at `dpi`; 'degraded' adds skew in ±2°, blur, noise, specks, a bed strip, JPEG 60. */
export async function benchPage(n: number, font: string, dpi: number, condition: Condition): Promise<BenchPage> {
  const lines = pageLines(n);
  const skewDeg = condition === 'clean' ? 0 : Math.round(((((n * 37) % 9) - 4) / 2) * 10) / 10; // −2..+2 in 0.5° steps
  let bytes = await renderBenchPage({ lines, font, dpi, skewDeg });
  if (condition === 'degraded') {
    bytes = await degradeScan(bytes, {
      blur: dpi >= 300 ? 0.9 : 0.6,
      noise: 14,
      specks: 300,
      jpegQuality: 60,
      format: 'jpeg',
      seed: 100 + n,
      border: { left: Math.round(dpi / 8), top: Math.round(dpi / 12) },
    });
  }
  return {
    id: `${condition}-${dpi}-${font.replace(/\s+/g, '')}-${n}`,
    reference: lines.join('\n'),
    bytes,
    dpi,
    font,
    condition,
    skewDeg,
  };
}

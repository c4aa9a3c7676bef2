import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PDFDocument, PDFName, PDFString } from 'pdf-lib';
import QRCode from 'qrcode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReceiptData, RefusalData, SupplementData } from './form-data';
import { layoutReceipt, qrSquares, renderReceipt, renderRefusal, renderSupplementRequest } from './render';
import type { DrawOp } from './render';

let dir = '';
let counter = 0;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'motcua-forms-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function save(bytes: Uint8Array): string {
  const file = path.join(dir, `form-${++counter}.pdf`);
  writeFileSync(file, bytes);
  return file;
}

const run = (cmd: string, args: string[]): string => execFileSync(cmd, args, { encoding: 'utf8' });
const pdfText = (file: string, page?: number): string =>
  run('pdftotext', ['-layout', ...(page !== undefined ? ['-f', String(page), '-l', String(page)] : []), file, '-']);
const pageCount = (file: string): number => Number(/^Pages:\s+(\d+)/m.exec(run('pdfinfo', [file]))?.[1]);

const CODE = '000.00.12.H56-261120-0001';
const LOOKUP = `https://dichvucong.example.gov.vn/tra-cuu?ma=${CODE}`;

function receipt(overrides: Partial<ReceiptData> = {}): ReceiptData {
  return {
    agencyName: 'Ủy ban nhân dân phường Hải Châu',
    agencyId: '000.00.12.H56',
    dossierCode: CODE,
    applicant: {
      fullName: 'Nguyễn Thị Ánh Tuyết',
      idNumber: '048186001234',
      address: 'Số 12 đường Lê Duẩn, phường Hải Châu, thành phố Đà Nẵng',
      phone: '0905 123 456',
      email: 'anhtuyet@example.vn',
    },
    procedure: { code: '1.001193', name: 'Đăng ký khai sinh' },
    channelName: 'Trực tiếp',
    components: [
      { name: 'Tờ khai đăng ký khai sinh', originals: 1, copies: 0, sourceLabel: 'Giấy' },
      {
        name: 'Căn cước công dân của người đi đăng ký',
        originals: 0,
        copies: 0,
        sourceLabel: 'Tái sử dụng (Kho dữ liệu)',
      },
      { name: 'Giấy chứng sinh', originals: 1, copies: 1, sourceLabel: 'Số hóa tại bộ phận một cửa' },
    ],
    fees: [
      { name: 'Lệ phí đăng ký khai sinh', amount: 0 },
      { name: 'Phí cấp bản sao trích lục', amount: 30000 },
    ],
    totalFee: 30000,
    receivedAt: '2026-11-20T16:10',
    appointmentAt: '2026-11-26T16:10',
    collectAt: 'Bộ phận tiếp nhận và trả kết quả, 270 Trần Phú',
    officerName: 'Đặng Văn Dũng',
    lookupUrl: LOOKUP,
    training: false,
    ...overrides,
  };
}

const common = {
  agencyName: 'Ủy ban nhân dân xã Tân Hòa',
  agencyId: '000.00.12.H56',
  dossierCode: '000.00.12.H56-260305-0007',
  applicant: {
    fullName: 'Đặng Văn Dũng',
    idNumber: '079090001122',
    address: 'Thôn Phú Mỹ, xã Tân Hòa',
    phone: null,
    email: null,
  },
  procedure: { code: '1.001193', name: 'Đăng ký khai sinh' },
  training: false,
};

const supplement = (): SupplementData => ({
  ...common,
  missing: ['Giấy chứng sinh (bản chính)', 'Văn bản ủy quyền có chứng thực'],
  reason: 'Hồ sơ thiếu giấy chứng sinh; văn bản ủy quyền chưa được chứng thực.',
  requestedAt: '2026-03-05T09:05',
  officerName: 'Lê Thị Hồng Nhung',
  contact: 'Quầy số 3, điện thoại 0233 3821 456',
});

const refusal = (): RefusalData => ({
  ...common,
  reasons: [
    'Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã.',
    'Người nộp không phải người được ủy quyền hợp pháp.',
  ],
  refusedAt: '2026-02-07T14:30',
  officerName: 'Lê Thị Hồng Nhung',
});

/** Rows of `pdffonts` output (after the two header lines). */
function fontRows(file: string): { name: string; type: string; emb: string; sub: string; uni: string }[] {
  const lines = run('pdffonts', [file]).trimEnd().split('\n').slice(2);
  return lines.map((line) => {
    const cols = line.trim().split(/\s+/);
    // name type… encoding emb sub uni num gen: read from the right, the type may have spaces.
    const [uni, sub, emb] = cols.slice(-5, -2).reverse() as [string, string, string];
    return { name: cols[0] ?? '', type: cols.slice(1, -6).join(' '), emb, sub, uni };
  });
}

const STANDARD_14 = /^(?:[A-Z]{6}\+)?(Helvetica|Times|Courier|Symbol|ZapfDingbats)/;

describe('renderReceipt', () => {
  it('prints the dossier, applicant, times and fees as extractable Vietnamese text', async () => {
    const file = save(await renderReceipt(receipt()));
    const text = pdfText(file);
    expect(text).toContain('GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ');
    expect(text).toContain('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(text).toContain('Độc lập - Tự do - Hạnh phúc');
    expect(text).toContain(`Mã hồ sơ: ${CODE}`);
    expect(text).toContain('Nguyễn Thị Ánh Tuyết');
    expect(text).toContain('Đặng Văn Dũng');
    expect(text).toContain('048186001234');
    expect(text).toContain('Đăng ký khai sinh');
    expect(text).toContain('1.001193');
    expect(text).toContain('Thời gian tiếp nhận: 16 giờ 10 phút, ngày 20/11/2026');
    expect(text).toContain('Thời gian hẹn trả kết quả: 16 giờ 10 phút, ngày 26/11/2026');
    expect(text).toContain('26/11/2026');
    expect(text).toContain('Ngày 20 tháng 11 năm 2026');
    expect(text).toContain('30.000 đồng');
    expect(text).toMatch(/Tổng cộng:\s+30\.000 đồng/);
    expect(text).toContain('Tái sử dụng (Kho dữ liệu)');
    expect(text).toContain('Số hóa tại bộ phận một cửa');
    expect(text).toContain('Bộ phận tiếp nhận và trả kết quả, 270 Trần Phú');
    expect(text).toContain('NGƯỜI TIẾP NHẬN HỒ SƠ');
    expect(text).not.toContain('ĐÀO TẠO');
    expect(pageCount(file)).toBe(1);
  });

  it('embeds subset Noto Sans and no standard-14 font', async () => {
    const file = save(await renderReceipt(receipt()));
    const rows = fontRows(file);
    expect(rows.length).toBeGreaterThanOrEqual(2);
    for (const row of rows) {
      expect(row.name).toMatch(/^[A-Z]{6}\+NotoSans-(Regular|Bold|Italic)$/);
      expect(row.emb).toBe('yes');
      expect(row.sub).toBe('yes');
      expect(row.uni).toBe('yes');
      expect(row.name).not.toMatch(STANDARD_14);
      expect(row.type).not.toMatch(/Type 1/);
    }
  });

  it('continues a long components table on the next page, repeating the header', async () => {
    const components = Array.from({ length: 40 }, (_, i) => ({
      name: `Giấy tờ thành phần số ${String(i + 1).padStart(2, '0')}`,
      originals: 1,
      copies: i % 3,
      sourceLabel: ['Giấy', 'Tái sử dụng (Kho dữ liệu)', 'Số hóa tại bộ phận một cửa'][i % 3] ?? 'Giấy',
    }));
    const file = save(await renderReceipt(receipt({ components })));
    expect(pageCount(file)).toBe(2);
    const text = pdfText(file);
    for (const c of components) expect(text).toContain(c.name);
    const page2 = pdfText(file, 2);
    expect(page2).toContain('Thành phần hồ sơ (tiếp theo):');
    expect(page2).toMatch(/STT\s+Tên giấy tờ/);
    expect(page2).toContain('Trang 2/2');
    expect(page2).toContain('Giấy tờ thành phần số 40');
    expect(page2).toContain('NGƯỜI TIẾP NHẬN HỒ SƠ');
    expect(pdfText(file, 1)).toContain('Giấy tờ thành phần số 01');
  });

  it('prints "Không quy định thời hạn" when there is no appointment', async () => {
    const text = pdfText(save(await renderReceipt(receipt({ appointmentAt: null }))));
    expect(text).toContain('Thời gian hẹn trả kết quả: Không quy định thời hạn');
    expect(text).not.toContain('26/11/2026');
  });

  it('prints the empty-fee wording and placeholders for missing contacts', async () => {
    const text = pdfText(
      save(
        await renderReceipt(
          receipt({
            fees: [],
            totalFee: 0,
            applicant: { fullName: 'Trần Văn Ơn', idNumber: '001099012345', address: null, phone: null, email: null },
          }),
        ),
      ),
    );
    expect(text).toContain('Không thu phí, lệ phí.');
    expect(text).toMatch(/Địa chỉ: —/);
    expect(text).toContain('Trần Văn Ơn');
  });

  it('gives identical bytes for identical data, and different bytes for different data', async () => {
    const a = await renderReceipt(receipt());
    const b = await renderReceipt(receipt());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    const c = await renderReceipt(receipt({ dossierCode: '000.00.12.H56-261120-0002' }));
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
  });

  it('sets title, subject, producer, language and a creation date taken from the data', async () => {
    const bytes = await renderReceipt(receipt());
    const doc = await PDFDocument.load(bytes, { updateMetadata: false });
    expect(doc.getTitle()).toBe(`Giấy tiếp nhận hồ sơ và hẹn trả kết quả – ${CODE}`);
    expect(doc.getSubject()).toBe('Giấy tiếp nhận hồ sơ và hẹn trả kết quả');
    expect(doc.getProducer()).toBe('Một Cửa Desk');
    expect(doc.getAuthor()).toBe('Ủy ban nhân dân phường Hải Châu');
    // 16:10 in Vietnam (UTC+7) is 09:10 UTC.
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-11-20T09:10:00.000Z');
    expect(doc.getModificationDate()?.toISOString()).toBe('2026-11-20T09:10:00.000Z');
    const lang = doc.catalog.lookup(PDFName.of('Lang'));
    expect(lang instanceof PDFString ? lang.decodeText() : String(lang)).toBe('vi');
  });

  it('marks training forms on every page', async () => {
    const many = Array.from({ length: 40 }, (_, i) => ({
      name: `Giấy tờ ${i + 1}`,
      originals: 1,
      copies: 0,
      sourceLabel: 'Giấy',
    }));
    const file = save(await renderReceipt(receipt({ training: true, components: many })));
    const pages = pageCount(file);
    expect(pages).toBeGreaterThan(1);
    for (let p = 1; p <= pages; p++) expect(pdfText(file, p)).toContain('ĐÀO TẠO – KHÔNG CÓ GIÁ TRỊ');
    const doc = await PDFDocument.load(readFileSync(file), { updateMetadata: false });
    expect(doc.getTitle()).toMatch(/^ĐÀO TẠO – KHÔNG CÓ GIÁ TRỊ – Giấy tiếp nhận/);
    // The diagonal watermark is drawn as outlines: it does not break up the form's text.
    const text = pdfText(file, 1);
    expect(text).toContain('Nguyễn Thị Ánh Tuyết');
    expect(text.match(/ĐÀO TẠO/g)).toHaveLength(1);
  });

  it('rejects malformed times and amounts with the field name', async () => {
    await expect(renderReceipt(receipt({ receivedAt: '20/11/2026 16:10' }))).rejects.toThrow(/receivedAt/);
    await expect(renderReceipt(receipt({ appointmentAt: '2026-02-30T08:00' }))).rejects.toThrow(/appointmentAt/);
    await expect(renderReceipt(receipt({ totalFee: 12.5 }))).rejects.toThrow(/totalFee/);
    await expect(renderReceipt(receipt({ dossierCode: ' ' }))).rejects.toThrow(/dossierCode/);
  });
});

describe('receipt QR code', () => {
  type QrOp = Extract<DrawOp, { kind: 'qr' }>;
  function qrOp(d: ReceiptData): QrOp & { page: number } {
    const found = layoutReceipt(d).pages.flatMap((ops, i) =>
      ops.filter((op): op is QrOp => op.kind === 'qr').map((op) => ({ ...op, page: i + 1 })),
    );
    expect(found).toHaveLength(1);
    return found[0]!;
  }

  it('draws exactly the modules of the lookup text', () => {
    const op = qrOp(receipt());
    expect(op.text).toBe(LOOKUP);
    const layout = qrSquares(op.text, op.size);
    const expected = QRCode.create(LOOKUP, { errorCorrectionLevel: 'M' }).modules;
    expect(layout.modules).toBe(expected.size);
    const drawn = new Uint8Array(expected.size * expected.size);
    for (const s of layout.squares)
      drawn[Math.round(s.y / layout.moduleSize) * expected.size + Math.round(s.x / layout.moduleSize)] = 1;
    expect(Array.from(drawn)).toEqual(Array.from(expected.data));
  });

  const longLookup = `${LOOKUP}&nguon=giay-tiep-nhan&ghi-chu=${'x'.repeat(220)}`;

  it.each([
    ['a short lookup URL', LOOKUP],
    ['a long lookup URL', longLookup],
  ])(
    'renders the modules on the page (raster sampled at each module centre) with a clear quiet zone: %s',
    async (_label, lookupUrl) => {
      const d = receipt({ lookupUrl });
      const op = qrOp(d);
      const file = save(await renderReceipt(d));
      const dpi = 150;
      const prefix = path.join(dir, `raster-${++counter}`);
      execFileSync('pdftoppm', [
        '-r',
        String(dpi),
        '-gray',
        '-f',
        String(op.page),
        '-l',
        String(op.page),
        file,
        prefix,
      ]);
      const pgm = readFileSync(`${prefix}-${op.page}.pgm`);
      const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(pgm.subarray(0, 64).toString('latin1'));
      expect(header).not.toBeNull();
      const width = Number(header![1]);
      const offset = header![0].length;
      const px = (xPt: number, yPt: number): number =>
        pgm[offset + Math.floor((yPt * dpi) / 72) * width + Math.floor((xPt * dpi) / 72)]!;

      const matrix = QRCode.create(d.lookupUrl, { errorCorrectionLevel: 'M' }).modules;
      const ms = op.size / matrix.size;
      let mismatches = 0;
      for (let row = 0; row < matrix.size; row++) {
        for (let col = 0; col < matrix.size; col++) {
          const dark = px(op.x + (col + 0.5) * ms, op.y + (row + 0.5) * ms) < 128;
          if (dark !== (matrix.get(row, col) === 1)) mismatches++;
        }
      }
      expect(mismatches).toBe(0);
      for (let k = -4; k < matrix.size + 4; k++) {
        for (const [r, c] of [
          [-2.5, k],
          [matrix.size + 1.5, k],
          [k, -2.5],
          [k, matrix.size + 1.5],
        ] as const) {
          expect(px(op.x + (c + 0.5) * ms, op.y + (r + 0.5) * ms)).toBeGreaterThan(200);
        }
      }
    },
  );

  it('grows the symbol with the amount of data, within bounds', () => {
    const small = qrOp(receipt());
    const large = qrOp(receipt({ lookupUrl: longLookup }));
    expect(small.size).toBeGreaterThanOrEqual(72);
    expect(large.size).toBeGreaterThan(small.size);
    expect(large.size).toBeLessThanOrEqual(112);
  });

  it('rejects lookup text too long for a QR code', async () => {
    await expect(renderReceipt(receipt({ lookupUrl: 'x'.repeat(5000) }))).rejects.toThrow(
      /lookupUrl: cannot be encoded/,
    );
  });

  it('prints the dossier code under the QR code', async () => {
    const text = pdfText(save(await renderReceipt(receipt({ lookupUrl: CODE }))));
    expect(text.split(CODE).length - 1).toBeGreaterThanOrEqual(2);
    expect(text).toContain('Quét mã để tra cứu hồ sơ');
  });
});

describe('renderSupplementRequest', () => {
  it('lists the missing components, reason, contact and date', async () => {
    const file = save(await renderSupplementRequest(supplement()));
    const text = pdfText(file);
    expect(text).toContain('PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ');
    expect(text).toContain('Mã hồ sơ: 000.00.12.H56-260305-0007');
    expect(text).toContain('Đặng Văn Dũng');
    expect(text).toContain('Đăng ký khai sinh');
    expect(text).toContain('1. Giấy chứng sinh (bản chính)');
    expect(text).toContain('2. Văn bản ủy quyền có chứng thực');
    expect(text).toContain('Lý do: Hồ sơ thiếu giấy chứng sinh');
    expect(text).toContain('Lê Thị Hồng Nhung');
    expect(text).toContain('Quầy số 3, điện thoại 0233 3821 456');
    expect(text).toContain('Ủy ban nhân dân xã Tân Hòa đề nghị');
    expect(text).toContain('Ngày 05 tháng 3 năm 2026');
    expect(pageCount(file)).toBe(1);
    for (const row of fontRows(file)) expect(row.emb).toBe('yes');
  });

  it('is reproducible', async () => {
    const a = await renderSupplementRequest(supplement());
    const b = await renderSupplementRequest(supplement());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
  });
});

describe('renderRefusal', () => {
  it('lists the reasons, officer and date', async () => {
    const file = save(await renderRefusal(refusal()));
    const text = pdfText(file);
    expect(text).toContain('PHIẾU TỪ CHỐI TIẾP NHẬN, GIẢI QUYẾT HỒ SƠ');
    expect(text).toContain('Mã hồ sơ: 000.00.12.H56-260305-0007');
    expect(text).toContain('Đặng Văn Dũng');
    expect(text).toContain('Thôn Phú Mỹ, xã Tân Hòa');
    expect(text).toContain('1. Thủ tục không thuộc thẩm quyền giải quyết của Ủy ban nhân dân xã.');
    expect(text).toContain('2. Người nộp không phải người được ủy quyền hợp pháp.');
    expect(text).toContain('Lê Thị Hồng Nhung');
    expect(text).toContain('Ngày 07 tháng 02 năm 2026');
    const doc = await PDFDocument.load(await renderRefusal(refusal()), { updateMetadata: false });
    expect(doc.getCreationDate()?.toISOString()).toBe('2026-02-07T07:30:00.000Z');
    expect(doc.getProducer()).toBe('Một Cửa Desk');
  });

  it('accepts decomposed (NFD) input and prints it as the precomposed letters', async () => {
    const d = refusal();
    d.applicant = { ...d.applicant, fullName: 'Đặng Văn Dũng'.normalize('NFD') };
    const text = pdfText(save(await renderRefusal(d)));
    expect(text).toContain('Đặng Văn Dũng');
  });
});

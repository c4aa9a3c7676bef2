import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldVietnamese } from '../../common/domain';
import { renderFixturePage } from '../../drivers/testing';

/** The real `motcua-desk digitise` entry (tsx, real pipeline and OCR) on generated pages. */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'motcua-desk.mjs');
const META = [
  '--owner-id',
  '001203004567',
  '--owner-name',
  'Nguyễn Văn Dũng',
  '--doc-code',
  'KQ0010',
  '--doc-name',
  'Giấy chứng nhận kết hôn',
];

let dir: string;

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'digitise', ...args, '--data-dir', join(dir, 'no-store')], {
    encoding: 'utf8',
    timeout: 90_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function pdfText(file: string): string {
  return foldVietnamese(execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-digitise-e2e-'));
  const page = (text: string[]) => renderFixturePage({ text, dpi: 150, widthMm: 105, heightMm: 148, mode: 'gray' });
  writeFileSync(join(dir, 'one.png'), await page(['GIẤY CHỨNG NHẬN KẾT HÔN', '', 'Ủy ban nhân dân phường Bến Nghé']));
  const pdf = await PDFDocument.create();
  for (const text of [
    ['TRANG MỘT', '', 'Nơi đăng ký: phường Đống Đa, Hà Nội', 'Ngày đăng ký: 04/03/2001'],
    ['TRANG HAI', '', 'Nơi cư trú: phường Thủ Đức, TP Hồ Chí Minh', 'Người làm chứng: Trần Thị Mai'],
  ]) {
    const image = await pdf.embedPng(await page(text));
    const p = pdf.addPage([(105 / 25.4) * 72, (148 / 25.4) * 72]);
    p.drawImage(image, { x: 0, y: 0, width: p.getWidth(), height: p.getHeight() });
  }
  writeFileSync(join(dir, 'two.pdf'), await pdf.save());
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('motcua-desk digitise (real entry point)', () => {
  it('makes a searchable PDF from a PNG, with --json and --text-out', () => {
    const out = join(dir, 'one.pdf');
    const r = cli([
      '--in',
      join(dir, 'one.png'),
      ...META,
      '--permanent',
      '--dossier',
      '000.00.12.H56-250715-0001',
      '--out',
      out,
      '--text-out',
      join(dir, 'one.txt'),
      '--json',
      '--dpi',
      '150',
    ]);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as {
      out: string;
      pages: number;
      sizeBytes: number;
      textChars: number;
      blankPages: number;
      meanConfidence: number;
      seconds: number;
    };
    expect(summary).toMatchObject({ out, pages: 1, blankPages: 0 });
    expect(summary.sizeBytes).toBe(readFileSync(out).length);
    expect(summary.textChars).toBeGreaterThan(20);
    expect(summary.meanConfidence).toBeGreaterThan(50);
    expect(pdfText(out)).toMatch(/ben nghe/);
    expect(foldVietnamese(readFileSync(join(dir, 'one.txt'), 'utf8'))).toMatch(/ket hon/);
    expect(readFileSync(out).toString('latin1')).toContain('KQ0010');
  });

  it('makes one document of both pages of a PDF', () => {
    const out = join(dir, 'two-out.pdf');
    const r = cli(['--in', join(dir, 'two.pdf'), ...META, '--valid-until', '2030-12-31', '--out', out, '--dpi', '150']);
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/2 trang/);
    const info = execFileSync('pdfinfo', [out], { encoding: 'utf8' });
    expect(info).toMatch(/Pages:\s+2/);
    const text = pdfText(out);
    expect(text).toMatch(/dong da/);
    expect(text).toMatch(/thu duc/);
  });

  it('answers bad input with one line and exit 2, writing nothing (every case: digitise.command.test.ts)', () => {
    const out = join(dir, 'never.pdf');
    const r = cli(['--in', join(dir, 'missing.png'), ...META, '--permanent', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err.trim().split('\n')).toEqual([
      expect.stringMatching(/^Lỗi: không đọc được tệp đầu vào '.*missing\.png'/),
    ]);
    expect(r.out).toBe('');
    expect(existsSync(out)).toBe(false);
  });
});

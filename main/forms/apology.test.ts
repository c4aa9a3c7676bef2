import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ApologyData } from './form-data';
import { layoutApology, renderApology } from './render';

const dir = mkdtempSync(join(tmpdir(), 'motcua-form4-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function data(overrides: Partial<ApologyData> = {}): ApologyData {
  return {
    agencyName: 'UBND xã Hòa Bình',
    agencyId: '000.00.12.H56',
    dossierCode: '000.00.12.H56-261120-0001',
    applicant: {
      fullName: 'Nguyễn Thị Ánh Tuyết',
      idNumber: '001203004567',
      address: 'Thôn Đông, xã Hòa Bình',
      phone: null,
      email: null,
    },
    procedure: { code: '1.004873', name: 'Cấp Giấy xác nhận tình trạng hôn nhân' },
    training: false,
    receivedAt: '2026-11-20T09:00',
    previousAppointmentAt: '2026-11-25T09:00',
    newAppointmentAt: '2026-11-30T14:15',
    reason: 'Chờ kết quả xác minh của cơ quan đăng ký hộ tịch nơi cư trú trước đây',
    issuedAt: '2026-11-26T08:30',
    officerName: 'Trần Thị Thu Hà',
    ...overrides,
  };
}

function text(pdf: Uint8Array): string {
  const file = join(dir, `f-${Math.random().toString(36).slice(2)}.pdf`);
  writeFileSync(file, pdf);
  return execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

describe('form 4: Phiếu xin lỗi và hẹn lại ngày trả kết quả', () => {
  it('carries the Vietnamese wording, both dates, the reason and the applicant (pdftotext)', async () => {
    const t = text(await renderApology(data()));
    for (const expected of [
      'Mẫu số 04',
      'PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ',
      'Nguyễn Thị Ánh Tuyết',
      '000.00.12.H56-261120-0001',
      'Cấp Giấy xác nhận tình trạng hôn nhân',
      '09 giờ 00 phút, ngày 25/11/2026',
      '14 giờ 15 phút, ngày 30/11/2026',
      'UBND xã Hòa Bình xin lỗi Ông/Bà',
      'Chờ kết quả xác minh',
      'Mong nhận được sự thông cảm',
    ])
      expect(t).toContain(expected);
  });

  it('same data → same bytes; training mode marks it', async () => {
    const a = await renderApology(data());
    const b = await renderApology(data());
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(text(await renderApology(data({ training: true })))).toContain('ĐÀO TẠO');
  });

  it('refuses an empty reason and malformed times, naming the field', () => {
    expect(() => layoutApology(data({ reason: '  ' }))).toThrow(/reason/);
    expect(() => layoutApology(data({ newAppointmentAt: '30/11/2026' }))).toThrow(/newAppointmentAt/);
  });
});

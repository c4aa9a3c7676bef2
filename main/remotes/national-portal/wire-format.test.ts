import { describe, expect, it } from 'vitest';
import {
  Dossier,
  Procedure,
  type ApplicantKind,
  type Channel,
  type DossierComponent,
} from '../../../common/contract/schemas';
import { sampleDossier } from './dossier.fixture';
import {
  fromWireAgency,
  fromWireCitizen,
  fromWireDate,
  fromWireDateTime,
  fromWireDocument,
  fromWireProcedure,
  fromWireProcedureListItem,
  fromWireSector,
  toWireDateTimeSeconds,
  toWireProcedure,
  receptionStep,
  toWireDateTime,
  toWireDocument,
  toWireDossier,
  toWireProgressStep,
} from './wire-format';
import { WireDossierSchema, WireProcedureSchema, WireProgressStepSchema, type WireProcedure } from './wire-schemas';

const opts = { agencyId: '000.00.12.H56', receivingUnit: 'Phòng Hành chính tư pháp' };

function component(overrides: Partial<DossierComponent>): DossierComponent {
  return {
    componentCode: 'TPX',
    name: 'Thành phần',
    documentCode: null,
    originals: 1,
    copies: 0,
    source: 'paper',
    reusedDocumentId: null,
    consentAt: null,
    digitisedDocumentId: null,
    ...overrides,
  };
}

describe('toWireDossier', () => {
  it('produces a record the wire schema accepts, from a dossier the contract accepts', () => {
    const d = sampleDossier();
    expect(Dossier.safeParse(d).success).toBe(true);
    const wire = toWireDossier(d, opts);
    expect(WireDossierSchema.parse(wire)).toEqual(wire);
    for (const [key, value] of Object.entries(wire)) {
      if (!Array.isArray(value)) expect(typeof value, key).toBe('string');
    }
  });

  it('maps the identity and the texts', () => {
    const wire = toWireDossier(sampleDossier(), { ...opts, sectorCode: 'G15-LL01', sectorName: 'Lý lịch tư pháp' });
    expect(wire).toMatchObject({
      MaHoSo: '000.00.12.H56-250715-0001',
      SoBienNhan: '000.00.12.H56-250715-0001',
      MaTTHC: '2.000488',
      TenTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
      MaLinhVuc: 'G15-LL01',
      TenLinhVuc: 'Lý lịch tư pháp',
      ChuHoSo: 'Nguyễn Văn Dũng',
      SoGiayToChuHoSo: '001203004567',
      Email: 'dung.nv@example.vn',
      SoDienThoai: '0912345678',
      TrichYeuHoSo: 'Cấp Phiếu lý lịch tư pháp số 1',
      DonViXuLy: 'Phòng Hành chính tư pháp',
      TaiKhoanDuocXacThucVoiVNeID: '1',
      NgayKetThucXuLy: '',
      DinhDanhCHS: [{ LoaiDinhDanh: '1', SoDinhDanh: '001203004567' }],
    });
  });

  it.each<[Channel, string]>([
    ['walk-in', '1'],
    ['online', '2'],
    ['post', '3'],
  ])('channel %s → KenhThucHien %s', (channel, code) => {
    expect(toWireDossier(sampleDossier({ channel }), opts).KenhThucHien).toBe(code);
  });

  it.each<[ApplicantKind, string]>([
    ['citizen', '1'],
    ['enterprise', '2'],
    ['agency', '3'],
    ['organisation', '4'],
  ])('applicant kind %s → LoaiDoiTuong %s', (kind, code) => {
    const d = sampleDossier();
    expect(toWireDossier({ ...d, applicant: { ...d.applicant, kind } }, opts).LoaiDoiTuong).toBe(code);
  });

  it.each<['desk' | 'post', string]>([
    ['desk', '0'],
    ['post', '1'],
  ])('delivery %s → HinhThuc %s', (delivery, code) => {
    expect(toWireDossier(sampleDossier({ delivery }), opts).HinhThuc).toBe(code);
  });

  it.each([1, 2, 5, 9, 10])('status %i → TrangThaiHoSo as a string', (status) => {
    expect(toWireDossier(sampleDossier({ status }), opts).TrangThaiHoSo).toBe(String(status));
  });

  it.each<[string, string]>([
    ['2025-07-15T09:05', '20250715090500'],
    ['2025-12-31T23:59', '20251231235900'],
    ['2026-01-01T00:00', '20260101000000'],
  ])('local time %s → %s (Vietnam local, seconds 00)', (local, wire) => {
    expect(toWireDateTime(local)).toBe(wire);
    const w = toWireDossier(sampleDossier({ receivedAt: local }), opts);
    expect(w.NgayTiepNhan).toBe(wire);
    expect(w.NgayNopHoSo).toBe(wire);
  });

  it('sends an empty appointment date when the procedure has none', () => {
    expect(toWireDossier(sampleDossier({ appointmentAt: null }), opts).NgayHenTra).toBe('');
    expect(toWireDossier(sampleDossier(), opts).NgayHenTra).toBe('20250729160000');
  });

  it.each(['2025-07-15', '2025-07-15 09:05', '2025-07-15T9:05', ''])('rejects a malformed local time %j', (bad) => {
    expect(() => toWireDateTime(bad)).toThrow(RangeError);
  });

  it.each<
    [
      string,
      Partial<DossierComponent>,
      {
        DuocSoHoa: string;
        DuocTaiSuDung: string;
        DuocLayTuKhoDMQG: string;
        MaKetQuaThayThe: string;
        TepDinhKemId: string;
      },
    ]
  >([
    [
      'paper',
      { source: 'paper' },
      { DuocSoHoa: '0', DuocTaiSuDung: '0', DuocLayTuKhoDMQG: '0', MaKetQuaThayThe: '', TepDinhKemId: '' },
    ],
    // Not yet digitised: no file exists, so the portal must not count it (the station's update sets it).
    [
      'to digitise',
      { source: 'to-digitise' },
      { DuocSoHoa: '0', DuocTaiSuDung: '0', DuocLayTuKhoDMQG: '0', MaKetQuaThayThe: '', TepDinhKemId: '' },
    ],
    [
      'digitised',
      { source: 'to-digitise', digitisedDocumentId: 42 },
      { DuocSoHoa: '1', DuocTaiSuDung: '0', DuocLayTuKhoDMQG: '0', MaKetQuaThayThe: '', TepDinhKemId: '42' },
    ],
    [
      'reused from the national store',
      { source: 'reused', documentCode: 'KQ0003', reusedDocumentId: 'N:GT-0001-0003' },
      {
        DuocSoHoa: '0',
        DuocTaiSuDung: '1',
        DuocLayTuKhoDMQG: '1',
        MaKetQuaThayThe: 'KQ0003',
        TepDinhKemId: 'GT-0001-0003',
      },
    ],
    [
      'reused from the local store',
      { source: 'reused', documentCode: 'KQ0001', reusedDocumentId: 'L:7' },
      { DuocSoHoa: '0', DuocTaiSuDung: '1', DuocLayTuKhoDMQG: '0', MaKetQuaThayThe: 'KQ0001', TepDinhKemId: 'L:7' },
    ],
  ])('component %s → reuse flags', (_label, overrides, expected) => {
    const wire = toWireDossier(
      sampleDossier({ components: [component({ ...overrides, componentCode: 'TP09', name: 'Giấy tờ' })] }),
      opts,
    );
    expect(wire.TaiLieuNop).toEqual([
      { ...expected, TenTepDinhKem: 'Giấy tờ', IsDeleted: '0', MaThanhPhanHoSo: 'TP09', DuongDanTaiTepTin: '' },
    ]);
  });

  it.each<[string, DossierComponent[], string]>([
    ['no components', [], '0'],
    ['paper only', [component({ source: 'paper' })], '0'],
    ['reused only', [component({ source: 'reused', reusedDocumentId: 'N:1', documentCode: 'KQ0003' })], '0'],
    ['one still to digitise', [component({ source: 'paper' }), component({ source: 'to-digitise' })], '0'],
    [
      'one to digitise, done',
      [component({ source: 'paper' }), component({ source: 'to-digitise', digitisedDocumentId: 8 })],
      '1',
    ],
    ['one digitised', [component({ source: 'paper', digitisedDocumentId: 3 })], '1'],
  ])('HoSoCoThanhPhanSoHoa with %s → %s', (_label, components, flag) => {
    expect(toWireDossier(sampleDossier({ components }), opts).HoSoCoThanhPhanSoHoa).toBe(flag);
  });

  it('lists fees with integer VND prices as strings', () => {
    const wire = toWireDossier(
      sampleDossier({
        fees: [
          { code: 'LP01', name: 'Lệ phí cấp Phiếu lý lịch tư pháp', amount: 200000 },
          { code: 'P02', name: 'Phí cung cấp thông tin', amount: 0 },
        ],
      }),
      opts,
    );
    expect(wire.DanhSachLePhi).toEqual([
      {
        TenPhiLePhi: 'Lệ phí cấp Phiếu lý lịch tư pháp',
        MaPhiLePhi: 'LP01',
        HinhThucThu: '1',
        Gia: '200000',
        LoaiPhiLePhi: '2',
      },
      { TenPhiLePhi: 'Phí cung cấp thông tin', MaPhiLePhi: 'P02', HinhThucThu: '1', Gia: '0', LoaiPhiLePhi: '1' },
    ]);
  });

  it('identifies a citizen by the 12-digit ID and the old ID, an organisation by nothing', () => {
    const d = sampleDossier();
    expect(toWireDossier({ ...d, applicant: { ...d.applicant, oldIdNumber: '012345678' } }, opts).DinhDanhCHS).toEqual([
      { LoaiDinhDanh: '1', SoDinhDanh: '001203004567' },
      { LoaiDinhDanh: '2', SoDinhDanh: '012345678' },
    ]);
    expect(
      toWireDossier({ ...d, applicant: { ...d.applicant, kind: 'enterprise', idNumber: '0101234567' } }, opts)
        .DinhDanhCHS,
    ).toEqual([]);
  });

  it('falls back to the applicant contacts, then to empty strings', () => {
    const d = sampleDossier({ contactEmail: null, contactPhone: '0987654321' });
    const wire = toWireDossier({ ...d, applicant: { ...d.applicant, email: null, phone: null } }, opts);
    expect(wire.Email).toBe('');
    expect(wire.SoDienThoai).toBe('0987654321');
  });

  it('dates a refusal and a returned result from the history', () => {
    const d = sampleDossier({
      status: 3,
      history: [
        { at: '2025-07-15T09:05', status: 2, actor: 'Hoa', note: '' },
        { at: '2025-07-15T10:30', status: 3, actor: 'Hoa', note: 'Thiếu giấy tờ' },
      ],
    });
    const wire = toWireDossier(d, opts);
    expect(wire.NgayTuChoi).toBe('20250715103000');
    expect(wire.NgayTra).toBe('');
  });

  it('sets NgayKetThucXuLy when processing ended (status 9), else at the return (10), else empty', () => {
    const received = { at: '2025-07-15T09:05', status: 2, actor: 'Hoa', note: '' } as const;
    const processing = { at: '2025-07-16T08:00', status: 4, actor: 'Bình', note: '' } as const;
    const processed = { at: '2025-07-22T16:40', status: 9, actor: 'Bình', note: '' } as const;
    const returned = { at: '2025-07-23T09:10', status: 10, actor: 'Hoa', note: '' } as const;
    expect(toWireDossier(sampleDossier({ status: 4, history: [received, processing] }), opts).NgayKetThucXuLy).toBe('');
    const done = toWireDossier(
      sampleDossier({ status: 10, history: [received, processing, processed, returned] }),
      opts,
    );
    expect(done).toMatchObject({ NgayKetThucXuLy: '20250722164000', NgayTra: '20250723091000', TrangThaiHoSo: '10' });
    // On time for the portal = NgayKetThucXuLy ≤ NgayHenTra: both in the same format, so they compare as strings.
    expect(done.NgayKetThucXuLy <= done.NgayHenTra).toBe(true);
    expect(toWireDossier(sampleDossier({ status: 10, history: [received, returned] }), opts).NgayKetThucXuLy).toBe(
      '20250723091000',
    );
  });

  it('lists result documents with their code and link (the procedure code when the result has none)', () => {
    const wire = toWireDossier(sampleDossier({ status: 9 }), {
      ...opts,
      resultCode: 'KQ.G15.000031',
      results: [
        {
          name: 'Phiếu lý lịch tư pháp số 1',
          documentId: 'KQ-77',
          url: 'https://tinh.example/files/KQ-77',
          resultCode: null,
        },
        { name: 'Bản sao', documentId: 'KQ-78', url: null, resultCode: 'KQ0007', componentCode: 'TP02' },
      ],
    });
    expect(WireDossierSchema.parse(wire)).toEqual(wire);
    expect(wire.DanhSachGiayToKetQua).toEqual([
      {
        TenGiayTo: 'Phiếu lý lịch tư pháp số 1',
        MaThanhPhanHoSo: '',
        GiayToId: 'KQ-77',
        DuongDanTepTinKetQua: 'https://tinh.example/files/KQ-77',
        MaGiayToKetQua: 'KQ.G15.000031',
      },
      {
        TenGiayTo: 'Bản sao',
        MaThanhPhanHoSo: 'TP02',
        GiayToId: 'KQ-78',
        DuongDanTepTinKetQua: '',
        MaGiayToKetQua: 'KQ0007',
      },
    ]);
    expect(toWireDossier(sampleDossier(), opts).DanhSachGiayToKetQua).toEqual([]);
  });

  it('never sets both DuocSoHoa and DuocLayTuKhoDMQG on one component', () => {
    const components = [
      component({ source: 'reused', reusedDocumentId: 'N:GT-1', documentCode: 'KQ0003', digitisedDocumentId: 5 }),
      component({ source: 'to-digitise', digitisedDocumentId: 6 }),
    ];
    const wire = toWireDossier(sampleDossier({ components }), opts);
    expect(wire.TaiLieuNop.map((f) => [f.DuocSoHoa, f.DuocTaiSuDung, f.DuocLayTuKhoDMQG])).toEqual([
      ['0', '1', '1'],
      ['1', '0', '0'],
    ]);
    expect(wire.HoSoCoThanhPhanSoHoa).toBe('1');
  });

  it('names the agency as the processing unit when no unit is configured', () => {
    expect(toWireDossier(sampleDossier(), { agencyId: '000.00.12.H56', receivingUnit: '' }).DonViXuLy).toBe(
      '000.00.12.H56',
    );
  });
});

describe('progress steps', () => {
  it('maps a step to CapNhatTienDoHoSoMC fields', () => {
    const wire = toWireProgressStep({
      dossierCode: '000.00.12.H56-250715-0001',
      handler: 'Trần Văn Bình',
      handlerTitle: 'Chuyên viên',
      at: '2025-07-16T14:20',
      department: 'Phòng Hành chính tư pháp',
      content: 'Thẩm định hồ sơ',
      status: 4,
      startedAt: '2025-07-16T08:00',
      dueAt: null,
    });
    expect(wire).toEqual({
      MaHoSo: '000.00.12.H56-250715-0001',
      NguoiXuLy: 'Trần Văn Bình',
      ChucDanh: 'Chuyên viên',
      ThoiDiemXuLy: '20250716142000',
      PhongBanXuLy: 'Phòng Hành chính tư pháp',
      NoiDungXuLy: 'Thẩm định hồ sơ',
      TrangThai: '4',
      NgayBatDau: '20250716080000',
      NgayKetThucTheoQuyDinh: '',
    });
    expect(WireProgressStepSchema.safeParse(wire).success).toBe(true);
  });

  it('builds the reception step from the dossier', () => {
    const wire = toWireProgressStep(
      receptionStep(sampleDossier(), { handlerTitle: 'Cán bộ một cửa', department: 'Bộ phận Một cửa' }),
    );
    expect(wire).toMatchObject({
      NguoiXuLy: 'Lê Thị Hoa',
      NoiDungXuLy: 'Tiếp nhận hồ sơ',
      TrangThai: '2',
      ThoiDiemXuLy: '20250715090500',
      NgayKetThucTheoQuyDinh: '20250729160000',
    });
  });
});

describe('national documents', () => {
  it('maps GetKetQuaGiayTo records to our shape and back', () => {
    const wire = {
      GiayToId: 'GT-1',
      MaKetQua: 'KQ0003',
      TenGiayTo: 'Căn cước công dân',
      SoKyHieu: '001203004567',
      CoQuanCap: 'Cục Cảnh sát QLHC về TTXH',
      NgayCap: '20210415',
      HieuLuc: '',
      DuongDan: 'https://dvc.example/files/GT-1',
    };
    const doc = fromWireDocument(wire);
    expect(doc).toEqual({
      nationalId: 'GT-1',
      documentCode: 'KQ0003',
      documentName: 'Căn cước công dân',
      number: '001203004567',
      issuer: 'Cục Cảnh sát QLHC về TTXH',
      issuedOn: '2021-04-15',
      validUntil: null,
      url: 'https://dvc.example/files/GT-1',
    });
    expect(toWireDocument(doc)).toEqual(wire);
  });

  it.each<[string, string | null]>([
    ['20280512', '2028-05-12'],
    ['20280512000000', '2028-05-12'],
    ['', null],
  ])('wire date %j → %j', (wire, local) => {
    expect(fromWireDate(wire)).toBe(local);
  });
});

describe('catalogue records (LayDanhSachTTHC / LayThuTuc / LayDanhMucCoQuan / LayDanhMucLinhVuc)', () => {
  const record: WireProcedure = {
    MATTHC: '2.000488',
    TENTTHC: 'Cấp Phiếu lý lịch tư pháp',
    MACOQUANCONGBO: 'G15',
    TRANGTHAI: '1',
    NGAYCAPNHAT: '20260110083005',
    NGAYHIEULUC: '20260201',
    CAPTHUCHIEN: 'Cấp tỉnh',
    LINHVUCTHUCHIEN: [{ MALINHVUC: 'G15-LL01', TENLINHVUC: 'Lý lịch tư pháp' }],
    CACHTHUCTHUCHIEN: [
      {
        KENH: '1',
        THOIGIAN: [
          {
            THOIGIANGIAIQUYET: '10',
            DONVITINH: 'Ngày làm việc',
            MOTA: '',
            PHILEPHI: [{ MAPHILEPHI: 'LP01', SOTIEN: '200000', DONVI: 'Đồng', MOTA: 'Lệ phí cấp phiếu' }],
          },
        ],
      },
      { KENH: '2', THOIGIAN: [{ THOIGIANGIAIQUYET: '0,5', DONVITINH: 'Ngày', MOTA: '', PHILEPHI: [] }] },
      { KENH: '3', THOIGIAN: [{ THOIGIANGIAIQUYET: '', DONVITINH: '', MOTA: 'Không quy định', PHILEPHI: [] }] },
    ],
    KETQUATHUCHIEN: [{ MAKETQUA: 'KQ.G15.000031', TENKETQUA: 'Phiếu lý lịch tư pháp số 1' }],
    COQUANTHUCHIEN: [{ MADONVI: '000.00.00.H56', TENDONVI: 'Sở Tư pháp' }],
    THANHPHANHOSO: [
      {
        MATHANHPHAN: 'TP02',
        TENTHANHPHAN: 'Căn cước công dân',
        MAGIAYTO: 'KQ0003',
        BATBUOC: '1',
        SOBANCHINH: '0',
        SOBANSAO: '1',
      },
    ],
    CANCUPHAPLY: [{ SOVANBAN: '28/2009/QH12', TENVANBAN: 'Luật Lý lịch tư pháp' }],
  };

  it('maps a procedure with its channels, units, fees, components and effective date', () => {
    const mapped = fromWireProcedure(WireProcedureSchema.parse(record), '2026-01-15');
    expect(Procedure.parse(mapped.procedure)).toEqual(mapped.procedure);
    expect(mapped).toMatchObject({
      active: true,
      updatedAt: '2026-01-10T08:30:05',
      effectiveFromAssumed: false,
      legalBasis: ['28/2009/QH12 — Luật Lý lịch tư pháp'],
    });
    expect(mapped.procedure).toMatchObject({
      code: '2.000488',
      sectorCode: 'G15-LL01',
      level: 'Cấp tỉnh',
      agencyName: 'Sở Tư pháp',
      resultCode: 'KQ.G15.000031',
      cutoff: null,
      effectiveFrom: '2026-02-01',
    });
    expect(mapped.procedure.channels).toEqual([
      {
        channel: 'walk-in',
        duration: 10,
        unit: 'working-days',
        fees: [{ code: 'LP01', name: 'Lệ phí cấp phiếu', amount: 200000 }],
      },
      { channel: 'online', duration: 0.5, unit: 'calendar-days', fees: [] },
      { channel: 'post', duration: null, unit: 'none', fees: [] },
    ]);
    expect(mapped.procedure.components).toEqual([
      { code: 'TP02', name: 'Căn cước công dân', documentCode: 'KQ0003', required: true, originals: 0, copies: 1 },
    ]);
  });

  it('takes the pull date as the effective date when the record has none', () => {
    const mapped = fromWireProcedure({ ...record, NGAYHIEULUC: '' }, '2026-01-15');
    expect(mapped).toMatchObject({ effectiveFromAssumed: true, procedure: { effectiveFrom: '2026-01-15' } });
  });

  it('refuses units and durations it cannot read instead of guessing', () => {
    const withUnit = (DONVITINH: string, THOIGIANGIAIQUYET = '3'): WireProcedure => ({
      ...record,
      CACHTHUCTHUCHIEN: [{ KENH: '1', THOIGIAN: [{ THOIGIANGIAIQUYET, DONVITINH, MOTA: '', PHILEPHI: [] }] }],
    });
    expect(() => fromWireProcedure(withUnit('Tuần'), '2026-01-15')).toThrow(RangeError);
    expect(() => fromWireProcedure(withUnit('Ngày', 'ba'), '2026-01-15')).toThrow(RangeError);
    expect(fromWireProcedure(withUnit('Giờ', '4'), '2026-01-15').procedure.channels[0]).toMatchObject({
      duration: 4,
      unit: 'hours',
    });
  });

  it('round-trips our procedure through the record the simulator serves', () => {
    const mapped = fromWireProcedure(record, '2026-01-15').procedure;
    const again = fromWireProcedure(
      WireProcedureSchema.parse(toWireProcedure(mapped, { updatedAt: '2026-01-10T08:30:05' })),
      '2026-01-15',
    ).procedure;
    expect(again).toEqual(mapped);
  });

  it('maps list items, agencies, sectors and citizens; dates stay Vietnam wall-clock strings', () => {
    expect(
      fromWireProcedureListItem({
        MATTHC: ' 1.001776 ',
        TENTTHC: 'X',
        MACOQUANCONGBO: 'G03',
        TRANGTHAI: '0',
        NGAYCAPNHAT: '20251231235959',
      }),
    ).toEqual({ code: '1.001776', name: 'X', publisherCode: 'G03', active: false, updatedAt: '2025-12-31T23:59:59' });
    expect(fromWireAgency({ MADONVI: '000.00.12.H56', TENDONVI: 'Sở Tư pháp', MADONVICHA: '000.00.00.H56' })).toEqual({
      code: '000.00.12.H56',
      name: 'Sở Tư pháp',
      parentCode: '000.00.00.H56',
    });
    expect(fromWireAgency({ MADONVI: '000.00.00.H56', TENDONVI: 'UBND tỉnh' }).parentCode).toBeNull();
    expect(fromWireSector({ MALINHVUC: 'G03-GD10', TENLINHVUC: 'Giáo dục' })).toEqual({
      code: 'G03-GD10',
      name: 'Giáo dục',
    });
    expect(fromWireCitizen({ HoVaTen: 'Nguyễn Văn A', DaXacThuc: '0' })).toEqual({
      found: true,
      fullName: 'Nguyễn Văn A',
      verified: false,
    });
    expect(fromWireCitizen(null)).toEqual({ found: false, fullName: null, verified: false });
    expect(toWireDateTimeSeconds('2026-02-01T07:05')).toBe('20260201070500');
    expect(fromWireDateTime('20260201070509')).toBe('2026-02-01T07:05:09');
    expect(() => fromWireDateTime('2026-02-01')).toThrow(RangeError);
  });
});

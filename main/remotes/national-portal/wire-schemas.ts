import { z } from 'zod';

/**
 * The national portal's wire records (docs/domain.md §4) as zod schemas; the TypeScript types are
 * inferred from them. Every value is a string. Field names are the portal's own and stay inside
 * `main/remotes/`.
 */

/** `yyyyMMddHHmmss`, Vietnam local time. */
export const WireDateTime = z.string().regex(/^\d{14}$/, 'yyyyMMddHHmmss');
/** `yyyyMMddHHmmss` or '' when there is no date. */
export const WireOptionalDateTime = z.string().regex(/^(\d{14})?$/, "yyyyMMddHHmmss or ''");
/** `yyyyMMdd` or ''. */
export const WireOptionalDate = z.string().regex(/^(\d{8})?$/, "yyyyMMdd or ''");

export const WireFlag = z.enum(['0', '1']);
export const WireStatus = z.enum(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
export const WireChannel = z.enum(['1', '2', '3']);
export const WireApplicantKind = z.enum(['1', '2', '3', '4']);

export const WireIdentity = z.object({
  /** "1" 12-digit personal ID, "2" old 9-digit ID (CMND). */
  LoaiDinhDanh: z.enum(['1', '2']),
  SoDinhDanh: z.string(),
});

export const WireSubmittedFile = z.object({
  TepDinhKemId: z.string(),
  TenTepDinhKem: z.string(),
  IsDeleted: WireFlag,
  MaThanhPhanHoSo: z.string(),
  DuongDanTaiTepTin: z.string(),
  DuocSoHoa: WireFlag,
  DuocTaiSuDung: WireFlag,
  DuocLayTuKhoDMQG: WireFlag,
  MaKetQuaThayThe: z.string(),
});
export type WireSubmittedFile = z.infer<typeof WireSubmittedFile>;

export const WireFee = z.object({
  TenPhiLePhi: z.string(),
  MaPhiLePhi: z.string(),
  HinhThucThu: z.string(),
  /** Integer VND as a string. */
  Gia: z.string().regex(/^\d+$/, 'integer VND'),
  LoaiPhiLePhi: z.string(),
});
export type WireFee = z.infer<typeof WireFee>;

export const WireOtherAttachment = z.object({
  TenGiayTo: z.string(),
  SoLuong: z.string(),
  LoaiGiayTo: z.string(),
});

export const WireSupplement = z.object({
  HoSoBoSungId: z.string(),
  NguoiYeuCauBoSung: z.string(),
  NoiDungBoSung: z.string(),
  NgayBoSung: WireOptionalDateTime,
  NguoiTiepNhanBoSung: z.string(),
  ThongTinTiepNhan: z.string(),
  NgayTiepNhanBoSung: WireOptionalDateTime,
  TrangThaiBoSung: z.string(),
  DanhSachGiayToBoSung: z.array(WireOtherAttachment),
  DanhSachLePhiBoSung: z.array(WireFee),
  NgayHenTraTruoc: WireOptionalDateTime,
  NgayHenTraMoi: WireOptionalDateTime,
});

export const WireResultDocument = z.object({
  TenGiayTo: z.string(),
  MaThanhPhanHoSo: z.string(),
  GiayToId: z.string(),
  DuongDanTepTinKetQua: z.string(),
  MaGiayToKetQua: z.string(),
});

export const WireDossierSchema = z.object({
  MaHoSo: z.string().min(1),
  MaTTHC: z.string().min(1),
  TenTTHC: z.string(),
  MaLinhVuc: z.string(),
  TenLinhVuc: z.string(),
  SoBienNhan: z.string(),
  KenhThucHien: WireChannel,
  ChuHoSo: z.string(),
  SoGiayToChuHoSo: z.string(),
  LoaiDoiTuong: WireApplicantKind,
  MaDoiTuong: z.string(),
  ThongTinKhac: z.string(),
  Email: z.string(),
  Fax: z.string(),
  SoDienThoai: z.string(),
  TrichYeuHoSo: z.string(),
  NgayTiepNhan: WireDateTime,
  NgayHenTra: WireOptionalDateTime,
  NgayNopHoSo: WireDateTime,
  TrangThaiHoSo: WireStatus,
  NgayTra: WireOptionalDateTime,
  ThongTinTra: z.string(),
  HinhThuc: WireFlag,
  NgayKetThucXuLy: WireOptionalDateTime,
  NgayTuChoi: WireOptionalDateTime,
  DonViXuLy: z.string(),
  GhiChu: z.string(),
  HoSoCoThanhPhanSoHoa: WireFlag,
  TaiKhoanDuocXacThucVoiVNeID: WireFlag,
  DuocThanhToanTrucTuyen: WireFlag,
  DinhDanhCHS: z.array(WireIdentity),
  TaiLieuNop: z.array(WireSubmittedFile),
  DanhSachLePhi: z.array(WireFee),
  DanhSachTepDinhKemKhac: z.array(WireOtherAttachment),
  DanhSachHoSoBoSung: z.array(WireSupplement),
  DanhSachGiayToKetQua: z.array(WireResultDocument),
});
export type WireDossier = z.infer<typeof WireDossierSchema>;

export const WireProgressStepSchema = z.object({
  MaHoSo: z.string().min(1),
  NguoiXuLy: z.string(),
  ChucDanh: z.string(),
  ThoiDiemXuLy: WireDateTime,
  PhongBanXuLy: z.string(),
  NoiDungXuLy: z.string(),
  TrangThai: WireStatus,
  NgayBatDau: WireDateTime,
  NgayKetThucTheoQuyDinh: WireOptionalDateTime,
});
export type WireProgressStep = z.infer<typeof WireProgressStepSchema>;

/** One result document in a person's national document store (GetKetQuaGiayTo). */
export const WireDocumentSchema = z.object({
  GiayToId: z.string().min(1),
  /** National document code, e.g. KQ0003. */
  MaKetQua: z.string(),
  TenGiayTo: z.string(),
  SoKyHieu: z.string(),
  CoQuanCap: z.string(),
  NgayCap: WireOptionalDate,
  /** Valid until, or '' when permanent. */
  HieuLuc: WireOptionalDate,
  DuongDan: z.string(),
});
export type WireDocument = z.infer<typeof WireDocumentSchema>;

/** `yyyyMMdd` or `yyyyMMddHHmmss`, or '' (catalogue dates). */
export const WireCatalogueDate = z.string().regex(/^(\d{8}|\d{14})?$/, "yyyyMMdd, yyyyMMddHHmmss or ''");

/** One line of LayDanhSachTTHC: enough to tell which procedures changed. */
export const WireProcedureListItemSchema = z.object({
  MATTHC: z.string().min(1),
  TENTTHC: z.string(),
  MACOQUANCONGBO: z.string(),
  /** "1" in force, "0" withdrawn. */
  TRANGTHAI: WireFlag,
  /** Last change of the record, `yyyyMMddHHmmss` (Vietnam time). */
  NGAYCAPNHAT: WireDateTime,
});
export type WireProcedureListItem = z.infer<typeof WireProcedureListItemSchema>;

const WireProcedureFee = z.object({
  MAPHILEPHI: z.string(),
  SOTIEN: z.string().regex(/^\d+$/, 'integer VND'),
  DONVI: z.string(),
  MOTA: z.string(),
});

/** The full procedure record (LayThuTuc); field names as the portal publishes them. */
export const WireProcedureSchema = z.object({
  MATTHC: z.string().min(1),
  TENTTHC: z.string().min(1),
  MACOQUANCONGBO: z.string(),
  TRANGTHAI: WireFlag,
  NGAYCAPNHAT: WireDateTime,
  /**
   * The date the record takes effect (`yyyyMMdd`); '' = at once. Not in every integration: when
   * absent or empty the desk treats the change as effective on the day it is pulled.
   */
  NGAYHIEULUC: WireCatalogueDate.optional(),
  /** Level (cấp thực hiện), e.g. "Cấp tỉnh", "Cấp xã". */
  CAPTHUCHIEN: z.string().optional(),
  LINHVUCTHUCHIEN: z.array(z.object({ MALINHVUC: z.string(), TENLINHVUC: z.string() })),
  CACHTHUCTHUCHIEN: z.array(
    z.object({
      KENH: WireChannel,
      THOIGIAN: z.array(
        z.object({
          /** A number (decimals allowed, "0,5" or "0.5"), or '' when there is no fixed time. */
          THOIGIANGIAIQUYET: z.string(),
          DONVITINH: z.string(),
          MOTA: z.string(),
          PHILEPHI: z.array(WireProcedureFee),
        }),
      ),
    }),
  ),
  KETQUATHUCHIEN: z.array(z.object({ MAKETQUA: z.string(), TENKETQUA: z.string() })),
  COQUANTHUCHIEN: z.array(z.object({ MADONVI: z.string(), TENDONVI: z.string() })),
  /** Components with their national document codes. */
  THANHPHANHOSO: z
    .array(
      z.object({
        MATHANHPHAN: z.string().min(1),
        TENTHANHPHAN: z.string(),
        /** National document code (KQ0003, ...) or ''. */
        MAGIAYTO: z.string(),
        BATBUOC: WireFlag,
        SOBANCHINH: z.string().regex(/^\d+$/),
        SOBANSAO: z.string().regex(/^\d+$/),
      }),
    )
    .optional(),
  CANCUPHAPLY: z.array(z.object({ SOVANBAN: z.string(), TENVANBAN: z.string() })).optional(),
});
export type WireProcedure = z.infer<typeof WireProcedureSchema>;

/** LayDanhMucCoQuan. */
export const WireAgencySchema = z.object({
  MADONVI: z.string().min(1),
  TENDONVI: z.string(),
  MADONVICHA: z.string().optional(),
});
export type WireAgency = z.infer<typeof WireAgencySchema>;

/** LayDanhMucLinhVuc. */
export const WireSectorSchema = z.object({
  MALINHVUC: z.string().min(1),
  TENLINHVUC: z.string(),
  MANGANH: z.string().optional(),
});
export type WireSector = z.infer<typeof WireSectorSchema>;

/** TraCuuTechID: the citizen's portal account, or null when there is none. */
export const WireCitizenSchema = z.object({
  SoDinhDanh: z.string().optional(),
  HoVaTen: z.string(),
  DaXacThuc: WireFlag,
});
export type WireCitizen = z.infer<typeof WireCitizenSchema>;

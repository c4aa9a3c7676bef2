import type { ApplicantKind, Channel, Dossier, DossierComponent, Fee } from '../../../common/contract/schemas';
import type { NationalDocument } from './national-portal.port';
import type { WireDocument, WireDossier, WireFee, WireProgressStep, WireSubmittedFile } from './wire-schemas';

/**
 * The one place that maps our model to the national portal's wire format and back.
 * Our times are Vietnam wall-clock strings (`YYYY-MM-DDTHH:mm`), the portal's are
 * `yyyyMMddHHmmss` in the same zone, so no time-zone arithmetic happens here.
 */

const CHANNEL_CODE: Record<Channel, WireDossier['KenhThucHien']> = { 'walk-in': '1', online: '2', post: '3' };
const APPLICANT_KIND_CODE: Record<ApplicantKind, WireDossier['LoaiDoiTuong']> = {
  citizen: '1',
  enterprise: '2',
  agency: '3',
  organisation: '4',
};
const DELIVERY_CODE: Record<Dossier['delivery'], WireDossier['HinhThuc']> = { desk: '0', post: '1' };

export function channelCode(channel: Channel): WireDossier['KenhThucHien'] {
  return CHANNEL_CODE[channel];
}

/** `YYYY-MM-DDTHH:mm` → `yyyyMMddHHmm00`. */
export function toWireDateTime(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!m) throw new RangeError(`not a local date-time (YYYY-MM-DDTHH:mm): ${local}`);
  return `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}00`;
}

/** Like `toWireDateTime`, with '' for no date. */
export function toWireOptionalDateTime(local: string | null): string {
  return local === null ? '' : toWireDateTime(local);
}

/** `YYYY-MM-DD` → `yyyyMMdd`, null → ''. */
export function toWireDate(local: string | null): string {
  if (local === null) return '';
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(local);
  if (!m) throw new RangeError(`not a local date (YYYY-MM-DD): ${local}`);
  return `${m[1]}${m[2]}${m[3]}`;
}

/** `yyyyMMdd` (or `yyyyMMddHHmmss`) → `YYYY-MM-DD`, '' → null. */
export function fromWireDate(wire: string): string | null {
  if (wire === '') return null;
  const m = /^(\d{4})(\d{2})(\d{2})(\d{6})?$/.exec(wire);
  if (!m) throw new RangeError(`not a wire date (yyyyMMdd): ${wire}`);
  return `${m[1]}-${m[2]}-${m[3]}`;
}

export interface WireDossierOptions {
  /** The receiving agency's electronic identifier (QCVN 102:2016), e.g. `000.00.12.H56`. */
  agencyId: string;
  /** The unit that will process the dossier (DonViXuLy); the agency id is sent when empty. */
  receivingUnit: string;
  /** The procedure's sector (MaLinhVuc / TenLinhVuc); the dossier itself does not carry it. */
  sectorCode?: string;
  sectorName?: string;
}

export function toWireDossier(d: Dossier, opts: WireDossierOptions): WireDossier {
  const components = d.components.map(toWireSubmittedFile);
  return {
    MaHoSo: d.code,
    MaTTHC: d.procedureCode,
    TenTTHC: d.procedureName,
    MaLinhVuc: opts.sectorCode ?? '',
    TenLinhVuc: opts.sectorName ?? '',
    SoBienNhan: d.code,
    KenhThucHien: CHANNEL_CODE[d.channel],
    ChuHoSo: d.applicant.fullName,
    SoGiayToChuHoSo: d.applicant.idNumber,
    LoaiDoiTuong: APPLICANT_KIND_CODE[d.applicant.kind],
    MaDoiTuong: d.applicant.idNumber,
    ThongTinKhac: '',
    Email: d.contactEmail ?? d.applicant.email ?? '',
    Fax: '',
    SoDienThoai: d.contactPhone ?? d.applicant.phone ?? '',
    TrichYeuHoSo: d.summary,
    NgayTiepNhan: toWireDateTime(d.receivedAt),
    NgayHenTra: toWireOptionalDateTime(d.appointmentAt),
    NgayNopHoSo: toWireDateTime(d.receivedAt),
    TrangThaiHoSo: statusCode(d.status),
    NgayTra: toWireOptionalDateTime(lastHistoryAt(d, 10)),
    ThongTinTra: '',
    HinhThuc: DELIVERY_CODE[d.delivery],
    NgayKetThucXuLy: '',
    NgayTuChoi: toWireOptionalDateTime(lastHistoryAt(d, 3)),
    DonViXuLy: opts.receivingUnit !== '' ? opts.receivingUnit : opts.agencyId,
    GhiChu: '',
    HoSoCoThanhPhanSoHoa: d.components.some(isDigitised) ? '1' : '0',
    TaiKhoanDuocXacThucVoiVNeID: d.applicant.portalVerified ? '1' : '0',
    DuocThanhToanTrucTuyen: '0',
    DinhDanhCHS: identities(d),
    TaiLieuNop: components,
    DanhSachLePhi: d.fees.map(toWireFee),
    DanhSachTepDinhKemKhac: [],
    DanhSachHoSoBoSung: [],
    DanhSachGiayToKetQua: [],
  };
}

function statusCode(status: number): WireDossier['TrangThaiHoSo'] {
  const code = String(status);
  const valid: readonly string[] = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];
  if (!valid.includes(code)) throw new RangeError(`dossier status out of range: ${status}`);
  return code as WireDossier['TrangThaiHoSo'];
}

function lastHistoryAt(d: Dossier, status: number): string | null {
  for (let i = d.history.length - 1; i >= 0; i--) {
    const entry = d.history[i]!;
    if (entry.status === status) return entry.at;
  }
  return null;
}

function isDigitised(c: DossierComponent): boolean {
  return c.source === 'to-digitise' || c.digitisedDocumentId !== null;
}

function identities(d: Dossier): WireDossier['DinhDanhCHS'] {
  if (d.applicant.kind !== 'citizen') return [];
  const list: WireDossier['DinhDanhCHS'] = [];
  if (/^\d{12}$/.test(d.applicant.idNumber)) list.push({ LoaiDinhDanh: '1', SoDinhDanh: d.applicant.idNumber });
  else if (/^\d{9}$/.test(d.applicant.idNumber)) list.push({ LoaiDinhDanh: '2', SoDinhDanh: d.applicant.idNumber });
  const old = d.applicant.oldIdNumber;
  if (old !== null && /^\d{9}$/.test(old) && old !== d.applicant.idNumber) list.push({ LoaiDinhDanh: '2', SoDinhDanh: old });
  return list;
}

function toWireSubmittedFile(c: DossierComponent): WireSubmittedFile {
  const reusedId = c.source === 'reused' ? c.reusedDocumentId : null;
  const reused = reusedId !== null;
  const fromNational = reusedId !== null && reusedId.startsWith('N:');
  let fileId = '';
  if (reusedId !== null) fileId = fromNational ? reusedId.slice(2) : reusedId;
  else if (c.digitisedDocumentId !== null) fileId = String(c.digitisedDocumentId);
  return {
    TepDinhKemId: fileId,
    TenTepDinhKem: c.name,
    IsDeleted: '0',
    MaThanhPhanHoSo: c.componentCode,
    DuongDanTaiTepTin: '',
    DuocSoHoa: !reused && isDigitised(c) ? '1' : '0',
    DuocTaiSuDung: reused ? '1' : '0',
    DuocLayTuKhoDMQG: fromNational ? '1' : '0',
    MaKetQuaThayThe: reused ? (c.documentCode ?? '') : '',
  };
}

/**
 * HinhThucThu "1" = collected directly at the desk (the desk collects every fee it records).
 * LoaiPhiLePhi "1" = phí (service charge), "2" = lệ phí (administrative fee); our fee record has
 * no kind, and Vietnamese fee names always start with the kind, so the name decides.
 */
function toWireFee(f: Fee): WireFee {
  return {
    TenPhiLePhi: f.name,
    MaPhiLePhi: f.code,
    HinhThucThu: '1',
    Gia: String(Math.round(f.amount)),
    LoaiPhiLePhi: /^\s*lệ phí/iu.test(f.name) ? '2' : '1',
  };
}

/** One step of the dossier's processing, in our terms. Times are `YYYY-MM-DDTHH:mm`. */
export interface ProgressStep {
  dossierCode: string;
  /** Who handled the step (NguoiXuLy). */
  handler: string;
  /** Their title (ChucDanh). */
  handlerTitle: string;
  /** When the step was done (ThoiDiemXuLy). */
  at: string;
  /** Department (PhongBanXuLy). */
  department: string;
  /** What was done (NoiDungXuLy), e.g. "Tiếp nhận hồ sơ". */
  content: string;
  /** Dossier status after the step, 1..10. */
  status: number;
  /** When the step started (NgayBatDau). */
  startedAt: string;
  /** Deadline of the step (NgayKetThucTheoQuyDinh); null = none. */
  dueAt: string | null;
}

export function toWireProgressStep(step: ProgressStep): WireProgressStep {
  return {
    MaHoSo: step.dossierCode,
    NguoiXuLy: step.handler,
    ChucDanh: step.handlerTitle,
    ThoiDiemXuLy: toWireDateTime(step.at),
    PhongBanXuLy: step.department,
    NoiDungXuLy: step.content,
    TrangThai: statusCode(step.status),
    NgayBatDau: toWireDateTime(step.startedAt),
    NgayKetThucTheoQuyDinh: toWireOptionalDateTime(step.dueAt),
  };
}

/** The first step every integration pushes: "Tiếp nhận hồ sơ" by the one-stop officer. */
export function receptionStep(d: Dossier, opts: { handlerTitle: string; department: string }): ProgressStep {
  return {
    dossierCode: d.code,
    handler: d.officer,
    handlerTitle: opts.handlerTitle,
    at: d.receivedAt,
    department: opts.department,
    content: 'Tiếp nhận hồ sơ',
    status: d.status,
    startedAt: d.receivedAt,
    dueAt: d.appointmentAt,
  };
}

export function fromWireDocument(w: WireDocument): NationalDocument {
  return {
    nationalId: w.GiayToId,
    documentCode: w.MaKetQua,
    documentName: w.TenGiayTo,
    number: w.SoKyHieu === '' ? null : w.SoKyHieu,
    issuer: w.CoQuanCap === '' ? null : w.CoQuanCap,
    issuedOn: fromWireDate(w.NgayCap),
    validUntil: fromWireDate(w.HieuLuc),
    url: w.DuongDan === '' ? null : w.DuongDan,
  };
}

export function toWireDocument(doc: NationalDocument): WireDocument {
  return {
    GiayToId: doc.nationalId,
    MaKetQua: doc.documentCode,
    TenGiayTo: doc.documentName,
    SoKyHieu: doc.number ?? '',
    CoQuanCap: doc.issuer ?? '',
    NgayCap: toWireDate(doc.issuedOn),
    HieuLuc: toWireDate(doc.validUntil),
    DuongDan: doc.url ?? '',
  };
}

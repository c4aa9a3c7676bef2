import type {
  ApplicantKind,
  Channel,
  ChannelTerms,
  Dossier,
  DossierComponent,
  DurationUnit,
  Fee,
  Procedure,
  ProcedureComponent,
} from '../../../common/contract/schemas';
import type {
  CitizenLookup,
  NationalAgency,
  NationalDocument,
  NationalProcedure,
  NationalSector,
  ProcedureListItem,
} from './national-portal.port';
import type {
  WireAgency,
  WireCitizen,
  WireDocument,
  WireDossier,
  WireFee,
  WireProcedure,
  WireProcedureListItem,
  WireProgressStep,
  WireSector,
  WireSubmittedFile,
} from './wire-schemas';

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
  sectorCode?: string | undefined;
  sectorName?: string | undefined;
  /**
   * Result documents of the dossier (DanhSachGiayToKetQua), once the processing unit produced
   * them. The portal counts a result as electronic only with a result code and a link, so a
   * result without a link is sent with an empty DuongDanTepTinKetQua (honest, not counted).
   */
  results?: ResultDocumentRef[];
  /** The procedure's national result code (e.g. `KQ.G15.000031`), for results that carry none. */
  resultCode?: string | null;
}

/** A result document as the desk holds it, for DanhSachGiayToKetQua. */
export interface ResultDocumentRef {
  name: string;
  /** Id of the result document (GiayToId). */
  documentId: string;
  /** Download link the portal can follow; null when there is none yet. */
  url: string | null;
  /** National result code (MaGiayToKetQua); null = the procedure's `resultCode`. */
  resultCode: string | null;
  /** The component the result replaces, when it does (MaThanhPhanHoSo). */
  componentCode?: string;
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
    // Processing ended when the unit finished (9); a dossier returned without a recorded 9 ended at 10.
    NgayKetThucXuLy: toWireOptionalDateTime(lastHistoryAt(d, 9) ?? lastHistoryAt(d, 10)),
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
    DanhSachGiayToKetQua: (opts.results ?? []).map((r) => ({
      TenGiayTo: r.name,
      MaThanhPhanHoSo: r.componentCode ?? '',
      GiayToId: r.documentId,
      DuongDanTepTinKetQua: r.url ?? '',
      MaGiayToKetQua: r.resultCode ?? opts.resultCode ?? '',
    })),
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

/**
 * Digitised = a signed digitised document exists for the component. A component only marked
 * 'to-digitise' at intake is not (yet): the portal scores digitisation by components with files,
 * so claiming it before the file exists would overstate the rate. The digitisation station
 * enqueues an update once the document is done.
 */
function isDigitised(c: DossierComponent): boolean {
  return c.source !== 'reused' && c.digitisedDocumentId !== null;
}

function identities(d: Dossier): WireDossier['DinhDanhCHS'] {
  if (d.applicant.kind !== 'citizen') return [];
  const list: WireDossier['DinhDanhCHS'] = [];
  if (/^\d{12}$/.test(d.applicant.idNumber)) list.push({ LoaiDinhDanh: '1', SoDinhDanh: d.applicant.idNumber });
  else if (/^\d{9}$/.test(d.applicant.idNumber)) list.push({ LoaiDinhDanh: '2', SoDinhDanh: d.applicant.idNumber });
  const old = d.applicant.oldIdNumber;
  if (old !== null && /^\d{9}$/.test(old) && old !== d.applicant.idNumber)
    list.push({ LoaiDinhDanh: '2', SoDinhDanh: old });
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

/** `yyyyMMddHHmmss` → `YYYY-MM-DDTHH:mm:ss` (same zone, Vietnam time). */
export function fromWireDateTime(wire: string): string {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(wire);
  if (!m) throw new RangeError(`not a wire date-time (yyyyMMddHHmmss): ${wire}`);
  return `${m[1]}-${m[2]}-${m[3]}T${m[4]}:${m[5]}:${m[6]}`;
}

/** `YYYY-MM-DDTHH:mm` or `YYYY-MM-DDTHH:mm:ss` → `yyyyMMddHHmmss`. */
export function toWireDateTimeSeconds(local: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(local);
  if (!m) throw new RangeError(`not a local date-time: ${local}`);
  return `${m[1]}${m[2]}${m[3]}${m[4]}${m[5]}${m[6] ?? '00'}`;
}

const CHANNEL_FROM_CODE: Record<WireDossier['KenhThucHien'], Channel> = { '1': 'walk-in', '2': 'online', '3': 'post' };

/** DONVITINH as the portal writes it → our unit. Unknown units are refused, never guessed. */
function durationUnit(wire: string): DurationUnit {
  const u = wire.trim().toLocaleLowerCase('vi');
  if (u === 'ngày làm việc') return 'working-days';
  if (u === 'ngày' || u === 'ngày lịch') return 'calendar-days';
  if (u === 'giờ' || u === 'giờ làm việc') return 'hours';
  if (u === '' || u === 'không quy định') return 'none';
  throw new RangeError(`unknown duration unit: ${wire}`);
}

const UNIT_NAME: Record<DurationUnit, string> = {
  'working-days': 'Ngày làm việc',
  'calendar-days': 'Ngày',
  hours: 'Giờ',
  none: '',
};

function durationValue(wire: string, unit: DurationUnit): number | null {
  const t = wire.trim().replace(',', '.');
  if (t === '' || unit === 'none') return null;
  if (!/^\d+(\.\d+)?$/.test(t)) throw new RangeError(`not a duration: ${wire}`);
  return Number(t);
}

export function fromWireProcedureListItem(w: WireProcedureListItem): ProcedureListItem {
  return {
    code: w.MATTHC.trim(),
    name: w.TENTTHC,
    publisherCode: w.MACOQUANCONGBO,
    active: w.TRANGTHAI === '1',
    updatedAt: fromWireDateTime(w.NGAYCAPNHAT),
  };
}

/**
 * LayThuTuc record → our procedure. The first sector, result and agency are the procedure's;
 * the first duration of a channel is its term (later ones describe special cases in MOTA).
 * `pulledOn` is the effective date when the record has none. Throws `RangeError` for a record
 * that cannot be mapped faithfully (the client turns it into `REMOTE_BAD_RESPONSE`).
 */
export function fromWireProcedure(w: WireProcedure, pulledOn: string): NationalProcedure {
  const effective = w.NGAYHIEULUC ? fromWireDate(w.NGAYHIEULUC) : null;
  const channels: ChannelTerms[] = w.CACHTHUCTHUCHIEN.map((c) => {
    const first = c.THOIGIAN[0];
    if (!first) return { channel: CHANNEL_FROM_CODE[c.KENH], duration: null, unit: 'none', fees: [] };
    const unit = durationUnit(first.DONVITINH);
    return {
      channel: CHANNEL_FROM_CODE[c.KENH],
      duration: durationValue(first.THOIGIANGIAIQUYET, unit),
      unit: durationValue(first.THOIGIANGIAIQUYET, unit) === null ? 'none' : unit,
      fees: first.PHILEPHI.map((f) => ({ code: f.MAPHILEPHI, name: f.MOTA, amount: Number(f.SOTIEN) })),
    };
  });
  const components: ProcedureComponent[] = (w.THANHPHANHOSO ?? []).map((c) => ({
    code: c.MATHANHPHAN,
    name: c.TENTHANHPHAN,
    documentCode: c.MAGIAYTO === '' ? null : c.MAGIAYTO,
    required: c.BATBUOC === '1',
    originals: Number(c.SOBANCHINH),
    copies: Number(c.SOBANSAO),
  }));
  const sector = w.LINHVUCTHUCHIEN[0];
  const result = w.KETQUATHUCHIEN[0];
  return {
    procedure: {
      code: w.MATTHC.trim(),
      name: w.TENTTHC,
      sectorCode: sector?.MALINHVUC ?? '',
      sectorName: sector?.TENLINHVUC ?? '',
      level: w.CAPTHUCHIEN ?? '',
      agencyName: w.COQUANTHUCHIEN[0]?.TENDONVI ?? '',
      resultName: result?.TENKETQUA ?? '',
      resultCode: result && result.MAKETQUA !== '' ? result.MAKETQUA : null,
      cutoff: null,
      components,
      channels,
      effectiveFrom: effective ?? pulledOn,
    },
    active: w.TRANGTHAI === '1',
    updatedAt: fromWireDateTime(w.NGAYCAPNHAT),
    effectiveFromAssumed: effective === null,
    legalBasis: (w.CANCUPHAPLY ?? []).map((b) => (b.SOVANBAN ? `${b.SOVANBAN} — ${b.TENVANBAN}` : b.TENVANBAN)),
  };
}

/** Our procedure → a LayThuTuc record (the simulator serves these). */
export function toWireProcedure(
  p: Procedure,
  o: { active?: boolean; updatedAt: string; effectiveFrom?: string | null; publisher?: string; agencyCode?: string },
): WireProcedure {
  return {
    MATTHC: p.code,
    TENTTHC: p.name,
    MACOQUANCONGBO: o.publisher ?? '',
    TRANGTHAI: o.active === false ? '0' : '1',
    NGAYCAPNHAT: toWireDateTimeSeconds(o.updatedAt),
    NGAYHIEULUC: o.effectiveFrom === null ? '' : toWireDate(o.effectiveFrom ?? p.effectiveFrom),
    CAPTHUCHIEN: p.level,
    LINHVUCTHUCHIEN: [{ MALINHVUC: p.sectorCode, TENLINHVUC: p.sectorName }],
    CACHTHUCTHUCHIEN: p.channels.map((c) => ({
      KENH: CHANNEL_CODE[c.channel],
      THOIGIAN: [
        {
          THOIGIANGIAIQUYET: c.duration === null ? '' : String(c.duration),
          DONVITINH: UNIT_NAME[c.unit],
          MOTA: '',
          PHILEPHI: c.fees.map((f) => ({ MAPHILEPHI: f.code, SOTIEN: String(f.amount), DONVI: 'Đồng', MOTA: f.name })),
        },
      ],
    })),
    KETQUATHUCHIEN:
      p.resultCode === null && p.resultName === '' ? [] : [{ MAKETQUA: p.resultCode ?? '', TENKETQUA: p.resultName }],
    COQUANTHUCHIEN: [{ MADONVI: o.agencyCode ?? '', TENDONVI: p.agencyName }],
    THANHPHANHOSO: p.components.map((c) => ({
      MATHANHPHAN: c.code,
      TENTHANHPHAN: c.name,
      MAGIAYTO: c.documentCode ?? '',
      BATBUOC: c.required ? '1' : '0',
      SOBANCHINH: String(c.originals),
      SOBANSAO: String(c.copies),
    })),
    CANCUPHAPLY: [],
  };
}

export function fromWireAgency(w: WireAgency): NationalAgency {
  return { code: w.MADONVI.trim(), name: w.TENDONVI, parentCode: w.MADONVICHA ? w.MADONVICHA.trim() : null };
}

export function fromWireSector(w: WireSector): NationalSector {
  return { code: w.MALINHVUC.trim(), name: w.TENLINHVUC };
}

export function fromWireCitizen(w: WireCitizen | null): CitizenLookup {
  return w
    ? { found: true, fullName: w.HoVaTen, verified: w.DaXacThuc === '1' }
    : { found: false, fullName: null, verified: false };
}

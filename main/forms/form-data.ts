/**
 * Data printed on the desk's forms. Plain values only: the caller (intake) has already resolved
 * names, labels and amounts. Times are Vietnam local time written `YYYY-MM-DDTHH:mm`;
 * amounts are whole Vietnamese đồng.
 */

export interface FormApplicant {
  fullName: string;
  /** 12-digit personal ID, or an organisation's identifier. */
  idNumber: string;
  address: string | null;
  phone: string | null;
  email: string | null;
}

export interface FormProcedure {
  /** National or local procedure code, e.g. `1.001776`. */
  code: string;
  name: string;
}

export interface ReceiptComponent {
  name: string;
  /** Number of originals (bản chính) handed in. */
  originals: number;
  /** Number of copies (bản sao) handed in. */
  copies: number;
  /** How the component was provided, e.g. "Giấy", "Tái sử dụng (Kho dữ liệu)", "Số hóa tại bộ phận một cửa". */
  sourceLabel: string;
}

export interface ReceiptFee {
  name: string;
  /** Whole đồng. */
  amount: number;
}

/** Fields every form carries. */
export interface FormCommon {
  agencyName: string;
  /** Agency electronic identifier (QCVN 102:2016), e.g. `000.00.12.H56`. */
  agencyId: string;
  dossierCode: string;
  applicant: FormApplicant;
  procedure: FormProcedure;
  /** Training mode: every page carries the "not valid" mark. */
  training: boolean;
}

/** Form 1: Giấy tiếp nhận hồ sơ và hẹn trả kết quả. */
export interface ReceiptData extends FormCommon {
  channelName: string;
  components: ReceiptComponent[];
  fees: ReceiptFee[];
  /** Whole đồng. */
  totalFee: number;
  /** `YYYY-MM-DDTHH:mm`, Vietnam local time. */
  receivedAt: string;
  /** `YYYY-MM-DDTHH:mm`, Vietnam local time; null when the procedure sets no deadline. */
  appointmentAt: string | null;
  /** Where the result is collected. */
  collectAt: string;
  officerName: string;
  /** Text encoded in the QR code: a status-lookup URL or just the dossier code. */
  lookupUrl: string;
}

/** Form 2: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ. */
export interface SupplementData extends FormCommon {
  /** Missing or incomplete components / contents, one per entry. */
  missing: string[];
  reason: string;
  /** `YYYY-MM-DDTHH:mm`, Vietnam local time. */
  requestedAt: string;
  officerName: string;
  /** How to reach the contact officer (phone, email, counter). */
  contact: string;
}

/** Form 3: Phiếu từ chối tiếp nhận, giải quyết hồ sơ. */
export interface RefusalData extends FormCommon {
  reasons: string[];
  /** `YYYY-MM-DDTHH:mm`, Vietnam local time. */
  refusedAt: string;
  officerName: string;
}

/** Form 4: Phiếu xin lỗi và hẹn lại ngày trả kết quả (a dossier that missed its appointment). */
export interface ApologyData extends FormCommon {
  /** `YYYY-MM-DDTHH:mm`, Vietnam local time. */
  receivedAt: string;
  /** The appointment that was missed. */
  previousAppointmentAt: string;
  /** The new date, computed by the working-time rules. */
  newAppointmentAt: string;
  reason: string;
  /** When the letter is issued. */
  issuedAt: string;
  officerName: string;
}

import type { Dossier, Procedure, StoredDocument } from '../../../common/contract';
import type { AppInfo, ApplicantLookup, AppointmentQuote } from '../stores/types';

export const VALID_QR =
  '001090012345|123456789|Nguyễn Văn An|15071990|Nam|Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội|01022021';

export const appInfo: AppInfo = {
  version: '0.1.0',
  trainingMode: true,
  agencyId: '000.00.12.H56',
  agencyName: 'UBND xã Hòa Bình (đào tạo)',
  counter: 'Quầy số 1',
  trainingAccounts: [
    { username: 'canbo1', password: 'daotao', role: 'officer', displayName: 'Nguyễn Thị Cán Bộ' },
    { username: 'sohoa1', password: 'daotao', role: 'digitiser', displayName: 'Trần Văn Số Hóa' },
  ],
};

export const cccdDocument: StoredDocument = {
  id: 'N:GT-1',
  source: 'national',
  ownerIdNumber: '001090012345',
  documentCode: 'KQ0003',
  documentName: 'Căn cước công dân',
  number: '001090012345',
  issuer: 'Cục Cảnh sát QLHC về TTXH',
  issuedOn: '2021-02-01',
  validUntil: '2030-07-15',
  url: null,
};

export const lookupResult: ApplicantLookup = {
  local: null,
  national: { fullName: 'Nguyễn Văn An', verified: true },
  nationalReachable: true,
  documents: [cccdDocument],
};

export const procedure: Procedure = {
  code: '2.000488',
  name: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
  sectorCode: 'G15-TP01',
  sectorName: 'Lý lịch tư pháp',
  level: 'toàn trình',
  agencyName: 'Sở Tư pháp',
  resultName: 'Phiếu lý lịch tư pháp',
  resultCode: 'KQ0007',
  cutoff: null,
  components: [
    {
      code: 'TK',
      name: 'Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp',
      documentCode: null,
      required: true,
      originals: 1,
      copies: 0,
    },
    { code: 'CCCD', name: 'Căn cước công dân', documentCode: 'KQ0003', required: true, originals: 0, copies: 1 },
  ],
  channels: [
    { channel: 'walk-in', duration: 10, unit: 'working-days', fees: [{ code: 'LP', name: 'Lệ phí', amount: 200000 }] },
    { channel: 'online', duration: 10, unit: 'working-days', fees: [{ code: 'LP', name: 'Lệ phí', amount: 100000 }] },
  ],
  effectiveFrom: '2025-07-01',
};

export const quote: AppointmentQuote = {
  receivedAt: '2025-07-15T09:05',
  appointmentAt: '2025-07-29T09:05',
  duration: 10,
  unit: 'working-days',
  fees: [{ code: 'LP', name: 'Lệ phí', amount: 200000 }],
  totalFee: 200000,
  notes: [],
};

export function dossier(overrides: Partial<Dossier> = {}): Dossier {
  return {
    id: 1,
    code: '000.00.12.H56-250715-0001',
    status: 2,
    channel: 'walk-in',
    applicantName: 'Nguyễn Văn An',
    applicantIdNumber: '001090012345',
    procedureCode: '2.000488',
    procedureName: procedure.name,
    receivedAt: '2025-07-15T09:05',
    appointmentAt: '2025-07-29T09:05',
    officer: 'canbo1',
    sync: { national: 'pending', provincial: 'synced' },
    applicant: {
      id: 1,
      kind: 'citizen',
      idNumber: '001090012345',
      fullName: 'Nguyễn Văn An',
      oldIdNumber: '123456789',
      birthDate: '1990-07-15',
      sex: 'Nam',
      address: 'Số 1 Tràng Tiền',
      idIssueDate: '2021-02-01',
      phone: null,
      email: null,
      portalVerified: true,
    },
    summary: '',
    contactPhone: null,
    contactEmail: null,
    delivery: 'desk',
    components: [
      {
        componentCode: 'TK',
        name: 'Tờ khai',
        documentCode: null,
        originals: 1,
        copies: 0,
        source: 'paper',
        reusedDocumentId: null,
        consentAt: null,
        digitisedDocumentId: null,
      },
      {
        componentCode: 'CCCD',
        name: 'Căn cước công dân',
        documentCode: 'KQ0003',
        originals: 0,
        copies: 1,
        source: 'reused',
        reusedDocumentId: 'N:GT-1',
        consentAt: '2025-07-15T09:04',
        digitisedDocumentId: null,
      },
    ],
    fees: [{ code: 'LP', name: 'Lệ phí', amount: 200000 }],
    totalFee: 200000,
    ticketNumber: 'A001',
    previousAppointmentAt: null,
    documents: [{ kind: 'receipt', createdAt: '2025-07-15T09:05', sha256: 'abc' }],
    history: [{ at: '2025-07-15T09:05', status: 2, actor: 'canbo1', note: 'Tiếp nhận hồ sơ' }],
    ...overrides,
  };
}

/** A tiny valid-looking PDF, base64. */
export const PDF_BASE64 = btoa('%PDF-1.4\n%%EOF\n');

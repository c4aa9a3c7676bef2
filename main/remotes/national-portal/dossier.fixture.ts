import type { Dossier, Person } from '../../../common/contract/schemas';

/**
 * A received dossier for tests: Nguyễn Văn Dũng (training citizen) asks for a criminal record
 * certificate, reusing his ID card from the national store and his birth certificate from the
 * local store, with a form to digitise and a paper photo.
 */
export function sampleDossier(overrides: Partial<Dossier> = {}): Dossier {
  const applicant: Person = {
    id: 1,
    kind: 'citizen',
    idNumber: '001203004567',
    fullName: 'Nguyễn Văn Dũng',
    oldIdNumber: null,
    birthDate: '2003-05-12',
    sex: 'Nam',
    address: 'Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội',
    idIssueDate: '2021-04-15',
    phone: '0912345678',
    email: null,
    portalVerified: true,
  };
  const base: Dossier = {
    id: 1,
    code: '000.00.12.H56-250715-0001',
    status: 2,
    channel: 'walk-in',
    applicantName: applicant.fullName,
    applicantIdNumber: applicant.idNumber,
    procedureCode: '2.000488',
    procedureName: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
    receivedAt: '2025-07-15T09:05',
    appointmentAt: '2025-07-29T16:00',
    officer: 'Lê Thị Hoa',
    sync: { national: 'pending', provincial: 'pending' },
    applicant,
    summary: 'Cấp Phiếu lý lịch tư pháp số 1',
    contactPhone: null,
    contactEmail: 'dung.nv@example.vn',
    delivery: 'desk',
    components: [
      {
        componentCode: 'TP01',
        name: 'Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp',
        documentCode: null,
        originals: 1,
        copies: 0,
        source: 'to-digitise',
        reusedDocumentId: null,
        consentAt: null,
        digitisedDocumentId: null,
      },
      {
        componentCode: 'TP02',
        name: 'Căn cước công dân',
        documentCode: 'KQ0003',
        originals: 0,
        copies: 1,
        source: 'reused',
        reusedDocumentId: 'N:GT-0001-0003',
        consentAt: '2025-07-15T09:02',
        digitisedDocumentId: null,
      },
      {
        componentCode: 'TP03',
        name: 'Giấy khai sinh',
        documentCode: 'KQ0001',
        originals: 0,
        copies: 1,
        source: 'reused',
        reusedDocumentId: 'L:7',
        consentAt: '2025-07-15T09:03',
        digitisedDocumentId: null,
      },
      {
        componentCode: 'TP04',
        name: 'Ảnh 4x6',
        documentCode: null,
        originals: 2,
        copies: 0,
        source: 'paper',
        reusedDocumentId: null,
        consentAt: null,
        digitisedDocumentId: null,
      },
    ],
    fees: [{ code: 'LP01', name: 'Lệ phí cấp Phiếu lý lịch tư pháp', amount: 200000 }],
    totalFee: 200000,
    ticketNumber: 'A012',
    previousAppointmentAt: null,
    documents: [],
    history: [{ at: '2025-07-15T09:05', status: 2, actor: 'Lê Thị Hoa', note: 'Tiếp nhận hồ sơ' }],
  };
  return { ...base, ...overrides };
}

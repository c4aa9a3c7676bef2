import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Person, PersonInput, Procedure } from '../../../common/contract/schemas';
import type { NewDossier } from '../dossiers.repository';

/** A fresh directory under the OS temp dir, and a function that removes it. */
export function tempDir(prefix = 'motcua-store-'): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function personInput(overrides: Partial<PersonInput> = {}): PersonInput {
  return {
    kind: 'citizen',
    idNumber: '001203004567',
    fullName: 'Nguyễn Văn Dũng',
    oldIdNumber: null,
    birthDate: '1990-05-17',
    sex: 'Nam',
    address: 'Số 1 Tràng Tiền, Hoàn Kiếm, Hà Nội',
    idIssueDate: '2021-08-10',
    phone: '0912345678',
    email: null,
    portalVerified: false,
    ...overrides,
  };
}

export function procedure(overrides: Partial<Procedure> = {}): Procedure {
  return {
    code: '2.000488',
    name: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
    sectorCode: 'G13-TP01',
    sectorName: 'Lý lịch tư pháp',
    level: 'Toàn trình',
    agencyName: 'Sở Tư pháp',
    resultName: 'Phiếu lý lịch tư pháp',
    resultCode: 'KQ.G13.000031',
    cutoff: '15:00',
    effectiveFrom: '2025-07-01',
    components: [
      {
        code: 'TP1',
        name: 'Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp',
        documentCode: null,
        required: true,
        originals: 1,
        copies: 0,
      },
      { code: 'TP2', name: 'Căn cước công dân', documentCode: 'KQ0003', required: true, originals: 0, copies: 1 },
    ],
    channels: [
      {
        channel: 'walk-in',
        duration: 10,
        unit: 'working-days',
        fees: [{ code: 'LP', name: 'Phí cấp phiếu', amount: 200000 }],
      },
      {
        channel: 'online',
        duration: 10,
        unit: 'working-days',
        fees: [{ code: 'LP', name: 'Phí cấp phiếu', amount: 100000 }],
      },
    ],
    ...overrides,
  };
}

export function newDossier(applicant: Person, overrides: Partial<NewDossier> = {}): NewDossier {
  return {
    code: '000.00.12.H56-250715-0001',
    requestId: '5f0c7a52-3f1e-4a4e-9d53-2b1f3c0e9a01',
    status: 2,
    channel: 'walk-in',
    applicant,
    procedureCode: '2.000488',
    procedureName: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
    receivedAt: '2025-07-15T09:30',
    appointmentAt: '2025-07-29T09:30',
    summary: 'Xin cấp phiếu số 1',
    contactPhone: '0912345678',
    contactEmail: null,
    delivery: 'desk',
    components: [
      {
        componentCode: 'TP1',
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
        componentCode: 'TP2',
        name: 'Căn cước công dân',
        documentCode: 'KQ0003',
        originals: 0,
        copies: 1,
        source: 'reused',
        reusedDocumentId: 'N:GT-991',
        consentAt: '2025-07-15T09:25',
        digitisedDocumentId: null,
      },
    ],
    fees: [{ code: 'LP', name: 'Phí cấp phiếu', amount: 200000 }],
    officer: 'canbo1',
    ticketNumber: 'A001',
    ...overrides,
  };
}

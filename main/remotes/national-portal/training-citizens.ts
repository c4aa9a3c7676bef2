import type { NationalDocument } from './national-portal.port';

/**
 * Invented people for training mode and tests. The numbers follow the 12-digit layout but belong
 * to nobody. Training mode and the tests share this list, so a trainer can say "look up
 * 001203004567" and the trainee sees the same documents the tests check.
 */
export interface TrainingCitizen {
  personalId: string;
  fullName: string;
  birthDate: string;
  sex: 'Nam' | 'Nữ';
  address: string;
  /** The portal account is verified. */
  verified: boolean;
  /** What the national document store holds for this person. */
  documents: NationalDocument[];
}

const CCCD_ISSUER = 'Cục Cảnh sát quản lý hành chính về trật tự xã hội';

function idCard(id: string, personalId: string, issuedOn: string, validUntil: string | null): NationalDocument {
  return {
    nationalId: id,
    documentCode: 'KQ0003',
    documentName: 'Căn cước công dân',
    number: personalId,
    issuer: CCCD_ISSUER,
    issuedOn,
    validUntil,
    url: null,
  };
}

function birthCertificate(id: string, number: string, issuer: string, issuedOn: string): NationalDocument {
  return {
    nationalId: id,
    documentCode: 'KQ0001',
    documentName: 'Giấy khai sinh',
    number,
    issuer,
    issuedOn,
    validUntil: null,
    url: null,
  };
}

export const TRAINING_CITIZENS: readonly TrainingCitizen[] = [
  {
    personalId: '001203004567',
    fullName: 'Nguyễn Văn Dũng',
    birthDate: '2003-05-12',
    sex: 'Nam',
    address: 'Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội',
    verified: true,
    documents: [
      idCard('GT-0001-0003', '001203004567', '2021-04-15', '2028-05-12'),
      birthCertificate('GT-0001-0001', '123/2003', 'UBND phường Hàng Bạc, quận Hoàn Kiếm, Hà Nội', '2003-05-20'),
    ],
  },
  {
    personalId: '079185012345',
    fullName: 'Trần Thị Mai',
    birthDate: '1985-09-02',
    sex: 'Nữ',
    address: '45 đường Lê Lợi, phường Sài Gòn, TP Hồ Chí Minh',
    verified: true,
    documents: [idCard('GT-0002-0003', '079185012345', '2022-01-10', '2045-09-02')],
  },
  {
    personalId: '038090001122',
    fullName: 'Lê Văn Hùng',
    birthDate: '1990-11-20',
    sex: 'Nam',
    address: 'Thôn Đông, xã Quảng Phú, Thanh Hóa',
    verified: false,
    documents: [
      birthCertificate('GT-0003-0001', '56/1990', 'UBND xã Quảng Phú, huyện Quảng Xương, Thanh Hóa', '1990-11-28'),
    ],
  },
  {
    personalId: '001301007788',
    fullName: 'Phạm Thị Lan',
    birthDate: '2001-03-08',
    sex: 'Nữ',
    address: 'Ngõ 5 phố Kim Mã, phường Giảng Võ, Hà Nội',
    verified: true,
    documents: [],
  },
];

/** `citizens` option of the simulator built from the training list. */
export function trainingCitizenDirectory(): Record<string, { fullName: string; verified?: boolean }> {
  const out: Record<string, { fullName: string; verified?: boolean }> = {};
  for (const c of TRAINING_CITIZENS) out[c.personalId] = { fullName: c.fullName, verified: c.verified };
  return out;
}

/** `documents` option of the simulator built from the training list. */
export function trainingDocumentStore(): Record<string, NationalDocument[]> {
  const out: Record<string, NationalDocument[]> = {};
  for (const c of TRAINING_CITIZENS) out[c.personalId] = c.documents.map((d) => ({ ...d }));
  return out;
}

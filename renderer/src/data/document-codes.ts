/**
 * National document and master-data codes (docs/domain.md §2), copied from
 * resources/seed/document-codes.json: the metadata form offers them and fills the document name.
 * Result-type codes from the procedure catalogue (`KQ.G15.000031`) are typed by hand.
 */
export type DocumentCodeGroup = 'personal-document' | 'organisation-document' | 'personal-data' | 'organisation-data';

export interface DocumentCodeEntry {
  code: string;
  name: string;
  group: DocumentCodeGroup;
}

export const DOCUMENT_CODES: readonly DocumentCodeEntry[] = [
  { code: 'KQ0001', name: 'Giấy khai sinh', group: 'personal-document' },
  { code: 'KQ0002', name: 'Thẻ bảo hiểm y tế', group: 'personal-document' },
  { code: 'KQ0003', name: 'Căn cước công dân', group: 'personal-document' },
  { code: 'KQ0004', name: 'Chứng minh nhân dân', group: 'personal-document' },
  { code: 'KQ0005', name: 'Hộ chiếu', group: 'personal-document' },
  { code: 'KQ0006', name: 'Sổ hộ khẩu', group: 'personal-document' },
  { code: 'KQ0007', name: 'Phiếu lý lịch tư pháp số 1', group: 'personal-document' },
  { code: 'KQ0008', name: 'Phiếu lý lịch tư pháp số 2', group: 'personal-document' },
  {
    code: 'KQ0009',
    name: 'Giấy chứng nhận quyền sử dụng đất, quyền sở hữu nhà ở và tài sản gắn liền với đất',
    group: 'personal-document',
  },
  { code: 'KQ0010', name: 'Giấy chứng nhận kết hôn', group: 'personal-document' },
  { code: 'KQ0011', name: 'Giấy phép lái xe', group: 'personal-document' },
  { code: 'KQ0012', name: 'Giấy khám sức khỏe', group: 'personal-document' },
  { code: 'KQ0013', name: 'Trích lục khai tử', group: 'personal-document' },
  { code: 'KQ0014', name: 'Giấy phép xây dựng', group: 'personal-document' },
  { code: 'KQ0015', name: 'Giấy xác nhận số chứng minh nhân dân', group: 'personal-document' },
  { code: 'KQ0016', name: 'Bằng tốt nghiệp', group: 'personal-document' },
  { code: 'KQ1001', name: 'Giấy chứng nhận đăng ký kinh doanh', group: 'organisation-document' },
  { code: 'KQ1002', name: 'Giấy chứng nhận đăng ký đầu tư', group: 'organisation-document' },
  { code: 'DC0001', name: 'Mã định danh công dân (CCCD)', group: 'personal-data' },
  { code: 'DC0002', name: 'Chứng minh nhân dân', group: 'personal-data' },
  { code: 'DC0003', name: 'Số hộ chiếu', group: 'personal-data' },
  { code: 'DC0004', name: 'Mã số thuế', group: 'personal-data' },
  { code: 'DC0005', name: 'Mã BHXH', group: 'personal-data' },
  { code: 'DC0010', name: 'Họ và tên', group: 'personal-data' },
  { code: 'DC0011', name: 'Ngày sinh', group: 'personal-data' },
  { code: 'DC0012', name: 'Giới tính', group: 'personal-data' },
  { code: 'DC0013', name: 'Nơi sinh', group: 'personal-data' },
  { code: 'DC0014', name: 'Quê quán', group: 'personal-data' },
  { code: 'DC0015', name: 'Địa chỉ thường trú', group: 'personal-data' },
  { code: 'DC0016', name: 'Nơi ở hiện nay', group: 'personal-data' },
  { code: 'DC0017', name: 'Quốc tịch', group: 'personal-data' },
  { code: 'DC0018', name: 'Dân tộc', group: 'personal-data' },
  { code: 'DC0019', name: 'Tôn giáo', group: 'personal-data' },
  { code: 'DC0020', name: 'Cha (mã số định danh)', group: 'personal-data' },
  { code: 'DC0021', name: 'Mẹ (mã số định danh)', group: 'personal-data' },
  { code: 'DC0022', name: 'Tình trạng hôn nhân / vợ, chồng', group: 'personal-data' },
  { code: 'DC1001', name: 'Mã số doanh nghiệp', group: 'organisation-data' },
  { code: 'DC1002', name: 'Mã số thuế', group: 'organisation-data' },
  { code: 'DC1003', name: 'Mã BHXH', group: 'organisation-data' },
  { code: 'DC1010', name: 'Tên doanh nghiệp', group: 'organisation-data' },
  { code: 'DC1011', name: 'Tên doanh nghiệp bằng tiếng Anh', group: 'organisation-data' },
  { code: 'DC1012', name: 'Địa chỉ trụ sở chính', group: 'organisation-data' },
  { code: 'DC1013', name: 'Điện thoại', group: 'organisation-data' },
  { code: 'DC1014', name: 'Fax', group: 'organisation-data' },
  { code: 'DC1015', name: 'Email', group: 'organisation-data' },
  { code: 'DC1016', name: 'Website; ngành, nghề kinh doanh', group: 'organisation-data' },
  { code: 'DC1017', name: 'Chủ doanh nghiệp', group: 'organisation-data' },
  { code: 'DC1018', name: 'Vốn điều lệ', group: 'organisation-data' },
  { code: 'DC1019', name: 'Lần đăng ký', group: 'organisation-data' },
  { code: 'DC1020', name: 'Ngày đăng ký', group: 'organisation-data' },
];

const BY_CODE = new Map(DOCUMENT_CODES.map((entry) => [entry.code, entry]));

/** The national name of a code (`KQ0003` → `Căn cước công dân`), null when it is not in the list. */
export function documentNameOf(code: string): string | null {
  return BY_CODE.get(code.trim().toUpperCase())?.name ?? null;
}

/**
 * National code lists used on the wire (docs/domain.md §3): dossier status (TrangThaiHoSo),
 * channel (KenhThucHien), result delivery (HinhThuc) and applicant kind (LoaiDoiTuong).
 */

export const DOSSIER_STATUSES = {
  1: 'Mới đăng ký',
  2: 'Được tiếp nhận',
  3: 'Không được tiếp nhận',
  4: 'Đang xử lý',
  5: 'Yêu cầu bổ sung giấy tờ',
  6: 'Yêu cầu thực hiện nghĩa vụ tài chính',
  7: 'Công dân yêu cầu rút hồ sơ',
  8: 'Dừng xử lý',
  9: 'Đã xử lý xong',
  10: 'Đã trả kết quả',
} as const;

export type DossierStatusCode = keyof typeof DOSSIER_STATUSES;

export const STATUS = {
  NEW: 1,
  RECEIVED: 2,
  REFUSED: 3,
  PROCESSING: 4,
  SUPPLEMENT_REQUESTED: 5,
  FINANCIAL_OBLIGATION: 6,
  WITHDRAWN: 7,
  STOPPED: 8,
  PROCESSED: 9,
  RESULT_RETURNED: 10,
} as const satisfies Record<string, DossierStatusCode>;

export function isStatusCode(code: number): code is DossierStatusCode {
  return Number.isInteger(code) && code >= 1 && code <= 10;
}

/** Vietnamese name of a status code; throws RangeError for a code outside 1 … 10. */
export function statusName(code: number): string {
  if (!isStatusCode(code)) throw new RangeError(`Mã trạng thái hồ sơ không hợp lệ: ${code}`);
  return DOSSIER_STATUSES[code];
}

/**
 * Status changes this application may make or accept.
 * - 1 → 2 receive, 3 refuse (the desk checks and refuses), 7 withdrawn before reception.
 * - 2 → 3: a desk officer may still refuse right after checking a received dossier; 2 → 4 hand
 *   over for processing; 5, 6 requests; 7 withdrawn; 8 stopped.
 * - 4 → 5, 6, 7, 8, 9 (9 only from processing).
 * - 5, 6 → 4 when the applicant supplements or pays, or 7 / 8.
 * - 9 → 10 (result returned only once processed).
 * - 3, 7, 8, 10 are final.
 */
export const ALLOWED_TRANSITIONS: Readonly<Record<DossierStatusCode, readonly DossierStatusCode[]>> = {
  1: [2, 3, 7],
  2: [3, 4, 5, 6, 7, 8],
  3: [],
  4: [5, 6, 7, 8, 9],
  5: [4, 7, 8],
  6: [4, 7, 8],
  7: [],
  8: [],
  9: [10],
  10: [],
};

export function canTransition(from: number, to: number): boolean {
  if (!isStatusCode(from) || !isStatusCode(to)) return false;
  return ALLOWED_TRANSITIONS[from].includes(to);
}

export function isFinalStatus(code: number): boolean {
  return isStatusCode(code) && ALLOWED_TRANSITIONS[code].length === 0;
}

export type ChannelName = 'walk-in' | 'online' | 'post';
export type ApplicantKindName = 'citizen' | 'enterprise' | 'agency' | 'organisation';
export type DeliveryName = 'desk' | 'post';

interface CodeEntry<T extends string> {
  key: T;
  code: number;
  name: string;
}

export const CHANNELS: readonly CodeEntry<ChannelName>[] = [
  { key: 'walk-in', code: 1, name: 'Trực tiếp' },
  { key: 'online', code: 2, name: 'Trực tuyến' },
  { key: 'post', code: 3, name: 'Qua dịch vụ bưu chính công ích' },
];

export const APPLICANT_KINDS: readonly CodeEntry<ApplicantKindName>[] = [
  { key: 'citizen', code: 1, name: 'Công dân' },
  { key: 'enterprise', code: 2, name: 'Doanh nghiệp' },
  { key: 'agency', code: 3, name: 'Cơ quan nhà nước' },
  { key: 'organisation', code: 4, name: 'Tổ chức khác' },
];

export const DELIVERIES: readonly CodeEntry<DeliveryName>[] = [
  { key: 'desk', code: 0, name: 'Nhận tại Bộ phận Một cửa' },
  { key: 'post', code: 1, name: 'Nhận qua dịch vụ bưu chính' },
];

function entryOf<T extends string>(list: readonly CodeEntry<T>[], key: T): CodeEntry<T> {
  const entry = list.find((e) => e.key === key);
  if (!entry) throw new RangeError(`Giá trị không có trong danh mục: ${key}`);
  return entry;
}

function keyOf<T extends string>(list: readonly CodeEntry<T>[], code: number | string): T | null {
  const n = typeof code === 'string' ? (/^\d+$/.test(code.trim()) ? Number(code.trim()) : Number.NaN) : code;
  return list.find((e) => e.code === n)?.key ?? null;
}

export const channelCode = (channel: ChannelName): number => entryOf(CHANNELS, channel).code;
export const channelName = (channel: ChannelName): string => entryOf(CHANNELS, channel).name;
/** Accepts the number or the wire string ("1"); null for an unknown code. */
export const channelFromCode = (code: number | string): ChannelName | null => keyOf(CHANNELS, code);

export const applicantKindCode = (kind: ApplicantKindName): number => entryOf(APPLICANT_KINDS, kind).code;
export const applicantKindName = (kind: ApplicantKindName): string => entryOf(APPLICANT_KINDS, kind).name;
export const applicantKindFromCode = (code: number | string): ApplicantKindName | null => keyOf(APPLICANT_KINDS, code);

export const deliveryCode = (delivery: DeliveryName): number => entryOf(DELIVERIES, delivery).code;
export const deliveryName = (delivery: DeliveryName): string => entryOf(DELIVERIES, delivery).name;
export const deliveryFromCode = (code: number | string): DeliveryName | null => keyOf(DELIVERIES, code);

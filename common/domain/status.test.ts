import { describe, expect, it } from 'vitest';
import {
  ALLOWED_TRANSITIONS,
  applicantKindCode,
  applicantKindFromCode,
  applicantKindName,
  canTransition,
  channelCode,
  channelFromCode,
  channelName,
  deliveryCode,
  deliveryFromCode,
  deliveryName,
  isFinalStatus,
  statusName,
} from './status';

describe('statusName', () => {
  it.each([
    [1, 'Mới đăng ký'],
    [2, 'Được tiếp nhận'],
    [3, 'Không được tiếp nhận'],
    [4, 'Đang xử lý'],
    [5, 'Yêu cầu bổ sung giấy tờ'],
    [6, 'Yêu cầu thực hiện nghĩa vụ tài chính'],
    [7, 'Công dân yêu cầu rút hồ sơ'],
    [8, 'Dừng xử lý'],
    [9, 'Đã xử lý xong'],
    [10, 'Đã trả kết quả'],
  ])('%i → %s', (code, name) => {
    expect(statusName(code)).toBe(name);
  });

  it.each([0, 11, 2.5, -1])('throws for %s', (code) => {
    expect(() => statusName(code)).toThrow(RangeError);
  });
});

describe('canTransition', () => {
  it.each([
    [1, 2, true],
    [1, 3, true],
    [1, 7, true],
    [1, 4, false],
    [1, 10, false],
    [2, 3, true],
    [2, 4, true],
    [2, 5, true],
    [2, 7, true],
    [2, 8, true],
    [2, 9, false],
    [2, 1, false],
    [3, 2, false],
    [4, 5, true],
    [4, 9, true],
    [4, 10, false],
    [5, 4, true],
    [5, 9, false],
    [6, 4, true],
    [9, 10, true],
    [9, 4, false],
    [10, 9, false],
    [7, 2, false],
    [8, 4, false],
    [0, 1, false],
    [1, 11, false],
  ])('%i → %i: %s', (from, to, allowed) => {
    expect(canTransition(from, to)).toBe(allowed);
  });

  it('supplement (5) is reachable only from 2 and 4, processed (9) only from 4, returned (10) only from 9', () => {
    const sources = (to: number) =>
      Object.entries(ALLOWED_TRANSITIONS)
        .filter(([, targets]) => (targets as readonly number[]).includes(to))
        .map(([from]) => Number(from));
    expect(sources(5)).toEqual([2, 4]);
    expect(sources(9)).toEqual([4]);
    expect(sources(10)).toEqual([9]);
    expect(sources(3)).toEqual([1, 2]);
  });

  it.each([
    [3, true],
    [7, true],
    [8, true],
    [10, true],
    [1, false],
    [4, false],
    [9, false],
  ])('status %i final: %s', (code, final) => {
    expect(isFinalStatus(code)).toBe(final);
  });
});

describe('channel, applicant kind and delivery codes', () => {
  it.each([
    ['walk-in', 1, 'Trực tiếp'],
    ['online', 2, 'Trực tuyến'],
    ['post', 3, 'Qua dịch vụ bưu chính công ích'],
  ] as const)('channel %s ↔ %i (%s)', (key, code, name) => {
    expect(channelCode(key)).toBe(code);
    expect(channelName(key)).toBe(name);
    expect(channelFromCode(code)).toBe(key);
    expect(channelFromCode(String(code))).toBe(key);
  });

  it.each([
    ['citizen', 1, 'Công dân'],
    ['enterprise', 2, 'Doanh nghiệp'],
    ['agency', 3, 'Cơ quan nhà nước'],
    ['organisation', 4, 'Tổ chức khác'],
  ] as const)('applicant kind %s ↔ %i (%s)', (key, code, name) => {
    expect(applicantKindCode(key)).toBe(code);
    expect(applicantKindName(key)).toBe(name);
    expect(applicantKindFromCode(code)).toBe(key);
  });

  it.each([
    ['desk', 0, 'Nhận tại Bộ phận Một cửa'],
    ['post', 1, 'Nhận qua dịch vụ bưu chính'],
  ] as const)('delivery %s ↔ %i (%s)', (key, code, name) => {
    expect(deliveryCode(key)).toBe(code);
    expect(deliveryName(key)).toBe(name);
    expect(deliveryFromCode(String(code))).toBe(key);
  });

  it.each([
    [channelFromCode, 0],
    [channelFromCode, 4],
    [channelFromCode, '1a'],
    [channelFromCode, ''],
    [applicantKindFromCode, 5],
    [deliveryFromCode, 2],
    [deliveryFromCode, ' '],
  ] as const)('unknown code %#', (fromCode, code) => {
    expect(fromCode(code)).toBeNull();
  });
});

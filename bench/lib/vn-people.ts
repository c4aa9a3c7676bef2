import { LEGACY_BIRTH_PROVINCES } from '../../common/domain';
import { Random, Weighted } from './random';

/**
 * Synthetic Vietnamese people: family names with their real-world frequency, middle and given
 * names by sex (with diacritics), 12-digit personal IDs in the old structure (province, century/sex
 * digit, birth year, six digits), addresses and phone numbers.
 */

/** Family names and their approximate share of the population (percent). */
const FAMILY: readonly (readonly [string, number])[] = [
  ['Nguyễn', 31.5],
  ['Trần', 10.9],
  ['Lê', 9.5],
  ['Phạm', 7.0],
  ['Hoàng', 3.5],
  ['Huỳnh', 1.6],
  ['Phan', 4.5],
  ['Vũ', 2.5],
  ['Võ', 1.4],
  ['Đặng', 2.1],
  ['Bùi', 2.0],
  ['Đỗ', 1.4],
  ['Hồ', 1.3],
  ['Ngô', 1.3],
  ['Dương', 1.0],
  ['Lý', 0.5],
  ['Đào', 0.8],
  ['Đoàn', 0.7],
  ['Trịnh', 0.6],
  ['Trương', 0.7],
  ['Lâm', 0.4],
  ['Mai', 0.5],
  ['Đinh', 0.6],
  ['Lương', 0.4],
  ['Cao', 0.4],
  ['Hà', 0.5],
  ['Tạ', 0.3],
  ['Phùng', 0.3],
  ['Vương', 0.2],
  ['Tô', 0.3],
  ['Chu', 0.2],
  ['Lưu', 0.3],
  ['Châu', 0.2],
  ['Triệu', 0.2],
  ['Quách', 0.1],
  ['Thái', 0.2],
  ['Kiều', 0.1],
  ['La', 0.1],
  ['Tăng', 0.1],
  ['Lại', 0.2],
  ['Mạc', 0.1],
  ['Khổng', 0.05],
  ['Nông', 0.2],
  ['Lò', 0.1],
  ['Hứa', 0.1],
  ['Âu', 0.05],
  ['Ông', 0.05],
  ['Diệp', 0.05],
  ['Thân', 0.1],
  ['Kim', 0.05],
];

const MALE_MIDDLE: readonly (readonly [string, number])[] = [
  ['Văn', 30],
  ['Đức', 8],
  ['Minh', 8],
  ['Quang', 6],
  ['Hữu', 6],
  ['Công', 5],
  ['Thành', 4],
  ['Xuân', 4],
  ['Ngọc', 3],
  ['Hoàng', 3],
  ['Trọng', 3],
  ['Quốc', 4],
  ['Gia', 3],
  ['Anh', 2],
  ['Thanh', 3],
  ['Tuấn', 2],
  ['Việt', 2],
  ['Đình', 4],
  ['Mạnh', 2],
  ['Duy', 3],
  ['Trung', 2],
  ['Bá', 2],
  ['Khắc', 1],
  ['Tiến', 2],
  ['Nhật', 2],
  ['Hải', 1],
  ['Phúc', 1],
  ['Chí', 2],
  ['Đăng', 1],
  ['Bảo', 2],
  ['Thế', 2],
  ['Kim', 1],
];

const FEMALE_MIDDLE: readonly (readonly [string, number])[] = [
  ['Thị', 45],
  ['Ngọc', 6],
  ['Thu', 5],
  ['Thanh', 5],
  ['Minh', 3],
  ['Phương', 3],
  ['Hồng', 4],
  ['Kim', 4],
  ['Bảo', 3],
  ['Mai', 2],
  ['Khánh', 2],
  ['Diệu', 1],
  ['Như', 2],
  ['Quỳnh', 2],
  ['Hoài', 2],
  ['Thùy', 3],
  ['Mỹ', 2],
  ['Bích', 2],
  ['Thúy', 2],
  ['Hải', 1],
  ['Tuyết', 1],
  ['Cẩm', 1],
  ['Lan', 1],
  ['Hương', 1],
  ['Yến', 1],
  ['Ánh', 1],
  ['Diễm', 1],
  ['Hà', 1],
];

/** A second middle name ("Nguyễn Thị Thu Hà", "Lê Văn Minh Tuấn"). */
const SECOND_MIDDLE_FEMALE = [
  'Thu',
  'Thanh',
  'Ngọc',
  'Hồng',
  'Kim',
  'Minh',
  'Mai',
  'Bích',
  'Phương',
  'Hoài',
  'Diệu',
] as const;
const SECOND_MIDDLE_MALE = ['Minh', 'Quốc', 'Thanh', 'Hoàng', 'Anh', 'Ngọc', 'Đức', 'Gia', 'Bảo', 'Trung'] as const;

const MALE_GIVEN = [
  'Dũng',
  'Hùng',
  'Minh',
  'Tuấn',
  'Nam',
  'Long',
  'Hải',
  'Sơn',
  'Thắng',
  'Phong',
  'Quân',
  'Khoa',
  'Huy',
  'Đạt',
  'Hiếu',
  'Trung',
  'Cường',
  'Phúc',
  'Bình',
  'An',
  'Bảo',
  'Khang',
  'Thịnh',
  'Tài',
  'Lộc',
  'Nghĩa',
  'Vinh',
  'Hoàng',
  'Tùng',
  'Đức',
  'Kiên',
  'Thành',
  'Toàn',
  'Việt',
  'Hưng',
  'Quang',
  'Lâm',
  'Duy',
  'Khánh',
  'Tiến',
  'Thanh',
  'Tâm',
  'Trí',
  'Hòa',
  'Hiệp',
  'Hậu',
  'Lợi',
  'Phát',
  'Nhân',
  'Thông',
  'Quý',
  'Chiến',
  'Tú',
  'Tín',
  'Đông',
  'Giang',
  'Hào',
  'Kha',
  'Luân',
  'Mạnh',
  'Nhật',
  'Phương',
  'Sang',
  'Thái',
  'Thiện',
  'Triều',
  'Trọng',
  'Tường',
  'Vũ',
  'Danh',
  'Dương',
  'Định',
  'Điền',
  'Khôi',
  'Nguyên',
  'Quyết',
  'Sỹ',
  'Thạch',
  'Trường',
  'Uy',
  'Vĩnh',
  'Ân',
] as const;

const FEMALE_GIVEN = [
  'Lan',
  'Hương',
  'Hoa',
  'Mai',
  'Linh',
  'Trang',
  'Ngọc',
  'Thảo',
  'Hà',
  'Huyền',
  'Nhung',
  'Hằng',
  'Yến',
  'Vy',
  'Anh',
  'Phương',
  'Nga',
  'Thủy',
  'Loan',
  'Dung',
  'Oanh',
  'Hạnh',
  'Tâm',
  'Trinh',
  'Chi',
  'Uyên',
  'Quyên',
  'Nhi',
  'Giang',
  'Hiền',
  'Vân',
  'Thư',
  'My',
  'Diệp',
  'Ánh',
  'Hồng',
  'Liên',
  'Lệ',
  'Nguyệt',
  'Thu',
  'Thanh',
  'Tuyết',
  'Xuân',
  'Hạ',
  'Đào',
  'Bích',
  'Châu',
  'Diễm',
  'Duyên',
  'Kiều',
  'Khánh',
  'Ly',
  'Ngân',
  'Nhàn',
  'Như',
  'Quỳnh',
  'Sương',
  'Tiên',
  'Trâm',
  'Tú',
  'Vi',
  'Hậu',
  'Lụa',
  'Mận',
  'Thắm',
  'Huệ',
  'Cúc',
  'Nhài',
  'Gấm',
  'Thơm',
] as const;

const HAMLET_PREFIX = ['Thôn', 'Xóm', 'Tổ dân phố', 'Ấp', 'Khu phố', 'Bản'] as const;
const HAMLET_NAME = [
  'Đông',
  'Tây',
  'Nam',
  'Bắc',
  'Thượng',
  'Hạ',
  'Trung',
  'Phú Mỹ',
  'An Hòa',
  'Tân Lập',
  'Bình An',
  'Hòa Bình',
  'Đồng Tâm',
  'Quyết Thắng',
  'Tiền Phong',
  'Thống Nhất',
  'Phú Lộc',
  'Vĩnh Phúc',
  'Lạc Long',
  'Hưng Đạo',
] as const;
const STREETS = [
  'Lê Lợi',
  'Trần Hưng Đạo',
  'Nguyễn Huệ',
  'Hai Bà Trưng',
  'Lý Thường Kiệt',
  'Phan Đình Phùng',
  'Hùng Vương',
  'Quang Trung',
  'Nguyễn Trãi',
  'Lê Duẩn',
  'Điện Biên Phủ',
  'Võ Thị Sáu',
  'Nguyễn Văn Cừ',
  'Bạch Đằng',
] as const;
const COMMUNES = [
  'xã Hòa Bình',
  'xã Tân Phú',
  'xã An Khánh',
  'phường Bến Thành',
  'phường Hàng Bạc',
  'xã Đông Hưng',
  'xã Phước Long',
  'phường Thạch Thang',
  'xã Vĩnh Thạnh',
  'phường Trường Thi',
  'xã Mỹ Đức',
  'xã Quảng Phú',
  'phường Cẩm Phả',
  'xã Thanh Xuân',
  'xã Yên Lạc',
  'phường Đông Ngạc',
  'xã Hải Dương',
  'xã Nghĩa Trung',
] as const;

const PROVINCE_CODES = Object.keys(LEGACY_BIRTH_PROVINCES);
const PROVINCE_NAMES = Object.values(LEGACY_BIRTH_PROVINCES);
const MOBILE_PREFIX = [
  '090',
  '091',
  '093',
  '094',
  '096',
  '097',
  '098',
  '086',
  '088',
  '089',
  '070',
  '077',
  '079',
  '081',
  '083',
  '084',
  '085',
  '032',
  '033',
  '035',
  '036',
  '037',
  '038',
  '039',
] as const;

export type Sex = 'Nam' | 'Nữ';

export interface NewPerson {
  idNumber: string;
  fullName: string;
  oldIdNumber: string | null;
  birthDate: string;
  sex: Sex;
  address: string;
  idIssueDate: string | null;
  phone: string | null;
  email: string | null;
  portalVerified: boolean;
}

const family = new Weighted(FAMILY);
const maleMiddle = new Weighted(MALE_MIDDLE);
const femaleMiddle = new Weighted(FEMALE_MIDDLE);
const maleGiven = Weighted.ranked(MALE_GIVEN);
const femaleGiven = Weighted.ranked(FEMALE_GIVEN);

export function familyNames(): string[] {
  return FAMILY.map(([name]) => name);
}

export function randomFullName(random: Random, sex: Sex = random.chance(0.5) ? 'Nam' : 'Nữ'): string {
  const parts = [family.pick(random)];
  const add = (pick: () => string) => {
    let name = pick();
    for (let i = 0; i < 8 && parts.includes(name); i++) name = pick();
    parts.push(name);
  };
  if (sex === 'Nam') {
    add(() => maleMiddle.pick(random));
    if (random.chance(0.12)) add(() => random.pick(SECOND_MIDDLE_MALE));
    add(() => maleGiven.pick(random));
  } else {
    add(() => femaleMiddle.pick(random));
    if (random.chance(0.15)) add(() => random.pick(SECOND_MIDDLE_FEMALE));
    add(() => femaleGiven.pick(random));
  }
  return parts.join(' ');
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

function randomDate(random: Random, fromYear: number, toYear: number): string {
  const year = random.int(fromYear, toYear);
  const month = random.int(1, 12);
  const day = random.int(1, month === 2 ? 28 : [4, 6, 9, 11].includes(month) ? 30 : 31);
  return `${year}-${pad2(month)}-${pad2(day)}`;
}

/** A 12-digit personal ID whose old structure matches the birth year and sex. */
export function personalId(random: Random, birthYear: number, sex: Sex): string {
  const century = Math.floor(birthYear / 100) - 19;
  const centuryDigit = century * 2 + (sex === 'Nam' ? 0 : 1);
  return `${random.pick(PROVINCE_CODES)}${centuryDigit}${pad2(birthYear % 100)}${random.digits(6)}`;
}

export function randomAddress(random: Random): string {
  const province = random.pick(PROVINCE_NAMES);
  if (random.chance(0.35)) {
    return `Số ${random.int(1, 450)} đường ${random.pick(STREETS)}, ${random.pick(COMMUNES)}, ${province}`;
  }
  return `${random.pick(HAMLET_PREFIX)} ${random.pick(HAMLET_NAME)}, ${random.pick(COMMUNES)}, ${province}`;
}

export function randomPerson(random: Random, opts: { currentYear: number }): NewPerson {
  const sex: Sex = random.chance(0.5) ? 'Nam' : 'Nữ';
  const birthDate = randomDate(random, 1940, opts.currentYear - 1);
  const birthYear = Number(birthDate.slice(0, 4));
  const adult = birthYear <= opts.currentYear - 14;
  const oldId =
    birthYear < 2000 && random.chance(0.45) ? `${random.pick(['0', '1', '2', '3'])}${random.digits(8)}` : null;
  const issue = adult ? randomDate(random, Math.max(2016, birthYear + 14), opts.currentYear - 1) : null;
  return {
    idNumber: personalId(random, birthYear, sex),
    fullName: randomFullName(random, sex),
    oldIdNumber: oldId,
    birthDate,
    sex,
    address: randomAddress(random),
    idIssueDate: issue !== null && issue > birthDate ? issue : null,
    phone: adult && random.chance(0.75) ? `${random.pick(MOBILE_PREFIX)}${random.digits(7)}` : null,
    email: adult && random.chance(0.08) ? `nguoidan${random.digits(6)}@gmail.com` : null,
    portalVerified: random.chance(0.6),
  };
}

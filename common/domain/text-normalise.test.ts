import { describe, expect, it } from 'vitest';
import { foldVietnamese, tidyText } from './text-normalise';

describe('foldVietnamese', () => {
  it.each([
    ['Nguyễn Văn Dũng', 'nguyen van dung'],
    ['ĐẶNG', 'dang'],
    ['đường Trần Hưng Đạo', 'duong tran hung dao'],
    ['  Lê   Thị\tHồng  ', 'le thi hong'],
    ['Phường Bến Nghé, Quận 1', 'phuong ben nghe, quan 1'],
    ['Huỳnh Ngọc Ánh', 'huynh ngoc anh'],
    ['ỆỘẾỮỸ', 'eoeuy'],
    ['Quảng Ngãi', 'quang ngai'],
    // Decomposed input (NFD, as some keyboards and scanners send it) folds the same way.
    ['Nguye\u0302\u0303n', 'nguyen'],
    ['Thừa Thiên Huế\nViệt Nam', 'thua thien hue viet nam'],
    ['', ''],
    ['ABC 123', 'abc 123'],
  ])('%j → %j', (input, expected) => {
    expect(foldVietnamese(input)).toBe(expected);
  });

  it('makes accented and unaccented spellings equal', () => {
    expect(foldVietnamese('Trần Thị Ngọc Bích')).toBe(foldVietnamese('tran thi ngoc bich'));
  });
});

describe('tidyText', () => {
  it.each([
    ['  Nguye\u0302\u0303n   Văn  A ', 'Nguyễn Văn A'],
    ['Hà\u00a0Nội', 'Hà Nội'],
  ])('%j → %j', (input, expected) => {
    expect(tidyText(input)).toBe(expected);
  });
});

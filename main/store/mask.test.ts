import { describe, expect, it } from 'vitest';
import { looksUnmasked, maskIdNumber, maskPersonalNumbers } from './mask';

describe('mask', () => {
  it('masks a 12-digit personal ID as 5 + 4 stars + 3', () => {
    expect(maskIdNumber('001203004567')).toBe('00120****567');
    expect(looksUnmasked(maskIdNumber('001203004567'))).toBe(false);
  });

  it('masks shorter numbers keeping a quarter at each end', () => {
    expect(maskIdNumber('012345678')).toBe('01*****78');
    expect(maskIdNumber('1234')).toBe('****');
    expect(maskIdNumber('')).toBe('');
  });

  it('masks ID-length digit runs inside free text', () => {
    expect(maskPersonalNumbers('CCCD 001203004567, CMND 012345678, mã 000.00.12.H56-250715-0001')).toBe(
      'CCCD 00120****567, CMND 01*****78, mã 000.00.12.H56-250715-0001',
    );
  });
});

import { describe, expect, it } from 'vitest';
import { looksUnmasked, maskIdNumber, maskPersonalNumbers, redact } from './mask';

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

describe('redact (the backstop of every log line)', () => {
  it('masks personal numbers in strings at any depth, as maskPersonalNumbers does', () => {
    const out = redact({
      note: 'CCCD 001203004567',
      nested: { list: ['CMND 012345678', 42] },
      dossier: '000.00.12.H56-250715-0001',
    });
    expect(out).toEqual({
      note: 'CCCD 00120****567',
      nested: { list: ['CMND 01*****78', 42] },
      dossier: '000.00.12.H56-250715-0001',
    });
    expect(looksUnmasked(JSON.stringify(out).replace('000.00.12.H56-250715-0001', ''))).toBe(false);
  });

  it('replaces the values of secret-looking keys whole', () => {
    expect(
      redact({
        password: 'hunter2',
        pin: '1234',
        clientSecret: 'x',
        accessToken: 'y',
        sessionId: 'z',
        Authorization: 'Bearer q',
        user: 'lan',
      }),
    ).toEqual({
      password: '[redacted]',
      pin: '[redacted]',
      clientSecret: '[redacted]',
      accessToken: '[redacted]',
      sessionId: '[redacted]',
      Authorization: '[redacted]',
      user: 'lan',
    });
  });

  it('stops below depth 5', () => {
    expect(redact({ a: { b: { c: { d: { e: { f: 'deep' } } } } } })).toEqual({
      a: { b: { c: { d: { e: { f: '…' } } } } },
    });
  });
});

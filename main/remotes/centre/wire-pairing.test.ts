import { createHash } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import { createCentreCa, pemToDer } from '../../centre/security/ca';
import {
  caCheckOf,
  caMatchesCheck,
  formatPairingCode,
  newPairingSecret,
  pairingSecretHash,
  parsePairingCode,
} from './wire-pairing';

const CROCKFORD = /^[0-9A-HJKMNP-TV-Z]{8}$/;

let caPem: string;
let otherCaPem: string;
beforeAll(async () => {
  caPem = (await createCentreCa({ commonName: 'CA' })).certPem;
  otherCaPem = (await createCentreCa({ commonName: 'CA' })).certPem;
});

function parseError(text: unknown): AppError {
  try {
    parsePairingCode(text);
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error(`parsed: ${String(text)}`);
}

describe('pairing secrets', () => {
  it('are 8 Crockford base32 characters, shown XXXX-XXXX, and vary', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i += 1) {
      const s = newPairingSecret();
      expect(s).toMatch(CROCKFORD);
      seen.add(s);
    }
    expect(seen.size).toBe(200);
    expect(formatPairingCode('ABCD1234')).toBe('ABCD-1234');
  });

  it('every alphabet character turns up (no bias towards a subset)', () => {
    const chars = new Set<string>();
    for (let i = 0; i < 200; i += 1) for (const c of newPairingSecret()) chars.add(c);
    expect(chars.size).toBe(32);
  });

  it('are stored as SHA-256 hex of the normalised secret', () => {
    expect(pairingSecretHash('ABCD1234')).toBe(createHash('sha256').update('ABCD1234').digest('hex'));
    expect(pairingSecretHash(parsePairingCode('abcd-1234').secret)).toBe(pairingSecretHash('ABCD1234'));
  });
});

describe('the CA check of a desk code', () => {
  it('is the first 8 base32 characters of SHA-256(CA DER)', () => {
    const digest = createHash('sha256').update(pemToDer(caPem)).digest();
    // 40 bits = 5 bytes, read 5 bits at a time.
    const bits = [...digest.subarray(0, 5)].map((b) => b.toString(2).padStart(8, '0')).join('');
    const expected = Array.from(
      { length: 8 },
      (_, i) => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[parseInt(bits.slice(5 * i, 5 * i + 5), 2)],
    ).join('');
    expect(caCheckOf(caPem)).toBe(expected);
  });

  it('round-trips through the printed code and tells this CA from another', () => {
    const secret = newPairingSecret();
    const code = formatPairingCode(secret, caCheckOf(caPem));
    expect(code).toMatch(/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    const parsed = parsePairingCode(code);
    expect(parsed.secret).toBe(secret);
    expect(caMatchesCheck(caPem, parsed.caCheck!)).toBe(true);
    expect(caMatchesCheck(otherCaPem, parsed.caCheck!)).toBe(false);
    expect(caMatchesCheck(caPem, parsed.caCheck!.slice(0, 7))).toBe(false);
    expect(caMatchesCheck('not a certificate', parsed.caCheck!)).toBe(false);
  });
});

describe('parsePairingCode', () => {
  it('is lenient: case, spaces, dashes, I/L → 1, O → 0', () => {
    expect(parsePairingCode('abcd-efgh')).toEqual({ secret: 'ABCDEFGH', caCheck: null });
    expect(parsePairingCode('  ab cd  ef gh ')).toEqual({ secret: 'ABCDEFGH', caCheck: null });
    expect(parsePairingCode('IL0O-ilo0')).toEqual({ secret: '11001100', caCheck: null });
    expect(parsePairingCode('ABCD–EFGH')).toEqual({ secret: 'ABCDEFGH', caCheck: null });
    expect(parsePairingCode('abcd-efgh-jkmn-pqrs')).toEqual({ secret: 'ABCDEFGH', caCheck: 'JKMNPQRS' });
    expect(parsePairingCode('ABCDEFGHJKMNPQRS')).toEqual({ secret: 'ABCDEFGH', caCheck: 'JKMNPQRS' });
  });

  it('refuses wrong lengths, characters and types with CENTRE_PAIRING_INVALID', () => {
    expect(parseError('ABCD-EFG').message).toMatch(/7 ký tự/);
    expect(parseError('ABCD-EFGH-J').message).toMatch(/9 ký tự/);
    expect(parseError('').message).toMatch(/0 ký tự/);
    expect(parseError('ABCD-EFGH-JKMN-PQRS-T').message).toMatch(/17 ký tự/);
    expect(parseError('ABCU-EFGH').message).toMatch(/"U"/);
    expect(parseError('ABC!-EFGH').message).toMatch(/"!"/);
    expect(parseError('ABCĐ-EFGH').message).toMatch(/ký tự không hợp lệ/);
    expect(parseError(12345678).code).toBe('CENTRE_PAIRING_INVALID');
    expect(parseError(null).code).toBe('CENTRE_PAIRING_INVALID');
    expect(parseError('A'.repeat(65)).code).toBe('CENTRE_PAIRING_INVALID');
    expect(parseError('ABCD-EFGH; DROP TABLE').code).toBe('CENTRE_PAIRING_INVALID');
  });
});

import { describe, expect, it } from 'vitest';
import { rolesAllow } from './define';
import { contract, METHOD_NAMES } from './methods';
import { ERROR_CODES, AppError, isErrorCode } from './errors';

describe('contract', () => {
  it('names every method feature.verb', () => {
    for (const name of METHOD_NAMES) expect(name).toMatch(/^[a-z]+\.[a-zA-Z]+$/);
  });
  it('keeps error codes unique and upper snake case', () => {
    expect(new Set(ERROR_CODES).size).toBe(ERROR_CODES.length);
    for (const code of ERROR_CODES) expect(code).toMatch(/^[A-Z][A-Z0-9_]+$/);
  });
  it('checks roles per method', () => {
    expect(rolesAllow(contract['app.info'].roles, null)).toBe(true);
    expect(rolesAllow(contract['intake.receive'].roles, null)).toBe(false);
    expect(rolesAllow(contract['intake.receive'].roles, 'digitiser')).toBe(false);
    expect(rolesAllow(contract['intake.receive'].roles, 'officer')).toBe(true);
    expect(rolesAllow(contract['auth.logout'].roles, 'digitiser')).toBe(true);
  });
  it('carries AppError codes as info', () => {
    const err = new AppError('QR_MALFORMED', 'x', { field: 'birthDate' });
    expect(err.toInfo()).toEqual({ code: 'QR_MALFORMED', message: 'x', details: { field: 'birthDate' } });
    expect(isErrorCode('QR_MALFORMED')).toBe(true);
    expect(isErrorCode('NOPE')).toBe(false);
  });
});

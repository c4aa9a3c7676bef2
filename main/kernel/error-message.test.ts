import { describe, expect, it } from 'vitest';
import { errorMessage } from './error-message';

describe('errorMessage', () => {
  it('keeps the first line of an error, or of anything thrown, at most 500 characters', () => {
    expect(errorMessage(new Error('Máy quét không trả lời\n    at scan (escl.ts:1)'))).toBe('Máy quét không trả lời');
    expect(errorMessage('plain text')).toBe('plain text');
    expect(errorMessage(42)).toBe('42');
    expect(errorMessage(new Error('x'.repeat(800)))).toHaveLength(500);
  });
});

// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { DOSSIER_STATUSES } from '../../../common/domain';
import { createAppI18n } from './index';
import { statusText } from './status-text';

const CODES = Object.keys(DOSSIER_STATUSES).map(Number);

describe('statusText', () => {
  it('names every national status in Vietnamese as the code list does', () => {
    const { t, te } = createAppI18n('vi').global;
    for (const code of CODES)
      expect(statusText(code, t, te)).toBe(DOSSIER_STATUSES[code as keyof typeof DOSSIER_STATUSES]);
  });

  it('names every status in English in the English UI, each differently', () => {
    const { t, te } = createAppI18n('en').global;
    const names = CODES.map((code) => statusText(code, t, te));
    expect(statusText(2, t, te)).toBe('Received');
    expect(statusText(10, t, te)).toBe('Result returned');
    for (const [i, name] of names.entries()) {
      expect(name, `status ${CODES[i]}`).not.toBe(DOSSIER_STATUSES[CODES[i] as keyof typeof DOSSIER_STATUSES]);
      expect(name, `status ${CODES[i]}`).not.toBe(String(CODES[i]));
    }
    expect(new Set(names).size).toBe(CODES.length);
  });

  it('shows a code outside the list as the number', () => {
    const { t, te } = createAppI18n('en').global;
    expect(statusText(42, t, te)).toBe('42');
  });
});

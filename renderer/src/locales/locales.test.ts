// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../../common/contract';
import { errorText } from './error-text';
import { createAppI18n, messages } from './index';

type Tree = { [key: string]: string | Tree };

function keys(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([k, v]) =>
    typeof v === 'string' ? [`${prefix}${k}`] : keys(v, `${prefix}${k}.`),
  );
}

describe('locales', () => {
  it('has a Vietnamese and an English message for every error code', () => {
    for (const code of ERROR_CODES) {
      expect(messages.vi.errors[code], `vi ${code}`).toBeTypeOf('string');
      expect(messages.vi.errors[code].trim(), `vi ${code}`).not.toBe('');
      expect(messages.en.errors[code], `en ${code}`).toBeTypeOf('string');
      expect(messages.en.errors[code].trim(), `en ${code}`).not.toBe('');
    }
    expect(Object.keys(messages.vi.errors).sort()).toEqual([...ERROR_CODES].sort());
    expect(Object.keys(messages.en.errors).sort()).toEqual([...ERROR_CODES].sort());
  });

  it('gives both languages the same keys', () => {
    expect(keys(messages.en as unknown as Tree).sort()).toEqual(keys(messages.vi as unknown as Tree).sort());
  });

  it('compiles every message (no reserved characters used by mistake)', () => {
    for (const locale of ['vi', 'en'] as const) {
      const i18n = createAppI18n(locale);
      for (const key of keys(messages[locale] as unknown as Tree)) {
        if (key === 'unit.none') continue;
        const text = i18n.global.t(key, {
          n: 1,
          code: 'X',
          fields: 'F',
          name: 'N',
          message: 'M',
          printer: 'P',
          date: 'D',
          at: 'A',
          unit: 'U',
        });
        expect(text, `${locale} ${key}`).not.toBe(key);
        expect(text, `${locale} ${key}`).not.toBe('');
      }
    }
  });

  it('defaults to Vietnamese and words LOGIN_FAILED in Vietnamese', () => {
    const i18n = createAppI18n();
    expect(i18n.global.locale.value).toBe('vi');
    expect(i18n.global.t('errors.LOGIN_FAILED')).toBe('Tên đăng nhập hoặc mật khẩu không đúng.');
  });

  it('names the fields of a validation error', () => {
    const { t, te } = createAppI18n('vi').global;
    const text = errorText(
      { code: 'VALIDATION_FAILED', message: '', fields: ['applicant_fullName', 'components_consent'] },
      t,
      te,
    );
    expect(text).toContain('Họ và tên');
    expect(text).toContain('Đồng ý chia sẻ giấy tờ');
  });
});

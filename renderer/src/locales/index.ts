import { createI18n } from 'vue-i18n';
import { en } from './en';
import { vi, type Messages } from './vi';

export type Locale = 'vi' | 'en';
export const LOCALES: readonly Locale[] = ['vi', 'en'];
const LOCALE_KEY = 'motcua.locale';

export const messages: Record<Locale, Messages> = { vi, en };

function storedLocale(): Locale {
  try {
    const saved = globalThis.localStorage?.getItem(LOCALE_KEY);
    return saved === 'en' ? 'en' : 'vi';
  } catch {
    return 'vi';
  }
}

export function rememberLocale(locale: Locale): void {
  try {
    globalThis.localStorage?.setItem(LOCALE_KEY, locale);
  } catch {
    // Storage may be unavailable; the choice then lasts for this page only.
  }
}

export function createAppI18n(locale: Locale = storedLocale()) {
  return createI18n<[Messages], Locale, false>({
    legacy: false,
    locale,
    fallbackLocale: 'vi',
    messages,
    missingWarn: false,
    fallbackWarn: false,
  });
}

type Translate = (key: string) => string;
type Exists = (key: string) => boolean;

/**
 * A dossier status by its national code (`common/domain/status.ts`) in the screen's language
 * (`status.<code>` in the locales); a code outside the list shows as the number itself.
 */
export function statusText(code: number, t: Translate, te: Exists): string {
  const key = `status.${code}`;
  return te(key) ? t(key) : String(code);
}

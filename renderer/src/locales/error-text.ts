import type { UiError } from '../stores/ui-error';

type Translate = (key: string, named?: Record<string, unknown>) => string;
type Exists = (key: string) => boolean;

export function fieldLabel(key: string, t: Translate, te: Exists): string {
  if (te(`fields.${key}`)) return t(`fields.${key}`);
  const last = key.split('_').pop() ?? key;
  return te(`fields.${last}`) ? t(`fields.${last}`) : key;
}

/** The Vietnamese (or English) sentence for an error: the code's message, then what it concerns. */
export function errorText(error: UiError, t: Translate, te: Exists): string {
  const message = t(`errors.${error.code}`);
  if (error.component) return t('errorText.component', { message, name: error.component });
  if (error.fields?.length) {
    const fields = [...new Set(error.fields.map((f) => fieldLabel(f, t, te)))].join(', ');
    return t('errorText.fields', { message, fields });
  }
  return message;
}

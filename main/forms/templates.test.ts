import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formTemplatesDir } from '../kernel/resources';
import {
  FORM_KINDS,
  FormTemplateError,
  clearTemplateCache,
  fillText,
  loadTemplate,
  parseTemplate,
  placeholdersOf,
} from './templates';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  clearTemplateCache();
});

function shipped(kind: string): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(formTemplatesDir(), `${kind}.json`), 'utf8')) as Record<string, unknown>;
}

function writeTemplate(kind: string, content: unknown): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'motcua-templates-'));
  dirs.push(dir);
  writeFileSync(path.join(dir, `${kind}.json`), typeof content === 'string' ? content : JSON.stringify(content));
  return dir;
}

function errorOf(fn: () => unknown): FormTemplateError {
  try {
    fn();
  } catch (err) {
    if (err instanceof FormTemplateError) return err;
    throw err;
  }
  throw new Error('expected a FormTemplateError');
}

describe('form templates', () => {
  it.each(FORM_KINDS)('the shipped %s template is valid', (kind) => {
    const t = loadTemplate(kind);
    expect(t.form).toBe(kind);
    expect(t.header.nation).toBe('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM');
    expect(t.header.motto).toBe('Độc lập - Tự do - Hạnh phúc');
    expect(t.title.length).toBeGreaterThan(10);
  });

  it('rejects a template without a title, naming the field and the file', () => {
    const content = shipped('receipt');
    delete content.title;
    const dir = writeTemplate('receipt', content);
    const err = errorOf(() => loadTemplate('receipt', dir));
    expect(err.issues).toEqual([{ field: 'title', message: expect.stringMatching(/required field is missing/) }]);
    expect(err.message).toContain('field "title": required field is missing');
    expect(err.message).toContain(path.join(dir, 'receipt.json'));
    expect(err.kind).toBe('receipt');
  });

  it('names nested fields, unknown fields and bad placeholders', () => {
    const content = shipped('supplement') as { labels: Record<string, unknown>; header: Record<string, unknown> };
    delete content.labels.reason;
    content.labels.intro = 'Sau khi kiểm tra, {agncy} đề nghị:';
    content.header.extra = 'x';
    const err = errorOf(() => parseTemplate('supplement', content, 'supplement.json'));
    const fields = err.issues.map((i) => i.field).sort();
    expect(fields).toEqual(['header.extra', 'labels.intro', 'labels.reason']);
    expect(err.message).toMatch(/labels\.intro.*unknown placeholder \{agncy\}.*\{agency\}/);
    expect(err.message).toMatch(/header\.extra.*unknown field/);
  });

  it('rejects empty texts and a template of another form', () => {
    const content = shipped('refusal');
    content.title = '   ';
    expect(errorOf(() => parseTemplate('refusal', content)).message).toMatch(/field "title": must not be empty/);
    expect(errorOf(() => parseTemplate('receipt', shipped('refusal'))).issues.some((i) => i.field === 'form')).toBe(
      true,
    );
  });

  it('reports unreadable and non-JSON files', () => {
    const dir = writeTemplate('refusal', '{ "form": "refusal", ');
    expect(errorOf(() => loadTemplate('refusal', dir)).message).toMatch(/not valid JSON/);
    expect(errorOf(() => loadTemplate('receipt', dir)).message).toMatch(/cannot read file/);
  });

  it('fills placeholders and refuses a missing value', () => {
    expect(placeholdersOf('Ngày {day} tháng {month}')).toEqual(['day', 'month']);
    expect(fillText('{amount} đồng', { amount: '30.000' })).toBe('30.000 đồng');
    expect(() => fillText('{amount} đồng', {})).toThrow(/\{amount\}/);
  });
});

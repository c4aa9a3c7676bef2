import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formTemplatesDir } from '../kernel/resources';

/**
 * Form templates: the fixed wording of each printed form (national header, title, labels,
 * footnotes) lives in `resources/forms/<kind>.json` so it can change with the regulations
 * without a code change. Layout (positions, sizes, wrapping, tables, page breaks) is code.
 *
 * Texts may carry `{name}` placeholders; each text accepts only the placeholders listed for it
 * in the schema below, so a typo in a template is caught when it is loaded.
 */

const PLACEHOLDER = /\{([^{}]*)\}/g;

/** Names of the `{placeholders}` in a text, in order of appearance. */
export function placeholdersOf(text: string): string[] {
  return [...text.matchAll(PLACEHOLDER)].map((m) => m[1] ?? '');
}

function text(allowed: readonly string[] = []) {
  return z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .superRefine((value, ctx) => {
      for (const name of placeholdersOf(value)) {
        if (!allowed.includes(name)) {
          const hint =
            allowed.length > 0
              ? `allowed: ${allowed.map((a) => `{${a}}`).join(', ')}`
              : 'this text takes no placeholders';
          ctx.addIssue({ code: 'custom', message: `unknown placeholder {${name}} (${hint})` });
        }
      }
    });
}

const headerSchema = z.strictObject({
  /** "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" */
  nation: text(),
  /** "Độc lập - Tự do - Hạnh phúc" */
  motto: text(),
  /** The desk's own unit, printed under the agency name. */
  unit: text(),
  /** Line with the agency's electronic identifier. */
  agencyId: text(['id']),
});

function formSchema<K extends string, L extends z.ZodRawShape>(kind: K, labels: L) {
  return z.strictObject({
    $schema: z.string().optional(),
    form: z.literal(kind),
    /** "Mẫu số 01" etc., printed top right; omit when the current regulation numbers differently. */
    formCode: text().optional(),
    title: text(),
    /** PDF document subject (metadata). */
    subject: text(),
    header: headerSchema,
    /** Date line under the national motto. */
    dateLine: text(['day', 'month', 'year']),
    /** A time with its date, e.g. "{hour} giờ {minute} phút, ngày {date}". */
    timeFormat: text(['hour', 'minute', 'date']),
    /** An amount of money, e.g. "{amount} đồng". */
    currency: text(['amount']),
    /** Printed where an optional value is absent. */
    emptyValue: text(),
    /** Mark on every page of a training-mode form. */
    trainingMark: text(),
    /** Footer on multi-page forms. */
    pageFooter: text(['code', 'page', 'pages']),
    /** "(Ký và ghi rõ họ tên)" */
    signHint: text(),
    labels: z.strictObject(labels),
    footnotes: z.array(text()),
  });
}

const receiptSchema = formSchema('receipt', {
  dossierCode: text(),
  applicant: text(),
  idNumber: text(),
  address: text(),
  phone: text(),
  email: text(),
  procedure: text(),
  procedureCode: text(),
  channel: text(),
  componentsHeading: text(),
  componentsContinued: text(),
  noComponents: text(),
  table: z.strictObject({
    index: text(),
    name: text(),
    originals: text(),
    copies: text(),
    source: text(),
  }),
  feesHeading: text(),
  noFees: text(),
  totalFee: text(),
  receivedAt: text(),
  appointmentAt: text(),
  noDeadline: text(),
  collectAt: text(),
  qrCaption: text(),
  applicantSign: text(),
  officerSign: text(),
});

const supplementSchema = formSchema('supplement', {
  dossierCode: text(),
  applicant: text(),
  idNumber: text(),
  procedure: text(),
  procedureCode: text(),
  intro: text(['agency']),
  reason: text(),
  contactIntro: text(),
  officer: text(),
  contact: text(),
  closing: text(),
  officerSign: text(),
});

const refusalSchema = formSchema('refusal', {
  dossierCode: text(),
  applicant: text(),
  idNumber: text(),
  address: text(),
  procedure: text(),
  procedureCode: text(),
  intro: text(['agency']),
  closing: text(),
  officerSign: text(),
});

const apologySchema = formSchema('apology', {
  dossierCode: text(),
  applicant: text(),
  idNumber: text(),
  address: text(),
  procedure: text(),
  procedureCode: text(),
  receivedAt: text(),
  previousAppointmentAt: text(),
  intro: text(['agency']),
  reason: text(),
  apology: text(['agency']),
  newAppointmentAt: text(),
  closing: text(),
  officerSign: text(),
});

const schemas = {
  receipt: receiptSchema,
  supplement: supplementSchema,
  refusal: refusalSchema,
  apology: apologySchema,
} as const;

export type FormKind = keyof typeof schemas;
export const FORM_KINDS = Object.keys(schemas) as FormKind[];

export type ReceiptTemplate = z.infer<typeof receiptSchema>;
export type SupplementTemplate = z.infer<typeof supplementSchema>;
export type RefusalTemplate = z.infer<typeof refusalSchema>;
export type ApologyTemplate = z.infer<typeof apologySchema>;
export type FormTemplateOf<K extends FormKind> = z.infer<(typeof schemas)[K]>;
export type AnyFormTemplate = FormTemplateOf<FormKind>;

export interface TemplateIssue {
  /** Dotted path of the offending field, e.g. `labels.table.name`; empty for the whole file. */
  field: string;
  message: string;
}

/** A template file that cannot be read, is not JSON, or does not match its form's schema. */
export class FormTemplateError extends Error {
  override readonly name = 'FormTemplateError';
  constructor(
    readonly kind: FormKind,
    readonly source: string,
    readonly issues: readonly TemplateIssue[],
  ) {
    super(
      `Invalid form template "${kind}" (${source}): ` +
        issues.map((i) => (i.field === '' ? i.message : `field "${i.field}": ${i.message}`)).join('; '),
    );
  }
}

function issueField(p: readonly PropertyKey[]): string {
  return p
    .map((k) => (typeof k === 'number' ? `[${k}]` : String(k)))
    .join('.')
    .replace(/\.\[/g, '[');
}

/** Validates an already parsed template; `source` names it in errors. */
export function parseTemplate<K extends FormKind>(kind: K, json: unknown, source: string = kind): FormTemplateOf<K> {
  const result = schemas[kind].safeParse(json);
  if (!result.success) {
    const issues: TemplateIssue[] = [];
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys)
          issues.push({ field: issueField([...issue.path, key]), message: 'unknown field' });
      } else if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) {
        issues.push({
          field: issueField(issue.path),
          message: `required field is missing (expected ${issue.expected})`,
        });
      } else {
        issues.push({ field: issueField(issue.path), message: issue.message });
      }
    }
    throw new FormTemplateError(kind, source, issues);
  }
  return result.data as FormTemplateOf<K>;
}

const cache = new Map<string, AnyFormTemplate>();

/**
 * Loads and validates `<dir>/<kind>.json` (default dir: `resources/forms`). Results are cached
 * per file; `clearTemplateCache()` drops them (tests, or after templates are updated).
 */
export function loadTemplate<K extends FormKind>(kind: K, dir: string = formTemplatesDir()): FormTemplateOf<K> {
  const file = path.resolve(dir, `${kind}.json`);
  const cached = cache.get(file);
  if (cached !== undefined) return cached as FormTemplateOf<K>;
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new FormTemplateError(kind, file, [{ field: '', message: `cannot read file: ${(err as Error).message}` }]);
  }
  let json: unknown;
  try {
    json = JSON.parse(raw.replace(/^\uFEFF/, ''));
  } catch (err) {
    throw new FormTemplateError(kind, file, [{ field: '', message: `not valid JSON: ${(err as Error).message}` }]);
  }
  const template = parseTemplate(kind, json, file);
  cache.set(file, template);
  return template;
}

export function clearTemplateCache(): void {
  cache.clear();
}

/**
 * Replaces `{name}` placeholders. Every placeholder in the text must have a value: a missing one
 * is a programming error, reported with the text that needs it.
 */
export function fillText(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(PLACEHOLDER, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`No value for placeholder ${whole} in "${template}"`);
    return value;
  });
}

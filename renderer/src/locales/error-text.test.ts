// @vitest-environment happy-dom
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ERROR_CODES, VERIFY_PROBLEMS } from '../../../common/contract';
import { PersonInput } from '../../../common/contract/schemas';
import { toValidationIssue } from '../../../common/contract/validation-issue';
import { ApiError } from '../api/api-error';
import { toUiError } from '../stores/ui-error';
import { codeText, errorText, knownCodeIn, verifyProblemText } from './error-text';
import { createAppI18n, messages } from './index';
import { RAW_MESSAGE_PATTERNS } from './raw-message-patterns';

/** Raw English a library or zod hands back; none of it may reach a Vietnamese screen. */
const RAW = [
  'Too big: expected number to be <=9',
  'message digest does not match the signed bytes',
  'Failed to parse PDF document (line:0 col:0 offset=0): No PDF header found',
  'lp: The printer or class does not exist.',
];

describe('error rendering never shows a raw English message', () => {
  const vi = createAppI18n('vi').global;

  it.each(ERROR_CODES.map((code) => [code]))('%s', (code) => {
    for (const raw of RAW) {
      const text = errorText({ code, message: raw }, vi.t, vi.te);
      expect(text).toBe(messages.vi.errors[code]);
      expect(text).not.toContain(raw);
    }
  });

  it('words zod field issues in Vietnamese from a real validation failure', () => {
    const params = z
      .object({
        deskSlot: z.number().int().max(9),
        counter: z.string().min(1),
        note: z.string().max(5),
        when: z.string().regex(/^\d{2}:\d{2}$/),
      })
      .strict();
    const parsed = params.safeParse({ deskSlot: 12, counter: '', note: 'quá dài rồi', when: '7h' });
    expect(parsed.success).toBe(false);
    const details = { issues: parsed.error!.issues.map(toValidationIssue) };
    const error = toUiError(new ApiError('VALIDATION_FAILED', 'Dữ liệu gửi lên không hợp lệ.', details));
    const text = errorText(error, vi.t, vi.te);
    expect(text).toContain('Giá trị quá lớn (tối đa 9)');
    expect(text).toContain('Chưa nhập');
    expect(text).toContain('Quá dài (tối đa 5 ký tự)');
    expect(text).toContain('Sai định dạng');
    expect(text.startsWith(messages.vi.errors.VALIDATION_FAILED)).toBe(true);
    expect(text).not.toMatch(/Too big|Too small|Invalid|expected/);
    const en = createAppI18n('en').global;
    expect(errorText(error, en.t, en.te)).toContain('Value too large (at most 9)');
  });

  it('words a name refused for a hidden character from a real applicant schema failure', () => {
    const parsed = PersonInput.safeParse({
      kind: 'citizen',
      idNumber: '001090012345',
      fullName: 'Trần \u202eAnh',
      oldIdNumber: null,
      birthDate: null,
      sex: null,
      address: 'Số 1\u200b phố Huế',
      idIssueDate: null,
      phone: null,
      email: null,
    });
    expect(parsed.success).toBe(false);
    const details = { issues: parsed.error!.issues.map(toValidationIssue) };
    const error = toUiError(new ApiError('VALIDATION_FAILED', 'Dữ liệu gửi lên không hợp lệ.', details));
    const text = errorText(error, vi.t, vi.te);
    expect(text).toContain(messages.vi.textSafety.BIDI_CONTROL);
    expect(text).toContain(messages.vi.textSafety.ZERO_WIDTH);
    expect(text).not.toContain('Giá trị không hợp lệ');
  });

  it('words every signature-check problem, and never echoes an unknown one', () => {
    for (const problem of VERIFY_PROBLEMS) {
      expect(vi.te(`verify.problems.${problem}`), problem).toBe(true);
      expect(verifyProblemText(problem, vi.t, vi.te)).toBe(messages.vi.verify.problems[problem]);
      expect(messages.en.verify.problems[problem]).not.toBe(messages.vi.verify.problems[problem]);
    }
    for (const raw of RAW) expect(verifyProblemText(raw, vi.t, vi.te)).toBe(messages.vi.verify.problems.UNKNOWN);
    expect(verifyProblemText(null, vi.t, vi.te)).toBe('');
  });

  it('a code sent as plain text reads from the locale, an unknown code as the internal error', () => {
    expect(codeText('PRINTER_NOT_SET', vi.t, vi.te)).toBe(messages.vi.errors.PRINTER_NOT_SET);
    expect(codeText('Paper out (DLE EOT 4)', vi.t, vi.te)).toBe(messages.vi.errors.INTERNAL);
  });

  it('no Vietnamese error, issue or signature-problem text is left in English', () => {
    const groups = [
      [messages.vi.errors, messages.en.errors],
      [messages.vi.issue, messages.en.issue],
      [messages.vi.verify.problems, messages.en.verify.problems],
    ] as const;
    for (const [viGroup, enGroup] of groups) {
      for (const [key, text] of Object.entries(viGroup)) {
        expect(text, key).not.toBe((enGroup as Record<string, string>)[key]);
      }
    }
  });

  it('no screen shows a raw message: every text of an error comes from the locale by its code', () => {
    const root = join(import.meta.dirname, '..');
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith('.vue')) files.push(path);
      }
    };
    walk(root);
    expect(files.length).toBeGreaterThan(10);
    const found: string[] = [];
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      for (const [what, pattern] of RAW_MESSAGE_PATTERNS) {
        const hit = pattern.exec(source);
        if (hit) found.push(`${file.slice(root.length + 1)}: ${what}: ${hit[0]}`);
      }
    }
    expect(found).toEqual([]);
  });

  it('the raw-message patterns catch what they are meant to catch', () => {
    const shapes = [
      '<span>{{ s.error.message }}</span>',
      "const pageError = (p) => p.error?.message || t('x');",
      ':detail="store.finishError.message || undefined"',
      '{{ te(`errors.${d.code}`) ? t(`errors.${d.code}`) : d.message }}',
      'voiceError.value = err instanceof Error ? err.message : String(err);',
      "t('sync.lastError', { message: app.sync.lastError })",
      '<div class="muted">{{ r.breakerError }}</div>',
      '— {{ signature.integrity.problem }}',
    ];
    const patterns = RAW_MESSAGE_PATTERNS.map(([, p]) => p);
    for (const shape of shapes)
      expect(
        patterns.some((p) => p.test(shape)),
        shape,
      ).toBe(true);
    for (const fine of [
      '{{ codeText(d.code, t, te) }}',
      "t('sync.lastError', { message: syncErrorText(status.lastError, t, te) })",
      '{{ problem(signature.chain.problem) }}',
    ]) {
      expect(
        patterns.some((p) => p.test(fine)),
        fine,
      ).toBe(false);
    }
  });

  it('words a code found in a line of text, and nothing else of the line', () => {
    expect(knownCodeIn('gave up after 3 attempts: REMOTE_TIMEOUT: timeout of 10000ms exceeded', vi.te)).toBe(
      'REMOTE_TIMEOUT',
    );
    expect(knownCodeIn('HTTP 503 Service Unavailable', vi.te)).toBeNull();
    expect(knownCodeIn(null, vi.te)).toBeNull();
  });
});

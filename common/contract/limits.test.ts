import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MESSAGE_LIMITS } from './message-limits';
import { contract, METHOD_NAMES } from './methods';

/**
 * Every text and every list a caller can send has a bound (docs/architecture.md, "Limits before
 * login and on personal text"): the walk goes through each method's params schema and names every
 * `z.string()` without a maximum length and every array without a maximum size.
 *
 * A string also counts as bounded when a pattern fixes its length: a format such as `uuid`, or a
 * regex anchored at both ends with no open-ended repetition (`^\d{4}-\d{2}-\d{2}$`). A record
 * counts as bounded when its keys are (`^\d{1,4}$`: at most 10,000 entries).
 */
interface CheckDef {
  check?: string;
  maximum?: number;
  format?: string;
  pattern?: RegExp;
}
interface AnyDef {
  type: string;
  checks?: { _zod: { def: CheckDef } }[];
  format?: string;
  pattern?: RegExp;
  shape?: Record<string, z.ZodType>;
  catchall?: z.ZodType;
  element?: z.ZodType;
  innerType?: z.ZodType;
  in?: z.ZodType;
  out?: z.ZodType;
  options?: z.ZodType[];
  left?: z.ZodType;
  right?: z.ZodType;
  items?: z.ZodType[];
  rest?: z.ZodType | null;
  keyType?: z.ZodType;
  valueType?: z.ZodType;
  getter?: () => z.ZodType;
}

function defOf(schema: z.ZodType): AnyDef {
  return (schema as unknown as { _zod: { def: AnyDef } })._zod.def;
}

/** No `*`, `+` or `{n,}` outside a character class, anchored at both ends. */
function fixedLengthPattern(pattern: RegExp): boolean {
  const source = pattern.source.replace(/\\./g, 'x').replace(/\[[^\]]*\]/g, 'x');
  return source.startsWith('^') && source.endsWith('$') && !/[*+]|\{\d+,\}/.test(source);
}

function stringBounded(def: AnyDef): boolean {
  if (def.format && def.format !== 'regex' && def.pattern && fixedLengthPattern(def.pattern)) return true;
  return (def.checks ?? []).some(
    ({ _zod: { def: check } }) =>
      check.check === 'max_length' ||
      check.check === 'length_equals' ||
      (check.check === 'string_format' && check.pattern !== undefined && fixedLengthPattern(check.pattern)),
  );
}

function arrayBounded(def: AnyDef): boolean {
  return (def.checks ?? []).some(
    ({ _zod: { def: check } }) => check.check === 'max_length' || check.check === 'length_equals',
  );
}

/** Paths of unbounded strings and arrays under `schema` (`file.name`, `files[]`, …). */
export function unboundedInputs(schema: z.ZodType, path = '', seen = new Set<unknown>()): string[] {
  if (seen.has(schema)) return [];
  seen.add(schema);
  const def = defOf(schema);
  const walk = (child: z.ZodType | null | undefined, at: string) => (child ? unboundedInputs(child, at, seen) : []);
  switch (def.type) {
    case 'string':
      return stringBounded(def) ? [] : [path || '(root)'];
    case 'array':
      return [...(arrayBounded(def) ? [] : [`${path}[]`]), ...walk(def.element, `${path}[]`)];
    case 'object':
      return [
        ...Object.entries(def.shape ?? {}).flatMap(([key, child]) => walk(child, path ? `${path}.${key}` : key)),
        ...(def.catchall && defOf(def.catchall).type !== 'never'
          ? [`${path}.*`, ...walk(def.catchall, `${path}.*`)]
          : []),
      ];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
    case 'catch':
    case 'nonoptional':
      return walk(def.innerType, path);
    case 'pipe':
      return walk(def.in, path);
    case 'union':
      return (def.options ?? []).flatMap((option) => walk(option, path));
    case 'intersection':
      return [...walk(def.left, path), ...walk(def.right, path)];
    case 'tuple':
      return [
        ...(def.items ?? []).flatMap((item, i) => walk(item, `${path}[${i}]`)),
        ...(def.rest ? [`${path}[...]`] : []),
      ];
    case 'record':
      // Bounded when its keys are: a key pattern of fixed length allows finitely many entries.
      return [
        ...(def.keyType && unboundedInputs(def.keyType, '', new Set()).length === 0 ? [] : [`${path}{}`]),
        ...walk(def.valueType, `${path}{}`),
      ];
    case 'lazy':
      return walk(def.getter?.(), path);
    case 'any':
    case 'unknown':
      return [`${path} (any)`];
    default:
      return [];
  }
}

describe('contract limits', () => {
  it('finds an unbounded string and an unbounded array (the walk itself)', () => {
    const sample = z.object({
      note: z.string(),
      tags: z.array(z.string().max(10)),
      ok: z.string().max(5),
      day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
      loose: z.string().regex(/^[a-z]+$/),
      id: z.string().uuid(),
      nested: z.array(z.object({ text: z.string().nullable().optional() })).max(3),
      piped: z.string().transform((s) => s.trim()),
      byGroup: z.record(z.string().regex(/^\d{1,4}$/), z.string().max(3)),
      byName: z.record(z.string(), z.number()),
    });
    expect(unboundedInputs(sample).sort()).toEqual(
      ['byName{}', 'loose', 'nested[].text', 'note', 'piped', 'tags[]'].sort(),
    );
  });

  it("bounds every string and every array in every method's params", () => {
    const unbounded = METHOD_NAMES.flatMap((method) =>
      unboundedInputs(contract[method].params).map((path) => `${method}: ${path}`),
    );
    expect(unbounded).toEqual([]);
  });

  it('refuses control, bidi and zero-width characters in notes and reasons, and keeps their line breaks', () => {
    const refuse = contract['dossier.refuse'].params;
    expect(refuse.safeParse({ code: 'X', reasons: ['Thiếu giấy tờ.\nĐã hẹn bổ sung.'] })).toMatchObject({
      success: true,
      data: { reasons: ['Thiếu giấy tờ.\nĐã hẹn bổ sung.'] },
    });
    for (const bad of ['abc\u202Edef', 'a\u0000b', 'a\u200Bb'])
      expect(refuse.safeParse({ code: 'X', reasons: [bad] }).success).toBe(false);
    expect(refuse.safeParse({ code: 'X', reasons: Array.from({ length: 21 }, () => 'lý do') }).success).toBe(false);
    const supplement = contract['dossier.requestSupplement'].params;
    expect(supplement.safeParse({ code: 'X', missing: ['TP1'], reason: 'x'.repeat(2001) }).success).toBe(false);
    expect(supplement.safeParse({ code: 'X', missing: ['TP1'], reason: 'Bổ sung \u202Ebản sao' }).success).toBe(false);
    const apology = contract['returns.issueApology'].params;
    expect(apology.safeParse({ code: 'X', extensionDays: 3, reason: '  Chờ ý kiến\r\nsở  ' })).toMatchObject({
      success: true,
      data: { reason: 'Chờ ý kiến\r\nsở' },
    });
    expect(apology.safeParse({ code: 'X', extensionDays: 3, reason: 'a\u2066b' }).success).toBe(false);
    const handOver = contract['returns.handOver'].params;
    expect(
      handOver.safeParse({ code: 'X', delivery: 'desk', collector: { kind: 'applicant' }, note: 'ghi chú\u0007' })
        .success,
    ).toBe(false);
  });

  it("bounds one imported file's base64 so the request still fits one signed-in message", () => {
    const room = MESSAGE_LIMITS.signedInBytes - MESSAGE_LIMITS.envelopeBytes;
    const files = (length: number) => ({ files: [{ name: 'a.pdf', base64: 'A'.repeat(length) }] });
    const importFiles = contract['digitise.importFiles'].params;
    expect(importFiles.safeParse(files(room)).success).toBe(true);
    expect(importFiles.safeParse(files(room + 1)).success).toBe(false);
  });
});

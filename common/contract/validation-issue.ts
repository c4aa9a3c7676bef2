import type { z } from 'zod';

/**
 * One problem of a `VALIDATION_FAILED` error, as it crosses the RPC boundary: the field, zod's
 * stable issue `code` and the bound it broke, so the screen words it from its locales
 * ("Giá trị quá lớn (tối đa 9)"). `message` is zod's English, kept for logs only: never shown.
 */
export interface ValidationIssue {
  path: string;
  code: string;
  message: string;
  /** too_big / too_small: the bound, and what was measured (number, string length, array size). */
  limit?: number;
  origin?: string;
  inclusive?: boolean;
  /** custom: a stable problem code the check named (e.g. `BIDI_CONTROL` from `checkSingleLineText`). */
  problem?: string;
}

export function toValidationIssue(issue: z.core.$ZodIssue): ValidationIssue {
  const base: ValidationIssue = { path: issue.path.map(String).join('.'), code: issue.code, message: issue.message };
  if (issue.code === 'too_big' || issue.code === 'too_small') {
    const limit = Number(issue.code === 'too_big' ? issue.maximum : issue.minimum);
    return {
      ...base,
      ...(Number.isFinite(limit) ? { limit } : {}),
      origin: issue.origin,
      ...(issue.inclusive === undefined ? {} : { inclusive: issue.inclusive }),
    };
  }
  if (issue.code === 'custom' && typeof issue.params?.problem === 'string')
    return { ...base, problem: issue.params.problem };
  return base;
}

import type { ErrorCode } from '../../../common/contract';
import { ApiError } from '../api';

/**
 * An error as the screens keep it: plain data (it may sit in a persisted draft), the stable code
 * the message is looked up by, and the fields it concerns as message keys (`applicant_fullName`).
 */
export interface UiError {
  code: ErrorCode;
  message: string;
  fields?: string[];
  /** Name of the dossier component concerned, when there is one. */
  component?: string;
  /** A `VALIDATION_FAILED` answer's field problems, worded by `issueText` (never zod's English). */
  issues?: UiIssue[];
}

export interface UiIssue {
  /** Message key of the field (`agency_deskSlot`), '' for the request as a whole. */
  field: string;
  /** zod's issue code: `too_big`, `too_small`, `invalid_type`, `invalid_format`, … */
  code: string;
  limit?: number;
  origin?: string;
  inclusive?: boolean;
  /** custom issues: the check's problem code (`BIDI_CONTROL`, …), worded by `textSafety.*`. */
  problem?: string;
}

function pathKey(path: unknown): string | null {
  if (typeof path === 'string')
    return (
      path
        .split('.')
        .filter((p) => !/^\d+$/.test(p))
        .join('_') || null
    );
  if (Array.isArray(path)) {
    const parts = path.filter((p): p is string => typeof p === 'string');
    return parts.length ? parts.join('_') : null;
  }
  return null;
}

/**
 * Field keys named by a VALIDATION_FAILED error: `{ field }`, `{ fields }`, `{ issues: [{ path }] }` or `[{ path }]`.
 */
export function fieldsFromDetails(details: unknown): string[] {
  const found = new Set<string>();
  const visit = (value: unknown) => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const v = value as Record<string, unknown>;
    for (const candidate of [v.field, v.path]) {
      const key = pathKey(candidate);
      if (key) found.add(key);
    }
    if (Array.isArray(v.fields))
      for (const f of v.fields) {
        const key = pathKey(f);
        if (key) found.add(key);
      }
    if (Array.isArray(v.issues)) visit(v.issues);
  };
  visit(details);
  return [...found];
}

/**
 * The field problems of a `VALIDATION_FAILED` answer (`details.issues`, see
 * `common/contract/validation-issue.ts`): field key, zod's issue code and bound. zod's English
 * `message` is left behind on purpose.
 */
export function issuesFromDetails(details: unknown): UiIssue[] {
  if (typeof details !== 'object' || details === null) return [];
  const issues = (details as { issues?: unknown }).issues;
  if (!Array.isArray(issues)) return [];
  return issues.flatMap((raw): UiIssue[] => {
    if (typeof raw !== 'object' || raw === null) return [];
    const i = raw as Record<string, unknown>;
    if (typeof i.code !== 'string' || typeof i.path !== 'string') return [];
    const field = i.path
      .split('.')
      .filter((p) => !/^\d+$/.test(p))
      .join('_');
    return [
      {
        field,
        code: i.code,
        ...(typeof i.limit === 'number' ? { limit: i.limit } : {}),
        ...(typeof i.origin === 'string' ? { origin: i.origin } : {}),
        ...(i.inclusive === false ? { inclusive: false } : {}),
        ...(typeof i.problem === 'string' ? { problem: i.problem } : {}),
      },
    ];
  });
}

export function toUiError(err: unknown): UiError {
  const apiError = ApiError.from(err);
  const fields = fieldsFromDetails(apiError.details);
  const issues = issuesFromDetails(apiError.details);
  return {
    code: apiError.code,
    message: apiError.message,
    ...(fields.length ? { fields } : {}),
    ...(issues.length ? { issues } : {}),
  };
}

export function isCode(err: unknown, code: ErrorCode): boolean {
  return err instanceof ApiError && err.code === code;
}

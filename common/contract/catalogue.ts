import { z } from 'zod';
import { define, STAFF } from './define';
import { CODE_LIMITS, Procedure, ProcedureSummary } from './schemas';

// The catalogue of procedures (pulled from the national portal, the version in force today).

export const catalogueMethods = {
  'catalogue.search': define(
    z.object({ query: z.string().max(200), limit: z.number().int().min(1).max(100).default(20) }),
    z.array(ProcedureSummary),
    STAFF,
  ),
  'catalogue.get': define(z.object({ code: z.string().min(1).max(CODE_LIMITS.procedure) }), Procedure, STAFF),
} as const;

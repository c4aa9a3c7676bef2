import { z } from 'zod';
import { TEXT_LIMITS } from '../domain/text-safety';
import { define, DESK, DossierCodeParam, PdfFile, PrintJob, STAFF } from './define';
import {
  CODE_LIMITS,
  Dossier,
  DossierDocumentKind,
  DossierStatus,
  DossierSummary,
  LocalDate,
  safeText,
} from './schemas';

// Received dossiers: today's list, the search, one dossier with its forms, a supplement request, a refusal.

export const dossierMethods = {
  'dossier.listToday': define(z.object({ query: z.string().max(100).default('') }), z.array(DossierSummary), STAFF),
  /**
   * Dossiers by name (folded), ID, code or code prefix, narrowed by the day received (inclusive
   * range) and the status; an empty query needs at least one filter.
   */
  'dossier.search': define(
    z
      .object({
        query: z.string().max(100).default(''),
        limit: z.number().int().min(1).max(200).default(50),
        receivedFrom: LocalDate.optional(),
        receivedTo: LocalDate.optional(),
        status: DossierStatus.optional(),
      })
      .refine(
        (p) =>
          p.query.trim() !== '' || p.receivedFrom !== undefined || p.receivedTo !== undefined || p.status !== undefined,
        'cần từ khóa hoặc bộ lọc',
      )
      .refine((p) => !p.receivedFrom || !p.receivedTo || p.receivedFrom <= p.receivedTo, {
        message: 'từ ngày sau đến ngày',
        path: ['receivedTo'],
      }),
    z.array(DossierSummary),
    STAFF,
  ),
  'dossier.get': define(z.object({ code: DossierCodeParam }), Dossier, STAFF),
  'dossier.document': define(z.object({ code: DossierCodeParam, kind: DossierDocumentKind }), PdfFile, STAFF),
  'dossier.printReceipt': define(z.object({ code: DossierCodeParam }), PrintJob, DESK),
  'dossier.requestSupplement': define(
    z.object({
      code: DossierCodeParam,
      /** Component codes of the dossier. */
      missing: z.array(z.string().min(1).max(CODE_LIMITS.component)).min(1).max(200),
      reason: safeText(TEXT_LIMITS.note, { min: 1 }),
    }),
    Dossier,
    DESK,
  ),
  'dossier.refuse': define(
    z.object({
      code: DossierCodeParam,
      reasons: z
        .array(safeText(TEXT_LIMITS.note, { min: 1 }))
        .min(1)
        .max(20),
    }),
    Dossier,
    DESK,
  ),
} as const;

import { z } from 'zod';
import { define, DIGITISE, PdfFile } from './define';
import { LocalDate, LocalDateTime } from './schemas';

// The document store as the digitisation station reads it: documents found by owner, code or text, and their PDFs.

export const DocumentSearchHit = z.object({
  id: z.string(),
  source: z.enum(['local', 'national']),
  ownerIdNumber: z.string(),
  ownerName: z.string().nullable(),
  documentCode: z.string(),
  documentName: z.string(),
  dossierCode: z.string().nullable(),
  digitisedAt: LocalDateTime.nullable(),
  pageCount: z.number().int().nullable(),
  sizeBytes: z.number().int().nullable(),
  validUntil: LocalDate.nullable(),
  convertedFromPaper: z.boolean(),
  snippet: z.string(),
});

export const documentsMethods = {
  'documents.search': define(
    z.object({ query: z.string().min(1).max(200), limit: z.number().int().min(1).max(100).default(20) }),
    z.array(DocumentSearchHit),
    DIGITISE,
  ),
  /** The PDF of a document digitised at this desk (`L:<n>`), as stored (signed once signing has run). */
  'documents.pdf': define(
    z.object({ id: z.string().regex(/^L:\d{1,12}$/, 'mã văn bản số hóa dạng L:123') }),
    PdfFile,
    DIGITISE,
  ),
} as const;

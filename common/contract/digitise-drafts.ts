import { z } from 'zod';

/**
 * The metadata form of one document of an open scan batch, as typed (dates and codes may still be
 * wrong: the form is checked only when the document is finished). Kept by the core with the batch
 * so it survives a restart of the app (see docs/architecture.md, "Digitisation").
 */
export const MetadataDraft = z.object({
  ownerIdNumber: z.string().max(40),
  ownerName: z.string().max(300),
  documentCode: z.string().max(40),
  documentName: z.string().max(500),
  dossierCode: z.string().max(80),
  permanent: z.boolean(),
  validUntil: z.string().max(40),
  issuer: z.string().max(500),
  number: z.string().max(100),
  issuedOn: z.string().max(40),
  summary: z.string().max(4000),
  kind: z.enum(['component', 'result']),
  procedureCode: z.string().max(40),
  sectorCode: z.string().max(40),
  componentCode: z.string().max(40).nullable(),
  componentName: z.string().max(500).nullable(),
  componentDossierCode: z.string().max(80).nullable(),
});
export type MetadataDraft = z.infer<typeof MetadataDraft>;

/** Drafts by document group number (as a string key, JSON-safe). */
export const BatchDrafts = z.record(z.string().regex(/^\d{1,4}$/, 'số nhóm tài liệu'), MetadataDraft)
  .refine((drafts) => Object.keys(drafts).length <= 500, 'tối đa 500 tài liệu');
export type BatchDrafts = z.infer<typeof BatchDrafts>;

export const BatchDraftsView = z.object({
  drafts: BatchDrafts,
  /** When they were last saved (local time), null when none were. */
  savedAt: z.string().nullable(),
});

import { z } from 'zod';
import { define, DIGITISE, none, ok, STAFF } from './define';
import { MESSAGE_LIMITS } from './message-limits';
import { DigitisedMetadata, LocalDateTime } from './schemas';

// The digitisation station: scan or import, clean, OCR, searchable PDF with the mandatory metadata
// (docs/architecture.md, "Digitisation"), and the metadata drafts kept with an open batch.

export const ScanRequestParams = z.object({
  source: z.enum(['flatbed', 'feeder']),
  duplex: z.boolean().default(false),
  /** Dots per inch; one the scanner offers (200 for ordinary documents, 300 for drawings). */
  resolution: z.number().int().min(50).max(1200),
  mode: z.enum(['color', 'gray', 'bw']),
  pageSize: z.string().min(1).max(20).optional(),
});
export type ScanRequestParams = z.output<typeof ScanRequestParams>;

/** Overrides of the station's default processing profile; what is left out keeps the default. */
export const DigitiseProfileInput = z
  .object({
    dpi: z.number().int().min(72).max(600),
    colour: z.enum(['color', 'gray', 'bw']),
    duplex: z.boolean(),
    autoOrient: z.boolean(),
    deskew: z.boolean(),
    cropToPage: z.boolean(),
    despeckle: z.boolean(),
    blankThreshold: z.number().min(0).max(0.2),
    jpegQuality: z.number().int().min(10).max(100),
  })
  .partial()
  .strict();
export type DigitiseProfileInput = z.output<typeof DigitiseProfileInput>;

export const ScannerListing = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(['sane', 'escl', 'folder', 'file', 'simulated']),
  /** null when the device could not be asked (see `error`). */
  capabilities: z
    .object({
      sources: z.array(z.enum(['flatbed', 'feeder'])),
      duplex: z.boolean(),
      resolutions: z.array(z.number().int()),
      modes: z.array(z.enum(['color', 'gray', 'bw'])),
      pageSizes: z.array(z.object({ name: z.string(), widthMm: z.number(), heightMm: z.number() })),
    })
    .nullable(),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
});

export const ImportFile = z.object({
  name: z.string().min(1).max(255),
  /**
   * The file's bytes, base64 (an image or a PDF). The whole request travels in one message of at
   * most `MESSAGE_LIMITS.signedInBytes` (64 MiB), so one file's base64 is bounded by that, less room
   * for the rest of the message: about 48 MiB of file.
   */
  base64: z
    .string()
    .min(1)
    .max(MESSAGE_LIMITS.signedInBytes - MESSAGE_LIMITS.envelopeBytes),
});

export const BatchPageView = z.object({
  /** Capture number inside the batch; edits name pages by it. */
  index: z.number().int(),
  side: z.enum(['front', 'back']),
  position: z.number().int(),
  /** Which document of the batch the page belongs to (0, 1, …; `split` starts a new one). */
  group: z.number().int(),
  status: z.enum(['pending', 'ok', 'error']),
  error: z.object({ code: z.string(), message: z.string() }).nullable(),
  blank: z.boolean(),
  deleted: z.boolean(),
  rotation: z.number().int(),
  rotationOverride: z.number().int(),
  skewAngle: z.number(),
  /**
   * The orientation stage could not tell which way up the page is and kept it as scanned: the
   * officer should look ("Kiểm tra chiều trang"). False once the officer has turned the page.
   */
  orientationCheck: z.boolean().optional(),
  ocrText: z.string().nullable(),
  ocrConfidence: z.number().nullable(),
  /** Small PNG of the cleaned page (of the capture while it is processing), base64. */
  thumbnail: z.string().nullable(),
  /** `L:<n>` once the page's group became a document. */
  documentId: z.string().nullable(),
});

export const BatchView = z.object({
  batchId: z.string(),
  state: z.enum(['capturing', 'ready', 'closed']),
  source: z.enum(['scanner', 'import']),
  scannerId: z.string().nullable(),
  createdAt: LocalDateTime,
  officer: z.string(),
  lastError: z.string().nullable(),
  pages: z.array(BatchPageView),
  groups: z.array(z.object({ group: z.number().int(), pages: z.number().int(), documentId: z.string().nullable() })),
});
export type BatchView = z.output<typeof BatchView>;

export const BatchSummary = BatchView.pick({
  batchId: true,
  state: true,
  source: true,
  createdAt: true,
  officer: true,
  lastError: true,
}).extend({ pages: z.number().int() });

const PageRef = z.number().int().min(0);
export const BatchEdit = z.discriminatedUnion('op', [
  /** Capture numbers in their new order; pages left out keep their order after them. */
  z.object({ op: z.literal('reorder'), order: z.array(PageRef).min(1).max(2000) }),
  /** Turns the page clockwise by `degrees` (on top of earlier turns) and processes it again. */
  z.object({
    op: z.literal('rotate'),
    page: PageRef,
    degrees: z.union([z.literal(90), z.literal(180), z.literal(270), z.literal(-90)]),
  }),
  z.object({ op: z.literal('delete'), page: PageRef }),
  z.object({ op: z.literal('restore'), page: PageRef }),
  /** Pages after `afterPage` (in order) start a new document. */
  z.object({ op: z.literal('split'), afterPage: PageRef }),
  /** Undoes a split: the page's document continues into the next one. */
  z.object({ op: z.literal('join'), afterPage: PageRef }),
  /** Scans one sheet again on the batch's scanner; the new capture takes the page's place. */
  z.object({ op: z.literal('rescan'), page: PageRef }),
]);
export type BatchEdit = z.output<typeof BatchEdit>;

export const FinishParams = z.object({
  batchId: z.string().min(1).max(64),
  group: z.number().int().min(0).default(0),
  metadata: DigitisedMetadata,
  /** The dossier component the document is for (with `metadata.dossierCode`); found by document code when left out. */
  componentCode: z.string().min(1).max(60).nullable().default(null),
});

export const FinishResult = z.object({
  documentId: z.string(),
  sha256: z.string(),
  pageCount: z.number().int(),
  sizeBytes: z.number().int(),
  textChars: z.number().int(),
  blankPages: z.number().int(),
  dossierCode: z.string().nullable(),
  /** The dossier component marked digitised, if any. */
  componentCode: z.string().nullable(),
  batchClosed: z.boolean(),
});

export const PendingComponent = z.object({
  dossierCode: z.string(),
  componentCode: z.string(),
  componentName: z.string(),
  documentCode: z.string().nullable(),
  applicantName: z.string(),
  applicantIdNumber: z.string(),
  procedureCode: z.string(),
  procedureName: z.string(),
  receivedAt: LocalDateTime,
});

// ---- metadata drafts of an open batch ----

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
export const BatchDrafts = z
  .record(z.string().regex(/^\d{1,4}$/, 'số nhóm tài liệu'), MetadataDraft)
  .refine((drafts) => Object.keys(drafts).length <= 500, 'tối đa 500 tài liệu');
export type BatchDrafts = z.infer<typeof BatchDrafts>;

export const BatchDraftsView = z.object({
  drafts: BatchDrafts,
  /** When they were last saved (local time), null when none were. */
  savedAt: z.string().nullable(),
});

export const digitiseMethods = {
  'digitise.scanners': define(none, z.array(ScannerListing), DIGITISE),
  'digitise.startScan': define(
    z.object({
      scannerId: z.string().min(1).max(200),
      request: ScanRequestParams,
      profile: DigitiseProfileInput.default({}),
    }),
    z.object({ batchId: z.string() }),
    DIGITISE,
  ),
  'digitise.importFiles': define(
    z.object({ files: z.array(ImportFile).min(1).max(50), profile: DigitiseProfileInput.default({}) }),
    z.object({ batchId: z.string(), pages: z.number().int() }),
    DIGITISE,
  ),
  'digitise.cancel': define(z.object({ batchId: z.string().min(1).max(64) }), ok, DIGITISE),
  'digitise.batch': define(z.object({ batchId: z.string().min(1).max(64) }), BatchView, DIGITISE),
  'digitise.openBatches': define(none, z.array(BatchSummary), DIGITISE),
  'digitise.editBatch': define(
    z.object({ batchId: z.string().min(1).max(64), ops: z.array(BatchEdit).min(1).max(200) }),
    BatchView,
    DIGITISE,
  ),
  'digitise.finish': define(FinishParams, FinishResult, DIGITISE),
  /** The metadata drafts of an open batch's documents, as last saved (restored when the batch is reopened). */
  'digitise.drafts': define(z.object({ batchId: z.string().min(1).max(64) }), BatchDraftsView, DIGITISE),
  /** Saves the metadata drafts as typed (the whole set: a group left out is dropped); audited when they change. */
  'digitise.saveDrafts': define(
    z.object({ batchId: z.string().min(1).max(64), drafts: BatchDrafts }),
    z.object({ savedAt: z.string() }),
    DIGITISE,
  ),
  'digitise.pending': define(none, z.array(PendingComponent), STAFF),
} as const;

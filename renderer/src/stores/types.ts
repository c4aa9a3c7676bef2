import type { ResultOf } from '../../../common/contract';

export type AppInfo = ResultOf<'app.info'>;
export type SessionUser = NonNullable<ResultOf<'auth.me'>>;
export type ApplicantLookup = ResultOf<'applicant.lookup'>;
export type AppointmentQuote = ResultOf<'intake.quote'>;
export type QueueState = ResultOf<'queue.state'>;
export type SyncOverview = ResultOf<'sync.overview'>;
export type PdfFile = ResultOf<'dossier.document'>;
export type ScannerListing = ResultOf<'digitise.scanners'>[number];
export type ScannerCapabilities = NonNullable<ScannerListing['capabilities']>;
export type BatchView = ResultOf<'digitise.batch'>;
export type BatchPage = BatchView['pages'][number];
export type BatchSummary = ResultOf<'digitise.openBatches'>[number];
export type PendingComponent = ResultOf<'digitise.pending'>[number];
export type FinishResult = ResultOf<'digitise.finish'>;
export type DocumentSearchHit = ResultOf<'documents.search'>[number];

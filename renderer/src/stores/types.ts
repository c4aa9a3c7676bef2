import type { ResultOf } from '../../../common/contract';

export type AppInfo = ResultOf<'app.info'>;
export type SessionUser = NonNullable<ResultOf<'auth.me'>>;
export type ApplicantLookup = ResultOf<'applicant.lookup'>;
export type AppointmentQuote = ResultOf<'intake.quote'>;
export type QueueState = ResultOf<'queue.state'>;
export type SyncOverview = ResultOf<'sync.overview'>;
export type PdfFile = ResultOf<'dossier.document'>;

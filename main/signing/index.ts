export {
  signPdf,
  SigningError,
  commonNameOf,
  type SignPdfOptions,
  type VisibleStamp,
  type StampPlacement,
} from './pades';
export { signBatch, type BatchDocument, type BatchOptions, type BatchProgress, type BatchResult } from './batch';
export {
  verifyPdf,
  loadTrustAnchors,
  type VerifyOptions,
  type VerifyReport,
  type SignatureReport,
  type Verdict,
} from './verify';
export {
  HttpTimestampAuthority,
  TimestampError,
  type TimestampAuthority,
  type HttpTimestampAuthorityOptions,
} from './tsa';
export { createSignedData, type SignedDataInput, type SignedDataParts } from './cms';
export { padesSignStage, DIGITISED_REASON } from './sign-stage';

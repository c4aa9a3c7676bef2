import { z } from 'zod';
import { define, none, ok, SIGNERS, VERIFIERS } from './define';
import { LocalDateTime } from './schemas';

// Digital signing (docs/domain.md §8): batch signing of the documents a digitisation batch produced,
// with one token login per batch, and verification of signed PDFs.
//
// The PIN travels once, as a parameter of `signing.signBatch`; the core passes it to the token's
// login and keeps it nowhere (never stored, never logged). The token session ends with the batch.
//
// Roles: signing is for digitisers and supervisors (they hold the agency's token); verification
// also for admins (IT staff check trust anchors with it).

const JobId = z.string().min(1).max(64);

/** One document of a signing batch. `skipped`: it was signed already (a signed file is never signed again here). */
export const SigningDocumentResult = z.object({
  documentId: z.string(),
  documentName: z.string(),
  state: z.enum(['waiting', 'signed', 'failed', 'skipped', 'cancelled']),
  code: z.string().nullable(),
  message: z.string().nullable(),
  /** sha256 of the signed PDF now stored for the document. */
  sha256: z.string().nullable(),
});
export type SigningDocumentResult = z.output<typeof SigningDocumentResult>;

export const SigningJob = z.object({
  jobId: z.string(),
  batchId: z.string(),
  state: z.enum(['running', 'finished', 'cancelled']),
  done: z.number().int(),
  total: z.number().int(),
  signed: z.number().int(),
  failed: z.number().int(),
  /** The signer certificate's common name. */
  signer: z.string(),
  startedAt: LocalDateTime,
  documents: z.array(SigningDocumentResult),
});
export type SigningJob = z.output<typeof SigningJob>;

export const SigningStatus = z.object({
  enabled: z.boolean(),
  /** Training mode: the simulated token (PIN 123456). */
  simulated: z.boolean(),
  tokenLabel: z.string().nullable(),
  keyId: z.string().nullable(),
  /** A timestamp authority is configured (PAdES B-T). */
  timestamp: z.boolean(),
  visibleStamp: z.boolean(),
  trustAnchors: z.number().int(),
  /** The job running now, if any (one token session at a time). */
  running: SigningJob.nullable(),
});
export type SigningStatus = z.output<typeof SigningStatus>;

export const SignatureCheck = z.object({
  fieldName: z.string().nullable(),
  verdict: z.enum(['valid-trusted', 'valid-untrusted', 'invalid']),
  integrity: z.object({ ok: z.boolean(), problem: z.string().nullable() }),
  changesAfterSigning: z.enum(['none', 'signatures-added', 'other-changes']),
  signer: z
    .object({
      commonName: z.string(),
      subject: z.string(),
      issuer: z.string(),
      serialNumber: z.string(),
      notBefore: z.string(),
      notAfter: z.string(),
    })
    .nullable(),
  /** ISO time; where it comes from: a timestamp, the signer's claim (/M), or the check itself. */
  signingTime: z.string(),
  signingTimeSource: z.enum(['timestamp', 'signature-dictionary', 'verification-time']),
  certificateValidAtSigningTime: z.boolean(),
  keyUsage: z.object({
    ok: z.boolean(),
    digitalSignature: z.boolean(),
    nonRepudiation: z.boolean(),
    present: z.boolean(),
  }),
  chain: z.object({ trusted: z.boolean(), path: z.array(z.string()), problem: z.string().nullable() }),
  timestamp: z
    .object({
      valid: z.boolean(),
      genTime: z.string().nullable(),
      tsa: z.string().nullable(),
      problem: z.string().nullable(),
    })
    .nullable(),
  reason: z.string().nullable(),
  location: z.string().nullable(),
});
export type SignatureCheck = z.output<typeof SignatureCheck>;

export const VerifyResult = z.object({
  fileName: z.string(),
  documentId: z.string().nullable(),
  sizeBytes: z.number().int(),
  signatures: z.array(SignatureCheck),
  /** The file could not be read as a PDF. */
  problem: z.string().nullable(),
  /** How many trust anchors the check used. */
  trustAnchors: z.number().int(),
});
export type VerifyResult = z.output<typeof VerifyResult>;

export const VerifyParams = z.union([
  z.object({ documentId: z.string().min(1).max(80) }).strict(),
  z
    .object({
      file: z.object({ name: z.string().min(1).max(255), base64: z.string().min(1).max(70_000_000) }).strict(),
    })
    .strict(),
]);

export const signingMethods = {
  'signing.status': define(none, SigningStatus, VERIFIERS),
  /** Logs in to the token (wrong PIN answers TOKEN_PIN_INCORRECT here), then signs in the background. */
  'signing.signBatch': define(
    z
      .object({
        batchId: z.string().min(1).max(64),
        pin: z.string().min(4).max(64),
        /** Only these documents of the batch (`L:<n>`); every unsigned one when left out. */
        documentIds: z.array(z.string().min(1).max(80)).min(1).max(500).optional(),
      })
      .strict(),
    SigningJob,
    SIGNERS,
  ),
  'signing.cancel': define(z.object({ jobId: JobId }).strict(), ok, SIGNERS),
  'signing.job': define(z.object({ jobId: JobId }).strict(), SigningJob, SIGNERS),
  'signing.verify': define(VerifyParams, VerifyResult, VERIFIERS),
} as const;

/** Pushed after each document of a signing job and when the job ends. */
export const SigningProgress = z.object({
  jobId: z.string(),
  batchId: z.string(),
  state: SigningJob.shape.state,
  done: z.number().int(),
  total: z.number().int(),
  /** The document just finished (absent on the job's final event). */
  document: SigningDocumentResult.optional(),
});

/**
 * Why a signature check failed, as stable codes in `SignatureCheck` / `VerifyResult` `problem`
 * fields (never a library's English message); each has a text in the locales (`verify.problems`)
 * and in the `verify` command. The library's own words, when there are any, go only to logs and
 * `verify --json` (`problemDetail`).
 */
export const VERIFY_PROBLEMS = [
  'PDF_UNREADABLE',
  'BYTE_RANGE_MALFORMED',
  'CMS_UNREADABLE',
  'NO_SIGNER_INFO',
  'SIGNER_CERTIFICATE_MISSING',
  'DIGEST_UNSUPPORTED',
  'NO_SIGNED_CONTENT',
  'NO_SIGNED_ATTRIBUTES',
  'DIGEST_MISMATCH',
  'SIGNATURE_INVALID',
  'NO_TRUST_ANCHORS',
  'CHAIN_INCOMPLETE',
  'ANCHOR_NOT_VALID_AT_SIGNING',
  'ISSUER_NOT_VALID_AT_SIGNING',
  'ISSUER_NOT_CA',
  'CHAIN_TOO_LONG',
  'TIMESTAMP_OTHER_SIGNATURE',
  'TIMESTAMP_INVALID',
  'TIMESTAMP_UNREADABLE',
] as const;
export type VerifyProblem = (typeof VERIFY_PROBLEMS)[number];

export function isVerifyProblem(value: unknown): value is VerifyProblem {
  return typeof value === 'string' && (VERIFY_PROBLEMS as readonly string[]).includes(value);
}

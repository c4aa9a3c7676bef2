/**
 * Batch signing: many documents with one key (one token session, one login), progress after each
 * document, cancel through an AbortSignal, and one result per document. A document that cannot be
 * read or signed gets a failed result; the others carry on. A device error that ends the key
 * (token removed, session closed) fails the remaining documents with that error instead of
 * retrying each one against a missing token.
 */
import type { SigningKey } from '../../drivers/token/signing-key.port';
import { signPdf, SigningError, type SignPdfOptions } from './pades';

export interface BatchDocument {
  id: string;
  /** The PDF bytes, or a loader (read lazily, so a large batch is not held in memory at once). */
  pdf: Uint8Array | (() => Promise<Uint8Array>);
  /** Per-document overrides (reason, stamp, ...). */
  options?: Omit<SignPdfOptions, 'signal' | 'timestampAuthority'>;
}

export type BatchResult =
  | { id: string; ok: true; signed: Uint8Array; bytes: number }
  | { id: string; ok: false; code: string; message: string };

export interface BatchProgress {
  done: number;
  total: number;
  /** The document just finished. */
  result: BatchResult;
}

export interface BatchOptions extends Omit<SignPdfOptions, 'signal' | 'stamp' | 'fieldName'> {
  signal?: AbortSignal;
  onProgress?: (p: BatchProgress) => void;
  /** Called with each signed document, e.g. to store it; a failure here fails that document only. */
  onSigned?: (id: string, signed: Uint8Array) => Promise<void> | void;
  /** Error codes after which the key is considered gone for the rest of the batch. */
  fatalCodes?: readonly string[];
}

const DEFAULT_FATAL = ['TOKEN_REMOVED', 'TOKEN_NOT_LOGGED_IN', 'TOKEN_PIN_LOCKED', 'DEVICE_UNAVAILABLE'];

function codeOf(err: unknown): string {
  if (err && typeof err === 'object' && 'code' in err && typeof (err as { code: unknown }).code === 'string')
    return (err as { code: string }).code;
  return 'SIGN_FAILED';
}

export async function signBatch(
  documents: readonly BatchDocument[],
  key: SigningKey,
  options: BatchOptions = {},
): Promise<BatchResult[]> {
  const { signal, onProgress, onSigned, fatalCodes = DEFAULT_FATAL, ...common } = options;
  const results: BatchResult[] = [];
  let fatal: { code: string; message: string } | null = null;
  for (const doc of documents) {
    let result: BatchResult;
    if (signal?.aborted) result = { id: doc.id, ok: false, code: 'SIGN_CANCELLED', message: 'signing cancelled' };
    else if (fatal) result = { id: doc.id, ok: false, ...fatal };
    else {
      try {
        const pdf = typeof doc.pdf === 'function' ? await doc.pdf() : doc.pdf;
        const signed = await signPdf(pdf, key, { ...common, ...doc.options, ...(signal ? { signal } : {}) });
        if (onSigned) await onSigned(doc.id, signed);
        result = { id: doc.id, ok: true, signed, bytes: signed.length };
      } catch (err) {
        const code = err instanceof SigningError ? err.code : codeOf(err);
        result = { id: doc.id, ok: false, code, message: (err as Error).message };
        if (fatalCodes.includes(code)) fatal = { code, message: (err as Error).message };
      }
    }
    results.push(result);
    onProgress?.({ done: results.length, total: documents.length, result });
  }
  return results;
}

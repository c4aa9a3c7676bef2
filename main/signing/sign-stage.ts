/**
 * The digitisation pipeline's signing slot (`createPipeline({ signStage })`): seals the finished
 * searchable PDF (after OCR and metadata) with a PAdES signature. The slot's type is structural
 * here so signing does not depend on the digitisation code.
 */
import type { SigningKey } from '../../drivers/token/signing-key.port';
import { signPdf, type SignPdfOptions } from './pades';

export const DIGITISED_REASON = 'Xác thực bản số hóa từ bản giấy';

export function padesSignStage(
  key: SigningKey,
  options: SignPdfOptions = {},
): (pdf: Uint8Array, meta: unknown) => Promise<Uint8Array> {
  return (pdf) => signPdf(pdf, key, { reason: DIGITISED_REASON, ...options });
}

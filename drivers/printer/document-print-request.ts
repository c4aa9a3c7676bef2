import type { DocumentPrintJob } from './document-printer.port';

/** The most copies one job may ask for, on every document printer. */
export const MAX_COPIES = 99;

/**
 * The checks every document printer makes before it accepts a job (the contract's "bad request"
 * cases): the bytes start as a PDF, the title is not blank once control characters are gone, and the
 * copies are a whole number from 1 to `MAX_COPIES`. A bad request is the caller's mistake, so it
 * throws a `RangeError` rather than a device fault.
 */
export function checkPrintRequest(pdf: Uint8Array, job: DocumentPrintJob): { title: string; copies: number } {
  if (!(pdf instanceof Uint8Array) || pdf.byteLength < 5 || String.fromCharCode(...pdf.subarray(0, 5)) !== '%PDF-') {
    throw new RangeError('print: the document must be a non-empty PDF');
  }
  const title = job.title.replace(/[\u0000-\u001f\u007f]/g, ' ').trim();
  if (title === '') throw new RangeError('print: the job title must not be blank');
  const copies = job.copies ?? 1;
  if (!Number.isInteger(copies) || copies < 1 || copies > MAX_COPIES) {
    throw new RangeError(`print: copies must be a whole number from 1 to ${MAX_COPIES}`);
  }
  return { title, copies };
}

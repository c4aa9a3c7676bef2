/**
 * PAdES baseline signatures (ETSI EN 319 142-1, B-B and B-T) on PDF files.
 *
 * A signed file is never rewritten: every signature is appended as an incremental update holding
 * the signature dictionary, its field/widget, the page's and the form's updated dictionaries, the
 * appearance stream (and font for a visible stamp), and a cross-reference section of the same kind
 * as the file's last one (table or stream) that points back to it with /Prev. Earlier signatures
 * cover earlier revisions, so they stay valid.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fontkit from '@pdf-lib/fontkit';
import {
  PDFArray,
  PDFDict,
  PDFDocument,
  PDFHexString,
  PDFName,
  PDFNumber,
  PDFRef,
  PDFString,
  type PDFObject,
} from 'pdf-lib';
import type { SigningKey } from '../../drivers/token/signing-key.port';
import { fontsDir } from '../kernel/resources';
import { createSignedData, parseCertificate, sha256, timestampAttribute } from './cms';
import { latin1, lastStartXref, pdfDate, pdfTextString } from './pdf-text';
import type { TimestampAuthority } from './tsa';

/** Why a document could not be signed; `code` maps to the contract's error codes. */
export class SigningError extends Error {
  constructor(
    readonly code: 'SIGN_PDF_INVALID' | 'SIGN_FAILED' | 'SIGN_TIMESTAMP_FAILED' | 'SIGN_CANCELLED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'SigningError';
  }
}

export interface StampPlacement {
  /** 0-based page index; negative counts from the end (-1 = last page). */
  page: number;
  /** Lower-left corner and size in PDF points; default: bottom-right corner, 220 × 64. */
  rect?: { x: number; y: number; width: number; height: number };
}

export interface VisibleStamp extends StampPlacement {
  /** Agency line ("UBND xã Hòa Phú"); omitted when absent. */
  agency?: string;
  /** Replaces the default lines (signer, agency, time). */
  lines?: string[];
  /** A TrueType/OpenType font with Vietnamese glyphs; default Noto Sans from the resources. */
  fontBytes?: Uint8Array;
}

export interface SignPdfOptions {
  /** Shown as /Name; default the signer certificate's common name. */
  name?: string;
  reason?: string;
  location?: string;
  contactInfo?: string;
  /** The claimed signing time (/M); default now. */
  signingTime?: Date;
  /** Field name; default `Signature{n}`, unique in the document. */
  fieldName?: string;
  /** B-T: a timestamp over the signature value, added as an unsigned attribute. */
  timestampAuthority?: TimestampAuthority;
  /** A visible stamp; invisible signature when absent. */
  stamp?: VisibleStamp;
  /** Bytes reserved for the CMS; default computed from the certificates and the timestamp. */
  reserveBytes?: number;
  signal?: AbortSignal;
}

export function commonNameOf(certDer: Uint8Array): string {
  const cert = parseCertificate(certDer);
  const cn = cert.subject.typesAndValues.find((t) => t.type === '2.5.4.3');
  return cn ? String(cn.value.valueBlock.value) : '';
}

let defaultFont: Uint8Array | null = null;
function stampFont(): Uint8Array {
  defaultFont ??= new Uint8Array(readFileSync(join(fontsDir(), 'NotoSans-Regular.ttf')));
  return defaultFont;
}

function formatStampTime(d: Date): string {
  const t = new Date(d.getTime() + 7 * 3_600_000);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(t.getUTCDate())}/${p(t.getUTCMonth() + 1)}/${t.getUTCFullYear()} ${p(t.getUTCHours())}:${p(t.getUTCMinutes())}:${p(t.getUTCSeconds())} (GMT+7)`;
}

function checkAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new SigningError('SIGN_CANCELLED', 'signing cancelled');
}

const BYTE_RANGE_WIDTH = 48;

/** Signs `pdf` with `key` and returns the original bytes followed by one incremental update. */
export async function signPdf(pdf: Uint8Array, key: SigningKey, options: SignPdfOptions = {}): Promise<Uint8Array> {
  checkAborted(options.signal);
  if (latin1(pdf, 0, Math.min(1024, pdf.length)).indexOf('%PDF-') < 0) {
    throw new SigningError('SIGN_PDF_INVALID', 'not a PDF file (no %PDF- header)');
  }
  const prevXref = lastStartXref(pdf);
  if (prevXref === null || prevXref >= pdf.length)
    throw new SigningError('SIGN_PDF_INVALID', 'no usable startxref at the end of the file');
  const classicXref = latin1(pdf, prevXref, prevXref + 4) === 'xref';

  let doc: PDFDocument;
  try {
    doc = await PDFDocument.load(pdf, { updateMetadata: false, throwOnInvalidObject: true });
  } catch (err) {
    throw new SigningError('SIGN_PDF_INVALID', `the PDF cannot be read: ${(err as Error).message}`, { cause: err });
  }
  const { context } = doc;
  // New objects are numbered above everything the file's cross-reference sections know about
  // (pdf-lib drops object and cross-reference streams after parsing, so its count can be lower).
  const sizeMatch = /\/Size\s+(\d+)/.exec(latin1(pdf, prevXref));
  const declaredSize = sizeMatch ? Number(sizeMatch[1]) : 0;
  context.largestObjectNumber = Math.max(context.largestObjectNumber, declaredSize - 1);
  const originalLargest = context.largestObjectNumber;
  const rootRef = context.trailerInfo.Root;
  if (!(rootRef instanceof PDFRef)) throw new SigningError('SIGN_PDF_INVALID', 'the trailer has no /Root reference');
  const catalog = context.lookup(rootRef, PDFDict);
  const changed = new Map<string, PDFRef>();
  const markChanged = (ref: PDFRef) => changed.set(ref.toString(), ref);

  const pages = doc.getPages();
  if (pages.length === 0) throw new SigningError('SIGN_PDF_INVALID', 'the PDF has no pages');

  // The form (AcroForm) and its field list, wherever they live.
  let acroForm: PDFDict;
  const acroEntry = catalog.get(PDFName.of('AcroForm'));
  if (acroEntry instanceof PDFRef) {
    acroForm = context.lookup(acroEntry, PDFDict);
    markChanged(acroEntry);
  } else if (acroEntry instanceof PDFDict) {
    acroForm = acroEntry;
    markChanged(rootRef);
  } else {
    acroForm = context.obj({ Fields: [] });
    catalog.set(PDFName.of('AcroForm'), context.register(acroForm));
    markChanged(rootRef);
  }
  let fields: PDFArray;
  const fieldsEntry = acroForm.get(PDFName.of('Fields'));
  if (fieldsEntry instanceof PDFRef) {
    fields = context.lookup(fieldsEntry, PDFArray);
    markChanged(fieldsEntry);
  } else if (fieldsEntry instanceof PDFArray) {
    fields = fieldsEntry;
  } else {
    fields = context.obj([]);
    acroForm.set(PDFName.of('Fields'), fields);
  }
  acroForm.set(PDFName.of('SigFlags'), PDFNumber.of(3));

  const taken = new Set<string>();
  for (let i = 0; i < fields.size(); i++) {
    const f = fields.lookupMaybe(i, PDFDict);
    const t = f?.get(PDFName.of('T'));
    if (t instanceof PDFString || t instanceof PDFHexString) taken.add(t.decodeText());
  }
  let fieldName = options.fieldName;
  if (!fieldName) {
    let n = 1;
    while (taken.has(`Signature${n}`)) n++;
    fieldName = `Signature${n}`;
  } else if (taken.has(fieldName)) {
    throw new SigningError('SIGN_FAILED', `a field named '${fieldName}' already exists`);
  }

  const signingTime = options.signingTime ?? new Date();
  const signerName = options.name ?? commonNameOf(key.certificate);

  // Appearance: a stamp, or an empty form XObject for an invisible signature.
  const stamp = options.stamp;
  const pageIndex = stamp ? (stamp.page < 0 ? pages.length + stamp.page : stamp.page) : 0;
  if (pageIndex < 0 || pageIndex >= pages.length)
    throw new SigningError('SIGN_FAILED', `page ${stamp?.page} is not in the document`);
  const page = pages[pageIndex]!;
  let rect = [0, 0, 0, 0];
  let appearance: PDFRef;
  if (stamp) {
    const { width: pw } = page.getSize();
    const r = stamp.rect ?? { x: pw - 36 - 220, y: 36, width: 220, height: 64 };
    rect = [r.x, r.y, r.x + r.width, r.y + r.height];
    doc.registerFontkit(fontkit);
    const font = await doc.embedFont(stamp.fontBytes ?? stampFont(), { subset: true });
    const lines = stamp.lines ?? [
      `Ký bởi: ${signerName}`,
      ...(stamp.agency ? [`Cơ quan: ${stamp.agency}`] : []),
      `Thời gian: ${formatStampTime(signingTime)}`,
      ...(options.reason ? [`Lý do: ${options.reason}`] : []),
    ];
    const pad = 4;
    let size = Math.min(9, (r.height - 2 * pad) / (lines.length * 1.25));
    for (const line of lines) {
      const w = font.widthOfTextAtSize(line, size);
      if (w > r.width - 2 * pad) size = (size * (r.width - 2 * pad)) / w;
    }
    const ops = [
      `q 0.8 0 0 RG 0.8 w 0.4 0.4 ${(r.width - 0.8).toFixed(2)} ${(r.height - 0.8).toFixed(2)} re S Q`,
      'BT',
      '0.8 0 0 rg',
    ];
    const lead = size * 1.25;
    const top = r.height - pad - size;
    ops.push(`/F1 ${size.toFixed(2)} Tf`, `${pad} ${top.toFixed(2)} Td`, `${lead.toFixed(2)} TL`);
    lines.forEach((line, i) => ops.push(`${i === 0 ? '' : 'T* '}${font.encodeText(line).toString()} Tj`));
    ops.push('ET');
    appearance = context.register(
      context.flateStream(ops.join('\n'), {
        Type: 'XObject',
        Subtype: 'Form',
        BBox: [0, 0, r.width, r.height],
        Resources: { Font: { F1: font.ref } },
      }),
    );
    await doc.flush();
  } else {
    appearance = context.register(context.stream('', { Type: 'XObject', Subtype: 'Form', BBox: [0, 0, 0, 0] }));
  }

  const sigRef = context.nextRef();
  const widget = context.obj({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    T: PDFHexString.fromText(fieldName),
    V: sigRef,
    F: 132, // print + locked
    Rect: rect,
    P: page.ref,
    AP: { N: appearance },
  });
  const widgetRef = context.register(widget);
  fields.push(widgetRef);

  const annots = page.node.get(PDFName.of('Annots'));
  if (annots instanceof PDFRef) {
    context.lookup(annots, PDFArray).push(widgetRef);
    markChanged(annots);
  } else if (annots instanceof PDFArray) {
    annots.push(widgetRef);
    markChanged(page.ref);
  } else {
    page.node.set(PDFName.of('Annots'), context.obj([widgetRef]));
    markChanged(page.ref);
  }

  // Room for the CMS: certificates, signature, attributes, and the timestamp token.
  const certBytes = key.certificate.length + key.chain.reduce((s, c) => s + c.length, 0);
  const reserve = options.reserveBytes ?? certBytes + 2048 + (options.timestampAuthority ? 8192 : 0);

  const sigDictText =
    `<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached` +
    ` /ByteRange ${'['.padEnd(BYTE_RANGE_WIDTH - 1, ' ')}]` +
    ` /Contents <${'0'.repeat(reserve * 2)}>` +
    ` /M ${pdfTextString(pdfDate(signingTime))}` +
    (signerName ? ` /Name ${pdfTextString(signerName)}` : '') +
    (options.reason ? ` /Reason ${pdfTextString(options.reason)}` : '') +
    (options.location ? ` /Location ${pdfTextString(options.location)}` : '') +
    (options.contactInfo ? ` /ContactInfo ${pdfTextString(options.contactInfo)}` : '') +
    ` /Prop_Build << /App << /Name /motcua-desk >> >> >>`;

  // Objects to write: everything new plus the dictionaries that changed.
  const objects = new Map<number, { ref: PDFRef; body: Uint8Array }>();
  for (const [ref, obj] of context.enumerateIndirectObjects()) {
    if (ref.objectNumber > originalLargest || changed.has(ref.toString())) {
      if (ref === sigRef) continue;
      objects.set(ref.objectNumber, { ref, body: serialize(obj) });
    }
  }
  objects.set(sigRef.objectNumber, { ref: sigRef, body: Buffer.from(sigDictText, 'latin1') });

  const xrefStreamRef = classicXref ? null : context.nextRef();
  const size = Math.max(context.largestObjectNumber, originalLargest) + 1;
  const trailerEntries =
    `/Size ${size} /Root ${rootRef.toString()}` +
    (context.trailerInfo.Info ? ` /Info ${context.trailerInfo.Info.toString()}` : '') +
    (context.trailerInfo.ID ? ` /ID ${context.trailerInfo.ID.toString()}` : '') +
    ` /Prev ${prevXref}`;

  const chunks: Uint8Array[] = [];
  let length = pdf.length;
  const push = (b: Uint8Array | string) => {
    const bytes = typeof b === 'string' ? Buffer.from(b, 'latin1') : b;
    chunks.push(bytes);
    length += bytes.length;
  };
  const last = pdf[pdf.length - 1];
  if (last !== 0x0a && last !== 0x0d) push('\n');
  const offsets = new Map<number, { offset: number; gen: number }>();
  let sigDictOffset = 0;
  for (const num of [...objects.keys()].sort((a, b) => a - b)) {
    const { ref, body } = objects.get(num)!;
    offsets.set(num, { offset: length, gen: ref.generationNumber });
    push(`${num} ${ref.generationNumber} obj\n`);
    if (ref === sigRef) sigDictOffset = length;
    push(body);
    push('\nendobj\n');
  }
  const xrefOffset = length;
  if (xrefStreamRef) offsets.set(xrefStreamRef.objectNumber, { offset: xrefOffset, gen: 0 });
  const nums = [...offsets.keys()].sort((a, b) => a - b);
  const runs: number[][] = [];
  for (const n of nums) {
    const run = runs[runs.length - 1];
    if (run && run[run.length - 1] === n - 1) run.push(n);
    else runs.push([n]);
  }
  if (classicXref) {
    let text = 'xref\n';
    for (const run of runs) {
      text += `${run[0]} ${run.length}\n`;
      for (const n of run) {
        const e = offsets.get(n)!;
        text += `${String(e.offset).padStart(10, '0')} ${String(e.gen).padStart(5, '0')} n\r\n`;
      }
    }
    push(`${text}trailer\n<< ${trailerEntries} >>\nstartxref\n${xrefOffset}\n%%EOF\n`);
  } else {
    const rows: number[] = [];
    for (const n of nums) {
      const e = offsets.get(n)!;
      rows.push(
        1,
        (e.offset >>> 24) & 0xff,
        (e.offset >>> 16) & 0xff,
        (e.offset >>> 8) & 0xff,
        e.offset & 0xff,
        (e.gen >>> 8) & 0xff,
        e.gen & 0xff,
      );
    }
    const data = Uint8Array.from(rows);
    const index = runs.map((r) => `${r[0]} ${r.length}`).join(' ');
    const streamSize = Math.max(size, xrefStreamRef!.objectNumber + 1);
    push(
      `${xrefStreamRef!.objectNumber} 0 obj\n<< /Type /XRef ${trailerEntries.replace(/\/Size \d+/, `/Size ${streamSize}`)} /Index [${index}] /W [1 4 2] /Length ${data.length} >>\nstream\n`,
    );
    push(data);
    push(`\nendstream\nendobj\nstartxref\n${xrefOffset}\n%%EOF\n`);
  }

  const out = new Uint8Array(length);
  out.set(pdf, 0);
  let at = pdf.length;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }

  // ByteRange: everything but the /Contents hex string (its angle brackets included).
  const dict = latin1(out, sigDictOffset, sigDictOffset + sigDictText.length);
  const contentsStart = sigDictOffset + dict.indexOf('/Contents <') + '/Contents '.length;
  const contentsEnd = contentsStart + reserve * 2 + 2;
  const byteRange = [0, contentsStart, contentsEnd, out.length - contentsEnd];
  const brAt = sigDictOffset + dict.indexOf('/ByteRange ') + '/ByteRange '.length;
  out.set(Buffer.from(`[${byteRange.join(' ')}]`, 'latin1'), brAt);
  out.fill(0x20, brAt + `[${byteRange.join(' ')}]`.length, brAt + BYTE_RANGE_WIDTH);

  const signed = new Uint8Array(contentsStart + byteRange[3]!);
  signed.set(out.subarray(0, contentsStart), 0);
  signed.set(out.subarray(contentsEnd), contentsStart);

  checkAborted(options.signal);
  let cms: Uint8Array;
  try {
    const parts = await createSignedData({ key, contentDigest: sha256(signed) });
    let unsigned;
    if (options.timestampAuthority) {
      let token: Uint8Array;
      try {
        token = await options.timestampAuthority.timestamp(sha256(parts.signatureValue), options.signal);
      } catch (err) {
        checkAborted(options.signal);
        throw new SigningError('SIGN_TIMESTAMP_FAILED', `timestamp failed: ${(err as Error).message}`, { cause: err });
      }
      unsigned = [timestampAttribute(token)];
    }
    cms = parts.encode(unsigned);
  } catch (err) {
    if (err instanceof SigningError) throw err;
    if (err && typeof err === 'object' && 'code' in err) throw err; // device errors keep their code
    throw new SigningError('SIGN_FAILED', `signature could not be made: ${(err as Error).message}`, { cause: err });
  }
  if (cms.length > reserve)
    throw new SigningError('SIGN_FAILED', `signature (${cms.length} bytes) exceeds the reserved ${reserve} bytes`);
  out.set(Buffer.from(Buffer.from(cms).toString('hex').toUpperCase(), 'latin1'), contentsStart + 1);
  return out;
}

function serialize(obj: PDFObject): Uint8Array {
  const buf = new Uint8Array(obj.sizeInBytes());
  obj.copyBytesInto(buf, 0);
  return buf;
}

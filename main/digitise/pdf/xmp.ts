import type { DigitisedMetadata } from '../types';

/** Namespace of the desk's own XMP properties (the mandatory metadata of a digitised document). */
export const MOTCUA_NS = 'urn:motcua-desk:digitised:1';
export const PRODUCER = 'Một Cửa Desk';

export type DigitisedDocumentMeta = DigitisedMetadata & { digitisedAt: string; digitiser: string; agencyName: string };

export interface Instant {
  date: Date;
  /** ISO 8601 with offset, as XMP wants it (e.g. 2026-11-20T16:10:00+07:00). */
  xmp: string;
  /** dd/MM/yyyy HH:mm in the time's own zone (Vietnam time for local values). */
  display: string;
}

const LOCAL = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/;

/**
 * Parses `YYYY-MM-DDTHH:mm[:ss][Z|±hh:mm]`. Without an offset the time is Vietnam wall-clock time
 * (UTC+7), as everywhere in the contract (`LocalDateTime`).
 */
export function parseInstant(value: string, field = 'digitisedAt'): Instant {
  const m = LOCAL.exec(value);
  if (m === null)
    throw new RangeError(`${field}: expected YYYY-MM-DDTHH:mm (Vietnam time) or ISO 8601, got "${value}"`);
  const [, y, mo, d, h, mi, s, zone] = m;
  const offset = zone === undefined ? '+07:00' : zone === 'Z' ? '+00:00' : zone;
  const sign = offset.startsWith('-') ? -1 : 1;
  const offMinutes = sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(4, 6)));
  const utc =
    Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s ?? '0')) - offMinutes * 60_000;
  const date = new Date(utc);
  if (Number.isNaN(date.getTime()) || Number(mo) > 12 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59) {
    throw new RangeError(`${field}: "${value}" is not a valid time`);
  }
  return {
    date,
    xmp: `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${offset}`,
    display: `${d}/${mo}/${y} ${h}:${mi}`,
  };
}

export function xmlEscape(text: string): string {
  // Characters XML 1.0 cannot carry at all are dropped (they cannot come from a form field anyway).
  return text
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

export interface XmpInput {
  meta: DigitisedDocumentMeta;
  pageCount: number;
  createdAt: Instant;
  /** Document title (dc:title). */
  title: string;
  keywords: string;
}

/**
 * The XMP packet: Dublin Core, XMP basic and PDF properties, and the mandatory fields of a
 * digitised document (docs/domain.md §8) in the `motcua:` namespace, including the converted-from-paper
 * mark. Null fields are left out; validity is `permanent` or `validUntil`.
 */
export function buildXmp(x: XmpInput): string {
  const m = x.meta;
  const el = (name: string, value: string | number | boolean | null | undefined): string =>
    value === null || value === undefined ? '' : `   <${name}>${xmlEscape(String(value))}</${name}>\n`;
  const alt = (name: string, value: string | null): string =>
    value === null
      ? ''
      : `   <${name}><rdf:Alt><rdf:li xml:lang="x-default">${xmlEscape(value)}</rdf:li></rdf:Alt></${name}>\n`;
  const body = [
    el('dc:format', 'application/pdf'),
    alt('dc:title', x.title),
    `   <dc:creator><rdf:Seq><rdf:li>${xmlEscape(m.agencyName)}</rdf:li></rdf:Seq></dc:creator>\n`,
    alt('dc:description', m.summary),
    `   <dc:language><rdf:Bag><rdf:li>vi</rdf:li></rdf:Bag></dc:language>\n`,
    el('xmp:CreateDate', x.createdAt.xmp),
    el('xmp:ModifyDate', x.createdAt.xmp),
    el('xmp:MetadataDate', x.createdAt.xmp),
    el('xmp:CreatorTool', PRODUCER),
    el('pdf:Producer', PRODUCER),
    el('pdf:Keywords', x.keywords),
    el('motcua:convertedFromPaper', true),
    el('motcua:agencyName', m.agencyName),
    el('motcua:ownerIdNumber', m.ownerIdNumber),
    el('motcua:ownerName', m.ownerName),
    el('motcua:documentCode', m.documentCode),
    el('motcua:documentName', m.documentName),
    el('motcua:digitisedAt', x.createdAt.xmp),
    el('motcua:dossierCode', m.dossierCode),
    el('motcua:permanent', m.permanent),
    el('motcua:validUntil', m.validUntil),
    el('motcua:issuer', m.issuer),
    el('motcua:number', m.number),
    el('motcua:issuedOn', m.issuedOn),
    el('motcua:summary', m.summary),
    el('motcua:digitiser', m.digitiser),
    el('motcua:kind', m.kind),
    el('motcua:procedureCode', m.procedureCode),
    el('motcua:sectorCode', m.sectorCode),
    el('motcua:pageCount', x.pageCount),
  ].join('');
  // Padding lets a later tool (the signer, a PDF/A converter) rewrite the packet in place.
  const padding = `${' '.repeat(99)}\n`.repeat(20);
  return `<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>
<x:xmpmeta xmlns:x="adobe:ns:meta/">
 <rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">
  <rdf:Description rdf:about=""
    xmlns:dc="http://purl.org/dc/elements/1.1/"
    xmlns:xmp="http://ns.adobe.com/xap/1.0/"
    xmlns:pdf="http://ns.adobe.com/pdf/1.3/"
    xmlns:motcua="${MOTCUA_NS}">
${body}  </rdf:Description>
 </rdf:RDF>
</x:xmpmeta>
${padding}<?xpacket end="w"?>`;
}

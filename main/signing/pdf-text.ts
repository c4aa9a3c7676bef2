/** PDF syntax helpers shared by signing and verification. */

/** A PDF text string: a literal when printable ASCII, else UTF-16BE with a BOM as a hex string. */
export function pdfTextString(s: string): string {
  if (/^[\x20-\x7e]*$/.test(s)) return `(${s.replace(/[\\()]/g, (c) => `\\${c}`)})`;
  const units: string[] = ['FEFF'];
  for (let i = 0; i < s.length; i++) units.push(s.charCodeAt(i).toString(16).padStart(4, '0').toUpperCase());
  return `<${units.join('')}>`;
}

/** `D:YYYYMMDDHHmmSS+hh'mm'` in the given offset (Vietnam, +07:00, unless told otherwise). */
export function pdfDate(d: Date, offsetMinutes = 420): string {
  const t = new Date(d.getTime() + offsetMinutes * 60_000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  return `D:${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}${sign}${p(Math.floor(abs / 60))}'${p(abs % 60)}'`;
}

/** Parses a PDF date (`D:2026...+07'00'`); null when unreadable. */
export function parsePdfDate(s: string): Date | null {
  const m = /^D:(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?(Z|[+-]\d{2}'?\d{2}'?)?/.exec(s.trim());
  if (!m) return null;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', se = '00', tz] = m;
  let offset = 0;
  if (tz && tz !== 'Z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.replace(/[^0-9]/g, '');
    offset = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const utc = Date.UTC(+y!, +mo - 1, +d, +h, +mi, +se) - offset * 60_000;
  return Number.isNaN(utc) ? null : new Date(utc);
}

export const latin1 = (b: Uint8Array, start = 0, end = b.length): string =>
  Buffer.from(b.subarray(start, end)).toString('latin1');

/** Offset of the last `startxref` value, or null. */
export function lastStartXref(pdf: Uint8Array): number | null {
  const tail = latin1(pdf, Math.max(0, pdf.length - 2048));
  const i = tail.lastIndexOf('startxref');
  if (i < 0) return null;
  const m = /startxref\s+(\d+)/.exec(tail.slice(i));
  return m ? Number(m[1]) : null;
}

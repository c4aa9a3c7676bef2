/** External verifiers for signing tests: poppler's pdfsig with an NSS database, and openssl. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PDFDocument, StandardFonts } from 'pdf-lib';

export function hasTool(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** An NSS database that trusts `caPath`. poppler checks the e-mail-signer usage, so the CA needs the
 * second trust field too ('C,,' leaves it untrusted for signatures). */
export function nssDbTrusting(caPath: string): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'motcua-nss-')), 'db');
  mkdirSync(dir);
  execFileSync('certutil', ['-N', '-d', `sql:${dir}`, '--empty-password']);
  execFileSync('certutil', ['-A', '-d', `sql:${dir}`, '-n', 'testca', '-t', 'C,C,C', '-i', caPath]);
  return `sql:${dir}`;
}

export function pdfsig(file: string, nssdir: string): { status: number; out: string } {
  const r = spawnSync('pdfsig', ['-nssdir', nssdir, file], { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The CMS and the signed bytes of the n-th signature (0 = first in the file), taken by ByteRange. */
export function extractSignature(pdf: Uint8Array, n: number): { cms: Buffer; signed: Buffer } {
  const text = Buffer.from(pdf).toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]/g)].map(
    (m) => m.slice(1, 5).map(Number) as [number, number, number, number],
  );
  ranges.sort((a, b) => a[2] - b[2]);
  const [a, b, c, d] = ranges[n]!;
  const hex = text.slice(b + 1, c - 1);
  let cms = Buffer.from(hex, 'hex');
  // Trim the zero padding after the DER (definite length at the top).
  const len =
    cms[1]! & 0x80
      ? cms.subarray(2, 2 + (cms[1]! & 0x7f)).reduce((s, x) => s * 256 + x, 0) + 2 + (cms[1]! & 0x7f)
      : cms[1]! + 2;
  cms = cms.subarray(0, len);
  return { cms, signed: Buffer.concat([Buffer.from(pdf.subarray(a, a + b)), Buffer.from(pdf.subarray(c, c + d))]) };
}

export function opensslCmsVerify(pdf: Uint8Array, n: number, caPath: string): { status: number; out: string } {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-cms-'));
  const { cms, signed } = extractSignature(pdf, n);
  writeFileSync(join(dir, 'sig.der'), cms);
  writeFileSync(join(dir, 'signed-bytes'), signed);
  const r = spawnSync(
    'openssl',
    [
      'cms',
      '-verify',
      '-binary',
      '-inform',
      'DER',
      '-in',
      'sig.der',
      '-content',
      'signed-bytes',
      '-CAfile',
      caPath,
      '-purpose',
      'any',
      '-out',
      '/dev/null',
    ],
    { cwd: dir, encoding: 'utf8' },
  );
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

export async function samplePdf(pages = 1, useObjectStreams = false): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const font = await doc.embedFont(StandardFonts.Helvetica);
  for (let i = 0; i < pages; i++) doc.addPage([595, 842]).drawText(`Page ${i + 1}`, { x: 72, y: 760, size: 14, font });
  return doc.save({ useObjectStreams });
}

import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { signPdf } from '../signing/pades';
import { samplePdf } from '../signing/testing/pdf-tools';
import { issueSigner, makeTestCa, type TestCa, type TestSigner } from '../signing/testing/test-pki';
import { main } from './cli';

const dir = mkdtempSync(join(tmpdir(), 'motcua-verify-cli-'));
let ca: TestCa;
let signer: TestSigner;
let signedPath: string;

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(['--data-dir', dir, ...args], {
    out: (s: string) => out.push(s) > 0,
    err: (s: string) => err.push(s) > 0,
  });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

beforeAll(async () => {
  ca = makeTestCa();
  signer = issueSigner(ca);
  const signed = await signPdf(await samplePdf(1), signer.key, {
    reason: 'Xác thực bản số hóa',
    location: 'Xã Hòa Phú',
  });
  signedPath = join(dir, 'signed.pdf');
  writeFileSync(signedPath, signed);
});

describe('motcua-desk verify', () => {
  it('--json with the trust anchor: valid and trusted, exit 0', async () => {
    const r = await run(['verify', signedPath, '--trust', ca.certPath, '--json']);
    expect(r.code).toBe(0);
    const json = JSON.parse(r.out) as {
      valid: boolean;
      signatures: { valid: boolean; trusted: boolean; verdict: string; reason: string }[];
    };
    expect(json.valid).toBe(true);
    expect(json.signatures).toHaveLength(1);
    expect(json.signatures[0]).toMatchObject({
      valid: true,
      trusted: true,
      verdict: 'valid-trusted',
      reason: 'Xác thực bản số hóa',
    });
  });

  it('without trust anchors: valid but untrusted, still exit 0; text output names the signer', async () => {
    const r = await run(['verify', signedPath]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('HỢP LỆ nhưng chưa tin cậy');
    expect(r.out).toContain('Người ký: Nguyễn Văn An');
    expect(r.out).toContain('Lý do: Xác thực bản số hóa');
  });

  it('a tampered file: invalid, exit 1', async () => {
    const { readFileSync } = await import('node:fs');
    const bytes = readFileSync(signedPath);
    const at = bytes.indexOf('/Helvetica') + 9;
    bytes[at] = 'e'.charCodeAt(0);
    const p = join(dir, 'tampered.pdf');
    writeFileSync(p, bytes);
    const r = await run(['verify', p, '--trust', ca.certPath, '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out).signatures[0]).toMatchObject({ valid: false, trusted: false, verdict: 'invalid' });
  });

  it('an unsigned file exits 1; bad arguments exit 2', async () => {
    const p = join(dir, 'plain.pdf');
    writeFileSync(p, await samplePdf(1));
    expect((await run(['verify', p])).code).toBe(1);
    expect((await run(['verify'])).code).toBe(2);
    expect((await run(['verify', p, '--bogus'])).code).toBe(2);
    expect((await run(['verify', join(dir, 'missing.pdf')])).code).toBe(2);
  });
});

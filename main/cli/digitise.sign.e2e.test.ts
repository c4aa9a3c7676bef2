import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { foldVietnamese } from '../../common/domain';
import { createSoftHsmToken, renderFixturePage, softHsmAvailable, type SoftHsmFixture } from '../../drivers/testing';
import { DIGITISED_REASON } from '../signing/sign-stage';
import { startFakeTsa, type FakeTsa } from '../signing/testing/fake-tsa';
import { hasTool, nssDbTrusting, pdfsig } from '../signing/testing/pdf-tools';
import { issueSigner, makeTestCa } from '../signing/testing/test-pki';
import { verifyPdf } from '../signing/verify';

/**
 * `motcua-desk digitise --sign` through the real entry point against a real PKCS#11 token
 * (SoftHSM2, keys generated on the token), checked by poppler's pdfsig and our verifier.
 */
const BIN = join(import.meta.dirname, '..', '..', 'bin', 'motcua-desk.mjs');
const META = [
  '--owner-id',
  '001203004567',
  '--owner-name',
  'Nguyễn Văn Dũng',
  '--doc-code',
  'KQ0010',
  '--doc-name',
  'Giấy chứng nhận kết hôn',
  '--permanent',
];
const PIN_ENV = 'MOTCUA_TEST_TOKEN_PIN';
const ready = (await softHsmAvailable()) && hasTool('pdfsig') && hasTool('certutil');

let dir: string;
let token: SoftHsmFixture;
let tsa: FakeTsa;
let page: string;

/** Async spawn: the fake TSA answers from this process while the command runs. */
function cli(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'digitise', ...args, '--data-dir', join(dir, 'no-store')], {
      env: { ...process.env, ...token.env, ...env },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString('utf8');
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const signArgs = (over: Record<string, string | null> = {}): string[] => {
  const base: Record<string, string | null> = {
    '--token-module': token.modulePath,
    '--key-id': token.keys.rsa.keyId,
    '--pin-env': PIN_ENV,
    '--token-label': token.label,
    ...over,
  };
  return ['--sign', ...Object.entries(base).flatMap(([k, v]) => (v === null ? [] : [k, v]))];
};

beforeAll(async () => {
  if (!ready) return;
  dir = mkdtempSync(join(tmpdir(), 'motcua-digitise-sign-'));
  token = await createSoftHsmToken();
  const tsaCa = makeTestCa('CA dấu thời gian thử nghiệm');
  tsa = await startFakeTsa(issueSigner(tsaCa, { purpose: 'tsa' }).key);
  page = join(dir, 'page.png');
  writeFileSync(
    page,
    await renderFixturePage({
      text: ['GIẤY CHỨNG NHẬN KẾT HÔN', '', 'Ủy ban nhân dân phường Bến Nghé'],
      dpi: 150,
      widthMm: 105,
      heightMm: 148,
      mode: 'gray',
    }),
  );
  writeFileSync(join(dir, 'ca.pem'), token.caCertPem);
}, 180_000);

afterAll(async () => {
  await tsa?.close();
  await token?.dispose();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!ready)('motcua-desk digitise --sign with a SoftHSM2 token', () => {
  it('signs the searchable PDF; pdfsig and our verifier accept it, the text layer stays', async () => {
    const out = join(dir, 'signed.pdf');
    const r = await cli(['--in', page, ...META, '--out', out, '--json', '--dpi', '150', ...signArgs()], {
      [PIN_ENV]: token.pin,
    });
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as {
      sizeBytes: number;
      signed: { signer: string; keyId: string; timestamp: boolean };
    };
    expect(summary.signed).toEqual({ signer: 'Nguyễn Văn An', keyId: token.keys.rsa.keyId, timestamp: false });
    const pdf = new Uint8Array(readFileSync(out));
    expect(summary.sizeBytes).toBe(pdf.length);
    expect(`${r.out}${r.err}`).not.toContain(token.pin);

    const sig = pdfsig(out, nssDbTrusting(join(dir, 'ca.pem')));
    expect(sig.out).toContain('Signature is Valid.');
    expect(sig.out).toContain('Certificate is Trusted.');
    expect(sig.out).toContain('Total document signed');
    expect(sig.out).toContain('ETSI.CAdES.detached');

    const report = await verifyPdf(pdf, { trustAnchors: [token.caCertPem] });
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]).toMatchObject({
      verdict: 'valid-trusted',
      reason: DIGITISED_REASON,
      changesAfterSigning: 'none',
      certificateValidAtSigningTime: true,
    });
    expect(report.signatures[0]!.keyUsage.ok).toBe(true);
    expect(report.signatures[0]!.signer?.commonName).toBe('Nguyễn Văn An');
    // Without the anchor: still intact, not trusted.
    expect((await verifyPdf(pdf)).signatures[0]!.verdict).toBe('valid-untrusted');
    expect(foldVietnamese(execFileSync('pdftotext', ['-enc', 'UTF-8', out, '-'], { encoding: 'utf8' }))).toMatch(
      /ben nghe/,
    );
  }, 120_000);

  it('B-T with --tsa and a visible --stamp, EC key', async () => {
    const out = join(dir, 'signed-bt.pdf');
    const before = tsa.requests;
    const r = await cli(
      [
        '--in',
        page,
        ...META,
        '--out',
        out,
        '--dpi',
        '150',
        ...signArgs({ '--key-id': token.keys.ec.keyId, '--tsa': tsa.url }),
        '--stamp',
      ],
      { [PIN_ENV]: token.pin },
    );
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(/Đã ký số: Nguyễn Văn An .*có dấu thời gian/);
    expect(tsa.requests).toBe(before + 1);
    const pdf = new Uint8Array(readFileSync(out));
    const s = (await verifyPdf(pdf, { trustAnchors: [token.caCertPem] })).signatures[0]!;
    expect(s.verdict).toBe('valid-trusted');
    expect(s.signingTimeSource).toBe('timestamp');
    expect(s.timestamp).toMatchObject({ present: true, valid: true });
    expect(pdfsig(out, nssDbTrusting(join(dir, 'ca.pem'))).out).toContain('Signature is Valid.');
    // The stamp is a widget with a real area (an invisible signature's is 0 0 0 0).
    const rects = [
      ...Buffer.from(pdf)
        .toString('latin1')
        .matchAll(/\/Rect\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]/g),
    ].map((m) => m.slice(1, 5).map(Number));
    expect(rects.some(([x1, y1, x2, y2]) => x2! - x1! > 50 && y2! - y1! > 20)).toBe(true);
  }, 120_000);

  describe('bad input: one clear line, non-zero exit, no output file', () => {
    const cases: [string, () => string[], () => Record<string, string>, number, RegExp][] = [
      [
        'PIN variable not set',
        () => signArgs(),
        () => ({}),
        2,
        /biến môi trường MOTCUA_TEST_TOKEN_PIN .* chưa được đặt/,
      ],
      ['wrong PIN', () => signArgs(), () => ({ [PIN_ENV]: '000999' }), 1, /TOKEN_PIN_INCORRECT: mã PIN không đúng/],
      [
        'unknown key id',
        () => signArgs({ '--key-id': 'deadbeef' }),
        () => ({ [PIN_ENV]: token.pin }),
        1,
        /TOKEN_KEY_NOT_FOUND/,
      ],
      [
        'a token label nobody has',
        () => signArgs({ '--token-label': 'Token khác' }),
        () => ({ [PIN_ENV]: token.pin }),
        1,
        /TOKEN_NOT_FOUND/,
      ],
      [
        'a module file that is not a PKCS#11 library',
        () => signArgs({ '--token-module': join(dir, 'not-a-module.so') }),
        () => ({ [PIN_ENV]: token.pin }),
        1,
        /TOKEN_MODULE_LOAD_FAILED/,
      ],
      [
        'a module path that does not exist',
        () => signArgs({ '--token-module': join(dir, 'missing.so') }),
        () => ({ [PIN_ENV]: token.pin }),
        2,
        /không thấy thư viện PKCS#11/,
      ],
      [
        'a key id that is not hex',
        () => signArgs({ '--key-id': 'khóa-1' }),
        () => ({ [PIN_ENV]: token.pin }),
        2,
        /--key-id phải là các byte hex/,
      ],
      [
        'a timestamp authority that does not answer',
        () => signArgs({ '--tsa': 'http://127.0.0.1:9/tsa' }),
        () => ({ [PIN_ENV]: token.pin }),
        1,
        /SIGN_TIMESTAMP_FAILED/,
      ],
    ];
    for (const [name, args, env, exit, message] of cases) {
      it(
        name,
        async () => {
          writeFileSync(join(dir, 'not-a-module.so'), 'this is not an ELF shared object');
          const out = join(dir, `bad-${name.replace(/\W+/g, '-')}.pdf`);
          const r = await cli(['--in', page, ...META, '--out', out, '--dpi', '150', ...args()], env());
          expect(r.code, r.err).toBe(exit);
          const lines = r.err.trim().split('\n');
          expect(lines).toHaveLength(1);
          expect(lines[0]).toMatch(/^Lỗi( ký số)?: /);
          expect(lines[0]).toMatch(message);
          expect(r.err).not.toContain(token.pin);
          expect(r.out).toBe('');
          expect(existsSync(out)).toBe(false);
          expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
        },
        120_000,
      );
    }
  });
});

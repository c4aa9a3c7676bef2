import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SimulatedToken, SimulatedTokenProvider } from '../../drivers/testing';
import { fixedClock } from '../kernel/clock';
import { TRAINING_CONFIG } from '../core/config';
import { createSigning } from '../signing/signing-setup';
import { signPdf } from '../signing/pades';
import { samplePdf } from '../signing/testing/pdf-tools';
import { issueSigner, makeTestCa } from '../signing/testing/test-pki';
import { openTokenKey } from '../signing/token-key';
import { rememberTrainingAnchors, trainingCaFolder } from '../signing/training-anchors';
import { silentLog } from '../queue/testing/queue-harness';
import { openStore, type Store } from '../store/store';
import { main } from './cli';

/**
 * The verify screen (`signing.verify`, through the desk's signing setup) and `motcua-desk verify`
 * with the desk's data folder must agree on trust for a training-signed file.
 */
describe('verify: the screen and the command agree on trust', () => {
  let dataDir: string;
  let store: Store;
  let signing: ReturnType<typeof createSigning>;

  const cli = async (args: string[]): Promise<{ code: number; out: string }> => {
    const out: string[] = [];
    const code = await main(['--data-dir', dataDir, ...args], {
      out: (s: string) => out.push(s) > 0,
      err: (s: string) => out.push(s) > 0,
    });
    return { code, out: out.join('\n') };
  };
  const screen = async (file: string): Promise<string | undefined> => {
    const { readFile } = await import('node:fs/promises');
    const result = await signing.signing.verify({
      file: { name: 'x.pdf', base64: (await readFile(file)).toString('base64') },
    });
    return result.signatures[0]?.verdict;
  };

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'motcua-verify-trust-'));
    store = openStore({ dataDir });
  });

  afterEach(async () => {
    await signing?.close();
    store.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const startDesk = async (): Promise<void> => {
    signing = createSigning({
      config: TRAINING_CONFIG,
      trainingMode: true,
      store,
      clock: fixedClock('2026-12-07T09:00'),
      log: silentLog,
      onProgress: () => undefined,
      dataDir,
    });
    // The desk remembers this run's training CA in the background.
    const deadline = Date.now() + 5_000;
    while (
      !(existsSync(trainingCaFolder(dataDir)) && readdirSync(trainingCaFolder(dataDir)).length > 0) &&
      Date.now() < deadline
    ) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };

  it('a file signed with the training token: both say valid and trusted', async () => {
    await startDesk();
    expect(readdirSync(trainingCaFolder(dataDir))).toHaveLength(1);
    // Signed as the station signs in training mode: the simulated token, key 5a01, PIN 123456.
    const opened = await openTokenKey(new SimulatedTokenProvider([new SimulatedToken()]), { keyId: '5a01' }, '123456');
    const file = join(dataDir, 'training-signed.pdf');
    try {
      await writeFile(file, await signPdf(await samplePdf(1), opened.key, { reason: 'Xác thực bản số hóa' }));
    } finally {
      await opened.close();
    }
    expect(await screen(file)).toBe('valid-trusted');
    const r = await cli(['verify', file]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('HỢP LỆ, tin cậy');
    expect(r.out).toContain('CA đào tạo: 1');
    const json = JSON.parse((await cli(['verify', file, '--json'])).out) as { signatures: { verdict: string }[] };
    expect(json.signatures[0]?.verdict).toBe('valid-trusted');
  });

  it('a file signed in an earlier training run (another training CA): both still trust it after a restart', async () => {
    const earlier = makeTestCa('CA đào tạo Một Cửa (lần chạy trước)');
    rememberTrainingAnchors(dataDir, [earlier.certDer]);
    const signer = issueSigner(earlier);
    const file = join(dataDir, 'earlier.pdf');
    await writeFile(file, await signPdf(await samplePdf(1), signer.key, {}));
    await startDesk();
    expect(await screen(file)).toBe('valid-trusted');
    expect((await cli(['verify', file])).out).toContain('HỢP LỆ, tin cậy');
  });

  it('a CA the desk never used is trusted by neither', async () => {
    await startDesk();
    const stranger = makeTestCa('CA lạ');
    const file = join(dataDir, 'stranger.pdf');
    await writeFile(file, await signPdf(await samplePdf(1), issueSigner(stranger).key, {}));
    expect(await screen(file)).toBe('valid-untrusted');
    const r = await cli(['verify', file]);
    expect(r.out).toContain('HỢP LỆ nhưng chưa tin cậy');
    expect(r.out).toContain('chuỗi chứng thực không tới CA tin cậy');
    expect(r.out).not.toMatch(/chain does not reach/);
  });

  it('problems are worded in Vietnamese: a damaged file and a tampered signature', async () => {
    const broken = join(dataDir, 'broken.pdf');
    await writeFile(broken, 'this is not a PDF at all');
    const r = await cli(['verify', broken]);
    expect(r.code).toBe(1);
    expect(r.out).toBe('Tệp không đọc được: tệp không phải PDF hoặc bị hỏng');
    const json = JSON.parse((await cli(['verify', broken, '--json'])).out) as {
      problem: string;
      problemDetail: string;
    };
    expect(json.problem).toBe('PDF_UNREADABLE');
    expect(json.problemDetail).toMatch(/Failed to parse|PDF/);

    const ca = makeTestCa();
    const signed = Buffer.from(await signPdf(await samplePdf(1), issueSigner(ca).key, {}));
    signed[signed.indexOf('/Helvetica') + 9] = 'e'.charCodeAt(0);
    const tampered = join(dataDir, 'tampered.pdf');
    await writeFile(tampered, signed);
    const t = await cli(['verify', tampered]);
    expect(t.out).toContain('nội dung tệp đã bị thay đổi sau khi ký (mã băm không khớp)');
    expect(t.out).not.toMatch(/message digest|does not match/);
  });
});

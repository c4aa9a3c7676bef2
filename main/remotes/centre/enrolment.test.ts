import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import { createCentreCa } from '../../centre/security/ca';
import { RemoteError } from '../remote-error';
import { deskCodeFor, enrolLikeACentre, startHostileCentre, type HostileCentre } from './testing/hostile-centre';
import { CENTRE_FILES, joinCentre, leaveCentre, loadEnrolment } from './enrolment';
import { formatPairingCode, newPairingSecret } from './wire-pairing';

/**
 * Joining, loading and leaving, against a server that plays the centre (testing/hostile-centre.ts).
 * The real centre's side is in centre.real-centre.test.ts.
 */
let hostile: HostileCentre;
const dirs: string[] = [];

beforeAll(async () => {
  hostile = await startHostileCentre();
});
afterAll(async () => {
  await hostile.close();
});
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function dataDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'motcua-desk-join-'));
  dirs.push(d);
  return d;
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a refusal');
}

function nothingSaved(dir: string): void {
  const centre = join(dir, CENTRE_FILES.dir);
  expect(existsSync(centre) ? readdirSync(centre) : []).toEqual([]);
}

const enrolCalls = () => hostile.requests.filter((r) => r.path === '/api/v1/enrol').length;

describe('joinCentre', () => {
  it('checks the CA, enrols, and keeps the four files (key 0600) with the enrolment', async () => {
    enrolLikeACentre(hostile);
    const dir = dataDir();
    const code = deskCodeFor(hostile.ca.certPem);
    const e = await joinCentre({ url: `${hostile.url}/some/path`, code, dir });
    expect(e).toMatchObject({
      url: hostile.url,
      deviceId: '5d0c9a5e-0000-4000-8000-0000000000aa',
      counter: 'Q02',
      deskSlot: 1,
      agencyId: '000.00.12.H56',
      centreId: 'c-1',
    });
    const centre = join(dir, CENTRE_FILES.dir);
    expect(readdirSync(centre).sort()).toEqual(['ca.crt', 'centre.json', 'desk.crt', 'desk.key']);
    expect(statSync(join(centre, CENTRE_FILES.key)).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(centre, CENTRE_FILES.ca), 'utf8')).toContain('BEGIN CERTIFICATE');
    const sent = JSON.parse(hostile.requests.at(-1)!.body) as { code: string; publicKeyPem: string };
    expect(sent.code.replace(/-/g, '')).toBe(code.replace(/-/g, ''));
    expect(sent.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(hostile.requests.at(-1)!.headers['x-motcua-time']).toMatch(/^\d+$/);
    // The private key never left the desk.
    expect(hostile.requests.at(-1)!.body).not.toContain('PRIVATE KEY');
    expect(loadEnrolment(dir).deviceId).toBe(e.deviceId);
  });

  it('refuses to overwrite an enrolment unless forced', async () => {
    enrolLikeACentre(hostile);
    const dir = dataDir();
    await joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir });
    const before = readFileSync(join(dir, CENTRE_FILES.dir, CENTRE_FILES.cert), 'utf8');
    const calls = enrolCalls();
    const e = await refusal(joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir }));
    expect(e.code).toBe('CONFLICT');
    expect(enrolCalls()).toBe(calls);
    await joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir, force: true });
    expect(readFileSync(join(dir, CENTRE_FILES.dir, CENTRE_FILES.cert), 'utf8')).not.toBe(before);
  });

  it("a code whose CA check does not match the server's CA: refused before the code is sent, nothing saved", async () => {
    enrolLikeACentre(hostile);
    const other = await createCentreCa({ commonName: 'CA của trung tâm khác' });
    const dir = dataDir();
    const calls = hostile.requests.length;
    const e = await refusal(joinCentre({ url: hostile.url, code: deskCodeFor(other.certPem), dir }));
    expect(e.code).toBe('CENTRE_PAIRING_INVALID');
    expect(e.message).toMatch(/CA/);
    expect(hostile.requests.length).toBe(calls);
    nothingSaved(dir);
  });

  it('an 8-character code (browser devices) or garbage is refused without any connection', async () => {
    const dir = dataDir();
    const calls = hostile.requests.length;
    expect(
      (await refusal(joinCentre({ url: hostile.url, code: formatPairingCode(newPairingSecret()), dir }))).code,
    ).toBe('CENTRE_PAIRING_INVALID');
    expect((await refusal(joinCentre({ url: hostile.url, code: 'xin chào!', dir }))).code).toBe(
      'CENTRE_PAIRING_INVALID',
    );
    expect(
      (await refusal(joinCentre({ url: 'http://127.0.0.1:1', code: deskCodeFor(hostile.ca.certPem), dir }))).code,
    ).toBe('VALIDATION_FAILED');
    expect(hostile.requests.length).toBe(calls);
    nothingSaved(dir);
  });

  it("the centre's refusal (used or unknown code) comes back as its AppError; nothing saved", async () => {
    hostile.answer('/api/v1/enrol', {
      status: 400,
      body: JSON.stringify({
        error: { code: 'CENTRE_PAIRING_INVALID', message: 'Mã ghép nối không đúng hoặc đã hết hạn.' },
      }),
    });
    const dir = dataDir();
    const e = await refusal(joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir }));
    expect(e.code).toBe('CENTRE_PAIRING_INVALID');
    expect(e.message).toBe('Mã ghép nối không đúng hoặc đã hết hạn.');
    nothingSaved(dir);
  });

  it('answers that cannot be trusted or read are refused and nothing is saved', async () => {
    const otherCa = await createCentreCa({ commonName: 'CA khác' });
    const spoils: [string, (a: Record<string, unknown>) => Record<string, unknown>][] = [
      ['a certificate for another key', (a) => ({ ...a, certificatePem: a.caPem })],
      ['another CA in the answer', (a) => ({ ...a, caPem: otherCa.certPem })],
      [
        'garbage certificate',
        (a) => ({ ...a, certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' }),
      ],
      ['no device', (a) => ({ ...a, device: null })],
    ];
    for (const [what, spoil] of spoils) {
      enrolLikeACentre(hostile, spoil);
      const dir = dataDir();
      const e = await refusal(joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir }));
      expect(e, what).toBeInstanceOf(RemoteError);
      expect(e.code, what).toBe('REMOTE_BAD_RESPONSE');
      nothingSaved(dir);
    }
    for (const answer of [
      { status: 502, body: '<html>Bad gateway</html>' },
      { status: 200, body: '' },
      { status: 200, body: '[]' },
      { status: 409, body: 'garbage' },
    ]) {
      hostile.answer('/api/v1/enrol', answer);
      const dir = dataDir();
      const e = await refusal(joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir }));
      expect(e, answer.body).toBeInstanceOf(RemoteError);
      nothingSaved(dir);
    }
  });

  it('a timeout or a reset during enrolment leaves nothing', async () => {
    const dir = dataDir();
    hostile.answer('/api/v1/enrol', { hang: true });
    const e1 = await refusal(
      joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir, timeoutMs: 300 }),
    );
    expect(e1.code).toBe('REMOTE_TIMEOUT');
    hostile.answer('/api/v1/enrol', { reset: 'mid-answer' });
    const e2 = await refusal(joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir }));
    expect(e2.code).toBe('REMOTE_UNAVAILABLE');
    nothingSaved(dir);
  });

  it('nothing listening: REMOTE_UNAVAILABLE, nothing saved', async () => {
    const dir = dataDir();
    const e = await refusal(joinCentre({ url: 'https://127.0.0.1:1', code: deskCodeFor(hostile.ca.certPem), dir }));
    expect(e.code).toBe('REMOTE_UNAVAILABLE');
    nothingSaved(dir);
  });
});

describe('loadEnrolment and leaveCentre', () => {
  it('not enrolled: CENTRE_NOT_ENROLLED with the join command to run', () => {
    const e = (() => {
      try {
        loadEnrolment(dataDir());
      } catch (err) {
        return err as AppError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e.code).toBe('CENTRE_NOT_ENROLLED');
    expect(e.message).toMatch(/centre join/);
  });

  it('corrupt or missing files: CONFIG_INVALID naming the file', async () => {
    enrolLikeACentre(hostile);
    const cases: [string, string | null][] = [
      [CENTRE_FILES.info, '{"url": 1}'],
      [CENTRE_FILES.info, 'not json'],
      [CENTRE_FILES.cert, 'garbage'],
      [CENTRE_FILES.key, null],
      [CENTRE_FILES.key, (await createCentreCa({ commonName: 'x' })).keyPem],
      [CENTRE_FILES.ca, (await createCentreCa({ commonName: 'y' })).certPem],
    ];
    for (const [file, content] of cases) {
      const dir = dataDir();
      await joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir });
      const path = join(dir, CENTRE_FILES.dir, file);
      if (content === null) rmSync(path);
      else writeFileSync(path, content);
      let error: AppError | null = null;
      try {
        loadEnrolment(dir);
      } catch (err) {
        error = err as AppError;
      }
      expect(error?.code, `${file}: ${content?.slice(0, 20)}`).toBe('CONFIG_INVALID');
      expect(error?.message).toContain(file);
    }
  });

  it('leave removes the files and says what was enrolled; a second leave finds nothing', async () => {
    enrolLikeACentre(hostile);
    const dir = dataDir();
    await joinCentre({ url: hostile.url, code: deskCodeFor(hostile.ca.certPem), dir });
    const was = leaveCentre(dir);
    expect(was?.deviceId).toBe('5d0c9a5e-0000-4000-8000-0000000000aa');
    nothingSaved(dir);
    expect(leaveCentre(dir)).toBeNull();
  });
});

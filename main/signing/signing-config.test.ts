import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract';
import { CONFIG_FILE_NAME, loadConfig, parseConfig } from '../core/config';
import { effectiveSigning, readTrustAnchors, TRAINING_SIGNING_KEY_ID, tokenDriverConfig } from './signing-config';

let dir: string;
let caPem: string;
let caDer: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-signing-config-'));
  caPem = join(dir, 'ca.pem');
  caDer = join(dir, 'ca.der');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      join(dir, 'ca.key'),
      '-out',
      caPem,
      '-days',
      '30',
      '-subj',
      '/CN=CA thử',
      '-utf8',
    ],
    { stdio: 'ignore' },
  );
  execFileSync('openssl', ['x509', '-in', caPem, '-outform', 'DER', '-out', caDer]);
  writeFileSync(
    join(dir, 'not-a-cert.pem'),
    '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n',
  );
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const base = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q02', name: 'Quầy 2' },
};
const production = {
  ...base,
  remotes: {
    national: {
      baseUrl: 'https://dvc.example.vn/api',
      username: 'h56',
      passwordEnv: 'MOTCUA_NATIONAL_PASSWORD',
      dstcode: 'H56',
    },
    provincial: { baseUrl: 'https://lgsp.example.vn', clientId: 'desk', clientSecretEnv: 'MOTCUA_PROVINCIAL_SECRET' },
  },
};
const goodSigning = () => ({
  modulePath: '/usr/lib/fptca_v4.so',
  tokenLabel: 'FPT-CA Token',
  keyId: 'A1B2C3D4',
  tsaUrl: 'http://tsa.example.vn/tsa',
  trustAnchors: [caPem, caDer],
  stamp: { visible: true, page: 0, rect: { x: 360, y: 36, width: 200, height: 60 } },
});

/** Loads a config file from the data dir, as the core and the CLI do. */
function load(value: unknown) {
  const d = mkdtempSync(join(dir, 'data-'));
  writeFileSync(join(d, CONFIG_FILE_NAME), JSON.stringify(value));
  return loadConfig(d);
}

function failure(value: unknown): { message: string; fields: string[] } {
  try {
    load(value);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    expect(err.code).toBe('CONFIG_INVALID');
    return { message: err.message, fields: (err.details as { fields: string[] }).fields };
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('signing section of the configuration', () => {
  it('accepts a production section and gives the token driver its module', () => {
    const { config, trainingMode } = load({ ...production, signing: goodSigning() });
    expect(trainingMode).toBe(false);
    const s = effectiveSigning(config.signing, trainingMode)!;
    expect(s).toMatchObject({
      simulated: false,
      keyId: 'a1b2c3d4',
      enabled: true,
      tokenLabel: 'FPT-CA Token',
      stamp: { visible: true, page: 0 },
    });
    expect(tokenDriverConfig(s)).toEqual({ kind: 'pkcs11', modules: ['/usr/lib/fptca_v4.so'], search: false });
    expect(readTrustAnchors(s).map((b) => b.length)).toEqual([expect.any(Number), expect.any(Number)]);
  });

  it('training mode signs with the simulated token, whatever module is configured', () => {
    expect(effectiveSigning(undefined, true)).toMatchObject({
      simulated: true,
      keyId: TRAINING_SIGNING_KEY_ID,
      stamp: { visible: false },
    });
    const { config, trainingMode } = load({ ...base, signing: goodSigning() });
    expect(trainingMode).toBe(true);
    const s = effectiveSigning(config.signing, trainingMode)!;
    expect(s.simulated).toBe(true);
    expect(tokenDriverConfig(s)).toEqual({ kind: 'simulated' });
    expect(effectiveSigning(parseConfig({ ...base, signing: { enabled: false } }).signing, true)).toBeNull();
  });

  it('production without a section, or with signing off, does not sign', () => {
    expect(effectiveSigning(undefined, false)).toBeNull();
    expect(effectiveSigning(load({ ...production, signing: { enabled: false } }).config.signing, false)).toBeNull();
  });

  it.each([
    [{ ...goodSigning(), keyId: 'a1b2c' }, 'signing.keyId'],
    [{ ...goodSigning(), keyId: 'khóa-1' }, 'signing.keyId'],
    [{ ...goodSigning(), modulePath: 'fptca_v4.so' }, 'signing.modulePath'],
    [{ ...goodSigning(), tsaUrl: 'ftp://tsa.example.vn' }, 'signing.tsaUrl'],
    [{ ...goodSigning(), tsaUrl: 'not a url' }, 'signing.tsaUrl'],
    [{ ...goodSigning(), trustAnchors: ['ca.pem'] }, 'signing.trustAnchors.0'],
    [{ ...goodSigning(), stamp: { visible: 'yes' } }, 'signing.stamp.visible'],
    [
      { ...goodSigning(), stamp: { visible: true, rect: { x: 0, y: 0, width: 5, height: 60 } } },
      'signing.stamp.rect.width',
    ],
    [{ ...goodSigning(), pin: '123456' }, 'signing'],
    [{ ...goodSigning(), moduleEnv: { 'softhsm2-conf': '/etc/x' } }, 'signing.moduleEnv'],
  ])('names the wrong field (%#)', (signing, field) => {
    const f = failure({ ...production, signing });
    expect(f.message).toContain(field);
    expect(f.fields.some((x) => x.startsWith(field))).toBe(true);
  });

  it('refuses a production section without module or key, naming it', () => {
    expect(failure({ ...production, signing: { keyId: 'a1' } }).fields).toEqual(['signing.modulePath']);
    expect(failure({ ...production, signing: { modulePath: '/usr/lib/x.so' } }).fields).toEqual(['signing.keyId']);
  });

  it('refuses trust anchors that are missing or not certificates, naming the entry', () => {
    const missing = failure({
      ...production,
      signing: { ...goodSigning(), trustAnchors: [caPem, join(dir, 'nope.pem')] },
    });
    expect(missing.fields).toEqual(['signing.trustAnchors.1']);
    expect(missing.message).toMatch(/không đọc được tệp .*nope\.pem \(ENOENT\)/);
    const junk = failure({ ...production, signing: { ...goodSigning(), trustAnchors: [join(dir, 'not-a-cert.pem')] } });
    expect(junk.fields).toEqual(['signing.trustAnchors.0']);
    expect(junk.message).toMatch(/không phải chứng thư số X\.509/);
  });
});

import { spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import {
  certificateFingerprint,
  certificateInfo,
  createCentreCa,
  issueClientCertificate,
  issueServerCertificate,
} from './ca';
import { initCentreTls, loadCentreTls, renewServerCertificate } from './tls-files';

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'motcua-centre-tls-'));
  dir = join(root, 'tls');
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const init = (force = false) =>
  initCentreTls(dir, {
    hosts: ['192.168.1.10', 'mot-cua.local'],
    commonName: 'CA Trung tâm',
    organization: 'UBND xã',
    force,
  });

function errorOf(fn: () => unknown): AppError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected an error');
}

describe('initCentreTls', () => {
  it('writes ca.crt, ca.key (0600), server.crt, server.key (0600) that load back and chain', async () => {
    const made = await init();
    expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'ca.key', 'server.crt', 'server.key']);
    if (process.platform !== 'win32') {
      expect(statSync(join(dir, 'ca.key')).mode & 0o777).toBe(0o600);
      expect(statSync(join(dir, 'server.key')).mode & 0o777).toBe(0o600);
      expect(statSync(dir).mode & 0o077).toBe(0);
    }
    const loaded = loadCentreTls(dir);
    expect(loaded).toEqual(made);
    expect(loaded.caFingerprint).toBe(certificateFingerprint(readFileSync(join(dir, 'ca.crt'), 'utf8')));
    expect(certificateInfo(loaded.serverCertPem).subjectAltNames).toEqual(['IP:192.168.1.10', 'DNS:mot-cua.local']);
    const r = spawnSync('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'server.crt')], {
      encoding: 'utf8',
    });
    expect(r.stdout).toContain('server.crt: OK');
  });

  it('refuses to replace an existing CA unless forced, saying that desks must enrol again', async () => {
    const first = await init();
    const err = await init().then(
      () => null,
      (e: unknown) => e as AppError,
    );
    expect(err?.code).toBe('VALIDATION_FAILED');
    expect(err?.message).toMatch(/máy bàn phải ghép nối lại/);
    expect(err?.message).toMatch(/--force/);
    expect(loadCentreTls(dir).caFingerprint).toBe(first.caFingerprint);
    const forced = await init(true);
    expect(forced.caFingerprint).not.toBe(first.caFingerprint);
    expect(loadCentreTls(dir).caFingerprint).toBe(forced.caFingerprint);
  });

  it('a lone ca.key also counts as an existing CA', async () => {
    await init();
    unlinkSync(join(dir, 'ca.crt'));
    await expect(init()).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('bad hosts are refused before anything is written', async () => {
    await expect(initCentreTls(dir, { hosts: ['not a host'], commonName: 'CA' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expect(initCentreTls(dir, { hosts: [], commonName: 'CA' })).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    expect(() => readdirSync(dir)).toThrow();
  });
});

describe('loadCentreTls: clear errors for missing and corrupt files', () => {
  it('names a missing file and how to make it', async () => {
    expect(errorOf(() => loadCentreTls(dir)).message).toMatch(/Thiếu tệp .*ca\.crt.*centre init/);
    await init();
    unlinkSync(join(dir, 'server.key'));
    expect(errorOf(() => loadCentreTls(dir)).message).toMatch(/Thiếu tệp .*server\.key/);
  });

  it('names a corrupt certificate or key', async () => {
    await init();
    const ca = readFileSync(join(dir, 'ca.crt'), 'utf8');
    writeFileSync(join(dir, 'ca.crt'), ca.slice(0, ca.length / 2));
    expect(errorOf(() => loadCentreTls(dir)).message).toMatch(/bị hỏng: .*ca\.crt không phải chứng thư/);
    writeFileSync(join(dir, 'ca.crt'), ca);
    writeFileSync(join(dir, 'server.key'), 'garbage');
    expect(errorOf(() => loadCentreTls(dir)).message).toMatch(/server\.key không phải khóa riêng/);
  });

  it('a key that is not the certificate’s, or a server certificate of another CA, is refused', async () => {
    await init();
    const stray = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    });
    const caKey = readFileSync(join(dir, 'ca.key'), 'utf8');
    writeFileSync(join(dir, 'ca.key'), stray.privateKey);
    expect(errorOf(() => loadCentreTls(dir)).message).toMatch(/ca\.key không phải khóa của ca\.crt/);
    writeFileSync(join(dir, 'ca.key'), caKey);

    const other = await createCentreCa({ commonName: 'CA Trung tâm', organization: 'UBND xã' });
    const foreign = await issueServerCertificate(other, { hosts: ['192.168.1.10'] });
    writeFileSync(join(dir, 'server.crt'), foreign.certPem);
    writeFileSync(join(dir, 'server.key'), foreign.keyPem);
    expect(errorOf(() => loadCentreTls(dir)).message).toMatch(/server\.crt không do CA/);

    // A server certificate where the CA certificate belongs is not a CA.
    copyFileSync(join(dir, 'server.crt'), join(dir, 'ca.crt'));
    copyFileSync(join(dir, 'server.key'), join(dir, 'ca.key'));
    expect(errorOf(() => loadCentreTls(dir)).message).toMatch(/không phải chứng thư CA/);
  });
});

describe('renewServerCertificate', () => {
  it('issues a new server certificate for new addresses under the same CA; desk certificates stay valid', async () => {
    const first = await init();
    const keys = generateKeyPairSync('ec', {
      namedCurve: 'P-256',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const deskCert = await issueClientCertificate(
      { certPem: first.caPem, keyPem: first.caKeyPem },
      { publicKeyPem: keys.publicKey, deviceId: 'd6c1a0de-0000-4000-8000-000000000001', kind: 'desk', name: 'Quầy 1' },
    );
    const renewed = await renewServerCertificate(dir, ['10.0.0.20', 'fd00::20']);
    expect(renewed.caPem).toBe(first.caPem);
    expect(renewed.caFingerprint).toBe(first.caFingerprint);
    expect(renewed.serverKeyPem).not.toBe(first.serverKeyPem);
    expect(certificateInfo(renewed.serverCertPem).subjectAltNames).toEqual(['IP:10.0.0.20', 'IP:fd00::20']);
    expect(new X509Certificate(renewed.serverCertPem).checkIP('192.168.1.10')).toBeUndefined();
    expect(loadCentreTls(dir)).toEqual(renewed);
    writeFileSync(join(root, 'desk.crt'), deskCert);
    const r = spawnSync(
      'openssl',
      ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'server.crt'), join(root, 'desk.crt')],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toContain('server.crt: OK');
    expect(r.stdout).toContain('desk.crt: OK');
  });

  it('works even when the old server files are damaged; refuses without a CA or with bad hosts', async () => {
    await expect(renewServerCertificate(dir, ['10.0.0.1'])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    const first = await init();
    writeFileSync(join(dir, 'server.key'), 'garbage');
    const renewed = await renewServerCertificate(dir, ['10.0.0.1']);
    expect(renewed.caFingerprint).toBe(first.caFingerprint);
    await expect(renewServerCertificate(dir, ['10.0.0.1 ; rm'])).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    expect(loadCentreTls(dir).serverCertPem).toBe(renewed.serverCertPem);
  });
});

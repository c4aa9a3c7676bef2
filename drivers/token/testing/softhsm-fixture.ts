/**
 * A real PKCS#11 token for tests: a SoftHSM2 token in its own temporary folder, key pairs
 * generated on the token (`pkcs11-tool --keypairgen`), and certificates with a Vietnamese subject
 * issued by a throw-away test CA (openssl) and written back to the token under the key's CKA_ID.
 *
 * Needs `softhsm2-util`, `pkcs11-tool` (OpenSC) and `openssl` on PATH and libsofthsm2. Use
 * `softHsmAvailable()` to skip tests where they are missing.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const SOFTHSM_MODULE_CANDIDATES = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib64/pkcs11/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
];

export function softHsmModulePath(): string | null {
  return SOFTHSM_MODULE_CANDIDATES.find((p) => existsSync(p)) ?? null;
}

/** True when SoftHSM2, OpenSC's pkcs11-tool and openssl can all be run here. */
export async function softHsmAvailable(): Promise<boolean> {
  if (softHsmModulePath() === null) return false;
  try {
    await run('softhsm2-util', ['--version']);
    await run('openssl', ['version']);
    await run('pkcs11-tool', ['--help']).catch((e: { stdout?: string }) => {
      if (!String(e.stdout ?? '').includes('Usage')) throw e;
    });
    return true;
  } catch {
    return false;
  }
}

export interface SoftHsmKey {
  /** CKA_ID, lower-case hex. */
  keyId: string;
  algorithm: 'rsa' | 'ecdsa-p256';
  /** The certificate the test CA issued for the key generated on the token. */
  certPem: string;
  certDer: Uint8Array;
}

export interface SoftHsmFixture {
  /** The PKCS#11 module to load. */
  modulePath: string;
  /** The environment the module needs (`SOFTHSM2_CONF` pointing at the temporary token folder). */
  env: { SOFTHSM2_CONF: string };
  /** Token label (as `pkcs11-tool --token-label` and `TokenInfo.label` see it). */
  label: string;
  pin: string;
  soPin: string;
  /** The RSA 2048 key (the default key), then the EC P-256 key. */
  keyId: string;
  certPem: string;
  keys: { rsa: SoftHsmKey; ec: SoftHsmKey };
  /** The test CA (self-signed, Vietnamese subject); its key never goes on the token. */
  caCertPem: string;
  caKeyPem: string;
  /** The temporary folder (tokens, CA files); removed by `dispose()`. */
  dir: string;
  /** `pkcs11-tool` against this token with the given arguments (module and token label added). */
  pkcs11Tool(args: readonly string[]): Promise<string>;
  dispose(): Promise<void>;
}

export interface SoftHsmFixtureOptions {
  label?: string;
  pin?: string;
  soPin?: string;
  /** Subject of the signer certificates, in openssl `-subj` form (UTF-8). */
  subject?: string;
  caSubject?: string;
  /** Also store the CA certificate on the token (no key), so the driver can build the chain. */
  caOnToken?: boolean;
}

export const DEFAULT_SIGNER_SUBJECT = '/C=VN/ST=Quảng Nam/L=Xã Hòa Phú/O=UBND xã Hòa Phú/CN=Nguyễn Văn An';
export const DEFAULT_CA_SUBJECT = '/C=VN/O=Cơ quan chứng thực thử nghiệm/CN=CA thử nghiệm Một Cửa';

export async function createSoftHsmToken(options: SoftHsmFixtureOptions = {}): Promise<SoftHsmFixture> {
  const modulePath = softHsmModulePath();
  if (modulePath === null) throw new Error('libsofthsm2.so not found');
  const dir = await mkdtemp(path.join(tmpdir(), 'motcua-softhsm-'));
  const tokens = path.join(dir, 'tokens');
  await mkdir(tokens, { mode: 0o700 });
  const conf = path.join(dir, 'softhsm2.conf');
  await writeFile(
    conf,
    `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`,
  );
  const env = { SOFTHSM2_CONF: conf };
  const childEnv = { ...process.env, ...env };
  const label = options.label ?? 'Một Cửa thử nghiệm';
  const pin = options.pin ?? '123456';
  const soPin = options.soPin ?? '87654321';
  const exec = async (file: string, args: readonly string[]): Promise<string> => {
    const { stdout } = await run(file, [...args], { env: childEnv, cwd: dir, maxBuffer: 8 * 1024 * 1024 });
    return stdout;
  };
  const pkcs11Tool = (args: readonly string[]): Promise<string> =>
    exec('pkcs11-tool', ['--module', modulePath, '--token-label', label, ...args]);
  try {
    await exec('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', soPin]);

    const f = (name: string): string => path.join(dir, name);
    await exec('openssl', ['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', f('ca.key')]);
    await exec('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      f('ca.key'),
      '-out',
      f('ca.pem'),
      '-days',
      '3650',
      '-utf8',
      '-subj',
      options.caSubject ?? DEFAULT_CA_SUBJECT,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    await writeFile(
      f('leaf.ext'),
      'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,nonRepudiation\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n',
    );
    // A throw-away key only carries the UTF-8 subject into a request; the certificate gets the token's key.
    await exec('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      f('subject.key'),
    ]);
    await exec('openssl', [
      'req',
      '-new',
      '-key',
      f('subject.key'),
      '-utf8',
      '-subj',
      options.subject ?? DEFAULT_SIGNER_SUBJECT,
      '-out',
      f('subject.csr'),
    ]);

    const makeKey = async (algorithm: 'rsa' | 'ecdsa-p256', keyId: string, serial: string): Promise<SoftHsmKey> => {
      const keyType = algorithm === 'rsa' ? 'rsa:2048' : 'EC:prime256v1';
      const keyLabel = algorithm === 'rsa' ? 'Khóa ký RSA' : 'Khóa ký EC';
      await pkcs11Tool([
        '--login',
        '--pin',
        pin,
        '--keypairgen',
        '--key-type',
        keyType,
        '--id',
        keyId,
        '--label',
        keyLabel,
      ]);
      await pkcs11Tool(['--read-object', '--type', 'pubkey', '--id', keyId, '--output-file', f(`${keyId}.pub.der`)]);
      await exec('openssl', [
        'pkey',
        '-pubin',
        '-inform',
        'DER',
        '-in',
        f(`${keyId}.pub.der`),
        '-out',
        f(`${keyId}.pub.pem`),
      ]);
      await exec('openssl', [
        'x509',
        '-req',
        '-in',
        f('subject.csr'),
        '-force_pubkey',
        f(`${keyId}.pub.pem`),
        '-CA',
        f('ca.pem'),
        '-CAkey',
        f('ca.key'),
        '-set_serial',
        serial,
        '-days',
        '730',
        '-sha256',
        '-extfile',
        f('leaf.ext'),
        '-out',
        f(`${keyId}.cert.pem`),
      ]);
      await exec('openssl', ['x509', '-in', f(`${keyId}.cert.pem`), '-outform', 'DER', '-out', f(`${keyId}.cert.der`)]);
      await pkcs11Tool([
        '--login',
        '--pin',
        pin,
        '--write-object',
        f(`${keyId}.cert.der`),
        '--type',
        'cert',
        '--id',
        keyId,
        '--label',
        `Chứng thư ${keyLabel}`,
      ]);
      return {
        keyId,
        algorithm,
        certPem: await readFile(f(`${keyId}.cert.pem`), 'utf8'),
        certDer: new Uint8Array(await readFile(f(`${keyId}.cert.der`))),
      };
    };
    const rsa = await makeKey('rsa', 'a1b2c3d4', '0x1001');
    const ec = await makeKey('ecdsa-p256', 'e5c0de01', '0x1002');
    if (options.caOnToken) {
      await exec('openssl', ['x509', '-in', f('ca.pem'), '-outform', 'DER', '-out', f('ca.der')]);
      await pkcs11Tool([
        '--login',
        '--pin',
        pin,
        '--write-object',
        f('ca.der'),
        '--type',
        'cert',
        '--id',
        'ca01',
        '--label',
        'CA thử nghiệm',
      ]);
    }
    return {
      modulePath,
      env,
      label,
      pin,
      soPin,
      keyId: rsa.keyId,
      certPem: rsa.certPem,
      keys: { rsa, ec },
      caCertPem: await readFile(f('ca.pem'), 'utf8'),
      caKeyPem: await readFile(f('ca.key'), 'utf8'),
      dir,
      pkcs11Tool,
      dispose: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}

/**
 * Test PKI for signing tests: a CA made with openssl (Vietnamese UTF8String subjects), signer
 * certificates for RSA 2048 and EC P-256 keys, a timestamp-authority certificate, and
 * `SigningKey` objects on `node:crypto` (what the token driver hands out after a login).
 */
import { execFileSync } from 'node:child_process';
import { constants, createPrivateKey, privateEncrypt, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SigningKey } from '../../../drivers/token/signing-key.port';

export interface TestCa {
  dir: string;
  certPem: string;
  certPath: string;
  certDer: Uint8Array;
  keyPath: string;
}

export interface TestSigner {
  key: SigningKey;
  certPath: string;
  keyPath: string;
  privateKey: KeyObject;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

export function pemToDer(pem: string): Uint8Array {
  const b64 = pem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  return new Uint8Array(Buffer.from(b64, 'base64'));
}

export function makeTestCa(
  name = 'CA thử nghiệm Ban Cơ yếu',
  dir = mkdtempSync(join(tmpdir(), 'motcua-pki-')),
): TestCa {
  openssl(
    [
      'req',
      '-x509',
      '-utf8',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      'ca.key',
      '-out',
      'ca.pem',
      '-days',
      '3650',
      '-subj',
      `/C=VN/O=Ban Cơ yếu Chính phủ/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const certPem = readFileSync(join(dir, 'ca.pem'), 'utf8');
  return { dir, certPem, certPath: join(dir, 'ca.pem'), certDer: pemToDer(certPem), keyPath: join(dir, 'ca.key') };
}

let serial = 1000;

export function issueSigner(
  ca: TestCa,
  opts: {
    algorithm?: 'rsa' | 'ecdsa-p256';
    subject?: string;
    purpose?: 'signing' | 'tsa';
    includeChain?: boolean;
    name?: string;
  } = {},
): TestSigner {
  const algorithm = opts.algorithm ?? 'rsa';
  const name = opts.name ?? `signer-${algorithm}-${serial}`;
  const dir = ca.dir;
  const newkey =
    algorithm === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  const subject = opts.subject ?? '/C=VN/O=UBND xã Hòa Phú/CN=Nguyễn Văn An';
  openssl(
    ['req', '-new', '-utf8', ...newkey, '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject],
    dir,
  );
  const ext =
    opts.purpose === 'tsa'
      ? 'keyUsage=critical,digitalSignature,nonRepudiation\nextendedKeyUsage=critical,timeStamping\n'
      : 'keyUsage=critical,digitalSignature,nonRepudiation\n';
  writeFileSync(
    join(dir, `${name}.ext`),
    `basicConstraints=CA:FALSE\n${ext}subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n`,
  );
  openssl(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-set_serial',
      String(serial++),
      '-days',
      '730',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.pem`,
    ],
    dir,
  );
  const certDer = pemToDer(readFileSync(join(dir, `${name}.pem`), 'utf8'));
  const privateKey = createPrivateKey(readFileSync(join(dir, `${name}.key`)));
  return {
    key: nodeSigningKey(
      privateKey,
      certDer,
      opts.includeChain === false ? [] : [ca.certDer],
      algorithm,
      join(dir, `${name}.key`),
    ),
    certPath: join(dir, `${name}.pem`),
    keyPath: join(dir, `${name}.key`),
    privateKey,
  };
}

const SHA256_DIGEST_INFO_PREFIX = Buffer.from('3031300d060960864801650304020105000420', 'hex');

export function nodeSigningKey(
  privateKey: KeyObject,
  certificate: Uint8Array,
  chain: Uint8Array[],
  algorithm: 'rsa' | 'ecdsa-p256',
  keyPath?: string,
): SigningKey & { signCount: number } {
  const key = {
    certificate,
    chain,
    algorithm,
    keyId: 'ab01',
    signCount: 0,
    async signDigest(digest: Uint8Array): Promise<Uint8Array> {
      key.signCount++;
      if (algorithm === 'rsa') {
        return new Uint8Array(
          privateEncrypt(
            { key: privateKey, padding: constants.RSA_PKCS1_PADDING },
            Buffer.concat([SHA256_DIGEST_INFO_PREFIX, digest]),
          ),
        );
      }
      // node:crypto has no pre-hashed ECDSA (sign(null, …) hashes again); openssl pkeyutl signs the digest as given.
      return new Uint8Array(
        execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', keyPath!], { input: Buffer.from(digest) }),
      );
    },
  };
  return key;
}

import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import {
  certificateFingerprint,
  certificateInfo,
  checkClientPublicKey,
  createCentreCa,
  issueClientCertificate,
  issueServerCertificate,
  type CertificateAndKey,
} from './ca';

const DEVICE_ID = '3f2b9c1e-5a4d-4e8f-9b7a-1c2d3e4f5a6b';
const NOW = Date.parse('2026-03-02T01:30:45.000Z');
const DAY = 24 * 60 * 60 * 1000;

let dir: string;
let ca: CertificateAndKey;
let server: CertificateAndKey;
let desk: { certPem: string; keyPem: string };

function ecKeyPair(namedCurve = 'P-256') {
  return generateKeyPairSync('ec', {
    namedCurve,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
}

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

function openssl(args: string[]): { status: number | null; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-centre-ca-'));
  ca = await createCentreCa({ commonName: 'CA Trung tâm Một Cửa', organization: 'UBND xã Hòa Phú' });
  server = await issueServerCertificate(ca, { hosts: ['127.0.0.1', '192.168.1.10', '::1', 'mot-cua.local'] });
  const keys = ecKeyPair();
  desk = {
    keyPem: keys.privateKey,
    certPem: await issueClientCertificate(ca, {
      publicKeyPem: keys.publicKey,
      deviceId: DEVICE_ID,
      kind: 'desk',
      name: 'Quầy 1',
    }),
  };
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('the centre CA and the certificates it issues, read by openssl', () => {
  it('verifies the server and the desk certificates against ca.crt only', () => {
    const caFile = write('ca.crt', ca.certPem);
    const r = openssl([
      'verify',
      '-CAfile',
      caFile,
      write('server.crt', server.certPem),
      write('desk.crt', desk.certPem),
    ]);
    expect(r.out).toContain('server.crt: OK');
    expect(r.out).toContain('desk.crt: OK');
    expect(r.status).toBe(0);
    // The purpose is part of the check: the desk certificate is no server certificate and vice versa.
    expect(openssl(['verify', '-CAfile', caFile, '-purpose', 'sslserver', join(dir, 'desk.crt')]).status).not.toBe(0);
    expect(openssl(['verify', '-CAfile', caFile, '-purpose', 'sslclient', join(dir, 'server.crt')]).status).not.toBe(0);
    expect(openssl(['verify', '-CAfile', caFile, '-purpose', 'sslclient', join(dir, 'desk.crt')]).status).toBe(0);
  });

  it('a certificate from another CA does not verify', async () => {
    const other = await createCentreCa({ commonName: 'CA khác' });
    const stranger = await issueServerCertificate(other, { hosts: ['127.0.0.1'] });
    const r = openssl(['verify', '-CAfile', write('ca2.crt', ca.certPem), write('stranger.crt', stranger.certPem)]);
    expect(r.status).not.toBe(0);
  });

  it('the CA is CA:TRUE (critical), signs certificates and CRLs, ECDSA P-256 with SHA-256, O and CN set', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space'], {
      input: ca.certPem,
      encoding: 'utf8',
    });
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    expect(text).toContain('ecdsa-with-SHA256');
    expect(text).toContain('NIST CURVE: P-256');
    expect(text).toContain('Subject: O=UBND xã Hòa Phú, CN=CA Trung tâm Một Cửa');
    const x = new X509Certificate(ca.certPem);
    expect(x.ca).toBe(true);
    expect(x.verify(x.publicKey)).toBe(true);
  });

  it('the server certificate carries the SANs (IPv4, IPv6, DNS), serverAuth and CA:FALSE', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text'], { input: server.certPem, encoding: 'utf8' });
    expect(text).toContain('IP Address:127.0.0.1');
    expect(text).toContain('IP Address:192.168.1.10');
    expect(text).toContain('IP Address:0:0:0:0:0:0:0:1');
    expect(text).toContain('DNS:mot-cua.local');
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Server Authentication/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/Key Usage: critical\s+Digital Signature/);
  });

  it('the desk certificate: CN = device id, OU = kind, clientAuth', () => {
    const text = execFileSync('openssl', ['x509', '-noout', '-text', '-nameopt', 'utf8,sep_comma_plus_space'], {
      input: desk.certPem,
      encoding: 'utf8',
    });
    expect(text).toContain(`Subject: O=UBND xã Hòa Phú, OU=desk, CN=${DEVICE_ID}`);
    expect(text).toMatch(/Extended Key Usage:\s+TLS Web Client Authentication/);
    expect(text).toMatch(/Basic Constraints: critical\s+CA:FALSE/);
  });
});

describe('validity, serials, fingerprints', () => {
  it('leaf certificates start a day back and last two years; the CA ten', async () => {
    const ca2 = await createCentreCa({ commonName: 'CA', now: NOW });
    const srv = await issueServerCertificate(ca2, { hosts: ['10.0.0.5'], now: NOW });
    const cli = await issueClientCertificate(ca2, {
      publicKeyPem: ecKeyPair().publicKey,
      deviceId: DEVICE_ID,
      kind: 'desk',
      name: 'Quầy 2',
      now: NOW,
    });
    const at = (iso: string) => Date.parse(iso);
    const caInfo = certificateInfo(ca2.certPem);
    expect(at(caInfo.notBefore)).toBe(NOW - DAY);
    expect(at(caInfo.notAfter)).toBe(NOW + 3650 * DAY);
    for (const pem of [srv.certPem, cli]) {
      const info = certificateInfo(pem);
      expect(at(info.notBefore)).toBe(NOW - DAY);
      expect(at(info.notAfter)).toBe(NOW + 730 * DAY);
      expect(info.isCa).toBe(false);
      expect(info.issuerCommonName).toBe('CA');
    }
    expect(certificateInfo(cli).subjectCommonName).toBe(DEVICE_ID);
    expect(certificateInfo(srv.certPem).subjectAltNames).toEqual(['IP:10.0.0.5']);
  });

  it('a client certificate can be issued for fewer days', async () => {
    const cli = await issueClientCertificate(ca, {
      publicKeyPem: ecKeyPair().publicKey,
      deviceId: DEVICE_ID,
      kind: 'desk',
      name: 'x',
      now: NOW,
      days: 30,
    });
    expect(Date.parse(certificateInfo(cli).notAfter)).toBe(NOW + 30 * DAY);
  });

  it('serials are random and positive; fingerprint = SHA-256 of the DER', () => {
    const a = certificateInfo(server.certPem);
    const b = certificateInfo(desk.certPem);
    expect(a.serial).not.toBe(b.serial);
    expect(a.serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    const x = new X509Certificate(desk.certPem);
    expect(certificateFingerprint(desk.certPem)).toBe(x.fingerprint256.replace(/:/g, '').toLowerCase());
    expect(x.serialNumber.toLowerCase()).toBe(b.serial);
  });

  it('certificateInfo lists IPv6 SANs in their short form', async () => {
    const srv = await issueServerCertificate(ca, { hosts: ['[fe80::1:0:0:2]', '2001:db8::10', 'Centre.Local'] });
    expect(certificateInfo(srv.certPem).subjectAltNames).toEqual([
      'IP:fe80::1:0:0:2',
      'IP:2001:db8::10',
      'DNS:centre.local',
    ]);
    expect(new X509Certificate(srv.certPem).checkIP('2001:db8:0:0:0:0:0:10')).toBe('2001:db8:0:0:0:0:0:10');
  });

  it('refuses hosts that are neither addresses nor names', async () => {
    for (const hosts of [[], ['bad host'], ['-x.local'], ['10.0.0.1', 'a..b'], ['fe80::1%eth0'], ['http://x']]) {
      await expect(issueServerCertificate(ca, { hosts })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('names longer than 64 characters are cut to 64; an empty name is refused', async () => {
    const long = 'Ủy ban nhân dân xã Hòa Phú, huyện Hòa Vang, thành phố Đà Nẵng, Việt Nam, một cửa';
    const made = await createCentreCa({ commonName: long, organization: long });
    const cut = [...long].slice(0, 64).join('');
    expect(certificateInfo(made.certPem).subjectCommonName).toBe(cut);
    expect(new X509Certificate(made.certPem).subject).toContain(`O=${cut.replace(/,/g, '\\,')}\n`);
    await expect(createCentreCa({ commonName: '   ' })).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('certificateInfo and certificateFingerprint refuse what is not a certificate', () => {
    expect(() => certificateFingerprint('garbage')).toThrow();
    expect(() => certificateInfo(desk.keyPem)).toThrow();
  });
});

describe('desk public keys', () => {
  it('accepts RSA 2048 and EC P-384 keys and issues verifiable certificates', async () => {
    const rsa = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const p384 = ecKeyPair('P-384');
    for (const publicKeyPem of [rsa.publicKey, p384.publicKey]) {
      const cert = await issueClientCertificate(ca, { publicKeyPem, deviceId: DEVICE_ID, kind: 'desk', name: 'x' });
      expect(new X509Certificate(cert).verify(new X509Certificate(ca.certPem).publicKey)).toBe(true);
    }
  });

  it('refuses garbage, truncated, wrong-curve, weak and non-SPKI keys with a clear error', async () => {
    const good = ecKeyPair().publicKey;
    const lines = good.trim().split('\n');
    const truncated = [...lines.slice(0, 2), lines[lines.length - 1]].join('\n');
    const k1 = generateKeyPairSync('ec', {
      namedCurve: 'secp256k1',
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const rsa1024 = generateKeyPairSync('rsa', {
      modulusLength: 1024,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const ed = generateKeyPairSync('ed25519', {
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const rsaPkcs1 = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'pkcs1', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    });
    const cases: Array<[unknown, RegExp]> = [
      ['garbage', /PUBLIC KEY/],
      ['', /PUBLIC KEY/],
      [42, /PUBLIC KEY/],
      [null, /PUBLIC KEY/],
      [truncated, /hỏng hoặc bị cắt/],
      ['-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n', /hỏng hoặc bị cắt/],
      [k1.publicKey, /secp256k1/],
      [rsa1024.publicKey, /1024 bit/],
      [ed.publicKey, /ed25519/],
      [rsaPkcs1.publicKey, /PUBLIC KEY/],
      [ecKeyPair().privateKey, /PUBLIC KEY/],
      [desk.certPem, /PUBLIC KEY/],
      [`${good}${good}`, /PUBLIC KEY/],
      ['x'.repeat(20_000), /PUBLIC KEY/],
    ];
    for (const [key, message] of cases) {
      let caught: unknown;
      try {
        checkClientPublicKey(key);
      } catch (err) {
        caught = err;
      }
      expect(caught, String(key).slice(0, 40)).toBeInstanceOf(AppError);
      expect((caught as AppError).code).toBe('VALIDATION_FAILED');
      expect((caught as AppError).message).toMatch(message);
    }
    await expect(
      issueClientCertificate(ca, { publicKeyPem: k1.publicKey, deviceId: DEVICE_ID, kind: 'desk', name: 'x' }),
    ).rejects.toMatchObject({ code: 'VALIDATION_FAILED' });
  });
});

describe('a real TLS handshake with the issued certificates', () => {
  interface Seen {
    authorized: boolean;
    error: string | null;
    peerCn: string | null;
  }

  async function handshake(
    serverPair: CertificateAndKey,
    client: { cert?: string; key?: string; ca: string; host?: string },
  ): Promise<{ server: Seen | null; client: { authorized: boolean; error: string | null } }> {
    let seen: Seen | null = null;
    const srv = tls.createServer(
      {
        key: serverPair.keyPem,
        cert: serverPair.certPem,
        ca: [ca.certPem],
        requestCert: true,
        rejectUnauthorized: false,
        minVersion: 'TLSv1.2',
      },
      (socket) => {
        const peer = socket.getPeerCertificate();
        seen = {
          authorized: socket.authorized,
          error: socket.authorizationError ? String(socket.authorizationError) : null,
          peerCn: peer && peer.subject ? String(peer.subject.CN) : null,
        };
        socket.end('ok');
      },
    );
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const port = (srv.address() as AddressInfo).port;
    try {
      const clientSide = await new Promise<{ authorized: boolean; error: string | null }>((resolve) => {
        const socket = tls.connect({
          host: client.host ?? '127.0.0.1',
          port,
          ca: [client.ca],
          ...(client.cert ? { cert: client.cert, key: client.key } : {}),
        });
        socket.on('secureConnect', () => {
          socket.once('data', () => {
            resolve({ authorized: socket.authorized, error: null });
            socket.end();
          });
        });
        socket.on('error', (err: NodeJS.ErrnoException) =>
          resolve({ authorized: false, error: err.code ?? err.message }),
        );
      });
      return { server: seen, client: clientSide };
    } finally {
      await new Promise<void>((resolve) => srv.close(() => resolve()));
    }
  }

  it('a desk certificate of this CA is authorized; the client trusts the server by ca.crt and the IP', async () => {
    const r = await handshake(server, { cert: desk.certPem, key: desk.keyPem, ca: ca.certPem });
    expect(r.client).toEqual({ authorized: true, error: null });
    expect(r.server).toEqual({ authorized: true, error: null, peerCn: DEVICE_ID });
  });

  it('a client certificate from another CA is not authorized', async () => {
    const other = await createCentreCa({ commonName: 'CA lạ' });
    const keys = ecKeyPair();
    const cert = await issueClientCertificate(other, {
      publicKeyPem: keys.publicKey,
      deviceId: DEVICE_ID,
      kind: 'desk',
      name: 'giả',
    });
    const r = await handshake(server, { cert, key: keys.privateKey, ca: ca.certPem });
    expect(r.client.authorized).toBe(true);
    expect(r.server?.authorized).toBe(false);
    expect(r.server?.error).toBeTruthy();
  });

  it('no client certificate: the connection is not authorized', async () => {
    const r = await handshake(server, { ca: ca.certPem });
    expect(r.server?.authorized).toBe(false);
  });

  it('the client refuses a server certificate that does not name the address, or from another CA', async () => {
    const elsewhere = await issueServerCertificate(ca, { hosts: ['10.9.9.9'] });
    const wrongName = await handshake(elsewhere, { cert: desk.certPem, key: desk.keyPem, ca: ca.certPem });
    expect(wrongName.client.authorized).toBe(false);
    expect(wrongName.client.error).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    const other = await createCentreCa({ commonName: 'CA lạ' });
    const notTrusted = await handshake(server, { cert: desk.certPem, key: desk.keyPem, ca: other.certPem });
    expect(notTrusted.client.authorized).toBe(false);
    expect(notTrusted.client.error).toMatch(/UNABLE_TO_VERIFY|SELF_SIGNED|unable to verify/i);
  });
});

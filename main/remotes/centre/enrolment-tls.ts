import { X509Certificate, type KeyObject } from 'node:crypto';
import { request } from 'node:https';
import { connect, type DetailedPeerCertificate, type PeerCertificate } from 'node:tls';
import type { Clock } from '../../kernel/clock';
import { RemoteError } from '../remote-error';
import { transportError } from './centre.client';
import { TIME_HEADER } from './wire-centre';

/**
 * The network side of joining a centre (enrolment.ts): reading the CA a server presents before
 * trusting anything, the enrolment call that trusts only that CA, and the check of what came back.
 */

/**
 * The root of the chain the server presents, read over a TLS connection that verifies nothing and
 * sends nothing (no client certificate, no request). Only compared with the code's check.
 */
export function presentedCa(url: URL, timeoutMs: number): Promise<string> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const what = `${url.origin} (TLS)`;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host,
      port: Number(url.port || 443),
      rejectUnauthorized: false,
      minVersion: 'TLSv1.2',
      ...(isIpAddress(host) ? {} : { servername: host }),
    });
    const timer = setTimeout(
      () => socket.destroy(Object.assign(new Error('timeout'), { name: 'TimeoutError' })),
      timeoutMs,
    );
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      const chain = socket.getPeerCertificate(true);
      socket.end();
      socket.destroy();
      const root = rootOf(chain);
      if (!root) {
        reject(
          new RemoteError(
            'centre',
            'REMOTE_BAD_RESPONSE',
            `${url.origin} không gửi chứng thư CA cùng chứng thư máy chủ.`,
          ),
        );
        return;
      }
      resolve(root);
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      const timeout = err.name === 'TimeoutError';
      reject(
        timeout
          ? new RemoteError('centre', 'REMOTE_TIMEOUT', `${what}: trung tâm không trả lời trong ${timeoutMs} ms.`)
          : transportError(what, err, timeoutMs),
      );
    });
  });
}

/** The last certificate of the presented chain, when it is a self-issued CA. */
function rootOf(leaf: DetailedPeerCertificate | PeerCertificate): string | null {
  if (!leaf || !('raw' in leaf) || !leaf.raw) return null;
  let cert = leaf as DetailedPeerCertificate;
  for (let depth = 0; depth < 8; depth += 1) {
    const issuer = cert.issuerCertificate as DetailedPeerCertificate | undefined;
    if (!issuer || issuer === cert || issuer.raw?.equals(cert.raw)) break;
    cert = issuer;
  }
  try {
    const x = new X509Certificate(cert.raw);
    if (!x.ca || !x.checkIssued(x) || !x.verify(x.publicKey)) return null;
    return x.toString();
  } catch {
    return null;
  }
}

export function postTrusting(
  url: URL,
  path: string,
  body: string,
  caPem: string,
  clock: Clock,
  timeoutMs: number,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const req = request(
      {
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || 443,
        path,
        method: 'POST',
        ca: caPem,
        rejectUnauthorized: true,
        agent: false,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          [TIME_HEADER]: String(clock.now()),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          if (!res.complete) {
            reject(transportError(path, Object.assign(new Error('reset'), { code: 'ECONNRESET' }), timeoutMs));
            return;
          }
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
        });
        res.on('error', (err) => fail(err));
      },
    );
    const fail = (err: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.destroy();
      reject(transportError(path, err, timeoutMs));
    };
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      req.destroy();
      reject(new RemoteError('centre', 'REMOTE_TIMEOUT', `${path}: trung tâm không trả lời trong ${timeoutMs} ms.`));
    }, timeoutMs);
    req.on('error', fail);
    req.end(body);
  });
}

/** The new certificate is the centre's (the CA checked above) and holds this desk's public key. */
export function checkIssued(certificatePem: string, caPem: string, publicKey: KeyObject, answeredCaPem: string): void {
  const bad = (why: string) =>
    new RemoteError('centre', 'REMOTE_BAD_RESPONSE', `Chứng thư trung tâm cấp cho máy này không hợp lệ: ${why}.`);
  let cert: X509Certificate;
  let ca: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
    ca = new X509Certificate(caPem);
  } catch {
    throw bad('không đọc được chứng thư');
  }
  try {
    if (!new X509Certificate(answeredCaPem).raw.equals(ca.raw)) throw bad('CA trong câu trả lời khác CA của máy chủ');
  } catch (err) {
    if (err instanceof RemoteError) throw err;
    throw bad('không đọc được CA trong câu trả lời');
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) throw bad('không do CA của trung tâm ký');
  if (!cert.publicKey.equals(publicKey)) throw bad('không chứa khóa công khai của máy này');
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

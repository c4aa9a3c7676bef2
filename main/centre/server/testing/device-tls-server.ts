import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Duplex } from 'node:stream';

/**
 * Tests of the browser devices' parts (pairing page, device RPC): a real HTTPS server on 127.0.0.1
 * with a throwaway certificate made by `openssl`, so requests and WebSockets go over real TLS.
 */
export interface TestTlsServer {
  url: string;
  host: string;
  ca: Buffer;
  close(): Promise<void>;
}

export function makeTestCertificate(): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'motcua-device-tls-'));
  try {
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
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
        '-days',
        '2',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function startTestTlsServer(handlers: {
  request?: (req: IncomingMessage, res: ServerResponse) => void;
  upgrade?: (req: IncomingMessage, socket: Duplex, head: Buffer) => void;
}): Promise<TestTlsServer> {
  const { key, cert } = makeTestCertificate();
  const server: Server = createServer({ key, cert }, (req, res) => {
    if (handlers.request) handlers.request(req, res);
    else res.writeHead(404).end();
  });
  if (handlers.upgrade) server.on('upgrade', handlers.upgrade);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    ca: cert,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface TestResponse {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

/** One HTTPS request trusting only the test server's certificate. */
export function httpsRequest(
  server: TestTlsServer,
  opts: { method: string; path: string; headers?: Record<string, string | number>; body?: string | Buffer },
): Promise<TestResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${server.url}${opts.path}`,
      { method: opts.method, headers: opts.headers ?? {}, ca: server.ca },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

import { generateKeyPairSync } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import {
  createCentreCa,
  issueClientCertificate,
  issueServerCertificate,
  type CertificateAndKey,
} from '../../../centre/security/ca';
import { caCheckOf, formatPairingCode, newPairingSecret } from '../wire-pairing';

/**
 * A server that looks like a centre from the network but answers whatever a test tells it to:
 * HTML error pages, empty bodies, wrong shapes, resets, silence. Its certificates come from its own
 * CA made with the centre's CA functions (main/centre/security/ca.ts), so a desk that trusts
 * another CA must refuse it. It records every request (path, headers, body) for assertions.
 */
export type HostileAnswer =
  | { status: number; body: string; headers?: Record<string, string> }
  /** Headers and a part of the body, then the connection is cut. */
  | { reset: 'mid-answer' }
  /** The request is read and never answered. */
  | { hang: true };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
  /** The client presented a certificate. */
  clientCertificate: boolean;
}

export interface HostileCentre {
  url: string;
  port: number;
  ca: CertificateAndKey;
  requests: RecordedRequest[];
  /** Sets the answer for a path (`/api/v1/hello`); unset paths answer 404 JSON. */
  answer(
    path: string,
    answer: HostileAnswer | ((req: RecordedRequest) => HostileAnswer | Promise<HostileAnswer>),
  ): void;
  /** WebSocket connections on `/api/v1/feed`, in order. */
  sockets: WebSocket[];
  /** What to do with the next feed upgrades: accept (default) or refuse with an HTTP answer. */
  feedUpgrade(answer: 'accept' | { status: number; body: string }): void;
  close(): Promise<void>;
}

export interface DeskIdentity {
  caPem: string;
  certPem: string;
  keyPem: string;
}

export async function startHostileCentre(
  opts: {
    /** SAN of the server certificate; default 127.0.0.1 and localhost. */
    hosts?: string[];
    /** Answer the ping of a feed client (false: a silent half-open link). */
    autoPong?: boolean;
  } = {},
): Promise<HostileCentre> {
  const ca = await createCentreCa({ commonName: 'CA lạ' });
  const server = await issueServerCertificate(ca, { hosts: opts.hosts ?? ['127.0.0.1', 'localhost'] });
  const answers = new Map<string, HostileAnswer | ((req: RecordedRequest) => HostileAnswer | Promise<HostileAnswer>)>();
  const requests: RecordedRequest[] = [];
  const sockets: WebSocket[] = [];
  const connections = new Set<Socket>();
  let upgrade: 'accept' | { status: number; body: string } = 'accept';

  const https: Server = createServer(
    { key: server.keyPem, cert: server.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: false },
    (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const path = new URL(req.url ?? '/', 'https://x').pathname;
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          path,
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          clientCertificate: Boolean(
            (req.socket as { getPeerCertificate?: () => { raw?: Buffer } }).getPeerCertificate?.()?.raw,
          ),
        };
        requests.push(recorded);
        const set = answers.get(path);
        const a: HostileAnswer = set
          ? typeof set === 'function'
            ? await set(recorded)
            : set
          : { status: 404, body: '{"error":{"code":"NOT_FOUND","message":"không có"}}' };
        if ('hang' in a) return;
        if ('reset' in a) {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
          res.write('{"centre":{"centreId":"');
          setTimeout(() => req.socket.destroy(), 20);
          return;
        }
        res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
        res.end(a.body);
      });
    },
  );
  https.on('connection', (s: Socket) => {
    connections.add(s);
    s.once('close', () => connections.delete(s));
  });
  const wss = new WebSocketServer({ noServer: true, autoPong: opts.autoPong ?? true });
  https.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    requests.push({
      method: 'UPGRADE',
      path: new URL(req.url ?? '/', 'https://x').pathname,
      headers: req.headers,
      body: '',
      clientCertificate: true,
    });
    if (upgrade !== 'accept') {
      const { status, body } = upgrade;
      socket.end(
        `HTTP/1.1 ${status} Refused\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
      );
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => sockets.push(ws));
  });
  await new Promise<void>((resolve) => https.listen(0, '127.0.0.1', () => resolve()));
  const address = https.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    url: `https://127.0.0.1:${port}`,
    port,
    ca,
    requests,
    sockets,
    answer(path, answer) {
      answers.set(path, answer);
    },
    feedUpgrade(answer) {
      upgrade = answer;
    },
    async close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      for (const s of connections) s.destroy();
      await new Promise<void>((resolve) => https.close(() => resolve()));
    },
  };
}

/** A desk identity under `ca` (key pair and client certificate), as enrolment would leave it. */
export async function deskIdentityUnder(ca: CertificateAndKey): Promise<DeskIdentity> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const certPem = await issueClientCertificate(ca, {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    deviceId: '7f1d6c1e-0000-4000-8000-000000000001',
    kind: 'desk',
    name: 'Quầy thử',
  });
  return { caPem: ca.certPem, certPem, keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/**
 * Answers `POST /api/v1/enrol` like a centre would (a client certificate for the desk's key, under
 * this server's CA), optionally spoiled by `spoil` to test what the desk checks.
 */
export function enrolLikeACentre(
  hostile: HostileCentre,
  spoil: (answer: Record<string, unknown>) => Record<string, unknown> = (a) => a,
): void {
  hostile.answer('/api/v1/enrol', async (req) => {
    const { publicKeyPem } = JSON.parse(req.body) as { publicKeyPem: string };
    const certificatePem = await issueClientCertificate(hostile.ca, {
      publicKeyPem,
      deviceId: '5d0c9a5e-0000-4000-8000-0000000000aa',
      kind: 'desk',
      name: 'Quầy 2',
    });
    const answer = {
      device: {
        id: '5d0c9a5e-0000-4000-8000-0000000000aa',
        kind: 'desk',
        name: 'Quầy 2',
        agencyId: '000.00.12.H56',
        counter: 'Q02',
        deskSlot: 1,
      },
      certificatePem,
      caPem: hostile.ca.certPem,
      centre: { centreId: 'c-1', agencyId: '000.00.12.H56', agencyName: 'UBND xã Thử', version: '1.0.0' },
    };
    return { status: 200, body: JSON.stringify(spoil(answer)) };
  });
}

/** A desk pairing code whose check matches `caPem` (the secret is random: no centre knows it). */
export function deskCodeFor(caPem: string): string {
  return formatPairingCode(newPairingSecret(), caCheckOf(caPem));
}

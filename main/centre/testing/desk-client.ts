import { generateKeyPairSync } from 'node:crypto';
import { request } from 'node:https';
import WebSocket from 'ws';
import { CENTRE_API, DESK_FEED_PATH, TIME_HEADER } from '../../remotes/centre/wire-centre';

/**
 * A small mutual-TLS desk for tests: it trusts only the centre's CA, presents its client
 * certificate once enrolled, stamps every call with its clock (`X-Motcua-Time`), and follows the
 * desks' feed. Not the desk's real client (that lives with the desk), but the same wire.
 */
export interface DeskAnswer<T = unknown> {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: T;
}

export interface TestDeskOptions {
  url: string;
  caPem: string;
  certPem?: string;
  keyPem?: string;
  /** Added to the real clock in `X-Motcua-Time` (a desk with a wrong clock). */
  clockOffsetMs?: number;
}

export class TestDeskClient {
  constructor(readonly opts: TestDeskOptions) {}

  /** POST `/api/v1/<path>` with a JSON body (or `raw` text); `time: null` leaves the clock header out. */
  post<T = unknown>(
    path: string,
    body: unknown = {},
    extra: { time?: number | null; raw?: string | Buffer; headers?: Record<string, string>; method?: string } = {},
  ): Promise<DeskAnswer<T>> {
    return this.request<T>(extra.method ?? 'POST', `${CENTRE_API}/${path}`, extra.raw ?? JSON.stringify(body), {
      'content-type': 'application/json',
      ...(extra.time === null
        ? {}
        : { [TIME_HEADER]: String(extra.time ?? Date.now() + (this.opts.clockOffsetMs ?? 0)) }),
      ...extra.headers,
    });
  }

  request<T = unknown>(
    method: string,
    path: string,
    body: string | Buffer | null,
    headers: Record<string, string> = {},
  ): Promise<DeskAnswer<T>> {
    const u = new URL(path, this.opts.url);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method,
          hostname: u.hostname,
          port: u.port,
          path: u.pathname + u.search,
          ca: this.opts.caPem,
          ...(this.opts.certPem ? { cert: this.opts.certPem, key: this.opts.keyPem } : {}),
          agent: false,
          headers: body === null ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : null;
            } catch {
              /* not JSON: kept as text */
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed as T });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.setTimeout(15_000, () => req.destroy(new Error('request timed out')));
      req.end(body ?? undefined);
    });
  }

  /** Opens the desks' feed; messages are collected in order. */
  openFeed(): Promise<TestFeed> {
    const u = new URL(DESK_FEED_PATH, this.opts.url.replace(/^https:/, 'wss:'));
    const ws = new WebSocket(u, {
      ca: this.opts.caPem,
      ...(this.opts.certPem ? { cert: this.opts.certPem, key: this.opts.keyPem } : {}),
      headers: { [TIME_HEADER]: String(Date.now() + (this.opts.clockOffsetMs ?? 0)) },
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new TestFeed(ws)));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`feed refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }
}

export interface FeedMessage {
  event: string;
  data: unknown;
}

export class TestFeed {
  readonly messages: FeedMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: { match: (m: FeedMessage) => boolean; resolve: (m: FeedMessage) => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as FeedMessage;
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(m)) return true;
        w.resolve(m);
        return false;
      });
    });
    ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
  }

  /** The first message (already received or to come) that matches. */
  next(match: (m: FeedMessage) => boolean, timeoutMs = 10_000): Promise<FeedMessage> {
    const found = this.messages.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no matching feed message')), timeoutMs);
      this.waiters.push({
        match,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

/** A desk key pair and the enrolment call; the client answers with its new certificate. */
export async function enrolTestDesk(
  url: string,
  caPem: string,
  code: string,
): Promise<{ client: TestDeskClient; answer: DeskAnswer<Record<string, unknown>> }> {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const anonymous = new TestDeskClient({ url, caPem });
  const answer = await anonymous.post<Record<string, unknown>>('enrol', { code, publicKeyPem });
  if (answer.status !== 200) {
    throw new Error(`enrolment refused: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  const certPem = answer.body.certificatePem as string;
  return { client: new TestDeskClient({ url, caPem, certPem, keyPem }), answer };
}

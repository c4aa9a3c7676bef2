import { Agent, request } from 'node:https';
import type { z } from 'zod';
import { AppError, isErrorCode } from '../../../common/contract/errors';
import { systemClock, type Clock } from '../../kernel/clock';
import { silentLogger, type Logger } from '../../kernel/logger';
import { RemoteError } from '../remote-error';
import type {
  CentreHello,
  CentreLink,
  CentreQueueAnswer,
  CentreQueueParams,
  CentreTlsIdentity,
  DeskFeedHandle,
} from './centre.port';
import { openDeskFeed } from './desk-feed.client';
import {
  CENTRE_API,
  CENTRE_QUEUE_OPS,
  CentreErrorAnswer,
  HelloAnswer,
  TIME_HEADER,
  type CentreQueueOp,
} from './wire-centre';
import { LeaseAnswer, ReplicateAnswer, type LeaseRequest, type ReplicationEntry } from './wire-replication';

/**
 * The desk's client of the centre (docs/architecture.md, "Centre"): JSON over HTTPS with the desk's
 * key and certificate, trusting ONLY the centre's CA (`rejectUnauthorized`, and the URL's host must be
 * in the server certificate's SAN, node's own check). Every call carries the desk's clock
 * (`x-motcua-time`), has its own deadline, and its answer is checked against the wire schemas.
 */
export interface CentreClientOptions extends CentreTlsIdentity {
  /** Per call; default 10 s. */
  timeoutMs?: number;
  clock?: Clock;
  log?: Logger;
}

const DEFAULT_TIMEOUT_MS = 10_000;
/** A larger answer is not one of ours (the board of a busy centre is a few tens of kilobytes). */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

/** Codes of ours the centre may refuse with that still mean the same on the desk. */
const NOT_PASSED_ON = new Set(['INTERNAL', 'REMOTE_UNAVAILABLE', 'REMOTE_TIMEOUT', 'REMOTE_BAD_RESPONSE']);

/** Certificate checks that failed: the server did not prove to be the enrolled centre. */
const TLS_IDENTITY_FAILURE =
  /CERT|SELF_SIGNED|UNABLE_TO_(VERIFY|GET_ISSUER)|ALTNAME|ERR_SSL_TLSV1_ALERT_(UNKNOWN_CA|BAD_CERTIFICATE)/;

export class CentreClient implements CentreLink {
  private readonly agent: Agent;
  private readonly timeoutMs: number;
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly base: URL;
  private readonly feeds = new Set<DeskFeedHandle>();

  constructor(private readonly opts: CentreClientOptions) {
    this.base = centreUrl(opts.url);
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.clock = opts.clock ?? systemClock;
    this.log = opts.log ?? silentLogger;
    this.agent = new Agent({
      keepAlive: true,
      // Idle sockets go before the centre's own keep-alive limit (5 s) can close one under a call.
      timeout: 4_000,
      maxSockets: 4,
      ca: opts.caPem,
      cert: opts.certPem,
      key: opts.keyPem,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
  }

  hello(): Promise<CentreHello> {
    return this.call('hello', {}, HelloAnswer);
  }

  queue<Op extends CentreQueueOp>(op: Op, params: CentreQueueParams<Op>): Promise<CentreQueueAnswer<Op>> {
    const schema = CENTRE_QUEUE_OPS[op].answer as unknown as z.ZodType<CentreQueueAnswer<Op>>;
    return this.call(`queue/${op}`, params, schema);
  }

  async leaseNumbers(p: LeaseRequest): Promise<LeaseAnswer> {
    const block = await this.call('numbers/lease', p, LeaseAnswer);
    if (block.agencyId !== p.agencyId || block.date !== p.date || block.from > block.to) {
      throw new RemoteError('centre', 'REMOTE_BAD_RESPONSE', 'Trung tâm trả về khối số hồ sơ không khớp yêu cầu.', {
        details: { agencyId: block.agencyId, date: block.date, from: block.from, to: block.to },
      });
    }
    return block;
  }

  async replicate(entries: readonly ReplicationEntry[]) {
    const answer = await this.call('replicate', { entries }, ReplicateAnswer);
    if (answer.results.length !== entries.length) {
      throw new RemoteError(
        'centre',
        'REMOTE_BAD_RESPONSE',
        `Trung tâm trả lời ${answer.results.length} kết quả cho ${entries.length} bản ghi đồng bộ.`,
      );
    }
    return answer.results;
  }

  openFeed(handlers: Parameters<CentreLink['openFeed']>[0]): DeskFeedHandle {
    const feed = openDeskFeed({ ...this.opts, clock: this.clock, log: this.log, handlers });
    this.feeds.add(feed);
    return {
      close: () => {
        this.feeds.delete(feed);
        feed.close();
      },
    };
  }

  close(): void {
    for (const feed of this.feeds) feed.close();
    this.feeds.clear();
    this.agent.destroy();
  }

  /** `POST /api/v1/<path>`; the answer checked against `schema`. */
  private async call<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    const what = `${CENTRE_API}/${path}`;
    const answer = await this.post(what, JSON.stringify(body));
    if (answer.status < 200 || answer.status >= 300) throw centreRefusal(answer.status, answer.text, what);
    return parseCentreAnswer(answer.text, schema, what, answer.status);
  }

  private post(path: string, body: string): Promise<{ status: number; text: string }> {
    return new Promise<{ status: number; text: string }>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        reject(err instanceof RemoteError ? err : transportError(path, err, this.timeoutMs));
      };
      const req = request(
        {
          protocol: 'https:',
          hostname: this.base.hostname.replace(/^\[|\]$/g, ''),
          port: this.base.port || 443,
          path,
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/json',
            'content-length': String(Buffer.byteLength(body)),
            [TIME_HEADER]: String(this.clock.now()),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > MAX_ANSWER_BYTES) {
              fail(new RemoteError('centre', 'REMOTE_BAD_RESPONSE', `${path}: câu trả lời của trung tâm quá lớn.`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('aborted', () => fail(connectionLost()));
          res.on('error', fail);
          res.on('end', () => {
            if (settled) return;
            if (!res.complete) {
              fail(connectionLost());
              return;
            }
            settled = true;
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
        },
      );
      const timer = setTimeout(() => fail(new CallTimeout()), this.timeoutMs);
      req.on('error', fail);
      req.end(body);
    }).catch((err: unknown) => {
      const e = err as RemoteError;
      this.log.log('info', 'centre.call-failed', { path, code: e.code, error: e.message });
      throw err;
    });
  }
}

export function createCentreClient(opts: CentreClientOptions): CentreClient {
  return new CentreClient(opts);
}

/** The enrolled URL as a URL object: https only, no credentials, path ignored. */
export function centreUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new AppError(
      'VALIDATION_FAILED',
      `Địa chỉ trung tâm không hợp lệ: "${text.slice(0, 100)}" (ví dụ https://192.168.1.10:8443).`,
    );
  }
  if (url.protocol !== 'https:' || !url.hostname || url.username || url.password) {
    throw new AppError(
      'VALIDATION_FAILED',
      `Địa chỉ trung tâm phải có dạng https://ĐỊA_CHỈ:CỔNG (nhận "${text.slice(0, 100)}").`,
    );
  }
  return url;
}

/**
 * A non-2xx answer: 408/429/5xx/3xx are the transport's (retryable); a 4xx with the centre's
 * `{ error: { code, message } }` and one of our codes is that `AppError`; anything else is a
 * refusal the desk cannot read (REMOTE_REJECTED, not retried).
 */
export function centreRefusal(status: number, text: string, what: string): AppError {
  if (status === 408)
    return new RemoteError('centre', 'REMOTE_TIMEOUT', `${what}: trung tâm báo quá thời gian (HTTP 408).`, { status });
  if (status === 429 || status >= 500) {
    return new RemoteError(
      'centre',
      'REMOTE_UNAVAILABLE',
      `${what}: trung tâm tạm thời không phục vụ (HTTP ${status}).`,
      {
        status,
        details: errorCodeOf(text),
      },
    );
  }
  if (status < 400) {
    return new RemoteError('centre', 'REMOTE_BAD_RESPONSE', `${what}: trả lời HTTP ${status} không mong đợi.`, {
      status,
    });
  }
  const body = CentreErrorAnswer.safeParse(tryJson(text));
  if (body.success) {
    const { code, message } = body.data.error;
    if (isErrorCode(code) && !NOT_PASSED_ON.has(code) && !code.startsWith('REMOTE_')) {
      return new AppError(code, message.slice(0, 1000));
    }
    return new RemoteError('centre', 'REMOTE_REJECTED', `Trung tâm từ chối: ${message.slice(0, 300)}`, {
      status,
      details: { code: code.slice(0, 60) },
    });
  }
  return new RemoteError('centre', 'REMOTE_REJECTED', `${what}: trung tâm từ chối (HTTP ${status}).`, {
    status,
    details: { preview: preview(text) },
  });
}

/** A 2xx answer: JSON of the expected shape, else REMOTE_BAD_RESPONSE (retryable). */
export function parseCentreAnswer<T>(text: string, schema: z.ZodType<T>, what: string, status?: number): T {
  const json = tryJson(text);
  if (json === undefined) {
    throw new RemoteError('centre', 'REMOTE_BAD_RESPONSE', `${what}: trả lời của trung tâm không phải JSON.`, {
      status,
      details: { preview: preview(text) },
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`);
    throw new RemoteError('centre', 'REMOTE_BAD_RESPONSE', `${what}: trả lời của trung tâm sai cấu trúc.`, {
      status,
      details: { issues },
    });
  }
  return parsed.data;
}

/** A failure without a complete answer, as a RemoteError. */
export function transportError(what: string, err: unknown, timeoutMs: number): RemoteError {
  if (err instanceof CallTimeout) {
    return new RemoteError('centre', 'REMOTE_TIMEOUT', `${what}: trung tâm không trả lời trong ${timeoutMs} ms.`, {
      cause: err,
    });
  }
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message : String(err);
  if (typeof code === 'string' && TLS_IDENTITY_FAILURE.test(code)) {
    return new RemoteError(
      'centre',
      'REMOTE_AUTH_FAILED',
      `${what}: máy chủ không xuất trình chứng thư của trung tâm đã ghép nối (${reason}). Kiểm tra địa chỉ trung tâm; nếu trung tâm đã cài lại, ghép nối lại máy này.`,
      { cause: err, details: { tls: reason } },
    );
  }
  return new RemoteError('centre', 'REMOTE_UNAVAILABLE', `${what}: không kết nối được tới trung tâm (${reason}).`, {
    cause: err,
  });
}

class CallTimeout extends Error {
  constructor() {
    super('timeout');
    this.name = 'TimeoutError';
  }
}

function connectionLost(): Error {
  return Object.assign(new Error('connection closed before the whole answer'), { code: 'ECONNRESET' });
}

function errorCodeOf(text: string): { code: string } | undefined {
  const body = CentreErrorAnswer.safeParse(tryJson(text));
  return body.success ? { code: body.data.error.code.slice(0, 60) } : undefined;
}

function tryJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

import WebSocket from 'ws';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import type { CentreTlsIdentity, DeskFeedHandle, DeskFeedHandlers, DeskFeedState } from './centre.port';
import { DESK_FEED_PATH, DeskFeedMessage, TIME_HEADER, CentreErrorAnswer } from './wire-centre';

/**
 * The desks' feed seen from the desk (docs/architecture.md, "Centre"): one WebSocket to
 * `/api/v1/feed` with the desk's TLS identity (only the centre's CA trusted). It reconnects after
 * every failure with a growing pause (doubling from `minDelayMs`, at most `maxDelayMs`, with jitter so
 * that thirty desks do not come back in step), pings every `pingMs` and drops a connection that did
 * not answer the previous ping (a half-open link after a cable pull), checks every message against
 * `DeskFeedMessage` (anything else is logged and ignored), and stops for good when the centre says
 * this desk is revoked (`device.revoked`, close code 4403, or a 403 `CENTRE_DEVICE_REVOKED`).
 * After a reconnect the desk should read `queue/state` again: changes during the gap are not replayed.
 */
export interface DeskFeedOptions extends CentreTlsIdentity {
  clock: Clock;
  log: Logger;
  handlers: DeskFeedHandlers;
  minDelayMs?: number;
  maxDelayMs?: number;
  pingMs?: number;
  /** Injectable for tests; default Math.random. */
  random?: () => number;
}

/** The centre's close code for a revoked device (main/centre/server/desk-feed.ts). */
const REVOKED_CLOSE_CODE = 4403;
const MAX_FRAME_BYTES = 4 * 1024 * 1024;
const MAX_REFUSAL_BYTES = 8 * 1024;

export function openDeskFeed(opts: DeskFeedOptions): DeskFeedHandle {
  const { handlers, log } = opts;
  const minDelay = opts.minDelayMs ?? 500;
  const maxDelay = opts.maxDelayMs ?? 10_000;
  const pingMs = opts.pingMs ?? 15_000;
  const random = opts.random ?? Math.random;
  const feedUrl = new URL(DESK_FEED_PATH, opts.url.replace(/^https:/i, 'wss:'));

  let stopped = false;
  let failures = 0;
  let lastState: { state: DeskFeedState; reason: string | undefined } | null = null;
  let current: WebSocket | null = null;
  let retryTimer: NodeJS.Timeout | null = null;

  function report(state: DeskFeedState, reason?: string): void {
    if (lastState && lastState.state === state && lastState.reason === reason) return;
    lastState = { state, reason };
    try {
      handlers.onState(state, reason);
    } catch (err) {
      log.log('warn', 'centre.feed.handler-failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  function revoked(): void {
    stopped = true;
    if (retryTimer) clearTimeout(retryTimer);
    report('revoked', 'Máy này đã bị thu hồi quyền kết nối tới trung tâm.');
    current?.terminate();
  }

  function connect(): void {
    retryTimer = null;
    if (stopped) return;
    let reason: string | undefined;
    let alive = true;
    let watchdog: NodeJS.Timeout | null = null;
    const ws = new WebSocket(feedUrl, {
      ca: opts.caPem,
      cert: opts.certPem,
      key: opts.keyPem,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
      headers: { [TIME_HEADER]: String(opts.clock.now()) },
      handshakeTimeout: 10_000,
      perMessageDeflate: false,
      maxPayload: MAX_FRAME_BYTES,
      followRedirects: false,
    });
    current = ws;

    ws.on('open', () => {
      failures = 0;
      report('connected');
      log.log('info', 'centre.feed.connected', {});
      watchdog = setInterval(() => {
        if (!alive) {
          reason = 'Trung tâm không trả lời tín hiệu kiểm tra kết nối.';
          log.log('warn', 'centre.feed.silent', { pingMs });
          ws.terminate();
          return;
        }
        alive = false;
        try {
          ws.ping();
        } catch {
          ws.terminate();
        }
      }, pingMs);
    });
    const heard = (): void => {
      alive = true;
    };
    ws.on('pong', heard);
    ws.on('ping', heard);
    ws.on('message', (raw: WebSocket.RawData, isBinary: boolean) => {
      heard();
      const message = parseMessage(raw, isBinary);
      if (!message) {
        log.log('warn', 'centre.feed.bad-message', { bytes: rawLength(raw) });
        return;
      }
      if (message.event === 'device.revoked') {
        deliver(message);
        revoked();
        return;
      }
      deliver(message);
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = (): void => {
        const refusal = refusalOf(Buffer.concat(chunks).toString('utf8'));
        if (res.statusCode === 403 && refusal?.code === 'CENTRE_DEVICE_REVOKED') {
          ws.terminate();
          revoked();
          return;
        }
        reason = refusal ? refusal.message : `Trung tâm từ chối kênh cập nhật (HTTP ${res.statusCode ?? 0}).`;
        ws.terminate();
      };
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= MAX_REFUSAL_BYTES) chunks.push(c);
      });
      res.on('end', done);
      res.on('error', done);
      res.on('aborted', done);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      reason ??= `Không kết nối được tới trung tâm (${err.code ?? err.message}).`;
    });
    ws.on('close', (code: number) => {
      if (watchdog) clearInterval(watchdog);
      if (current === ws) current = null;
      if (code === REVOKED_CLOSE_CODE) {
        revoked();
        return;
      }
      if (stopped) return;
      report('unreachable', reason ?? 'Mất kết nối tới trung tâm.');
      scheduleRetry();
    });
  }

  function deliver(message: DeskFeedMessage): void {
    try {
      handlers.onMessage(message);
    } catch (err) {
      log.log('warn', 'centre.feed.handler-failed', { error: err instanceof Error ? err.message : String(err) });
    }
  }

  function scheduleRetry(): void {
    failures += 1;
    retryTimer = setTimeout(connect, retryDelay(failures, { minDelayMs: minDelay, maxDelayMs: maxDelay, random }));
  }

  connect();
  return {
    close() {
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      retryTimer = null;
      current?.terminate();
      current = null;
    },
  };
}

/**
 * The pause before reconnect attempt `failures` (1, 2, …): doubling from `minDelayMs`, capped at
 * `maxDelayMs`, then between half and all of that (jitter).
 */
export function retryDelay(
  failures: number,
  p: { minDelayMs: number; maxDelayMs: number; random: () => number },
): number {
  const ceiling = Math.min(p.maxDelayMs, p.minDelayMs * 2 ** Math.min(Math.max(failures, 1) - 1, 30));
  return Math.round(ceiling * (0.5 + 0.5 * Math.min(Math.max(p.random(), 0), 1)));
}

function parseMessage(raw: WebSocket.RawData, isBinary: boolean): DeskFeedMessage | null {
  if (isBinary) return null;
  const text = Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : Buffer.from(raw as Buffer).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = DeskFeedMessage.safeParse(json);
  return parsed.success ? parsed.data : null;
}

function rawLength(raw: WebSocket.RawData): number {
  if (Array.isArray(raw)) return raw.reduce((n, b) => n + b.length, 0);
  return raw instanceof ArrayBuffer ? raw.byteLength : raw.length;
}

function refusalOf(text: string): { code: string; message: string } | null {
  try {
    const parsed = CentreErrorAnswer.safeParse(JSON.parse(text));
    return parsed.success ? { code: parsed.data.error.code, message: parsed.data.error.message.slice(0, 500) } : null;
  } catch {
    return null;
  }
}

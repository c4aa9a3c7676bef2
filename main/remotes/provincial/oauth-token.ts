import { z } from 'zod';
import { joinUrl, parseAnswer, sendHttp, statusError, tryParseJson } from '../http-transport';
import { systemClock, type Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { RemoteError } from '../remote-error';

/**
 * OAuth2 client-credentials token for the provincial gateway (LGSP), cached until shortly
 * before it expires; one request at a time however many callers ask. Used by the file transfer
 * (`file-transfer.ts`) and the JSON calls of `provincial.client.ts`.
 *
 * Errors: `REMOTE_AUTH_FAILED` when the gateway refuses the client id/secret (HTTP 4xx),
 * otherwise the transport's `REMOTE_UNAVAILABLE` / `REMOTE_TIMEOUT` / `REMOTE_BAD_RESPONSE`.
 */
export interface TokenSource {
  token(): Promise<string>;
  /** The remote refused `used` (HTTP 401): the next `token()` fetches a new one. */
  invalidate(used: string): void;
}

export interface ClientCredentialsOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tokenPath?: string;
  timeoutMs?: number;
  clock?: Clock;
  /** Diagnostic lines (event `provincial`, field `line`: token obtained / refused); never the secret or the token. */
  log?: Logger;
}

// `expires_in` is a number in RFC 6749; some servers send it as a string ("3600").
const TokenAnswer = z.object({
  access_token: z.string().min(1),
  expires_in: z
    .union([
      z.number(),
      z
        .string()
        .regex(/^\d+(\.\d+)?$/)
        .transform(Number),
    ])
    .pipe(z.number().positive()),
});
const OAuthErrorBody = z.object({ error: z.string() });
const REFRESH_MARGIN_MS = 60_000;

export function clientCredentialsToken(opts: ClientCredentialsOptions): TokenSource & { readonly fetched: number } {
  const url = joinUrl(opts.baseUrl, opts.tokenPath ?? '/oauth/token');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const clock = opts.clock ?? systemClock;
  const now = (): number => clock.now();
  const log = (line: string): void => opts.log?.log('info', 'provincial', { line });
  let cached: { value: string; renewAt: number } | null = null;
  let inFlight: Promise<string> | null = null;
  let fetched = 0;

  async function fetchToken(): Promise<string> {
    const what = 'provincial token';
    const started = now();
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: opts.clientId,
      client_secret: opts.clientSecret,
    });
    const answer = await sendHttp('provincial', {
      url,
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: form.toString(),
      timeoutMs,
      what,
    });
    const common = statusError('provincial', answer.status, what);
    if (common) throw common;
    if (answer.status >= 400) {
      const body = OAuthErrorBody.safeParse(tryParseJson(answer.text));
      const reason = body.success ? body.data.error : `HTTP ${answer.status}`;
      log(`provincial: token refused (${reason})`);
      throw new RemoteError('provincial', 'REMOTE_AUTH_FAILED', `${what}: refused (${reason})`, {
        status: answer.status,
        details: { remoteCode: reason },
      });
    }
    const body = parseAnswer('provincial', answer.text, TokenAnswer, what, answer.status);
    const lifetimeMs = body.expires_in * 1000;
    cached = { value: body.access_token, renewAt: started + lifetimeMs - Math.min(REFRESH_MARGIN_MS, lifetimeMs / 10) };
    fetched += 1;
    log(`provincial: token obtained (valid ${Math.round(body.expires_in)} s)`);
    return body.access_token;
  }

  return {
    get fetched() {
      return fetched;
    },
    token() {
      if (cached !== null && now() < cached.renewAt) return Promise.resolve(cached.value);
      inFlight ??= fetchToken().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
    invalidate(used: string) {
      if (cached?.value === used) cached = null;
    },
  };
}

import type { z } from 'zod';
import { RemoteError, type RemoteName } from './remote-error';

/**
 * The one HTTP call both connectors make, with the transport failures already turned into
 * `RemoteError`s. HTTP statuses are returned as they are: what a 401 or a 409 means depends on
 * the remote, so each client decides (with `statusError` for the common cases).
 */
export interface HttpCall {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  timeoutMs: number;
  /** Used in error messages only, e.g. `DongBoHoSoMC` or `POST /api/dossiers`. */
  what: string;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

export async function sendHttp(remote: RemoteName, call: HttpCall): Promise<HttpAnswer> {
  const init: RequestInit = {
    method: call.method,
    headers: call.headers ?? {},
    signal: AbortSignal.timeout(call.timeoutMs),
  };
  if (call.body !== undefined) init.body = call.body;
  try {
    const response = await fetch(call.url, init);
    const text = await response.text();
    return { status: response.status, text };
  } catch (err) {
    throw transportError(remote, call, err);
  }
}

/**
 * A transport failure (no complete HTTP answer) as a `RemoteError`, for callers that use `fetch` themselves (streams).
 */
export function transportFailure(remote: RemoteName, what: string, timeoutMs: number, err: unknown): RemoteError {
  return transportError(remote, { url: '', method: 'GET', timeoutMs, what }, err);
}

function transportError(remote: RemoteName, call: HttpCall, err: unknown): RemoteError {
  if (isTimeout(err)) {
    return new RemoteError(remote, 'REMOTE_TIMEOUT', `${call.what}: no answer within ${call.timeoutMs} ms`, {
      cause: err,
    });
  }
  const reason = networkReason(err);
  return new RemoteError(remote, 'REMOTE_UNAVAILABLE', `${call.what}: connection failed (${reason})`, { cause: err });
}

function isTimeout(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  if (err.name === 'TimeoutError') return true;
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error && cause.name === 'TimeoutError';
}

function networkReason(err: unknown): string {
  if (!(err instanceof Error)) return 'unknown error';
  const cause = (err as { cause?: unknown }).cause;
  if (cause && typeof cause === 'object') {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return err.message;
}

/**
 * The statuses that mean the same for every remote. Returns null for 2xx and for the statuses
 * the caller must interpret (401, 403, other 4xx).
 */
export function statusError(remote: RemoteName, status: number, what: string): RemoteError | null {
  if (status >= 200 && status < 300) return null;
  if (status === 408) return new RemoteError(remote, 'REMOTE_TIMEOUT', `${what}: HTTP 408`, { status });
  if (status === 429)
    return new RemoteError(remote, 'REMOTE_UNAVAILABLE', `${what}: HTTP 429 (rate limited)`, { status });
  if (status >= 500) return new RemoteError(remote, 'REMOTE_UNAVAILABLE', `${what}: HTTP ${status}`, { status });
  if (status < 200 || (status >= 300 && status < 400)) {
    return new RemoteError(remote, 'REMOTE_BAD_RESPONSE', `${what}: unexpected HTTP ${status}`, { status });
  }
  return null;
}

/** Parses and validates a JSON answer; anything else is `REMOTE_BAD_RESPONSE` (retryable). */
export function parseAnswer<T extends z.ZodType>(
  remote: RemoteName,
  text: string,
  schema: T,
  what: string,
  status?: number,
): z.infer<T> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new RemoteError(remote, 'REMOTE_BAD_RESPONSE', `${what}: answer is not JSON`, {
      status,
      details: { preview: preview(text) },
    });
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new RemoteError(remote, 'REMOTE_BAD_RESPONSE', `${what}: answer has an unexpected shape`, {
      status,
      details: { issues },
    });
  }
  return parsed.data;
}

/** Parses JSON without a schema, or returns undefined (for error bodies that may be anything). */
export function tryParseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function preview(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > 80 ? `${flat.slice(0, 80)}…` : flat;
}

/** Joins a base URL and a path without doubling or dropping the slash. */
export function joinUrl(base: string, path: string): string {
  const b = base.endsWith('/') ? base.slice(0, -1) : base;
  const p = path.startsWith('/') ? path : `/${path}`;
  return `${b}${p}`;
}

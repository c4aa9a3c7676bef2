import type { z } from 'zod';
import {
  AppError, contract, events, isRpcRequest, rolesAllow,
  type ErrorInfo, type EventName, type EventPayload, type MethodName, type ResultOf, type RpcServerMessage,
} from '../../common/contract';
import { toValidationIssue } from '../../common/contract/validation-issue';
import type { Role } from '../../common/contract';
import type { Logger } from './logger';
import { DEFAULT_IDLE_TIMEOUT_MS, SessionResumeRegistry } from './session-resume';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle';

export interface SessionUser { username: string; displayName: string; role: Role }

/** What a handler knows about its caller. Sessions belong to a connection (one window / one tab). */
export interface CallContext {
  readonly user: SessionUser | null;
  readonly connectionId: number;
  setUser(user: SessionUser | null): void;
  /**
   * Browser tabs only (absent for Electron windows and in-process callers): a secret that gets
   * this session back on the tab's next connection, or null when there is no user.
   */
  issueResume?(): string | null;
  /** Browser tabs only: binds the user of a resume secret to this connection (null: unknown or idle too long). */
  resume?(secret: string): SessionUser | null;
}

export interface RpcServerOptions {
  /** Clock for the idle time of resumable sessions (the core's clock). */
  now?: () => number;
  /** A browser tab's session can be resumed while idle for less than this (default 15 min). */
  resumeIdleMs?: number;
  /** Waits between wrong sign-ins (`login-throttle.ts`); tests shorten them. */
  loginThrottle?: LoginThrottleOptions;
}

/**
 * The largest WebSocket message a browser tab may send before it has signed in (1 MiB): far above
 * a login or a resume, so a stranger's large message is refused and the socket closed (1009).
 * See docs/architecture.md, "Contract and RPC".
 */
export const MAX_WS_MESSAGE_BYTES = 1024 * 1024;
/**
 * The largest message of a signed-in tab (64 MiB, the frame limit the socket always had): file
 * imports travel as base64 in one message until they get an upload path of their own.
 */
export const MAX_WS_SIGNED_IN_MESSAGE_BYTES = 64 * 1024 * 1024;

interface ConnectionState {
  send: (m: RpcServerMessage) => void;
  user: SessionUser | null;
  /** The resume grant this connection holds (browser tabs), by key. */
  resumeKey: string | null;
}

type ParamsOut<M extends MethodName> = z.output<(typeof contract)[M]['params']>;
export type Handler<M extends MethodName> = (params: ParamsOut<M>, ctx: CallContext) => Promise<ResultOf<M>> | ResultOf<M>;
export type Handlers = { [M in MethodName]: Handler<M> };

export interface RpcConnection {
  receive(message: unknown): void;
  close(): void;
  /** Someone is signed in on this connection (a transport may allow larger messages then). */
  readonly signedIn: boolean;
}

/**
 * Serves the contract over any message transport. Every request is checked in this order:
 * shape → method known → session and role → params schema → handler → result schema, and answered
 * `{ ok: true, value }` or `{ ok: false, error: { code, message } }` with a stable code.
 */
export class RpcServer {
  private nextConnectionId = 1;
  private readonly connections = new Map<number, ConnectionState>();
  /** Resume grants of browser tabs (memory only). */
  readonly resumeGrants: SessionResumeRegistry;
  /** Sign-ins in turn per connection and per account name, slower after each failure. */
  readonly loginThrottle: LoginThrottle;

  constructor(private readonly handlers: Handlers, private readonly log: Logger, options: RpcServerOptions = {}) {
    this.resumeGrants = new SessionResumeRegistry({ now: options.now ?? Date.now, idleMs: options.resumeIdleMs ?? DEFAULT_IDLE_TIMEOUT_MS });
    this.loginThrottle = new LoginThrottle(options.loginThrottle);
  }

  /** A new connection; `resumable` (browser tabs) lets its session be resumed after a reload. */
  connect(send: (message: RpcServerMessage) => void, opts: { resumable?: boolean } = {}): RpcConnection {
    const id = this.nextConnectionId++;
    const state: ConnectionState = { send, user: null, resumeKey: null };
    this.connections.set(id, state);
    const grants = this.resumeGrants;
    const dropGrant = (revoke: boolean) => {
      if (state.resumeKey === null) return;
      if (revoke) grants.revoke(state.resumeKey);
      else grants.release(state.resumeKey);
      state.resumeKey = null;
    };
    const ctx: CallContext = {
      get user() { return state.user; },
      connectionId: id,
      // Signing out or in as someone else ends the grant this tab held.
      setUser: (user) => { dropGrant(true); state.user = user; },
      ...(opts.resumable ? {
        issueResume: () => {
          if (state.user === null) return null;
          dropGrant(true);
          const { secret, key } = grants.issue(state.user);
          state.resumeKey = key;
          return secret;
        },
        resume: (secret: string) => {
          const grant = grants.redeem(secret);
          if (!grant) return null;
          dropGrant(false);
          state.user = grant.user;
          state.resumeKey = grant.key;
          return grant.user;
        },
      } : {}),
    };
    return {
      get signedIn() { return state.user !== null; },
      receive: (message) => { void this.handle(message, ctx, state); },
      close: () => { dropGrant(false); this.connections.delete(id); this.loginThrottle.forget(id); },
    };
  }

  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].safeParse(payload);
    if (!checked.success) {
      this.log.log('error', 'rpc.event-invalid', { event, issues: checked.error.issues.length });
      return;
    }
    for (const c of this.connections.values()) {
      if (c.user === null) continue;
      try { c.send({ kind: 'event', event, payload: checked.data }); } catch { /* a closed window */ }
    }
  }

  /** Direct call for in-process users (CLI, tests) with the same checks as the wire. */
  async call<M extends MethodName>(method: M, params: unknown, ctx: CallContext): Promise<{ ok: true; value: ResultOf<M> } | { ok: false; error: ErrorInfo }> {
    const started = performance.now();
    const def = contract[method];
    if (!rolesAllow(def.roles, ctx.user?.role ?? null)) {
      return ctx.user === null
        ? fail('UNAUTHENTICATED', 'Cần đăng nhập.')
        : fail('FORBIDDEN', `Vai trò ${ctx.user.role} không được dùng ${method}.`);
    }
    const parsed = def.params.safeParse(params ?? {});
    if (!parsed.success) {
      return fail('VALIDATION_FAILED', 'Dữ liệu gửi lên không hợp lệ.', {
        issues: parsed.error.issues.map(toValidationIssue),
      });
    }
    try {
      const handler = this.handlers[method] as unknown as (p: unknown, c: CallContext) => unknown;
      const value = method === 'auth.login'
        ? await this.loginThrottle.run(ctx.connectionId, (parsed.data as { username: string }).username, async () => handler(parsed.data, ctx))
        : await handler(parsed.data, ctx);
      const out = def.result.safeParse(value);
      if (!out.success) {
        this.log.log('error', 'rpc.result-invalid', { method, issues: out.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`) });
        return fail('INTERNAL', 'Lỗi nội bộ: kết quả không đúng hợp đồng.');
      }
      this.log.log('debug', 'rpc.ok', { method, ms: Math.round(performance.now() - started) });
      return { ok: true, value: out.data as ResultOf<M> };
    } catch (err) {
      if (err instanceof AppError) {
        this.log.log('info', 'rpc.error', { method, code: err.code });
        return { ok: false, error: err.toInfo() };
      }
      this.log.log('error', 'rpc.crash', { method, error: err instanceof Error ? err.stack ?? err.message : String(err) });
      return fail('INTERNAL', 'Lỗi nội bộ, đã ghi nhật ký.');
    }
  }

  private async handle(message: unknown, ctx: CallContext, state: ConnectionState): Promise<void> {
    const send = state.send;
    if (!isRpcRequest(message)) {
      this.log.log('warn', 'rpc.malformed');
      return;
    }
    const { id, method } = message;
    const result = Object.hasOwn(contract, method)
      ? await this.call(method as MethodName, message.params, ctx)
      : fail('METHOD_UNKNOWN', `Không có phương thức ${method.slice(0, 60)}.`);
    if (state.resumeKey !== null) this.resumeGrants.touch(state.resumeKey);
    try {
      send(result.ok ? { kind: 'response', id, ok: true, value: result.value } : { kind: 'response', id, ok: false, error: result.error });
    } catch { /* the window went away */ }
  }
}

function fail(code: ErrorInfo['code'], message: string, details?: unknown): { ok: false; error: ErrorInfo } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

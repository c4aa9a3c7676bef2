import type { z } from 'zod';
import {
  AppError,
  contract,
  events,
  isRpcRequest,
  rolesAllow,
  type ErrorInfo,
  type EventName,
  type EventPayload,
  type MethodName,
  type ResultOf,
  type RpcServerMessage,
  type WallScreen,
} from '../../common/contract';
import { toValidationIssue } from '../../common/contract/validation-issue';
import type { SessionUser } from '../../common/contract';
import { systemClock, type Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import type { EventHub } from './event-hub';
import { DEFAULT_IDLE_TIMEOUT_MS, SessionResumeRegistry } from './session-resume';
import { LoginThrottle, type LoginThrottleOptions } from './login-throttle';
import {
  DEFAULT_MAX_SESSION_MS,
  judgeSession,
  LOCKED_SESSION_METHODS,
  newSession,
  SESSION_MESSAGES,
  type AccountStanding,
  type Session,
  type SessionPolicy,
  type SessionVerdict,
} from './sessions';
import { wallScreenAllowsEvent, wallScreenAllowsMethod, wallScreenRefusal, WALL_SCREEN_NAMES } from './wall-screens';

export type { SessionUser };

/**
 * What the auth handlers may do to the session of their connection (absent for in-process callers,
 * which have no session of their own). See docs/architecture.md, "Sessions".
 */
export interface SessionControl {
  /** Locks this session (`auth.lock`). */
  lock(): void;
  /** Unlocks it after the password was checked (`auth.unlock`); counts as activity. */
  unlock(): void;
  /** Ends every session of this user in this core, this one included ("sign out everywhere"). */
  endAll(): void;
  /** Ends the user's other sessions and binds this one to the account's epoch as stored now (own password change). */
  endOthers(): void;
  /**
   * Narrows this session to a wall screen for good (`auth.wallScreen`, `wall-screens.ts`); true
   * when it was not narrowed yet, false when it already was to this screen. Another screen is
   * `FORBIDDEN` (a display never becomes a kiosk). The caller checks the role first.
   */
  narrowTo(screen: WallScreen): boolean;
}

/** What a handler knows about its caller. Sessions belong to a connection (one window / one tab). */
export interface CallContext {
  /** The user of this connection's session, also while it is locked; null when there is none. */
  readonly user: SessionUser | null;
  readonly connectionId: number;
  setUser(user: SessionUser | null): void;
  session?: SessionControl;
  /**
   * Browser tabs only (absent for Electron windows and in-process callers): a secret that gets
   * this session back on the tab's next connection, or null when there is no user.
   */
  issueResume?(): string | null;
  /** Browser tabs only: binds the user of a resume secret to this connection (null: unknown or idle too long). */
  resume?(secret: string): SessionUser | null;
}

export interface RpcServerOptions {
  /** The core's events: the server subscribes when it is made and sends each one to the open sessions (`broadcast`). */
  events?: EventHub;
  /** Clock of the sessions' idle and maximum times (the core's clock); default the system clock. */
  clock?: Clock;
  /** A browser tab's session can be resumed while idle for less than this (default 15 min). */
  resumeIdleMs?: number;
  /** Waits between wrong sign-ins (`login-throttle.ts`); tests shorten them. */
  loginThrottle?: LoginThrottleOptions;
  /** A session locks after this idle time (default `resumeIdleMs`, config `session.idleTimeoutMinutes`). */
  sessionIdleMs?: number;
  /** A session ends this long after its sign-in (default 12 h, config `session.maxHours`). */
  sessionMaxMs?: number;
  /**
   * The account's session epoch and IT lock as stored now (null: no such account), read on every
   * call of a session. Absent: sessions are never revoked (tests of other parts).
   */
  accountStanding?: (username: string) => AccountStanding | null;
}

/** Methods that go through the sign-in throttle (`login-throttle.ts`): every password check. */
const THROTTLED_METHODS: ReadonlySet<string> = new Set(['auth.login', 'auth.unlock', 'auth.changePassword']);

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
  session: Session | null;
  /** Why the last session of this connection was ended by the core (answered until a new sign-in). */
  ended: 'SESSION_EXPIRED' | 'SESSION_REVOKED' | null;
  /** The resume grant this connection holds (browser tabs), by key. */
  resumeKey: string | null;
}

type ParamsOut<M extends MethodName> = z.output<(typeof contract)[M]['params']>;
export type Handler<M extends MethodName> = (
  params: ParamsOut<M>,
  ctx: CallContext,
) => Promise<ResultOf<M>> | ResultOf<M>;
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
  /** Resume grants of browser tabs (memory only); each holds its tab's session. */
  readonly resumeGrants: SessionResumeRegistry<Session>;
  /** Sign-ins in turn per connection and per account name, slower after each failure. */
  readonly loginThrottle: LoginThrottle;
  private readonly now: () => number;
  private readonly policy: SessionPolicy;
  private readonly standing: ((username: string) => AccountStanding | null) | undefined;

  constructor(
    private readonly handlers: Handlers,
    private readonly log: Logger,
    options: RpcServerOptions = {},
  ) {
    const clock = options.clock ?? systemClock;
    this.now = () => clock.now();
    const idleMs = options.resumeIdleMs ?? DEFAULT_IDLE_TIMEOUT_MS;
    // A wall screen's grant stays while its tab is open, however quiet (docs/architecture.md, "Sessions").
    this.resumeGrants = new SessionResumeRegistry<Session>({
      clock,
      idleMs,
      keepAliveWhileBound: (s) => s.wallScreen !== null,
    });
    this.loginThrottle = new LoginThrottle(options.loginThrottle);
    this.policy = { idleMs: options.sessionIdleMs ?? idleMs, maxMs: options.sessionMaxMs ?? DEFAULT_MAX_SESSION_MS };
    this.standing = options.accountStanding;
    options.events?.subscribe((event, payload) => this.broadcast(event, payload));
  }

  /** A new connection; `resumable` (browser tabs) lets its session be resumed after a reload. */
  connect(send: (message: RpcServerMessage) => void, opts: { resumable?: boolean } = {}): RpcConnection {
    const id = this.nextConnectionId++;
    const state: ConnectionState = { send, session: null, ended: null, resumeKey: null };
    this.connections.set(id, state);
    const grants = this.resumeGrants;
    const dropGrant = (revoke: boolean) => {
      if (state.resumeKey === null) return;
      if (revoke) grants.revoke(state.resumeKey);
      else grants.release(state.resumeKey);
      state.resumeKey = null;
    };
    const ctx: CallContext = {
      get user() {
        return state.session?.user ?? null;
      },
      connectionId: id,
      // Signing out or in as someone else ends the grant this tab held.
      setUser: (user) => {
        dropGrant(true);
        state.ended = null;
        state.session = user === null ? null : newSession(user, this.now(), this.epochOf(user.username));
      },
      session: {
        lock: () => {
          if (state.session) state.session.locked = true;
        },
        unlock: () => {
          if (!state.session) return;
          state.session.locked = false;
          state.session.lastActivity = this.now();
        },
        endAll: () => {
          const own = state.session;
          if (!own) return;
          this.endSessionsOf(own.user.username, own);
          // This connection signed out on purpose: no `ended` code, the grant goes too.
          dropGrant(true);
          state.session = null;
          state.ended = null;
        },
        endOthers: () => {
          const own = state.session;
          if (!own) return;
          own.epoch = this.epochOf(own.user.username);
          this.endSessionsOf(own.user.username, own);
        },
        narrowTo: (screen) => {
          const own = state.session;
          if (!own) throw new AppError('UNAUTHENTICATED', 'Cần đăng nhập.');
          if (own.wallScreen === screen) return false;
          if (own.wallScreen !== null)
            throw new AppError('FORBIDDEN', wallScreenRefusal(own.wallScreen, 'auth.wallScreen'));
          own.wallScreen = screen;
          this.log.log('info', 'rpc.session-wall-screen', { screen: WALL_SCREEN_NAMES[screen] });
          return true;
        },
      },
      ...(opts.resumable
        ? {
            issueResume: () => {
              if (state.session === null) return null;
              dropGrant(true);
              const { secret, key } = grants.issue(state.session);
              state.resumeKey = key;
              return secret;
            },
            resume: (secret: string) => {
              const grant = grants.redeem(secret);
              if (!grant) return null;
              const verdict = this.verdictOf(grant.user);
              if (verdict === 'expired' || verdict === 'revoked') {
                grants.revoke(grant.key);
                return null;
              }
              if (verdict === 'locked') grant.user.locked = true;
              dropGrant(false);
              state.session = grant.user;
              state.ended = null;
              state.resumeKey = grant.key;
              return grant.user.user;
            },
          }
        : {}),
    };
    return {
      get signedIn() {
        return state.session !== null;
      },
      receive: (message) => {
        void this.handle(message, ctx, state);
      },
      close: () => {
        dropGrant(false);
        this.connections.delete(id);
        this.loginThrottle.forget(id);
      },
    };
  }

  /**
   * Sends an event to every connection whose session is open (never to a locked, expired or revoked
   * one); a wall screen's session gets only the events of its screen.
   */
  broadcast<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const checked = events[event].safeParse(payload);
    if (!checked.success) {
      this.log.log('error', 'rpc.event-invalid', { event, issues: checked.error.issues.length });
      return;
    }
    const standings = new Map<string, AccountStanding | null | undefined>();
    for (const c of this.connections.values()) {
      if (c.session === null) continue;
      const name = c.session.user.username.toLowerCase();
      if (!standings.has(name)) standings.set(name, this.standingOf(c.session.user.username));
      if (judgeSession(c.session, this.now(), standings.get(name), this.policy) !== 'open') continue;
      if (c.session.wallScreen !== null && !wallScreenAllowsEvent(c.session.wallScreen, event)) continue;
      try {
        c.send({ kind: 'event', event, payload: checked.data });
      } catch {
        /* a closed window */
      }
    }
  }

  /**
   * Ends every session of an account in this core (connections and resume grants) but `keep`;
   * each connection that had one is told with a `session.ended` event. Answers how many ended.
   */
  endSessionsOf(username: string, keep: Session | null): number {
    const name = username.toLowerCase();
    const mine = (s: Session) => s !== keep && s.user.username.toLowerCase() === name;
    let ended = this.resumeGrants.revokeWhere(mine);
    for (const c of this.connections.values()) {
      if (c.session === null || !mine(c.session)) continue;
      this.endSession(c, 'SESSION_REVOKED');
      ended += 1;
      try {
        c.send({ kind: 'event', event: 'session.ended', payload: { code: 'SESSION_REVOKED' } });
      } catch {
        /* a closed window */
      }
    }
    return ended;
  }

  private endSession(state: ConnectionState, code: 'SESSION_EXPIRED' | 'SESSION_REVOKED'): void {
    if (state.resumeKey !== null) this.resumeGrants.revoke(state.resumeKey);
    state.resumeKey = null;
    state.session = null;
    state.ended = code;
  }

  private standingOf(username: string): AccountStanding | null | undefined {
    if (!this.standing) return undefined;
    try {
      return this.standing(username);
    } catch (err) {
      // A store that cannot answer is treated as "no such account": the session ends, never stays open.
      this.log.log('error', 'rpc.session-standing-failed', { error: err instanceof Error ? err.message : String(err) });
      return null;
    }
  }

  private epochOf(username: string): number {
    return this.standingOf(username)?.epoch ?? 0;
  }

  private verdictOf(session: Session): SessionVerdict {
    return judgeSession(session, this.now(), this.standingOf(session.user.username), this.policy);
  }

  /** Direct call for in-process users (CLI, tests) with the same checks as the wire. */
  async call<M extends MethodName>(
    method: M,
    params: unknown,
    ctx: CallContext,
  ): Promise<{ ok: true; value: ResultOf<M> } | { ok: false; error: ErrorInfo }> {
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
      const value = THROTTLED_METHODS.has(method)
        ? await this.loginThrottle.run(
            ctx.connectionId,
            (parsed.data as { username?: string }).username ?? ctx.user?.username ?? '',
            async () => handler(parsed.data, ctx),
          )
        : await handler(parsed.data, ctx);
      const out = def.result.safeParse(value);
      if (!out.success) {
        this.log.log('error', 'rpc.result-invalid', {
          method,
          issues: out.error.issues.slice(0, 5).map((i) => `${i.path.join('.')}: ${i.message}`),
        });
        return fail('INTERNAL', 'Lỗi nội bộ: kết quả không đúng hợp đồng.');
      }
      this.log.log('debug', 'rpc.ok', { method, ms: Math.round(performance.now() - started) });
      return { ok: true, value: out.data as ResultOf<M> };
    } catch (err) {
      if (err instanceof AppError) {
        this.log.log('info', 'rpc.error', { method, code: err.code });
        return { ok: false, error: err.toInfo() };
      }
      this.log.log('error', 'rpc.crash', {
        method,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      });
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
      ? await this.callInSession(method as MethodName, message.params, ctx, state)
      : fail('METHOD_UNKNOWN', `Không có phương thức ${method.slice(0, 60)}.`);
    try {
      send(
        result.ok
          ? { kind: 'response', id, ok: true, value: result.value }
          : { kind: 'response', id, ok: false, error: result.error },
      );
    } catch {
      /* the window went away */
    }
  }

  /**
   * A call over a connection: the session rules (`sessions.ts`) first, then `call`. A revoked or
   * expired session ends; a locked one serves only public methods, unlock, lock and logout; one
   * narrowed to a wall screen only that screen's methods (`wall-screens.ts`). A
   * call served under an open session is activity (idle time restarts, the resume grant too).
   */
  private async callInSession(
    method: MethodName,
    params: unknown,
    ctx: CallContext,
    state: ConnectionState,
  ): Promise<{ ok: true; value: unknown } | { ok: false; error: ErrorInfo }> {
    const session = state.session;
    if (session) {
      const verdict = this.verdictOf(session);
      if (verdict === 'expired' || verdict === 'revoked') {
        this.endSession(state, verdict === 'expired' ? 'SESSION_EXPIRED' : 'SESSION_REVOKED');
        this.log.log('info', 'rpc.session-ended', { reason: verdict });
      } else if (verdict === 'locked' && !session.locked) {
        session.locked = true;
        this.log.log('info', 'rpc.session-locked', { reason: 'idle' });
      }
    }
    if (contract[method].roles !== 'public') {
      if (state.session === null && state.ended !== null) return fail(state.ended, SESSION_MESSAGES[state.ended]);
      if (state.session?.locked && !LOCKED_SESSION_METHODS.has(method))
        return fail('SESSION_LOCKED', SESSION_MESSAGES.SESSION_LOCKED);
    }
    const wall = state.session?.wallScreen ?? null;
    if (wall !== null && !wallScreenAllowsMethod(wall, method)) {
      this.log.log('info', 'rpc.wall-screen-refused', { method });
      return fail('FORBIDDEN', wallScreenRefusal(wall, method));
    }
    const result = await this.call(method, params, ctx);
    const after = state.session;
    if (after !== null && after === session && !after.locked) {
      after.lastActivity = this.now();
      if (state.resumeKey !== null) this.resumeGrants.touch(state.resumeKey);
    }
    return result;
  }
}

function fail(code: ErrorInfo['code'], message: string, details?: unknown): { ok: false; error: ErrorInfo } {
  return { ok: false, error: details === undefined ? { code, message } : { code, message, details } };
}

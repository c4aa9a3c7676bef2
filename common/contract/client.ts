import type { Result } from './errors';
import { METHOD_NAMES, type Contract, type MethodName, type ParamsOf, type ResultOf } from './methods';
import type { EventName, EventPayload } from './events';

/**
 * The shape of `window.motcua`: one async function per contract method, grouped by feature
 * (`motcua.intake.receive(params)`), plus `on(event, cb)`. Functions resolve to a `Result` and never
 * throw for a failed call, so error codes survive contextBridge and the WebSocket unchanged.
 */
type Feature<N> = N extends `${infer F}.${string}` ? F : never;
type Verb<N, F extends string> = N extends `${F}.${infer V}` ? V : never;

type Call<M extends MethodName> = (params?: ParamsOf<M>) => Promise<Result<ResultOf<M>>>;

export type MotcuaApi = {
  [F in Feature<MethodName>]: {
    [V in Verb<MethodName, F>]: Call<Extract<`${F}.${V}`, MethodName>>;
  };
} & {
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
};

export type Invoke = (method: MethodName, params: unknown) => Promise<Result<unknown>>;
export type Subscribe = (event: EventName, listener: (payload: unknown) => void) => () => void;

/** Builds the api object method by method from the contract (no free-form channel is exposed). */
export function buildMotcuaApi(invoke: Invoke, subscribe: Subscribe): MotcuaApi {
  const api: Record<string, Record<string, unknown>> = {};
  for (const name of METHOD_NAMES) {
    const [feature, verb] = name.split('.') as [string, string];
    api[feature] ??= {};
    api[feature][verb] = (params?: unknown) => invoke(name, params ?? {});
  }
  const on = (event: EventName, listener: (payload: unknown) => void) => subscribe(event, listener);
  return Object.assign(api, { on }) as unknown as MotcuaApi;
}

/** Correlates requests and responses on any message transport (MessagePort or WebSocket). */
export class RpcClient {
  private nextId = 1;
  private readonly pending = new Map<number, (r: Result<unknown>) => void>();
  private readonly listeners = new Map<string, Set<(payload: unknown) => void>>();

  constructor(private readonly send: (message: unknown) => void) {}

  invoke: Invoke = (method, params) =>
    new Promise((resolve) => {
      const id = this.nextId++;
      this.pending.set(id, resolve);
      try {
        this.send({ kind: 'request', id, method, params });
      } catch (err) {
        this.pending.delete(id);
        resolve({ ok: false, error: { code: 'INTERNAL', message: `Không gửi được yêu cầu: ${String(err)}` } });
      }
    });

  subscribe: Subscribe = (event, listener) => {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };

  /** Feed every message received from the core here. */
  receive(message: unknown): void {
    if (typeof message !== 'object' || message === null) return;
    const m = message as {
      kind?: string;
      id?: number;
      ok?: boolean;
      value?: unknown;
      error?: never;
      event?: string;
      payload?: unknown;
    };
    if (m.kind === 'response' && typeof m.id === 'number') {
      const resolve = this.pending.get(m.id);
      if (!resolve) return;
      this.pending.delete(m.id);
      resolve(m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error ?? { code: 'INTERNAL', message: '' } });
    } else if (m.kind === 'event' && typeof m.event === 'string') {
      for (const l of this.listeners.get(m.event) ?? []) l(m.payload);
    }
  }

  /** Fails every call in flight (the connection closed). */
  failAll(message: string): void {
    for (const resolve of this.pending.values()) resolve({ ok: false, error: { code: 'REMOTE_UNAVAILABLE', message } });
    this.pending.clear();
  }
}

export type { Contract };

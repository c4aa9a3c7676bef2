import {
  buildMotcuaApi,
  type ErrorCode,
  type EventName,
  type EventPayload,
  type MethodName,
  type MotcuaApi,
  type ParamsOf,
  type Result,
  type ResultOf,
} from '../../../common/contract';

/** Thrown by a fake handler to answer `{ ok: false, error }`. */
export class FakeFailure extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string = code,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

type Handler<M extends MethodName> = (params: ParamsOf<M>) => ResultOf<M> | Promise<ResultOf<M>>;
export type FakeHandlers = { [M in MethodName]?: Handler<M> };

export interface FakeCall {
  method: MethodName;
  params: unknown;
}

export interface FakeApi {
  api: MotcuaApi;
  calls: FakeCall[];
  callsOf(method: MethodName): FakeCall[];
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  handlers: FakeHandlers;
}

/** A stand-in for the core: answers from handlers, records every call, emits events on demand. */
export function createFakeApi(handlers: FakeHandlers = {}): FakeApi {
  const calls: FakeCall[] = [];
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const invoke = async (method: MethodName, params: unknown): Promise<Result<unknown>> => {
    calls.push({ method, params });
    const handler = handlers[method] as ((p: unknown) => unknown) | undefined;
    if (!handler) return { ok: false, error: { code: 'METHOD_UNKNOWN', message: method } };
    try {
      return { ok: true, value: await handler(params) };
    } catch (err) {
      if (err instanceof FakeFailure) {
        return {
          ok: false,
          error:
            err.details === undefined
              ? { code: err.code, message: err.message }
              : { code: err.code, message: err.message, details: err.details },
        };
      }
      throw err;
    }
  };
  const subscribe = (event: EventName, listener: (payload: unknown) => void) => {
    let set = listeners.get(event);
    if (!set) listeners.set(event, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  };
  return {
    api: buildMotcuaApi(invoke, subscribe),
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    emit: (event, payload) => {
      for (const l of listeners.get(event) ?? []) l(payload);
    },
    handlers,
  };
}

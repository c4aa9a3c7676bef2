import type { EventName, EventPayload, MethodName, ParamsOf, Result, ResultOf } from '../../../common/contract';
import { METHOD_NAMES } from '../../../common/contract';
import { ApiError } from './api-error';
import { getApi } from './bridge';

export { ApiError } from './api-error';
export { getConnectionState, onConnectionState, type ConnectionState } from './connection';
export { initBridge, isBrowserMode, setApiForTests } from './bridge';
export { forgetResumeSecret, rememberResumeSecret } from './resume';

type Feature<N> = N extends `${infer F}.${string}` ? F : never;
type Verb<N, F extends string> = N extends `${F}.${infer V}` ? V : never;

/** A contract method that resolves to its value and throws `ApiError` on failure. */
export type Method<M extends MethodName> =
  Record<never, never> extends ParamsOf<M>
    ? (params?: ParamsOf<M>) => Promise<ResultOf<M>>
    : (params: ParamsOf<M>) => Promise<ResultOf<M>>;

export type Api = {
  [F in Feature<MethodName>]: { [V in Verb<MethodName, F>]: Method<Extract<`${F}.${V}`, MethodName>> };
};

type RawCall = (params?: unknown) => Promise<Result<unknown>>;

let inFlight = 0;
const activityListeners = new Set<(pending: number) => void>();
const failureListeners = new Set<(method: MethodName, error: ApiError) => void>();

/** Every failed call, e.g. so the session can react to UNAUTHENTICATED wherever it happens. */
export function onCallFailed(listener: (method: MethodName, error: ApiError) => void): () => void {
  failureListeners.add(listener);
  return () => failureListeners.delete(listener);
}

function failed(method: MethodName, error: ApiError): ApiError {
  for (const listener of [...failureListeners]) listener(method, error);
  return error;
}

function setInFlight(n: number): void {
  inFlight = n;
  for (const listener of [...activityListeners]) listener(n);
}

/** How many calls are waiting for the core; drives the "Đang xử lý…" indicator. */
export function onActivity(listener: (pending: number) => void): () => void {
  activityListeners.add(listener);
  listener(inFlight);
  return () => activityListeners.delete(listener);
}

export async function call<M extends MethodName>(method: M, params?: ParamsOf<M>): Promise<ResultOf<M>> {
  const [feature, verb] = method.split('.') as [string, string];
  const group = (getApi() as unknown as Record<string, Record<string, RawCall> | undefined>)[feature];
  const fn = group?.[verb];
  if (typeof fn !== 'function') throw failed(method, new ApiError('METHOD_UNKNOWN', method));
  setInFlight(inFlight + 1);
  let result: Result<unknown>;
  try {
    result = await fn(params ?? {});
  } catch (err) {
    throw failed(method, ApiError.from(err));
  } finally {
    setInFlight(inFlight - 1);
  }
  if (!result.ok) throw failed(method, ApiError.fromInfo(result.error));
  return result.value as ResultOf<M>;
}

export function onEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
  return getApi().on(event, listener);
}

function buildApi(): Api {
  const api: Record<string, Record<string, (params?: unknown) => Promise<unknown>>> = {};
  for (const name of METHOD_NAMES) {
    const [feature, verb] = name.split('.') as [string, string];
    api[feature] ??= {};
    api[feature][verb] = (params?: unknown) => call(name, params as ParamsOf<typeof name>);
  }
  return api as unknown as Api;
}

/** `api.intake.receive(params)`: the contract as promise-returning functions. */
export const api: Api = buildApi();

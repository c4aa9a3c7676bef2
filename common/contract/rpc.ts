import type { ErrorInfo } from './errors';

/** Wire messages of the one RPC protocol, identical over a MessagePort and over the WebSocket. */
export interface RpcRequest {
  kind: 'request';
  id: number;
  method: string;
  params: unknown;
}
export type RpcResponse =
  | { kind: 'response'; id: number; ok: true; value: unknown }
  | { kind: 'response'; id: number; ok: false; error: ErrorInfo };
export interface RpcEvent {
  kind: 'event';
  event: string;
  payload: unknown;
}
export type RpcServerMessage = RpcResponse | RpcEvent;

export function isRpcRequest(value: unknown): value is RpcRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return v.kind === 'request' && typeof v.id === 'number' && Number.isSafeInteger(v.id) && typeof v.method === 'string';
}

import { MESSAGE_LIMITS } from '../../common/contract/message-limits';
import type { RpcResponse } from '../../common/contract/rpc';

/**
 * The size check of a message that arrives over an Electron MessagePort (a window of the app),
 * before it is dispatched: the same limits as the browser's WebSocket (1 MiB before sign-in,
 * 64 MiB after). A port carries structured-clone values, not text, so the size is measured as the
 * message would be in JSON (UTF-8 strings, keys, punctuation; escapes not counted), walking the
 * value and stopping as soon as it is over the limit. Values JSON cannot carry (binary buffers,
 * maps, dates, class instances, bigints) and nesting deeper than `MESSAGE_LIMITS.maxDepth` (which
 * also stops a cyclic value) are refused: no contract method takes them.
 */
export type PortMessageVerdict =
  | { ok: true; bytes: number }
  | { ok: false; reason: 'too-large' | 'too-deep' | 'not-plain'; bytes: number; limitBytes: number };

export function checkPortMessage(value: unknown, signedIn: boolean): PortMessageVerdict {
  const limitBytes = signedIn ? MESSAGE_LIMITS.signedInBytes : MESSAGE_LIMITS.beforeSignInBytes;
  let bytes = 0;
  let refusal: 'too-large' | 'too-deep' | 'not-plain' | null = null;

  const add = (n: number): boolean => {
    bytes += n;
    if (bytes > limitBytes) refusal = 'too-large';
    return refusal === null;
  };

  const walk = (v: unknown, depth: number): boolean => {
    if (v === null || v === undefined) return add(4);
    switch (typeof v) {
      case 'string':
        return add(Buffer.byteLength(v, 'utf8') + 2);
      case 'number':
        return add(Number.isFinite(v) ? String(v).length : 4);
      case 'boolean':
        return add(v ? 4 : 5);
      case 'object':
        break;
      default:
        refusal = 'not-plain';
        return false;
    }
    if (depth >= MESSAGE_LIMITS.maxDepth) {
      refusal = 'too-deep';
      return false;
    }
    if (Array.isArray(v)) {
      if (!add(2)) return false;
      for (let i = 0; i < v.length; i += 1) if (!add(i > 0 ? 1 : 0) || !walk(v[i], depth + 1)) return false;
      return true;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) {
      refusal = 'not-plain';
      return false;
    }
    if (!add(2)) return false;
    const keys = Object.keys(v);
    for (let i = 0; i < keys.length; i += 1) {
      const key = keys[i]!;
      // `"key":` and the comma before every key but the first.
      if (
        !add(Buffer.byteLength(key, 'utf8') + 3 + (i > 0 ? 1 : 0)) ||
        !walk((v as Record<string, unknown>)[key], depth + 1)
      )
        return false;
    }
    return true;
  };

  walk(value, 0);
  return refusal === null ? { ok: true, bytes } : { ok: false, reason: refusal, bytes, limitBytes };
}

/** The answer to a refused request (null when the message was not a request with an id). */
export function refusalAnswer(
  message: unknown,
  verdict: Extract<PortMessageVerdict, { ok: false }>,
): RpcResponse | null {
  if (typeof message !== 'object' || message === null || Array.isArray(message)) return null;
  const { kind, id } = message as { kind?: unknown; id?: unknown };
  if (kind !== 'request' || typeof id !== 'number' || !Number.isSafeInteger(id)) return null;
  return {
    kind: 'response',
    id,
    ok: false,
    error: {
      code: 'VALIDATION_FAILED',
      message: verdict.reason === 'too-large' ? 'Dữ liệu gửi lên quá lớn.' : 'Dữ liệu gửi lên không hợp lệ.',
      details: { reason: verdict.reason, limitBytes: verdict.limitBytes },
    },
  };
}

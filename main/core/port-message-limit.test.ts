import { describe, expect, it } from 'vitest';
import { MESSAGE_LIMITS } from '../../common/contract/message-limits';
import { checkPortMessage, refusalAnswer } from './port-message-limit';
import { MAX_WS_MESSAGE_BYTES, MAX_WS_SIGNED_IN_MESSAGE_BYTES } from './rpc-server';

const request = (params: unknown) => ({ kind: 'request', id: 7, method: 'digitise.importFiles', params });

describe("checkPortMessage (a window's MessagePort)", () => {
  it("uses the WebSocket's limits", () => {
    expect(MESSAGE_LIMITS.beforeSignInBytes).toBe(MAX_WS_MESSAGE_BYTES);
    expect(MESSAGE_LIMITS.signedInBytes).toBe(MAX_WS_SIGNED_IN_MESSAGE_BYTES);
  });

  it('measures a message as its JSON would be, in UTF-8', () => {
    const message = {
      kind: 'request',
      id: 1,
      method: 'auth.login',
      params: { username: 'cán bộ', password: 'x', list: [1, true, null] },
    };
    const verdict = checkPortMessage(message, false);
    expect(verdict).toEqual({ ok: true, bytes: Buffer.byteLength(JSON.stringify(message), 'utf8') });
  });

  it('refuses more than 1 MiB before sign-in and accepts it after', () => {
    const big = request({ files: [{ name: 'a.pdf', base64: 'A'.repeat(2 * 1024 * 1024) }] });
    expect(checkPortMessage(big, false)).toMatchObject({ ok: false, reason: 'too-large', limitBytes: 1024 * 1024 });
    expect(checkPortMessage(big, true).ok).toBe(true);
  });

  it('refuses more than 64 MiB when signed in, also spread over many strings, and stops measuring there', () => {
    const chunk = 'A'.repeat(1024 * 1024);
    const many = request({ files: Array.from({ length: 70 }, (_, i) => ({ name: `${i}.png`, base64: chunk })) });
    const verdict = checkPortMessage(many, true);
    expect(verdict).toMatchObject({ ok: false, reason: 'too-large', limitBytes: 64 * 1024 * 1024 });
    expect(verdict.bytes).toBeLessThan(66 * 1024 * 1024);
  });

  it('counts multi-byte text by its UTF-8 bytes', () => {
    const vietnamese = 'ệ'.repeat(400 * 1024); // 3 bytes each: 1.2 MiB
    expect(vietnamese.length).toBeLessThan(1024 * 1024);
    expect(checkPortMessage(request({ note: vietnamese }), false)).toMatchObject({ ok: false, reason: 'too-large' });
  });

  it('refuses deep nesting and a cyclic value without overflowing the stack', () => {
    let deep: unknown = 'x';
    for (let i = 0; i < 10_000; i += 1) deep = [deep];
    expect(checkPortMessage(request(deep), true)).toMatchObject({ ok: false, reason: 'too-deep' });
    const cyclic: Record<string, unknown> = { a: 1 };
    cyclic.self = cyclic;
    expect(checkPortMessage(request(cyclic), true)).toMatchObject({ ok: false, reason: 'too-deep' });
  });

  it('refuses values JSON cannot carry', () => {
    for (const odd of [new Uint8Array(10), new Map([[1, 2]]), new Date(0), 10n, new ArrayBuffer(8)]) {
      expect(checkPortMessage(request({ value: odd }), true)).toMatchObject({ ok: false, reason: 'not-plain' });
    }
  });

  it('answers a refused request with VALIDATION_FAILED and its limit, and nothing else', () => {
    const verdict = checkPortMessage(request({ base64: 'A'.repeat(2 * 1024 * 1024) }), false);
    if (verdict.ok) throw new Error('expected a refusal');
    expect(refusalAnswer(request({}), verdict)).toMatchObject({
      kind: 'response',
      id: 7,
      ok: false,
      error: { code: 'VALIDATION_FAILED', details: { reason: 'too-large', limitBytes: 1024 * 1024 } },
    });
    expect(refusalAnswer({ kind: 'event' }, verdict)).toBeNull();
    expect(refusalAnswer('text', verdict)).toBeNull();
    expect(refusalAnswer({ kind: 'request', id: 1.5 }, verdict)).toBeNull();
  });
});

// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { captureToken, rpcSocketUrl, TOKEN_STORAGE_KEY } from './token';

function env(href: string) {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  return {
    replaced,
    store,
    env: {
      location: { href },
      history: {
        state: null,
        replaceState: (_s: unknown, _t: string, url?: string | URL | null) => void replaced.push(String(url)),
      },
      storage: {
        getItem: (k: string) => store.get(k) ?? null,
        setItem: (k: string, v: string) => void store.set(k, v),
      },
    },
  };
}

describe('launch token', () => {
  it('takes the token from the URL, keeps it in sessionStorage and hides it', () => {
    const e = env('http://127.0.0.1:4123/?token=abc123&x=1#/login');
    expect(captureToken(e.env)).toBe('abc123');
    expect(e.store.get(TOKEN_STORAGE_KEY)).toBe('abc123');
    expect(e.replaced).toEqual(['/?x=1#/login']);
  });

  it('falls back to the stored token after a reload', () => {
    const e = env('http://127.0.0.1:4123/#/intake');
    e.store.set(TOKEN_STORAGE_KEY, 'kept');
    expect(captureToken(e.env)).toBe('kept');
    expect(e.replaced).toEqual([]);
  });

  it('builds the socket URL on the page host', () => {
    expect(rpcSocketUrl({ protocol: 'http:', host: '127.0.0.1:4123' }, 'a b')).toBe(
      'ws://127.0.0.1:4123/rpc?token=a%20b',
    );
    expect(rpcSocketUrl({ protocol: 'https:', host: 'desk.local' }, null)).toBe('wss://desk.local/rpc');
  });
});

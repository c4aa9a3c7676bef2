/**
 * Browser mode: the core prints a URL with a per-launch `?token=`. The page takes it on first
 * load, keeps it in sessionStorage (it survives reloads of this tab only) and removes it from the
 * visible URL so it is not left in history, screenshots or bookmarks.
 */
export const TOKEN_STORAGE_KEY = 'motcua.rpcToken';

export interface TokenEnvironment {
  location: Pick<Location, 'href'>;
  history: Pick<History, 'replaceState' | 'state'>;
  storage: Pick<Storage, 'getItem' | 'setItem'>;
}

export function captureToken(env: TokenEnvironment): string | null {
  const url = new URL(env.location.href);
  const fromUrl = url.searchParams.get('token');
  if (fromUrl) {
    env.storage.setItem(TOKEN_STORAGE_KEY, fromUrl);
    url.searchParams.delete('token');
    env.history.replaceState(env.history.state, '', url.pathname + url.search + url.hash);
    return fromUrl;
  }
  return env.storage.getItem(TOKEN_STORAGE_KEY);
}

export function rpcSocketUrl(location: Pick<Location, 'protocol' | 'host'>, token: string | null): string {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const query = token ? `?token=${encodeURIComponent(token)}` : '';
  return `${scheme}://${location.host}/rpc${query}`;
}

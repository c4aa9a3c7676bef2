/**
 * Which page is the app's own (docs/architecture.md, "Electron baseline"). Only that page may be
 * navigated to, gets a MessagePort to the core from the shell, and sees `window.motcua` from the
 * preload. The shell decides the page once at start and hands it to the preload as a command-line
 * argument of the renderer (`webPreferences.additionalArguments`), so both ends apply one rule.
 *
 * - `file`: the packaged or built app, loaded with `loadFile`: exactly that one file URL, no host
 *   (`file://server/share/...` is a network share), no query, no credentials; a fragment is allowed
 *   (the router's `#/returns`). The path is compared as the URL parser normalised it, segment by
 *   segment with escapes decoded, so `renderer/x/../index.html` is the same file but
 *   `renderer/..%2Findex.html`, `%5C` or `%00` are not the app's page.
 * - `dev`: the electron-vite dev server (`ELECTRON_RENDERER_URL`): that origin only.
 *
 * Environment-free (only the `URL` global): the shell, the preload and tests share it.
 */
export type AppPage = { kind: 'file'; url: string; caseInsensitive: boolean } | { kind: 'dev'; origin: string };

export const APP_PAGE_ARG = '--motcua-app-page=';

function parse(url: string): URL | null {
  // Control characters and whitespace are never part of a URL the shell loads.
  if (typeof url !== 'string' || url.length > 8192 || /[\u0000-\u0020\u007f]/.test(url)) return null;
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True when `url` is the app's own page as described by `page`. */
export function isAppPage(url: string, page: AppPage): boolean {
  const u = parse(url);
  if (u === null || u.username !== '' || u.password !== '') return false;
  if (page.kind === 'dev') {
    const origin = parse(page.origin);
    if (origin === null || (origin.protocol !== 'http:' && origin.protocol !== 'https:')) return false;
    return (u.protocol === 'http:' || u.protocol === 'https:') && u.origin === origin.origin;
  }
  const expected = parse(page.url);
  if (expected === null || expected.protocol !== 'file:' || expected.host !== '') return false;
  if (u.protocol !== 'file:' || u.host !== '' || u.search !== '') return false;
  // `new URL('file:///a?')` keeps an empty query that `search` does not show.
  const beforeHash = url.split('#', 1)[0] ?? '';
  if (beforeHash.includes('?')) return false;
  const path = decodedPath(u.pathname);
  const wanted = decodedPath(expected.pathname);
  if (path === null || wanted === null) return false;
  return page.caseInsensitive ? path.toLowerCase() === wanted.toLowerCase() : path === wanted;
}

/**
 * The path with each segment's escapes decoded, so the same file written with different escaping
 * (Chromium's and Node's differ for a few characters) compares equal; null when a segment decodes
 * to a separator, NUL or a dot segment (`%2F`, `%5C`, `%00`): such a URL is never the app's page.
 */
function decodedPath(pathname: string): string | null {
  const segments: string[] = [];
  for (const raw of pathname.split('/')) {
    let segment: string;
    try {
      segment = decodeURIComponent(raw);
    } catch {
      return null;
    }
    if (/[/\\\u0000]/.test(segment) || segment === '.' || segment === '..') return null;
    segments.push(segment);
  }
  return segments.join('/');
}

/** The renderer argument that carries `page` to the preload. */
export function appPageArgument(page: AppPage): string {
  return `${APP_PAGE_ARG}${encodeURIComponent(JSON.stringify(page))}`;
}

/** The page the shell named in the renderer's arguments; null when absent or malformed (then no page is the app's). */
export function appPageFromArgv(argv: readonly string[]): AppPage | null {
  const args = argv.filter((a) => typeof a === 'string' && a.startsWith(APP_PAGE_ARG));
  // Exactly one: a second one could only come from somewhere else.
  if (args.length !== 1) return null;
  let value: unknown;
  try {
    value = JSON.parse(decodeURIComponent(args[0]!.slice(APP_PAGE_ARG.length)));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v['kind'] === 'file' && typeof v['url'] === 'string' && typeof v['caseInsensitive'] === 'boolean') {
    return { kind: 'file', url: v['url'], caseInsensitive: v['caseInsensitive'] };
  }
  if (v['kind'] === 'dev' && typeof v['origin'] === 'string') return { kind: 'dev', origin: v['origin'] };
  return null;
}

/** The preload's question: is `href` the page the shell named in `argv`? False when it named none. */
export function isAppPageOf(argv: readonly string[], href: string): boolean {
  const page = appPageFromArgv(argv);
  return page !== null && isAppPage(href, page);
}

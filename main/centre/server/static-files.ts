import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { RENDERER_CONTENT_TYPES as TYPES } from '../../kernel/content-types';
import { PAGE_CSP, SECURITY_HEADERS, sendError } from './http-answers';

/**
 * The built renderer (`out/renderer`, `npm run build:renderer`) for enrolled browser devices:
 * `GET /` is `index.html`; a path is never resolved outside `root`; unknown types are refused.
 */
export async function serveStatic(root: string | null, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    sendError(res, 405, 'METHOD_UNKNOWN', 'Phương thức không được hỗ trợ.', undefined, { Allow: 'GET, HEAD' });
    return;
  }
  if (!root) {
    sendError(res, 404, 'NOT_FOUND', 'Trung tâm chưa có giao diện (chạy "npm run build:renderer").');
    return;
  }
  const base = resolve(root);
  let pathname: string;
  try {
    pathname = decodeURIComponent(new URL(req.url ?? '/', 'https://centre').pathname);
  } catch {
    sendError(res, 400, 'VALIDATION_FAILED', 'Đường dẫn không hợp lệ.');
    return;
  }
  if (pathname.includes('\0')) {
    sendError(res, 400, 'VALIDATION_FAILED', 'Đường dẫn không hợp lệ.');
    return;
  }
  const rel = pathname === '/' ? 'index.html' : normalize(pathname).replace(/^([/\\])+/, '');
  const file = resolve(join(base, rel));
  const type = TYPES[extname(file).toLowerCase()];
  if ((file !== base && !file.startsWith(base + sep)) || !type) {
    sendError(res, 404, 'NOT_FOUND', 'Không tìm thấy.');
    return;
  }
  let body: Buffer;
  try {
    if (!(await stat(file)).isFile()) throw new Error('not a file');
    body = await readFile(file);
  } catch {
    sendError(res, 404, 'NOT_FOUND', 'Không tìm thấy.');
    return;
  }
  if (res.headersSent || res.writableEnded) return;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': type,
    'Content-Length': String(body.length),
    // Built assets carry a content hash in their names; the page itself is always fetched again.
    'Cache-Control': rel === 'index.html' ? 'no-store' : 'private, max-age=86400',
    ...(type.startsWith('text/html') ? { 'Content-Security-Policy': PAGE_CSP } : {}),
  });
  res.end(req.method === 'HEAD' ? undefined : body);
}

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { MAX_WS_MESSAGE_BYTES, MAX_WS_SIGNED_IN_MESSAGE_BYTES, type RpcServer } from './rpc-server';
import { RENDERER_CONTENT_TYPES as TYPES } from '../kernel/content-types';
import { limitNoisyEvents, type Logger } from '../kernel/logger';

/**
 * Browser mode: the core serves the built renderer and the RPC over a WebSocket on 127.0.0.1.
 * A random token made per launch must be presented on `/rpc?token=`, and the Origin header must be
 * this server's own origin, so another page or local process cannot drive the desk.
 */
export interface BrowserServer {
  url: string;
  /** The URL to open: carries the per-launch token once; the page moves it to sessionStorage. */
  launchUrl: string;
  token: string;
  close(): Promise<void>;
}

const SECURITY_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; frame-src blob:; object-src 'none'; connect-src 'self' ws://127.0.0.1:* ws://localhost:*; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

export async function startBrowserServer(opts: {
  rpc: RpcServer;
  rendererDir: string;
  port?: number;
  log: Logger;
  token?: string;
}): Promise<BrowserServer> {
  const token = opts.token ?? randomBytes(24).toString('base64url');
  const root = resolve(opts.rendererDir);
  // Anyone on the machine can send bad requests and upgrades at will: their lines are rate-limited.
  const noisyLog = limitNoisyEvents(opts.log);
  // Every handler is total: no request, header or frame can end the core (a rejection is answered 500).
  const server: Server = createServer((req, res) => {
    serveStatic(root, req, res).catch((err: unknown) => {
      noisyLog.log('error', 'browser.request-failed', { error: err instanceof Error ? err.message : String(err) });
      try {
        if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end();
      } catch {
        res.destroy();
      }
    });
  });
  // Malformed request lines or headers: answer 400 and close (Node's parser reports them here).
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    socket.destroy();
  });
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_WS_SIGNED_IN_MESSAGE_BYTES });
  let origin = '';

  server.on('upgrade', (req, socket, head) => {
    socket.on('error', () => socket.destroy());
    try {
      upgrade(req, socket, head);
    } catch (err) {
      noisyLog.log('warn', 'browser.upgrade-failed', { error: err instanceof Error ? err.message : String(err) });
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      socket.destroy();
    }
  });

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = parseRequestUrl(req.url);
    if (url === null) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    const given = Buffer.from(url.searchParams.get('token') ?? '');
    const expected = Buffer.from(token);
    const tokenOk = given.length === expected.length && timingSafeEqual(given, expected);
    const originOk = req.headers.origin === origin || req.headers.origin === origin.replace('127.0.0.1', 'localhost');
    if (url.pathname !== '/rpc' || !tokenOk || !originOk) {
      noisyLog.log('warn', 'browser.rejected', { path: url.pathname, tokenOk, originOk });
      socket.write('HTTP/1.1 403 Forbidden\r\nConnection: close\r\n\r\n');
      socket.destroy();
      return;
    }
    // A wrong key or version is answered 400 by the WebSocket server itself.
    wss.handleUpgrade(req, socket, head, (ws) => attach(ws));
  }

  function attach(ws: WebSocket): void {
    // A tab's session may be resumed after a reload (`auth.resume`); Electron windows never are.
    const conn = opts.rpc.connect(
      (message) => {
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
      },
      { resumable: true },
    );
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[]) => {
      const size = Array.isArray(data) ? data.reduce((n, b) => n + b.byteLength, 0) : data.byteLength;
      if (!conn.signedIn && size > MAX_WS_MESSAGE_BYTES) {
        // Before sign-in only a login or a resume is expected: a large message is refused unread.
        ws.close(1009, 'message too big');
        return;
      }
      let message: unknown;
      try {
        message = JSON.parse(data.toString());
      } catch {
        return;
      }
      try {
        conn.receive(message);
      } catch (err) {
        noisyLog.log('error', 'browser.message-failed', { error: err instanceof Error ? err.message : String(err) });
      }
    });
    ws.on('close', () => conn.close());
    // Bad or oversized frames: `ws` closes the socket (1002/1009) and reports it here.
    ws.on('error', () => {
      conn.close();
      ws.terminate();
    });
  }

  await new Promise<void>((res, rej) => {
    server.once('error', rej);
    server.listen(opts.port ?? 0, '127.0.0.1', () => res());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no address');
  origin = `http://127.0.0.1:${address.port}`;
  return {
    url: origin,
    launchUrl: `${origin}/?token=${token}`,
    token,
    close: () =>
      new Promise<void>((res) => {
        noisyLog.flush();
        for (const client of wss.clients) client.terminate();
        wss.close();
        server.close(() => res());
        server.closeAllConnections();
      }),
  };
}

async function serveStatic(root: string, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405).end();
    return;
  }
  const url = parseRequestUrl(req.url);
  const pathname = url === null ? null : decodePath(url.pathname);
  if (pathname === null || pathname.includes('\0')) {
    res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' }).end();
    return;
  }
  let file = normalize(join(root, pathname));
  if (file !== root && !file.startsWith(root + sep)) {
    res.writeHead(403).end();
    return;
  }
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
  } catch {
    // Client-side routes fall back to the app shell.
    file = join(root, 'index.html');
  }
  try {
    const body = await readFile(file);
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': 'no-store',
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res
      .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
      .end('Không tìm thấy giao diện. Hãy chạy "npm run build:renderer".');
  }
}

/** The request target as a URL, or null when it cannot be parsed. */
function parseRequestUrl(target: string | undefined): URL | null {
  try {
    return new URL(target ?? '/', 'http://127.0.0.1');
  } catch {
    return null;
  }
}

/** The decoded path, or null for a bad percent-escape (`/%`, `/%E0%A4%A`). */
function decodePath(pathname: string): string | null {
  try {
    return decodeURIComponent(pathname);
  } catch {
    return null;
  }
}

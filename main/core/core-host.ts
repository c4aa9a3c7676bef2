import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createCore } from './compose';
import { defaultDataDir } from './paths';
import { startBrowserServer } from './browser-server';
import { checkPortMessage, refusalAnswer } from './port-message-limit';
import { repoRoot } from '../kernel/resources';

/**
 * The core host process. Under Electron it is a utility process: the shell sends one MessagePort
 * per window (`{ type: 'connect' }`). Run with `--browser` it serves browser mode instead.
 */
interface ParentPortLike {
  on(event: 'message', listener: (e: { data: unknown; ports: ElectronPort[] }) => void): void;
}
interface ElectronPort {
  on(event: 'message', listener: (e: { data: unknown }) => void): void;
  on(event: 'close', listener: () => void): void;
  postMessage(message: unknown): void;
  start(): void;
}

async function runUtilityProcess(parentPort: ParentPortLike): Promise<void> {
  const core = await createCore({ dataDir: defaultDataDir() });
  parentPort.on('message', (e) => {
    const data = e.data as { type?: string } | null;
    const [port] = e.ports;
    if (data?.type !== 'connect' || !port) return;
    const conn = core.rpc.connect((m) => port.postMessage(m));
    port.on('message', (ev) => {
      // The WebSocket's size limits, for a window's port too (docs/architecture.md, "Contract and RPC").
      const verdict = checkPortMessage(ev.data, conn.signedIn);
      if (!verdict.ok) {
        core.log.log('warn', 'rpc.port-message-refused', {
          reason: verdict.reason,
          bytes: verdict.bytes,
          limitBytes: verdict.limitBytes,
          signedIn: conn.signedIn,
        });
        const answer = refusalAnswer(ev.data, verdict);
        if (answer) port.postMessage(answer);
        return;
      }
      conn.receive(ev.data);
    });
    port.on('close', () => conn.close());
    port.start();
  });
  process.on('SIGTERM', () => {
    void core.close().then(() => process.exit(0));
  });
}

export async function runBrowserMode(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      browser: { type: 'boolean' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'renderer-dir': { type: 'string' },
      now: { type: 'string' },
    },
    strict: true,
  });
  const dataDir = values['data-dir'] ?? defaultDataDir();
  // One secret per launch: the browser's WebSocket and, in training mode, the simulators' `/__sim/*`.
  const token = launchToken() ?? randomBytes(24).toString('base64url');
  const core = await createCore({ dataDir, console: true, fixedNow: values.now, simulatorToken: token });
  const server = await startBrowserServer({
    rpc: core.rpc,
    rendererDir: values['renderer-dir'] ?? join(repoRoot(), 'out', 'renderer'),
    port: values.port ? Number(values.port) : 0,
    log: core.log,
    token,
  });
  // One machine-readable line first (tests and scripts read it), then the human one.
  process.stdout.write(
    `MOTCUA_READY ${JSON.stringify({ url: server.url, launchUrl: server.launchUrl, dataDir, trainingMode: core.trainingMode, pid: process.pid })}\n`,
  );
  process.stdout.write(
    `Một Cửa Desk (chế độ trình duyệt${core.trainingMode ? ', ĐÀO TẠO' : ''}): mở ${server.launchUrl}\n`,
  );
  const stop = async () => {
    await server.close();
    await core.close();
    process.exit(0);
  };
  process.on('SIGINT', () => {
    void stop();
  });
  process.on('SIGTERM', () => {
    void stop();
  });
}

/**
 * The launch token handed down by `bin/start.mjs`, which restarts a dead core with the same token so
 * open tabs reconnect; undefined (a fresh random one) when absent or too short to be a secret.
 */
function launchToken(): string | undefined {
  const given = process.env.MOTCUA_BROWSER_TOKEN;
  delete process.env.MOTCUA_BROWSER_TOKEN;
  return given !== undefined && /^[\w-]{24,}$/.test(given) ? given : undefined;
}

const parentPort = (process as unknown as { parentPort?: ParentPortLike }).parentPort;
if (parentPort) {
  void runUtilityProcess(parentPort);
} else if (process.argv.includes('--browser')) {
  runBrowserMode(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`Không khởi động được: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exit(1);
  });
}

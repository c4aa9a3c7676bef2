import { generateKeyPairSync } from 'node:crypto';
import WebSocket from 'ws';
import type { DeviceKind } from '../../main/centre/security/device';
import type { DeviceRegistry } from '../../main/centre/security/device-registry';
import { createCentreClient, type CentreClient } from '../../main/remotes/centre/centre.client';

/**
 * The centre's devices as the bench plays them. Pairing codes are made and redeemed through the
 * registry on the centre's database (what `centre enrol` and `POST /api/v1/enrol` / `POST /pair`
 * do), so thirty enrolments do not wait for the pairing paths' per-address limit; every call
 * afterwards goes over the wire: a desk is the desk's production client (mutual TLS, keep-alive,
 * its feed), a kiosk or display a `ws` socket on `/rpc` with its device cookie.
 */
export interface BenchDesk {
  deviceId: string;
  agencyId: string;
  counter: string;
  client: CentreClient;
}

export async function enrolDesk(
  registry: DeviceRegistry,
  p: { url: string; caPem: string; name: string; counter: string; agencyId: string },
): Promise<BenchDesk> {
  const made = await registry.createPairingCode({
    kind: 'desk',
    name: p.name,
    counter: p.counter,
    agencyId: p.agencyId,
    actor: 'it',
  });
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const redeemed = await registry.redeemDesk({
    code: made.code,
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  });
  const client = createCentreClient({
    url: p.url,
    caPem: p.caPem,
    certPem: redeemed.certificatePem,
    keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    timeoutMs: 30_000,
  });
  return { deviceId: redeemed.device.id, agencyId: p.agencyId, counter: p.counter, client };
}

interface RpcAnswer {
  ok: boolean;
  value?: unknown;
  error?: { code: string; message: string };
}

/** A kiosk or a display: the renderer's RPC over `wss /rpc`, as the browser page speaks it. */
export class BrowserDevice {
  private nextId = 1;
  private readonly pending = new Map<number, (r: RpcAnswer) => void>();
  private readonly listeners: ((event: string, payload: unknown) => void)[] = [];
  closed = false;

  private constructor(
    readonly kind: DeviceKind,
    private readonly ws: WebSocket,
  ) {
    ws.on('message', (raw: Buffer) => {
      const m = JSON.parse(raw.toString('utf8')) as {
        kind: string;
        id?: number;
        event?: string;
        payload?: unknown;
      } & RpcAnswer;
      if (m.kind === 'response' && m.id !== undefined) {
        const done = this.pending.get(m.id);
        this.pending.delete(m.id);
        done?.(m);
      } else if (m.kind === 'event' && m.event) {
        for (const l of this.listeners) l(m.event, m.payload);
      }
    });
    ws.on('close', () => {
      this.closed = true;
      for (const done of this.pending.values()) done({ ok: false, error: { code: 'CLOSED', message: 'closed' } });
      this.pending.clear();
    });
    ws.on('error', () => undefined);
  }

  static async enrol(
    registry: DeviceRegistry,
    p: { url: string; caPem: string; kind: 'kiosk' | 'display'; name: string },
  ): Promise<BrowserDevice> {
    const made = await registry.createPairingCode({ kind: p.kind, name: p.name, actor: 'it' });
    const { token } = await registry.redeemBrowser({ code: made.code });
    const origin = new URL(p.url).origin;
    const ws = new WebSocket(`${origin.replace('https:', 'wss:')}/rpc`, {
      ca: p.caPem,
      headers: { Origin: origin, Cookie: `motcua_device=${token}` },
      perMessageDeflate: false,
    });
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`${p.kind} /rpc refused: ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return new BrowserDevice(p.kind, ws);
  }

  on(listener: (event: string, payload: unknown) => void): void {
    this.listeners.push(listener);
  }

  call(method: string, params: unknown = {}): Promise<RpcAnswer> {
    if (this.closed) return Promise.resolve({ ok: false, error: { code: 'CLOSED', message: 'closed' } });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  close(): void {
    this.ws.terminate();
  }
}

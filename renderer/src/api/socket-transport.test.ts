// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { createSocketTransport, type SocketLike } from './socket-transport';

class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: { kind: string; id: number; method: string; params: unknown }[] = [];
  onopen: ((event: Event) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;

  constructor(readonly url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string): void {
    if (this.readyState !== 1) throw new Error('not open');
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  serverSends(message: unknown): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.(new CloseEvent('close'));
  }
}

function setup() {
  FakeSocket.instances = [];
  const scheduled: { fn: () => void; ms: number }[] = [];
  const states: string[] = [];
  const transport = createSocketTransport({
    url: 'ws://127.0.0.1:4000/rpc?token=t',
    WebSocketImpl: FakeSocket,
    onState: (s) => states.push(s),
    schedule: (fn, ms) => scheduled.push({ fn, ms }),
    random: () => 0.5,
  });
  return { transport, scheduled, states, socket: () => FakeSocket.instances[FakeSocket.instances.length - 1]! };
}

describe('socket transport (browser mode)', () => {
  it('wires RpcClient to the socket and resolves responses by id, in any order', async () => {
    const { transport, socket } = setup();
    expect(socket().url).toBe('ws://127.0.0.1:4000/rpc?token=t');
    const info = transport.api.app.info();
    const me = transport.api.auth.me();
    // Sent only once open: queued while connecting.
    expect(socket().sent).toHaveLength(0);
    socket().open();
    expect(socket().sent.map((m) => m.method)).toEqual(['app.info', 'auth.me']);
    const [first, second] = socket().sent as unknown as [{ id: number }, { id: number }];
    expect(first.id).not.toBe(second.id);
    socket().serverSends({ kind: 'response', id: second.id, ok: true, value: null });
    socket().serverSends({ kind: 'response', id: first.id, ok: false, error: { code: 'INTERNAL', message: 'x' } });
    await expect(me).resolves.toEqual({ ok: true, value: null });
    await expect(info).resolves.toEqual({ ok: false, error: { code: 'INTERNAL', message: 'x' } });
  });

  it('delivers pushed events to subscribers', () => {
    const { transport, socket } = setup();
    socket().open();
    const got: unknown[] = [];
    transport.api.on('dossier.changed', (p) => got.push(p));
    socket().serverSends({ kind: 'event', event: 'dossier.changed', payload: { code: 'A', status: 2 } });
    expect(got).toEqual([{ code: 'A', status: 2 }]);
  });

  it('fails calls in flight when the socket closes, then reconnects with back-off', async () => {
    const { transport, socket, scheduled, states } = setup();
    socket().open();
    const pending = transport.api.queue.state();
    socket().drop();
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'REMOTE_UNAVAILABLE' } });
    expect(states).toEqual(['open', 'reconnecting']);
    // While down, a call fails at once instead of hanging.
    await expect(transport.api.auth.me()).resolves.toMatchObject({ ok: false, error: { code: 'REMOTE_UNAVAILABLE' } });

    expect(scheduled).toHaveLength(1);
    scheduled[0]!.fn();
    socket().drop();
    expect(scheduled[1]!.ms).toBeGreaterThan(scheduled[0]!.ms);
    scheduled[1]!.fn();
    socket().open();
    expect(states[states.length - 1]).toBe('open');
    const again = transport.api.app.info();
    const sent = socket().sent[0]!;
    socket().serverSends({ kind: 'response', id: sent.id, ok: true, value: { version: '1' } });
    await expect(again).resolves.toEqual({ ok: true, value: { version: '1' } });
    expect(FakeSocket.instances).toHaveLength(3);
  });

  it('runs onOpen on every new socket before the calls that waited for it', () => {
    FakeSocket.instances = [];
    const scheduled: (() => void)[] = [];
    const transport = createSocketTransport({
      url: 'ws://127.0.0.1:4000/rpc?token=t',
      WebSocketImpl: FakeSocket,
      schedule: (fn) => scheduled.push(fn),
      onOpen: (invoke) => {
        void invoke('auth.resume', { secret: 's'.repeat(43) });
      },
    });
    const last = () => FakeSocket.instances[FakeSocket.instances.length - 1]!;
    void transport.api.auth.me();
    last().open();
    expect(last().sent.map((m) => m.method)).toEqual(['auth.resume', 'auth.me']);
    last().drop();
    scheduled[0]!();
    void transport.api.queue.state();
    last().open();
    expect(last().sent.map((m) => m.method)).toEqual(['auth.resume', 'queue.state']);
    transport.close();
  });

  it('stops for good on close()', async () => {
    const { transport, socket, scheduled } = setup();
    socket().open();
    const pending = transport.api.app.info();
    transport.close();
    await expect(pending).resolves.toMatchObject({ ok: false, error: { code: 'REMOTE_UNAVAILABLE' } });
    expect(scheduled).toHaveLength(0);
  });
});

import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RpcServerMessage } from '../../common/contract';
import { startTestCore } from './core-support';

/**
 * The core's events (main/core/event-hub.ts): a service publishes `dossier.changed` on the hub made
 * first in the composition root; the RPC server, subscribed since it was made, sends it to a
 * signed-in connection, and a test subscribed to the hub sees the same event.
 */
let t: Awaited<ReturnType<typeof startTestCore>>;

beforeEach(async () => {
  t = await startTestCore({ fixedNow: '2026-11-20T09:00' });
});
afterEach(async () => {
  await t.dispose();
});

describe('events from the services to the windows', () => {
  it("the intake service's dossier.changed reaches a signed-in RPC connection through the hub", async () => {
    const received: RpcServerMessage[] = [];
    const waiting = new Map<number, () => void>();
    const conn = t.core.rpc.connect((m) => {
      received.push(m);
      if (m.kind === 'response') waiting.get(m.id)?.();
    });
    const call = (id: number, method: string, params: unknown) =>
      new Promise<void>((resolve) => {
        waiting.set(id, resolve);
        conn.receive({ kind: 'request', id, method, params });
      });
    await call(1, 'auth.login', { username: 'canbo', password: 'daotao-canbo' });
    const onHub: { code: string; status: number }[] = [];
    t.core.events.on('dossier.changed', (p) => onHub.push(p));

    await t.session.login();
    const p = await t.session.ok('catalogue.get', { code: '1.004873' });
    const dossier = await t.session.ok('intake.receive', {
      requestId: randomUUID(),
      procedureCode: p.code,
      channel: 'walk-in',
      applicant: {
        kind: 'citizen',
        idNumber: '001203004567',
        fullName: 'Nguyễn Văn Dũng',
        oldIdNumber: null,
        birthDate: null,
        sex: null,
        address: null,
        idIssueDate: null,
        phone: null,
        email: null,
      },
      components: p.components.map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' })),
    });

    const expected = { code: dossier.code, status: dossier.status };
    expect(onHub).toEqual([expected]);
    const events = received.filter((m) => m.kind === 'event' && m.event === 'dossier.changed');
    expect(events).toEqual([{ kind: 'event', event: 'dossier.changed', payload: expected }]);
    conn.close();
  });
});

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startBrowserServer, type BrowserServer } from '../../main/core/browser-server';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';
import { UNKNOWN_ACCOUNT } from '../../main/admin/accounts.service';
import { startTestCore } from './core-support';

let t: Awaited<ReturnType<typeof startTestCore>>;
let server: BrowserServer;
let rendererDir: string;

beforeAll(async () => {
  t = await startTestCore();
  rendererDir = mkdtempSync(join(tmpdir(), 'motcua-renderer-'));
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>Một Cửa Desk</title>');
  mkdirSync(join(rendererDir, 'assets'));
  server = await startBrowserServer({ rpc: t.core.rpc, rendererDir, log: t.core.log });
});
afterAll(async () => {
  await server.close();
  await t.dispose();
  rmSync(rendererDir, { recursive: true, force: true });
});

/** A context of its own connection id, as a separate window would have. */
function context(connectionId: number): CallContext {
  let user: SessionUser | null = null;
  return {
    get user() {
      return user;
    },
    connectionId,
    setUser: (u) => {
      user = u;
    },
  };
}

function auditRows(): { actor: string; action: string; entityId: string | null; details: string }[] {
  return t.core.store.db
    .prepare('SELECT actor, action, entity_id AS entityId, details_json AS details FROM audit_log')
    .all() as { actor: string; action: string; entityId: string | null; details: string }[];
}

describe('limits before login', () => {
  it('refuses a 10 MB username as VALIDATION_FAILED and writes no audit row with it', async () => {
    const huge = 'u'.repeat(10 * 1024 * 1024);
    const before = auditRows().length;
    const r = await t.core.rpc.call('auth.login', { username: huge, password: 'x' }, context(101));
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error.code).toBe('VALIDATION_FAILED');
    expect(JSON.stringify(r.error.details)).toContain('"limit":64');
    const rows = auditRows();
    expect(rows.length).toBe(before);
    expect(rows.some((row) => row.actor.length > 100 || (row.entityId ?? '').length > 100)).toBe(false);
  });

  it('audits a failed sign-in of a name that is no account without the typed name', async () => {
    const typed = 'mat-khau-bi-go-nham-o-day';
    const r = await t.core.rpc.call('auth.login', { username: typed, password: 'sai' }, context(102));
    expect(r.ok ? null : r.error.code).toBe('LOGIN_FAILED');
    const rows = auditRows().filter((row) => row.action === 'auth.login-failed');
    expect(rows.at(-1)).toMatchObject({ actor: UNKNOWN_ACCOUNT, entityId: UNKNOWN_ACCOUNT });
    expect(JSON.stringify(auditRows())).not.toContain(typed);
  });

  it('audits a failed sign-in of an existing account under its name', async () => {
    const r = await t.core.rpc.call('auth.login', { username: 'lanhdao', password: 'sai' }, context(103));
    expect(r.ok ? null : r.error.code).toBe('LOGIN_FAILED');
    expect(
      auditRows()
        .filter((row) => row.action === 'auth.login-failed')
        .at(-1),
    ).toMatchObject({ actor: 'lanhdao', entityId: 'lanhdao' });
  });

  it('keeps answering other calls while 50 wrong sign-ins are checked', async () => {
    const officer = context(200);
    expect((await t.core.rpc.call('auth.login', { username: 'canbo', password: 'daotao-canbo' }, officer)).ok).toBe(
      true,
    );
    const order: string[] = [];
    const logins = Array.from({ length: 50 }, (_, i) =>
      t.core.rpc.call('auth.login', { username: `khach${i}`, password: 'sai' }, context(300 + i)).then((r) => {
        order.push('login');
        return r;
      }),
    );
    // Asked from a timer, as a window's message arrives: it runs only when the event loop is free.
    const state = new Promise((resolve) => setTimeout(resolve, 0))
      .then(() => t.core.rpc.call('queue.state', {}, officer))
      .then((r) => {
        order.push('queue.state');
        return r;
      });
    const [stateResult, ...loginResults] = await Promise.all([state, ...logins]);
    expect(stateResult.ok).toBe(true);
    expect(loginResults.every((r) => !r.ok && r.error.code === 'LOGIN_FAILED')).toBe(true);
    // scrypt runs on the thread pool: queue.state answers before most of the sign-ins finish
    // (with scrypt on the event loop it came after all 50).
    expect(order.indexOf('queue.state')).toBeLessThan(10);
  });

  it('refuses names with a right-to-left override, NUL or zero-width space in applicant.save', async () => {
    const officer = context(400);
    await t.core.rpc.call('auth.login', { username: 'canbo', password: 'daotao-canbo' }, officer);
    const base = {
      kind: 'citizen',
      idNumber: '001090012345',
      oldIdNumber: null,
      birthDate: '1990-01-02',
      sex: 'Nam',
      address: 'Số 1 phố Huế, Hà Nội',
      idIssueDate: null,
      phone: null,
      email: null,
    };
    for (const [fullName, problem] of [
      ['Trần \u202eAnh', 'BIDI_CONTROL'],
      ['Trần\u0000Anh', 'CONTROL_CHARACTER'],
      ['Tr\u200bần Anh', 'ZERO_WIDTH'],
    ] as const) {
      const r = await t.core.rpc.call('applicant.save', { ...base, fullName }, officer);
      expect(r.ok).toBe(false);
      if (r.ok) continue;
      expect(r.error.code).toBe('VALIDATION_FAILED');
      expect(r.error.details).toMatchObject({ issues: [{ path: 'fullName', code: 'custom', problem }] });
    }
    const bidiAddress = await t.core.rpc.call(
      'applicant.save',
      { ...base, fullName: 'Trần Anh', address: 'Số 1 \u2067phố Huế' },
      officer,
    );
    expect(bidiAddress.ok ? null : bidiAddress.error.details).toMatchObject({
      issues: [{ path: 'address', problem: 'BIDI_CONTROL' }],
    });
    const tooLong = await t.core.rpc.call(
      'applicant.save',
      { ...base, fullName: 'A'.repeat(10 * 1024 * 1024) },
      officer,
    );
    expect(tooLong.ok ? null : tooLong.error.details).toMatchObject({
      issues: [{ path: 'fullName', code: 'too_big', limit: 200 }],
    });
    const saved = await t.core.rpc.call('applicant.save', { ...base, fullName: 'Tra\u0302\u0300n Anh' }, officer);
    expect(saved.ok ? saved.value.fullName : saved.error).toBe('Trần Anh');
  });

  it('closes a browser socket that sends a 2 MiB message, and still serves a normal one', async () => {
    const origin = server.url;
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/rpc?token=${encodeURIComponent(server.token)}`, {
      origin,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const closed = new Promise<number>((resolve) => ws.once('close', (code) => resolve(code)));
    ws.on('error', () => undefined);
    ws.send(
      JSON.stringify({
        kind: 'request',
        id: 1,
        method: 'auth.login',
        params: { username: 'x'.repeat(2 * 1024 * 1024), password: 'y' },
      }),
    );
    expect(await closed).toBe(1009);

    const ok = new WebSocket(`${server.url.replace('http', 'ws')}/rpc?token=${encodeURIComponent(server.token)}`, {
      origin,
    });
    await new Promise((resolve, reject) => {
      ok.once('open', resolve);
      ok.once('error', reject);
    });
    const answer = new Promise<{ ok: boolean }>((resolve) =>
      ok.once('message', (data) => resolve(JSON.parse(data.toString()) as { ok: boolean })),
    );
    ok.send(JSON.stringify({ kind: 'request', id: 2, method: 'app.info', params: {} }));
    expect((await answer).ok).toBe(true);
    ok.close();
  });

  it('lets a signed-in tab send a 2 MiB message (imports travel in one message) and answers it', async () => {
    const ws = new WebSocket(`${server.url.replace('http', 'ws')}/rpc?token=${encodeURIComponent(server.token)}`, {
      origin: server.url,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const answers = new Map<number, { ok: boolean; error?: { code: string } }>();
    const waiters = new Map<number, () => void>();
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { id?: number; ok: boolean; error?: { code: string } };
      if (typeof m.id === 'number') {
        answers.set(m.id, m);
        waiters.get(m.id)?.();
      }
    });
    const request = (id: number, method: string, params: unknown) =>
      new Promise<{ ok: boolean; error?: { code: string } }>((resolve) => {
        waiters.set(id, () => resolve(answers.get(id)!));
        ws.send(JSON.stringify({ kind: 'request', id, method, params }));
      });
    expect((await request(1, 'auth.login', { username: 'canbo', password: 'daotao-canbo' })).ok).toBe(true);
    // Over the pre-sign-in limit: refused by the schema (a 2 MiB name), not by closing the socket.
    const big = await request(2, 'applicant.search', { query: 'x'.repeat(2 * 1024 * 1024) });
    expect(big.ok).toBe(false);
    expect(big.error?.code).toBe('VALIDATION_FAILED');
    expect(ws.readyState).toBe(WebSocket.OPEN);
    ws.close();
  });
});

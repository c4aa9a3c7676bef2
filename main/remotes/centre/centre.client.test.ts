import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract/errors';
import { fixedClock } from '../../kernel/clock';
import { silentLogger } from '../../kernel/logger';
import { RemoteError } from '../remote-error';
import { createCentreClient, type CentreClient } from './centre.client';
import { startHostileCentre, deskIdentityUnder, type DeskIdentity, type HostileCentre } from './testing/hostile-centre';
import { TIME_HEADER } from './wire-centre';

/**
 * The desk's centre client against a server that answers badly on purpose (testing/hostile-centre.ts):
 * every failure must come out as a RemoteError or the centre's own AppError, never a crash or a
 * half-parsed answer.
 */
const HELLO = {
  centre: { centreId: 'c-1', agencyId: '000.00.12.H56', agencyName: 'UBND xã Thử', version: '1.0.0' },
  time: 1_796_000_000_000,
  device: { id: 'd-1', kind: 'desk', name: 'Quầy 1', agencyId: '000.00.12.H56', counter: 'Q01', deskSlot: 0 },
};

let hostile: HostileCentre;
let desk: DeskIdentity;
let client: CentreClient;

beforeAll(async () => {
  hostile = await startHostileCentre();
  desk = await deskIdentityUnder(hostile.ca);
});
afterAll(async () => {
  await hostile.close();
});
afterEach(() => client?.close());

function connect(extra: { timeoutMs?: number; url?: string; caPem?: string } = {}): CentreClient {
  client = createCentreClient({
    url: extra.url ?? hostile.url,
    ...desk,
    ...(extra.caPem ? { caPem: extra.caPem } : {}),
    timeoutMs: extra.timeoutMs ?? 3_000,
    clock: fixedClock('2026-12-08T09:00'),
    log: silentLogger,
  });
  return client;
}

async function failure(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AppError);
    return err as AppError;
  }
  throw new Error('expected a failure');
}

function remote(err: AppError): RemoteError {
  expect(err).toBeInstanceOf(RemoteError);
  expect((err as RemoteError).remote).toBe('centre');
  return err as RemoteError;
}

describe('a good answer', () => {
  it('sends the desk clock and its certificate, and returns the parsed hello', async () => {
    hostile.answer('/api/v1/hello', { status: 200, body: JSON.stringify(HELLO) });
    const before = hostile.requests.length;
    const hello = await connect().hello();
    expect(hello.device.counter).toBe('Q01');
    expect(hello.time).toBe(HELLO.time);
    const req = hostile.requests[before]!;
    expect(req.method).toBe('POST');
    expect(req.headers[TIME_HEADER]).toBe(String(fixedClock('2026-12-08T09:00').now()));
    expect(req.clientCertificate).toBe(true);
    expect(JSON.parse(req.body)).toEqual({});
  });

  it('queue operations send their params and accept a null answer where the wire allows it', async () => {
    hostile.answer('/api/v1/queue/toRate', { status: 200, body: 'null' });
    hostile.answer('/api/v1/queue/finishForDossier', { status: 200, body: '{"ok":true}' });
    const c = connect();
    expect(await c.queue('toRate', {})).toBeNull();
    expect(await c.queue('finishForDossier', { ticketId: 7, dossierCode: 'X', actor: 'lan' })).toEqual({ ok: true });
    expect(JSON.parse(hostile.requests.at(-1)!.body)).toEqual({ ticketId: 7, dossierCode: 'X', actor: 'lan' });
  });
});

describe('answers the client must survive', () => {
  it('an HTML 502 page from a proxy: REMOTE_UNAVAILABLE, retryable', async () => {
    hostile.answer('/api/v1/hello', {
      status: 502,
      body: '<html><body>Bad Gateway</body></html>',
      headers: { 'content-type': 'text/html' },
    });
    const e = remote(await failure(connect().hello()));
    expect(e.code).toBe('REMOTE_UNAVAILABLE');
    expect(e.retryable).toBe(true);
    expect(e.status).toBe(502);
  });

  it('an empty 200 body: REMOTE_BAD_RESPONSE', async () => {
    hostile.answer('/api/v1/hello', { status: 200, body: '' });
    const e = remote(await failure(connect().hello()));
    expect(e.code).toBe('REMOTE_BAD_RESPONSE');
    expect(e.retryable).toBe(true);
  });

  it('HTML with status 200: REMOTE_BAD_RESPONSE', async () => {
    hostile.answer('/api/v1/hello', { status: 200, body: '<!doctype html><p>Đăng nhập wifi</p>' });
    expect(remote(await failure(connect().hello())).code).toBe('REMOTE_BAD_RESPONSE');
  });

  it('JSON of the wrong shape, a list instead of an object, null fields: REMOTE_BAD_RESPONSE', async () => {
    const c = connect();
    for (const body of [
      JSON.stringify({ hello: 'world' }),
      JSON.stringify([HELLO]),
      JSON.stringify({ ...HELLO, time: null }),
      JSON.stringify({ ...HELLO, device: null }),
      JSON.stringify({ ...HELLO, device: { ...HELLO.device, deskSlot: 42 } }),
      'null',
    ]) {
      hostile.answer('/api/v1/hello', { status: 200, body });
      const e = remote(await failure(c.hello()));
      expect(e.code, body).toBe('REMOTE_BAD_RESPONSE');
    }
  });

  it('a 409 with a garbage body: REMOTE_REJECTED, not retried', async () => {
    hostile.answer('/api/v1/queue/callNext', { status: 409, body: 'conflict!!<<' });
    const e = remote(await failure(connect().queue('callNext', { actor: 'lan' })));
    expect(e.code).toBe('REMOTE_REJECTED');
    expect(e.retryable).toBe(false);
    expect(e.status).toBe(409);
  });

  it("a refusal with one of our codes becomes that AppError with the centre's message", async () => {
    const c = connect();
    for (const [status, code] of [
      [409, 'CENTRE_CLOCK_SKEW'],
      [403, 'CENTRE_DEVICE_REVOKED'],
      [401, 'CENTRE_NOT_ENROLLED'],
      [409, 'QUEUE_EMPTY'],
      [409, 'TICKET_STATE_INVALID'],
      [400, 'VALIDATION_FAILED'],
      [409, 'DOSSIER_CODE_EXHAUSTED'],
    ] as const) {
      hostile.answer('/api/v1/queue/callNext', {
        status,
        body: JSON.stringify({ error: { code, message: `Thông báo ${code}` } }),
      });
      const e = await failure(c.queue('callNext', { actor: 'lan' }));
      expect(e).not.toBeInstanceOf(RemoteError);
      expect(e.code).toBe(code);
      expect(e.message).toBe(`Thông báo ${code}`);
    }
  });

  it('a refusal with a code that is not ours (or a remote one) is REMOTE_REJECTED', async () => {
    const c = connect();
    for (const code of ['SOMETHING_ELSE', 'REMOTE_UNAVAILABLE', 'INTERNAL']) {
      hostile.answer('/api/v1/hello', { status: 409, body: JSON.stringify({ error: { code, message: 'không' } }) });
      const e = remote(await failure(c.hello()));
      expect(e.code).toBe('REMOTE_REJECTED');
      expect(e.retryable).toBe(false);
    }
  });

  it('a 500 with our JSON error body is still REMOTE_UNAVAILABLE (retry later)', async () => {
    hostile.answer('/api/v1/hello', {
      status: 500,
      body: JSON.stringify({ error: { code: 'INTERNAL', message: 'x' } }),
    });
    expect(remote(await failure(connect().hello())).code).toBe('REMOTE_UNAVAILABLE');
  });

  it('no answer in time: REMOTE_TIMEOUT', async () => {
    hostile.answer('/api/v1/hello', { hang: true });
    const e = remote(await failure(connect({ timeoutMs: 300 }).hello()));
    expect(e.code).toBe('REMOTE_TIMEOUT');
    expect(e.retryable).toBe(true);
  });

  it('the connection reset in the middle of the answer: REMOTE_UNAVAILABLE', async () => {
    hostile.answer('/api/v1/hello', { reset: 'mid-answer' });
    const e = remote(await failure(connect().hello()));
    expect(e.code).toBe('REMOTE_UNAVAILABLE');
  });

  it('nothing listening: REMOTE_UNAVAILABLE', async () => {
    const e = remote(await failure(connect({ url: 'https://127.0.0.1:1' }).hello()));
    expect(e.code).toBe('REMOTE_UNAVAILABLE');
  });

  it('replicate: a result count that does not match the entries is REMOTE_BAD_RESPONSE', async () => {
    hostile.answer('/api/v1/replicate', { status: 200, body: JSON.stringify({ results: [] }) });
    const entry = {
      key: 'd-1:1',
      kind: 'dossier.rated' as const,
      at: 1_796_000_000_000,
      payload: { code: 'X', rating: 3 as const, at: '2026-12-08T09:00' },
    };
    expect(remote(await failure(connect().replicate([entry]))).code).toBe('REMOTE_BAD_RESPONSE');
  });

  it('lease: a block for another day or agency is REMOTE_BAD_RESPONSE', async () => {
    hostile.answer('/api/v1/numbers/lease', {
      status: 200,
      body: JSON.stringify({ agencyId: '000.00.12.H56', date: '2026-12-09', from: 1, to: 20 }),
    });
    const e = remote(await failure(connect().leaseNumbers({ agencyId: '000.00.12.H56', date: '2026-12-08' })));
    expect(e.code).toBe('REMOTE_BAD_RESPONSE');
  });
});

describe('the server must prove to be the centre', () => {
  it('a server whose certificate comes from another CA is refused at TLS (REMOTE_AUTH_FAILED), nothing sent', async () => {
    const other = await startHostileCentre();
    try {
      other.answer('/api/v1/hello', { status: 200, body: JSON.stringify(HELLO) });
      const e = remote(await failure(connect({ url: other.url }).hello()));
      expect(e.code).toBe('REMOTE_AUTH_FAILED');
      expect(e.retryable).toBe(false);
      expect(other.requests).toHaveLength(0);
    } finally {
      await other.close();
    }
  });

  it("the centre's CA but a certificate for another address (SAN) is refused", async () => {
    const elsewhere = await startHostileCentre({ hosts: ['10.9.9.9'] });
    try {
      const identity = await deskIdentityUnder(elsewhere.ca);
      client = createCentreClient({ url: elsewhere.url, ...identity, timeoutMs: 3_000 });
      const e = remote(await failure(client.hello()));
      expect(e.code).toBe('REMOTE_AUTH_FAILED');
      expect(elsewhere.requests).toHaveLength(0);
    } finally {
      await elsewhere.close();
    }
  });

  it('refuses a URL that is not https', () => {
    expect(() => createCentreClient({ url: 'http://127.0.0.1:8443', ...desk })).toThrow(/https:\/\//);
  });
});

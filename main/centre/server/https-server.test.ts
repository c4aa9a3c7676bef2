import { generateKeyPairSync } from 'node:crypto';
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../database/testing/test-postgres';
import { createCentreCa, issueClientCertificate } from '../security/ca';
import { TestDeskClient } from '../testing/desk-client';
import { startTestCentre, type TestCentre } from '../testing/test-centre';
import { createAttemptLimiter } from './rate-limit';

let pg: TestPostgres;
let centre: TestCentre;

beforeAll(async () => {
  pg = await startTestPostgres();
  centre = await startTestCentre(pg);
}, 120_000);

afterAll(async () => {
  await centre?.stop();
  await pg?.stop();
});

interface ErrorBody {
  error: { code: string; message: string };
}

function host(): { host: string; port: number } {
  const u = new URL(centre.url);
  return { host: u.hostname, port: Number(u.port) };
}

async function stillServes(): Promise<void> {
  const r = await centre.anonymous().post<ErrorBody>('hello');
  expect(r.status).toBe(401);
}

describe('identification', () => {
  it('a client without a certificate is 401 CENTRE_NOT_ENROLLED, with the security headers', async () => {
    const r = await centre.anonymous().post<ErrorBody>('hello');
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('CENTRE_NOT_ENROLLED');
    expect(r.headers['x-content-type-options']).toBe('nosniff');
    expect(r.headers['strict-transport-security']).toMatch(/max-age=/);
    expect(r.headers['x-frame-options']).toBe('DENY');
    const feed = centre.anonymous().openFeed();
    await expect(feed).rejects.toThrow(/401/);
  });

  it('a certificate from another CA is 401 even with a real device id in it', async () => {
    const { deviceId } = await centre.enrolDesk({ name: 'Quầy thật', counter: 'Q01' });
    const otherCa = await createCentreCa({ commonName: 'CA giả' });
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const certPem = await issueClientCertificate(otherCa, {
      publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
      deviceId,
      kind: 'desk',
      name: 'Quầy thật',
    });
    const forged = new TestDeskClient({
      url: centre.url,
      caPem: centre.tls.caPem,
      certPem,
      keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    });
    const r = await forged.post<ErrorBody>('queue/state', {});
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('CENTRE_NOT_ENROLLED');
  });

  it('a revoked desk is 403 and its open feed is closed at once', async () => {
    const { client, deviceId } = await centre.enrolDesk({ name: 'Quầy bị thu hồi', counter: 'Q02' });
    const feed = await client.openFeed();
    expect((await client.post('hello')).status).toBe(200);
    await centre.registry.revoke(deviceId, 'it');
    const revoked = await feed.next((m) => m.event === 'device.revoked');
    expect(revoked.event).toBe('device.revoked');
    const closed = await feed.closed;
    expect(closed.code).toBe(4403);
    const r = await client.post<ErrorBody>('hello');
    expect(r.status).toBe(403);
    expect(r.body.error.code).toBe('CENTRE_DEVICE_REVOKED');
    await expect(client.openFeed()).rejects.toThrow(/403/);
  });

  it('a browser device (cookie) may not call the desk API; a revoked one is 403', async () => {
    const code = await centre.pairingCode({ kind: 'kiosk', name: 'Kiosk sảnh' });
    const { device, token } = await centre.registry.redeemBrowser({ code });
    const anon = centre.anonymous();
    const cookie = { cookie: `motcua_device=${token}` };
    const api = await anon.request<ErrorBody>('POST', '/api/v1/hello', '{}', {
      ...cookie,
      'content-type': 'application/json',
    });
    expect(api.status).toBe(403);
    expect(api.body.error.code).toBe('FORBIDDEN');
    // No renderer built in the test centre: the page is 404 for the device, 401 for a stranger.
    expect((await anon.request('GET', '/', null, cookie)).status).toBe(404);
    expect((await anon.request<ErrorBody>('GET', '/', null)).status).toBe(401);
    const traversal = await anon.request('GET', '/..%2f..%2fetc%2fpasswd', null, cookie);
    expect(traversal.status).toBe(404);
    await centre.registry.revoke(device.id, 'it');
    const after = await anon.request<ErrorBody>('GET', '/', null, cookie);
    expect(after.status).toBe(403);
    expect(after.body.error.code).toBe('CENTRE_DEVICE_REVOKED');
    const garbageCookie = await anon.request<ErrorBody>('GET', '/', null, {
      cookie: `motcua_device=${'x'.repeat(5000)}`,
    });
    expect(garbageCookie.status).toBe(401);
  });

  it('the pairing page is open to anyone', async () => {
    const r = await centre.anonymous().request<string>('GET', '/pair', null);
    expect(r.status).toBe(200);
    expect(String(r.headers['content-type'])).toMatch(/text\/html/);
  });
});

describe('feed', () => {
  it("delivers a call made by another desk, and the desk's own counter state", async () => {
    const a = await centre.enrolDesk({ name: 'Quầy A', counter: 'Q01' });
    const b = await centre.enrolDesk({ name: 'Quầy B', counter: 'Q02' });
    const feed = await a.client.openFeed();
    const taken = await centre.queue.take({ service: 'CHUNG-THUC', priority: false, kiosk: null, actor: 'test' });
    const called = await b.client.post<{ id: number }>('queue/callNext', { actor: 'minh' });
    expect(called.status).toBe(200);
    expect(called.body.id).toBe(taken.ticket.id);
    const m = await feed.next((x) => x.event === 'queue.called');
    expect(m.data).toMatchObject({ ticketId: taken.ticket.id, counter: 'Q02' });
    const changed = await feed.next((x) => x.event === 'queue.changed');
    expect((changed.data as { counter: string }).counter).toBe('Q01');
    feed.close();
  });
});

describe('bad requests never crash the centre', () => {
  let desk: TestDeskClient;
  beforeAll(async () => {
    ({ client: desk } = await centre.enrolDesk({ name: 'Quầy thử lỗi', counter: 'Q03' }));
  });

  it('answers garbage, oversized, wrong-method and unknown requests with JSON refusals', async () => {
    const notJson = await desk.post<ErrorBody>('queue/state', undefined, { raw: '{"unterminated' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.error.code).toBe('VALIDATION_FAILED');
    const binary = await desk.post<ErrorBody>('queue/state', undefined, { raw: Buffer.from([0xff, 0xfe, 0x00, 0x81]) });
    expect(binary.status).toBe(400);
    const huge = await desk.post<ErrorBody>('replicate', undefined, {
      raw: `{"entries":["${'x'.repeat(2 * 1024 * 1024)}"]}`,
    });
    expect(huge.status).toBe(413);
    const wrongType = await desk.post<ErrorBody>('hello', {}, { headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    const get = await desk.post<ErrorBody>('hello', undefined, { method: 'GET', raw: '' });
    expect(get.status).toBe(405);
    const enrolGet = await centre.anonymous().request<ErrorBody>('GET', '/api/v1/enrol', null);
    expect(enrolGet.status).toBe(405);
    const unknown = await desk.request<ErrorBody>('GET', '/somewhere', null);
    expect(unknown.status).toBe(404);
    const badUrl = await desk.request<ErrorBody>('POST', '/api/v1/%E0%A4%A', '{}', {
      'content-type': 'application/json',
      'x-motcua-time': String(Date.now()),
    });
    expect(badUrl.status).toBe(404);
    expect((await desk.post('hello')).status).toBe(200);
  });

  it('half requests, silent sockets and junk handshakes leave it serving', async () => {
    const { host: h, port } = host();
    const open: (Socket | TLSSocket)[] = [];
    for (let i = 0; i < 5; i++) {
      const s = tlsConnect({ host: h, port, ca: centre.tls.caPem });
      s.on('error', () => undefined);
      await new Promise<void>((resolve) => s.once('secureConnect', () => resolve()));
      s.write('POST /api/v1/hello HTTP/1.1\r\nHost: centre\r\nContent-Length: 1000\r\n\r\n{"a":');
      open.push(s);
      const silent = netConnect({ host: h, port });
      silent.on('error', () => undefined);
      open.push(silent);
      const junk = netConnect({ host: h, port });
      junk.on('error', () => undefined);
      junk.write(Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 6, 7, 8]));
      open.push(junk);
    }
    await stillServes();
    expect((await desk.post('hello')).status).toBe(200);
    for (const s of open) s.destroy();
  });

  it('plain HTTP on the TLS port gets a plain-text refusal, not a reset', async () => {
    const { host: h, port } = host();
    const answer = await new Promise<string>((resolve, reject) => {
      const s = netConnect({ host: h, port }, () => s.write('GET / HTTP/1.1\r\nHost: centre\r\n\r\n'));
      let text = '';
      s.on('data', (c: Buffer) => (text += c.toString('utf8')));
      s.on('end', () => resolve(text));
      s.on('error', reject);
    });
    expect(answer).toMatch(/^HTTP\/1\.1 400 /);
    expect(answer).toMatch(/HTTPS/);
    await stillServes();
  });

  it('refuses WebSocket upgrades on unknown paths and /rpc from a desk', async () => {
    const { host: h, port } = host();
    const status = (path: string, withCert: boolean) =>
      new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`wss://${h}:${port}${path}`, {
          ca: centre.tls.caPem,
          ...(withCert ? { cert: desk.opts.certPem, key: desk.opts.keyPem } : {}),
        });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => {
          ws.close();
          resolve(101);
        });
        ws.on('error', reject);
      });
    expect(await status('/nowhere', true)).toBe(404);
    expect(await status('/rpc', true)).toBe(403);
    expect(await status('/rpc', false)).toBe(401);
    await stillServes();
  });
});

describe('pairing attempts', () => {
  it('are limited per address: the sixth wrong code in a minute is 429', async () => {
    const strict = await startTestCentre(pg, { limiter: createAttemptLimiter({ maxFailures: 5 }) });
    try {
      const anon = strict.anonymous();
      const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
      for (let i = 0; i < 5; i++) {
        const r = await anon.post<ErrorBody>('enrol', { code: 'AAAA-BBBB-CCCC-DDDD', publicKeyPem });
        expect(r.status).toBe(409);
        expect(r.body.error.code).toBe('CENTRE_PAIRING_INVALID');
      }
      const code = await strict.pairingCode({ kind: 'desk', name: 'Quầy đúng mã', counter: 'Q01' });
      const limited = await anon.post<ErrorBody>('enrol', { code, publicKeyPem });
      expect(limited.status).toBe(429);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      const pair = await anon.request('POST', '/pair', 'code=AAAA-BBBB', {
        'content-type': 'application/x-www-form-urlencoded',
      });
      expect(pair.status).toBe(429);
      expect((await strict.registry.list()).length).toBe(0);
    } finally {
      await strict.stop();
    }
  });
});

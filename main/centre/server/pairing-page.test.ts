import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../../common/contract';
import { fixedClock } from '../../kernel/clock';
import { startTestPostgres } from '../database/testing/test-postgres';
import { createCentreCa } from '../security/ca';
import { DeviceRegistry } from '../security/device-registry';
import type { Logger, LogLevel } from '../../kernel/logger';
import type { AuthenticatedDevice, DeviceKind } from '../security/device';
import { httpsRequest, startTestTlsServer, type TestTlsServer } from './testing/device-tls-server';
import { createPairingHandler, MAX_PAIRING_BODY_BYTES, type PairingRegistry } from './pairing-page';

/** Codes as a registry holds them: one use each. */
class CodeBook implements PairingRegistry {
  readonly codes = new Map<string, DeviceKind>();
  redeemed = 0;
  calls = 0;
  async redeemBrowser(p: { code: string }): Promise<{ device: AuthenticatedDevice; token: string }> {
    this.calls += 1;
    const kind = this.codes.get(p.code.toUpperCase());
    if (kind === undefined) throw new AppError('CENTRE_PAIRING_INVALID', 'Mã ghép nối không hợp lệ.');
    this.codes.delete(p.code.toUpperCase());
    this.redeemed += 1;
    const device: AuthenticatedDevice = {
      id: `dev-${this.redeemed}`,
      kind,
      name: 'Thiết bị',
      agencyId: 'A',
      counter: kind === 'rating' ? 'Q01' : null,
      deskSlot: null,
      printer: null,
    };
    return { device, token: `tok${this.redeemed}xyz` };
  }
}

const lines: { level: LogLevel; event: string; fields: unknown }[] = [];
const log: Logger = {
  log: (level, event, fields) => void lines.push({ level, event, fields }),
  child: () => log,
};

let server: TestTlsServer;
const book = new CodeBook();

beforeAll(async () => {
  const handle = createPairingHandler({ registry: book, log, secureCookie: true });
  server = await startTestTlsServer({ request: (req, res) => void handle(req, res) });
});
afterAll(() => server.close());
beforeEach(() => {
  lines.length = 0;
  book.codes.clear();
  book.calls = 0;
});

function post(body: string, type = 'application/x-www-form-urlencoded') {
  return httpsRequest(server, { method: 'POST', path: '/pair', headers: { 'Content-Type': type }, body });
}

describe('the pairing page', () => {
  it('GET shows a Vietnamese form that posts to /pair, with no script and a CSP forbidding any', async () => {
    const res = await httpsRequest(server, { method: 'GET', path: '/pair' });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.body).toContain('Mã ghép nối');
    expect(res.body).toMatch(/<form method="post" action="\/pair"/);
    expect(res.body).toContain('name="code"');
    expect(res.body.toLowerCase()).not.toContain('<script');
    expect(res.body.toLowerCase()).not.toMatch(/\son[a-z]+=/);
    const csp = String(res.headers['content-security-policy']);
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('script-src');
    expect(csp).toContain("form-action 'self'");
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it.each([
    ['kiosk', '/#/kiosk'],
    ['display', '/#/display'],
    ['rating', '/#/rate'],
  ] as const)('a good %s code sets the device cookie and sends the browser to its screen', async (kind, home) => {
    book.codes.set('ABCD-EFGH', kind);
    const res = await post('code=abcd-efgh');
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(home);
    const cookie = res.headers['set-cookie'];
    expect(cookie).toHaveLength(1);
    const parts = cookie![0]!.split('; ');
    expect(parts[0]).toMatch(/^motcua_device=tok\d+xyz$/);
    expect(parts).toEqual(
      expect.arrayContaining(['HttpOnly', 'Secure', 'SameSite=Strict', 'Path=/', 'Max-Age=34560000']),
    );
    // The code is used up: the same code again is refused.
    const again = await post('code=abcd-efgh');
    expect(again.status).toBe(400);
    expect(again.headers['set-cookie']).toBeUndefined();
  });

  it('a wrong code: 400, the page again with the Vietnamese error, no cookie, the code neither echoed nor logged', async () => {
    book.codes.set('ABCD-EFGH', 'kiosk');
    const res = await post('code=ZZZZ-QQQQ');
    expect(res.status).toBe(400);
    expect(res.headers['set-cookie']).toBeUndefined();
    expect(res.body).toContain('Mã ghép nối không đúng, đã dùng hoặc đã hết hạn');
    expect(res.body).toContain('<form');
    expect(res.body).not.toContain('ZZZZ');
    expect(JSON.stringify(lines)).not.toMatch(/ZZZZ|QQQQ/i);
    expect(lines.some((l) => l.event === 'centre.pair-refused')).toBe(true);
    expect(book.codes.has('ABCD-EFGH')).toBe(true);
  });

  it('a good code is not logged either', async () => {
    book.codes.set('WXYZ-2345', 'display');
    const res = await post('code=WXYZ-2345');
    expect(res.status).toBe(303);
    expect(JSON.stringify(lines)).not.toMatch(/WXYZ|2345|tok\dxyz/);
  });

  it('a blank or missing code asks for one without calling the registry', async () => {
    for (const body of ['code=', 'code=%20%20', 'other=1', '']) {
      const res = await post(body);
      expect(res.status).toBe(400);
      expect(res.body).toContain('Hãy nhập mã ghép nối');
    }
    expect(book.calls).toBe(0);
  });

  it('an oversized body is refused (413) unread, whether declared or streamed', async () => {
    book.codes.set('ABCD-EFGH', 'kiosk');
    const big = `code=ABCD-EFGH&pad=${'x'.repeat(MAX_PAIRING_BODY_BYTES * 4)}`;
    const declared = await post(big);
    expect(declared.status).toBe(413);
    expect(declared.headers['set-cookie']).toBeUndefined();
    const streamed = await httpsRequest(server, {
      method: 'POST',
      path: '/pair',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Transfer-Encoding': 'chunked' },
      body: big,
    });
    expect(streamed.status).toBe(413);
    expect(book.codes.has('ABCD-EFGH')).toBe(true);
  });

  it('a body that is not a form (JSON, no type) is refused with 415', async () => {
    book.codes.set('ABCD-EFGH', 'kiosk');
    expect((await post('{"code":"ABCD-EFGH"}', 'application/json')).status).toBe(415);
    const untyped = await httpsRequest(server, { method: 'POST', path: '/pair', body: 'code=ABCD-EFGH' });
    expect(untyped.status).toBe(415);
    expect(book.codes.has('ABCD-EFGH')).toBe(true);
  });

  it('other methods get 405 with Allow', async () => {
    const res = await httpsRequest(server, { method: 'PUT', path: '/pair', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.allow).toBe('GET, HEAD, POST');
  });

  it("a desk's code is not redeemed into a browser cookie", async () => {
    book.codes.set('DESK-CODE', 'desk');
    const res = await post('code=DESK-CODE');
    expect(res.status).toBe(400);
    expect(res.headers['set-cookie']).toBeUndefined();
  });

  it('a registry fault is a 500 page, not a crash; the next request is served', async () => {
    const failing = createPairingHandler({
      registry: {
        redeemBrowser: () => Promise.reject(new Error('connection terminated')),
      },
      log,
      secureCookie: false,
    });
    const other = await startTestTlsServer({ request: (req, res) => void failing(req, res) });
    try {
      const res = await httpsRequest(other, {
        method: 'POST',
        path: '/pair',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: 'code=ABCD-EFGH',
      });
      expect(res.status).toBe(500);
      expect(res.body).toContain('Trung tâm đang gặp lỗi');
      expect(res.body).not.toContain('connection terminated');
      expect((await httpsRequest(other, { method: 'GET', path: '/pair' })).status).toBe(200);
    } finally {
      await other.close();
    }
  });
});

describe('the pairing page with the real device registry (PostgreSQL)', () => {
  it('a code IT made pairs once; the cookie authenticates the device; used, expired and desk codes get 400', async () => {
    const [pg, ca] = await Promise.all([
      startTestPostgres(),
      createCentreCa({ commonName: 'CA', organization: 'UBND xã' }),
    ]);
    const clock = fixedClock('2026-12-08T07:30');
    const db = await pg.freshCentreDb();
    const registry = new DeviceRegistry({ db, clock, log, ca, agencyId: '000.00.12.H56' });
    const handle = createPairingHandler({ registry, log, secureCookie: true });
    const real = await startTestTlsServer({ request: (req, res) => void handle(req, res) });
    const send = (code: string) =>
      httpsRequest(real, {
        method: 'POST',
        path: '/pair',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ code }).toString(),
      });
    try {
      const made = await registry.createPairingCode({
        kind: 'rating',
        name: 'Đánh giá quầy 2',
        counter: 'Q02',
        actor: 'it',
      });
      // Typed as people type it: lower case, a space for the dash.
      const res = await send(made.code.toLowerCase().replace('-', ' '));
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe('/#/rate');
      const token = /^motcua_device=([^;]+);/.exec(res.headers['set-cookie']![0]!)![1]!;
      expect(await registry.authenticateToken(token)).toMatchObject({
        kind: 'rating',
        counter: 'Q02',
        name: 'Đánh giá quầy 2',
      });

      expect((await send(made.code)).status).toBe(400);
      const late = await registry.createPairingCode({ kind: 'kiosk', name: 'Kiosk', ttlMinutes: 5, actor: 'it' });
      clock.advance(6 * 60_000);
      const expired = await send(late.code);
      expect(expired.status).toBe(400);
      expect(expired.headers['set-cookie']).toBeUndefined();
      const desk = await registry.createPairingCode({ kind: 'desk', name: 'Quầy 1', counter: 'Q01', actor: 'it' });
      expect((await send(desk.code)).status).toBe(400);
      expect((await registry.list()).map((d) => d.kind)).toEqual(['rating']);
      expect(JSON.stringify(lines)).not.toContain(made.code.slice(0, 4));
    } finally {
      await real.close();
      await pg.stop();
    }
  }, 120_000);
});

import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleDossier } from './national-portal/dossier.fixture';
import { createNationalPortalClient } from './national-portal/national-portal.client';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from './national-portal/national-portal.simulator';
import { toWireDossier } from './national-portal/wire-format';
import { createProvincialClient } from './provincial/provincial.client';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from './provincial/provincial.simulator';
import { SIM_TOKEN_HEADER, simAdminTokenMatches } from './simulator-admin';

const AGENCY = '000.00.12.H56';
const code = (n: number) => `${AGENCY}-250715-${String(n).padStart(4, '0')}`;
const wire = (n: number) =>
  toWireDossier(sampleDossier({ code: code(n) }), { agencyId: AGENCY, receivingUnit: 'Bộ phận một cửa' });
const bytes = Buffer.from('%PDF-1.4 x');
const files = [
  { name: 'a.pdf', sha256: createHash('sha256').update(bytes).digest('hex'), base64: bytes.toString('base64') },
];

let national: NationalPortalSimulator;
let provincial: ProvincialSimulator;

beforeEach(async () => {
  national = await startNationalPortalSimulator();
  provincial = await startProvincialSimulator();
});
afterEach(async () => {
  await Promise.all([national.close(), provincial.close()]);
});

/** The admin token of the simulator `url` belongs to (every `/__sim/*` call needs it). */
const simToken = (url: string) => ({
  [SIM_TOKEN_HEADER]: url.startsWith(provincial.url) ? provincial.adminToken : national.adminToken,
});
const post = (url: string, body: unknown) =>
  fetch(url, { method: 'POST', headers: simToken(url), body: JSON.stringify(body) }).then(async (r) => ({
    status: r.status,
    json: (await r.json()) as Record<string, unknown>,
  }));
const get = (url: string) => fetch(url, { headers: simToken(url) });
const provincialClient = (timeoutMs = 300) =>
  createProvincialClient({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs });
const nationalClient = () =>
  createNationalPortalClient({
    baseUrl: national.url,
    ...TRAINING_NATIONAL_USER,
    dstcode: TRAINING_DSTCODE,
    agencyCode: AGENCY,
    timeoutMs: 300,
  });

describe('simulator admin endpoint and the new faults', () => {
  it('sets faults per test over HTTP, reports what was received, and resets the remote', async () => {
    const set = await post(`${provincial.url}/__sim/faults`, {
      failNext: [{ n: 1, kind: '500', status: 503, only: '/api/dossiers' }],
      latencyMs: 5,
    });
    expect(set).toEqual({ status: 200, json: { pending: 1, latencyMs: 5 } });
    const client = provincialClient();
    await expect(client.handOff({ ...wire(1), files }, 'k1')).rejects.toMatchObject({
      code: 'REMOTE_UNAVAILABLE',
      status: 503,
    });
    await client.handOff({ ...wire(1), files }, 'k1');
    const state = (await (await get(`${provincial.url}/__sim/state`)).json()) as {
      faultsApplied: Record<string, number>;
      received: { outcome: string }[];
      dossiers: unknown[];
    };
    expect(state.faultsApplied).toEqual({ 500: 1 });
    expect(state.received.map((r) => r.outcome)).toEqual(['created']);
    expect(state.dossiers).toHaveLength(1);
    expect((await post(`${provincial.url}/__sim/reset`, {})).json).toEqual({ reset: true });
    expect(provincial.state.dossiers.size).toBe(0);
    expect((await post(`${provincial.url}/__sim/faults`, { failNext: [{ kind: 'nonsense' }] })).status).toBe(400);
    // Admin calls take no faults and are not recorded as calls.
    await post(`${provincial.url}/__sim/faults`, { failNext: [{ n: 5, kind: 'drop' }] });
    expect((await get(`${provincial.url}/__sim/state`)).status).toBe(200);
  });

  it('switches how the portal writes its answers, and which procedures it refuses, over HTTP', async () => {
    expect(
      (await post(`${national.url}/__sim/faults`, { answers: 'lookup-list', refuseProcedures: ['9.999999'] })).status,
    ).toBe(200);
    const login = await post(`${national.url}/auth`, TRAINING_NATIONAL_USER);
    // (no dstcode header: refused, the login keeps its one shape)
    expect(login.json).toMatchObject({ error_code: 2 });
    const portal = nationalClient();
    await portal.syncDossiers([wire(1)], false);
    const raw = await fetch(`${national.url}/auth`, {
      method: 'POST',
      headers: { dstcode: TRAINING_DSTCODE },
      body: JSON.stringify(TRAINING_NATIONAL_USER),
    }).then((r) => r.json() as Promise<{ session: string }>);
    const lookup = await post(`${national.url}/service`, {
      session: raw.session,
      madonvi: AGENCY,
      service: 'TraCuuHoSo',
      MaHoSo: code(1),
    });
    expect(lookup.json['result']).toEqual([{ MaHoSo: code(1), TrangThaiHoSo: '2', DanhSachTienDoXuLy: [] }]);
    const refused = await portal.syncDossiers([{ ...wire(2), MaTTHC: '9.999999' }], false);
    expect(refused.refused).toEqual([{ code: code(2), errorCode: -3, message: 'MaTTHC 9.999999 không hợp lệ' }]);
    const state = (await (await get(`${national.url}/__sim/state`)).json()) as {
      answers: string;
      refusedProcedures: string[];
      logins: number;
      callsByService: Record<string, number>;
    };
    expect(state).toMatchObject({
      answers: 'lookup-list',
      refusedProcedures: ['9.999999'],
      logins: 3,
      callsByService: { auth: 3, DongBoHoSoMC: 2, TraCuuHoSo: 1 },
    });
    expect((await post(`${national.url}/__sim/faults`, { answers: 'no-such-variant' })).status).toBe(400);
    expect(national.state.answers).toBe('lookup-list');
  });

  it('pushes status changes and switches the feed out of order over HTTP', async () => {
    expect(
      (
        await post(`${provincial.url}/__sim/status`, {
          MaHoSo: code(1),
          TrangThaiHoSo: 4,
          ThoiDiem: '2025-07-16T09:00:00+07:00',
        })
      ).status,
    ).toBe(201);
    await post(`${provincial.url}/__sim/status`, { MaHoSo: code(1), TrangThaiHoSo: 9 });
    await post(`${provincial.url}/__sim/faults`, { statusFeedOutOfOrder: true });
    const page = await provincialClient().statusChanges(null, 10);
    expect(page.changes.map((c) => c.seq)).toEqual([2, 1]);
    expect(page).toMatchObject({ cursor: '2', hasMore: false, feedId: provincial.state.statusFeed.feedId });
    expect(page.changes[1]).toMatchObject({
      dossierCode: code(1),
      status: 4,
      changedAt: Date.parse('2025-07-16T02:00:00Z'),
    });
  });

  it('duplicate-ack: a stale acknowledgement is never taken for a success', async () => {
    const client = provincialClient();
    await client.handOff({ ...wire(1), files }, 'k1');
    provincial.faults.failNext(1, 'duplicate-ack', { only: '/api/dossiers' });
    await expect(client.handOff({ ...wire(2), files }, 'k2')).rejects.toMatchObject({
      code: 'REMOTE_BAD_RESPONSE',
      retryable: true,
    });
    expect(await client.handOff({ ...wire(2), files }, 'k2')).toMatchObject({ duplicate: true });
    expect(provincial.state.dossiers.get(code(2))?.receiveCount).toBe(1);

    const portal = nationalClient();
    await portal.syncDossiers([wire(1)], false);
    national.faults.failNext(1, 'duplicate-ack', { only: 'DongBoHoSoMC' });
    // The stale answer names dossier 1 only: dossier 2 is unconfirmed (the sender looks it up).
    expect(await portal.syncDossiers([wire(2)], false)).toEqual({ accepted: [], refused: [], unconfirmed: [code(2)] });
    expect(national.state.dossiers.get(code(2))?.createCount).toBe(1);
  });

  it('slow-body: a body slower than the timeout is a timeout; a slow one within it is fine', async () => {
    provincial.faults.failNext(1, 'slow-body', { durationMs: 600, only: '/api/dossiers' });
    await expect(provincialClient(300).handOff({ ...wire(1), files }, 'k1')).rejects.toMatchObject({
      code: 'REMOTE_TIMEOUT',
    });
    provincial.faults.failNext(1, 'slow-body', { durationMs: 60, only: '/api/dossiers' });
    expect(await provincialClient(300).handOff({ ...wire(1), files }, 'k1')).toMatchObject({ duplicate: true });
  });

  it('failRandomly is seeded: the same seed gives the same faults', async () => {
    const run = async (): Promise<string[]> => {
      const sim = await startProvincialSimulator();
      sim.faults.failRandomly(0.5, ['500', 'garbage'], { seed: 42, only: '/api/holiday-notices' });
      const client = createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 300 });
      const outcomes: string[] = [];
      for (let i = 0; i < 8; i++)
        outcomes.push(
          await client.holidayNotices(2025).then(
            () => 'ok',
            (e: { code: string }) => e.code,
          ),
        );
      await sim.close();
      return outcomes;
    };
    const a = await run();
    expect(a).toEqual(await run());
    expect(new Set(a).size).toBeGreaterThan(1);
  });
});

describe('the admin endpoint needs the admin token', () => {
  const routes: [string, string, unknown][] = [
    ['GET', '/__sim/state', undefined],
    ['POST', '/__sim/faults', { failNext: [{ n: 3, kind: 'drop' }], latencyMs: 100 }],
    ['POST', '/__sim/reset', {}],
    ['POST', '/__sim/status', { MaHoSo: code(1), TrangThaiHoSo: 4 }],
    ['POST', '/__sim/result', { MaHoSo: code(1) }],
    ['GET', '/__sim/nothing-here', undefined],
    ['GET', '/__sim', undefined],
    ['GET', '/__sim/../__sim/state', undefined],
  ];

  it('answers 401 to every admin route without it, with a wrong one, or with it anywhere but x-sim-token, and changes nothing', async () => {
    const client = provincialClient();
    await client.handOff({ ...wire(1), files }, 'k1');
    for (const sim of [provincial, national]) {
      const t = sim.adminToken;
      const wrong: (Record<string, string> | null)[] = [
        null,
        { [SIM_TOKEN_HEADER]: '' },
        { [SIM_TOKEN_HEADER]: 'x'.repeat(t.length) },
        { [SIM_TOKEN_HEADER]: t.slice(0, -1) },
        { [SIM_TOKEN_HEADER]: `${t}x` },
        { [SIM_TOKEN_HEADER]: t.toUpperCase() === t ? t.toLowerCase() : t.toUpperCase() },
        { [SIM_TOKEN_HEADER]: (sim === provincial ? national : provincial).adminToken },
        { authorization: `Bearer ${t}` },
        { 'x-sim-token-other': t },
      ];
      for (const [method, path, body] of routes) {
        for (const headers of wrong) {
          const res = await fetch(`${sim.url}${path}${headers === null ? `?token=${t}` : ''}`, {
            method,
            headers: headers ?? {},
            ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          });
          expect(res.status, `${method} ${path} ${JSON.stringify(headers)}`).toBe(401);
        }
      }
    }
    // Nothing happened: no fault queued, no latency, the dossier still there, no status pushed.
    expect(provincial.faults.pending).toBe(0);
    expect(provincial.faults.latencyMs).toBe(0);
    expect(national.faults.pending).toBe(0);
    expect(provincial.state.dossiers.size).toBe(1);
    expect(provincial.state.statusFeed.items).toEqual([]);
    expect(provincial.state.results.size).toBe(0);
    // With it: answered.
    expect((await get(`${provincial.url}/__sim/state`)).status).toBe(200);
    expect((await get(`${national.url}/__sim/state`)).status).toBe(200);
    // The remote's own protocol needs no admin token.
    expect((await client.holidayNotices(2025)).length).toBeGreaterThan(0);
  });

  it('takes the token it is given, and refuses one too short to be a secret', async () => {
    const token = 'tok-' + 'a'.repeat(28);
    const sim = await startProvincialSimulator({ adminToken: token });
    try {
      expect(sim.adminToken).toBe(token);
      expect((await fetch(`${sim.url}/__sim/state`, { headers: { [SIM_TOKEN_HEADER]: token } })).status).toBe(200);
    } finally {
      await sim.close();
    }
    await expect(startProvincialSimulator({ adminToken: 'short' })).rejects.toThrow(/admin token/);
    await expect(startNationalPortalSimulator({ adminToken: 'bad token with spaces!' })).rejects.toThrow(/admin token/);
    // Each simulator started without one gets its own random token.
    expect(provincial.adminToken).not.toBe(national.adminToken);
    expect(provincial.adminToken.length).toBeGreaterThanOrEqual(32);
  });

  it('compares tokens without regard to how much of them matches (hashes of both sides)', () => {
    expect(simAdminTokenMatches('a'.repeat(32), 'a'.repeat(32))).toBe(true);
    expect(simAdminTokenMatches('a'.repeat(31), 'a'.repeat(32))).toBe(false);
    expect(simAdminTokenMatches(['a'.repeat(32)], 'a'.repeat(32))).toBe(false);
    expect(simAdminTokenMatches(undefined, 'a'.repeat(32))).toBe(false);
    expect(simAdminTokenMatches('', 'a'.repeat(32))).toBe(false);
  });
});

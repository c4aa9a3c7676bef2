import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteError, type RemoteErrorCode } from '../remote-error';
import type { FaultKind } from '../simulator-faults';
import { sampleDossier } from './dossier.fixture';
import { createNationalPortalClient, type NationalPortalClientOptions } from './national-portal.client';
import {
  startNationalPortalSimulator,
  TRAINING_CITIZENS,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from './national-portal.simulator';
import type { NationalPortal } from './national-portal.port';
import { toWireDossier, toWireProgressStep } from './wire-format';
import type { WireDossier, WireProgressStep } from './wire-schemas';
import { lineLogger } from '../../kernel/testing/line-logger';

const AGENCY = '000.00.12.H56';

let sim: NationalPortalSimulator;
let logLines: string[];

function client(overrides: Partial<NationalPortalClientOptions> = {}): NationalPortal {
  return createNationalPortalClient({
    baseUrl: sim.url,
    username: TRAINING_NATIONAL_USER.username,
    password: TRAINING_NATIONAL_USER.password,
    dstcode: TRAINING_DSTCODE,
    agencyCode: AGENCY,
    timeoutMs: 400,
    log: lineLogger(logLines),
    ...overrides,
  });
}

function wireDossier(seq: number, overrides: Partial<WireDossier> = {}): WireDossier {
  const code = `${AGENCY}-250715-${String(seq).padStart(4, '0')}`;
  return {
    ...toWireDossier(sampleDossier({ code }), { agencyId: AGENCY, receivingUnit: 'Phòng Tư pháp' }),
    ...overrides,
  };
}

function step(code: string, n: number): WireProgressStep {
  return toWireProgressStep({
    dossierCode: code,
    handler: 'Trần Văn Bình',
    handlerTitle: 'Chuyên viên',
    at: `2025-07-16T${String(8 + Math.floor(n / 60)).padStart(2, '0')}:${String(n % 60).padStart(2, '0')}`,
    department: 'Phòng Tư pháp',
    content: `Bước ${n}`,
    status: 4,
    startedAt: '2025-07-16T08:00',
    dueAt: null,
  });
}

async function remoteError(promise: Promise<unknown>): Promise<RemoteError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RemoteError) return err;
    throw err;
  }
  throw new Error('expected a RemoteError');
}

const countCalls = (service: string): number => sim.state.calls.filter((c) => c.service === service).length;

beforeEach(async () => {
  sim = await startNationalPortalSimulator();
  logLines = [];
});

afterEach(async () => {
  await sim.close();
});

describe('national portal client: lookups against the simulator', () => {
  it('logs in once and finds a training citizen', async () => {
    const portal = client();
    const dung = await portal.lookupCitizen('001203004567');
    expect(dung).toEqual({ found: true, fullName: 'Nguyễn Văn Dũng', verified: true });
    expect(await portal.lookupCitizen('038090001122')).toEqual({
      found: true,
      fullName: 'Lê Văn Hùng',
      verified: false,
    });
    expect(await portal.lookupCitizen('999999999999')).toEqual({ found: false, fullName: null, verified: false });
    expect(countCalls('auth')).toBe(1);
  });

  it('shares one login between concurrent calls', async () => {
    const portal = client();
    await Promise.all(TRAINING_CITIZENS.map((c) => portal.lookupCitizen(c.personalId)));
    expect(countCalls('auth')).toBe(1);
    expect(countCalls('TraCuuTechID')).toBe(TRAINING_CITIZENS.length);
  });

  it("returns Nguyễn Văn Dũng's ID card and birth certificate from the national store, with working links", async () => {
    const portal = client();
    const docs = await portal.queryDocuments({
      ownerId: '001203004567',
      requester: 'canbo.hoa',
      channel: 'walk-in',
      procedureCode: '2.000488',
      resultCodes: ['KQ0003', 'KQ0001'],
    });
    expect(docs.map((d) => d.documentCode).sort()).toEqual(['KQ0001', 'KQ0003']);
    const card = docs.find((d) => d.documentCode === 'KQ0003');
    expect(card).toMatchObject({
      documentName: 'Căn cước công dân',
      number: '001203004567',
      issuedOn: '2021-04-15',
      validUntil: '2028-05-12',
    });
    const birth = docs.find((d) => d.documentCode === 'KQ0001');
    expect(birth?.validUntil).toBeNull();
    expect(card?.url).toMatch(new RegExp(`^${sim.url}/files/`));
    const pdf = await fetch(card?.url ?? '');
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect((await pdf.text()).startsWith('%PDF-')).toBe(true);

    const onlyCard = await portal.queryDocuments({
      ownerId: '001203004567',
      requester: 'canbo.hoa',
      channel: 'walk-in',
      procedureCode: '2.000488',
      resultCodes: ['KQ0003'],
    });
    expect(onlyCard).toHaveLength(1);
    const nobody = await portal.queryDocuments({
      ownerId: '001301007788',
      requester: 'canbo.hoa',
      channel: 'online',
      procedureCode: '2.000488',
      resultCodes: [],
    });
    expect(nobody).toEqual([]);
  });
});

describe('national portal client: dossiers and progress', () => {
  it('creates a dossier, then updates it, and finds it with TraCuuHoSo', async () => {
    const portal = client();
    const d = wireDossier(1);
    expect(await portal.lookupDossier(d.MaHoSo)).toEqual({ exists: false, status: null, steps: null });
    expect(await portal.syncDossiers([d], false)).toEqual({ accepted: [d.MaHoSo], refused: [], unconfirmed: [] });
    expect(await portal.syncDossiers([{ ...d, TrangThaiHoSo: '4' }], true)).toEqual({
      accepted: [d.MaHoSo],
      refused: [],
      unconfirmed: [],
    });
    expect(await portal.lookupDossier(d.MaHoSo)).toEqual({ exists: true, status: '4', steps: [] });
    const stored = sim.state.dossiers.get(d.MaHoSo);
    expect(stored).toMatchObject({ createCount: 1, updateCount: 1 });
    expect(stored?.record.TrangThaiHoSo).toBe('4');
  });

  it('sends progress in chunks of at most 20, in order', async () => {
    const portal = client();
    const d = wireDossier(2);
    await portal.syncDossiers([d], false);
    const steps = Array.from({ length: 45 }, (_, i) => step(d.MaHoSo, i));
    await portal.pushProgress(steps);
    expect(countCalls('CapNhatTienDoHoSoMC')).toBe(3);
    expect(sim.state.progress.get(d.MaHoSo)?.map((s) => s.NoiDungXuLy)).toEqual(steps.map((s) => s.NoiDungXuLy));
    await portal.pushProgress([]);
    expect(countCalls('CapNhatTienDoHoSoMC')).toBe(3);
  });

  it.each<[string, Partial<WireDossier>]>([
    ['a missing MaHoSo', { MaHoSo: '' }],
    ['a date that is not 14 digits', { NgayTiepNhan: '2025-07-15' }],
    ['an appointment date with 12 digits', { NgayHenTra: '202507291600' }],
  ])('rejects a dossier with %s as REMOTE_REJECTED, not retryable', async (_label, overrides) => {
    const err = await remoteError(client().syncDossiers([wireDossier(3, overrides)], false));
    expect(err.code).toBe('REMOTE_REJECTED');
    expect(err.retryable).toBe(false);
    expect(sim.state.dossiers.size).toBe(0);
  });

  it('rejects progress for a dossier the portal does not hold', async () => {
    const err = await remoteError(client().pushProgress([step(`${AGENCY}-250715-0099`, 1)]));
    expect(err.code).toBe('REMOTE_REJECTED');
    expect(err.details).toEqual({ errorCode: 3 });
  });
});

describe('national portal client: sessions', () => {
  it('logs in again once when the session expired, and repeats the call', async () => {
    const portal = client();
    await portal.lookupCitizen('001203004567');
    sim.expireSessions();
    expect((await portal.lookupCitizen('001203004567')).found).toBe(true);
    expect(countCalls('auth')).toBe(2);
    expect(logLines.some((l) => l.includes('session expired'))).toBe(true);
  });

  it('renews a session expired by the fault control in the middle of a sync', async () => {
    const portal = client();
    await portal.lookupDossier('x');
    sim.faults.failNext(1, 'expire-session', { only: 'DongBoHoSoMC' });
    const d = wireDossier(4);
    expect(await portal.syncDossiers([d], false)).toEqual({ accepted: [d.MaHoSo], refused: [], unconfirmed: [] });
    expect(countCalls('auth')).toBe(2);
    expect(sim.state.dossiers.get(d.MaHoSo)?.createCount).toBe(1);
  });

  it('renews a session that ran out by time', async () => {
    await sim.close();
    sim = await startNationalPortalSimulator({ sessionTtlMs: 50 });
    const portal = client();
    await portal.lookupCitizen('001203004567');
    await new Promise((r) => setTimeout(r, 80));
    expect((await portal.lookupCitizen('001203004567')).found).toBe(true);
    expect(countCalls('auth')).toBe(2);
  });

  it('gives up with REMOTE_AUTH_FAILED when a fresh session is refused too', async () => {
    const portal = client();
    await portal.lookupCitizen('001203004567');
    sim.faults.failNext(2, 'expire-session', { only: 'TraCuuHoSo' });
    const err = await remoteError(portal.lookupDossier('x'));
    expect(err.code).toBe('REMOTE_AUTH_FAILED');
    expect(err.retryable).toBe(false);
    expect(countCalls('auth')).toBe(2);
  });

  it('maps a wrong password to REMOTE_AUTH_FAILED, not retryable', async () => {
    const err = await remoteError(client({ password: 'sai-mat-khau' }).lookupCitizen('001203004567'));
    expect(err.code).toBe('REMOTE_AUTH_FAILED');
    expect(err.retryable).toBe(false);
  });

  it('maps a wrong dstcode to REMOTE_AUTH_FAILED', async () => {
    await sim.close();
    sim = await startNationalPortalSimulator({ dstcode: 'H56-PROD' });
    const err = await remoteError(client({ dstcode: 'H99' }).lookupCitizen('001203004567'));
    expect(err.code).toBe('REMOTE_AUTH_FAILED');
    expect(await client({ dstcode: 'H56-PROD' }).lookupCitizen('001203004567')).toMatchObject({ found: true });
  });

  it('never logs the password or a session token', async () => {
    const portal = client();
    await portal.lookupCitizen('001203004567');
    const tokens = [...sim.state.sessions.keys()];
    sim.expireSessions();
    sim.faults.failNext(1, '500', { only: 'TraCuuTechID' });
    await remoteError(portal.lookupCitizen('001203004567'));
    await portal.lookupCitizen('001203004567');
    tokens.push(...sim.state.sessions.keys());
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect(logLines.length).toBeGreaterThan(0);
    const all = logLines.join('\n');
    expect(all).not.toContain(TRAINING_NATIONAL_USER.password);
    for (const t of tokens) expect(all).not.toContain(t);
    expect(all).not.toContain('001203004567');
  });
});

describe('national portal client: faults', () => {
  it.each<[FaultKind, RemoteErrorCode]>([
    ['500', 'REMOTE_UNAVAILABLE'],
    ['timeout', 'REMOTE_TIMEOUT'],
    ['drop', 'REMOTE_UNAVAILABLE'],
    ['garbage', 'REMOTE_BAD_RESPONSE'],
    ['bad-shape', 'REMOTE_BAD_RESPONSE'],
  ])('fault %s → %s, retryable, and the next call works', async (kind, code) => {
    const portal = client();
    await portal.lookupDossier('warm-up');
    sim.faults.failNext(1, kind);
    const err = await remoteError(portal.lookupCitizen('001203004567'));
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(true);
    expect(err.remote).toBe('national');
    expect((await portal.lookupCitizen('001203004567')).found).toBe(true);
  });

  it('maps a fault on the login itself the same way', async () => {
    sim.faults.failNext(1, '500', { only: 'auth' });
    const err = await remoteError(client().lookupCitizen('001203004567'));
    expect(err.code).toBe('REMOTE_UNAVAILABLE');
  });

  it('maps a refused connection to REMOTE_UNAVAILABLE', async () => {
    const url = sim.url;
    await sim.close();
    const err = await remoteError(client({ baseUrl: url }).lookupCitizen('001203004567'));
    expect(err.code).toBe('REMOTE_UNAVAILABLE');
    expect(err.retryable).toBe(true);
    sim = await startNationalPortalSimulator();
  });

  it('waits the configured latency and still answers in time', async () => {
    sim.faults.latencyMs = 50;
    const started = Date.now();
    await client().lookupCitizen('001203004567');
    expect(Date.now() - started).toBeGreaterThanOrEqual(100);
  });

  it('maps error_code values sent as strings, and HTTP 401 as an expired session', async () => {
    let requests = 0;
    const server = createServer((req, res) => {
      requests += 1;
      res.setHeader('content-type', 'application/json');
      if (req.url === '/auth') {
        res.end(JSON.stringify({ error_code: '0', session: `s${requests}` }));
      } else if (requests === 2) {
        res.statusCode = 401;
        res.end('{}');
      } else {
        res.end(JSON.stringify({ error_code: '0', result: null }));
      }
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const portal = client({ baseUrl: `http://127.0.0.1:${port}` });
      expect(await portal.lookupDossier('x')).toEqual({ exists: false, status: null, steps: null });
      expect(requests).toBe(4);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('national portal simulator: raw protocol', () => {
  async function login(): Promise<string> {
    const res = await fetch(`${sim.url}/auth`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', dstcode: TRAINING_DSTCODE },
      body: JSON.stringify(TRAINING_NATIONAL_USER),
    });
    const body = (await res.json()) as { error_code: number; session: string };
    expect(body.error_code).toBe(0);
    return body.session;
  }

  async function service(
    body: Record<string, unknown>,
  ): Promise<{ error_code: number; message: string; result: unknown }> {
    const res = await fetch(`${sim.url}/service`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return (await res.json()) as { error_code: number; message: string; result: unknown };
  }

  it('lists a small procedure catalogue', async () => {
    const session = await login();
    const answer = await service({ session, madonvi: AGENCY, service: 'LayDanhSachTTHC' });
    expect(answer.error_code).toBe(0);
    expect((answer.result as { MATTHC: string }[]).map((p) => p.MATTHC)).toContain('2.000488');
  });

  it('answers error_code 401 without a valid session, and refuses unknown services and a missing madonvi', async () => {
    expect((await service({ session: 'nope', madonvi: AGENCY, service: 'TraCuuHoSo', MaHoSo: 'x' })).error_code).toBe(
      401,
    );
    const session = await login();
    expect((await service({ session, madonvi: AGENCY, service: 'KhongCo' })).error_code).toBe(4);
    expect((await service({ session, service: 'TraCuuHoSo', MaHoSo: 'x' })).error_code).toBe(2);
  });

  it('counts an update when a dossier is sent again without isUpdating', async () => {
    const session = await login();
    const d = wireDossier(7);
    await service({ session, madonvi: AGENCY, service: 'DongBoHoSoMC', isUpdating: false, data: [d] });
    await service({ session, madonvi: AGENCY, service: 'DongBoHoSoMC', isUpdating: false, data: [d] });
    expect(sim.state.dossiers.get(d.MaHoSo)).toMatchObject({ createCount: 1, updateCount: 1 });
  });

  it('refuses more than 20 progress steps in one call', async () => {
    const session = await login();
    const d = wireDossier(8);
    await service({ session, madonvi: AGENCY, service: 'DongBoHoSoMC', isUpdating: false, data: [d] });
    const answer = await service({
      session,
      madonvi: AGENCY,
      service: 'CapNhatTienDoHoSoMC',
      data: Array.from({ length: 21 }, (_, i) => step(d.MaHoSo, i)),
    });
    expect(answer.error_code).toBe(2);
  });
});

describe('national portal client: catalogue pulls', () => {
  it('lists procedures, fetches each full record, agencies and sectors', async () => {
    const portal = client();
    const list = await portal.listProcedures();
    expect(list.map((p) => p.code).sort()).toEqual(['2.000488', '2.001177']);
    expect(list[0]).toMatchObject({ active: true, updatedAt: '2025-07-01T08:00:00' });
    const full = await portal.getProcedure('2.000488', '2026-01-15');
    expect(full?.procedure).toMatchObject({
      code: '2.000488',
      resultCode: 'KQ0007',
      effectiveFrom: '2025-07-01',
      sectorCode: 'G15-LL01',
    });
    expect(full?.procedure.components.map((c) => c.documentCode)).toEqual([null, 'KQ0003']);
    expect(await portal.getProcedure('9.999999', '2026-01-15')).toBeNull();
    expect((await portal.listAgencies()).find((a) => a.code === '000.00.12.H56')).toEqual({
      code: '000.00.12.H56',
      name: 'Sở Tư pháp (đào tạo)',
      parentCode: '000.00.00.H56',
    });
    expect((await portal.listSectors()).map((s) => s.code)).toContain('HO-TICH');
    expect(countCalls('auth')).toBe(1);
  });

  it('asks only for changes since a time, in yyyyMMddHHmmss', async () => {
    const portal = client();
    const changed = { ...sim.state.procedures.get('2.001177')!, NGAYCAPNHAT: '20260110090000' };
    sim.state.procedures.set('2.001177', changed);
    expect((await portal.listProcedures('2026-01-01T00:00')).map((p) => p.code)).toEqual(['2.001177']);
    expect(await portal.listProcedures('2026-01-10T09:00')).toEqual([]);
  });

  it('renews an expired session in the middle of a pull', async () => {
    const portal = client();
    await portal.listProcedures();
    sim.expireSessions();
    expect((await portal.getProcedure('2.001177', '2026-01-15'))?.procedure.name).toBe('Cấp thẻ căn cước');
    expect(countCalls('auth')).toBe(2);
  });

  it('an empty catalogue is an empty answer, not an error', async () => {
    sim.state.procedures.clear();
    sim.state.agencies.length = 0;
    const portal = client();
    expect(await portal.listProcedures()).toEqual([]);
    expect(await portal.listAgencies()).toEqual([]);
  });

  it.each<[FaultKind, RemoteErrorCode]>([
    ['500', 'REMOTE_UNAVAILABLE'],
    ['garbage', 'REMOTE_BAD_RESPONSE'],
    ['bad-shape', 'REMOTE_BAD_RESPONSE'],
    ['timeout', 'REMOTE_TIMEOUT'],
    ['drop', 'REMOTE_UNAVAILABLE'],
  ])('LayThuTuc with fault %s → %s', async (kind, code) => {
    const portal = client();
    sim.faults.failNext(1, kind, { only: 'LayThuTuc' });
    const err = await remoteError(portal.getProcedure('2.000488', '2026-01-15'));
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(true);
    expect((await portal.getProcedure('2.000488', '2026-01-15'))?.procedure.code).toBe('2.000488');
  });

  it('a record it cannot map is a bad answer, and a record for another code too', async () => {
    const portal = client();
    const p = sim.state.procedures.get('2.000488')!;
    sim.state.procedures.set('2.000488', {
      ...p,
      CACHTHUCTHUCHIEN: [
        { KENH: '1', THOIGIAN: [{ THOIGIANGIAIQUYET: '2', DONVITINH: 'Tuần', MOTA: '', PHILEPHI: [] }] },
      ],
    });
    expect((await remoteError(portal.getProcedure('2.000488', '2026-01-15'))).code).toBe('REMOTE_BAD_RESPONSE');
    sim.state.procedures.set('2.000999', { ...p, MATTHC: '2.000488' });
    expect((await remoteError(portal.getProcedure('2.000999', '2026-01-15'))).code).toBe('REMOTE_BAD_RESPONSE');
  });

  it('TraCuuTechID: bad credentials are REMOTE_AUTH_FAILED, not "not found"', async () => {
    const err = await remoteError(client({ password: 'sai' }).lookupCitizen('001203004567'));
    expect(err.code).toBe('REMOTE_AUTH_FAILED');
    sim.faults.failNext(1, 'expire-session', { only: 'TraCuuTechID' });
    expect((await client().lookupCitizen('001203004567')).found).toBe(true);
  });
});

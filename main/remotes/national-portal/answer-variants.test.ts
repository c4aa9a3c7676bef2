import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RemoteError } from '../remote-error';
import { ANSWER_BODIES, ANSWER_VARIANTS, type AnswerBody } from './answer-variants';
import { sampleDossier } from './dossier.fixture';
import { createNationalPortalClient, type NationalPortalClientOptions } from './national-portal.client';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from './national-portal.simulator';
import { isSessionExpired, readPortalAnswer, saysNotFound } from './portal-answer';
import { readSyncEntries } from './portal-entries';
import { toWireDossier, toWireProgressStep } from './wire-format';

const AGENCY = '000.00.12.H56';
const code = (n: number): string => `${AGENCY}-250715-${String(n).padStart(4, '0')}`;
const wire = (n: number, procedureCode?: string) => {
  const d = toWireDossier(sampleDossier({ code: code(n) }), { agencyId: AGENCY, receivingUnit: 'Bộ phận một cửa' });
  return procedureCode === undefined ? d : { ...d, MaTTHC: procedureCode };
};
const step = (n: number, k: number) =>
  toWireProgressStep({
    dossierCode: code(n),
    handler: 'Trần Văn Bình',
    handlerTitle: 'Công chức',
    at: `2025-07-16T09:0${k}`,
    department: 'Một cửa',
    content: `Bước ${k}`,
    status: 4,
    startedAt: '2025-07-16T08:00',
    dueAt: null,
  });

function clientFor(baseUrl: string, extra: Partial<NationalPortalClientOptions> = {}) {
  return createNationalPortalClient({
    baseUrl,
    ...TRAINING_NATIONAL_USER,
    dstcode: TRAINING_DSTCODE,
    agencyCode: AGENCY,
    timeoutMs: 1000,
    ...extra,
  });
}

describe('portal answers: the reader decides by error_code first (fixtures met in production)', () => {
  it.each(ANSWER_BODIES.map((b) => [b.name, b] as [string, AnswerBody]))('%s', (_name, fixture) => {
    if (fixture.verdict === 'bad') {
      expect(() => readPortalAnswer(fixture.body, fixture.service)).toThrow(RemoteError);
      try {
        readPortalAnswer(fixture.body, fixture.service);
      } catch (err) {
        expect(err).toMatchObject({ code: 'REMOTE_BAD_RESPONSE', retryable: true });
      }
      return;
    }
    const answer = readPortalAnswer(fixture.body, fixture.service);
    const session = isSessionExpired(answer.errorCode, answer.message);
    const verdict = session ? 'session' : answer.errorCode === 0 ? 'ok' : 'rejected';
    expect(verdict).toBe(fixture.verdict);
    if (fixture.entries) {
      const entries = readSyncEntries(['H1', 'H2'], answer);
      expect({
        accepted: entries.accepted,
        refused: entries.refused.map((r) => r.code),
        unconfirmed: entries.unconfirmed,
      }).toEqual(fixture.entries);
      for (const r of entries.refused) expect(r).toMatchObject({ errorCode: -3, message: 'MaTTHC không hợp lệ' });
    }
    if ((fixture.exists === false || fixture.found === false) && fixture.verdict === 'rejected')
      expect(saysNotFound(answer.message)).toBe(true);
    if (fixture.service === 'TraCuuTechID' && fixture.found === undefined)
      expect(saysNotFound(answer.message)).toBe(false);
  });
});

/** A portal that answers the login, then each service call with the next body of a script. */
async function scriptedPortal(bodies: string[]): Promise<{ url: string; logins: () => number; server: Server }> {
  let logins = 0;
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c: Buffer) => (data += c.toString('utf8')));
    req.on('end', () => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/auth') {
        logins += 1;
        res.end(JSON.stringify({ error_code: 0, session: `s${logins}` }));
        return;
      }
      res.end(bodies.shift() ?? '{"error_code":0}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, logins: () => logins, server };
}

describe('portal answers: the client over HTTP', () => {
  let server: Server | null = null;
  afterEach(async () => {
    if (server) await new Promise<void>((r) => server!.close(() => r()));
    server = null;
  });

  it('lookups: each fixture read as found / not found, or refused for a bad body', async () => {
    for (const fixture of ANSWER_BODIES.filter((b) => b.service === 'TraCuuHoSo')) {
      const portal = await scriptedPortal([fixture.body, '{"error_code":0,"result":null}']);
      server = portal.server;
      const client = clientFor(portal.url);
      const run = client.lookupDossier('H1');
      if (fixture.verdict === 'bad')
        await expect(run, fixture.name).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
      else if (fixture.verdict === 'session') {
        expect(await run, fixture.name).toMatchObject({ exists: false });
        expect(portal.logins(), fixture.name).toBe(2);
      } else if (fixture.exists !== undefined) expect((await run).exists, fixture.name).toBe(fixture.exists);
      else await expect(run, fixture.name).rejects.toMatchObject({ code: 'REMOTE_REJECTED' });
      await new Promise<void>((r) => portal.server.close(() => r()));
      server = null;
    }
  });

  it('citizen lookups: each fixture read as found / not found ("not found" as an error too), or refused', async () => {
    const citizenFixtures = ANSWER_BODIES.filter((b) => b.service === 'TraCuuTechID');
    expect(citizenFixtures.filter((b) => b.verdict === 'rejected' && b.found === false).length).toBeGreaterThanOrEqual(
      2,
    );
    for (const fixture of citizenFixtures) {
      const portal = await scriptedPortal([fixture.body]);
      server = portal.server;
      const run = clientFor(portal.url).lookupCitizen('001203004567');
      if (fixture.found === true)
        expect(await run, fixture.name).toEqual({ found: true, fullName: 'Nguyễn Văn Dũng', verified: true });
      else if (fixture.found === false)
        expect(await run, fixture.name).toEqual({ found: false, fullName: null, verified: false });
      else
        await expect(run, fixture.name).rejects.toMatchObject({ code: 'REMOTE_REJECTED', details: { errorCode: 2 } });
      await new Promise<void>((r) => portal.server.close(() => r()));
      server = null;
    }
  });

  it('an expired session (-1 "Phiên làm việc hết hạn", no result) costs one login and the call is repeated', async () => {
    const portal = await scriptedPortal([
      '{"error_code":-1,"message":"Phiên làm việc hết hạn"}',
      '{"error_code":0,"message":"Thành công"}',
    ]);
    server = portal.server;
    await clientFor(portal.url).pushProgress([step(1, 1)]);
    expect(portal.logins()).toBe(2);
  });

  it('a session refused again right after a fresh login is REMOTE_AUTH_FAILED', async () => {
    const expired = '{"error_code":-1,"message":"Phiên làm việc hết hạn"}';
    const portal = await scriptedPortal([expired, expired]);
    server = portal.server;
    await expect(clientFor(portal.url).pushProgress([step(1, 1)])).rejects.toMatchObject({
      code: 'REMOTE_AUTH_FAILED',
    });
    expect(portal.logins()).toBe(2);
  });
});

describe.each(ANSWER_VARIANTS)('portal twin answering %s, read by the client', (answers) => {
  let sim: NationalPortalSimulator;
  afterEach(async () => {
    await sim.close();
  });

  it('creates, finds, records steps, renews a session once, and reports a refused entry', async () => {
    sim = await startNationalPortalSimulator({ answers, refusedProcedures: ['9.999999'] });
    const client = clientFor(sim.url);
    expect(await client.lookupDossier(code(1))).toEqual({ exists: false, status: null, steps: null });
    expect(await client.lookupCitizen('999999999999')).toEqual({ found: false, fullName: null, verified: false });
    expect(await client.lookupCitizen('001203004567')).toMatchObject({ found: true, fullName: 'Nguyễn Văn Dũng' });

    const created = await client.syncDossiers([wire(1), wire(2)], false);
    const named = answers !== 'no-result' && answers !== 'empty-ack';
    expect(created).toEqual(
      named
        ? { accepted: [code(1), code(2)], refused: [], unconfirmed: [] }
        : { accepted: [], refused: [], unconfirmed: [code(1), code(2)] },
    );

    await client.pushProgress([step(1, 1), step(1, 2)]);
    const found = await client.lookupDossier(code(1));
    expect(found).toMatchObject({ exists: true, status: '2' });
    expect(found.steps?.map((s) => s.content)).toEqual(['Bước 1', 'Bước 2']);

    sim.expireSessions();
    expect((await client.lookupDossier(code(2))).exists).toBe(true);
    expect(sim.state.calls.filter((c) => c.service === 'auth')).toHaveLength(2);

    const mixed = client.syncDossiers([wire(3), wire(4, '9.999999')], false);
    if (answers === 'no-result') {
      // This integration refuses the whole call: no dossier is named, the sender sends them alone.
      await expect(mixed).rejects.toMatchObject({ code: 'REMOTE_REJECTED', details: { errorCode: -3 } });
    } else {
      const answer = await mixed;
      expect(answer.refused).toEqual([{ code: code(4), errorCode: -3, message: 'MaTTHC 9.999999 không hợp lệ' }]);
      expect(answer.accepted.concat(answer.unconfirmed)).toEqual([code(3)]);
    }
    expect(sim.state.dossiers.has(code(4))).toBe(false);
  });
});

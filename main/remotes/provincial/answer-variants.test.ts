import { afterEach, describe, expect, it } from 'vitest';
import { sampleDossier } from '../national-portal/dossier.fixture';
import { toWireDossier } from '../national-portal/wire-format';
import { RemoteError } from '../remote-error';
import { SIM_TOKEN_HEADER } from '../simulator-admin';
import {
  PROVINCIAL_ANSWER_VARIANTS,
  isProvincialAnswerVariantName,
  type ProvincialAnswerVariantName,
} from './answer-variants';
import { createProvincialClient } from './provincial.client';
import type { HandOffDossier } from './provincial.port';
import { startProvincialSimulator, TRAINING_PROVINCIAL_CLIENT, type ProvincialSimulator } from './provincial.simulator';

/**
 * The real client against the provincial twin answering in each variant: the same meaning must
 * come out whatever the way of writing. The raw answers are checked too, so a variant that stopped
 * changing anything would be noticed.
 */
const AGENCY = '000.00.12.H56';
let sim: ProvincialSimulator | null = null;

afterEach(async () => {
  await sim?.close();
  sim = null;
});

function dossier(seq: number, procedure?: string): HandOffDossier {
  const wire = toWireDossier(sampleDossier({ code: `${AGENCY}-250715-${String(seq).padStart(4, '0')}` }), {
    agencyId: AGENCY,
    receivingUnit: 'Phòng Tư pháp',
  });
  return { ...wire, ...(procedure === undefined ? {} : { MaTTHC: procedure }), files: [] };
}

async function raw(
  url: string,
  init: RequestInit & { token?: string } = {},
): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
  };
  const res = await fetch(url, {
    ...init,
    headers: { ...headers, ...(init.headers as Record<string, string> | undefined) },
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** What each variant's raw answers look like (the fixtures of the table). */
const RAW: Record<
  ProvincialAnswerVariantName,
  {
    idType: 'string' | 'number';
    duplicateOnFirst: unknown;
    expiresIn: 'number' | 'string';
    refusalStatus: number;
    refusalKeys: string[];
    extra: boolean;
  }
> = {
  canonical: {
    idType: 'string',
    duplicateOnFirst: false,
    expiresIn: 'number',
    refusalStatus: 422,
    refusalKeys: ['error'],
    extra: false,
  },
  'numeric-ids': {
    idType: 'number',
    duplicateOnFirst: undefined,
    expiresIn: 'number',
    refusalStatus: 422,
    refusalKeys: ['error'],
    extra: false,
  },
  'strings-for-numbers': {
    idType: 'string',
    duplicateOnFirst: 'false',
    expiresIn: 'string',
    refusalStatus: 422,
    refusalKeys: ['error'],
    extra: false,
  },
  'code-message-errors': {
    idType: 'string',
    duplicateOnFirst: false,
    expiresIn: 'number',
    refusalStatus: 422,
    refusalKeys: ['code', 'message'],
    extra: false,
  },
  'text-errors': {
    idType: 'string',
    duplicateOnFirst: false,
    expiresIn: 'number',
    refusalStatus: 422,
    refusalKeys: ['error'],
    extra: false,
  },
  'ok-with-error-body': {
    idType: 'string',
    duplicateOnFirst: false,
    expiresIn: 'number',
    refusalStatus: 200,
    refusalKeys: ['error'],
    extra: false,
  },
  'extra-fields': {
    idType: 'string',
    duplicateOnFirst: false,
    expiresIn: 'number',
    refusalStatus: 422,
    refusalKeys: ['error'],
    extra: true,
  },
};

describe.each(PROVINCIAL_ANSWER_VARIANTS)('province answers %s', (answers) => {
  it("the raw answers are written the variant's way", async () => {
    sim = await startProvincialSimulator({ answers, refusedProcedures: ['9.999999'] });
    const want = RAW[answers];
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: TRAINING_PROVINCIAL_CLIENT.clientId,
      client_secret: TRAINING_PROVINCIAL_CLIENT.clientSecret,
    });
    const tokenRes = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: form.toString(),
    });
    const token = (await tokenRes.json()) as Record<string, unknown>;
    expect(typeof token['expires_in']).toBe(want.expiresIn);
    const auth = String(token['access_token']);
    const ack = await raw(`${sim.url}/api/dossiers`, {
      method: 'POST',
      token: auth,
      headers: { 'idempotency-key': 'k1' },
      body: JSON.stringify(dossier(1)),
    });
    expect(ack.status).toBe(201);
    expect(typeof ack.body['id']).toBe(want.idType);
    expect(ack.body['duplicate']).toBe(want.duplicateOnFirst);
    expect('receivedAt' in ack.body).toBe(want.extra);
    const refused = await raw(`${sim.url}/api/dossiers`, {
      method: 'POST',
      token: auth,
      headers: { 'idempotency-key': 'k2' },
      body: JSON.stringify(dossier(2, '9.999999')),
    });
    expect(refused.status).toBe(want.refusalStatus);
    expect(Object.keys(refused.body).sort()).toEqual(want.refusalKeys);
  });

  it('the client reads a hand-off, its repeat, a refusal, the status feed and a token renewal the same way', async () => {
    sim = await startProvincialSimulator({ answers, refusedProcedures: ['9.999999'] });
    const client = createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 2000 });

    const first = await client.handOff(dossier(1), 'k1');
    expect(first).toEqual({ remoteId: expect.stringMatching(/^(HTTT-)?0*1$/), duplicate: false });
    expect(await client.handOff(dossier(1), 'k1')).toEqual({ remoteId: first.remoteId, duplicate: true });
    expect(sim.state.dossiers.get(dossier(1).MaHoSo)?.receiveCount).toBe(1);

    const refusal = await client.handOff(dossier(2, '9.999999'), 'k2').then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(RemoteError);
    expect(refusal).toMatchObject({
      code: 'REMOTE_REJECTED',
      retryable: false,
      message: expect.stringMatching(/9\.999999 không hợp lệ/u),
    });
    expect(sim.state.dossiers.has(dossier(2).MaHoSo)).toBe(false);

    sim.pushStatus(dossier(1).MaHoSo, 4);
    sim.pushStatus(dossier(1).MaHoSo, 5, { note: 'Chuyển phòng chuyên môn' });
    const page1 = await client.statusChanges(null, 1);
    expect(page1).toMatchObject({
      cursor: '1',
      hasMore: true,
      changes: [{ seq: 1, dossierCode: dossier(1).MaHoSo, status: 4, note: '' }],
    });
    const page2 = await client.statusChanges(page1.cursor, 10);
    expect(page2).toMatchObject({
      cursor: '2',
      hasMore: false,
      changes: [{ seq: 2, status: 5, note: 'Chuyển phòng chuyên môn' }],
    });

    sim.expireTokens();
    expect((await client.handOff(dossier(3), 'k3')).duplicate).toBe(false);
    expect(sim.state.tokensIssued).toBe(2);
  });
});

describe('choosing a variant', () => {
  it('is checked by name, and the admin endpoint switches it or refuses an unknown one', async () => {
    expect(isProvincialAnswerVariantName('numeric-ids')).toBe(true);
    expect(isProvincialAnswerVariantName('Numeric-Ids')).toBe(false);
    expect(isProvincialAnswerVariantName(3)).toBe(false);
    sim = await startProvincialSimulator();
    const ok = await raw(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { [SIM_TOKEN_HEADER]: sim.adminToken },
      body: JSON.stringify({ answers: 'text-errors', refuseProcedures: ['1.2'] }),
    });
    expect(ok.status).toBe(200);
    expect(sim.state.answers).toBe('text-errors');
    expect([...sim.state.refusedProcedures]).toEqual(['1.2']);
    const bad = await raw(`${sim.url}/__sim/faults`, {
      method: 'POST',
      headers: { [SIM_TOKEN_HEADER]: sim.adminToken },
      body: JSON.stringify({ answers: 'xml' }),
    });
    expect(bad.status).toBe(400);
    expect(String(bad.body['message'])).toMatch(/answers must be one of/);
    expect(sim.state.answers).toBe('text-errors');
  });
});

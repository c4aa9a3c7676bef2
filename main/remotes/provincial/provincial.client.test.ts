import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleDossier } from '../national-portal/dossier.fixture';
import { toWireDossier } from '../national-portal/wire-format';
import { RemoteError, type RemoteErrorCode } from '../remote-error';
import type { FaultKind } from '../simulator-faults';
import { createProvincialClient, type ProvincialClientOptions } from './provincial.client';
import {
  MAX_LEASED_SEQUENCE,
  type CodeBlock,
  type HandOffDossier,
  type HandOffFile,
  type ProvincialSystem,
} from './provincial.port';
import { startProvincialSimulator, TRAINING_PROVINCIAL_CLIENT, type ProvincialSimulator } from './provincial.simulator';
import { fixedClock } from '../../kernel/clock';
import { lineLogger } from '../../kernel/testing/line-logger';

const AGENCY = '000.00.12.H56';

let sim: ProvincialSimulator;
let logLines: string[];

function client(overrides: Partial<ProvincialClientOptions> = {}): ProvincialSystem {
  return createProvincialClient({
    baseUrl: sim.url,
    clientId: TRAINING_PROVINCIAL_CLIENT.clientId,
    clientSecret: TRAINING_PROVINCIAL_CLIENT.clientSecret,
    timeoutMs: 400,
    log: lineLogger(logLines),
    ...overrides,
  });
}

function file(name: string, content: string): HandOffFile {
  const bytes = Buffer.from(content, 'utf8');
  return { name, sha256: createHash('sha256').update(bytes).digest('hex'), base64: bytes.toString('base64') };
}

function handOffDossier(seq = 1, files: HandOffFile[] = [file('to-khai.pdf', '%PDF-1.4 tờ khai')]): HandOffDossier {
  const code = `${AGENCY}-250715-${String(seq).padStart(4, '0')}`;
  return { ...toWireDossier(sampleDossier({ code }), { agencyId: AGENCY, receivingUnit: 'Phòng Tư pháp' }), files };
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

beforeEach(async () => {
  sim = await startProvincialSimulator();
  logLines = [];
});

afterEach(async () => {
  await sim.close();
});

describe('provincial client: OAuth2 client credentials', () => {
  it('reuses one token for many calls', async () => {
    const p = client();
    await p.holidayNotices(2025);
    await p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 10 });
    await p.handOff(handOffDossier(), 'k-1');
    expect(sim.state.tokensIssued).toBe(1);
  });

  it('shares one token request between concurrent calls', async () => {
    const p = client();
    await Promise.all([
      p.holidayNotices(2025),
      p.holidayNotices(2026),
      p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 1 }),
    ]);
    expect(sim.state.tokensIssued).toBe(1);
  });

  it('renews the token shortly before it expires', async () => {
    await sim.close();
    sim = await startProvincialSimulator({ tokenTtlSeconds: 600 });
    const clock = fixedClock('2025-07-15T08:00');
    const p = client({ clock });
    await p.holidayNotices(2025);
    clock.advance(500_000);
    await p.holidayNotices(2025);
    expect(sim.state.tokensIssued).toBe(1);
    clock.advance(50_000);
    await p.holidayNotices(2025);
    expect(sim.state.tokensIssued).toBe(2);
  });

  it('refreshes once on 401 and repeats the call', async () => {
    const p = client();
    await p.holidayNotices(2025);
    sim.expireTokens();
    const block = await p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 5 });
    expect(block).toEqual({ from: 1, to: 5 });
    expect(sim.state.tokensIssued).toBe(2);
  });

  it('gives up with REMOTE_AUTH_FAILED when a fresh token is refused too', async () => {
    const p = client();
    await p.holidayNotices(2025);
    sim.faults.failNext(2, 'expire-session', { only: '/api/holiday-notices' });
    const err = await remoteError(p.holidayNotices(2025));
    expect(err.code).toBe('REMOTE_AUTH_FAILED');
    expect(err.retryable).toBe(false);
    expect(sim.state.tokensIssued).toBe(2);
  });

  it('maps a wrong client secret to REMOTE_AUTH_FAILED, not retryable, without logging the secret', async () => {
    const err = await remoteError(client({ clientSecret: 'wrong-secret' }).holidayNotices(2025));
    expect(err.code).toBe('REMOTE_AUTH_FAILED');
    expect(err.retryable).toBe(false);
    expect(logLines.join('\n')).not.toContain('wrong-secret');
  });

  it('never logs the secret or a token', async () => {
    const p = client();
    await p.holidayNotices(2025);
    const tokens = [...sim.state.tokens.keys()];
    sim.expireTokens();
    await p.holidayNotices(2025);
    tokens.push(...sim.state.tokens.keys());
    const all = logLines.join('\n');
    expect(logLines.length).toBeGreaterThan(0);
    expect(all).not.toContain(TRAINING_PROVINCIAL_CLIENT.clientSecret);
    for (const t of tokens) expect(all).not.toContain(t);
  });
});

describe('provincial client: hand-off', () => {
  it('hands a dossier over once; the same key again is a duplicate with the same id', async () => {
    const p = client();
    const d = handOffDossier();
    const first = await p.handOff(d, 'outbox-17');
    expect(first.duplicate).toBe(false);
    const again = await p.handOff(d, 'outbox-17');
    expect(again).toEqual({ remoteId: first.remoteId, duplicate: true });
    expect(sim.state.dossiers.size).toBe(1);
    expect(sim.state.dossiers.get(d.MaHoSo)).toMatchObject({ receiveCount: 1, remoteId: first.remoteId });
    expect(sim.state.dossiers.get(d.MaHoSo)?.files).toEqual([
      { name: 'to-khai.pdf', sha256: d.files[0]!.sha256, size: Buffer.byteLength('%PDF-1.4 tờ khai') },
    ]);
  });

  it('does not store twice when the answer was lost and the hand-off is retried with the same key', async () => {
    const p = client();
    await p.holidayNotices(2025);
    sim.faults.failNext(1, 'drop', { only: '/api/dossiers' });
    const d = handOffDossier(2);
    const lost = await remoteError(p.handOff(d, 'outbox-18'));
    expect(lost.code).toBe('REMOTE_UNAVAILABLE');
    expect(sim.state.dossiers.get(d.MaHoSo)?.receiveCount).toBe(1);
    const retried = await p.handOff(d, 'outbox-18');
    expect(retried.duplicate).toBe(true);
    expect(sim.state.dossiers.get(d.MaHoSo)?.receiveCount).toBe(1);
  });

  it('updates the same remote record when a dossier is handed over again with a new key', async () => {
    const p = client();
    const d = handOffDossier(3);
    const first = await p.handOff(d, 'a');
    const second = await p.handOff({ ...d, TrangThaiHoSo: '5' }, 'b');
    expect(second).toEqual({ remoteId: first.remoteId, duplicate: false });
    expect(sim.state.dossiers.get(d.MaHoSo)).toMatchObject({ receiveCount: 2, idempotencyKeys: ['a', 'b'] });
  });

  it('rejects a file whose sha256 does not match (422) and an invalid dossier (400)', async () => {
    const p = client();
    const bad = handOffDossier(4, [{ ...file('scan.pdf', 'abc'), sha256: 'f'.repeat(64) }]);
    const err = await remoteError(p.handOff(bad, 'c'));
    expect(err).toMatchObject({
      code: 'REMOTE_REJECTED',
      retryable: false,
      status: 422,
      details: { remoteCode: 'FILE_HASH_MISMATCH' },
    });
    const invalid = await remoteError(p.handOff({ ...handOffDossier(5), NgayTiepNhan: '15/07/2025' }, 'd'));
    expect(invalid).toMatchObject({ code: 'REMOTE_REJECTED', status: 400, details: { remoteCode: 'DOSSIER_INVALID' } });
    expect(sim.state.dossiers.size).toBe(0);
  });
});

describe('provincial client: dossier number leases', () => {
  it('never gives two desks of one agency overlapping blocks, and never beyond 8999', async () => {
    await sim.close();
    sim = await startProvincialSimulator({
      clients: [
        { clientId: 'desk-1', clientSecret: 's1' },
        { clientId: 'desk-2', clientSecret: 's2' },
      ],
    });
    const desk1 = client({ clientId: 'desk-1', clientSecret: 's1' });
    const desk2 = client({ clientId: 'desk-2', clientSecret: 's2' });
    const blocks: CodeBlock[] = [];
    let exhausted: RemoteError | null = null;
    while (exhausted === null) {
      const results = await Promise.allSettled([
        desk1.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 700 }),
        desk2.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 450 }),
        desk1.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 3 }),
      ]);
      for (const r of results) {
        if (r.status === 'fulfilled') blocks.push(r.value);
        else if (r.reason instanceof RemoteError) exhausted = r.reason;
        else throw r.reason;
      }
    }
    expect(exhausted.code).toBe('REMOTE_REJECTED');
    expect(exhausted.status).toBe(409);
    expect(exhausted.retryable).toBe(false);
    const sorted = [...blocks].sort((a, b) => a.from - b.from);
    for (const b of sorted) {
      expect(b.from).toBeGreaterThanOrEqual(1);
      expect(b.to).toBeLessThanOrEqual(MAX_LEASED_SEQUENCE);
      expect(b.from).toBeLessThanOrEqual(b.to);
    }
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]!.from).toBe(sorted[i - 1]!.to + 1);
    expect(sorted[0]!.from).toBe(1);
    expect(sorted.at(-1)!.to).toBe(MAX_LEASED_SEQUENCE);
    const byDesk = new Set(sim.state.leases.get(`${AGENCY}|2025-07-15`)?.blocks.map((b) => b.clientId));
    expect(byDesk).toEqual(new Set(['desk-1', 'desk-2']));
  });

  it('keeps separate counters per agency and per date', async () => {
    const p = client();
    expect(await p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 10 })).toEqual({ from: 1, to: 10 });
    expect(await p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-16', count: 10 })).toEqual({ from: 1, to: 10 });
    expect(await p.leaseCodeBlock({ agencyId: '000.00.13.H56', date: '2025-07-15', count: 10 })).toEqual({
      from: 1,
      to: 10,
    });
    expect(await p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 10 })).toEqual({ from: 11, to: 20 });
  });

  it('rejects an invalid lease request', async () => {
    const err = await remoteError(client().leaseCodeBlock({ agencyId: AGENCY, date: '15/07/2025', count: 10 }));
    expect(err).toMatchObject({ code: 'REMOTE_REJECTED', status: 400 });
  });

  describe('against a remote that misbehaves', () => {
    let server: Server;
    let leaseAnswer: unknown;

    beforeEach(async () => {
      server = createServer((req, res) => {
        res.setHeader('content-type', 'application/json');
        if (req.url === '/oauth/token') res.end(JSON.stringify({ access_token: 't', expires_in: 3600 }));
        else res.end(JSON.stringify(leaseAnswer));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    });

    afterEach(async () => {
      await new Promise<void>((r) => server.close(() => r()));
    });

    it.each<[string, unknown]>([
      ['a block in the offline reserve', { from: 9000, to: 9009 }],
      ['a block crossing 8999', { from: 8995, to: 9004 }],
      ['a block larger than asked', { from: 1, to: 50 }],
      ['an inverted block', { from: 10, to: 1 }],
    ])('treats %s as REMOTE_BAD_RESPONSE', async (_label, answer) => {
      leaseAnswer = answer;
      const p = createProvincialClient({
        baseUrl: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        clientId: 'x',
        clientSecret: 'y',
      });
      const err = await remoteError(p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 10 }));
      expect(err.code).toBe('REMOTE_BAD_RESPONSE');
    });
  });
});

describe('provincial client: holiday notices', () => {
  it('returns the notices of the year with days off and make-up days', async () => {
    const notices = await client().holidayNotices(2025);
    expect(notices).toHaveLength(1);
    expect(notices[0]!.year).toBe(2025);
    expect(notices[0]!.makeUpDays).toEqual([{ date: '2025-04-26', name: 'Làm bù cho ngày 02/5' }]);
    expect(notices[0]!.daysOff.some((d) => d.date === '2025-09-02')).toBe(true);
    expect(await client().holidayNotices(2030)).toEqual([]);
  });
});

describe('provincial client: faults', () => {
  it.each<[FaultKind, RemoteErrorCode]>([
    ['500', 'REMOTE_UNAVAILABLE'],
    ['timeout', 'REMOTE_TIMEOUT'],
    ['drop', 'REMOTE_UNAVAILABLE'],
    ['garbage', 'REMOTE_BAD_RESPONSE'],
    ['bad-shape', 'REMOTE_BAD_RESPONSE'],
  ])('fault %s → %s, retryable, and the next call works', async (kind, code) => {
    const p = client();
    await p.holidayNotices(2025);
    sim.faults.failNext(1, kind);
    const err = await remoteError(p.holidayNotices(2026));
    expect(err.code).toBe(code);
    expect(err.retryable).toBe(true);
    expect(err.remote).toBe('provincial');
    expect(await p.holidayNotices(2026)).toHaveLength(1);
  });

  it('maps a fault on the token endpoint the same way', async () => {
    sim.faults.failNext(1, '500', { only: '/oauth/token' });
    expect((await remoteError(client().holidayNotices(2025))).code).toBe('REMOTE_UNAVAILABLE');
  });

  it('maps a refused connection to REMOTE_UNAVAILABLE', async () => {
    const url = sim.url;
    await sim.close();
    const err = await remoteError(client({ baseUrl: url }).holidayNotices(2025));
    expect(err.code).toBe('REMOTE_UNAVAILABLE');
    sim = await startProvincialSimulator();
  });

  it('a lease lost in a dropped answer leaves a gap, never a second copy', async () => {
    const p = client();
    await p.holidayNotices(2025);
    sim.faults.failNext(1, 'drop', { only: '/api/code-leases' });
    await remoteError(p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 10 }));
    expect(await p.leaseCodeBlock({ agencyId: AGENCY, date: '2025-07-15', count: 10 })).toEqual({ from: 11, to: 20 });
  });
});

import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleDossier } from '../remotes/national-portal/dossier.fixture';
import { createNationalPortalClient } from '../remotes/national-portal/national-portal.client';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from '../remotes/national-portal/national-portal.simulator';
import { toWireDossier, toWireProgressStep } from '../remotes/national-portal/wire-format';
import type { WireDossier, WireProgressStep } from '../remotes/national-portal/wire-schemas';
import { createProvincialClient } from '../remotes/provincial/provincial.client';
import type { HandOffFile, ProvincialSystem } from '../remotes/provincial/provincial.port';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from '../remotes/provincial/provincial.simulator';
import { systemClock, toLocalDateTime, type Clock } from '../kernel/clock';
import { lineLogger } from '../kernel/testing/line-logger';
import { backoffDelay, OutboxSender, type OutboxCounts, type OutboxSenderOptions } from './outbox-sender';
import type { OutboxItem, OutboxKind, OutboxPort, OutboxStatus, OutboxTarget } from '../store/outbox.port';

/** The outbox as the port describes it, in memory. */
class MemoryOutbox implements OutboxPort {
  readonly rows: (OutboxItem & { remoteRef: string | null; sentAt: number | null })[] = [];
  /** Makes the next markSent throw, as a failing disk would. */
  failNextMarkSent = false;
  private seq = 0;

  add(target: OutboxTarget, kind: OutboxKind, dossierCode: string, payload: unknown): OutboxItem {
    this.seq += 1;
    const row = {
      id: this.seq,
      target,
      kind,
      dossierCode,
      idempotencyKey: `outbox-${this.seq}`,
      payload,
      status: 'pending' as OutboxStatus,
      attempts: 0,
      nextAttemptAt: 0,
      lastError: null,
      lastErrorCode: null as string | null,
      createdAt: 0,
      remoteRef: null,
      sentAt: null,
    };
    this.rows.push(row);
    return { ...row };
  }

  row(id: number): OutboxItem & { remoteRef: string | null; sentAt: number | null } {
    const row = this.rows.find((r) => r.id === id);
    if (!row) throw new Error(`no outbox row ${id}`);
    return row;
  }

  due(now: number, limit: number): OutboxItem[] {
    const heads = new Map<string, OutboxItem>();
    for (const r of [...this.rows].sort((a, b) => a.id - b.id)) {
      if (r.status === 'sent') continue;
      const key = `${r.dossierCode}\u0000${r.target}`;
      if (!heads.has(key)) heads.set(key, r);
    }
    return [...heads.values()]
      .filter((r) => (r.status === 'pending' || r.status === 'retrying') && r.nextAttemptAt <= now)
      .sort((a, b) => a.id - b.id)
      .slice(0, limit)
      .map((r) => ({ ...r }));
  }

  markSent(id: number, sentAt: number, remoteRef: string | null): void {
    if (this.failNextMarkSent) {
      this.failNextMarkSent = false;
      throw new Error('disk I/O error');
    }
    const row = this.row(id);
    row.status = 'sent';
    row.sentAt = sentAt;
    row.remoteRef = remoteRef;
    row.lastErrorCode = null;
  }

  markOutcomeUnknown(ids: readonly number[]): void {
    for (const id of ids) {
      const row = this.row(id);
      if (row.status === 'pending' || row.status === 'retrying') row.lastErrorCode = 'OUTCOME_UNKNOWN';
    }
  }

  markRetry(id: number, error: string, nextAttemptAt: number, errorCode: string | null = null): void {
    const row = this.row(id);
    row.status = 'retrying';
    row.lastErrorCode = errorCode;
    row.attempts += 1;
    row.lastError = error;
    row.nextAttemptAt = nextAttemptAt;
  }

  markDead(id: number, error: string): void {
    const row = this.row(id);
    row.status = 'dead';
    row.attempts += 1;
    row.lastError = error;
  }

  counts(): Record<OutboxStatus, number> {
    const c: Record<OutboxStatus, number> = { pending: 0, retrying: 0, sent: 0, dead: 0 };
    for (const r of this.rows) c[r.status] += 1;
    return c;
  }

  stateOf(dossierCode: string): ReturnType<OutboxPort['stateOf']> {
    const stateFor = (target: OutboxTarget): 'pending' | 'synced' | 'retrying' | 'dead' => {
      const rows = this.rows.filter((r) => r.dossierCode === dossierCode && r.target === target);
      if (rows.some((r) => r.status === 'dead')) return 'dead';
      if (rows.every((r) => r.status === 'sent')) return 'synced';
      if (rows.some((r) => r.status === 'retrying')) return 'retrying';
      return 'pending';
    };
    return { national: stateFor('national'), provincial: stateFor('provincial') };
  }
}

const AGENCY = '000.00.12.H56';

let national: NationalPortalSimulator;
let provincial: ProvincialSimulator;
let outbox: MemoryOutbox;
let clock: number;
/** The test's `clock` (epoch ms) as the sender's clock. */
const testClock: Clock = {
  now: () => clock,
  localNow: () => toLocalDateTime(clock),
  today: () => toLocalDateTime(clock).slice(0, 10),
};
let logLines: string[];

function nationalClient(baseUrl = national.url): NationalPortal {
  return createNationalPortalClient({
    baseUrl,
    username: TRAINING_NATIONAL_USER.username,
    password: TRAINING_NATIONAL_USER.password,
    dstcode: TRAINING_DSTCODE,
    agencyCode: AGENCY,
    timeoutMs: 300,
  });
}

function provincialClient(): ProvincialSystem {
  return createProvincialClient({
    baseUrl: provincial.url,
    clientId: TRAINING_PROVINCIAL_CLIENT.clientId,
    clientSecret: TRAINING_PROVINCIAL_CLIENT.clientSecret,
    timeoutMs: 300,
  });
}

function code(seq: number): string {
  return `${AGENCY}-250715-${String(seq).padStart(4, '0')}`;
}

function wire(seq: number): WireDossier {
  return toWireDossier(sampleDossier({ code: code(seq) }), { agencyId: AGENCY, receivingUnit: 'Phòng Tư pháp' });
}

function step(seq: number, n: number): WireProgressStep {
  return toWireProgressStep({
    dossierCode: code(seq),
    handler: 'Trần Văn Bình',
    handlerTitle: 'Chuyên viên',
    at: `2025-07-16T09:0${n}`,
    department: 'Phòng Tư pháp',
    content: `Bước ${n}`,
    status: 4,
    startedAt: '2025-07-16T08:00',
    dueAt: null,
  });
}

function scan(name: string): HandOffFile {
  const bytes = Buffer.from(`%PDF-1.4 ${name}`);
  return { name, sha256: createHash('sha256').update(bytes).digest('hex'), base64: bytes.toString('base64') };
}

function sender(
  deps: Partial<ConstructorParameters<typeof OutboxSender>[0]> = {},
  opts: OutboxSenderOptions = {},
): OutboxSender {
  return new OutboxSender(
    {
      outbox,
      national: nationalClient(),
      provincial: provincialClient(),
      clock: testClock,
      random: () => 0.5,
      log: lineLogger(logLines),
      ...deps,
    },
    opts,
  );
}

/** Drains, moving the clock past any back-off, until nothing is pending or retrying. */
async function settle(s: OutboxSender, maxDrains = 40): Promise<number> {
  for (let i = 1; i <= maxDrains; i++) {
    await s.drainOnce();
    const c = outbox.counts();
    if (c.pending + c.retrying === 0) return i;
    clock += 10 * 60_000;
  }
  throw new Error(`outbox did not settle: ${JSON.stringify(outbox.counts())}`);
}

/** Wraps a portal and records successful calls as `method:MaHoSo`. */
function recording(inner: NationalPortal, trail: string[]): NationalPortal {
  return {
    async syncDossiers(items, isUpdating) {
      const r = await inner.syncDossiers(items, isUpdating);
      for (const i of items) trail.push(`sync:${i.MaHoSo}`);
      return r;
    },
    async pushProgress(steps) {
      await inner.pushProgress(steps);
      for (const s of steps) trail.push(`progress:${s.MaHoSo}:${s.NoiDungXuLy}`);
    },
    lookupDossier: (c) => inner.lookupDossier(c),
    lookupCitizen: (id) => inner.lookupCitizen(id),
    queryDocuments: (q) => inner.queryDocuments(q),
    listProcedures: (since) => inner.listProcedures(since),
    getProcedure: (c, on) => inner.getProcedure(c, on),
    listAgencies: () => inner.listAgencies(),
    listSectors: () => inner.listSectors(),
  };
}

beforeEach(async () => {
  national = await startNationalPortalSimulator();
  provincial = await startProvincialSimulator();
  outbox = new MemoryOutbox();
  clock = 1_750_000_000_000;
  logLines = [];
});

afterEach(async () => {
  await Promise.all([national.close(), provincial.close()]);
});

describe('backoffDelay', () => {
  it.each<[number, number, number]>([
    [0, 1, 1000],
    [1, 1, 2000],
    [2, 1, 4000],
    [8, 1, 256_000],
    [9, 1, 300_000],
    [40, 1, 300_000],
    [3, 0.5, 4000],
    [3, 0, 0],
  ])('attempts %i, random %f → %i ms', (attempts, random, expected) => {
    expect(backoffDelay(attempts, 1000, 300_000, () => random)).toBe(expected);
  });
});

describe('OutboxSender against the simulators', () => {
  it('delivers every row exactly once despite 500, timeout, drop and garbage faults', async () => {
    const a = outbox.add('national', 'dossier.upsert', code(1), { dossier: wire(1) });
    const aStep = outbox.add('national', 'dossier.progress', code(1), { steps: [step(1, 1)] });
    const aHand = outbox.add('provincial', 'dossier.handoff', code(1), {
      dossier: wire(1),
      files: [scan('to-khai.pdf')],
    });
    outbox.add('national', 'dossier.upsert', code(2), wire(2));
    const bHand = outbox.add('provincial', 'dossier.handoff', code(2), { dossier: wire(2) });

    national.faults.failNext(1, '500', { only: 'TraCuuHoSo' });
    national.faults.failNext(1, 'timeout', { only: 'DongBoHoSoMC' });
    national.faults.failNext(1, 'drop', { only: 'DongBoHoSoMC' });
    national.faults.failNext(1, 'garbage', { only: 'DongBoHoSoMC' });
    national.faults.failNext(1, 'garbage', { only: 'CapNhatTienDoHoSoMC' });
    provincial.faults.failNext(1, 'drop', { only: '/api/dossiers' });
    provincial.faults.failNext(1, 'timeout', { only: '/api/dossiers' });
    provincial.faults.failNext(1, '500', { only: '/api/dossiers' });

    const s = sender({ loadFiles: async (c) => (c === code(2) ? [scan('anh.pdf')] : []) });
    const drains = await settle(s);
    expect(drains).toBeGreaterThan(1);
    expect(national.faults.pending + provincial.faults.pending).toBe(0);

    expect(outbox.counts()).toEqual({ pending: 0, retrying: 0, sent: 5, dead: 0 });
    for (const c of [code(1), code(2)]) {
      expect(national.state.dossiers.get(c)?.createCount).toBe(1);
      expect(provincial.state.dossiers.get(c)?.receiveCount).toBe(1);
      expect(outbox.stateOf(c)).toEqual({ national: 'synced', provincial: 'synced' });
    }
    // Answers lost after the portal stored the record were retried as updates, never as creates.
    const updates = [code(1), code(2)].reduce((n, c) => n + (national.state.dossiers.get(c)?.updateCount ?? 0), 0);
    expect(updates).toBeGreaterThanOrEqual(2);
    expect(national.state.progress.get(code(1))?.map((p) => p.NoiDungXuLy)).toEqual(['Bước 1']);
    expect(provincial.state.dossiers.get(code(2))?.files.map((f) => f.name)).toEqual(['anh.pdf']);
    expect(outbox.row(a.id).remoteRef).toBe(code(1));
    expect(outbox.row(aStep.id).remoteRef).toBeNull();
    expect(outbox.row(aHand.id).remoteRef).toBe(provincial.state.dossiers.get(code(1))?.remoteId);
    const attempts = (target: string): number =>
      outbox.rows.filter((r) => r.target === target).reduce((n, r) => n + r.attempts, 0);
    // Five national faults; a fault on a call shared by both dossiers costs each of them an attempt.
    expect(attempts('national')).toBeGreaterThanOrEqual(5);
    expect(attempts('national')).toBeLessThanOrEqual(10);
    expect(attempts('provincial')).toBe(3);
    expect(outbox.row(bHand.id).status).toBe('sent');
  });

  it('recognises a row sent again after a crash before markSent (duplicate retry)', async () => {
    outbox.add('national', 'dossier.upsert', code(3), { dossier: wire(3) });
    const hand = outbox.add('provincial', 'dossier.handoff', code(3), { dossier: wire(3), files: [] });
    const s = sender();
    await settle(s);

    for (const r of outbox.rows) {
      r.status = 'pending';
      r.nextAttemptAt = 0;
    }
    const result = await s.drainOnce();
    expect(result).toMatchObject({ sent: 2, failed: 0 });
    expect(national.state.dossiers.get(code(3))).toMatchObject({ createCount: 1, updateCount: 1 });
    expect(provincial.state.dossiers.get(code(3))?.receiveCount).toBe(1);
    expect(provincial.state.idempotency.has(hand.idempotencyKey)).toBe(true);
  });

  it('sends an upsert as an update when the payload says so, without asking TraCuuHoSo', async () => {
    const s = sender();
    outbox.add('national', 'dossier.upsert', code(4), { dossier: wire(4) });
    await settle(s);
    const lookups = national.state.calls.filter((c) => c.service === 'TraCuuHoSo').length;
    outbox.add('national', 'dossier.upsert', code(4), {
      dossier: { ...wire(4), TrangThaiHoSo: '4' },
      isUpdating: true,
    });
    await settle(s);
    expect(national.state.calls.filter((c) => c.service === 'TraCuuHoSo').length).toBe(lookups);
    expect(national.state.dossiers.get(code(4))).toMatchObject({ createCount: 1, updateCount: 1 });
    expect(national.state.dossiers.get(code(4))?.record.TrangThaiHoSo).toBe('4');
  });

  it("keeps each dossier's rows in order; a failing head holds back only its own dossier", async () => {
    const trail: string[] = [];
    for (let n = 0; n <= 3; n++) {
      for (const seq of [5, 6, 7]) {
        if (n === 0) outbox.add('national', 'dossier.upsert', code(seq), { dossier: wire(seq) });
        else outbox.add('national', 'dossier.progress', code(seq), { steps: [step(seq, n)] });
      }
    }
    // The creates go in one DongBoHoSoMC; dossier 5's own lookup (its payload does not say
    // whether it is new) fails, so only dossier 5 is held back.
    national.faults.failNext(1, '500', { only: 'TraCuuHoSo' });
    const s = sender({ national: recording(nationalClient(), trail) });

    const first = await s.drainOnce();
    expect(first).toMatchObject({ sent: 8, failed: 1, dead: 0 });
    expect(outbox.stateOf(code(5)).national).toBe('retrying');
    expect(outbox.stateOf(code(6)).national).toBe('synced');
    expect(outbox.stateOf(code(7)).national).toBe('synced');
    expect(national.state.progress.has(code(5))).toBe(false);

    await settle(s);
    expect(outbox.counts().dead).toBe(0);
    for (const seq of [5, 6, 7]) {
      const mine = trail.filter((t) => t.includes(code(seq)));
      expect(mine).toEqual([
        `sync:${code(seq)}`,
        `progress:${code(seq)}:Bước 1`,
        `progress:${code(seq)}:Bước 2`,
        `progress:${code(seq)}:Bước 3`,
      ]);
      expect(national.state.progress.get(code(seq))?.map((p) => p.NoiDungXuLy)).toEqual(['Bước 1', 'Bước 2', 'Bước 3']);
    }
  });

  it('a row left "outcome unknown" by a crash is looked up first: nothing the portal holds is sent again', async () => {
    // Before the crash the portal stored dossier 20 and its first step; the desk recorded neither.
    await nationalClient().syncDossiers([wire(20)], false);
    await nationalClient().pushProgress([step(20, 1)]);
    const create = outbox.add('national', 'dossier.upsert', code(20), { dossier: wire(20), isUpdating: false });
    const steps = outbox.add('national', 'dossier.progress', code(20), { steps: [step(20, 1), step(20, 2)] });
    outbox.markOutcomeUnknown([create.id, steps.id]);
    const trail: string[] = [];
    await settle(sender({ national: recording(nationalClient(), trail) }));
    expect(outbox.row(create.id).status).toBe('sent');
    expect(outbox.row(steps.id).status).toBe('sent');
    // No second create, and only the step the portal lacked.
    expect(trail).toEqual([`progress:${code(20)}:Bước 2`]);
    expect(national.state.dossiers.get(code(20))).toMatchObject({ createCount: 1, updateCount: 0 });
    expect(national.state.progress.get(code(20))?.map((p) => p.NoiDungXuLy)).toEqual(['Bước 1', 'Bước 2']);
  });

  it('a first create (isUpdating false, nothing unknown) goes without a lookup, several in one call', async () => {
    for (const n of [21, 22, 23])
      outbox.add('national', 'dossier.upsert', code(n), { dossier: wire(n), isUpdating: false });
    await sender().drainOnce();
    expect(national.state.calls.filter((c) => c.service !== 'auth').map((c) => c.service)).toEqual(['DongBoHoSoMC']);
    expect(outbox.counts()).toMatchObject({ sent: 3 });
  });

  it('steps of several dossiers share one call; a refused shared call is sent again dossier by dossier', async () => {
    for (const n of [24, 25]) await nationalClient().syncDossiers([wire(n)], false);
    const ok1 = outbox.add('national', 'dossier.progress', code(24), { steps: [step(24, 1)] });
    const orphan = outbox.add('national', 'dossier.progress', code(26), { steps: [step(26, 1)] });
    const ok2 = outbox.add('national', 'dossier.progress', code(25), { steps: [step(25, 1)] });
    await sender().drainOnce();
    expect(outbox.row(ok1.id).status).toBe('sent');
    expect(outbox.row(ok2.id).status).toBe('sent');
    expect(outbox.row(orphan.id)).toMatchObject({ status: 'dead', attempts: 1 });
    expect(outbox.row(orphan.id).lastError).toMatch(/\[error_code 3\].*chưa được đồng bộ/u);
    // One shared call (refused), then each alone after a lookup: every step stored once.
    const steps = national.state.calls.filter((c) => c.service === 'CapNhatTienDoHoSoMC').length;
    expect(steps).toBe(4);
    expect(
      national.state.received
        .filter((r) => r.service === 'CapNhatTienDoHoSoMC')
        .map((r) => `${r.maHoSo.slice(-4)}:${r.outcome}`),
    ).toEqual(['0024:stored', '0025:stored']);

    const shared = outbox.add('national', 'dossier.progress', code(24), { steps: [step(24, 2)] });
    const shared2 = outbox.add('national', 'dossier.progress', code(25), { steps: [step(25, 2)] });
    await sender().drainOnce();
    expect([outbox.row(shared.id).status, outbox.row(shared2.id).status]).toEqual(['sent', 'sent']);
    expect(national.state.calls.filter((c) => c.service === 'CapNhatTienDoHoSoMC').length).toBe(steps + 1);
  });

  it('puts a rejected row dead at once and keeps delivering other dossiers', async () => {
    const orphan = outbox.add('national', 'dossier.progress', code(8), { steps: [step(8, 1)] });
    const behind = outbox.add('national', 'dossier.progress', code(8), { steps: [step(8, 2)] });
    const broken = outbox.add('national', 'dossier.upsert', code(9), { something: 'else' });
    outbox.add('national', 'dossier.upsert', code(10), { dossier: wire(10) });
    outbox.add('national', 'dossier.progress', code(10), [step(10, 1)]);

    const result = await sender().drainOnce();
    expect(result).toMatchObject({ sent: 2, failed: 2, dead: 2 });
    expect(outbox.row(orphan.id)).toMatchObject({ status: 'dead', attempts: 1 });
    expect(outbox.row(orphan.id).lastError).toMatch(/REMOTE_REJECTED/);
    expect(outbox.row(orphan.id).lastError).toMatch(/chưa được đồng bộ/);
    expect(outbox.row(behind.id).status).toBe('pending');
    expect(outbox.row(broken.id).status).toBe('dead');
    expect(outbox.row(broken.id).lastError).toMatch(/invalid dossier.upsert payload/);
    expect(outbox.stateOf(code(8)).national).toBe('dead');
    expect(outbox.stateOf(code(10)).national).toBe('synced');
    expect(national.state.progress.get(code(10))).toHaveLength(1);
  });

  it('backs off exponentially with jitter and goes dead after maxAttempts', async () => {
    const url = national.url;
    await national.close();
    const row = outbox.add('national', 'dossier.upsert', code(11), { dossier: wire(11) });
    // Breaker out of the way: this test is about the back-off of one row (the breaker has its own tests).
    const s = sender(
      { national: nationalClient(url) },
      { baseDelayMs: 1000, maxDelayMs: 8000, maxAttempts: 6, breaker: { failureThreshold: 100 } },
    );

    const delays: number[] = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      const r = await s.drainOnce();
      expect(r).toMatchObject({ sent: 0, failed: 1, dead: 0 });
      const after = outbox.row(row.id);
      expect(after).toMatchObject({ status: 'retrying', attempts: attempt });
      delays.push(after.nextAttemptAt - clock);
      clock += 1;
      expect((await s.drainOnce()).failed).toBe(0);
      clock = after.nextAttemptAt;
    }
    expect(delays).toEqual([500, 1000, 2000, 4000, 4000]);
    expect(outbox.row(row.id).lastError).toMatch(/REMOTE_UNAVAILABLE/);

    const last = await s.drainOnce();
    expect(last).toMatchObject({ failed: 1, dead: 1 });
    expect(outbox.row(row.id).status).toBe('dead');
    expect(outbox.row(row.id).lastError).toMatch(/^gave up after 6 attempts: REMOTE_UNAVAILABLE/);
    national = await startNationalPortalSimulator();
  });

  it('defers the rest of an unreachable remote within a drain, but not the other remote', async () => {
    const url = national.url;
    await national.close();
    const n1 = outbox.add('national', 'dossier.upsert', code(12), { dossier: wire(12) });
    const n2 = outbox.add('national', 'dossier.progress', code(13), { steps: [step(13, 1)] });
    outbox.add('provincial', 'dossier.handoff', code(12), { dossier: wire(12), files: [] });
    const r = await sender({ national: nationalClient(url) }).drainOnce();
    expect(r).toMatchObject({ sent: 1, failed: 1, deferred: 1 });
    expect(outbox.row(n1.id).status).toBe('retrying');
    expect(outbox.row(n2.id)).toMatchObject({ status: 'pending', attempts: 0 });
    national = await startNationalPortalSimulator();
  });

  it('does not let one row’s exception or a failing store stop the loop', async () => {
    const throwing: NationalPortal = {
      ...nationalClient(),
      syncDossiers: async () => {
        throw new TypeError('unexpected bug');
      },
    };
    const sync = outbox.add('national', 'dossier.upsert', code(14), { dossier: wire(14) });
    const files = outbox.add('provincial', 'dossier.handoff', code(15), { dossier: wire(15) });
    const fine = outbox.add('provincial', 'dossier.handoff', code(16), { dossier: wire(16), files: [] });
    const lost = outbox.add('provincial', 'dossier.handoff', code(17), { dossier: wire(17), files: [] });
    outbox.failNextMarkSent = true;

    const s = sender({
      national: throwing,
      loadFiles: async () => {
        throw new Error('blob store unreadable');
      },
    });
    const r = await s.drainOnce();
    expect(r.failed).toBe(2);
    expect(outbox.row(sync.id)).toMatchObject({ status: 'retrying', lastError: 'unexpected bug' });
    expect(outbox.row(files.id)).toMatchObject({ status: 'retrying', lastError: 'blob store unreadable' });
    expect(outbox.row(fine.id).status).toBe('pending');
    expect(outbox.row(lost.id).status).toBe('sent');
    expect(logLines.some((l) => l.includes('recording the result failed'))).toBe(true);

    await s.drainOnce();
    expect(outbox.row(fine.id).status).toBe('sent');
    expect(provincial.state.dossiers.get(code(16))?.receiveCount).toBe(1);
  });

  it('marks a row dead when its kind does not belong to its target', async () => {
    const row = outbox.add('national', 'dossier.handoff', code(18), { dossier: wire(18), files: [] });
    await sender().drainOnce();
    expect(outbox.row(row.id)).toMatchObject({
      status: 'dead',
      lastError: 'dossier.handoff cannot be sent to national',
    });
  });

  it('runs on a timer, reports progress, and stops cleanly', async () => {
    const reports: OutboxCounts[] = [];
    for (const seq of [19, 20, 21]) outbox.add('national', 'dossier.upsert', code(seq), { dossier: wire(seq) });
    const s = sender({ clock: systemClock, onProgress: (c) => reports.push(c) });
    s.start(20);
    const deadline = Date.now() + 5000;
    while (outbox.counts().sent < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    outbox.add('national', 'dossier.progress', code(19), { steps: [step(19, 1)] });
    s.nudge();
    while (outbox.counts().sent < 4 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    await s.stop();
    expect(outbox.counts().sent).toBe(4);
    expect(reports.at(-1)).toEqual({ pending: 0, retrying: 0, sent: 4, dead: 0 });

    const callsAfterStop = national.state.calls.length;
    outbox.add('national', 'dossier.upsert', code(22), { dossier: wire(22) });
    await new Promise((r) => setTimeout(r, 60));
    expect(national.state.calls.length).toBe(callsAfterStop);
  });

  it('shares one drain between concurrent drainOnce calls', async () => {
    outbox.add('national', 'dossier.upsert', code(23), { dossier: wire(23) });
    const s = sender();
    const [a, b] = await Promise.all([s.drainOnce(), s.drainOnce()]);
    expect(a).toBe(b);
    expect(national.state.dossiers.get(code(23))?.createCount).toBe(1);
  });
});

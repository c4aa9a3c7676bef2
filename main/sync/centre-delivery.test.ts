import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError } from '../../common/contract/errors';
import type { CentreLink } from '../remotes/centre/centre.port';
import type { ReplicationEntry, ReplicationResult } from '../remotes/centre/wire-replication';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import type { ProvincialSystem } from '../remotes/provincial/provincial.port';
import { RemoteError } from '../remotes/remote-error';
import { openStore, type Store } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { OutboxSender } from './outbox-sender';

/**
 * The sender's handling of every answer a centre (or a broken network) may give to `replicate`,
 * with a scripted link; the real centre is in centre-replication.test.ts.
 */
const CODE = '000.00.12.H56-261208-0001';

function unreachable<T>(remote: 'national' | 'provincial'): T {
  return new Proxy(
    {},
    { get: () => () => Promise.reject(new RemoteError(remote, 'REMOTE_UNAVAILABLE', `${remote} down (test)`)) },
  ) as T;
}

describe('the sender and the centre’s answers', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let calls: ReplicationEntry[][];
  let answer: (entries: readonly ReplicationEntry[]) => Promise<ReplicationResult[]>;

  const link = {
    replicate: (entries: readonly ReplicationEntry[]) => {
      calls.push([...entries]);
      return answer(entries);
    },
  } as unknown as CentreLink;

  function sender(centre: CentreLink | null = link): OutboxSender {
    return new OutboxSender(
      {
        outbox: store.outbox,
        national: unreachable<NationalPortal>('national'),
        provincial: unreachable<ProvincialSystem>('provincial'),
        centre,
        random: () => 0,
      },
      { breaker: { failureThreshold: 3 } },
    );
  }

  function status(n: number): number {
    return store.transaction(
      () =>
        store.outbox.enqueueCentre(
          {
            kind: 'dossier.status',
            at: Date.now(),
            payload: { code: `${CODE.slice(0, -1)}${n}`, status: 5, at: '2026-12-08T10:00', officer: 'canbo' },
          },
          `${CODE.slice(0, -1)}${n}`,
          Date.now(),
        )!.id,
    );
  }

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.outbox.replicateToCentre({ deviceId: 'dev-1', centreId: 'c-1', counter: 'Q01' });
    calls = [];
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('sends the rows of a round in one call, keyed by the outbox, and marks stored and duplicate as sent', async () => {
    const ids = [status(1), status(2), status(3)];
    answer = (entries) =>
      Promise.resolve(entries.map((e, i) => ({ key: e.key, outcome: i === 1 ? 'duplicate' : 'stored' }) as const));
    const r = await sender().drainOnce();
    expect(r.sent).toBe(3);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.map((e) => e.key)).toEqual(ids.map((id) => `dev-1:${id}`));
    expect(ids.map((id) => store.outbox.get(id)!.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('an answer that does not match what was sent (other keys, too few results) is retried, never taken as sent', async () => {
    const a = status(1);
    const b = status(2);
    answer = (entries) =>
      Promise.resolve([{ key: 'someone-else', outcome: 'stored' as const }].slice(0, entries.length - 1));
    await sender().drainOnce();
    expect(store.outbox.get(a)).toMatchObject({ status: 'retrying', lastErrorCode: 'REMOTE_BAD_RESPONSE' });
    expect(store.outbox.get(b)).toMatchObject({ status: 'retrying', lastErrorCode: 'REMOTE_BAD_RESPONSE' });
  });

  it('an entry ahead of the centre’s clock waits (retried, not dead, the breaker unharmed)', async () => {
    const a = status(1);
    answer = (entries) =>
      Promise.resolve(
        entries.map((e) => ({
          key: e.key,
          outcome: 'rejected' as const,
          error: { code: 'CENTRE_CLOCK_SKEW', message: 'đi trước đồng hồ trung tâm' },
        })),
      );
    const s = sender();
    for (let i = 0; i < 4; i += 1) await s.drainOnce();
    expect(store.outbox.get(a)).toMatchObject({ status: 'retrying', lastErrorCode: 'CENTRE_CLOCK_SKEW' });
    expect(s.breakerStates().centre.state).toBe('closed');
  });

  it('a whole call refused with one of our codes: every row dead with that code', async () => {
    const a = status(1);
    const b = status(2);
    answer = () => Promise.reject(new AppError('VALIDATION_FAILED', 'Mỗi lần gửi tối đa 500 mục'));
    const r = await sender().drainOnce();
    expect(r.dead).toBe(2);
    for (const id of [a, b]) {
      expect(store.outbox.get(id)).toMatchObject({
        status: 'dead',
        deadReason: 'rejected',
        lastErrorCode: 'VALIDATION_FAILED',
      });
    }
  });

  it('a server that is not the enrolled centre (TLS refused) opens the breaker and leaves the rows as they were', async () => {
    const a = status(1);
    answer = () => Promise.reject(new RemoteError('centre', 'REMOTE_AUTH_FAILED', 'không xuất trình chứng thư'));
    const s = sender();
    await s.drainOnce();
    expect(store.outbox.get(a)).toMatchObject({ status: 'pending', attempts: 0 });
    expect(s.breakerStates().centre.state).toBe('open');
    // Open: the next drain does not call the centre at all.
    await s.drainOnce();
    expect(calls).toHaveLength(1);
  });

  it('timeouts count against the centre’s breaker only; it opens after the threshold', async () => {
    status(1);
    answer = () => Promise.reject(new RemoteError('centre', 'REMOTE_TIMEOUT', 'không trả lời'));
    const s = sender();
    for (let i = 0; i < 3; i += 1) await s.drainOnce();
    expect(s.breakerStates().centre.state).toBe('open');
    expect(s.breakerStates().provincial.state).toBe('closed');
  });

  it('without a link (the desk left its centre) the centre rows are not read; the others still go', async () => {
    const a = status(1);
    store.outbox.enqueue({
      target: 'provincial',
      kind: 'dossier.handoff',
      dossierCode: CODE,
      idempotencyKey: 'h1',
      payload: { broken: true },
      now: Date.now(),
    });
    const r = await sender(null).drainOnce();
    expect(r).toMatchObject({ sent: 0, dead: 1, deferred: 0 });
    expect(store.outbox.get(a)).toMatchObject({ status: 'pending', attempts: 0 });
  });
});

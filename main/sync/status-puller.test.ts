import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Person } from '../../common/contract/schemas';
import { EventHub } from '../core/event-hub';
import { silentLogger } from '../kernel/logger';
import { createProvincialClient } from '../remotes/provincial/provincial.client';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from '../remotes/provincial/provincial.simulator';
import { openStore, type Store } from '../store/store';
import { newDossier, personInput, tempDir } from '../store/testing/store-fixtures';
import { StatusPuller } from './status-puller';

const code = (n: number): string => `000.00.12.H56-250715-${String(n).padStart(4, '0')}`;
const at = (minute: number): string => new Date(Date.UTC(2025, 6, 16, 2, minute)).toISOString();

describe('StatusPuller against the provincial simulator', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let sim: ProvincialSimulator;
  let applicant: Person;
  let changed: [string, number][];

  beforeEach(async () => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    applicant = store.people.upsert(personInput());
    for (let n = 1; n <= 3; n++) store.dossiers.insert(newDossier(applicant, { code: code(n), requestId: `r${n}` }));
    sim = await startProvincialSimulator();
    changed = [];
  });
  afterEach(async () => {
    await sim.close();
    store.close();
    temp.cleanup();
  });

  const puller = (pageSize = 100) => {
    const events = new EventHub(silentLogger);
    events.on('dossier.changed', ({ code: c, status: s }) => changed.push([c, s]));
    return new StatusPuller(
      {
        store,
        provincial: createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 1000 }),
        events,
      },
      { pageSize },
    );
  };
  const statusOf = (n: number): number => store.dossiers.getByCode(code(n))!.status;

  it('applies status changes page by page with the cursor in the same transaction', async () => {
    sim.pushStatus(code(1), 4, { at: at(1), note: 'Chuyển phòng chuyên môn' });
    sim.pushStatus(code(2), 4, { at: at(2) });
    sim.pushStatus(code(1), 9, { at: at(3) });
    const r = await puller(2).pullOnce();
    expect(r).toMatchObject({ pages: 2, applied: 3, stale: 0, unknown: 0, feedReset: false });
    expect([statusOf(1), statusOf(2), statusOf(3)]).toEqual([9, 4, 2]);
    expect(changed).toEqual([
      [code(1), 4],
      [code(2), 4],
      [code(1), 9],
    ]);
    expect(store.syncState.cursor('provincial', 'status')).toMatchObject({
      feedId: sim.state.statusFeed.feedId,
      cursor: '3',
    });
    const history = store.dossiers.getByCode(code(1))!;
    expect(JSON.stringify(history)).toContain('Chuyển phòng chuyên môn');

    // Nothing new: nothing changes, the cursor stays.
    expect(await puller().pullOnce()).toMatchObject({ applied: 0, pages: 1 });
    expect(statusOf(1)).toBe(9);
  });

  it('on a desk enrolled at a centre, each applied change also writes the centre’s dossier.status (none when not)', async () => {
    sim.pushStatus(code(1), 4, { at: at(1) });
    await puller().pullOnce();
    expect(store.outbox.listForDossier(code(1))).toEqual([]);

    store.outbox.replicateToCentre({ deviceId: 'dev-1', centreId: 'c-1' });
    sim.pushStatus(code(1), 9, { at: at(2) });
    sim.pushStatus(code(1), 4, { at: at(0) }); // older: ignored, so nothing for the centre either
    await puller().pullOnce();
    const rows = store.outbox.listForDossier(code(1));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ target: 'centre', kind: 'centre.entry', idempotencyKey: `dev-1:${rows[0]!.id}` });
    expect(rows[0]!.payload).toMatchObject({
      kind: 'dossier.status',
      payload: { code: code(1), status: 9, officer: 'provincial' },
    });
  });

  it('never goes backwards: a late, older update is ignored, also across pulls', async () => {
    sim.pushStatus(code(1), 9, { at: at(10) });
    await puller().pullOnce();
    sim.pushStatus(code(1), 4, { at: at(5) }); // happened before, published after
    const r = await puller().pullOnce();
    expect(r).toMatchObject({ applied: 0, stale: 1 });
    expect(statusOf(1)).toBe(9);
    expect(store.syncState.remoteStatus(code(1), 'provincial')).toMatchObject({ status: 9, seq: 1 });
  });

  it('handles pages out of order and repeated (fault: statusFeedOutOfOrder)', async () => {
    sim.state.statusFeedOutOfOrder = true;
    sim.pushStatus(code(1), 4, { at: at(1) });
    sim.pushStatus(code(1), 5, { at: at(2) });
    sim.pushStatus(code(1), 4, { at: at(3) });
    sim.pushStatus(code(2), 4, { at: at(4) });
    sim.pushStatus(code(2), 9, { at: at(5) });
    const r = await puller(2).pullOnce();
    expect(r.pages).toBe(3);
    expect(r.stale).toBeGreaterThan(0); // the repeated items
    expect([statusOf(1), statusOf(2)]).toEqual([4, 9]);
    expect(store.syncState.remoteStatus(code(1), 'provincial')).toMatchObject({ status: 4, seq: 3 });
  });

  it('ignores dossiers of other desks and keeps a final local status', async () => {
    store.dossiers.setStatus(code(3), 3, 'canbo1', 'Từ chối', '2025-07-15T10:00');
    sim.pushStatus(code(99), 4, { at: at(1) });
    sim.pushStatus(code(3), 4, { at: at(2) });
    const r = await puller().pullOnce();
    expect(r).toMatchObject({ unknown: 1, keptFinal: 1, applied: 0 });
    expect(statusOf(3)).toBe(3);
  });

  it('an empty or reset remote never wipes or rewinds local data', async () => {
    sim.pushStatus(code(1), 4, { at: at(1) });
    sim.pushStatus(code(2), 9, { at: at(2) });
    await puller().pullOnce();
    const before = [statusOf(1), statusOf(2), statusOf(3)];

    sim.reset(); // new, empty feed
    const r = await puller().pullOnce();
    expect(r).toMatchObject({ feedReset: true, applied: 0 });
    expect([statusOf(1), statusOf(2), statusOf(3)]).toEqual(before);
    expect(store.dossiers.getByCode(code(1))).not.toBeNull();
    expect(store.syncState.remoteStatus(code(2), 'provincial')).toMatchObject({ status: 9 });
    expect(store.syncState.cursor('provincial', 'status')).toMatchObject({
      feedId: sim.state.statusFeed.feedId,
      cursor: '0',
    });

    // The new feed starts again at seq 1 with old news (a replay): nothing goes back.
    sim.pushStatus(code(2), 4, { at: at(1) });
    // ...and real news after it is applied.
    sim.pushStatus(code(1), 9, { at: at(30) });
    const again = await puller().pullOnce();
    expect(again).toMatchObject({ applied: 1, stale: 1 });
    expect([statusOf(1), statusOf(2)]).toEqual([9, 9]);
  });

  it('a failing pull applies nothing and keeps the cursor', async () => {
    sim.pushStatus(code(1), 4, { at: at(1) });
    sim.faults.failNext(1, 'garbage', { only: '/api/status-changes' });
    await expect(puller().pullOnce()).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
    expect(statusOf(1)).toBe(2);
    expect(store.syncState.cursor('provincial', 'status')).toBeNull();
    expect(await puller().pullOnce()).toMatchObject({ applied: 1 });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Procedure } from '../../common/contract/schemas';
import { computeAppointment } from '../../common/domain';
import { WorkingTimeProvider } from '../intake/working-time';
import { fixedClock } from '../kernel/clock';
import { createNationalPortalClient } from '../remotes/national-portal/national-portal.client';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from '../remotes/national-portal/national-portal.simulator';
import { toWireProcedure } from '../remotes/national-portal/wire-format';
import { createProvincialClient } from '../remotes/provincial/provincial.client';
import type { HolidayNotice } from '../remotes/provincial/provincial.port';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from '../remotes/provincial/provincial.simulator';
import { openStore, type Store } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { effectiveProcedure } from '../store/reference-data.repository';
import { ReferencePuller } from './reference-puller';

const CODE = '2.000635';

/** The desk's current version: 5 working days, a 15:00 same-day cut-off set locally. */
const current: Procedure = {
  code: CODE,
  name: 'Cấp bản sao trích lục hộ tịch',
  sectorCode: 'HO-TICH',
  sectorName: 'Hộ tịch',
  level: 'Cấp xã',
  agencyName: 'UBND xã',
  resultName: 'Bản sao trích lục',
  resultCode: 'KQ0001',
  cutoff: '15:00',
  components: [{ code: 'TP01', name: 'Tờ khai', documentCode: null, required: true, originals: 1, copies: 0 }],
  channels: [
    { channel: 'walk-in', duration: 5, unit: 'working-days', fees: [{ code: 'LP01', name: 'Lệ phí', amount: 8000 }] },
  ],
  effectiveFrom: '2025-07-01',
};

/** Published by the portal on 10 Jan 2026, in force from 1 Mar 2026: 3 working days, a higher fee. */
const revised: Procedure = {
  ...current,
  cutoff: null,
  effectiveFrom: '2026-03-01',
  channels: [
    { channel: 'walk-in', duration: 3, unit: 'working-days', fees: [{ code: 'LP01', name: 'Lệ phí', amount: 10000 }] },
  ],
};

describe('ReferencePuller: catalogue and calendar with effective dates (real simulators, on-disk store)', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let national: NationalPortalSimulator;
  let provincial: ProvincialSimulator;
  let today: string;

  beforeEach(async () => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.catalogue.upsertProcedure(current);
    national = await startNationalPortalSimulator({
      procedures: [toWireProcedure(revised, { updatedAt: '2026-01-10T08:00' })],
    });
    provincial = await startProvincialSimulator();
    today = '2026-02-20';
  });
  afterEach(async () => {
    await national.close();
    await provincial.close();
    store.close();
    temp.cleanup();
  });

  const puller = (timeoutMs = 1000) =>
    new ReferencePuller({
      store,
      national: createNationalPortalClient({
        baseUrl: national.url,
        ...TRAINING_NATIONAL_USER,
        dstcode: TRAINING_DSTCODE,
        agencyCode: '000.00.12.H56',
        timeoutMs,
      }),
      provincial: createProvincialClient({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs }),
      clock: { now: () => Date.now(), localNow: () => `${today}T08:00`, today: () => today },
    });
  const due = (
    p: Procedure,
    receivedAt: string,
    wt = new WorkingTimeProvider(store, undefined, fixedClock(receivedAt.slice(0, 10))).get(),
  ) =>
    computeAppointment({
      receivedAt,
      duration: p.channels[0]!.duration,
      unit: p.channels[0]!.unit,
      cutoff: p.cutoff,
      workingTime: wt,
    }).due;

  it('keeps the current version until a pulled change takes effect, then uses the new one on the receiving date', async () => {
    expect(await puller().pullCatalogue()).toMatchObject({ listed: 1, appliedNow: 0, scheduled: 1 });
    expect(store.catalogue.get(CODE)).toEqual(current);
    expect(store.referenceData.pending().map((c) => c.effectiveFrom)).toEqual(['2026-03-01']);

    // Received on 27 Feb: the old terms (5 working days).
    const before = effectiveProcedure(store, CODE, '2026-02-27')!;
    expect(before.channels[0]!.duration).toBe(5);
    expect(due(before, '2026-02-27T09:00')).toBe('2026-03-06T09:00');
    // Received on 2 Mar (before the upkeep applied anything): the new terms, the local cut-off kept.
    const after = effectiveProcedure(store, CODE, '2026-03-02')!;
    expect(after).toMatchObject({ cutoff: '15:00', channels: [{ duration: 3, fees: [{ amount: 10000 }] }] });
    expect(due(after, '2026-03-02T09:00')).toBe('2026-03-05T09:00');

    // Nothing is due yet.
    expect(puller().applyDue()).toBe(0);
    today = '2026-03-01';
    expect(puller().applyDue()).toBe(1);
    expect(store.catalogue.get(CODE)).toMatchObject({
      effectiveFrom: '2026-03-01',
      cutoff: '15:00',
      channels: [{ duration: 3 }],
    });
    expect(store.referenceData.pending()).toEqual([]);
    expect(store.referenceData.history(CODE)).toHaveLength(1);
  });

  it('applies a change already in force at once, and a repeated pull changes nothing', async () => {
    today = '2026-03-05';
    expect(await puller().pullCatalogue()).toMatchObject({ appliedNow: 1, scheduled: 0 });
    expect(store.catalogue.get(CODE)).toMatchObject({ cutoff: '15:00', channels: [{ duration: 3 }] });
    // The cursor moved: the portal is asked only for later changes.
    expect(store.syncState.cursor('national', 'catalogue')?.cursor).toBe('2026-01-10T08:00:00');
    expect(await puller().pullCatalogue()).toMatchObject({ listed: 0 });
    store.syncState.saveCursor({ remote: 'national', stream: 'catalogue', feedId: null, cursor: null, updatedAt: 0 });
    expect(await puller().pullCatalogue()).toMatchObject({ listed: 1, unchanged: 1, appliedNow: 0 });
  });

  it('a failure in the middle of a pull leaves the store and the cursor as they were', async () => {
    national.state.procedures.set(
      '1.001193',
      toWireProcedure({ ...current, code: '1.001193', name: 'Đăng ký khai sinh' }, { updatedAt: '2026-01-11T08:00' }),
    );
    national.faults.failNext(1, 'drop', { only: 'LayThuTuc', phase: 'before', skip: 1 });
    await expect(puller().pullCatalogue()).rejects.toMatchObject({ code: 'REMOTE_UNAVAILABLE' });
    expect(store.referenceData.pending()).toEqual([]);
    expect(store.referenceData.history(CODE)).toEqual([]);
    expect(store.syncState.cursor('national', 'catalogue')).toBeNull();
    expect(await puller().pullCatalogue()).toMatchObject({ listed: 2, scheduled: 1, appliedNow: 1 });
  });

  it('an empty or reset remote wipes nothing: catalogue, agencies, sectors, units, calendar stay', async () => {
    today = '2026-03-05';
    const p = puller();
    await p.pullCatalogue();
    expect(await p.pullAgenciesAndSectors()).toBeGreaterThan(0);
    expect(await p.pullAdministrativeUnits()).toBe(provincial.state.administrativeUnits.length);
    expect(await p.pullHolidayNotices([2026])).toBe(true);
    const before = {
      catalogue: store.catalogue.get(CODE),
      agencies: store.referenceData.agencies(),
      sectors: store.referenceData.sectors(),
      units: store.referenceData.administrativeUnits(),
      notices: store.calendar.listNotices(),
      count: store.catalogue.count(),
    };

    national.state.procedures.clear();
    national.state.agencies.length = 0;
    national.state.sectors.length = 0;
    provincial.state.administrativeUnits.length = 0;
    provincial.state.notices.length = 0;
    store.syncState.saveCursor({ remote: 'national', stream: 'catalogue', feedId: null, cursor: null, updatedAt: 0 });
    expect(await p.pullCatalogue()).toMatchObject({ listed: 0 });
    expect(await p.pullAgenciesAndSectors()).toBe(0);
    expect(await p.pullAdministrativeUnits()).toBe(0);
    expect(await p.pullHolidayNotices([2026])).toBe(false);
    expect({
      catalogue: store.catalogue.get(CODE),
      agencies: store.referenceData.agencies(),
      sectors: store.referenceData.sectors(),
      units: store.referenceData.administrativeUnits(),
      notices: store.calendar.listNotices(),
      count: store.catalogue.count(),
    }).toEqual(before);
  });

  it('keeps administrative units as data: a renamed unit is updated, a merged one keeps its row with its end date', async () => {
    const p = puller();
    await p.pullAdministrativeUnits();
    const unit = provincial.state.administrativeUnits.find((u) => u.code === '00070')!;
    unit.abolishedFrom = '2026-07-01';
    expect(await p.pullAdministrativeUnits()).toBe(1);
    expect(store.referenceData.administrativeUnits().find((u) => u.code === '00070')).toMatchObject({
      abolishedFrom: '2026-07-01',
      provinceCode: '01',
    });
    // A commune without its province is a malformed answer: nothing applied.
    provincial.state.administrativeUnits.push({
      code: '99999',
      name: 'Xã lạ',
      level: 'commune',
      provinceCode: null,
      effectiveFrom: '2026-01-01',
      abolishedFrom: null,
    });
    await expect(p.pullAdministrativeUnits()).rejects.toMatchObject({ code: 'REMOTE_BAD_RESPONSE' });
    expect(store.referenceData.administrativeUnits().some((u) => u.code === '99999')).toBe(false);
  });

  it('holiday notices count from their effective date; a revision dated later leaves the one in force until then', async () => {
    const notice: HolidayNotice = {
      id: 'TB-2026-02',
      effectiveFrom: '2026-03-01',
      year: 2026,
      replacesDefault: false,
      makeUpDays: [],
      daysOff: [{ date: '2026-03-10', name: 'Nghỉ theo thông báo', kind: 'swap' }],
    };
    provincial.state.notices.push(notice);
    expect(await puller().pullHolidayNotices([2026])).toBe(true);
    const receivedFeb = '2026-02-27T09:00';
    const receivedMar = '2026-03-09T08:00';
    const wtFeb = new WorkingTimeProvider(store, undefined, fixedClock('2026-02-27')).get();
    const wtMar = new WorkingTimeProvider(store, undefined, fixedClock('2026-03-09')).get();
    expect(wtFeb.isWorkingDay('2026-03-10')).toBe(true);
    expect(wtMar.isWorkingDay('2026-03-10')).toBe(false);
    expect(due(current, receivedMar, wtFeb)).toBe('2026-03-16T08:00');
    expect(due(current, receivedMar, wtMar)).toBe('2026-03-17T08:00');
    void receivedFeb;

    // The notice is revised on 5 Mar, the revision in force from 20 Mar: until then the 10 Mar day off stays.
    today = '2026-03-05';
    provincial.state.notices[provincial.state.notices.length - 1] = {
      ...notice,
      effectiveFrom: '2026-03-20',
      daysOff: [{ date: '2026-03-24', name: 'Nghỉ (sửa đổi)', kind: 'swap' }],
    };
    expect(await puller().pullHolidayNotices([2026])).toBe(true);
    expect(store.calendar.listForYear(2026).map((n) => n.id)).toEqual(
      expect.arrayContaining(['TB-2026-02', 'TB-2026-02@2026-03-20']),
    );
    expect(new WorkingTimeProvider(store, undefined, fixedClock('2026-03-06')).get().isWorkingDay('2026-03-24')).toBe(
      true,
    );
    expect(new WorkingTimeProvider(store, undefined, fixedClock('2026-03-20')).get().isWorkingDay('2026-03-24')).toBe(
      false,
    );
    // Pulling the same again changes nothing.
    expect(await puller().pullHolidayNotices([2026])).toBe(false);
  });

  it('a year that fails to pull is skipped, the others still apply', async () => {
    provincial.faults.failNext(1, '500', { only: '/api/holiday-notices' });
    expect(await puller().pullHolidayNotices([2025, 2026])).toBe(true);
    expect(store.calendar.listNotices().map((n) => n.year)).toEqual([2026]);
  });
});

import type { Procedure } from '../../common/contract/schemas';
import { CalendarNoticeSchema, type CalendarNotice } from '../../common/domain/holiday-calendar';
import type { NationalPortal } from '../remotes/national-portal/national-portal.port';
import type { HolidayNotice, ProvincialSystem } from '../remotes/provincial/provincial.port';
import type { Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import type { Store } from '../store/store';

export const CATALOGUE_STREAM = 'catalogue';

export interface ReferencePullerDeps {
  store: Pick<Store, 'transaction' | 'catalogue' | 'calendar' | 'referenceData' | 'syncState'>;
  national: Pick<NationalPortal, 'listProcedures' | 'getProcedure' | 'listAgencies' | 'listSectors'>;
  provincial: Pick<ProvincialSystem, 'holidayNotices' | 'administrativeUnits'>;
  /** Today's Vietnam date decides which versions are in force; records are stamped with its `now()`. */
  clock: Clock;
  /** Diagnostic lines (event `reference`, field `line`). */
  log?: Logger;
}

export interface CataloguePullResult {
  /** Records listed by the portal (changed since the cursor). */
  listed: number;
  /** Versions effective now, applied to the catalogue. */
  appliedNow: number;
  /** Versions dated in the future, kept until their date. */
  scheduled: number;
  /** Versions already recorded (a repeated pull). */
  unchanged: number;
  /** Listed codes the portal then did not return (LayThuTuc null): skipped, nothing deleted. */
  missing: number;
}

/**
 * Pulls reference data and keeps it with the dates it takes effect (docs/domain.md §11: rules are data
 * with an effective date):
 * - procedures (LayDanhSachTTHC since the cursor, then LayThuTuc per code): a version effective
 *   on or before today replaces the catalogue row (keeping the desk's own same-day cut-off); a
 *   later one waits in `procedure_changes` and the current row stays in use until `applyDue` on
 *   or after its date. Intake reads the version effective on the receiving date
 *   (`effectiveProcedure`, main/store/reference-data.repository.ts), so a waiting change is used
 *   from its first day even before upkeep.
 * - agencies, sectors, administrative units: inserted or updated.
 * - holiday notices: saved with their effective date; `WorkingTimeProvider` uses only the
 *   notices effective on the receiving date. A revision of a notice dated in the future is kept
 *   beside the one in force (id `<id>@<date>`), which stays until then.
 * Each pull is applied in one transaction (with its cursor). Nothing is ever deleted: an empty or
 * reset remote leaves every local row as it is.
 */
export class ReferencePuller {
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(private readonly deps: ReferencePullerDeps) {
    this.now = () => deps.clock.now();
    this.log = (line) => deps.log?.log('info', 'reference', { line });
  }

  async pullCatalogue(): Promise<CataloguePullResult> {
    const { store, national } = this.deps;
    const today = this.deps.clock.today();
    const cursor = store.syncState.cursor('national', CATALOGUE_STREAM);
    const listed = await national.listProcedures(cursor?.cursor ?? null);
    const fetched: { procedure: Procedure; active: boolean; updatedAt: string }[] = [];
    let missing = 0;
    // Network first, outside the transaction; a failure here leaves the store and cursor as they were.
    for (const item of listed) {
      const record = await national.getProcedure(item.code, today);
      if (record === null) {
        missing += 1;
        this.log(`catalogue: ${item.code} listed but not returned by LayThuTuc; kept as it is`);
        continue;
      }
      fetched.push({ procedure: record.procedure, active: record.active, updatedAt: record.updatedAt });
    }
    const result: CataloguePullResult = { listed: listed.length, appliedNow: 0, scheduled: 0, unchanged: 0, missing };
    const newest = listed.reduce<string | null>(
      (max, i) => (max === null || i.updatedAt > max ? i.updatedAt : max),
      cursor?.cursor ?? null,
    );
    const at = this.now();
    store.transaction(() => {
      for (const f of fetched) {
        const effectiveNow = f.procedure.effectiveFrom <= today;
        const current = store.catalogue.get(f.procedure.code);
        const merged: Procedure = { ...f.procedure, cutoff: current?.cutoff ?? null };
        const recorded = store.referenceData.recordChange({
          procedure: merged,
          active: f.active,
          remoteUpdatedAt: f.updatedAt,
          source: 'national',
          pulledAt: at,
          appliedAt: effectiveNow && f.active ? at : null,
        });
        if (!recorded) {
          result.unchanged += 1;
          continue;
        }
        if (!f.active) {
          // Withdrawn nationally: recorded, but the desk keeps the procedure (an officer may still
          // be finishing dossiers of it); IT staff remove it by hand.
          this.log(`catalogue: ${f.procedure.code} withdrawn by the portal (recorded, not removed)`);
          continue;
        }
        if (effectiveNow) {
          store.catalogue.upsertProcedure(merged);
          result.appliedNow += 1;
        } else {
          result.scheduled += 1;
        }
      }
      if (newest !== null)
        store.syncState.saveCursor({
          remote: 'national',
          stream: CATALOGUE_STREAM,
          feedId: null,
          cursor: newest,
          updatedAt: at,
        });
    });
    return result;
  }

  /** Applies the waiting procedure changes whose date has come, in one transaction. Returns how many. */
  applyDue(): number {
    const { store } = this.deps;
    const today = this.deps.clock.today();
    const at = this.now();
    return store.transaction(() => {
      const due = store.referenceData.dueChanges(today);
      for (const change of due) {
        if (change.active) {
          const current = store.catalogue.get(change.code);
          store.catalogue.upsertProcedure({ ...change.procedure, cutoff: current?.cutoff ?? change.procedure.cutoff });
        }
        store.referenceData.setApplied(change.id, at);
      }
      return due.length;
    });
  }

  /** Agencies and sectors; returns how many rows were inserted or changed. */
  async pullAgenciesAndSectors(): Promise<number> {
    const [agencies, sectors] = await Promise.all([
      this.deps.national.listAgencies(),
      this.deps.national.listSectors(),
    ]);
    const at = this.now();
    return this.deps.store.transaction(() => {
      let changed = 0;
      for (const a of agencies) if (this.deps.store.referenceData.saveAgency(a, at)) changed += 1;
      for (const s of sectors) if (this.deps.store.referenceData.saveSector(s, at)) changed += 1;
      return changed;
    });
  }

  async pullAdministrativeUnits(): Promise<number> {
    const units = await this.deps.provincial.administrativeUnits();
    const at = this.now();
    return this.deps.store.transaction(() => {
      let changed = 0;
      for (const u of units) if (this.deps.store.referenceData.saveAdministrativeUnit(u, at)) changed += 1;
      return changed;
    });
  }

  /**
   * Holiday notices of the given years. Returns true when the stored calendar changed (the caller
   * rebuilds its working time). A year that fails is logged and skipped; the others still apply.
   */
  async pullHolidayNotices(years: readonly number[]): Promise<boolean> {
    const { store } = this.deps;
    const today = this.deps.clock.today();
    let changed = false;
    for (const year of years) {
      let notices: HolidayNotice[];
      try {
        notices = await this.deps.provincial.holidayNotices(year);
      } catch (err) {
        this.log(`calendar: pulling ${year} failed: ${err instanceof Error ? err.message : String(err)}`);
        continue;
      }
      store.transaction(() => {
        const stored = new Map(store.calendar.listForYear(year).map((n) => [n.id, n]));
        for (const n of notices) {
          const notice = toCalendarNotice(n);
          const same = stored.get(notice.id);
          if (same && sameNotice(same, notice)) continue;
          // A revision dated later than today must not take the version in force away before its date.
          const id =
            same && notice.effectiveFrom > today && same.effectiveFrom <= today
              ? `${notice.id}@${notice.effectiveFrom}`
              : notice.id;
          const existingVersion = stored.get(id);
          if (existingVersion && sameNotice(existingVersion, { ...notice, id })) continue;
          store.calendar.saveNotice({ ...notice, id });
          changed = true;
        }
      });
    }
    return changed;
  }
}

/** A swapped working day is a day off announced by the notice (`notice` in the calendar's terms). */
export function toCalendarNotice(n: HolidayNotice): CalendarNotice {
  return CalendarNoticeSchema.parse({
    ...n,
    daysOff: n.daysOff.map((d) => ({ ...d, kind: d.kind === 'swap' ? 'notice' : d.kind })),
  });
}

function sameNotice(a: CalendarNotice, b: CalendarNotice): boolean {
  return JSON.stringify(CalendarNoticeSchema.parse(a)) === JSON.stringify(CalendarNoticeSchema.parse(b));
}

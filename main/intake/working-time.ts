import { buildHolidayCalendar, DEFAULT_OFFICE_HOURS, WorkingTime, type OfficeHours } from '../../common/domain';
import { systemClock, type Clock } from '../kernel/clock';
import type { Store } from '../store/store';
import { noticesEffectiveOn } from '../store/calendar.repository';

/**
 * The desk's working time: days off computed by rule, overridden by the holiday notices kept in
 * the store (synced from the provincial system or entered by IT staff) that are in force on the
 * day (`effectiveFrom` ≤ today: a notice pulled ahead of its date changes nothing until then),
 * and the office hours of the configuration. Rebuilt when notices change or the day changes.
 */
export class WorkingTimeProvider {
  private cached: { day: string; workingTime: WorkingTime } | null = null;

  constructor(
    private readonly store: Store,
    private readonly hours: OfficeHours = DEFAULT_OFFICE_HOURS,
    /** Its `today()` is the receiving date; default the system clock. */
    private readonly clock: Clock = systemClock,
  ) {}

  get(): WorkingTime {
    const day = this.clock.today();
    if (!this.cached || this.cached.day !== day) {
      const notices = noticesEffectiveOn(this.store.calendar.listNotices(), day);
      const thisYear = Number(day.slice(0, 4));
      this.cached = {
        day,
        workingTime: new WorkingTime(buildHolidayCalendar([thisYear - 1, thisYear, thisYear + 1], notices), this.hours),
      };
    }
    return this.cached.workingTime;
  }

  invalidate(): void {
    this.cached = null;
  }
}

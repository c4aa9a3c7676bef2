import { buildHolidayCalendar, DEFAULT_OFFICE_HOURS, WorkingTime, type OfficeHours } from '../../common/domain';
import type { Store } from '../store/store';

/**
 * The desk's working time: days off computed by rule, overridden by the holiday notices kept in
 * the store (synced from the provincial system or entered by IT staff), and the office hours of
 * the configuration. Rebuilt when notices change.
 */
export class WorkingTimeProvider {
  private cached: WorkingTime | null = null;

  constructor(private readonly store: Store, private readonly hours: OfficeHours = DEFAULT_OFFICE_HOURS) {}

  get(): WorkingTime {
    if (!this.cached) {
      const notices = this.store.calendar.listNotices();
      const thisYear = new Date().getUTCFullYear();
      this.cached = new WorkingTime(buildHolidayCalendar([thisYear - 1, thisYear, thisYear + 1], notices), this.hours);
    }
    return this.cached;
  }

  invalidate(): void {
    this.cached = null;
  }
}

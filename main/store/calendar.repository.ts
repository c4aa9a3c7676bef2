import { CalendarNoticeSchema, type CalendarNotice } from '../../common/domain/holiday-calendar';
import type { Db } from './db';

export type { CalendarNotice } from '../../common/domain/holiday-calendar';

/** Yearly notices of days off and make-up working days (docs/domain.md §5), as saved; validated both ways. */
export class CalendarRepository {
  private readonly upsertStmt;
  private readonly listStmt;
  private readonly forYearStmt;

  constructor(db: Db) {
    this.upsertStmt = db.prepare<[string, number, string, string]>(`
      INSERT INTO calendar_notices (id, year, effective_from, notice_json) VALUES (?, ?, ?, ?)
      ON CONFLICT (id) DO UPDATE SET year = excluded.year, effective_from = excluded.effective_from,
        notice_json = excluded.notice_json, saved_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`);
    this.listStmt = db
      .prepare<[], string>('SELECT notice_json FROM calendar_notices ORDER BY year, effective_from, id')
      .pluck();
    this.forYearStmt = db
      .prepare<[number], string>('SELECT notice_json FROM calendar_notices WHERE year = ? ORDER BY effective_from, id')
      .pluck();
  }

  /** Inserts or replaces the notice with this id. */
  saveNotice(notice: CalendarNotice): void {
    const valid = CalendarNoticeSchema.parse(notice);
    this.upsertStmt.run(valid.id, valid.year, valid.effectiveFrom, JSON.stringify(valid));
  }

  /** Every notice, by year then effective date. */
  listNotices(): CalendarNotice[] {
    return this.listStmt.all().map((json) => CalendarNoticeSchema.parse(JSON.parse(json)));
  }

  listForYear(year: number): CalendarNotice[] {
    return this.forYearStmt.all(year).map((json) => CalendarNoticeSchema.parse(JSON.parse(json)));
  }
}

/** Notices in force on `date`: those whose effective date has come. */
export function noticesEffectiveOn(notices: readonly CalendarNotice[], date: string): CalendarNotice[] {
  return notices.filter((n) => n.effectiveFrom <= date);
}

import { addDays, buildHolidayCalendar, DEFAULT_OFFICE_HOURS, WorkingTime } from '../../common/domain';
import { toLocalDateTime } from '../../main/kernel/clock';
import { openStoreDb } from './store-db';

function workingTime(around: string): WorkingTime {
  const year = Number(around.slice(0, 4));
  return new WorkingTime(buildHolidayCalendar([year - 1, year, year + 1], []), DEFAULT_OFFICE_HOURS);
}

/**
 * The first working day on which a store holds neither dossiers nor dossier-number blocks, and
 * not before `notBefore`. A benchmark receives on such a day so that the numbers the (fresh,
 * in-memory) provincial simulator leases never clash with numbers already in the store.
 */
export function freshWorkingDay(dataDir: string, notBefore?: string): string {
  let after = notBefore ? addDays(notBefore, -1) : toLocalDateTime(Date.now()).slice(0, 10);
  const opened = openStoreDb(dataDir);
  if (opened) {
    const { db } = opened;
    try {
      const lastDossier =
        db.prepare<[], string | null>('SELECT substr(max(received_at), 1, 10) FROM dossiers').pluck().get() ?? null;
      const lastBlock = db.prepare<[], string | null>('SELECT max(date) FROM code_blocks').pluck().get() ?? null;
      for (const day of [lastDossier, lastBlock]) if (day !== null && day > after) after = day;
    } finally {
      opened.close();
    }
  }
  return workingTime(after).nextWorkingDay(after);
}

import { addDays } from '../../common/domain';
import type { DossierCodeAllocator } from '../intake/dossier-code.allocator';
import type { WorkingTimeProvider } from '../intake/working-time';
import type { Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import type { ResultIntake } from '../returns/result-intake';
import type { OutboxSender } from '../sync/outbox-sender';
import type { ReferencePuller } from '../sync/reference-puller';
import type { StatusPuller } from '../sync/status-puller';

/** How often the holiday notices, code leases and reference data are brought up to date. */
const UPKEEP_INTERVAL_MS = 10 * 60_000;

export interface UpkeepDeps {
  clock: Clock;
  log: Logger;
  reference: ReferencePuller;
  workingTime: WorkingTimeProvider;
  codes: DossierCodeAllocator;
  sender: OutboxSender;
  statusPuller: StatusPuller;
  resultIntake: ResultIntake;
  /** The configuration's `sync.intervalMs` (sender loop) and `sync.pullIntervalMs` (status pull, default 60 s). */
  intervals: { intervalMs: number; pullIntervalMs?: number | undefined };
  /** Start the outbox sender's loop, the reference refresh and the status pull (tests may not). */
  startSync: boolean;
}

export interface Upkeep {
  /** Stops the timers at once; the answer settles when the reference refresh and status pull in flight have ended. */
  close(): Promise<void>;
}

/**
 * The core's background work: every ten minutes the holiday notices and the dossier-number leases
 * for today and the next two working days (the first run is awaited) and the reference data; the
 * outbox sender's loop; the provincial status pull on its own interval (a failed pull is retried at
 * the next one), each followed by the retry of pending result files and a nudge of the sender.
 */
export async function startUpkeep(deps: UpkeepDeps): Promise<Upkeep> {
  const { clock, log, reference, workingTime, codes, sender, statusPuller, resultIntake } = deps;

  const leasesAndHolidays = async (): Promise<void> => {
    const year = Number(clock.today().slice(0, 4));
    if (await reference.pullHolidayNotices([year, year + 1])) workingTime.invalidate();
    const wt = workingTime.get();
    let day = clock.today();
    await codes.refill(day);
    for (let i = 0; i < 2; i++) {
      day = wt.nextWorkingDay(addDays(day, 1));
      await codes.refill(day);
    }
  };

  // Catalogue (with effective dates), agencies, sectors, administrative units: each pull on its
  // own, so a slow portal delays nothing; due catalogue changes applied first.
  let referenceRun: Promise<void> = Promise.resolve();
  const refreshReference = (): void => {
    referenceRun = referenceRun.then(async () => {
      const steps: [string, () => unknown][] = [
        ['catalogue.apply-due', () => reference.applyDue()],
        ['catalogue.pull', () => reference.pullCatalogue()],
        ['reference.agencies', () => reference.pullAgenciesAndSectors()],
        ['reference.units', () => reference.pullAdministrativeUnits()],
      ];
      for (const [what, run] of steps) {
        try {
          await run();
        } catch (err) {
          log.log('warn', `${what}-failed`, { error: err instanceof Error ? err.message : String(err) });
        }
      }
    });
  };

  const upkeepTimer = setInterval(() => {
    void leasesAndHolidays();
    refreshReference();
  }, UPKEEP_INTERVAL_MS);
  upkeepTimer.unref();
  await leasesAndHolidays().catch((err: unknown) => log.log('warn', 'upkeep.failed', { error: String(err) }));
  if (deps.startSync) sender.start(deps.intervals.intervalMs);
  if (deps.startSync) refreshReference();
  const pull = () =>
    statusPuller
      .pullOnce()
      .then(() => resultIntake.retryPending())
      .finally(() => sender.nudge())
      .catch((err: unknown) =>
        log.log('warn', 'sync.pull-failed', { error: err instanceof Error ? err.message : String(err) }),
      );
  const pullTimer = deps.startSync
    ? setInterval(() => {
        void pull();
      }, deps.intervals.pullIntervalMs ?? 60_000)
    : null;
  pullTimer?.unref();

  return {
    close() {
      clearInterval(upkeepTimer);
      if (pullTimer) clearInterval(pullTimer);
      return (async () => {
        await referenceRun;
        await statusPuller.settled();
      })();
    },
  };
}

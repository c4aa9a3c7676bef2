/** What became of one run: its value or error if it is still the latest, or `stale` if a newer run started. */
export type LatestOutcome<T> =
  { status: 'done'; value: T } | { status: 'failed'; error: unknown } | { status: 'stale' };

export interface LatestOnly {
  run<T>(task: () => Promise<T>): Promise<LatestOutcome<T>>;
  /** Makes every run in flight stale (the query was cleared). */
  invalidate(): void;
  /** True while the latest run has not answered yet. */
  readonly pending: boolean;
}

/**
 * "Latest answer wins" for searches typed fast: each run gets a number, and only the answer of the
 * newest run is delivered; older answers (arriving late, or failing late) are reported `stale` so
 * they never replace what the screen shows for the newer query.
 */
export function latestOnly(): LatestOnly {
  let seq = 0;
  let answered = 0;
  return {
    async run<T>(task: () => Promise<T>): Promise<LatestOutcome<T>> {
      const mine = ++seq;
      try {
        const value = await task();
        if (mine !== seq) return { status: 'stale' };
        answered = mine;
        return { status: 'done', value };
      } catch (error) {
        if (mine !== seq) return { status: 'stale' };
        answered = mine;
        return { status: 'failed', error };
      }
    },
    invalidate() {
      seq += 1;
      answered = seq;
    },
    get pending() {
      return answered !== seq;
    },
  };
}

import type { Scanner, ScannerInfo, ScannerProvider } from './scanner.port';

/**
 * Several providers as one: `list()` joins their lists (a part that fails, e.g. no `scanimage`
 * on this machine, is left out and its error kept in `lastErrors`), `open(id)` asks each part in
 * turn. Ids stay unique because each kind prefixes its own.
 */
export class CombinedScannerProvider implements ScannerProvider {
  readonly parts: readonly ScannerProvider[];
  private errors: unknown[] = [];

  constructor(parts: readonly ScannerProvider[]) {
    this.parts = parts;
  }

  /** Why parts were left out of the last `list()`, for the device page and logs. */
  get lastErrors(): readonly unknown[] {
    return this.errors;
  }

  async list(): Promise<ScannerInfo[]> {
    const results = await Promise.allSettled(this.parts.map((p) => p.list()));
    this.errors = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
    const seen = new Set<string>();
    const out: ScannerInfo[] = [];
    for (const result of results) {
      if (result.status !== 'fulfilled') continue;
      for (const info of result.value) {
        if (seen.has(info.id)) continue;
        seen.add(info.id);
        out.push(info);
      }
    }
    return out;
  }

  open(id: string): Scanner {
    for (const part of this.parts) {
      try {
        return part.open(id);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
      }
    }
    throw new RangeError(`no scanner has the id "${id}"`);
  }
}

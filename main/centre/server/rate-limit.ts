/**
 * Guessing pairing codes (docs/architecture.md, "Centre"): per client address and per minute, at
 * most `maxFailures` refused attempts and `maxAttempts` attempts in all on the pairing paths
 * (`/pair`, `/api/v1/enrol`); past either, the address waits for the next window.
 */
export interface AttemptLimiter {
  /** False when the address must wait; counts the attempt otherwise. */
  allow(address: string): boolean;
  /** Records a refused attempt (wrong, used or expired code). */
  failed(address: string): void;
  /** Seconds until the address's window ends (Retry-After). */
  retryAfter(address: string): number;
}

interface Window {
  start: number;
  attempts: number;
  failures: number;
}

export function createAttemptLimiter(
  opts: { maxFailures?: number; maxAttempts?: number; windowMs?: number; now?: () => number } = {},
): AttemptLimiter {
  const maxFailures = opts.maxFailures ?? 5;
  const maxAttempts = opts.maxAttempts ?? 30;
  const windowMs = opts.windowMs ?? 60_000;
  const now = opts.now ?? (() => Date.now());
  const windows = new Map<string, Window>();

  const current = (address: string): Window => {
    const t = now();
    let w = windows.get(address);
    if (!w || t - w.start >= windowMs) {
      w = { start: t, attempts: 0, failures: 0 };
      windows.set(address, w);
      // Keep the map small: addresses whose window ended are dropped when a new one opens.
      if (windows.size > 1000) {
        for (const [a, old] of windows) if (t - old.start >= windowMs) windows.delete(a);
      }
    }
    return w;
  };

  return {
    allow(address) {
      const w = current(address);
      if (w.failures >= maxFailures || w.attempts >= maxAttempts) return false;
      w.attempts += 1;
      return true;
    },
    failed(address) {
      current(address).failures += 1;
    },
    retryAfter(address) {
      const w = windows.get(address);
      return w ? Math.max(1, Math.ceil((w.start + windowMs - now()) / 1000)) : 1;
    },
  };
}

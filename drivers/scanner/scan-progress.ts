import { DeviceError } from '../device-error';
import type { ScanOptions, ScanProgress } from './scanner.port';

export function cancelledError(deviceName: string): DeviceError {
  return new DeviceError('SCANNER_CANCELLED', `${deviceName}: the scan was cancelled`);
}

/** Calls the caller's progress callback, never letting it break the scan. */
export function progressReporter(opts: ScanOptions | undefined): (page: number, phase: ScanProgress['phase']) => void {
  const callback = opts?.onProgress;
  if (callback === undefined) return () => undefined;
  return (page, phase) => {
    try {
      callback({ page, phase });
    } catch {
      // The port says a throwing callback is ignored.
    }
  };
}

/** Resolves after `ms`, or rejects with the cancel error as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal, deviceName = 'scanner'): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelledError(deviceName));
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(cancelledError(deviceName));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * A wake-up call: `wait()` resolves at the next `notify()` (or at once if one came since the last
 * wait), after `timeoutMs`, or when the signal aborts. Resolves true when notified.
 */
export class Waker {
  private pending = false;
  private resolveWait: ((notified: boolean) => void) | null = null;

  notify(): void {
    if (this.resolveWait !== null) {
      const resolve = this.resolveWait;
      this.resolveWait = null;
      resolve(true);
    } else {
      this.pending = true;
    }
  }

  wait(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    if (this.pending || signal?.aborted) {
      this.pending = false;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => {
      const finish = (notified: boolean): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.resolveWait = null;
        resolve(notified);
      };
      const onAbort = (): void => finish(true);
      const timer = setTimeout(() => finish(false), timeoutMs);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.resolveWait = finish;
    });
  }
}

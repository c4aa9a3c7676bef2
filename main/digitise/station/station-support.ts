import { AppError, type ErrorCode } from '../../../common/contract';
import { isDeviceError } from '../../../drivers';
import { FileImportError } from './file-pages';

/** Runs at most `limit` tasks at once, in the order they were queued. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(private readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.active >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await task();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** First line of an error's message, bounded (for page rows, events and logs). */
export function message(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!.slice(0, 500);
}

/** The contract code an error maps to: device faults and app errors keep theirs, unreadable captures are IMAGE_UNREADABLE. */
export function errorCodeOf(err: unknown, fallback: ErrorCode): ErrorCode {
  if (isDeviceError(err)) return err.code;
  if (err instanceof AppError) return err.code;
  if (err instanceof FileImportError) return 'IMAGE_UNREADABLE';
  if (typeof err === 'object' && err !== null && 'code' in err && err.code === 'CAPTURE_UNREADABLE') return 'IMAGE_UNREADABLE';
  return fallback;
}


import {
  closeSync,
  fstatSync,
  mkdirSync,
  openSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { systemClock, type Clock } from './clock';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from './file-modes';
import { redact } from './mask';

/**
 * One-line structured logs. Personal data never reaches a log line: callers pass ID numbers through
 * `maskIdNumber`, and every line goes through `redact` (`mask.ts`), which masks any 9- to 13-digit
 * run and replaces the values of secret-looking keys, as a backstop.
 * The file is rotated by size (`rotateLog`) and noisy events can be rate-limited
 * (`limitNoisyEvents`); docs/operations.md, "Logs".
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

/** `log.maxBytes` / `log.keep` of the configuration (main/core/config.ts). */
export interface LogRotation {
  /** The file is rotated once a write takes it to this size or more. */
  maxBytes: number;
  /** Files kept in all, the current one included: `core.log`, `core.log.1` … `core.log.(keep-1)`. */
  keep: number;
}

export const DEFAULT_LOG_ROTATION: LogRotation = { maxBytes: 10 * 1024 * 1024, keep: 5 };

/** A lock older than this was left by a process that died while rotating: it is taken over. */
const STALE_LOCK_MS = 30_000;

/**
 * Appends `text` to `file` (created 0600) and rotates the file when it has reached
 * `rotation.maxBytes`. Several processes (the core, the CLI) may append to one file:
 * - every write opens the file by name, appends one whole line in one `write` (O_APPEND), closes;
 *   after a rotation the next write of any process starts the new file, and a write that raced
 *   with the rename lands whole at the end of `file.1`. No line is torn or lost.
 * - one process rotates at a time (`file.lock`, created exclusively); the others keep appending
 *   and leave the rotation to it. The size is checked again under the lock, so a file another
 *   process has just rotated is not rotated twice.
 * - rotating renames `file.(keep-2)` → `file.(keep-1)` … `file` → `file.1`; the oldest beyond
 *   `keep` files is removed. The newest lines are always in `file` or `file.1`.
 */
export function appendLogLine(file: string, text: string, rotation: LogRotation = DEFAULT_LOG_ROTATION): void {
  const fd = openSync(file, 'a', PRIVATE_FILE_MODE);
  let size: number;
  try {
    writeSync(fd, text);
    size = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  if (size >= rotation.maxBytes) rotateLog(file, rotation);
}

/** Rotates `file` if it is (still) at least `maxBytes` and no other process is rotating it; true when it did. */
export function rotateLog(file: string, rotation: LogRotation): boolean {
  const lock = `${file}.lock`;
  if (!takeLock(lock)) return false;
  try {
    let size: number;
    try {
      size = statSync(file).size;
    } catch {
      return false;
    }
    if (size < rotation.maxBytes) return false;
    const keep = Math.max(2, Math.floor(rotation.keep));
    rmSync(`${file}.${keep - 1}`, { force: true });
    for (let i = keep - 2; i >= 1; i--) {
      try {
        renameSync(`${file}.${i}`, `${file}.${i + 1}`);
      } catch (err) {
        if (!isMissing(err)) throw err;
      }
    }
    renameSync(file, `${file}.1`);
    return true;
  } catch {
    // A file held open elsewhere (Windows) or a full disk: the next write tries again.
    return false;
  } finally {
    try {
      unlinkSync(lock);
    } catch {
      /* already gone */
    }
  }
}

function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, 'wx', PRIVATE_FILE_MODE));
      return true;
    } catch (err) {
      if (!(err instanceof Error && 'code' in err && err.code === 'EEXIST')) return false;
      try {
        if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
        unlinkSync(lock);
      } catch {
        return false;
      }
    }
  }
  return false;
}

function isMissing(err: unknown): boolean {
  return err instanceof Error && 'code' in err && err.code === 'ENOENT';
}

/**
 * `console`: also write warnings and errors to stderr (the file gets every level from `minLevel`).
 * `rotation`: `log.maxBytes` / `log.keep` (default 10 MiB, 5 files).
 */
export function createLogger(
  opts: { file?: string; console?: boolean; scope?: string; minLevel?: LogLevel; rotation?: Partial<LogRotation> } = {},
): Logger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(opts.minLevel ?? 'info');
  const rotation: LogRotation = { ...DEFAULT_LOG_ROTATION, ...opts.rotation };
  // Logs are masked but still name dossiers and users: owner-only, like the rest of the data folder.
  if (opts.file) mkdirSync(dirname(opts.file), { recursive: true, mode: PRIVATE_DIR_MODE });
  const make = (scope: string): Logger => ({
    log(level, event, fields) {
      if (order.indexOf(level) < min) return;
      const line = JSON.stringify({
        t: new Date().toISOString(),
        level,
        scope,
        event,
        ...(redact(fields ?? {}) as object),
      });
      if (opts.file) {
        try {
          appendLogLine(opts.file, `${line}\n`, rotation);
        } catch {
          /* a full disk must not stop the desk */
        }
      }
      if (opts.console && order.indexOf(level) >= order.indexOf('warn')) process.stderr.write(`${line}\n`);
    },
    child: (s) => make(scope ? `${scope}.${s}` : s),
  });
  return make(opts.scope ?? '');
}

export const silentLogger: Logger = { log: () => undefined, child: () => silentLogger };

export interface NoisyEventOptions {
  /** Lines written per event name in one window (default 20). */
  perWindow?: number;
  /** Window length in ms (default 60 000). */
  windowMs?: number;
  /** Times the windows; default the system clock. */
  clock?: Clock;
  /** Runs `fn` after `ms` (default: an unref'd timer); tests pass their own. */
  schedule?: (fn: () => void, ms: number) => void;
}

export interface NoisyEventLogger extends Logger {
  /** Writes the summary lines of the windows still open (on close). */
  flush(): void;
}

/**
 * A logger for events anyone can cause at will (a rejected WebSocket upgrade, a bad request): per
 * event name, the first `perWindow` lines of each window are written as they come, the rest are
 * counted, and when the window ends one line `log.suppressed` says how many of which event were
 * left out (`{ of, suppressed, windowMs }`, at the level of the loudest one left out).
 */
export function limitNoisyEvents(log: Logger, opts: NoisyEventOptions = {}): NoisyEventLogger {
  const perWindow = opts.perWindow ?? 20;
  const windowMs = opts.windowMs ?? 60_000;
  const clock = opts.clock ?? systemClock;
  const now = (): number => clock.now();
  const schedule =
    opts.schedule ??
    ((fn: () => void, ms: number) => {
      setTimeout(fn, ms).unref();
    });
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const windows = new Map<
    string,
    { start: number; written: number; suppressed: number; level: LogLevel; summaryDue: boolean }
  >();

  const summarise = (event: string): void => {
    const w = windows.get(event);
    if (!w) return;
    windows.delete(event);
    if (w.suppressed > 0) log.log(w.level, 'log.suppressed', { of: event, suppressed: w.suppressed, windowMs });
  };

  return {
    log(level, event, fields) {
      let w = windows.get(event);
      if (w && now() - w.start >= windowMs) {
        summarise(event);
        w = undefined;
      }
      if (!w) {
        w = { start: now(), written: 0, suppressed: 0, level, summaryDue: false };
        windows.set(event, w);
      }
      if (w.written < perWindow) {
        w.written += 1;
        log.log(level, event, fields);
        return;
      }
      if (w.suppressed === 0 || order.indexOf(level) > order.indexOf(w.level)) w.level = level;
      w.suppressed += 1;
      if (!w.summaryDue) {
        // The summary is written when the window ends even if the event never comes again.
        w.summaryDue = true;
        const window = w;
        schedule(
          () => {
            if (windows.get(event) === window) summarise(event);
          },
          Math.max(0, window.start + windowMs - now()),
        );
      }
    },
    child: (scope) => limitNoisyEvents(log.child(scope), opts),
    flush() {
      for (const event of [...windows.keys()]) summarise(event);
    },
  };
}

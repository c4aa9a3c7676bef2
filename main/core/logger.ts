import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../store/data-dir-permissions';

/**
 * One-line structured logs. Personal data never reaches a log line: callers pass ID numbers through
 * `maskPersonal`, and `redact` removes any 9- or 12-digit run and secret-looking keys as a backstop.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, event: string, fields?: Record<string, unknown>): void;
  child(scope: string): Logger;
}

const SECRET_KEYS = /pass(word)?|pin|secret|token|session|authorization/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 5) return '…';
  if (typeof value === 'string') return value.replace(/\b(\d{2,3})\d{4,6}(\d{3})\b/g, '$1****$2');
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEYS.test(k) ? '[redacted]' : redact(v, depth + 1);
    return out;
  }
  return value;
}

/** `console`: also write warnings and errors to stderr (the file gets every level from `minLevel`). */
export function createLogger(opts: { file?: string; console?: boolean; scope?: string; minLevel?: LogLevel } = {}): Logger {
  const order: LogLevel[] = ['debug', 'info', 'warn', 'error'];
  const min = order.indexOf(opts.minLevel ?? 'info');
  // Logs are masked but still name dossiers and users: owner-only, like the rest of the data folder.
  if (opts.file) mkdirSync(dirname(opts.file), { recursive: true, mode: PRIVATE_DIR_MODE });
  const make = (scope: string): Logger => ({
    log(level, event, fields) {
      if (order.indexOf(level) < min) return;
      const line = JSON.stringify({ t: new Date().toISOString(), level, scope, event, ...(redact(fields ?? {}) as object) });
      if (opts.file) {
        try { appendFileSync(opts.file, `${line}\n`, { mode: PRIVATE_FILE_MODE }); } catch { /* a full disk must not stop the desk */ }
      }
      if (opts.console && order.indexOf(level) >= order.indexOf('warn')) process.stderr.write(`${line}\n`);
    },
    child: (s) => make(scope ? `${scope}.${s}` : s),
  });
  return make(opts.scope ?? '');
}

export const silentLogger: Logger = { log: () => undefined, child: () => silentLogger };

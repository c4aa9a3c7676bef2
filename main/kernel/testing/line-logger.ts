import type { Logger } from '../logger';

/**
 * Test support: a logger that keeps the free-text `line` field of each record (what the sync and
 * remote clients write), or the event name when there is none, in `lines`.
 */
export function lineLogger(lines: string[]): Logger {
  const log: Logger = {
    log: (_level, event, fields) => {
      lines.push(typeof fields?.['line'] === 'string' ? fields['line'] : event);
    },
    child: () => log,
  };
  return log;
}

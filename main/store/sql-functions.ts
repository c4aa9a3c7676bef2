import type { Db } from './db';
import { foldVietnamese } from '../../common/domain/text-normalise';

/**
 * SQL functions the schema relies on (the search triggers call `fold()`). Registered on every
 * connection before migrations run; a connection without them cannot write searchable rows,
 * which keeps the search index from silently drifting.
 */
export function registerSqlFunctions(db: Db): void {
  db.function('fold', { deterministic: true }, (value: unknown) =>
    typeof value === 'string'
      ? foldVietnamese(value)
      : value === null || value === undefined
        ? ''
        : foldVietnamese(String(value)),
  );
}

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DATABASE_FILE, openStore, type Store } from '../../main/store/store';

/**
 * The database of a desk store, for a benchmark's own reads (counts, the days in use, stored
 * people). Opened with `openStore`, so a store that a core has encrypted (a core encrypts a plain
 * store when it opens it) is read with the desk's own key; null when the folder holds no store.
 */
export function openStoreDb(dataDir: string): { db: Store['db']; close(): void } | null {
  if (!existsSync(join(dataDir, DATABASE_FILE))) return null;
  const store = openStore({ dataDir });
  return { db: store.db, close: () => store.close() };
}

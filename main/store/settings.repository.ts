import type { Db } from './db';

/** Small key/value settings kept with the data (not the workstation config file). */
export class SettingsRepository {
  private readonly getStmt;
  private readonly setStmt;
  private readonly deleteStmt;
  private readonly allStmt;

  constructor(db: Db) {
    this.getStmt = db.prepare<[string], string>('SELECT value FROM settings WHERE key = ?').pluck();
    this.setStmt = db.prepare<[string, string]>(`
      INSERT INTO settings (key, value) VALUES (?, ?)
      ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')`);
    this.deleteStmt = db.prepare<[string]>('DELETE FROM settings WHERE key = ?');
    this.allStmt = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM settings ORDER BY key');
  }

  get(key: string): string | null {
    return this.getStmt.get(key) ?? null;
  }

  set(key: string, value: string): void {
    this.setStmt.run(key, value);
  }

  delete(key: string): void {
    this.deleteStmt.run(key);
  }

  /** The value parsed as JSON, or null when absent. */
  getJson(key: string): unknown {
    const value = this.get(key);
    if (value === null) return null;
    const parsed: unknown = JSON.parse(value);
    return parsed;
  }

  setJson(key: string, value: unknown): void {
    this.set(key, JSON.stringify(value));
  }

  all(): Record<string, string> {
    return Object.fromEntries(this.allStmt.all().map((row) => [row.key, row.value]));
  }
}

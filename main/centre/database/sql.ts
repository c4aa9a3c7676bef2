import pg from 'pg';
import type { Logger } from '../../kernel/logger';

/** A row set as the centre's code sees it. */
export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** What a repository needs: one statement at a time, on the pool or inside a transaction. */
export interface Sql {
  query<R extends object = Record<string, unknown>>(text: string, params?: readonly unknown[]): Promise<SqlResult<R>>;
}

/** Stops a `listen` subscription. */
export type Unlisten = () => Promise<void>;

/**
 * The centre's PostgreSQL database (docs/architecture.md, "Centre"): a pool for statements and
 * transactions, and one dedicated connection for LISTEN.
 */
export interface CentreDb extends Sql {
  /**
   * Runs `fn` in one transaction (READ COMMITTED) on one pooled connection: committed when `fn`
   * resolves, rolled back when it throws. NOTIFYs sent inside are delivered at commit only.
   */
  transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T>;
  /**
   * Calls `onPayload` for every NOTIFY on `channel`. The connection is re-opened after a failure;
   * `onReconnect` is then called, since notifications sent meanwhile were lost (resynchronise).
   */
  listen(channel: string, onPayload: (payload: string) => void, onReconnect?: () => void): Promise<Unlisten>;
  /** Settings the pool connects with (doctor, a dedicated client). */
  readonly config: pg.ClientConfig;
  close(): Promise<void>;
}

const INT8_OID = 20;
const DATE_OID = 1082;

/**
 * Type parsers for the centre: `bigint` as a JS number (ids, epoch ms and counts stay far below
 * 2^53) and `date` as its `YYYY-MM-DD` text (never shifted by a time zone).
 */
const centreTypes = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID) return (v: string) => Number(v);
    if (oid === DATE_OID) return (v: string) => v;
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

export interface OpenCentreDbOptions {
  /** `postgres://user:password@host:port/database` (the embedded server's or `database.url`). */
  url: string;
  log: Logger;
  /** Pool size; the centre's requests are short (default 10). */
  max?: number;
  applicationName?: string;
  /** Per statement, ms (default 15 s): a stuck lock fails a request instead of hanging it. */
  statementTimeoutMs?: number;
}

export function connectionConfig(opts: OpenCentreDbOptions): pg.ClientConfig {
  return {
    connectionString: opts.url,
    application_name: opts.applicationName ?? 'motcua-centre',
    statement_timeout: opts.statementTimeoutMs ?? 15_000,
    connectionTimeoutMillis: 10_000,
    types: centreTypes,
  };
}

export function openCentreDb(opts: OpenCentreDbOptions): CentreDb {
  const config = connectionConfig(opts);
  const pool = new pg.Pool({ ...config, max: opts.max ?? 10, idleTimeoutMillis: 30_000 });
  const log = opts.log;
  // An idle client that loses its server (restart, network) reports here; the pool replaces it.
  pool.on('error', (err) => log.log('warn', 'centre.db.idle-client-error', { error: err.message }));
  const listeners = new Set<Listener>();

  const db: CentreDb = {
    config,
    async query<R extends object>(text: string, params?: readonly unknown[]) {
      const r = await pool.query<R>(text, params as unknown[] | undefined);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
    async transaction<T>(fn: (tx: Sql) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken: Error | undefined;
      // A checked-out client whose server goes away emits 'error': without a listener that would
      // end the process. The failure reaches `fn` through its pending query anyway.
      const onError = (err: Error) => {
        broken = err;
        log.log('warn', 'centre.db.client-lost', { error: err.message });
      };
      client.on('error', onError);
      try {
        await client.query('BEGIN');
        const tx: Sql = {
          async query<R extends object>(text: string, params?: readonly unknown[]) {
            const r = await client.query<R>(text, params as unknown[] | undefined);
            return { rows: r.rows, rowCount: r.rowCount ?? 0 };
          },
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The connection is unusable (server gone): it must not go back to the pool.
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
        }
        throw err;
      } finally {
        client.off('error', onError);
        client.release(broken);
      }
    },
    async listen(channel, onPayload, onReconnect) {
      const listener = new Listener(config, channel, onPayload, onReconnect ?? (() => undefined), log);
      listeners.add(listener);
      await listener.start();
      return async () => {
        listeners.delete(listener);
        await listener.stop();
      };
    },
    async close() {
      await Promise.all([...listeners].map((l) => l.stop()));
      listeners.clear();
      await pool.end();
    },
  };
  return db;
}

/** Quotes an identifier for LISTEN (channels are our own constants, checked anyway). */
function channelName(channel: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(channel)) throw new Error(`bad channel name: ${channel}`);
  return channel;
}

const RECONNECT_MIN_MS = 250;
const RECONNECT_MAX_MS = 10_000;

/** One LISTEN connection, re-opened with a growing pause after it fails. */
class Listener {
  private client: pg.Client | null = null;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;
  private pause = RECONNECT_MIN_MS;

  constructor(
    private readonly config: pg.ClientConfig,
    private readonly channel: string,
    private readonly onPayload: (payload: string) => void,
    private readonly onReconnect: () => void,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.open();
  }

  private async open(): Promise<void> {
    const client = new pg.Client(this.config);
    client.on('notification', (n) => {
      if (n.channel !== this.channel) return;
      try {
        this.onPayload(n.payload ?? '');
      } catch (err) {
        this.log.log('error', 'centre.db.notify-handler-failed', {
          channel: this.channel,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    });
    client.on('error', (err) => {
      this.log.log('warn', 'centre.db.listen-lost', { channel: this.channel, error: err.message });
      this.retry(client);
    });
    client.on('end', () => this.retry(client));
    await client.connect();
    await client.query(`LISTEN ${channelName(this.channel)}`);
    this.client = client;
    this.pause = RECONNECT_MIN_MS;
  }

  private retry(failed: pg.Client): void {
    if (this.stopped || this.client !== failed || this.timer) return;
    this.client = null;
    failed.end().catch(() => undefined);
    const wait = this.pause;
    this.pause = Math.min(RECONNECT_MAX_MS, this.pause * 2);
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      this.open().then(
        () => {
          this.log.log('info', 'centre.db.listen-restored', { channel: this.channel });
          this.onReconnect();
        },
        (err: unknown) => {
          this.log.log('warn', 'centre.db.listen-retry-failed', {
            channel: this.channel,
            error: err instanceof Error ? err.message : String(err),
          });
          // Keep trying with a placeholder so `retry` sees the failed attempt as current.
          const placeholder = new pg.Client(this.config);
          this.client = placeholder;
          this.retry(placeholder);
        },
      );
    }, wait);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }
}

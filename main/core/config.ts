import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../common/contract';
import { isAgencyId } from '../../common/domain/dossier-code';
import { BarcodeConfigSchema } from './barcode-config';
import { vietnameseIssue } from '../../common/contract/config-issues';
import { DEFAULT_SCANNERS_CONFIG, ScannersConfigSchema } from './scanners-config';
import { checkSigningConfig, SigningConfigSchema } from '../signing/signing-config';
import { checkDeskCounter, QueueConfigSchema } from '../queue/queue-config';

/**
 * The workstation's configuration: `<data dir>/motcua-desk.config.json`, written by IT staff.
 * No file, or a file without remotes, means training mode (simulated remotes and devices).
 * Secrets are never in this file: it names the environment variables that hold them.
 */
const Time = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'HH:mm');
const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'tên biến môi trường (A-Z, 0-9, _)');

export const ConfigSchema = z
  .object({
    agency: z
      .object({
        id: z.string().refine(isAgencyId, 'mã định danh cơ quan dạng 000.00.12.H56'),
        name: z.string().min(1),
        /** 0-9: which offline reserve range of dossier numbers this desk owns (unique per desk of an agency). */
        deskSlot: z.number().int().min(0).max(9),
      })
      .strict(),
    counter: z.object({ id: z.string().min(1).max(20), name: z.string().min(1) }).strict(),
    officeHours: z
      .object({
        morning: z.tuple([Time, Time]),
        afternoon: z.tuple([Time, Time]),
        hoursPerDay: z.number().positive().max(24),
      })
      .strict()
      .optional(),
    remotes: z
      .object({
        national: z
          .object({
            baseUrl: z.url(),
            username: z.string().min(1),
            passwordEnv: EnvName,
            dstcode: z.string().min(1),
          })
          .strict()
          .optional(),
        provincial: z
          .object({
            baseUrl: z.url(),
            clientId: z.string().min(1),
            clientSecretEnv: EnvName,
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({}),
    /**
     * The A4 document printer. Absent: the system's default printer (CUPS `lpstat -d`, the Windows
     * default printer). A simulated printer in production only when named `simulated` here.
     * Training mode always prints to the simulated printer (`documentPrinterSetting` in drivers).
     */
    devices: z
      .object({
        documentPrinter: z
          .discriminatedUnion('kind', [
            z.object({ kind: z.literal('simulated') }).strict(),
            z.object({ kind: z.literal('system') }).strict(),
            z
              .object({
                kind: z.literal('cups'),
                queue: z
                  .string()
                  .min(1)
                  .max(127)
                  .regex(
                    /^[^\s/#\\-][^\s/#\\]*$/,
                    'tên hàng in CUPS (không dấu cách, "/", "#", "\\", không bắt đầu bằng "-")',
                  )
                  .optional(),
              })
              .strict(),
            z
              .object({
                kind: z.literal('windows'),
                printer: z
                  .string()
                  .max(256)
                  .regex(/^[^\u0000-\u001f]*\S[^\u0000-\u001f]*$/, 'tên máy in như Windows hiển thị (không để trống)')
                  .optional(),
                sumatraPdfPath: z.string().min(1).optional(),
              })
              .strict(),
          ])
          .optional(),
      })
      .strict()
      .default({}),
    /** Scanner adapters and the digitisation defaults (`scanners-config.ts`). */
    scanners: ScannersConfigSchema.default(DEFAULT_SCANNERS_CONFIG),
    /** Serial barcode reader and keyboard-wedge thresholds (`barcode-config.ts`). */
    barcode: BarcodeConfigSchema.optional(),
    sync: z
      .object({
        intervalMs: z.number().int().min(200).max(600_000).default(3000),
        /** How many dossier numbers to lease from the provincial system per block. */
        leaseBlockSize: z.number().int().min(5).max(500).default(20),
        /** A row goes dead after this many failed attempts (default 12). */
        maxAttempts: z.number().int().min(1).max(1000).optional(),
        /** Back-off: first delay and ceiling in ms (defaults 1000 and 300000), full jitter. */
        baseDelayMs: z.number().int().min(10).max(3_600_000).optional(),
        maxDelayMs: z.number().int().min(10).max(86_400_000).optional(),
        /** Circuit breaker per remote: consecutive failures that open it, first open period (defaults 5, 30000). */
        breakerFailures: z.number().int().min(1).max(100).optional(),
        breakerOpenMs: z.number().int().min(1000).max(3_600_000).optional(),
        /** How often status changes are pulled from the provincial system (default 60000). */
        pullIntervalMs: z.number().int().min(1000).max(3_600_000).optional(),
      })
      .strict()
      .default({ intervalMs: 3000, leaseBlockSize: 20 }),
    /** Queue services, counters, priority rule and ticket printer (`main/queue/queue-config.ts`). */
    queue: QueueConfigSchema.optional(),
    /** Digital signing: token module, key id, TSA, trust anchors, stamp (main/signing/signing-config.ts). */
    signing: SigningConfigSchema.optional(),
    /**
     * The audit chain's checkpoints (docs/operations.md, "Audit chain"): an absolute folder outside
     * the data folder (a network share IT collects, a removable disk). Default: beside the key folder.
     */
    audit: z
      .object({
        checkpointDir: z
          .string()
          .min(1)
          .max(1024)
          .refine((p) => isAbsolute(p), 'đường dẫn tuyệt đối tới thư mục ngoài thư mục dữ liệu'),
      })
      .strict()
      .optional(),
    /**
     * Sessions (docs/architecture.md, "Sessions"): the screen locks after `idleTimeoutMinutes` without
     * use (default 15; also how long a browser tab's session survives a reload), and a session ends
     * `maxHours` after its sign-in (default 12).
     */
    session: z
      .object({
        idleTimeoutMinutes: z.number().int().min(1).max(720).default(15),
        maxHours: z.number().int().min(1).max(24).default(12),
      })
      .strict()
      .optional(),
    /**
     * `logs/core.log` (docs/operations.md, "Logs"): rotated when it reaches `maxBytes` (64 KiB-1 GiB,
     * default 10 MiB); `keep` files in all, the current one included (2-50, default 5).
     */
    log: z
      .object({
        maxBytes: z
          .number()
          .int()
          .min(64 * 1024)
          .max(1024 * 1024 * 1024)
          .default(10 * 1024 * 1024),
        keep: z.number().int().min(2).max(50).default(5),
      })
      .strict()
      .optional(),
  })
  .strict()
  .superRefine((config, ctx) => {
    const problem = checkDeskCounter(config.queue, config.counter.id);
    if (problem) ctx.addIssue({ code: 'custom', path: ['queue', 'counters'], message: problem });
  });

export type Config = z.infer<typeof ConfigSchema>;

export const CONFIG_FILE_NAME = 'motcua-desk.config.json';

/** Where the simulated document printer writes each job as a PDF (training, or `kind: 'simulated'`). */
export function printedFolder(dataDir: string): string {
  return join(dataDir, 'printed');
}

export const TRAINING_CONFIG: Config = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình (đào tạo)', deskSlot: 0 },
  counter: { id: 'Q01', name: 'Quầy số 1' },
  remotes: {},
  devices: {},
  scanners: DEFAULT_SCANNERS_CONFIG,
  sync: { intervalMs: 3000, leaseBlockSize: 20 },
};

export interface LoadedConfig {
  config: Config;
  trainingMode: boolean;
  /** The file read, or null when none exists (pure training mode). */
  file: string | null;
}

/** Turns zod issues into one readable line per field: `agency.id: mã định danh cơ quan dạng …`. */
export function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const field = issue.path.length ? issue.path.join('.') : '(tệp cấu hình)';
    return `${field}: ${issue.message}`;
  });
}

export function parseConfig(raw: unknown): Config {
  const parsed = ConfigSchema.safeParse(raw, { error: vietnameseIssue });
  if (!parsed.success) {
    const lines = describeIssues(parsed.error);
    throw new AppError('CONFIG_INVALID', `Cấu hình không hợp lệ: ${lines.join('; ')}`, {
      fields: parsed.error.issues.map((i) => i.path.join('.')),
      issues: lines,
    });
  }
  return parsed.data;
}

export function loadConfig(dataDir: string): LoadedConfig {
  const file = join(dataDir, CONFIG_FILE_NAME);
  if (!existsSync(file)) return { config: TRAINING_CONFIG, trainingMode: true, file: null };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `Tệp cấu hình ${file} không phải JSON hợp lệ: ${(err as Error).message}`, {
      fields: [],
    });
  }
  const config = parseConfig(raw);
  const trainingMode = !config.remotes.national && !config.remotes.provincial;
  checkSigningConfig(config.signing, trainingMode);
  checkCheckpointDir(config.audit?.checkpointDir, dataDir);
  return { config, trainingMode, file };
}

/** The audit checkpoints must not sit in the data folder: a copy or a wipe of it would take them along. */
function checkCheckpointDir(dir: string | undefined, dataDir: string): void {
  if (dir === undefined) return;
  const inside = relative(resolve(dataDir), resolve(dir));
  if (inside === '' || (inside !== '..' && !inside.startsWith(`..${sep}`) && !isAbsolute(inside))) {
    const message = 'audit.checkpointDir: phải nằm ngoài thư mục dữ liệu';
    throw new AppError('CONFIG_INVALID', `Cấu hình không hợp lệ: ${message}`, {
      fields: ['audit.checkpointDir'],
      issues: [message],
    });
  }
}

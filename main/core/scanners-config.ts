import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { DigitiseProfileInput } from '../../common/contract';
import type { ScannerConfig, ScannerDeviceConfig } from '../../drivers';

/**
 * The `scanners` section of the workstation configuration: which scanner adapters are on.
 * SANE is on by default (every device `scanimage -L` finds); eSCL network scanners and
 * scan-to-folder paths are listed one by one; importing files is on unless switched off.
 * `defaultProfile` changes the station's processing defaults (what the officer does not choose).
 * Training mode turns every configured scanner into a simulated twin (`createDrivers`).
 */
const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'tên biến môi trường (A-Z, 0-9, _)');

/** As `scanimage -L` prints it (`fujitsu:fi-7160:1234`, `airscan:e0:Canon MF440`); spaces allowed. */
const SaneDeviceName = z
  .string()
  .min(1, 'tên thiết bị SANE không được trống')
  .max(200)
  .refine(
    (name) => !name.startsWith('-') && name.trim() === name,
    'tên thiết bị SANE như scanimage -L liệt kê (không bắt đầu bằng "-", không có khoảng trắng ở đầu/cuối)',
  )
  .refine((name) => !/\p{Cc}/u.test(name), 'tên thiết bị SANE không được chứa ký tự điều khiển');

const EsclUrl = z.string().refine(isHttpUrl, 'địa chỉ eSCL dạng http://192.168.1.20/eSCL (http:// hoặc https://)');

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

const FolderPath = z
  .string()
  .min(1)
  .refine(
    (path) => posix.isAbsolute(path) || win32.isAbsolute(path),
    'đường dẫn tuyệt đối tới thư mục máy quét lưu tệp (ví dụ /srv/scans/quay1 hoặc D:\\Scans\\Quay1)',
  );

const Name = z.string().trim().min(1).max(100);

export const ScannersConfigSchema = z
  .object({
    /** `false` (or `enabled: false`) turns SANE off: Windows workstations have no `scanimage`. */
    sane: z
      .preprocess(
        (value) => (value === false ? { enabled: false } : value),
        z
          .object({
            enabled: z.boolean().default(true),
            /** `"auto"`: every device SANE finds; or the device names to offer, as `scanimage -L` lists them. */
            devices: z
              .union(
                [z.literal('auto'), z.array(SaneDeviceName).min(1, 'ít nhất một tên thiết bị, hoặc "auto"')],
                '"auto" hoặc danh sách tên thiết bị SANE',
              )
              .default('auto'),
            scanimagePath: z.string().min(1).optional(),
            /** Extra environment for scanimage (`SANE_CONFIG_DIR`, `SANE_NET_HOSTS`, ...). */
            env: z.record(EnvName, z.string()).optional(),
          })
          .strict(),
      )
      .default({ enabled: true, devices: 'auto' }),
    escl: z
      .array(z.object({ url: EsclUrl, name: Name.optional() }).strict())
      .max(20)
      .default([]),
    folders: z
      .array(
        z
          .object({
            path: FolderPath,
            name: Name.optional(),
            /** A batch ends after this long without a new file. */
            idleTimeoutMs: z.number().int().min(1000).max(600_000).optional(),
          })
          .strict(),
      )
      .max(20)
      .default([]),
    /** Offer "Nhập từ tệp" (image and PDF files) as a scanner. */
    fileImport: z.boolean().default(true),
    defaultProfile: DigitiseProfileInput.default({}),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.sane.devices !== 'auto') {
      duplicates(value.sane.devices, (d) => d).forEach((i) =>
        ctx.addIssue({ code: 'custom', path: ['sane', 'devices', i], message: 'tên thiết bị SANE bị lặp' }),
      );
    }
    duplicates(value.escl, (s) => esclKey(s.url)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['escl', i, 'url'], message: 'máy quét eSCL này đã có trong danh sách' }),
    );
    duplicates(value.folders, (f) => folderKey(f.path)).forEach((i) =>
      ctx.addIssue({ code: 'custom', path: ['folders', i, 'path'], message: 'thư mục này đã có trong danh sách' }),
    );
  });

export type ScannersConfig = z.output<typeof ScannersConfigSchema>;

export const DEFAULT_SCANNERS_CONFIG: ScannersConfig = {
  sane: { enabled: true, devices: 'auto' },
  escl: [],
  folders: [],
  fileImport: true,
  defaultProfile: {},
};

/** The driver configuration for `createDrivers` (training mode turns each device into a twin there). */
export function scannerDriverConfig(config: ScannersConfig): ScannerConfig {
  const devices: ScannerDeviceConfig[] = [];
  if (config.sane.enabled) {
    devices.push({
      kind: 'sane',
      ...(config.sane.devices === 'auto' ? {} : { devices: [...config.sane.devices] }),
      ...(config.sane.scanimagePath === undefined ? {} : { scanimagePath: config.sane.scanimagePath }),
      ...(config.sane.env === undefined ? {} : { env: { ...config.sane.env } }),
    });
  }
  for (const s of config.escl)
    devices.push({ kind: 'escl', url: s.url, ...(s.name === undefined ? {} : { name: s.name }) });
  for (const f of config.folders) {
    devices.push({
      kind: 'folder',
      path: f.path,
      ...(f.name === undefined ? {} : { name: f.name }),
      ...(f.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: f.idleTimeoutMs }),
    });
  }
  return { devices, fileImport: config.fileImport };
}

/** Indexes of entries whose key was seen before. */
function duplicates<T>(items: readonly T[], key: (item: T) => string): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  items.forEach((item, i) => {
    const k = key(item);
    if (seen.has(k)) out.push(i);
    seen.add(k);
  });
  return out;
}

function esclKey(url: string): string {
  return url
    .toLowerCase()
    .replace(/\/+$/, '')
    .replace(/\/escl$/, '');
}

function folderKey(path: string): string {
  return path.replace(/[\\/]+$/, '');
}

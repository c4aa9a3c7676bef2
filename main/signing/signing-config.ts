import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { posix, win32 } from 'node:path';
import { z } from 'zod';
import { AppError } from '../../common/contract';
import type { TokenConfig } from '../../drivers';

/**
 * The `signing` section of the workstation configuration (docs/domain.md §8): which token and
 * key the digitisation station signs with, the timestamp authority, the trust anchors verification
 * uses, and the visible stamp. Production signs with the PKCS#11 module at `modulePath`; training
 * mode always signs with the simulated token. The PIN is never here: the officer types it once per
 * batch.
 */
const EnvName = z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'tên biến môi trường (A-Z, 0-9, _)');
const FilePath = z
  .string()
  .min(1)
  .refine((p) => posix.isAbsolute(p) || win32.isAbsolute(p), 'đường dẫn tuyệt đối tới tệp');

export const SigningConfigSchema = z
  .object({
    /** Offer batch signing at the digitisation station (default true when the section is present). */
    enabled: z.boolean().default(true),
    /**
     * The token vendor's PKCS#11 library (`vnptca_p11_v8.dll`, `/usr/lib/fptca_v4.so`, …); required in production when
     * enabled.
     */
    modulePath: FilePath.optional(),
    /** Environment the module needs (e.g. `SOFTHSM2_CONF`). */
    moduleEnv: z.record(EnvName, z.string().max(1000)).optional(),
    /** The token's label when several tokens may be plugged in; otherwise any token holding the key. */
    tokenLabel: z.string().min(1).max(64).optional(),
    /** CKA_ID of the signing key pair, hex (keys are chosen by id, never by label). */
    keyId: z
      .string()
      .regex(/^([0-9a-fA-F]{2}){1,64}$/, 'CKA_ID dạng hex, số chữ số chẵn (ví dụ a1b2c3d4)')
      .optional(),
    /** RFC 3161 timestamp authority (PAdES B-T); B-B without it. */
    tsaUrl: z
      .url('địa chỉ máy chủ cấp dấu thời gian')
      .refine(
        (u) => /^https?:\/\//i.test(u),
        'địa chỉ máy chủ cấp dấu thời gian phải bắt đầu bằng http:// hoặc https://',
      )
      .optional(),
    /** CA certificates (PEM or DER files) a signature must chain to for "tin cậy". */
    trustAnchors: z.array(FilePath).max(50).default([]),
    /**
     * The visible stamp: off by default; `page` 0-based, negative from the end; `rect` in PDF points from the
     * lower-left.
     */
    stamp: z
      .object({
        visible: z.boolean().default(false),
        page: z.number().int().min(-999).max(9999).default(-1),
        rect: z
          .object({
            x: z.number().min(0).max(2000),
            y: z.number().min(0).max(2000),
            width: z.number().min(40).max(600),
            height: z.number().min(20).max(300),
          })
          .strict()
          .optional(),
      })
      .strict()
      .default({ visible: false, page: -1 }),
    /** The signature's /Location; default the agency name. */
    location: z.string().min(1).max(200).optional(),
    /** Seconds a timestamp request may take; default 15. */
    tsaTimeoutSeconds: z.number().int().min(1).max(120).optional(),
  })
  .strict();

export type SigningConfig = z.infer<typeof SigningConfigSchema>;

/** The simulated token's RSA key (drivers/token/simulated-token.ts); training mode signs with it. */
export const TRAINING_SIGNING_KEY_ID = '5a01';

export interface EffectiveSigning extends SigningConfig {
  /** True in training mode: the simulated token (PIN 123456). */
  simulated: boolean;
  keyId: string;
}

/**
 * What the station signs with, or null when signing is off. Training mode signs with the simulated
 * token (a configured section may still set the stamp, TSA and anchors, or turn signing off);
 * production signs only with a section that names a module and a key.
 */
export function effectiveSigning(section: SigningConfig | undefined, trainingMode: boolean): EffectiveSigning | null {
  if (trainingMode) {
    const base = section ?? SigningConfigSchema.parse({});
    return base.enabled ? { ...base, simulated: true, keyId: TRAINING_SIGNING_KEY_ID } : null;
  }
  if (!section || !section.enabled || section.keyId === undefined || section.modulePath === undefined) return null;
  return { ...section, simulated: false, keyId: section.keyId.toLowerCase() };
}

/** The token driver configuration for `createTokenProvider`. */
export function tokenDriverConfig(signing: EffectiveSigning): TokenConfig {
  if (signing.simulated || signing.modulePath === undefined) return { kind: 'simulated' };
  return {
    kind: 'pkcs11',
    modules: [signing.modulePath],
    search: false,
    ...(signing.moduleEnv ? { env: signing.moduleEnv } : {}),
  };
}

/** Trust anchor files as bytes (checked when the configuration was loaded). */
export function readTrustAnchors(signing: Pick<SigningConfig, 'trustAnchors'>): Uint8Array[] {
  return signing.trustAnchors.map((file) => new Uint8Array(readFileSync(file)));
}

/**
 * Checks the section beyond its shape, naming the field: module and key required in production
 * when enabled; each trust anchor readable and an X.509 certificate (PEM or DER).
 */
export function checkSigningConfig(section: SigningConfig | undefined, trainingMode: boolean): void {
  if (!section) return;
  const fail = (field: string, text: string): never => {
    throw new AppError('CONFIG_INVALID', `Cấu hình không hợp lệ: ${field}: ${text}`, {
      fields: [field],
      issues: [`${field}: ${text}`],
    });
  };
  if (!trainingMode && section.enabled) {
    if (section.modulePath === undefined)
      fail('signing.modulePath', 'cần đường dẫn thư viện PKCS#11 của token khi bật ký số');
    if (section.keyId === undefined) fail('signing.keyId', 'cần CKA_ID của khóa ký (hex) khi bật ký số');
  }
  section.trustAnchors.forEach((file, i) => {
    const field = `signing.trustAnchors.${i}`;
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      return fail(
        field,
        `không đọc được tệp ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`,
      );
    }
    const text = bytes.toString('latin1');
    const blocks: (string | Buffer)[] = text.includes('-----BEGIN CERTIFICATE-----')
      ? [...text.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => m[0])
      : [bytes];
    try {
      for (const block of blocks) new X509Certificate(block);
    } catch {
      fail(field, `tệp ${file} không phải chứng thư số X.509 (PEM hoặc DER)`);
    }
  });
}

/**
 * `digitise` command: one digitised document (searchable PDF with the mandatory metadata) from
 * image or PDF files, made by the same pipeline and PDF writer as the digitisation station, with
 * no store: it reads the inputs and writes only the outputs.
 *
 *   digitise --in scan1.png --in scan2.jpg --owner-id 001203004567 --owner-name "Nguyễn Văn A"
 *            --doc-code KQ0001 --doc-name "Giấy khai sinh" --permanent --out giay-khai-sinh.pdf
 *
 * Exit codes: 0 done, 2 bad input (one line naming what is wrong), 1 processing failure.
 */
import { existsSync, statSync } from 'node:fs';
import { readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DigitisedMetadata } from '../../common/contract';
import { isLocalDate, parseDossierCode } from '../../common/domain';
import { createTokenProvider, type TokenProvider } from '../../drivers';
import { HttpTimestampAuthority } from '../signing/tsa';
import { DIGITISED_REASON, padesSignStage } from '../signing/sign-stage';
import { normaliseKeyIdHex, openTokenKey, type OpenedTokenKey } from '../signing/token-key';
import { verifyPdf } from '../signing/verify';
import { resolveProfile } from '../digitise/station/pipeline-port';
import type { DigitisePipeline, DocumentMeta } from '../digitise/station/pipeline-port';
import { decodeFilePages, FileImportError, MAX_INPUT_BYTES, type FilePage } from '../digitise/station/file-pages';
import { digitisePages } from '../digitise/station/single-document';
import type { DigitiseProfile } from '../digitise/types';
import { systemClock, type Clock } from '../kernel/clock';

export interface DigitiseCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** A pipeline for the profile and a function that frees it (OCR workers). */
  pipelineFor: (profile: DigitiseProfile) => Promise<{ pipeline: DigitisePipeline; close: () => Promise<void> }>;
  agencyName?: string;
  /** Default the system clock. */
  clock?: Clock;
  /**
   * The token provider for `--sign` (default: the PKCS#11 module named by `--token-module`, in its own host process).
   */
  tokenProvider?: (modulePath: string) => TokenProvider;
  /** Where `--pin-env` is read (default `process.env`). */
  env?: Record<string, string | undefined>;
}

export const DIGITISE_USAGE = [
  'Cách dùng: digitise --in <ảnh|pdf>... --owner-id MÃ --owner-name "HỌ TÊN" --doc-code MÃ --doc-name "TÊN"',
  '                [--dossier MÃ_HỒ_SƠ] (--valid-until YYYY-MM-DD | --permanent) [--issuer "CƠ QUAN"] [--number SỐ]',
  '                [--issued YYYY-MM-DD] [--summary "TRÍCH YẾU"] [--kind component|result]',
  '                --out tệp.pdf [--text-out tệp.txt] [--json] [--dpi N] [--colour color|gray|bw]',
  '                [--sign --token-module THƯ_VIỆN --key-id HEX --pin-env BIẾN [--token-label NHÃN] [--tsa URL] [--stamp]]',
  '',
  'Tạo một văn bản số hóa (PDF có lớp chữ và siêu dữ liệu bắt buộc) từ một hoặc nhiều tệp ảnh/PDF,',
  'bằng cùng quy trình với trạm số hóa; không cần kho dữ liệu, chỉ ghi các tệp kết quả.',
  '  --in          tệp đầu vào (lặp lại cho nhiều tệp; PDF nhiều trang được tách từng trang)',
  '  --doc-code    mã giấy tờ, ví dụ KQ0003, DC0001 hoặc KQ.G15.000031',
  '  --permanent   giấy tờ có giá trị vô thời hạn (hoặc --valid-until ngày hết hiệu lực)',
  '  --dpi         độ phân giải xử lý (mặc định 200; 300 cho bản vẽ)',
  '  --json        in kết quả dạng JSON: { out, pages, sizeBytes, textChars, blankPages, meanConfidence, seconds, signed }',
  '  --sign        ký số tệp PDF (PAdES) bằng USB token sau khi nhận dạng chữ và ghi siêu dữ liệu:',
  '    --token-module  thư viện PKCS#11 của token (.so/.dll), --token-label nhãn token (khi cắm nhiều token)',
  '    --key-id        CKA_ID của khóa ký (hex), --pin-env tên biến môi trường chứa mã PIN (không nhập PIN trên dòng lệnh)',
  '    --tsa           URL máy chủ cấp dấu thời gian RFC 3161 (PAdES B-T), --stamp hiện khung chữ ký ở trang cuối',
  'Mã thoát: 0 xong, 2 sai tham số hoặc tệp đầu vào, 1 lỗi xử lý hoặc lỗi ký số (không ghi tệp kết quả nào).',
];

/** Bad input: one line, exit code 2. */
class UsageError extends Error {}

const OPTIONS = {
  in: { type: 'string', multiple: true },
  'owner-id': { type: 'string' },
  'owner-name': { type: 'string' },
  'doc-code': { type: 'string' },
  'doc-name': { type: 'string' },
  dossier: { type: 'string' },
  'valid-until': { type: 'string' },
  permanent: { type: 'boolean', default: false },
  issuer: { type: 'string' },
  number: { type: 'string' },
  issued: { type: 'string' },
  summary: { type: 'string' },
  kind: { type: 'string' },
  out: { type: 'string' },
  'text-out': { type: 'string' },
  json: { type: 'boolean', default: false },
  dpi: { type: 'string' },
  colour: { type: 'string' },
  color: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  sign: { type: 'boolean', default: false },
  'token-module': { type: 'string' },
  'token-label': { type: 'string' },
  'key-id': { type: 'string' },
  'pin-env': { type: 'string' },
  tsa: { type: 'string' },
  stamp: { type: 'boolean', default: false },
} as const;

const DOC_CODE = /^(KQ|DC)\d{4}$|^KQ\.[A-Z0-9]+\.\d+$/;

function oneLine(text: string): string {
  return text.replace(/\s*\r?\n\s*/g, ' ').trim();
}

function parse(args: string[]) {
  try {
    return parseArgs({ args, options: OPTIONS, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const text = oneLine(error instanceof Error ? error.message : String(error));
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    const quoted = /'([^']+)'/.exec(text)?.[1] ?? '';
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION')
      throw new UsageError(`tùy chọn không hợp lệ '${quoted}' (xem digitise --help).`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE')
      throw new UsageError(`thiếu giá trị của tùy chọn '${quoted.replace(/ <value>$/, '')}'.`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL')
      throw new UsageError(`đối số thừa '${quoted}' (tệp đầu vào đi sau --in).`);
    throw new UsageError(text);
  }
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`thiếu ${option}.`);
  return value.trim();
}

function date(value: string | undefined, option: string): string | null {
  if (value === undefined) return null;
  if (!isLocalDate(value.trim()))
    throw new UsageError(`${option} phải là ngày có thật dạng YYYY-MM-DD (nhận được '${value}').`);
  return value.trim();
}

interface SignPlan {
  modulePath: string;
  tokenLabel: string | undefined;
  keyId: string;
  pinEnv: string;
  tsaUrl: string | null;
  stamp: boolean;
}

interface Plan {
  sign: SignPlan | null;
  inputs: string[];
  out: string;
  textOut: string | null;
  json: boolean;
  profile: DigitiseProfile;
  metadata: DigitisedMetadata;
}

function plan(args: string[]): Plan | 'help' {
  const v = parse(args);
  if (v.help) return 'help';
  const inputs = (v.in ?? []).map((s) => s.trim()).filter((s) => s !== '');
  if (inputs.length === 0) throw new UsageError('thiếu --in (tệp ảnh hoặc PDF cần số hóa).');
  const ownerId = required(v['owner-id'], '--owner-id');
  const ownerName = required(v['owner-name'], '--owner-name');
  const docCode = required(v['doc-code'], '--doc-code');
  const docName = required(v['doc-name'], '--doc-name');
  const out = required(v.out, '--out');
  if (!/^[\p{L}\p{N}._-]{1,20}$/u.test(ownerId))
    throw new UsageError(`--owner-id không hợp lệ '${ownerId}' (số định danh hoặc mã tổ chức, tối đa 20 ký tự).`);
  if (!DOC_CODE.test(docCode))
    throw new UsageError(`mã giấy tờ không đúng định dạng '${docCode}' (ví dụ KQ0003, DC0001, KQ.G15.000031).`);
  if (v.permanent && v['valid-until'] !== undefined)
    throw new UsageError('chỉ dùng một trong hai: --valid-until hoặc --permanent.');
  if (!v.permanent && v['valid-until'] === undefined)
    throw new UsageError('cần --valid-until YYYY-MM-DD hoặc --permanent (thời hạn hiệu lực là siêu dữ liệu bắt buộc).');
  const validUntil = date(v['valid-until'], '--valid-until');
  const issuedOn = date(v.issued, '--issued');
  const dossier = v.dossier?.trim() || null;
  if (dossier !== null && parseDossierCode(dossier) === null)
    throw new UsageError(`mã hồ sơ không đúng định dạng '${dossier}' (ví dụ 000.00.12.H56-250715-0001).`);
  const kind = v.kind ?? 'component';
  if (kind !== 'component' && kind !== 'result')
    throw new UsageError(`--kind phải là component hoặc result (nhận được '${kind}').`);
  let dpi: number | undefined;
  if (v.dpi !== undefined) {
    dpi = /^\d{2,3}$/.test(v.dpi) ? Number(v.dpi) : Number.NaN;
    if (!(dpi >= 72 && dpi <= 600)) throw new UsageError(`--dpi phải là số từ 72 đến 600 (nhận được '${v.dpi}').`);
  }
  const colourText = v.colour ?? v.color;
  if (colourText !== undefined && colourText !== 'color' && colourText !== 'gray' && colourText !== 'bw') {
    throw new UsageError(`--colour phải là color, gray hoặc bw (nhận được '${colourText}').`);
  }
  const checked = DigitisedMetadata.safeParse({
    ownerIdNumber: ownerId,
    ownerName,
    documentCode: docCode,
    documentName: docName,
    dossierCode: dossier,
    permanent: v.permanent,
    validUntil,
    issuer: v.issuer?.trim() || null,
    number: v.number?.trim() || null,
    issuedOn,
    summary: v.summary?.trim() || null,
    kind,
    procedureCode: null,
    sectorCode: null,
  });
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new UsageError(`siêu dữ liệu không hợp lệ: ${issue.path.join('.')}: ${issue.message}.`);
  }
  return {
    sign: signPlan(v),
    inputs,
    out,
    textOut: v['text-out']?.trim() || null,
    json: v.json,
    profile: resolveProfile({
      ...(dpi !== undefined ? { dpi } : {}),
      ...(colourText !== undefined ? { colour: colourText } : {}),
    }),
    metadata: checked.data,
  };
}

const SIGN_ONLY = ['token-module', 'token-label', 'key-id', 'pin-env', 'tsa', 'stamp'] as const;

/** The `--sign` options, checked before any work (the PIN variable's presence too, never its value). */
function signPlan(v: ReturnType<typeof parse>): SignPlan | null {
  if (!v.sign) {
    const stray = SIGN_ONLY.find((o) => v[o] !== undefined && v[o] !== false);
    if (stray) throw new UsageError(`--${stray} chỉ dùng cùng --sign.`);
    return null;
  }
  const modulePath = required(v['token-module'], '--token-module (thư viện PKCS#11 của token)');
  const keyIdText = required(v['key-id'], '--key-id (CKA_ID của khóa ký, dạng hex)');
  const pinEnv = required(v['pin-env'], '--pin-env (tên biến môi trường chứa mã PIN)');
  if (!existsSync(modulePath) || !statSync(modulePath).isFile())
    throw new UsageError(`không thấy thư viện PKCS#11 '${modulePath}'.`);
  let keyId: string;
  try {
    keyId = normaliseKeyIdHex(keyIdText);
  } catch {
    throw new UsageError(`--key-id phải là các byte hex, ví dụ a1b2c3d4 (nhận được '${keyIdText}').`);
  }
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(pinEnv))
    throw new UsageError(`--pin-env phải là tên biến môi trường (A-Z, 0-9, _), không phải mã PIN.`);
  let tsaUrl: string | null = null;
  if (v.tsa !== undefined) {
    let url: URL | null = null;
    try {
      url = new URL(v.tsa);
    } catch {
      /* reported below */
    }
    if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:'))
      throw new UsageError(`--tsa phải là địa chỉ http(s) của máy chủ cấp dấu thời gian (nhận được '${v.tsa}').`);
    tsaUrl = url.href;
  }
  return {
    modulePath: isAbsolute(modulePath) ? modulePath : resolve(modulePath),
    tokenLabel: v['token-label']?.trim() || undefined,
    keyId,
    pinEnv,
    tsaUrl,
    stamp: v.stamp,
  };
}

/** The PIN from the environment variable named; missing or empty is bad input. */
function pinFrom(plan: SignPlan, env: Record<string, string | undefined>): string {
  const pin = env[plan.pinEnv];
  if (pin === undefined || pin === '')
    throw new UsageError(`biến môi trường ${plan.pinEnv} (mã PIN của token) chưa được đặt.`);
  return pin;
}

/** Token failures in one line, by their code (the PIN never appears). */
function tokenFailure(error: unknown): string {
  const code =
    typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const text = oneLine(error instanceof Error ? error.message : String(error));
  const known: Record<string, string> = {
    TOKEN_PIN_INCORRECT: 'mã PIN không đúng',
    TOKEN_PIN_LOCKED: 'mã PIN của token đã bị khóa',
    TOKEN_KEY_NOT_FOUND: 'không có khóa ký với --key-id này trên token',
    TOKEN_NOT_FOUND: 'không thấy token',
    TOKEN_MODULE_LOAD_FAILED: 'không nạp được thư viện PKCS#11',
    TOKEN_MODULE_CRASHED: 'thư viện PKCS#11 bị lỗi và đã dừng',
    TOKEN_REMOVED: 'token đã bị rút ra',
    TOKEN_MECHANISM_UNSUPPORTED: 'token không hỗ trợ kiểu ký này',
    SIGN_TIMESTAMP_FAILED: 'không lấy được dấu thời gian',
  };
  const triesLeft =
    typeof error === 'object' && error !== null && 'details' in error
      ? (error as { details?: { triesLeft?: unknown } }).details?.triesLeft
      : undefined;
  const extra = typeof triesLeft === 'number' ? ` (còn ${triesLeft} lần thử)` : '';
  return `${code ? `${code}: ` : ''}${known[code] ?? 'không ký được'}${extra} — ${text}`;
}

/** Writes next to the target, then renames: a failure never leaves a half-written file under the real name. */
async function writeAtomically(file: string, data: Uint8Array | string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    await writeFile(temp, data);
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}

/** Reads and decodes every input; any problem is a usage error naming the file. */
async function readInputs(files: string[], profile: DigitiseProfile): Promise<FilePage[]> {
  const pages: FilePage[] = [];
  for (const file of files) {
    let size: number;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new UsageError(`không đọc được tệp đầu vào '${file}': không phải tệp.`);
      size = info.size;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
      throw new UsageError(
        `không đọc được tệp đầu vào '${file}'${code === 'ENOENT' ? ': tệp không tồn tại' : code ? ` (${code})` : ''}.`,
      );
    }
    if (size === 0) throw new UsageError(`tệp đầu vào '${file}' rỗng (0 byte).`);
    if (size > MAX_INPUT_BYTES)
      throw new UsageError(
        `tệp đầu vào '${file}' quá lớn (${Math.ceil(size / 1024 / 1024)} MB, tối đa ${MAX_INPUT_BYTES / 1024 / 1024} MB).`,
      );
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
      throw new UsageError(`không đọc được tệp đầu vào '${file}'${code ? ` (${code})` : ''}.`);
    }
    try {
      pages.push(...(await decodeFilePages(file, bytes, { dpi: profile.dpi, colour: profile.colour })));
    } catch (error) {
      if (error instanceof FileImportError)
        throw new UsageError(`không đọc được tệp đầu vào '${file}': không phải ảnh (PNG, JPEG, TIFF) hoặc PDF hợp lệ.`);
      throw error;
    }
  }
  return pages;
}

export async function runDigitiseCommand(args: string[], io: DigitiseCommandIo): Promise<number> {
  const started = performance.now();
  let p: Plan;
  let pages: FilePage[];
  try {
    const planned = plan(args);
    if (planned === 'help') {
      for (const line of DIGITISE_USAGE) io.out(line);
      return 0;
    }
    p = planned;
    pages = await readInputs(p.inputs, p.profile);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`Lỗi: ${oneLine(error.message)}`);
      return 2;
    }
    io.err(`Lỗi: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }

  // Signing: the PIN variable is checked, then the token opened and logged in BEFORE any OCR, so a
  // wrong PIN, an unknown key id or a module that does not load costs seconds, not the whole run.
  let token: { provider: TokenProvider; opened: OpenedTokenKey } | null = null;
  if (p.sign !== null) {
    let pin: string;
    try {
      pin = pinFrom(p.sign, io.env ?? process.env);
    } catch (error) {
      io.err(`Lỗi: ${oneLine((error as Error).message)}`);
      return 2;
    }
    const provider = (io.tokenProvider ?? defaultTokenProvider)(p.sign.modulePath);
    try {
      token = {
        provider,
        opened: await openTokenKey(
          provider,
          { keyId: p.sign.keyId, ...(p.sign.tokenLabel ? { tokenLabel: p.sign.tokenLabel } : {}) },
          pin,
        ),
      };
    } catch (error) {
      await provider.dispose().catch(() => undefined);
      io.err(`Lỗi ký số: ${tokenFailure(error)}`);
      return 1;
    }
  }

  let resources: Awaited<ReturnType<DigitiseCommandIo['pipelineFor']>> | null = null;
  try {
    resources = await io.pipelineFor(p.profile);
    const meta: DocumentMeta = {
      ...p.metadata,
      digitisedAt: (io.clock ?? systemClock).localNow(),
      digitiser: process.env.USER ?? process.env.USERNAME ?? 'motcua-desk',
      agencyName: io.agencyName ?? '',
    };
    const doc = await digitisePages(pages, {
      pipeline: resources.pipeline,
      meta,
      signal: new AbortController().signal,
    });
    let pdf = doc.pdf;
    let signed: { signer: string; keyId: string; timestamp: boolean } | null = null;
    if (token !== null && p.sign !== null) {
      // Same slot semantics as the pipeline's signStage: last, after OCR and metadata.
      const sign = padesSignStage(token.opened.key, {
        reason: DIGITISED_REASON,
        ...(meta.agencyName ? { location: meta.agencyName } : {}),
        ...(p.sign.tsaUrl ? { timestampAuthority: new HttpTimestampAuthority({ url: p.sign.tsaUrl }) } : {}),
        ...(p.sign.stamp ? { stamp: { page: -1, ...(meta.agencyName ? { agency: meta.agencyName } : {}) } } : {}),
      });
      try {
        pdf = await sign(doc.pdf, meta);
      } catch (error) {
        io.err(`Lỗi ký số: ${tokenFailure(error)}`);
        return 1;
      }
      // Verify what was signed before it is written.
      const check = (await verifyPdf(pdf)).signatures.at(-1);
      if (!check || !check.integrity.ok) {
        io.err(`Lỗi ký số: chữ ký vừa tạo không kiểm tra được (${check?.integrity.problem ?? 'không thấy chữ ký'}).`);
        return 1;
      }
      signed = {
        signer: check.signer?.commonName ?? '',
        keyId: token.opened.key.keyId,
        timestamp: check.timestamp?.valid ?? false,
      };
    }
    await writeAtomically(p.out, pdf);
    if (p.textOut !== null) await writeAtomically(p.textOut, doc.text);
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    if (p.json) {
      io.out(
        JSON.stringify({
          out: p.out,
          pages: doc.pageCount,
          sizeBytes: pdf.length,
          textChars: doc.text.length,
          blankPages: doc.blankPages,
          meanConfidence: doc.meanConfidence,
          seconds,
          signed,
        }),
      );
    } else {
      io.out(
        `Đã tạo ${p.out}: ${doc.pageCount} trang, ${pdf.length} byte, ${doc.text.length} ký tự nhận dạng${doc.blankPages ? `, ${doc.blankPages} trang trắng bỏ ra` : ''} (${seconds} giây).`,
      );
      if (signed)
        io.out(`Đã ký số: ${signed.signer} (khóa ${signed.keyId})${signed.timestamp ? ', có dấu thời gian' : ''}.`);
    }
    return 0;
  } catch (error) {
    io.err(`Lỗi xử lý: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    await resources?.close().catch(() => undefined);
    if (token !== null) {
      await token.opened.close();
      await token.provider.dispose().catch(() => undefined);
    }
  }
}

function defaultTokenProvider(modulePath: string): TokenProvider {
  return createTokenProvider('production', { kind: 'pkcs11', modules: [modulePath], search: false });
}

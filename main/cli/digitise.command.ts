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
import { readFile, stat, writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { DigitisedMetadata } from '../../common/contract';
import { isLocalDate, parseDossierCode } from '../../common/domain';
import { resolveProfile } from '../digitise/station/pipeline-port';
import type { DigitisePipeline, DocumentMeta } from '../digitise/station/pipeline-port';
import { decodeFilePages, FileImportError, MAX_INPUT_BYTES, type FilePage } from '../digitise/station/file-pages';
import { digitisePages } from '../digitise/station/single-document';
import type { DigitiseProfile } from '../digitise/types';
import { toLocalDateTime } from '../core/clock';

export interface DigitiseCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** A pipeline for the profile and a function that frees it (OCR workers). */
  pipelineFor: (profile: DigitiseProfile) => Promise<{ pipeline: DigitisePipeline; close: () => Promise<void> }>;
  agencyName?: string;
  now?: () => number;
}

export const DIGITISE_USAGE = [
  'Cách dùng: digitise --in <ảnh|pdf>... --owner-id MÃ --owner-name "HỌ TÊN" --doc-code MÃ --doc-name "TÊN"',
  '                [--dossier MÃ_HỒ_SƠ] (--valid-until YYYY-MM-DD | --permanent) [--issuer "CƠ QUAN"] [--number SỐ]',
  '                [--issued YYYY-MM-DD] [--summary "TRÍCH YẾU"] [--kind component|result]',
  '                --out tệp.pdf [--text-out tệp.txt] [--json] [--dpi N] [--colour color|gray|bw]',
  '',
  'Tạo một văn bản số hóa (PDF có lớp chữ và siêu dữ liệu bắt buộc) từ một hoặc nhiều tệp ảnh/PDF,',
  'bằng cùng quy trình với trạm số hóa; không cần kho dữ liệu, chỉ ghi các tệp kết quả.',
  '  --in          tệp đầu vào (lặp lại cho nhiều tệp; PDF nhiều trang được tách từng trang)',
  '  --doc-code    mã giấy tờ, ví dụ KQ0003, DC0001 hoặc KQ.G15.000031',
  '  --permanent   giấy tờ có giá trị vô thời hạn (hoặc --valid-until ngày hết hiệu lực)',
  '  --dpi         độ phân giải xử lý (mặc định 200; 300 cho bản vẽ)',
  '  --json        in kết quả dạng JSON: { out, pages, sizeBytes, textChars, blankPages, meanConfidence, seconds }',
  'Mã thoát: 0 xong, 2 sai tham số hoặc tệp đầu vào, 1 lỗi xử lý.',
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
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new UsageError(`tùy chọn không hợp lệ '${quoted}' (xem digitise --help).`);
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new UsageError(`thiếu giá trị của tùy chọn '${quoted.replace(/ <value>$/, '')}'.`);
    if (code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL') throw new UsageError(`đối số thừa '${quoted}' (tệp đầu vào đi sau --in).`);
    throw new UsageError(text);
  }
}

function required(value: string | undefined, option: string): string {
  if (value === undefined || value.trim() === '') throw new UsageError(`thiếu ${option}.`);
  return value.trim();
}

function date(value: string | undefined, option: string): string | null {
  if (value === undefined) return null;
  if (!isLocalDate(value.trim())) throw new UsageError(`${option} phải là ngày có thật dạng YYYY-MM-DD (nhận được '${value}').`);
  return value.trim();
}

interface Plan {
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
  if (!/^[\p{L}\p{N}._-]{1,20}$/u.test(ownerId)) throw new UsageError(`--owner-id không hợp lệ '${ownerId}' (số định danh hoặc mã tổ chức, tối đa 20 ký tự).`);
  if (!DOC_CODE.test(docCode)) throw new UsageError(`mã giấy tờ không đúng định dạng '${docCode}' (ví dụ KQ0003, DC0001, KQ.G15.000031).`);
  if (v.permanent && v['valid-until'] !== undefined) throw new UsageError('chỉ dùng một trong hai: --valid-until hoặc --permanent.');
  if (!v.permanent && v['valid-until'] === undefined) throw new UsageError('cần --valid-until YYYY-MM-DD hoặc --permanent (thời hạn hiệu lực là siêu dữ liệu bắt buộc).');
  const validUntil = date(v['valid-until'], '--valid-until');
  const issuedOn = date(v.issued, '--issued');
  const dossier = v.dossier?.trim() || null;
  if (dossier !== null && parseDossierCode(dossier) === null) throw new UsageError(`mã hồ sơ không đúng định dạng '${dossier}' (ví dụ 000.00.12.H56-250715-0001).`);
  const kind = v.kind ?? 'component';
  if (kind !== 'component' && kind !== 'result') throw new UsageError(`--kind phải là component hoặc result (nhận được '${kind}').`);
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
    ownerIdNumber: ownerId, ownerName, documentCode: docCode, documentName: docName, dossierCode: dossier, permanent: v.permanent,
    validUntil, issuer: v.issuer?.trim() || null, number: v.number?.trim() || null, issuedOn, summary: v.summary?.trim() || null,
    kind, procedureCode: null, sectorCode: null,
  });
  if (!checked.success) {
    const issue = checked.error.issues[0]!;
    throw new UsageError(`siêu dữ liệu không hợp lệ: ${issue.path.join('.')}: ${issue.message}.`);
  }
  return {
    inputs, out, textOut: v['text-out']?.trim() || null, json: v.json,
    profile: resolveProfile({ ...(dpi !== undefined ? { dpi } : {}), ...(colourText !== undefined ? { colour: colourText } : {}) }),
    metadata: checked.data,
  };
}

/** Reads and decodes every input; any problem is a usage error naming the file. */
async function readInputs(files: string[], dpi: number): Promise<FilePage[]> {
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
      throw new UsageError(`không đọc được tệp đầu vào '${file}'${code === 'ENOENT' ? ': tệp không tồn tại' : code ? ` (${code})` : ''}.`);
    }
    if (size === 0) throw new UsageError(`tệp đầu vào '${file}' rỗng (0 byte).`);
    if (size > MAX_INPUT_BYTES) throw new UsageError(`tệp đầu vào '${file}' quá lớn (${Math.ceil(size / 1024 / 1024)} MB, tối đa ${MAX_INPUT_BYTES / 1024 / 1024} MB).`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(file));
    } catch (error) {
      const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
      throw new UsageError(`không đọc được tệp đầu vào '${file}'${code ? ` (${code})` : ''}.`);
    }
    try {
      pages.push(...await decodeFilePages(file, bytes, { dpi }));
    } catch (error) {
      if (error instanceof FileImportError) throw new UsageError(`không đọc được tệp đầu vào '${file}': không phải ảnh (PNG, JPEG, TIFF) hoặc PDF hợp lệ.`);
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
    pages = await readInputs(p.inputs, p.profile.dpi);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`Lỗi: ${oneLine(error.message)}`);
      return 2;
    }
    io.err(`Lỗi: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }

  let resources: Awaited<ReturnType<DigitiseCommandIo['pipelineFor']>> | null = null;
  try {
    resources = await io.pipelineFor(p.profile);
    const meta: DocumentMeta = {
      ...p.metadata,
      digitisedAt: toLocalDateTime((io.now ?? Date.now)()),
      digitiser: process.env.USER ?? process.env.USERNAME ?? 'motcua-desk',
      agencyName: io.agencyName ?? '',
    };
    const doc = await digitisePages(pages, { pipeline: resources.pipeline, meta, fallbackDpi: p.profile.dpi, signal: new AbortController().signal });
    await writeFile(p.out, doc.pdf);
    if (p.textOut !== null) await writeFile(p.textOut, doc.text, 'utf8');
    const seconds = Math.round((performance.now() - started) / 100) / 10;
    if (p.json) {
      io.out(JSON.stringify({ out: p.out, pages: doc.pageCount, sizeBytes: doc.pdf.length, textChars: doc.text.length, blankPages: doc.blankPages, meanConfidence: doc.meanConfidence, seconds }));
    } else {
      io.out(`Đã tạo ${p.out}: ${doc.pageCount} trang, ${doc.pdf.length} byte, ${doc.text.length} ký tự nhận dạng${doc.blankPages ? `, ${doc.blankPages} trang trắng bỏ ra` : ''} (${seconds} giây).`);
    }
    return 0;
  } catch (error) {
    io.err(`Lỗi xử lý: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  } finally {
    await resources?.close().catch(() => undefined);
  }
}

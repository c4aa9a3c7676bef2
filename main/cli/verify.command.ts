/**
 * `verify` command: checks the digital signatures of a PDF, for officers and IT staff.
 *
 *   verify FILE.pdf [--trust CA.pem]... [--json]
 *
 * For each signature: integrity, changes made after signing, the signer and the certificate's
 * validity at the signing time, key usage, the chain to the given trust anchors, a timestamp when
 * present, and a verdict. `--json` prints the full report with `valid` and `trusted` per signature.
 * Exit codes: 0 every signature valid (trusted or not), 1 a signature invalid, no signature or
 * an unreadable file, 2 bad input.
 *
 * Trust anchors are the desk's own, as the verify screen uses them (the workstation's
 * `signing.trustAnchors`; in training mode also the training CAs the desk has signed with,
 * `main/signing/training-anchors.ts`), plus any `--trust` files. So both say the same thing.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { verifyPdf, type SignatureReport } from '../signing/verify';
import { verifyProblemTextVi } from '../../common/contract/verify-problem-text';
import { readTrainingAnchors } from '../signing/training-anchors';
import { loadConfig } from '../core/config';
import { readTrustAnchors } from '../signing/signing-config';
import type { Clock } from '../kernel/clock';

export interface VerifyCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** The time certificates are judged at; default now. */
  clock?: Clock;
  /** The desk's data folder: its configuration's trust anchors (and training CAs) are used too. */
  dataDir?: string;
}

/** The anchors the desk's verify screen trusts, read from its data folder. */
function deskAnchors(dataDir: string | undefined): {
  configured: Uint8Array[];
  training: Uint8Array[];
  problem: string | null;
} {
  if (dataDir === undefined) return { configured: [], training: [], problem: null };
  try {
    const { config, trainingMode } = loadConfig(dataDir);
    return {
      configured: config.signing ? readTrustAnchors(config.signing) : [],
      training: trainingMode ? readTrainingAnchors(dataDir) : [],
      problem: null,
    };
  } catch (err) {
    return { configured: [], training: [], problem: err instanceof Error ? err.message : String(err) };
  }
}

export const VERIFY_USAGE = [
  'Cách dùng: verify <tệp.pdf> [--trust CA.pem]... [--json]',
  '',
  'Kiểm tra chữ ký số trong tệp PDF: toàn vẹn, thay đổi sau khi ký, chứng thư của người ký và',
  'hiệu lực tại thời điểm ký, mục đích sử dụng khóa, chuỗi chứng thực tới các CA tin cậy.',
  '  --trust   chứng thư CA tin cậy (PEM hoặc DER; lặp lại cho nhiều CA, ví dụ CA gốc quốc gia và CA Chính phủ)',
  '  --json    in kết quả dạng JSON (mỗi chữ ký có "valid" và "trusted")',
  'Ngoài --trust, lệnh dùng các CA tin cậy của máy trạm như màn hình Kiểm tra chữ ký (signing.trustAnchors trong',
  'cấu hình; ở chế độ đào tạo cả CA đào tạo của token mô phỏng), theo --data-dir.',
  'Mã thoát: 0 mọi chữ ký hợp lệ; 1 có chữ ký không hợp lệ, không có chữ ký hoặc tệp hỏng; 2 sai tham số.',
];

const VERDICT_TEXT: Record<SignatureReport['verdict'], string> = {
  'valid-trusted': 'HỢP LỆ, tin cậy',
  'valid-untrusted': 'HỢP LỆ nhưng chưa tin cậy (chuỗi chứng thực không tới CA tin cậy)',
  invalid: 'KHÔNG HỢP LỆ',
};

const CHANGES_TEXT: Record<SignatureReport['changesAfterSigning'], string> = {
  none: 'không (chữ ký bao trùm toàn bộ tệp)',
  'signatures-added': 'có, chỉ thêm chữ ký sau (ký nối tiếp)',
  'other-changes': 'CÓ thay đổi khác sau khi ký (nội dung thêm sau không được chữ ký này bảo vệ)',
};

const yesNo = (b: boolean) => (b ? 'đạt' : 'KHÔNG ĐẠT');

export async function runVerifyCommand(args: string[], io: VerifyCommandIo): Promise<number> {
  if (args.includes('--help') || args.includes('-h')) {
    for (const line of VERIFY_USAGE) io.out(line);
    return 0;
  }
  let values: { trust?: string[]; json?: boolean };
  let positionals: string[];
  try {
    ({ values, positionals } = parseArgs({
      args,
      options: { trust: { type: 'string', multiple: true }, json: { type: 'boolean' } },
      allowPositionals: true,
      strict: true,
    }));
  } catch (err) {
    io.err(`Tham số không hợp lệ: ${(err as Error).message}. Xem: motcua-desk verify --help`);
    return 2;
  }
  if (positionals.length !== 1) {
    io.err('Cần đúng một tệp PDF. Xem: motcua-desk verify --help');
    return 2;
  }
  const file = positionals[0]!;
  let pdf: Uint8Array;
  const anchors: Uint8Array[] = [];
  try {
    pdf = new Uint8Array(await readFile(file));
  } catch (err) {
    io.err(`Không đọc được tệp '${file}': ${(err as Error).message}`);
    return 2;
  }
  for (const t of values.trust ?? []) {
    try {
      anchors.push(new Uint8Array(await readFile(t)));
    } catch (err) {
      io.err(`Không đọc được chứng thư tin cậy '${t}': ${(err as Error).message}`);
      return 2;
    }
  }
  const desk = deskAnchors(io.dataDir);
  if (desk.problem !== null) io.err(`Không dùng được CA tin cậy của máy trạm (cấu hình lỗi): ${desk.problem}`);
  const given = anchors.length;
  anchors.push(...desk.configured, ...desk.training);
  let report;
  try {
    report = await verifyPdf(pdf, { trustAnchors: anchors, ...(io.clock ? { now: new Date(io.clock.now()) } : {}) });
  } catch (err) {
    io.err(`Chứng thư tin cậy không đọc được: ${(err as Error).message}`);
    return 2;
  }
  const allValid = report.signatures.length > 0 && report.signatures.every((s) => s.valid) && !report.problem;
  const trustAnchors = { given, desk: desk.configured.length, training: desk.training.length };
  if (values.json) {
    io.out(JSON.stringify({ file, valid: allValid, trustAnchors, ...report }, null, 2));
    return allValid ? 0 : 1;
  }
  if (report.problem) {
    io.out(`Tệp không đọc được: ${verifyProblemTextVi(report.problem)}`);
    return 1;
  }
  if (report.signatures.length === 0) {
    io.out('Tệp không có chữ ký số.');
    return 1;
  }
  io.out(
    `Đối chiếu với ${anchors.length} CA tin cậy (--trust: ${given}; cấu hình máy trạm: ${desk.configured.length}; CA đào tạo: ${desk.training.length}).`,
  );
  report.signatures.forEach((s, i) => {
    io.out(`Chữ ký ${i + 1}${s.fieldName ? ` (${s.fieldName})` : ''}: ${VERDICT_TEXT[s.verdict]}`);
    if (s.signer) io.out(`  Người ký: ${s.signer.commonName} — ${s.signer.subject}`);
    if (s.signer) io.out(`  Cấp bởi: ${s.signer.issuer} (số hiệu ${s.signer.serialNumber})`);
    const source =
      s.signingTimeSource === 'timestamp'
        ? 'dấu thời gian'
        : s.signingTimeSource === 'signature-dictionary'
          ? 'do người ký khai'
          : 'thời điểm kiểm tra';
    io.out(`  Thời điểm ký: ${s.signingTime} (${source})`);
    if (s.reason) io.out(`  Lý do: ${s.reason}`);
    if (s.location) io.out(`  Nơi ký: ${s.location}`);
    io.out(
      `  Toàn vẹn: ${yesNo(s.integrity.ok)}${s.integrity.problem ? ` — ${verifyProblemTextVi(s.integrity.problem)}` : ''}`,
    );
    io.out(`  Thay đổi sau khi ký: ${CHANGES_TEXT[s.changesAfterSigning]}`);
    io.out(`  Chứng thư còn hiệu lực lúc ký: ${yesNo(s.certificateValidAtSigningTime)}`);
    io.out(`  Mục đích khóa (ký số/chống chối bỏ): ${yesNo(s.keyUsage.ok)}`);
    io.out(
      `  Chuỗi chứng thực: ${s.chain.trusted ? 'tới CA tin cậy' : `chưa tin cậy${s.chain.problem ? ` — ${verifyProblemTextVi(s.chain.problem)}` : ''}`}`,
    );
    if (s.timestamp)
      io.out(
        `  Dấu thời gian: ${s.timestamp.valid ? `hợp lệ, ${s.timestamp.genTime}` : `KHÔNG HỢP LỆ${s.timestamp.problem ? ` — ${verifyProblemTextVi(s.timestamp.problem)}` : ''}`}${s.timestamp.tsa ? ` (${s.timestamp.tsa})` : ''}`,
      );
  });
  return allValid ? 0 : 1;
}

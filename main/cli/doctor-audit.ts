import type { LoadedConfig } from '../core/config';
import {
  defaultCheckpointDir,
  type AnchorCheck,
  type AnchorProblem,
  type AnchorRecord,
} from '../store/audit-checkpoint';
import type { ChainCheck } from '../store/audit.repository';
import { keyStoreFor } from '../store/key-store';
import type { StoreAuditOptions } from '../store/store';

type Add = (name: string, status: 'ok' | 'warn' | 'fail', detail: string) => void;

/** Where doctor finds the audit key and the checkpoints; the key is read, never created. */
export interface AuditSetup {
  options: StoreAuditOptions & { checkpointDir: string };
  keyLocation: string;
  /** Why the key could not be read (a file of the wrong length), or null. */
  keyProblem: string | null;
}

export function auditSetup(loaded: LoadedConfig | null, env: NodeJS.ProcessEnv = process.env): AuditSetup {
  const keys = keyStoreFor(process.platform, env);
  const checkpointDir = loaded?.config.audit?.checkpointDir ?? defaultCheckpointDir(keys.location);
  try {
    return { options: { key: keys.read('audit'), checkpointDir }, keyLocation: keys.location, keyProblem: null };
  } catch (error) {
    return {
      options: { key: null, checkpointDir },
      keyLocation: keys.location,
      keyProblem: error instanceof Error ? error.message : String(error),
    };
  }
}

/** The chain's line (docs/operations.md, "Audit chain", says what each means and what to do). */
export function chainLine(check: ChainCheck, setup: AuditSetup): { status: 'ok' | 'fail'; detail: string } {
  if (check.ok) {
    const legacy =
      check.keyedFrom > 1
        ? `; mục 1–${check.keyedFrom - 1} theo sha256 cũ, từ mục ${check.keyedFrom} theo HMAC`
        : '; khoá HMAC';
    return { status: 'ok', detail: `chuỗi nhật ký nguyên vẹn (${check.count} mục${legacy})` };
  }
  const at = check.brokenAt ?? 0;
  const detail = ((): string => {
    switch (check.reason) {
      case 'key-missing':
        return `KHÔNG KIỂM ĐƯỢC chuỗi nhật ký: thiếu khoá nhật ký (audit.key) ở ${setup.keyLocation}${setup.keyProblem ? ` (${setup.keyProblem})` : ''}; khôi phục thư mục khoá từ bản sao của bộ phận CNTT`;
      case 'key-other':
        return `KHÔNG KIỂM ĐƯỢC chuỗi nhật ký: khoá nhật ký ở ${setup.keyLocation} không phải khoá đã lập chuỗi (tệp khoá đã bị thay); khôi phục khoá đúng từ bản sao của bộ phận CNTT`;
      case 'row-missing':
        return `chuỗi nhật ký bị phá: thiếu mục ngay trước mục ${at} (đã bị xoá)`;
      case 'link-broken':
        return `chuỗi nhật ký bị phá ở mục ${at}: không nối với mục trước (prev_hash sai)`;
      case 'hash-mismatch':
        return `chuỗi nhật ký bị phá ở mục ${at}: nội dung không khớp mã sha256 (phần trước khi có khoá) — mục đã bị sửa`;
      case 'mac-mismatch':
        return `chuỗi nhật ký bị phá ở mục ${at}: nội dung không khớp mã HMAC — mục đã bị sửa hoặc chuỗi bị tính lại không có khoá`;
      case 'details-invalid':
        return `chuỗi nhật ký bị phá ở mục ${at}: chi tiết không phải JSON hợp lệ`;
      case 'legacy-end':
        return `chuỗi nhật ký bị phá: phần sha256 cũ không kết thúc ở chỗ chuỗi có khoá bắt đầu (mục ${at}) — đã bị sửa hoặc bị cắt`;
      case 'start-missing':
        return 'chuỗi nhật ký bị phá: mất dòng khởi đầu chuỗi có khoá (audit_chain_start)';
      case 'start-invalid':
        return 'chuỗi nhật ký bị phá: dòng khởi đầu chuỗi có khoá không khớp dấu niêm phong — ranh giới chuỗi đã bị dời';
    }
  })();
  return { status: 'fail', detail };
}

const when = (r: AnchorRecord): string => r.at.replace('T', ' ');
const which = (r: AnchorRecord): string =>
  r.reason === 'head' ? `bản ghi đầu chuỗi lúc ${when(r)}` : `điểm neo ngày ${when(r)}`;

function problemLine(p: AnchorProblem): string {
  switch (p.kind) {
    case 'truncated':
      return `thiếu các mục mới nhất: kho còn ${p.storeCount} mục, ${which(p.record)} ghi ${p.record.count} mục (đến mục ${p.record.id})`;
    case 'rewritten':
      return `mục ${p.record.id} khác với ${which(p.record)}: nhật ký đã bị viết lại từ đó`;
    case 'forged':
      return `điểm neo ${p.file}${p.line === null ? '' : ` dòng ${p.line}`} sai chữ ký HMAC hoặc không phải của chuỗi này: tệp điểm neo đã bị sửa`;
    case 'start-moved':
      return `chuỗi có khoá bắt đầu ở mục ${p.storeKeyedFrom}, ${which(p.record)} ghi mục ${p.record.keyedFrom}: ranh giới đã bị dời`;
  }
}

/** The checkpoints' line: the last checkpoint's date, or what disagrees with the store. */
export function anchorsLine(check: AnchorCheck): { status: 'ok' | 'warn' | 'fail'; detail: string } {
  const last = check.lastCheckpoint
    ? `điểm neo cuối ngày ${when(check.lastCheckpoint)} (mục ${check.lastCheckpoint.id}, ${check.lastCheckpoint.count} mục)`
    : 'chưa có điểm neo trong ngày nào';
  const head = check.head ? `; bản ghi đầu chuỗi lúc ${when(check.head)} (mục ${check.head.id})` : '';
  switch (check.status) {
    case 'ok':
      return { status: 'ok', detail: `${last}${head}; ${check.records} bản ghi ở ${check.dir}` };
    case 'none':
      return {
        status: 'warn',
        detail: `chưa có điểm neo nào của chuỗi này ở ${check.dir} (ứng dụng chưa chạy bản có điểm neo, hoặc thư mục đã bị xoá: so với bản sao bộ phận CNTT giữ)`,
      };
    case 'unverifiable':
      return { status: 'warn', detail: `không kiểm được điểm neo ở ${check.dir}: thiếu khoá nhật ký` };
    case 'fail': {
      const kinds = new Set<AnchorProblem['kind']>();
      const lines = check.problems
        .filter((p) => (kinds.has(p.kind) ? false : (kinds.add(p.kind), true)))
        .map(problemLine);
      return { status: 'fail', detail: `${lines.join('; ')} (${last})` };
    }
  }
}

/** Adds doctor's `audit` and `audit.checkpoints` lines. */
export function reportAudit(chain: ChainCheck, anchors: AnchorCheck | null, setup: AuditSetup, add: Add): void {
  const c = chainLine(chain, setup);
  add('audit', c.status, c.detail);
  if (anchors) {
    const a = anchorsLine(anchors);
    add('audit.checkpoints', a.status, a.detail);
  }
}

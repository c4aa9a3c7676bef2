import type { z } from 'zod';
import { parseDossierCode } from '../../../common/domain';
import { toLocalDateTime } from '../../kernel/clock';
import { looksUnmasked } from '../../kernel/mask';
import {
  MAX_REPLICATION_KEY_LENGTH,
  MAX_REPLICATION_PAYLOAD_BYTES,
  REPLICATION_KINDS,
  ReplicationEntry,
} from '../../remotes/centre/wire-replication';
import { MAX_CLOCK_SKEW_MS } from '../../remotes/centre/wire-centre';

export interface EntryError {
  code: 'VALIDATION_FAILED' | 'FORBIDDEN' | 'CENTRE_CLOCK_SKEW' | 'CONFLICT';
  message: string;
}

export type CheckedEntry =
  | { ok: true; key: string; entry: ReplicationEntry; code: string | null }
  | { ok: false; key: string | null; error: EntryError };

const invalid = (message: string): EntryError => ({ code: 'VALIDATION_FAILED', message });

/** The entry's key if it has a usable one (reported back even when the rest is refused). */
function keyOf(raw: unknown): string | null {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const key = (raw as { key?: unknown }).key;
  return typeof key === 'string' && key.length >= 1 && key.length <= MAX_REPLICATION_KEY_LENGTH ? key : null;
}

function payloadBytes(payload: unknown): number {
  try {
    const text = JSON.stringify(payload);
    return text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

/** A zod issue in Vietnamese: where, and what is wrong. */
function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length > 0 ? issue.path.map(String).join('.') : 'mục';
  if (issue.code === 'unrecognized_keys') {
    return `trường không được nhận: ${issue.keys.map((k) => `${where === 'mục' ? '' : `${where}.`}${k}`).join(', ')}`;
  }
  if (issue.code === 'invalid_type') return `${where}: sai kiểu dữ liệu (cần ${issue.expected})`;
  if (issue.code === 'too_big' || issue.code === 'too_small') return `${where}: ngoài giới hạn cho phép`;
  if (issue.code === 'invalid_value') return `${where}: giá trị không được chấp nhận`;
  return `${where}: không hợp lệ`;
}

/** The dossier code an entry concerns, if any. */
function codeOf(entry: ReplicationEntry): string | null {
  switch (entry.kind) {
    case 'document.digitised':
    case 'document.signed':
      return entry.payload.dossierCode;
    default:
      return entry.payload.code;
  }
}

/** Free text a desk sends: none of it may still carry a readable personal number. */
function freeTexts(entry: ReplicationEntry): [string, string | null][] {
  switch (entry.kind) {
    case 'dossier.received': {
      const p = entry.payload;
      return [
        ['procedureName', p.procedureName],
        ['officer', p.officer],
        ['counter', p.counter],
        ['ticketNumber', p.ticketNumber],
        ...p.components.map((c, i): [string, string] => [`components.${i}.name`, c.name]),
      ];
    }
    case 'document.signed':
      return [
        ['signer', entry.payload.signer],
        ['officer', entry.payload.officer],
      ];
    case 'dossier.rated':
      return [];
    default:
      return [['officer', entry.payload.officer]];
  }
}

/**
 * Checks one entry as a desk (or a broken network) may send it: shape (strict, wire-replication.ts),
 * size, clock, personal data, and that every dossier code is one of the desk's own agency.
 * Nothing here touches the database.
 */
export function checkEntry(raw: unknown, p: { agencyId: string; now: number }): CheckedEntry {
  const key = keyOf(raw);
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return {
      ok: false,
      key,
      error: invalid('Mục dữ liệu không hợp lệ: cần một đối tượng { key, kind, at, payload }.'),
    };
  }
  if (key === null) {
    return {
      ok: false,
      key,
      error: invalid(
        `Mục dữ liệu không hợp lệ: thiếu khóa (key) hoặc khóa dài quá ${MAX_REPLICATION_KEY_LENGTH} ký tự.`,
      ),
    };
  }
  const kind = (raw as { kind?: unknown }).kind;
  if (typeof kind !== 'string' || !(REPLICATION_KINDS as readonly string[]).includes(kind)) {
    const shown = typeof kind === 'string' ? `'${kind.slice(0, 40)}'` : typeof kind;
    return { ok: false, key, error: invalid(`Loại mục dữ liệu không xác định: ${shown}.`) };
  }
  const bytes = payloadBytes((raw as { payload?: unknown }).payload);
  if (bytes > MAX_REPLICATION_PAYLOAD_BYTES) {
    return {
      ok: false,
      key,
      error: invalid(`Nội dung mục quá lớn (${bytes} byte, tối đa ${MAX_REPLICATION_PAYLOAD_BYTES} byte).`),
    };
  }
  const parsed = ReplicationEntry.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 3).map(describeIssue).join('; ');
    return { ok: false, key, error: invalid(`Mục dữ liệu không hợp lệ: ${issues}.`) };
  }
  const entry = parsed.data;
  if (entry.at > p.now + MAX_CLOCK_SKEW_MS) {
    return {
      ok: false,
      key,
      error: {
        code: 'CENTRE_CLOCK_SKEW',
        message: `Thời điểm của mục (${toLocalDateTime(entry.at)}) đi trước đồng hồ trung tâm (${toLocalDateTime(p.now)}) quá 5 phút; hãy chỉnh đồng hồ máy quầy.`,
      },
    };
  }
  if (entry.kind === 'dossier.received') {
    const masked = entry.payload.applicantIdMasked;
    if (!masked.includes('*') || looksUnmasked(masked)) {
      return {
        ok: false,
        key,
        error: invalid('Số định danh của người nộp phải được che trước khi gửi (ví dụ 00120****567).'),
      };
    }
    if (entry.payload.agencyId !== p.agencyId) {
      return {
        ok: false,
        key,
        error: { code: 'FORBIDDEN', message: `Hồ sơ của cơ quan ${entry.payload.agencyId}, không phải của quầy này.` },
      };
    }
  }
  for (const [field, text] of freeTexts(entry)) {
    if (text !== null && looksUnmasked(text)) {
      return { ok: false, key, error: invalid(`Trường ${field} chứa dãy số giống số định danh cá nhân chưa che.`) };
    }
  }
  const code = codeOf(entry);
  if (code !== null) {
    const parts = parseDossierCode(code);
    if (!parts || code !== code.trim()) {
      return { ok: false, key, error: invalid(`Mã hồ sơ không hợp lệ: '${code.slice(0, 60)}'.`) };
    }
    if (parts.agencyId !== p.agencyId) {
      return {
        ok: false,
        key,
        error: { code: 'FORBIDDEN', message: `Hồ sơ ${code} không thuộc cơ quan của quầy (${p.agencyId}).` },
      };
    }
  }
  return { ok: true, key, entry, code };
}

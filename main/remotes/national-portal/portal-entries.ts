import type { DossierSyncAnswer, PortalStep } from './national-portal.port';
import { readCode, readText, resultRecords, type PortalAnswer } from './portal-answer';

/**
 * What the portal's answers say about single records, read tolerantly (see `portal-answer.ts`).
 * Field names are the portal's own; the names of the step list in a lookup are our assumption of
 * the contract (`DanhSachTienDoXuLy`, also read as `QuaTrinhXuLy` / `TienDoXuLy`).
 */

const ENTRY_CODE_KEYS = ['error_code', 'errorCode', 'ErrorCode'] as const;
const ENTRY_MESSAGE_KEYS = ['message', 'Message', 'msg'] as const;
const STEP_LIST_KEYS = ['DanhSachTienDoXuLy', 'QuaTrinhXuLy', 'TienDoXuLy'] as const;

function firstPresent(record: Record<string, unknown>, keys: readonly string[]): unknown {
  for (const k of keys) if (k in record) return record[k];
  return undefined;
}

/**
 * DongBoHoSoMC per dossier. Entries are matched by MaHoSo: an entry with its own non-zero
 * `error_code` is refused (with its message); an entry with code 0, or without a code in an
 * answer whose verdict is 0, is accepted; every dossier sent that no entry names is unconfirmed
 * (no result, an empty list, a count, or an acknowledgement of another request).
 */
export function readSyncEntries(sent: readonly string[], verdict: PortalAnswer): DossierSyncAnswer {
  const wanted = new Set(sent.map((c) => c.trim()));
  const seen = new Map<string, { accepted: boolean; errorCode: number; message: string | null }>();
  for (const record of resultRecords(verdict.result)) {
    const code = readText(record, 'MaHoSo');
    if (code === null || !wanted.has(code) || seen.has(code)) continue;
    const own = readCode(firstPresent(record, ENTRY_CODE_KEYS));
    const rawMessage = firstPresent(record, ENTRY_MESSAGE_KEYS);
    const message = typeof rawMessage === 'string' ? rawMessage.normalize('NFC') : verdict.message;
    if (own !== null && own !== 0) seen.set(code, { accepted: false, errorCode: own, message });
    else if (own === 0 || verdict.errorCode === 0) seen.set(code, { accepted: true, errorCode: 0, message });
  }
  const answer: DossierSyncAnswer = { accepted: [], refused: [], unconfirmed: [] };
  for (const code of sent) {
    const entry = seen.get(code.trim());
    if (!entry) answer.unconfirmed.push(code);
    else if (entry.accepted) answer.accepted.push(code);
    else answer.refused.push({ code, errorCode: entry.errorCode, message: entry.message });
  }
  return answer;
}

/** The steps a lookup entry lists, or null when it carries no step list. */
export function readPortalSteps(entry: Record<string, unknown>): PortalStep[] | null {
  let raw = firstPresent(entry, STEP_LIST_KEYS);
  if (typeof raw === 'string') {
    try {
      raw = JSON.parse(raw);
    } catch {
      return null;
    }
  }
  if (raw === undefined || raw === null) return null;
  if (!Array.isArray(raw)) return null;
  const steps: PortalStep[] = [];
  for (const record of resultRecords(raw)) {
    const at = readText(record, 'ThoiDiemXuLy');
    if (at === null) continue;
    steps.push({
      at,
      status: readText(record, 'TrangThai') ?? '',
      content: (readText(record, 'NoiDungXuLy') ?? '').normalize('NFC'),
    });
  }
  return steps;
}

/** The session token of a login answer: `session` (or `Session`, `token`), at the top or in `result`. */
export function loginSession(text: string, verdict: PortalAnswer): string | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const places = [json, ...resultRecords(verdict.result)];
  for (const place of places) {
    if (typeof place !== 'object' || place === null || Array.isArray(place)) continue;
    const token = firstPresent(place as Record<string, unknown>, ['session', 'Session', 'token']);
    if (typeof token === 'string' && token !== '') return token;
  }
  return null;
}

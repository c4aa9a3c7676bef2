import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';
import { WireDossierSchema, type WireDossier } from '../national-portal/wire-schemas';
import { checkSimAdminToken, newSimAdminToken } from '../simulator-admin';
import { FaultInjector, type FaultControls } from '../simulator-faults';
import { startSimServer, type SimReply, type SimRequest, type SimServer } from '../simulator-server';
import { memorySimStateStore, openSimStateStore, type SimStateStore } from '../sim-state-store';
import {
  PROVINCIAL_ANSWER_VARIANTS,
  isProvincialAnswerVariantName,
  provincialAnswerVariant,
  type ProvincialAnswerKind,
  type ProvincialAnswerVariantName,
} from './answer-variants';
import { MAX_LEASED_SEQUENCE, type AdministrativeUnit, type HolidayNotice } from './provincial.port';
import { TRAINING_HOLIDAY_NOTICES } from './training-holidays';
import { transferRoutes, type TransferRoutes } from './transfer.simulator';
import { TRAINING_ADMINISTRATIVE_UNITS } from './training-admin-units';

export type { FaultControls, FaultKind, FaultOptions } from '../simulator-faults';
export { TRAINING_HOLIDAY_NOTICES } from './training-holidays';

/**
 * A twin of the provincial resolution system behind its integration gateway: a real HTTP
 * server speaking the protocol of `provincial.client.ts`.
 *
 * - `POST /oauth/token` (form: grant_type=client_credentials, client_id, client_secret)
 *   → 200 `{ access_token, token_type, expires_in }`; 401 `{ error: 'invalid_client' }`.
 * - Bearer calls answer 401 for a missing, unknown or expired token.
 * - `POST /api/dossiers` with `Idempotency-Key` → 201 `{ id, duplicate: false }`; the same key
 *   again → 200 with the first answer and `duplicate: true`, nothing new stored.
 * - `POST /api/code-leases` `{ agencyId, date, count }` → 201 `{ from, to }` from a counter per
 *   (agency, date), at most up to 8999 (a short block when fewer are left); 409 when none are left.
 * - `GET /api/holiday-notices?year=` → 200 `{ items }`.
 * - `GET /api/status-changes?after=CURSOR&limit=N` → 200 `{ feedId, items: [{ seq, MaHoSo,
 *   TrangThaiHoSo, ThoiDiem, GhiChu }], next, hasMore }`: status changes made by the processing
 *   unit, oldest first; `next` is the cursor for the following page. `feedId` names the feed:
 *   a remote that was reset starts a new feed (sequence numbers start again at 1).
 * - Items with status 9 may carry `KetQua: { id, TenTep, sha256, KichThuoc, MaGiayToKetQua, TenGiayTo,
 *   SoKyHieu, DuongDan }`: the result document; `GET /api/results/{id}` → 200 `{ id, TenTep, base64 }`
 *   (404 for an unknown id). `corruptResultFiles` (admin `configure`) serves bytes that do not
 *   match the announced sha256.
 * - `POST /api/dossiers` answers also echo `MaHoSo` and `idempotencyKey`, so a client can tell an
 *   acknowledgement of its own request from a stale one.
 * - Errors: `{ error: { code, message } }` with 400 (invalid), 409 (exhausted), 422 (file hash,
 *   or a MaTTHC in `state.refusedProcedures`: `PROCEDURE_REFUSED`).
 * - Code-lease counters, the ids it issued (`HTTT-…`, `KQ-…`) and the result files it holds live in
 *   `stateFile` when one is given (training mode: in the data folder), so a restarted twin never
 *   leases a number twice nor forgets a file it announced (`sim-state-store.ts`).
 * - These are the `canonical` answers; `answers` picks another way of writing the same ones
 *   (`answer-variants.ts`), which the client must read the same way.
 */

export const TRAINING_PROVINCIAL_CLIENT = {
  clientId: 'motcua-desk-dao-tao',
  clientSecret: 'bi-mat-dao-tao-2025',
} as const;

export interface ProvincialSimulatorOptions {
  port?: number;
  host?: string;
  clients?: { clientId: string; clientSecret: string }[];
  /** Lifetime of issued tokens (default 3600 s). */
  tokenTtlSeconds?: number;
  notices?: HolidayNotice[];
  administrativeUnits?: readonly AdministrativeUnit[];
  faults?: { latencyMs?: number };
  /** How answers are written (default `canonical`, see `answer-variants.ts`). */
  answers?: ProvincialAnswerVariantName;
  /** MaTTHC codes whose hand-offs are refused (422 `PROCEDURE_REFUSED`), nothing stored. */
  refusedProcedures?: readonly string[];
  /** Required on `/__sim/*` (`x-sim-token`); default: a random one (`adminToken` of the result). */
  adminToken?: string;
  /** SQLite file keeping leases, issued ids and result files across restarts; default: memory only. */
  stateFile?: string;
}

export interface ProvincialDossierRecord {
  remoteId: string;
  record: WireDossier;
  files: { name: string; sha256: string; size: number }[];
  /** Hand-offs stored for this MaHoSo (a new key for the same dossier updates it). */
  receiveCount: number;
  idempotencyKeys: string[];
}

/** One hand-off as it reached the system, in arrival order, duplicates included. */
export interface ProvincialReceipt {
  maHoSo: string;
  idempotencyKey: string;
  /** `created`: new dossier; `updated`: new key for a known dossier; `duplicate`: key seen before. */
  outcome: 'created' | 'updated' | 'duplicate';
  at: number;
}

export interface StatusFeedItem {
  seq: number;
  MaHoSo: string;
  TrangThaiHoSo: string;
  /** ISO 8601 with offset: when the processing unit made the change. */
  ThoiDiem: string;
  GhiChu: string;
  KetQua?: ResultAnnouncement;
}

export interface ResultAnnouncement {
  id: string;
  TenTep: string;
  sha256: string;
  KichThuoc: number;
  MaGiayToKetQua: string;
  TenGiayTo: string;
  SoKyHieu: string | null;
  DuongDan: string;
}

export interface PushResultOptions {
  /** The signed PDF; default: a small training PDF naming the dossier. */
  pdf?: Uint8Array;
  fileName?: string;
  /** MaGiayToKetQua; default: the procedure's result code is unknown here, so `KQ.DAOTAO.000001`. */
  documentCode?: string;
  documentName?: string;
  number?: string | null;
  at?: string;
  note?: string;
}

export interface ProvincialState {
  /** The answer variant in use (see `answer-variants.ts`). */
  answers: ProvincialAnswerVariantName;
  /** Hand-offs of these MaTTHC codes are refused. */
  refusedProcedures: Set<string>;
  received: ProvincialReceipt[];
  /** The status feed: `feedId` changes when the remote is reset. */
  statusFeed: { feedId: string; items: StatusFeedItem[] };
  /** Fault: pages come newest first and repeat the item before the cursor. */
  statusFeedOutOfOrder: boolean;
  /** By MaHoSo. */
  dossiers: Map<string, ProvincialDossierRecord>;
  /** Idempotency key → first answer. */
  idempotency: Map<string, { remoteId: string; maHoSo: string }>;
  /** `${agencyId}|${date}` → next free number and the blocks handed out. */
  leases: Map<string, { next: number; blocks: { from: number; to: number; clientId: string }[] }>;
  tokens: Map<string, { clientId: string; expiresAt: number }>;
  tokensIssued: number;
  calls: { method: string; path: string; at: number }[];
  notices: HolidayNotice[];
  /** The administrative units it publishes (`GET /api/administrative-units`); tests may change or empty it. */
  administrativeUnits: AdministrativeUnit[];
  /** Result files by id. */
  results: Map<string, { maHoSo: string; fileName: string; bytes: Buffer; sha256: string }>;
  /** Fault: result files are served with one byte changed (their sha256 no longer matches). */
  corruptResultFiles: boolean;
  /** Downloads of result files, in arrival order. */
  resultDownloads: string[];
}

export interface ProvincialSimulator {
  url: string;
  state: ProvincialState;
  faults: FaultControls;
  /** Every issued token stops working; the next bearer call answers 401. */
  expireTokens(): void;
  /**
   * The processing unit changes a dossier's status: appended to the feed with the next seq.
   * `at` (ISO) defaults to now; an older `at` makes an out-of-order update.
   */
  pushStatus(maHoSo: string, status: number, opts?: { at?: string; note?: string }): StatusFeedItem;
  /** The processing unit finishes a dossier: status 9 with its result document in the feed. */
  pushResult(maHoSo: string, opts?: PushResultOptions): StatusFeedItem;
  /** The system loses its dossiers and starts a new, empty status feed (a reset or emptied remote). */
  reset(): void;
  /** Chunked, resumable file transfer (`transfer.simulator.ts`): its state and test controls. */
  transfer: TransferRoutes;
  /** What callers of `/__sim/*` send in `x-sim-token`. */
  adminToken: string;
  close(): Promise<void>;
}

const HandOffBody = WireDossierSchema.extend({
  // A file comes inline (base64) or as the id of a file uploaded before (`/api/uploads`).
  files: z.array(
    z
      .object({
        name: z.string().min(1),
        sha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
        base64: z.string().optional(),
        fileId: z.string().min(1).optional(),
      })
      .refine((f) => (f.base64 === undefined) !== (f.fileId === undefined), 'base64 or fileId'),
  ),
});
const LeaseBody = z.object({
  agencyId: z.string().min(1),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
  count: z.number().int().min(1).max(1000),
});

const AdminStatusBody = z.object({
  MaHoSo: z.string().min(1),
  TrangThaiHoSo: z.coerce.number().int().min(1).max(10),
  ThoiDiem: z.iso.datetime({ offset: true }).optional(),
  GhiChu: z.string().optional(),
});
const AdminResultBody = z.object({
  MaHoSo: z.string().min(1),
  ThoiDiem: z.iso.datetime({ offset: true }).optional(),
  GhiChu: z.string().optional(),
  MaGiayToKetQua: z.string().optional(),
  TenGiayTo: z.string().min(1).optional(),
  SoKyHieu: z.string().optional(),
  /** A PDF of the caller's own (e.g. a signed one); default: the training PDF. */
  base64: z.string().optional(),
});

/** A minimal one-page PDF (ASCII text, Helvetica) standing in for a result document in training. */
export function trainingResultPdf(maHoSo: string, title = 'KET QUA GIAI QUYET THU TUC HANH CHINH'): Buffer {
  const safe = (t: string) => t.replace(/[^\x20-\x7e]/g, '?').replace(/([()\\])/g, '\\$1');
  const content = `BT /F1 16 Tf 72 760 Td (${safe(title)}) Tj 0 -28 Td /F1 12 Tf (Ma ho so: ${safe(maHoSo)}) Tj 0 -20 Td (BAN DAO TAO - KHONG CO GIA TRI) Tj ET`;
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
    `<< /Length ${Buffer.byteLength(content, 'latin1')} >>\nstream\n${content}\nendstream`,
  ];
  let out = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(Buffer.byteLength(out, 'latin1'));
    out += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = Buffer.byteLength(out, 'latin1');
  out += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  out += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(out, 'latin1');
}

function newFeedId(): string {
  return `feed-${randomBytes(6).toString('hex')}`;
}

export async function startProvincialSimulator(opts: ProvincialSimulatorOptions = {}): Promise<ProvincialSimulator> {
  const clients = opts.clients ?? [{ ...TRAINING_PROVINCIAL_CLIENT }];
  const ttlSeconds = opts.tokenTtlSeconds ?? 3600;
  const faults = new FaultInjector();
  faults.latencyMs = opts.faults?.latencyMs ?? 0;
  const state: ProvincialState = {
    answers: opts.answers ?? 'canonical',
    refusedProcedures: new Set(opts.refusedProcedures ?? []),
    received: [],
    statusFeed: { feedId: newFeedId(), items: [] },
    statusFeedOutOfOrder: false,
    dossiers: new Map(),
    idempotency: new Map(),
    leases: new Map(),
    tokens: new Map(),
    tokensIssued: 0,
    calls: [],
    notices: (opts.notices ?? TRAINING_HOLIDAY_NOTICES).map((n) => structuredClone(n)),
    administrativeUnits: (opts.administrativeUnits ?? TRAINING_ADMINISTRATIVE_UNITS).map((u) => ({ ...u })),
    results: new Map(),
    corruptResultFiles: false,
    resultDownloads: [],
  };
  const adminToken = checkSimAdminToken(opts.adminToken ?? newSimAdminToken());
  const kept: SimStateStore = opts.stateFile ? openSimStateStore(opts.stateFile) : memorySimStateStore();
  let resultSeq = 0;
  let baseUrl = '';
  let remoteSeq = 0;
  try {
    ({ remoteSeq, resultSeq } = restore(kept, state));
  } catch (err) {
    kept.close();
    throw err;
  }
  const transfer = transferRoutes();

  const error = (status: number, code: string, message: string): SimReply => ({
    status,
    json: { error: { code, message } },
  });

  function issueToken(req: SimRequest): SimReply {
    const form = new URLSearchParams(req.body);
    if (form.get('grant_type') !== 'client_credentials')
      return { status: 400, json: { error: 'unsupported_grant_type' } };
    const client = clients.find(
      (c) => c.clientId === form.get('client_id') && c.clientSecret === form.get('client_secret'),
    );
    if (!client)
      return { status: 401, json: { error: 'invalid_client', error_description: 'Sai client_id hoặc client_secret' } };
    const token = randomBytes(24).toString('base64url');
    state.tokens.set(token, { clientId: client.clientId, expiresAt: Date.now() + ttlSeconds * 1000 });
    state.tokensIssued += 1;
    return { status: 200, json: { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds } };
  }

  function bearer(req: SimRequest): string | null {
    const header = req.headers['authorization'];
    const m = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!m) return null;
    const entry = state.tokens.get(m[1]!);
    if (!entry) return null;
    if (entry.expiresAt <= Date.now()) {
      state.tokens.delete(m[1]!);
      return null;
    }
    return entry.clientId;
  }

  function parseJson(text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  }

  function handOff(req: SimRequest): SimReply {
    const keyHeader = req.headers['idempotency-key'];
    const key = typeof keyHeader === 'string' ? keyHeader.trim() : '';
    if (key === '') return error(400, 'IDEMPOTENCY_KEY_REQUIRED', 'Thiếu Idempotency-Key');
    const seen = state.idempotency.get(key);
    if (seen) {
      state.received.push({ maHoSo: seen.maHoSo, idempotencyKey: key, outcome: 'duplicate', at: Date.now() });
      return { status: 200, json: { id: seen.remoteId, duplicate: true, MaHoSo: seen.maHoSo, idempotencyKey: key } };
    }

    const parsed = HandOffBody.safeParse(parseJson(req.body));
    if (!parsed.success) {
      const issues = parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`);
      return error(400, 'DOSSIER_INVALID', `Hồ sơ không hợp lệ: ${issues.join('; ')}`);
    }
    const { files, ...record } = parsed.data;
    if (state.refusedProcedures.has(record.MaTTHC))
      return error(422, 'PROCEDURE_REFUSED', `Mã thủ tục ${record.MaTTHC} không hợp lệ`);
    const stored: ProvincialDossierRecord['files'] = [];
    for (const f of files) {
      const uploaded = f.fileId === undefined ? undefined : transfer.fileById(f.fileId);
      if (f.fileId !== undefined && !uploaded)
        return error(422, 'FILE_UNKNOWN', `Tệp ${f.name}: chưa được tải lên (${f.fileId})`);
      const bytes = uploaded ? uploaded.bytes : Buffer.from(f.base64 ?? '', 'base64');
      const digest = createHash('sha256').update(bytes).digest('hex');
      if (digest !== f.sha256.toLowerCase())
        return error(422, 'FILE_HASH_MISMATCH', `Tệp ${f.name}: sha256 không khớp`);
      stored.push({ name: f.name, sha256: digest, size: bytes.length });
    }

    const existing = state.dossiers.get(record.MaHoSo);
    let remoteId: string;
    if (existing) {
      existing.record = record;
      existing.files = stored;
      existing.receiveCount += 1;
      existing.idempotencyKeys.push(key);
      remoteId = existing.remoteId;
    } else {
      remoteSeq += 1;
      kept.put(REMOTE_SEQ_KEY, remoteSeq);
      remoteId = `HTTT-${String(remoteSeq).padStart(6, '0')}`;
      state.dossiers.set(record.MaHoSo, { remoteId, record, files: stored, receiveCount: 1, idempotencyKeys: [key] });
    }
    state.idempotency.set(key, { remoteId, maHoSo: record.MaHoSo });
    state.received.push({
      maHoSo: record.MaHoSo,
      idempotencyKey: key,
      outcome: existing ? 'updated' : 'created',
      at: Date.now(),
    });
    return { status: 201, json: { id: remoteId, duplicate: false, MaHoSo: record.MaHoSo, idempotencyKey: key } };
  }

  function lease(req: SimRequest, clientId: string): SimReply {
    const parsed = LeaseBody.safeParse(parseJson(req.body));
    if (!parsed.success) return error(400, 'LEASE_INVALID', 'Yêu cầu cấp số không hợp lệ');
    const { agencyId, date, count } = parsed.data;
    const key = `${agencyId}|${date}`;
    // Read and written in the state file before it is answered: a block a desk holds is never
    // leased again, after a crash, a restart, or by a second twin on the same file.
    const granted: { block: { from: number; to: number } | null } = { block: null };
    const counter = kept.update(`${LEASE_KEY}${key}`, (current) => {
      granted.block = null;
      const was = current === undefined ? { next: 1, blocks: [] } : KeptLease.parse(current);
      if (was.next > MAX_LEASED_SEQUENCE) return was;
      const block = { from: was.next, to: Math.min(was.next + count - 1, MAX_LEASED_SEQUENCE) };
      granted.block = block;
      return { next: block.to + 1, blocks: [...was.blocks, { ...block, clientId }] };
    });
    state.leases.set(key, counter);
    const block = granted.block;
    if (block === null) return error(409, 'LEASE_EXHAUSTED', `Đã hết số hồ sơ cấp phát cho ${agencyId} ngày ${date}`);
    return { status: 201, json: { agencyId, date, from: block.from, to: block.to } };
  }

  function notices(req: SimRequest): SimReply {
    const year = Number(req.query.get('year'));
    if (!Number.isInteger(year) || year < 2000 || year > 2100) return error(400, 'YEAR_INVALID', 'Năm không hợp lệ');
    return { status: 200, json: { items: state.notices.filter((n) => n.year === year) } };
  }

  function statusChanges(req: SimRequest): SimReply {
    const afterRaw = req.query.get('after');
    const after = afterRaw === null || afterRaw === '' ? 0 : Number(afterRaw);
    const limit = Number(req.query.get('limit') ?? '100');
    if (!Number.isInteger(after) || after < 0) return error(400, 'CURSOR_INVALID', 'Con trỏ không hợp lệ');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000)
      return error(400, 'LIMIT_INVALID', 'limit phải từ 1 đến 1000');
    const feed = state.statusFeed;
    const newer = feed.items.filter((i) => i.seq > after);
    let page = newer.slice(0, limit);
    const last = page.at(-1)?.seq ?? after;
    if (state.statusFeedOutOfOrder) {
      const older = feed.items.filter((i) => i.seq <= after).at(-1);
      page = [...page].reverse();
      if (older) page.push(older);
    }
    return {
      status: 200,
      json: { feedId: feed.feedId, items: page, next: String(last), hasMore: newer.length > limit },
    };
  }

  function pushStatus(maHoSo: string, status: number, o: { at?: string; note?: string } = {}): StatusFeedItem {
    const items = state.statusFeed.items;
    const item: StatusFeedItem = {
      seq: (items.at(-1)?.seq ?? 0) + 1,
      MaHoSo: maHoSo,
      TrangThaiHoSo: String(status),
      ThoiDiem: o.at ?? new Date().toISOString(),
      GhiChu: o.note ?? '',
    };
    items.push(item);
    return item;
  }

  function pushResult(maHoSo: string, o: PushResultOptions = {}): StatusFeedItem {
    resultSeq += 1;
    const id = `KQ-${String(resultSeq).padStart(6, '0')}`;
    const bytes = Buffer.from(o.pdf ?? trainingResultPdf(maHoSo));
    const fileName = o.fileName ?? `${maHoSo}-ket-qua.pdf`;
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    kept.put(`${RESULT_KEY}${id}`, { maHoSo, fileName, base64: bytes.toString('base64'), sha256 });
    kept.put(RESULT_SEQ_KEY, resultSeq);
    state.results.set(id, { maHoSo, fileName, bytes, sha256 });
    const item = pushStatus(maHoSo, 9, {
      ...(o.at !== undefined ? { at: o.at } : {}),
      note: o.note ?? 'Đã xử lý xong, có kết quả',
    });
    item.KetQua = {
      id,
      TenTep: fileName,
      sha256,
      KichThuoc: bytes.length,
      MaGiayToKetQua: o.documentCode ?? 'KQ.DAOTAO.000001',
      TenGiayTo: o.documentName ?? 'Kết quả giải quyết thủ tục hành chính',
      SoKyHieu: o.number ?? null,
      DuongDan: `${baseUrl}/api/results/${id}`,
    };
    return item;
  }

  /** The result file a download asks for (recorded), its bytes changed under `corruptResultFiles`. */
  function servedResult(id: string): { fileName: string; sha256: string; bytes: Buffer } | null {
    const file = state.results.get(id);
    state.resultDownloads.push(id);
    if (!file) return null;
    let bytes = file.bytes;
    if (state.corruptResultFiles && bytes.length > 0) {
      bytes = Buffer.from(bytes);
      bytes[bytes.length - 1] = bytes[bytes.length - 1]! ^ 0xff;
    }
    return { fileName: file.fileName, sha256: file.sha256, bytes };
  }

  function resultFile(req: SimRequest): SimReply {
    const id = decodeURIComponent(req.path.slice('/api/results/'.length));
    const file = servedResult(id);
    if (!file) return error(404, 'RESULT_UNKNOWN', `Không có tệp kết quả ${id}`);
    return { status: 200, json: { id, TenTep: file.fileName, base64: file.bytes.toString('base64') } };
  }

  /**
   * A result file through the resumable download (`GET /api/files/{result id}`, `Range: bytes=N-`,
   * `x-content-sha256`): what the desk uses; `corruptResultFiles` serves other bytes under the
   * announced sha256 here too.
   */
  function resultFileChunked(req: SimRequest): SimReply {
    const id = decodeURIComponent(req.path.slice('/api/files/'.length));
    const file = servedResult(id);
    if (!file) return error(404, 'RESULT_UNKNOWN', `Không có tệp kết quả ${id}`);
    return transfer.serve(req, { id, ...file });
  }

  function reset(): void {
    state.dossiers.clear();
    state.idempotency.clear();
    state.statusFeed = { feedId: newFeedId(), items: [] };
  }

  /** The reply in the answer variant in use. */
  function handle(req: SimRequest): SimReply {
    const kind: ProvincialAnswerKind =
      req.path === '/oauth/token'
        ? 'token'
        : req.path === '/api/dossiers'
          ? 'hand-off'
          : req.path === '/api/status-changes'
            ? 'status-changes'
            : 'other';
    return provincialAnswerVariant(state.answers).render(kind, handleCanonical(req));
  }

  function handleCanonical(req: SimRequest): SimReply {
    state.calls.push({ method: req.method, path: req.path, at: Date.now() });
    if (req.path === '/oauth/token') {
      return req.method === 'POST' ? issueToken(req) : error(405, 'METHOD_NOT_ALLOWED', 'POST only');
    }
    const route = `${req.method} ${req.path}`;
    const known = [
      'POST /api/dossiers',
      'POST /api/code-leases',
      'GET /api/holiday-notices',
      'GET /api/status-changes',
    ];
    const isResult =
      req.method === 'GET' && req.path.startsWith('/api/results/') && req.path.length > '/api/results/'.length;
    const isTransfer = transfer.matches(req);
    if (!known.includes(route) && !isResult && !isTransfer && route !== 'GET /api/administrative-units')
      return error(404, 'NOT_FOUND', `Không có ${route}`);
    const clientId = bearer(req);
    if (clientId === null) {
      return {
        status: 401,
        json: { error: { code: 'TOKEN_INVALID', message: 'Token không hợp lệ hoặc đã hết hạn' } },
        headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
      };
    }
    if (route === 'POST /api/dossiers') return handOff(req);
    if (route === 'POST /api/code-leases') return lease(req, clientId);
    if (route === 'GET /api/status-changes') return statusChanges(req);
    if (isResult) return resultFile(req);
    if (isTransfer && req.method === 'GET' && req.path.startsWith('/api/files/KQ-')) return resultFileChunked(req);
    if (isTransfer) return transfer.handle(req);
    if (route === 'GET /api/administrative-units') return { status: 200, json: { items: state.administrativeUnits } };
    return notices(req);
  }

  let server: SimServer;
  try {
    server = await startSimServer({
      adminToken,
      port: opts.port ?? 0,
      host: opts.host ?? '127.0.0.1',
      faults,
      // Transfer paths carry ids: `/api/uploads/*`, `/api/uploads/*/complete`, `/api/files/*`.
      faultKey: (req) => transfer.faultKey(req) ?? req.path,
      expireSessions: () => state.tokens.clear(),
      handle,
      maxBodyBytes: 256 * 1024 * 1024,
      admin: {
        configure: (body) => {
          if (typeof body['statusFeedOutOfOrder'] === 'boolean')
            state.statusFeedOutOfOrder = body['statusFeedOutOfOrder'];
          if (typeof body['corruptResultFiles'] === 'boolean') state.corruptResultFiles = body['corruptResultFiles'];
          const answers = body['answers'];
          if (answers !== undefined) {
            if (!isProvincialAnswerVariantName(answers))
              throw new RangeError(`answers must be one of: ${PROVINCIAL_ANSWER_VARIANTS.join(', ')}`);
            state.answers = answers;
          }
          const refused = body['refuseProcedures'];
          if (Array.isArray(refused) && refused.every((c) => typeof c === 'string'))
            state.refusedProcedures = new Set(refused);
        },
        state: () => ({
          answers: state.answers,
          refusedProcedures: [...state.refusedProcedures],
          dossiers: [...state.dossiers.entries()].map(([code, d]) => ({
            MaHoSo: code,
            remoteId: d.remoteId,
            receiveCount: d.receiveCount,
            idempotencyKeys: d.idempotencyKeys,
          })),
          received: state.received,
          statusFeed: state.statusFeed,
          calls: state.calls.length,
          results: [...state.results.entries()].map(([id, r]) => ({
            id,
            MaHoSo: r.maHoSo,
            TenTep: r.fileName,
            sha256: r.sha256,
          })),
          resultDownloads: state.resultDownloads,
        }),
        reset,
        route: (req, body) => {
          if (req.method === 'POST' && req.path === '/__sim/result') {
            const r = AdminResultBody.safeParse(body);
            if (!r.success)
              return error(
                400,
                'INVALID',
                'cần { MaHoSo, ThoiDiem?, GhiChu?, MaGiayToKetQua?, TenGiayTo?, SoKyHieu?, base64? }',
              );
            const o: PushResultOptions = {};
            if (r.data.ThoiDiem !== undefined) o.at = r.data.ThoiDiem;
            if (r.data.GhiChu !== undefined) o.note = r.data.GhiChu;
            if (r.data.MaGiayToKetQua !== undefined) o.documentCode = r.data.MaGiayToKetQua;
            if (r.data.TenGiayTo !== undefined) o.documentName = r.data.TenGiayTo;
            if (r.data.SoKyHieu !== undefined) o.number = r.data.SoKyHieu;
            if (r.data.base64 !== undefined) o.pdf = Buffer.from(r.data.base64, 'base64');
            return { status: 201, json: pushResult(r.data.MaHoSo, o) };
          }
          if (req.method !== 'POST' || req.path !== '/__sim/status') return null;
          const parsed = AdminStatusBody.safeParse(body);
          if (!parsed.success) return error(400, 'INVALID', 'cần { MaHoSo, TrangThaiHoSo (1-10), ThoiDiem?, GhiChu? }');
          const o: { at?: string; note?: string } = {};
          if (parsed.data.ThoiDiem !== undefined) o.at = parsed.data.ThoiDiem;
          if (parsed.data.GhiChu !== undefined) o.note = parsed.data.GhiChu;
          return { status: 201, json: pushStatus(parsed.data.MaHoSo, parsed.data.TrangThaiHoSo, o) };
        },
      },
    });
  } catch (err) {
    kept.close();
    throw err;
  }

  baseUrl = server.url;
  return {
    url: server.url,
    state,
    faults,
    expireTokens: () => state.tokens.clear(),
    pushStatus,
    pushResult,
    reset,
    transfer,
    adminToken,
    close: async () => {
      await server.close();
      kept.close();
    },
  };
}

const LEASE_KEY = 'lease:';
const RESULT_KEY = 'result:';
const REMOTE_SEQ_KEY = 'seq:remote';
const RESULT_SEQ_KEY = 'seq:result';

const KeptLease = z.object({
  next: z.number().int().min(1),
  blocks: z.array(z.object({ from: z.number().int(), to: z.number().int(), clientId: z.string() })),
});
const KeptResult = z.object({ maHoSo: z.string(), fileName: z.string(), base64: z.string(), sha256: z.string() });
const KeptSeq = z.number().int().min(0);

/** What a restarted twin remembers: lease counters, result files, the last ids it issued. */
function restore(kept: SimStateStore, state: ProvincialState): { remoteSeq: number; resultSeq: number } {
  for (const [key, value] of kept.entries(LEASE_KEY))
    state.leases.set(key.slice(LEASE_KEY.length), KeptLease.parse(value));
  for (const [key, value] of kept.entries(RESULT_KEY)) {
    const r = KeptResult.parse(value);
    state.results.set(key.slice(RESULT_KEY.length), {
      maHoSo: r.maHoSo,
      fileName: r.fileName,
      bytes: Buffer.from(r.base64, 'base64'),
      sha256: r.sha256,
    });
  }
  const remoteSeq = kept.get(REMOTE_SEQ_KEY);
  const resultSeq = kept.get(RESULT_SEQ_KEY);
  return {
    remoteSeq: remoteSeq === undefined ? 0 : KeptSeq.parse(remoteSeq),
    resultSeq: resultSeq === undefined ? 0 : KeptSeq.parse(resultSeq),
  };
}

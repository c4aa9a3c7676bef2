import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { memorySimStateStore, openSimStateStore, type SimStateStore } from '../sim-state-store';
import { checkSimAdminToken, newSimAdminToken } from '../simulator-admin';
import { FaultInjector, type FaultControls } from '../simulator-faults';
import { startSimServer, type SimReply, type SimRequest, type SimServer } from '../simulator-server';
import {
  ANSWER_VARIANTS,
  answerVariant,
  isAnswerVariantName,
  type AnswerVariantName,
  type PortalMeaning,
} from './answer-variants';
import type { NationalDocument } from './national-portal.port';
import { trainingCitizenDirectory, trainingDocumentStore } from './training-citizens';
import { toWireDocument } from './wire-format';
import {
  WireDossierSchema,
  WireProgressStepSchema,
  type WireAgency,
  type WireDossier,
  type WireProcedure,
  type WireProgressStep,
  type WireSector,
} from './wire-schemas';

export { TRAINING_CITIZENS, type TrainingCitizen } from './training-citizens';
export type { FaultControls, FaultKind, FaultOptions } from '../simulator-faults';

/**
 * A twin of the national public service portal: a real HTTP server speaking the same protocol as
 * `national-portal.client.ts` (docs/domain.md §4), for tests and training mode.
 *
 * Conventions (in the `canonical` answer variant; `answers` picks another way of writing the same
 * answers, see `answer-variants.ts`; the client must read every one):
 * - Business answers are HTTP 200 with `{ error_code, message, result }`; `error_code` 0 = ok.
 * - DongBoHoSoMC answers one entry per dossier; a dossier whose MaTTHC is in
 *   `state.refusedProcedures` is refused in its own entry (`error_code` -3), the others stored.
 * - TraCuuHoSo answers `{ MaHoSo, TrangThaiHoSo, DanhSachTienDoXuLy }` (the steps it holds:
 *   ThoiDiemXuLy, TrangThai, NoiDungXuLy) or null.
 * - Login refused: `error_code` 1 (user/password) or 2 (dstcode).
 * - Session missing, unknown or expired: `error_code` 401. The client logs in again once.
 * - Invalid request or record: `error_code` 2 (validation), 3 (unknown dossier), 4 (unknown
 *   service), 400 (not a JSON object).
 * - With a `stateFile` (training mode: in the data folder) the codes and statuses of the dossiers it
 *   stored survive a restart (`state.knownBefore`), so progress for a dossier it acknowledged
 *   before is still accepted (`sim-state-store.ts`). Only codes and statuses are kept.
 */

export const TRAINING_NATIONAL_USER = { username: 'motcua.training', password: 'dao-tao-2025' } as const;
export const TRAINING_DSTCODE = 'H56-TRAINING';

export const ERROR_SESSION_EXPIRED = 401;

export interface NationalPortalSimulatorOptions {
  port?: number;
  host?: string;
  users?: { username: string; password: string }[];
  /** When set, the `dstcode` header must equal it; otherwise any non-empty value is accepted. */
  dstcode?: string;
  citizens?: Record<string, { fullName: string; verified?: boolean }>;
  documents?: Record<string, NationalDocument[]>;
  /** Sessions expire this long after login (default 30 min). */
  sessionTtlMs?: number;
  authPath?: string;
  servicePath?: string;
  faults?: { latencyMs?: number };
  /** The catalogue it publishes (default `TRAINING_PROCEDURES`), agencies and sectors. */
  procedures?: readonly WireProcedure[];
  agencies?: readonly WireAgency[];
  sectors?: readonly WireSector[];
  /** How answers are written (default `canonical`); changeable by `state.answers` or the admin endpoint. */
  answers?: AnswerVariantName;
  /** MaTTHC the portal refuses per entry (-3, "MaTTHC không hợp lệ"). */
  refusedProcedures?: readonly string[];
  /** Required on `/__sim/*` (`x-sim-token`); default: a random one (`adminToken` of the result). */
  adminToken?: string;
  /** SQLite file keeping the codes of stored dossiers across restarts; default: memory only. */
  stateFile?: string;
}

export interface SimDossierRecord {
  record: WireDossier;
  createCount: number;
  updateCount: number;
}

/**
 * One record or step as it reached the portal, in arrival order, duplicates included: what the
 * fault tests assert on ("every dossier and step arrived, in order, and was stored once").
 * `outcome`: `created` / `updated` for DongBoHoSoMC, `stored` for a new step, `duplicate` for a
 * step identical to one already stored (the portal keeps one).
 */
export interface NationalReceipt {
  service: 'DongBoHoSoMC' | 'CapNhatTienDoHoSoMC';
  maHoSo: string;
  outcome: 'created' | 'updated' | 'stored' | 'duplicate';
  /** For steps: `NoiDungXuLy` (what the step says). */
  step: string | null;
  at: number;
}

export interface NationalPortalState {
  dossiers: Map<string, SimDossierRecord>;
  /** Dossiers stored before the last restart (code → TrangThaiHoSo), from the state file. */
  knownBefore: Map<string, string>;
  progress: Map<string, WireProgressStep[]>;
  received: NationalReceipt[];
  /** Every request, in arrival order; `service` is `auth` for logins. */
  calls: { service: string; at: number }[];
  sessions: Map<string, { username: string; expiresAt: number }>;
  /** The published catalogue by MATTHC; tests change it to publish new versions or empty it. */
  procedures: Map<string, WireProcedure>;
  agencies: WireAgency[];
  sectors: WireSector[];
  /** The answer variant in use (see `answer-variants.ts`). */
  answers: AnswerVariantName;
  /** MaTTHC refused per entry by DongBoHoSoMC. */
  refusedProcedures: Set<string>;
}

export interface NationalPortalSimulator {
  url: string;
  state: NationalPortalState;
  faults: FaultControls;
  /** Every session stops working; the next call gets `error_code` 401. */
  expireSessions(): void;
  /** The portal loses every dossier and step it stored (a reset or emptied remote). */
  reset(): void;
  /** What callers of `/__sim/*` send in `x-sim-token`. */
  adminToken: string;
  close(): Promise<void>;
}

const MAX_STEPS_PER_CALL = 20;

/** The training catalogue the twin publishes (full LayThuTuc records). */
export const TRAINING_PROCEDURES: readonly WireProcedure[] = [
  {
    MATTHC: '2.000488',
    TENTTHC: 'Cấp Phiếu lý lịch tư pháp cho công dân Việt Nam',
    MACOQUANCONGBO: 'G15',
    TRANGTHAI: '1',
    NGAYCAPNHAT: '20250701080000',
    NGAYHIEULUC: '20250701',
    CAPTHUCHIEN: 'Cấp tỉnh',
    LINHVUCTHUCHIEN: [{ MALINHVUC: 'G15-LL01', TENLINHVUC: 'Lý lịch tư pháp' }],
    CACHTHUCTHUCHIEN: [
      {
        KENH: '1',
        THOIGIAN: [
          {
            THOIGIANGIAIQUYET: '10',
            DONVITINH: 'Ngày làm việc',
            MOTA: '',
            PHILEPHI: [{ MAPHILEPHI: 'LP01', SOTIEN: '200000', DONVI: 'Đồng', MOTA: 'Lệ phí cấp phiếu' }],
          },
        ],
      },
    ],
    KETQUATHUCHIEN: [{ MAKETQUA: 'KQ0007', TENKETQUA: 'Phiếu lý lịch tư pháp số 1' }],
    COQUANTHUCHIEN: [{ MADONVI: '000.00.00.H56', TENDONVI: 'Sở Tư pháp (đào tạo)' }],
    THANHPHANHOSO: [
      {
        MATHANHPHAN: 'TP01',
        TENTHANHPHAN: 'Tờ khai yêu cầu cấp Phiếu lý lịch tư pháp',
        MAGIAYTO: '',
        BATBUOC: '1',
        SOBANCHINH: '1',
        SOBANSAO: '0',
      },
      {
        MATHANHPHAN: 'TP02',
        TENTHANHPHAN: 'Căn cước công dân',
        MAGIAYTO: 'KQ0003',
        BATBUOC: '1',
        SOBANCHINH: '0',
        SOBANSAO: '1',
      },
    ],
    CANCUPHAPLY: [{ SOVANBAN: '28/2009/QH12', TENVANBAN: 'Luật Lý lịch tư pháp' }],
  },
  {
    MATTHC: '2.001177',
    TENTTHC: 'Cấp thẻ căn cước',
    MACOQUANCONGBO: 'G01',
    TRANGTHAI: '1',
    NGAYCAPNHAT: '20250701080000',
    NGAYHIEULUC: '20250701',
    CAPTHUCHIEN: 'Cấp tỉnh',
    LINHVUCTHUCHIEN: [{ MALINHVUC: 'G01-CC01', TENLINHVUC: 'Căn cước' }],
    CACHTHUCTHUCHIEN: [
      { KENH: '1', THOIGIAN: [{ THOIGIANGIAIQUYET: '7', DONVITINH: 'Ngày làm việc', MOTA: '', PHILEPHI: [] }] },
    ],
    KETQUATHUCHIEN: [{ MAKETQUA: 'KQ0003', TENKETQUA: 'Căn cước công dân' }],
    COQUANTHUCHIEN: [{ MADONVI: '000.00.00.H56', TENDONVI: 'Công an tỉnh (đào tạo)' }],
    THANHPHANHOSO: [
      {
        MATHANHPHAN: 'TP01',
        TENTHANHPHAN: 'Tờ khai căn cước',
        MAGIAYTO: '',
        BATBUOC: '1',
        SOBANCHINH: '1',
        SOBANSAO: '0',
      },
    ],
    CANCUPHAPLY: [],
  },
];

export const TRAINING_AGENCIES: readonly WireAgency[] = [
  { MADONVI: '000.00.00.H56', TENDONVI: 'Ủy ban nhân dân tỉnh (đào tạo)' },
  { MADONVI: '000.00.12.H56', TENDONVI: 'Sở Tư pháp (đào tạo)', MADONVICHA: '000.00.00.H56' },
  { MADONVI: '000.00.13.H56', TENDONVI: 'Công an tỉnh (đào tạo)', MADONVICHA: '000.00.00.H56' },
];

export const TRAINING_SECTORS: readonly WireSector[] = [
  { MALINHVUC: 'G15-LL01', TENLINHVUC: 'Lý lịch tư pháp' },
  { MALINHVUC: 'G01-CC01', TENLINHVUC: 'Căn cước' },
  { MALINHVUC: 'HO-TICH', TENLINHVUC: 'Hộ tịch' },
];

const LoginBody = z.object({ username: z.string(), password: z.string() });
const ServiceEnvelope = z
  .object({ session: z.string().optional(), madonvi: z.string().optional(), service: z.string().optional() })
  .loose();
const IsUpdating = z.union([
  z.boolean(),
  z.enum(['true', 'false', '0', '1']).transform((v) => v === 'true' || v === '1'),
]);

/** A tiny valid PDF, served for the documents' download links. */
const SAMPLE_PDF =
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
  '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

export async function startNationalPortalSimulator(
  opts: NationalPortalSimulatorOptions = {},
): Promise<NationalPortalSimulator> {
  const users = opts.users ?? [{ ...TRAINING_NATIONAL_USER }];
  const citizens = opts.citizens ?? trainingCitizenDirectory();
  const documents = opts.documents ?? trainingDocumentStore();
  const sessionTtlMs = opts.sessionTtlMs ?? 30 * 60_000;
  const authPath = opts.authPath ?? '/auth';
  const servicePath = opts.servicePath ?? '/service';
  const faults = new FaultInjector();
  faults.latencyMs = opts.faults?.latencyMs ?? 0;

  const state: NationalPortalState = {
    dossiers: new Map(),
    knownBefore: new Map(),
    progress: new Map(),
    received: [],
    calls: [],
    sessions: new Map(),
    procedures: new Map((opts.procedures ?? TRAINING_PROCEDURES).map((p) => [p.MATTHC, structuredClone(p)])),
    agencies: (opts.agencies ?? TRAINING_AGENCIES).map((a) => ({ ...a })),
    sectors: (opts.sectors ?? TRAINING_SECTORS).map((x) => ({ ...x })),
    answers: opts.answers ?? 'canonical',
    refusedProcedures: new Set(opts.refusedProcedures ?? []),
  };
  let baseUrl = '';
  const adminToken = checkSimAdminToken(opts.adminToken ?? newSimAdminToken());
  const kept: SimStateStore = opts.stateFile ? openSimStateStore(opts.stateFile) : memorySimStateStore();
  try {
    for (const [key, value] of kept.entries(DOSSIER_KEY))
      if (typeof value === 'string') state.knownBefore.set(key.slice(DOSSIER_KEY.length), value);
  } catch (err) {
    kept.close();
    throw err;
  }

  // Login answers keep one shape; service answers are written by the variant in use.
  const loginFail = (code: number, message: string, status = 200): SimReply => ({
    status,
    json: { error_code: code, message, result: null },
  });
  let currentService = '';
  const render = (meaning: Omit<PortalMeaning, 'service'>): SimReply => ({
    status: 200,
    json: answerVariant(state.answers).render({ ...meaning, service: currentService }),
  });
  const ok = (result: unknown, refusedEntries?: PortalMeaning['refusedEntries']): SimReply =>
    render({ kind: 'ok', errorCode: 0, message: 'Thành công', result, ...(refusedEntries ? { refusedEntries } : {}) });
  const fail = (code: number, message: string, status = 200): SimReply =>
    status === 200
      ? render({ kind: 'error', errorCode: code, message, result: null })
      : loginFail(code, message, status);

  function parseJsonBody(req: SimRequest): unknown {
    try {
      return JSON.parse(req.body);
    } catch {
      return undefined;
    }
  }

  function faultKey(req: SimRequest): string {
    if (req.path === authPath) return 'auth';
    if (req.path === servicePath) {
      const env = ServiceEnvelope.safeParse(parseJsonBody(req));
      return env.success && env.data.service ? env.data.service : 'unknown';
    }
    return 'files';
  }

  function login(req: SimRequest): SimReply {
    state.calls.push({ service: 'auth', at: Date.now() });
    const header = req.headers['dstcode'];
    const dstcode = Array.isArray(header) ? header[0] : header;
    if (!dstcode || (opts.dstcode !== undefined && dstcode !== opts.dstcode))
      return loginFail(2, 'dstcode không hợp lệ');
    const body = LoginBody.safeParse(parseJsonBody(req));
    if (!body.success) return loginFail(400, 'Yêu cầu đăng nhập không hợp lệ', 400);
    const user = users.find((u) => u.username === body.data.username && u.password === body.data.password);
    if (!user) return loginFail(1, 'Sai tên đăng nhập hoặc mật khẩu');
    const session = randomBytes(24).toString('base64url');
    state.sessions.set(session, { username: user.username, expiresAt: Date.now() + sessionTtlMs });
    return { status: 200, json: { error_code: 0, message: 'Thành công', session } };
  }

  function service(req: SimRequest): SimReply {
    const raw = parseJsonBody(req);
    const env = ServiceEnvelope.safeParse(raw);
    if (!env.success) return fail(400, 'Yêu cầu không phải đối tượng JSON', 400);
    const name = env.data.service ?? '';
    currentService = name;
    state.calls.push({ service: name, at: Date.now() });
    const session = env.data.session ? state.sessions.get(env.data.session) : undefined;
    if (!session || session.expiresAt <= Date.now()) {
      if (env.data.session) state.sessions.delete(env.data.session);
      return render({
        kind: 'session-expired',
        errorCode: ERROR_SESSION_EXPIRED,
        message: 'Phiên làm việc đã hết hạn hoặc không hợp lệ',
        result: null,
      });
    }
    if (!env.data.madonvi) return fail(2, 'Thiếu mã đơn vị (madonvi)');
    const body = env.data;
    switch (name) {
      case 'DongBoHoSoMC':
        return syncDossiers(body);
      case 'CapNhatTienDoHoSoMC':
        return pushProgress(body);
      case 'TraCuuHoSo':
        return lookupDossier(body);
      case 'TraCuuTechID':
        return lookupCitizen(body);
      case 'GetKetQuaGiayTo':
        return queryDocuments(body);
      case 'LayDanhSachTTHC':
        return listProcedures(body);
      case 'LayThuTuc': {
        const code = body['MATTHC'];
        if (typeof code !== 'string' || code === '') return fail(2, 'Thiếu MATTHC');
        return ok(state.procedures.get(code) ?? null);
      }
      case 'LayDanhMucCoQuan':
        return ok(state.agencies);
      case 'LayDanhMucLinhVuc':
        return ok(state.sectors);
      default:
        return fail(4, `Dịch vụ không tồn tại: ${name}`);
    }
  }

  /** Summary lines; `TuNgay` (yyyyMMddHHmmss) keeps records changed after it. */
  function listProcedures(body: Record<string, unknown>): SimReply {
    const since = body['TuNgay'];
    if (since !== undefined && (typeof since !== 'string' || !/^\d{14}$/.test(since)))
      return fail(2, 'TuNgay phải có dạng yyyyMMddHHmmss');
    const items = [...state.procedures.values()]
      .filter((p) => since === undefined || p.NGAYCAPNHAT > since)
      .map((p) => ({
        MATTHC: p.MATTHC,
        TENTTHC: p.TENTTHC,
        MACOQUANCONGBO: p.MACOQUANCONGBO,
        TRANGTHAI: p.TRANGTHAI,
        NGAYCAPNHAT: p.NGAYCAPNHAT,
      }));
    return ok(items);
  }

  function syncDossiers(body: Record<string, unknown>): SimReply {
    const isUpdating = IsUpdating.safeParse(body['isUpdating'] ?? false);
    if (!isUpdating.success) return fail(2, 'isUpdating không hợp lệ');
    if (!Array.isArray(body['data']) || body['data'].length === 0) return fail(2, 'data phải là danh sách hồ sơ');
    const records: WireDossier[] = [];
    for (const [i, item] of (body['data'] as unknown[]).entries()) {
      const parsed = WireDossierSchema.safeParse(item);
      if (!parsed.success) {
        const maHoSo =
          typeof item === 'object' && item !== null && typeof (item as { MaHoSo?: unknown }).MaHoSo === 'string'
            ? (item as { MaHoSo: string }).MaHoSo
            : `#${i}`;
        return fail(2, `Hồ sơ ${maHoSo || `#${i}`} không hợp lệ: ${describeIssues(parsed.error)}`);
      }
      records.push(parsed.data);
    }
    const result: (
      { MaHoSo: string; KetQua: 'TaoMoi' | 'CapNhat' } | { MaHoSo: string; error_code: number; message: string }
    )[] = [];
    const refused: { MaHoSo: string; error_code: number; message: string }[] = [];
    for (const record of records) {
      if (state.refusedProcedures.has(record.MaTTHC)) {
        const entry = { MaHoSo: record.MaHoSo, error_code: -3, message: `MaTTHC ${record.MaTTHC} không hợp lệ` };
        refused.push(entry);
        result.push(entry);
        continue;
      }
      const existing = state.dossiers.get(record.MaHoSo);
      kept.put(`${DOSSIER_KEY}${record.MaHoSo}`, record.TrangThaiHoSo);
      if (existing) {
        existing.record = record;
        existing.updateCount += 1;
        result.push({ MaHoSo: record.MaHoSo, KetQua: 'CapNhat' });
      } else {
        state.dossiers.set(record.MaHoSo, { record, createCount: 1, updateCount: 0 });
        result.push({ MaHoSo: record.MaHoSo, KetQua: 'TaoMoi' });
      }
      state.received.push({
        service: 'DongBoHoSoMC',
        maHoSo: record.MaHoSo,
        outcome: existing ? 'updated' : 'created',
        step: null,
        at: Date.now(),
      });
    }
    return ok(result, refused);
  }

  function pushProgress(body: Record<string, unknown>): SimReply {
    if (!Array.isArray(body['data']) || body['data'].length === 0) return fail(2, 'data phải là danh sách bước xử lý');
    if (body['data'].length > MAX_STEPS_PER_CALL) return fail(2, `Tối đa ${MAX_STEPS_PER_CALL} bước xử lý mỗi lần`);
    const steps: WireProgressStep[] = [];
    for (const [i, item] of (body['data'] as unknown[]).entries()) {
      const parsed = WireProgressStepSchema.safeParse(item);
      if (!parsed.success) return fail(2, `Bước xử lý #${i} không hợp lệ: ${describeIssues(parsed.error)}`);
      if (!state.dossiers.has(parsed.data.MaHoSo) && !state.knownBefore.has(parsed.data.MaHoSo))
        return fail(3, `Hồ sơ ${parsed.data.MaHoSo} chưa được đồng bộ`);
      steps.push(parsed.data);
    }
    for (const step of steps) {
      const list = state.progress.get(step.MaHoSo) ?? [];
      const key = JSON.stringify(step);
      const duplicate = !answerVariant(state.answers).keepsEveryCopy && list.some((s) => JSON.stringify(s) === key);
      if (!duplicate) list.push(step);
      state.progress.set(step.MaHoSo, list);
      state.received.push({
        service: 'CapNhatTienDoHoSoMC',
        maHoSo: step.MaHoSo,
        outcome: duplicate ? 'duplicate' : 'stored',
        step: step.NoiDungXuLy,
        at: Date.now(),
      });
    }
    return ok({ SoLuong: String(steps.length) });
  }

  function lookupDossier(body: Record<string, unknown>): SimReply {
    const code = body['MaHoSo'];
    if (typeof code !== 'string' || code === '') return fail(2, 'Thiếu MaHoSo');
    const found = state.dossiers.get(code);
    const statusBefore = state.knownBefore.get(code);
    if (!found && statusBefore === undefined) return ok(null);
    const steps = (state.progress.get(code) ?? []).map((st) => ({
      ThoiDiemXuLy: st.ThoiDiemXuLy,
      TrangThai: st.TrangThai,
      NoiDungXuLy: st.NoiDungXuLy,
    }));
    return ok({ MaHoSo: code, TrangThaiHoSo: found?.record.TrangThaiHoSo ?? statusBefore, DanhSachTienDoXuLy: steps });
  }

  function lookupCitizen(body: Record<string, unknown>): SimReply {
    const id = body['SoDinhDanh'];
    if (typeof id !== 'string' || id === '') return fail(2, 'Thiếu SoDinhDanh');
    const citizen = citizens[id];
    return ok(
      citizen ? { SoDinhDanh: id, HoVaTen: citizen.fullName, DaXacThuc: citizen.verified === false ? '0' : '1' } : null,
    );
  }

  function queryDocuments(body: Record<string, unknown>): SimReply {
    const owner = body['MaDinhDanh'];
    const requester = body['NguoiYeuCau'];
    const wanted = body['DanhSachMaKetQua'];
    if (typeof owner !== 'string' || owner === '') return fail(2, 'Thiếu MaDinhDanh');
    if (typeof requester !== 'string' || requester === '') return fail(2, 'Thiếu NguoiYeuCau');
    if (wanted !== undefined && !(Array.isArray(wanted) && wanted.every((w) => typeof w === 'string'))) {
      return fail(2, 'DanhSachMaKetQua phải là danh sách mã');
    }
    const codes = (wanted as string[] | undefined) ?? [];
    const docs = (documents[owner] ?? []).filter((d) => codes.length === 0 || codes.includes(d.documentCode));
    return ok(
      docs.map((d) => toWireDocument({ ...d, url: d.url ?? `${baseUrl}/files/${encodeURIComponent(d.nationalId)}` })),
    );
  }

  function file(req: SimRequest): SimReply {
    const id = decodeURIComponent(req.path.slice('/files/'.length));
    const known = Object.values(documents).some((list) => list.some((d) => d.nationalId === id));
    if (!known) return { status: 404, raw: 'not found', contentType: 'text/plain' };
    return { status: 200, raw: SAMPLE_PDF, contentType: 'application/pdf' };
  }

  function reset(): void {
    state.dossiers.clear();
    state.knownBefore.clear();
    kept.removePrefix(DOSSIER_KEY);
    state.progress.clear();
  }

  let server: SimServer;
  try {
    server = await startSimServer({
      adminToken,
      port: opts.port ?? 0,
      host: opts.host ?? '127.0.0.1',
      faults,
      faultKey,
      expireSessions: () => state.sessions.clear(),
      admin: {
        state: () => ({
          dossiers: [...state.dossiers.entries()].map(([code, d]) => ({
            MaHoSo: code,
            TrangThaiHoSo: d.record.TrangThaiHoSo,
            createCount: d.createCount,
            updateCount: d.updateCount,
          })),
          progress: Object.fromEntries(
            [...state.progress.entries()].map(([code, steps]) => [code, steps.map((st) => st.NoiDungXuLy)]),
          ),
          received: state.received,
          calls: state.calls.length,
          logins: state.calls.filter((c) => c.service === 'auth').length,
          callsByService: state.calls.reduce<Record<string, number>>(
            (acc, c) => ({ ...acc, [c.service]: (acc[c.service] ?? 0) + 1 }),
            {},
          ),
          answers: state.answers,
          refusedProcedures: [...state.refusedProcedures],
        }),
        configure: (body) => {
          const answers = body['answers'];
          if (answers !== undefined) {
            if (!isAnswerVariantName(answers))
              throw new RangeError(`answers must be one of: ${ANSWER_VARIANTS.join(', ')}`);
            state.answers = answers;
          }
          const refused = body['refuseProcedures'];
          if (Array.isArray(refused) && refused.every((c) => typeof c === 'string'))
            state.refusedProcedures = new Set(refused);
        },
        reset,
      },
      handle: (req) => {
        if (req.method === 'POST' && req.path === authPath) return login(req);
        if (req.method === 'POST' && req.path === servicePath) return service(req);
        if (req.method === 'GET' && req.path.startsWith('/files/')) return file(req);
        return { status: 404, raw: 'not found', contentType: 'text/plain' };
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
    expireSessions: () => state.sessions.clear(),
    reset,
    adminToken,
    close: async () => {
      await server.close();
      kept.close();
    },
  };
}

const DOSSIER_KEY = 'dossier:';

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join('.') || '(gốc)'}: ${i.message}`)
    .join('; ');
}

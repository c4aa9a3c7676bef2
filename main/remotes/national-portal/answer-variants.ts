/**
 * How integrations of the national portal's contract write the same answer. The portal twin
 * answers in any one of these (`answers` option, or `{ "answers": "<name>" }` on
 * `POST /__sim/faults`), and the sync fault matrix and the crash test run against every one
 * (docs/architecture.md, "Sync" → answers). The client must read all of them the same way.
 *
 * `ANSWER_BODIES` below are raw bodies met in production integrations, kept as fixtures for the
 * reader's table test (`answer-variants.test.ts`).
 */

/** What the portal means to say; a variant decides how it is written. */
export interface PortalMeaning {
  service: string;
  kind: 'ok' | 'error' | 'session-expired';
  errorCode: number;
  message: string;
  /** For `ok`: the canonical result (null for "nothing"); ignored otherwise. */
  result: unknown;
  /** DongBoHoSoMC: some entries were refused (they are in `result` with their own error_code). */
  refusedEntries?: { MaHoSo: string; error_code: number; message: string }[];
}

export const ANSWER_VARIANTS = [
  'canonical',
  'lookup-list',
  'no-result',
  'session-minus-one',
  'string-codes',
  'result-json-string',
  'data-envelope',
  'empty-ack',
  'keeps-every-copy',
] as const;
export type AnswerVariantName = (typeof ANSWER_VARIANTS)[number];

export interface AnswerVariant {
  name: AnswerVariantName;
  /** One line for people choosing a variant by hand (`npm run simulators`). */
  description: string;
  /** The JSON body for this meaning. */
  render(meaning: PortalMeaning): Record<string, unknown>;
  /** The portal stores every copy of a progress step it receives (no de-duplication). */
  keepsEveryCopy: boolean;
}

const SESSION_MESSAGE = 'Phiên làm việc đã hết hạn hoặc không hợp lệ';
const CITIZEN_NOT_FOUND = 'Không tìm thấy thông tin công dân';

function canonical(m: PortalMeaning): Record<string, unknown> {
  if (m.kind === 'session-expired') return { error_code: 401, message: SESSION_MESSAGE, result: null };
  if (m.kind === 'error') return { error_code: m.errorCode, message: m.message, result: null };
  return { error_code: 0, message: m.message, result: m.result };
}

/** Numbers inside a result written as strings (`TrangThaiHoSo: 4` becomes "4" and back is the reader's job). */
function withNumericStatus(result: unknown): unknown {
  if (Array.isArray(result)) return result.map(withNumericStatus);
  if (typeof result !== 'object' || result === null) return result;
  const out: Record<string, unknown> = { ...(result as Record<string, unknown>) };
  if (typeof out['TrangThaiHoSo'] === 'string') out['TrangThaiHoSo'] = Number(out['TrangThaiHoSo']);
  if (typeof out['error_code'] === 'number') out['error_code'] = String(out['error_code']);
  return out;
}

const VARIANTS: Record<AnswerVariantName, AnswerVariant> = {
  canonical: {
    name: 'canonical',
    description:
      '{ error_code, message, result } always; a lookup answers an object or null; refused entries listed with their own error_code',
    render: canonical,
    keepsEveryCopy: false,
  },
  'lookup-list': {
    name: 'lookup-list',
    description: 'TraCuuHoSo answers a list: [] when not found, [{...}] when found',
    render: (m) => {
      const body = canonical(m);
      if (m.kind === 'ok' && m.service === 'TraCuuHoSo') body['result'] = m.result === null ? [] : [m.result];
      return body;
    },
    keepsEveryCopy: false,
  },
  'no-result': {
    name: 'no-result',
    description:
      'no result field on errors, on progress and sync successes, and on "not found"; an unknown citizen (TraCuuTechID) is an error (-2 "Không tìm thấy"); a batch with refused entries is refused as a whole (-3)',
    render: (m) => {
      if (m.kind === 'session-expired') return { error_code: 401, message: SESSION_MESSAGE };
      if (m.kind === 'ok' && m.service === 'TraCuuTechID' && m.result === null)
        return { error_code: -2, message: CITIZEN_NOT_FOUND };
      if (m.kind === 'error') return { error_code: m.errorCode, message: m.message };
      if (m.service === 'DongBoHoSoMC') {
        const refused = m.refusedEntries ?? [];
        if (refused.length > 0)
          return {
            error_code: refused[0]!.error_code,
            message: refused.map((r) => `${r.MaHoSo}: ${r.message}`).join('; '),
          };
        return { error_code: 0, message: m.message };
      }
      if (m.service === 'CapNhatTienDoHoSoMC' || m.result === null) return { error_code: 0, message: m.message };
      return { error_code: 0, message: m.message, result: m.result };
    },
    keepsEveryCopy: false,
  },
  'session-minus-one': {
    name: 'session-minus-one',
    description: 'an expired session is error_code -1 "Phiên làm việc hết hạn" (decomposed Unicode), without result',
    render: (m) =>
      m.kind === 'session-expired'
        ? { error_code: -1, message: 'Phiên làm việc hết hạn'.normalize('NFD') }
        : canonical(m),
    keepsEveryCopy: false,
  },
  'string-codes': {
    name: 'string-codes',
    description: 'error_code as a string ("0"), message null on success, TrangThaiHoSo as a number',
    render: (m) => {
      const body = canonical(m);
      body['error_code'] = String(body['error_code']);
      if (m.kind === 'ok') {
        body['message'] = null;
        body['result'] = withNumericStatus(m.result);
      }
      return body;
    },
    keepsEveryCopy: false,
  },
  'result-json-string': {
    name: 'result-json-string',
    description: 'result sent as a JSON string ("{\\"MaHoSo\\":...}")',
    render: (m) => {
      const body = canonical(m);
      if (m.kind === 'ok' && m.result !== null && m.result !== undefined) body['result'] = JSON.stringify(m.result);
      return body;
    },
    keepsEveryCopy: false,
  },
  'data-envelope': {
    name: 'data-envelope',
    description: '`data` instead of `result`, with extra envelope fields (success, timestamp, requestId)',
    render: (m) => {
      const { result, ...rest } = canonical(m);
      return {
        success: rest['error_code'] === 0,
        ...rest,
        data: result,
        timestamp: new Date().toISOString(),
        requestId: Math.random().toString(36).slice(2),
      };
    },
    keepsEveryCopy: false,
  },
  'empty-ack': {
    name: 'empty-ack',
    description:
      'a successful DongBoHoSoMC or CapNhatTienDoHoSoMC answers an empty list (refused entries only are listed)',
    render: (m) => {
      const body = canonical(m);
      if (m.kind === 'ok' && (m.service === 'DongBoHoSoMC' || m.service === 'CapNhatTienDoHoSoMC'))
        body['result'] = m.refusedEntries ?? [];
      return body;
    },
    keepsEveryCopy: false,
  },
  'keeps-every-copy': {
    name: 'keeps-every-copy',
    description: 'canonical answers, but every copy of a progress step is stored (no de-duplication)',
    render: canonical,
    keepsEveryCopy: true,
  },
};

export function answerVariant(name: AnswerVariantName): AnswerVariant {
  return VARIANTS[name];
}

export function isAnswerVariantName(value: unknown): value is AnswerVariantName {
  return typeof value === 'string' && (ANSWER_VARIANTS as readonly string[]).includes(value);
}

/**
 * Raw answer bodies met in production integrations, with what they mean. `verdict` is what the
 * reader must decide: `ok` (error_code 0), `rejected` (another code), `session` (renew the
 * session), `bad` (REMOTE_BAD_RESPONSE: no verdict in it).
 */
export interface AnswerBody {
  name: string;
  service: string;
  body: string;
  verdict: 'ok' | 'rejected' | 'session' | 'bad';
  /** For TraCuuHoSo: whether it says the dossier (MaHoSo `H1`) exists. */
  exists?: boolean;
  /** For TraCuuTechID: whether it says the citizen (SoDinhDanh `001203004567`) was found. */
  found?: boolean;
  /** For DongBoHoSoMC of `H1` and `H2`: what it says per dossier. */
  entries?: { accepted: string[]; refused: string[]; unconfirmed: string[] };
}

export const ANSWER_BODIES: readonly AnswerBody[] = [
  {
    name: 'lookup: object',
    service: 'TraCuuHoSo',
    body: '{"error_code":0,"message":"OK","result":{"MaHoSo":"H1","TrangThaiHoSo":"2"}}',
    verdict: 'ok',
    exists: true,
  },
  {
    name: 'lookup: null',
    service: 'TraCuuHoSo',
    body: '{"error_code":0,"message":"OK","result":null}',
    verdict: 'ok',
    exists: false,
  },
  {
    name: 'lookup: empty list',
    service: 'TraCuuHoSo',
    body: '{"error_code":0,"message":"OK","result":[]}',
    verdict: 'ok',
    exists: false,
  },
  {
    name: 'lookup: list of one',
    service: 'TraCuuHoSo',
    body: '{"error_code":0,"message":"OK","result":[{"MaHoSo":"H1","TrangThaiHoSo":4}]}',
    verdict: 'ok',
    exists: true,
  },
  {
    name: 'lookup: list of another dossier',
    service: 'TraCuuHoSo',
    body: '{"error_code":0,"result":[{"MaHoSo":"H9","TrangThaiHoSo":"4"}]}',
    verdict: 'ok',
    exists: false,
  },
  {
    name: 'lookup: no result field',
    service: 'TraCuuHoSo',
    body: '{"error_code":0,"message":"Không có dữ liệu"}',
    verdict: 'ok',
    exists: false,
  },
  {
    name: 'lookup: result as a JSON string',
    service: 'TraCuuHoSo',
    body: '{"error_code":"0","message":null,"result":"{\\"MaHoSo\\":\\"H1\\",\\"TrangThaiHoSo\\":\\"2\\"}"}',
    verdict: 'ok',
    exists: true,
  },
  {
    name: 'lookup: data instead of result, extra fields',
    service: 'TraCuuHoSo',
    body: '{"success":true,"error_code":0,"message":"OK","data":[{"MaHoSo":"H1","TrangThaiHoSo":"2"}],"timestamp":"2025-07-16T09:00:00Z"}',
    verdict: 'ok',
    exists: true,
  },
  {
    name: 'lookup: not found as an error',
    service: 'TraCuuHoSo',
    body: '{"error_code":-2,"message":"Không tìm thấy hồ sơ"}',
    verdict: 'rejected',
    exists: false,
  },
  {
    name: 'citizen: found, an object',
    service: 'TraCuuTechID',
    body: '{"error_code":0,"message":"OK","result":{"SoDinhDanh":"001203004567","HoVaTen":"Nguyễn Văn Dũng","DaXacThuc":"1"}}',
    verdict: 'ok',
    found: true,
  },
  {
    name: 'citizen: found, a list of one',
    service: 'TraCuuTechID',
    body: '{"error_code":"0","message":null,"result":[{"SoDinhDanh":"001203004567","HoVaTen":"Nguyễn Văn Dũng","DaXacThuc":"1"}]}',
    verdict: 'ok',
    found: true,
  },
  {
    name: 'citizen: null',
    service: 'TraCuuTechID',
    body: '{"error_code":0,"message":"OK","result":null}',
    verdict: 'ok',
    found: false,
  },
  {
    name: 'citizen: empty list',
    service: 'TraCuuTechID',
    body: '{"error_code":0,"result":[]}',
    verdict: 'ok',
    found: false,
  },
  {
    name: 'citizen: no result field',
    service: 'TraCuuTechID',
    body: '{"error_code":0,"message":"Không có dữ liệu"}',
    verdict: 'ok',
    found: false,
  },
  {
    name: 'citizen: not found as an error',
    service: 'TraCuuTechID',
    body: '{"error_code":-2,"message":"Không tìm thấy thông tin công dân"}',
    verdict: 'rejected',
    found: false,
  },
  {
    name: 'citizen: "không tồn tại" as a string code',
    service: 'TraCuuTechID',
    body: '{"error_code":"1","message":"Số định danh không tồn tại trong CSDL"}',
    verdict: 'rejected',
    found: false,
  },
  {
    name: 'citizen: not found, decomposed Unicode',
    service: 'TraCuuTechID',
    body: JSON.stringify({ error_code: 3, message: 'Không tìm thấy công dân'.normalize('NFD') }),
    verdict: 'rejected',
    found: false,
  },
  {
    name: 'citizen: refused for another reason',
    service: 'TraCuuTechID',
    body: '{"error_code":2,"message":"Số định danh không hợp lệ"}',
    verdict: 'rejected',
  },
  {
    name: 'progress: success without result',
    service: 'CapNhatTienDoHoSoMC',
    body: '{"error_code":0,"message":"Thành công"}',
    verdict: 'ok',
  },
  {
    name: 'progress: error_code "0" and message null',
    service: 'CapNhatTienDoHoSoMC',
    body: '{"error_code":"0","message":null,"result":{"SoLuong":"1"}}',
    verdict: 'ok',
  },
  {
    name: 'error without result',
    service: 'CapNhatTienDoHoSoMC',
    body: '{"error_code":3,"message":"Hồ sơ chưa được đồng bộ"}',
    verdict: 'rejected',
  },
  {
    name: 'session: -1 "Phiên làm việc hết hạn", no result',
    service: 'TraCuuHoSo',
    body: '{"error_code":-1,"message":"Phiên làm việc hết hạn"}',
    verdict: 'session',
  },
  {
    name: 'session: -1 in decomposed Unicode',
    service: 'TraCuuHoSo',
    body: JSON.stringify({ error_code: -1, message: 'Phiên làm việc hết hạn'.normalize('NFD') }),
    verdict: 'session',
  },
  {
    name: 'session: 401 as a string',
    service: 'TraCuuHoSo',
    body: '{"error_code":"401","message":"Unauthorized"}',
    verdict: 'session',
  },
  {
    name: 'session: "token expired"',
    service: 'TraCuuHoSo',
    body: '{"error_code":9,"message":"Token expired"}',
    verdict: 'session',
  },
  {
    name: 'session: "Phiên đã hết hạn"',
    service: 'TraCuuHoSo',
    body: '{"error_code":5,"message":"Phiên đã hết hạn, vui lòng đăng nhập lại"}',
    verdict: 'session',
  },
  {
    name: 'not a session: "Phiên bản" (a version)',
    service: 'TraCuuHoSo',
    body: '{"error_code":-1,"message":"Phiên bản dịch vụ không được hỗ trợ"}',
    verdict: 'rejected',
  },
  {
    name: 'not a session: -1 about something else',
    service: 'TraCuuHoSo',
    body: '{"error_code":-1,"message":"Lỗi hệ thống"}',
    verdict: 'rejected',
  },
  {
    name: 'HTML error page with HTTP 200',
    service: 'TraCuuHoSo',
    body: '<html><body><h1>502 Bad Gateway</h1></body></html>',
    verdict: 'bad',
  },
  { name: 'JSON without error_code', service: 'TraCuuHoSo', body: '{"result":null}', verdict: 'bad' },
  { name: 'JSON list at the top', service: 'TraCuuHoSo', body: '[]', verdict: 'bad' },
  { name: 'error_code not a number', service: 'TraCuuHoSo', body: '{"error_code":"OK"}', verdict: 'bad' },
  {
    name: 'sync: per-entry results, two refused (-3)',
    service: 'DongBoHoSoMC',
    verdict: 'ok',
    body: '{"error_code":0,"message":"OK","result":[{"MaHoSo":"H1","error_code":-3,"message":"MaTTHC không hợp lệ"},{"MaHoSo":"H2","error_code":"-3","message":"MaTTHC không hợp lệ"}]}',
    entries: { accepted: [], refused: ['H1', 'H2'], unconfirmed: [] },
  },
  {
    name: 'sync: one accepted, one refused',
    service: 'DongBoHoSoMC',
    verdict: 'ok',
    body: '{"error_code":0,"result":[{"MaHoSo":"H1","KetQua":"TaoMoi"},{"MaHoSo":"H2","error_code":-3,"message":"MaTTHC không hợp lệ"}]}',
    entries: { accepted: ['H1'], refused: ['H2'], unconfirmed: [] },
  },
  {
    name: 'sync: success without result',
    service: 'DongBoHoSoMC',
    verdict: 'ok',
    body: '{"error_code":0,"message":"Thành công"}',
    entries: { accepted: [], refused: [], unconfirmed: ['H1', 'H2'] },
  },
  {
    name: 'sync: empty list on success',
    service: 'DongBoHoSoMC',
    verdict: 'ok',
    body: '{"error_code":0,"result":[]}',
    entries: { accepted: [], refused: [], unconfirmed: ['H1', 'H2'] },
  },
  {
    name: 'sync: a count instead of entries',
    service: 'DongBoHoSoMC',
    verdict: 'ok',
    body: '{"error_code":0,"result":{"SoLuong":2}}',
    entries: { accepted: [], refused: [], unconfirmed: ['H1', 'H2'] },
  },
  {
    name: 'sync: one entry as an object',
    service: 'DongBoHoSoMC',
    verdict: 'ok',
    body: '{"error_code":0,"result":{"MaHoSo":"H2"}}',
    entries: { accepted: ['H2'], refused: [], unconfirmed: ['H1'] },
  },
  {
    name: 'sync: whole call refused, entries listed',
    service: 'DongBoHoSoMC',
    verdict: 'rejected',
    body: '{"error_code":-3,"message":"Có hồ sơ lỗi","result":[{"MaHoSo":"H1","error_code":0},{"MaHoSo":"H2","error_code":-3,"message":"MaTTHC không hợp lệ"}]}',
    entries: { accepted: ['H1'], refused: ['H2'], unconfirmed: [] },
  },
  {
    name: 'sync: whole call refused, no entries',
    service: 'DongBoHoSoMC',
    verdict: 'rejected',
    body: '{"error_code":-3,"message":"MaTTHC không hợp lệ"}',
    entries: { accepted: [], refused: [], unconfirmed: ['H1', 'H2'] },
  },
];

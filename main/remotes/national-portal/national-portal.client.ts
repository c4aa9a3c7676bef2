import { z } from 'zod';
import { joinUrl, parseAnswer, sendHttp, statusError, tryParseJson } from '../http-transport';
import { RemoteError } from '../remote-error';
import type {
  CitizenLookup, DocumentQuery, DossierLookup, NationalAgency, NationalDocument, NationalPortal, NationalProcedure, NationalSector,
  ProcedureListItem,
} from './national-portal.port';
import {
  channelCode, fromWireAgency, fromWireCitizen, fromWireDocument, fromWireProcedure, fromWireProcedureListItem, fromWireSector,
  toWireDateTimeSeconds,
} from './wire-format';
import {
  WireAgencySchema, WireCitizenSchema, WireDocumentSchema, WireProcedureListItemSchema, WireProcedureSchema, WireSectorSchema,
  type WireDossier, type WireProgressStep,
} from './wire-schemas';

export interface NationalPortalClientOptions {
  baseUrl: string;
  authPath?: string;
  servicePath?: string;
  username: string;
  password: string;
  /** Sent as the `dstcode` header on login. */
  dstcode: string;
  /** Sent as `madonvi` on every service call. */
  agencyCode: string;
  timeoutMs?: number;
  /** Diagnostic lines; never carry the password, the session token or personal data. */
  log?: (line: string) => void;
}

/** Progress steps per CapNhatTienDoHoSoMC call. */
export const PROGRESS_CHUNK = 20;

/**
 * Session-expiry convention: `error_code` 401 (or HTTP 401, or a non-zero code whose message
 * speaks of the session) means the session is gone; the client logs in again once and repeats
 * the call. A second refusal right after a fresh login is `REMOTE_AUTH_FAILED`.
 */
export const SESSION_EXPIRED_CODE = 401;
const SESSION_MESSAGE = /session|phiên làm việc|phiên đăng nhập/iu;

const ErrorCode = z.union([z.number().int(), z.string().regex(/^-?\d+$/).transform(Number)]);
const Envelope = z.object({ error_code: ErrorCode, message: z.string().nullish(), result: z.unknown() });
const LoginAnswer = z.object({ error_code: ErrorCode, message: z.string().nullish(), session: z.string().nullish() });

const SyncResult = z.array(z.object({ MaHoSo: z.string() }).loose());
const DossierLookupResult = z.object({ MaHoSo: z.string(), TrangThaiHoSo: z.string() }).loose().nullable();
const CitizenResult = WireCitizenSchema.loose().nullable();
const DocumentsResult = z.array(WireDocumentSchema).nullable();
// A null list is an empty list (some portal versions answer null for "nothing").
const ProcedureListResult = z.array(WireProcedureListItemSchema.loose()).nullable();
const ProcedureResult = WireProcedureSchema.loose().nullable();
const AgenciesResult = z.array(WireAgencySchema.loose()).nullable();
const SectorsResult = z.array(WireSectorSchema.loose()).nullable();

/** A record that passed the schema but cannot be mapped (unknown unit, bad date) is a bad answer. */
function mapped<T>(service: string, map: () => T): T {
  try {
    return map();
  } catch (err) {
    if (err instanceof RangeError) throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${service}: ${err.message}`);
    throw err;
  }
}

export function createNationalPortalClient(opts: NationalPortalClientOptions): NationalPortal {
  const authUrl = joinUrl(opts.baseUrl, opts.authPath ?? '/auth');
  const serviceUrl = joinUrl(opts.baseUrl, opts.servicePath ?? '/service');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const log = opts.log ?? (() => {});

  let session: string | null = null;
  let loginInFlight: Promise<string> | null = null;

  async function login(): Promise<string> {
    const what = 'national login';
    const answer = await sendHttp('national', {
      url: authUrl,
      method: 'POST',
      headers: { 'content-type': 'application/json', dstcode: opts.dstcode },
      body: JSON.stringify({ username: opts.username, password: opts.password }),
      timeoutMs,
      what,
    });
    const common = statusError('national', answer.status, what);
    if (common) throw common;
    if (answer.status >= 400) {
      throw new RemoteError('national', 'REMOTE_AUTH_FAILED', `${what}: refused (HTTP ${answer.status})`, { status: answer.status });
    }
    const body = parseAnswer('national', answer.text, LoginAnswer, what, answer.status);
    if (body.error_code !== 0) {
      log(`national: login refused (error_code ${body.error_code})`);
      throw new RemoteError('national', 'REMOTE_AUTH_FAILED', `${what}: refused: ${body.message ?? `error_code ${body.error_code}`}`, {
        details: { errorCode: body.error_code },
      });
    }
    if (!body.session) throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${what}: answer has no session`);
    log('national: logged in');
    return body.session;
  }

  function currentSession(): Promise<string> {
    if (session !== null) return Promise.resolve(session);
    if (!loginInFlight) {
      loginInFlight = login()
        .then((s) => {
          session = s;
          return s;
        })
        .finally(() => {
          loginInFlight = null;
        });
    }
    return loginInFlight;
  }

  async function call<T extends z.ZodType>(service: string, params: Record<string, unknown>, resultSchema: T): Promise<z.infer<T>> {
    let renewed = false;
    for (;;) {
      const used = await currentSession();
      const answer = await sendHttp('national', {
        url: serviceUrl,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ session: used, madonvi: opts.agencyCode, service, ...params }),
        timeoutMs,
        what: service,
      });
      const common = statusError('national', answer.status, service);
      if (common) throw common;

      let errorCode: number;
      let message: string | null;
      let result: unknown;
      if (answer.status >= 400) {
        const parsed = Envelope.safeParse(tryParseJson(answer.text));
        errorCode = answer.status === 401 ? SESSION_EXPIRED_CODE : parsed.success ? parsed.data.error_code : answer.status;
        message = parsed.success ? (parsed.data.message ?? null) : `HTTP ${answer.status}`;
        result = undefined;
        if (answer.status === 403) {
          throw new RemoteError('national', 'REMOTE_AUTH_FAILED', `${service}: forbidden`, { status: 403 });
        }
      } else {
        const env = parseAnswer('national', answer.text, Envelope, service, answer.status);
        errorCode = env.error_code;
        message = env.message ?? null;
        result = env.result;
      }

      if (errorCode === 0) {
        const parsed = resultSchema.safeParse(result);
        if (!parsed.success) {
          const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`);
          throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${service}: result has an unexpected shape`, { details: { issues } });
        }
        return parsed.data;
      }

      if (errorCode === SESSION_EXPIRED_CODE || (message !== null && SESSION_MESSAGE.test(message))) {
        if (session === used) session = null;
        if (renewed) {
          throw new RemoteError('national', 'REMOTE_AUTH_FAILED', `${service}: session refused right after login`, {
            details: { errorCode },
          });
        }
        renewed = true;
        log(`national: session expired during ${service}, logging in again`);
        continue;
      }

      throw new RemoteError('national', 'REMOTE_REJECTED', `${service} rejected: ${message ?? `error_code ${errorCode}`}`, {
        status: answer.status,
        details: { errorCode },
      });
    }
  }

  async function withLog<T>(service: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RemoteError) log(`national: ${service} failed: ${err.code}${err.retryable ? ' (will retry)' : ''}`);
      throw err;
    }
  }

  return {
    syncDossiers(items: WireDossier[], isUpdating: boolean) {
      if (items.length === 0) return Promise.resolve({ accepted: [] });
      return withLog('DongBoHoSoMC', async () => {
        const result = await call('DongBoHoSoMC', { isUpdating, data: items }, SyncResult);
        return { accepted: result.map((r) => r.MaHoSo) };
      });
    },

    pushProgress(steps: WireProgressStep[]) {
      return withLog('CapNhatTienDoHoSoMC', async () => {
        for (let i = 0; i < steps.length; i += PROGRESS_CHUNK) {
          await call('CapNhatTienDoHoSoMC', { data: steps.slice(i, i + PROGRESS_CHUNK) }, z.unknown());
        }
      });
    },

    lookupDossier(code: string): Promise<DossierLookup> {
      return withLog('TraCuuHoSo', async () => {
        const result = await call('TraCuuHoSo', { MaHoSo: code }, DossierLookupResult);
        return result ? { exists: true, status: result.TrangThaiHoSo } : { exists: false, status: null };
      });
    },

    lookupCitizen(personalId: string): Promise<CitizenLookup> {
      return withLog('TraCuuTechID', async () => {
        const result = await call('TraCuuTechID', { SoDinhDanh: personalId }, CitizenResult);
        return fromWireCitizen(result);
      });
    },

    listProcedures(changedSince?: string | null): Promise<ProcedureListItem[]> {
      return withLog('LayDanhSachTTHC', async () => {
        const params = changedSince ? { TuNgay: toWireDateTimeSeconds(changedSince) } : {};
        const result = await call('LayDanhSachTTHC', params, ProcedureListResult);
        return mapped('LayDanhSachTTHC', () => (result ?? []).map(fromWireProcedureListItem));
      });
    },

    getProcedure(code: string, pulledOn: string): Promise<NationalProcedure | null> {
      return withLog('LayThuTuc', async () => {
        const result = await call('LayThuTuc', { MATTHC: code }, ProcedureResult);
        if (result === null) return null;
        if (result.MATTHC.trim() !== code.trim()) {
          throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `LayThuTuc: asked for ${code}, got ${result.MATTHC}`);
        }
        return mapped('LayThuTuc', () => fromWireProcedure(result, pulledOn));
      });
    },

    listAgencies(): Promise<NationalAgency[]> {
      return withLog('LayDanhMucCoQuan', async () => (await call('LayDanhMucCoQuan', {}, AgenciesResult) ?? []).map(fromWireAgency));
    },

    listSectors(): Promise<NationalSector[]> {
      return withLog('LayDanhMucLinhVuc', async () => (await call('LayDanhMucLinhVuc', {}, SectorsResult) ?? []).map(fromWireSector));
    },

    queryDocuments(query: DocumentQuery): Promise<NationalDocument[]> {
      return withLog('GetKetQuaGiayTo', async () => {
        const result = await call(
          'GetKetQuaGiayTo',
          {
            MaDinhDanh: query.ownerId,
            NguoiYeuCau: query.requester,
            KenhThucHien: channelCode(query.channel),
            MaTTHC: query.procedureCode,
            DanhSachMaKetQua: query.resultCodes,
          },
          DocumentsResult,
        );
        return (result ?? []).map(fromWireDocument);
      });
    },
  };
}

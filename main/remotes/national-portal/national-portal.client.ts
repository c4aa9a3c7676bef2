import { z } from 'zod';
import { joinUrl, sendHttp, statusError } from '../http-transport';
import type { Logger } from '../../kernel/logger';
import { RemoteError } from '../remote-error';
import type {
  CitizenLookup,
  DocumentQuery,
  DossierLookup,
  DossierSyncAnswer,
  NationalAgency,
  NationalDocument,
  NationalPortal,
  NationalProcedure,
  NationalSector,
  ProcedureListItem,
} from './national-portal.port';
import {
  isScalarResult,
  isSessionExpired,
  readPortalAnswer,
  resultRecords,
  saysNotFound,
  type PortalAnswer,
} from './portal-answer';
import { loginSession, readPortalSteps, readSyncEntries } from './portal-entries';
import {
  channelCode,
  fromWireAgency,
  fromWireCitizen,
  fromWireDocument,
  fromWireProcedure,
  fromWireProcedureListItem,
  fromWireSector,
  toWireDateTimeSeconds,
} from './wire-format';
import {
  WireAgencySchema,
  WireCitizenSchema,
  WireDocumentSchema,
  WireProcedureListItemSchema,
  WireProcedureSchema,
  WireSectorSchema,
  type WireDossier,
  type WireProgressStep,
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
  /** Diagnostic lines (event `national`, field `line`); never the password, the session token or personal data. */
  log?: Logger;
}

/** Progress steps per CapNhatTienDoHoSoMC call. */
export const PROGRESS_CHUNK = 20;

/**
 * Session-expiry convention (`isSessionExpired` in `portal-answer.ts`): `error_code` 401, HTTP
 * 401, or a non-zero code whose message speaks of the session (e.g. -1 "Phiên làm việc hết hạn")
 * means the session is gone; the client logs in again once and repeats the call. A second
 * refusal right after a fresh login is `REMOTE_AUTH_FAILED`.
 */
export const SESSION_EXPIRED_CODE = 401;

const DossierLookupEntry = z
  .object({
    MaHoSo: z.union([z.string(), z.number()]).transform(String),
    TrangThaiHoSo: z.union([z.string(), z.number()]).transform(String).optional(),
  })
  .loose();
const CitizenResult = WireCitizenSchema.loose().nullable();
const DocumentsResult = z.array(WireDocumentSchema.loose()).nullable();
// A null list is an empty list (some portal versions answer null for "nothing").
const ProcedureListResult = z.array(WireProcedureListItemSchema.loose()).nullable();
const ProcedureResult = WireProcedureSchema.loose().nullable();
const AgenciesResult = z.array(WireAgencySchema.loose()).nullable();
const SectorsResult = z.array(WireSectorSchema.loose()).nullable();

/** For a record answer: missing → null, a list of zero or one → its entry (or null). */
function single(result: unknown): unknown {
  if (result === undefined) return null;
  if (Array.isArray(result)) {
    if (result.length > 1) return result; // left to the schema, which refuses it
    return result[0] ?? null;
  }
  return result;
}

/** For a list answer: missing → null (the schemas read null as an empty list). */
function list(result: unknown): unknown {
  return result === undefined ? null : result;
}

function shaped<T extends z.ZodType>(service: string, schema: T, value: unknown): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(result)'}: ${i.message}`);
  throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${service}: result has an unexpected shape`, {
    details: { issues },
  });
}

/** A record that passed the schema but cannot be mapped (unknown unit, bad date) is a bad answer. */
function mapped<T>(service: string, map: () => T): T {
  try {
    return map();
  } catch (err) {
    if (err instanceof RangeError)
      throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${service}: ${err.message}`);
    throw err;
  }
}

export function createNationalPortalClient(opts: NationalPortalClientOptions): NationalPortal {
  const authUrl = joinUrl(opts.baseUrl, opts.authPath ?? '/auth');
  const serviceUrl = joinUrl(opts.baseUrl, opts.servicePath ?? '/service');
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const log = (line: string): void => opts.log?.log('info', 'national', { line });

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
      throw new RemoteError('national', 'REMOTE_AUTH_FAILED', `${what}: refused (HTTP ${answer.status})`, {
        status: answer.status,
      });
    }
    const verdict = readPortalAnswer(answer.text, what, answer.status);
    if (verdict.errorCode !== 0) {
      log(`national: login refused (error_code ${verdict.errorCode})`);
      throw new RemoteError(
        'national',
        'REMOTE_AUTH_FAILED',
        `${what}: refused: ${verdict.message ?? `error_code ${verdict.errorCode}`}`,
        {
          details: { errorCode: verdict.errorCode },
        },
      );
    }
    const issued = loginSession(answer.text, verdict);
    if (!issued) throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', `${what}: answer has no session`);
    log('national: logged in');
    return issued;
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

  /**
   * One service call with the session handled: resolves with the portal's verdict (any
   * `error_code` except an expired session, which is renewed once here).
   */
  async function exchange(service: string, params: Record<string, unknown>): Promise<PortalAnswer> {
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

      let verdict: PortalAnswer;
      if (answer.status >= 400) {
        if (answer.status === 403)
          throw new RemoteError('national', 'REMOTE_AUTH_FAILED', `${service}: forbidden`, { status: 403 });
        let read: PortalAnswer | null;
        try {
          read = readPortalAnswer(answer.text, service, answer.status);
        } catch {
          read = null;
        }
        verdict =
          answer.status === 401
            ? { errorCode: SESSION_EXPIRED_CODE, message: read?.message ?? null, result: undefined }
            : {
                errorCode: read && read.errorCode !== 0 ? read.errorCode : answer.status,
                message: read?.message ?? `HTTP ${answer.status}`,
                result: read?.result,
              };
      } else {
        verdict = readPortalAnswer(answer.text, service, answer.status);
      }

      if (!isSessionExpired(verdict.errorCode, verdict.message)) return verdict;
      if (session === used) session = null;
      if (renewed) {
        throw new RemoteError('national', 'REMOTE_AUTH_FAILED', `${service}: session refused right after login`, {
          details: { errorCode: verdict.errorCode },
        });
      }
      renewed = true;
      log(`national: session expired during ${service} (error_code ${verdict.errorCode}), logging in again`);
    }
  }

  function rejected(service: string, verdict: PortalAnswer): RemoteError {
    // The portal's own code and words, kept for the dead letter (`sync.service.ts` quotes them).
    return new RemoteError(
      'national',
      'REMOTE_REJECTED',
      `${service} rejected: [error_code ${verdict.errorCode}] ${verdict.message ?? ''}`.trim(),
      {
        details: { errorCode: verdict.errorCode },
      },
    );
  }

  /** A call whose only success is `error_code` 0; resolves with its payload (undefined when there is none). */
  async function call(service: string, params: Record<string, unknown>): Promise<unknown> {
    const verdict = await exchange(service, params);
    if (verdict.errorCode !== 0) throw rejected(service, verdict);
    return verdict.result;
  }

  async function withLog<T>(service: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RemoteError)
        log(`national: ${service} failed: ${err.code}${err.retryable ? ' (will retry)' : ''}`);
      throw err;
    }
  }

  return {
    syncDossiers(items: WireDossier[], isUpdating: boolean): Promise<DossierSyncAnswer> {
      if (items.length === 0) return Promise.resolve({ accepted: [], refused: [], unconfirmed: [] });
      return withLog('DongBoHoSoMC', async () => {
        const verdict = await exchange('DongBoHoSoMC', { isUpdating, data: items });
        const answer = readSyncEntries(
          items.map((i) => i.MaHoSo),
          verdict,
        );
        // A whole call refused without a word per dossier: for one dossier that is its refusal;
        // for several it names none of them (the sender sends them one by one).
        if (verdict.errorCode !== 0 && answer.accepted.length === 0 && answer.refused.length === 0)
          throw rejected('DongBoHoSoMC', verdict);
        if (answer.refused.length > 0)
          log(`national: DongBoHoSoMC refused ${answer.refused.length} of ${items.length}`);
        return answer;
      });
    },

    pushProgress(steps: WireProgressStep[]) {
      return withLog('CapNhatTienDoHoSoMC', async () => {
        for (let i = 0; i < steps.length; i += PROGRESS_CHUNK) {
          await call('CapNhatTienDoHoSoMC', { data: steps.slice(i, i + PROGRESS_CHUNK) });
        }
      });
    },

    lookupDossier(code: string): Promise<DossierLookup> {
      return withLog('TraCuuHoSo', async () => {
        const verdict = await exchange('TraCuuHoSo', { MaHoSo: code });
        if (verdict.errorCode !== 0) {
          if (saysNotFound(verdict.message)) return { exists: false, status: null, steps: null };
          throw rejected('TraCuuHoSo', verdict);
        }
        if (isScalarResult(verdict.result))
          throw new RemoteError('national', 'REMOTE_BAD_RESPONSE', 'TraCuuHoSo: result is neither a record nor a list');
        const entries = resultRecords(verdict.result).map((r) => shaped('TraCuuHoSo', DossierLookupEntry, r));
        const mine = entries.find((e) => e.MaHoSo.trim() === code.trim());
        if (!mine) return { exists: false, status: null, steps: null };
        return { exists: true, status: mine.TrangThaiHoSo ?? null, steps: readPortalSteps(mine) };
      });
    },

    lookupCitizen(personalId: string): Promise<CitizenLookup> {
      return withLog('TraCuuTechID', async () => {
        const verdict = await exchange('TraCuuTechID', { SoDinhDanh: personalId });
        if (verdict.errorCode !== 0) {
          // Some integrations answer an unknown citizen as an error ("Không tìm thấy", "không tồn tại").
          if (saysNotFound(verdict.message)) return fromWireCitizen(null);
          throw rejected('TraCuuTechID', verdict);
        }
        const result = shaped('TraCuuTechID', CitizenResult, single(verdict.result));
        return fromWireCitizen(result);
      });
    },

    listProcedures(changedSince?: string | null): Promise<ProcedureListItem[]> {
      return withLog('LayDanhSachTTHC', async () => {
        const params = changedSince ? { TuNgay: toWireDateTimeSeconds(changedSince) } : {};
        const result = shaped('LayDanhSachTTHC', ProcedureListResult, list(await call('LayDanhSachTTHC', params)));
        return mapped('LayDanhSachTTHC', () => (result ?? []).map(fromWireProcedureListItem));
      });
    },

    getProcedure(code: string, pulledOn: string): Promise<NationalProcedure | null> {
      return withLog('LayThuTuc', async () => {
        const result = shaped('LayThuTuc', ProcedureResult, single(await call('LayThuTuc', { MATTHC: code })));
        if (result === null) return null;
        if (result.MATTHC.trim() !== code.trim()) {
          throw new RemoteError(
            'national',
            'REMOTE_BAD_RESPONSE',
            `LayThuTuc: asked for ${code}, got ${result.MATTHC}`,
          );
        }
        return mapped('LayThuTuc', () => fromWireProcedure(result, pulledOn));
      });
    },

    listAgencies(): Promise<NationalAgency[]> {
      return withLog('LayDanhMucCoQuan', async () =>
        (shaped('LayDanhMucCoQuan', AgenciesResult, list(await call('LayDanhMucCoQuan', {}))) ?? []).map(
          fromWireAgency,
        ),
      );
    },

    listSectors(): Promise<NationalSector[]> {
      return withLog('LayDanhMucLinhVuc', async () =>
        (shaped('LayDanhMucLinhVuc', SectorsResult, list(await call('LayDanhMucLinhVuc', {}))) ?? []).map(
          fromWireSector,
        ),
      );
    },

    queryDocuments(query: DocumentQuery): Promise<NationalDocument[]> {
      return withLog('GetKetQuaGiayTo', async () => {
        const answer = await call('GetKetQuaGiayTo', {
          MaDinhDanh: query.ownerId,
          NguoiYeuCau: query.requester,
          KenhThucHien: channelCode(query.channel),
          MaTTHC: query.procedureCode,
          DanhSachMaKetQua: query.resultCodes,
        });
        const result = shaped('GetKetQuaGiayTo', DocumentsResult, list(answer));
        return (result ?? []).map(fromWireDocument);
      });
    },
  };
}

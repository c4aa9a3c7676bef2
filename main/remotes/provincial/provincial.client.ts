import { z } from 'zod';
import { joinUrl, parseAnswer, sendHttp, statusError, tryParseJson } from '../http-transport';
import { systemClock, type Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { RemoteError } from '../remote-error';
import { clientCredentialsToken } from './oauth-token';
import {
  MAX_LEASED_SEQUENCE,
  type AdministrativeUnit,
  type CodeBlock,
  type CodeLeaseRequest,
  type HandOffDossier,
  type HandOffResult,
  type HolidayNotice,
  type ProvincialSystem,
  type ResultFile,
  type StatusPage,
} from './provincial.port';

export interface ProvincialClientOptions {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  tokenPath?: string;
  timeoutMs?: number;
  /** Injectable so token expiry can be tested; default the system clock. */
  clock?: Clock;
  /** Diagnostic lines (event `provincial`, field `line`); never the secret, the token or personal data. */
  log?: Logger;
}

/**
 * Answers are read tolerantly, as for the portal (docs/architecture.md, "Sync" → answers): ids
 * and codes as strings or numbers, extra fields ignored, missing optional fields defaulted; the
 * error body as `{ error: { code, message } }`, `{ code, message }` or `{ error: "text" }`.
 */
const Text = z.union([z.string(), z.number()]).transform(String);
const ErrorBody = z.union([
  z
    .object({ error: z.object({ code: Text.optional(), message: z.string().nullish() }).loose() })
    .loose()
    .transform((b) => ({ code: b.error.code ?? null, message: b.error.message ?? null })),
  z
    .object({ error: z.string() })
    .loose()
    .transform((b) => ({ code: null, message: b.error })),
  z
    .object({ code: Text, message: z.string().nullish() })
    .loose()
    .transform((b) => ({ code: b.code, message: b.message ?? null })),
]);
const Flag = z
  .union([z.boolean(), z.literal('true'), z.literal('false'), z.literal(1), z.literal(0)])
  .transform((v) => v === true || v === 'true' || v === 1);

const HandOffAnswer = z.object({
  id: Text.pipe(z.string().min(1)),
  /** Absent from some systems' first acknowledgement: not a duplicate. */
  duplicate: Flag.optional().transform((v) => v ?? false),
  /** Echoed by systems that support it; when present they must be ours. */
  MaHoSo: z.string().optional(),
  idempotencyKey: z.string().optional(),
});
const StatusAnswer = z.object({
  feedId: z.string().min(1),
  items: z.array(
    z.object({
      seq: z.union([z.number().int().min(0), z.string().regex(/^\d+$/).transform(Number)]),
      MaHoSo: z.string().min(1),
      TrangThaiHoSo: Text.pipe(z.string().regex(/^([1-9]|10)$/, 'status 1-10')),
      ThoiDiem: z.iso.datetime({ offset: true }),
      GhiChu: z.string().nullish(),
      /** The result document with "processed" (9), when the processing unit issued a file. */
      KetQua: z
        .object({
          id: z.string().min(1).max(200),
          TenTep: z.string().min(1).max(255),
          sha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
          KichThuoc: z.number().int().min(0),
          MaGiayToKetQua: z.string().max(100).default(''),
          TenGiayTo: z.string().min(1).max(500),
          SoKyHieu: z.string().max(100).nullish(),
          DuongDan: z.string().max(2000).nullish(),
        })
        .nullish(),
    }),
  ),
  next: Text,
  hasMore: Flag,
});
const ResultFileAnswer = z.object({ id: z.string().min(1), TenTep: z.string().min(1), base64: z.string() });
const LeaseAnswer = z
  .object({ from: z.number().int(), to: z.number().int() })
  .refine((b) => b.from >= 1 && b.from <= b.to && b.to <= MAX_LEASED_SEQUENCE, 'lease outside 1..8999');
const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const AdministrativeUnitsAnswer = z.object({
  items: z.array(
    z
      .object({
        code: z.string(),
        name: z.string().min(1),
        level: z.enum(['province', 'commune']),
        provinceCode: z.string().nullable(),
        effectiveFrom: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
        abolishedFrom: z
          .string()
          .regex(/^\d{4}-\d{2}-\d{2}$/)
          .nullable(),
      })
      .refine(
        (u) =>
          u.level === 'province'
            ? /^\d{2}$/.test(u.code) && u.provinceCode === null
            : /^\d{5}$/.test(u.code) && u.provinceCode !== null && /^\d{2}$/.test(u.provinceCode),
        'code of the wrong shape for its level',
      ),
  ),
});
const HolidayAnswer = z.object({
  items: z.array(
    z.object({
      id: z.string(),
      effectiveFrom: IsoDate,
      year: z.number().int(),
      daysOff: z.array(
        z.object({ date: IsoDate, name: z.string(), kind: z.enum(['holiday', 'compensatory', 'swap']) }),
      ),
      makeUpDays: z.array(z.object({ date: IsoDate, name: z.string() })),
      replacesDefault: z.boolean(),
    }),
  ),
});

function rejected(
  status: number,
  body: { code: string | null; message: string | null } | null,
  what: string,
): RemoteError {
  return new RemoteError('provincial', 'REMOTE_REJECTED', `${what} rejected: ${body?.message ?? `HTTP ${status}`}`, {
    status,
    details: { remoteCode: body?.code ?? null },
  });
}

/** The refusal an answer's body states (any accepted error-body shape), or null. */
function refusal(status: number, text: string, what: string): RemoteError | null {
  const err = ErrorBody.safeParse(tryParseJson(text));
  return err.success ? rejected(status, err.data, what) : null;
}

export function createProvincialClient(opts: ProvincialClientOptions): ProvincialSystem {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const clock = opts.clock ?? systemClock;
  const log = (line: string): void => opts.log?.log('info', 'provincial', { line });

  // One token cache for every call of this client (renewed before expiry, one fetch at a time).
  const tokens = clientCredentialsToken({
    baseUrl: opts.baseUrl,
    clientId: opts.clientId,
    clientSecret: opts.clientSecret,
    timeoutMs,
    clock,
    ...(opts.log === undefined ? {} : { log: opts.log }),
    ...(opts.tokenPath === undefined ? {} : { tokenPath: opts.tokenPath }),
  });

  async function api<T extends z.ZodType>(
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
    schema: T,
    extraHeaders: Record<string, string> = {},
  ): Promise<z.infer<T>> {
    const what = `${method} ${path.split('?')[0]}`;
    let refreshed = false;
    for (;;) {
      const used = await tokens.token();
      const headers: Record<string, string> = {
        accept: 'application/json',
        authorization: `Bearer ${used}`,
        ...extraHeaders,
      };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const call = { url: joinUrl(opts.baseUrl, path), method, headers, timeoutMs, what };
      const answer = await sendHttp('provincial', body === undefined ? call : { ...call, body: JSON.stringify(body) });
      const common = statusError('provincial', answer.status, what);
      if (common) throw common;

      if (answer.status === 401) {
        tokens.invalidate(used);
        if (refreshed)
          throw new RemoteError('provincial', 'REMOTE_AUTH_FAILED', `${what}: fresh token refused`, { status: 401 });
        refreshed = true;
        log(`provincial: token refused by ${what}, refreshing`);
        continue;
      }
      if (answer.status === 403)
        throw new RemoteError('provincial', 'REMOTE_AUTH_FAILED', `${what}: forbidden`, { status: 403 });
      if (answer.status >= 400) throw refusal(answer.status, answer.text, what) ?? rejected(answer.status, null, what);
      try {
        return parseAnswer('provincial', answer.text, schema, what, answer.status);
      } catch (err) {
        // Some gateways answer a refusal with HTTP 200 and the error body: still a refusal.
        throw (
          (err instanceof RemoteError && err.code === 'REMOTE_BAD_RESPONSE'
            ? refusal(answer.status, answer.text, what)
            : null) ?? err
        );
      }
    }
  }

  async function withLog<T>(what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err) {
      if (err instanceof RemoteError)
        log(`provincial: ${what} failed: ${err.code}${err.retryable ? ' (will retry)' : ''}`);
      throw err;
    }
  }

  return {
    handOff(dossier: HandOffDossier, idempotencyKey: string): Promise<HandOffResult> {
      return withLog('hand-off', async () => {
        const answer = await api('POST', '/api/dossiers', dossier, HandOffAnswer, {
          'idempotency-key': idempotencyKey,
        });
        if (
          (answer.idempotencyKey !== undefined && answer.idempotencyKey !== idempotencyKey) ||
          (answer.MaHoSo !== undefined && answer.MaHoSo !== dossier.MaHoSo)
        ) {
          throw new RemoteError(
            'provincial',
            'REMOTE_BAD_RESPONSE',
            'hand-off: the acknowledgement is for another request',
          );
        }
        return { remoteId: answer.id, duplicate: answer.duplicate };
      });
    },

    leaseCodeBlock(request: CodeLeaseRequest): Promise<CodeBlock> {
      return withLog('code lease', async () => {
        const block = await api('POST', '/api/code-leases', request, LeaseAnswer);
        if (block.to - block.from + 1 > request.count) {
          throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', 'code lease: block larger than requested');
        }
        return { from: block.from, to: block.to };
      });
    },

    statusChanges(cursor: string | null, limit: number): Promise<StatusPage> {
      return withLog('status changes', async () => {
        const query = new URLSearchParams({ limit: String(limit) });
        if (cursor !== null) query.set('after', cursor);
        const answer = await api('GET', `/api/status-changes?${query.toString()}`, undefined, StatusAnswer);
        return {
          feedId: answer.feedId,
          cursor: answer.next,
          hasMore: answer.hasMore,
          changes: answer.items.map((i) => ({
            seq: i.seq,
            dossierCode: i.MaHoSo,
            status: Number(i.TrangThaiHoSo),
            changedAt: Date.parse(i.ThoiDiem),
            note: i.GhiChu ?? '',
            ...(i.KetQua
              ? {
                  result: {
                    id: i.KetQua.id,
                    fileName: i.KetQua.TenTep,
                    sha256: i.KetQua.sha256.toLowerCase(),
                    size: i.KetQua.KichThuoc,
                    documentCode: i.KetQua.MaGiayToKetQua,
                    documentName: i.KetQua.TenGiayTo,
                    number: i.KetQua.SoKyHieu ?? null,
                    url: i.KetQua.DuongDan ?? null,
                  },
                }
              : {}),
          })),
        };
      });
    },

    resultFile(id: string): Promise<ResultFile> {
      return withLog('result file', async () => {
        const answer = await api('GET', `/api/results/${encodeURIComponent(id)}`, undefined, ResultFileAnswer);
        if (answer.id !== id)
          throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', 'result file: the answer is for another file');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(answer.base64))
          throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', 'result file: not base64');
        return { id, fileName: answer.TenTep, bytes: new Uint8Array(Buffer.from(answer.base64, 'base64')) };
      });
    },

    administrativeUnits(): Promise<AdministrativeUnit[]> {
      return withLog(
        'administrative units',
        async () => (await api('GET', '/api/administrative-units', undefined, AdministrativeUnitsAnswer)).items,
      );
    },

    holidayNotices(year: number): Promise<HolidayNotice[]> {
      return withLog('holiday notices', async () => {
        const answer = await api(
          'GET',
          `/api/holiday-notices?year=${encodeURIComponent(String(year))}`,
          undefined,
          HolidayAnswer,
        );
        return answer.items
          .filter((n) => n.year === year)
          .sort((a, b) => a.effectiveFrom.localeCompare(b.effectiveFrom));
      });
    },
  };
}

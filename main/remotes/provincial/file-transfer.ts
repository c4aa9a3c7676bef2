import {
  closeSync,
  existsSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { z } from 'zod';
import { joinUrl, statusError, transportFailure, tryParseJson } from '../http-transport';
import type { Logger } from '../../kernel/logger';
import { RemoteError } from '../remote-error';
import {
  sha256Hex,
  type DownloadResult,
  type FileTransfer,
  type UploadResult,
  type UploadSource,
} from './file-transfer.port';
import type { TokenSource } from './oauth-token';

export interface FileTransferOptions {
  baseUrl: string;
  token: TokenSource;
  /** Per request (a chunk, a status query); a download times out when no byte comes for this long. */
  timeoutMs?: number;
  /** Upload chunk size unless the remote asks for another (default 256 KiB). */
  chunkSize?: number;
  /** Failures in a row (without progress) before giving up (default 5). */
  maxResumes?: number;
  /** Pause before a resume (default 50 ms, doubling). */
  resumeDelayMs?: number;
  /** Diagnostic lines (event `provincial`, field `line`). */
  log?: Logger;
}

const Session = z.object({
  uploadId: z.string().min(1),
  offset: z.number().int().min(0),
  chunkSize: z.number().int().positive().optional(),
  complete: z.boolean(),
  fileId: z.string().nullable(),
});
const Progress = z.object({ offset: z.number().int().min(0) });
const Completed = z.object({ fileId: z.string().min(1), sha256: z.string() });
const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
  offset: z.number().int().min(0).optional(),
});

const SHA256 = /^[0-9a-f]{64}$/;

/** The HTTP client of `file-transfer.port.ts` (protocol: `transfer.simulator.ts`). */
export function createFileTransfer(opts: FileTransferOptions): FileTransfer {
  const timeoutMs = opts.timeoutMs ?? 10_000;
  const maxResumes = opts.maxResumes ?? 5;
  const resumeDelayMs = opts.resumeDelayMs ?? 50;
  const log = (line: string): void => opts.log?.log('info', 'provincial', { line });

  /** One request with the bearer token; a 401 fetches a new token once. */
  async function request(
    method: 'GET' | 'POST' | 'PUT',
    path: string,
    what: string,
    init: { json?: unknown; bytes?: Uint8Array; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; text: string }> {
    let refreshed = false;
    for (;;) {
      const used = await opts.token.token();
      const headers: Record<string, string> = {
        accept: 'application/json',
        authorization: `Bearer ${used}`,
        ...(init.headers ?? {}),
      };
      let body: string | Uint8Array | undefined;
      if (init.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.json);
      } else if (init.bytes !== undefined) {
        headers['content-type'] = 'application/octet-stream';
        body = init.bytes;
      }
      let status: number;
      let text: string;
      try {
        const response = await fetch(joinUrl(opts.baseUrl, path), {
          method,
          headers,
          body: body ?? null,
          signal: AbortSignal.timeout(timeoutMs),
        });
        status = response.status;
        text = await response.text();
      } catch (err) {
        throw transportFailure('provincial', what, timeoutMs, err);
      }
      if (status === 401) {
        opts.token.invalidate(used);
        if (refreshed)
          throw new RemoteError('provincial', 'REMOTE_AUTH_FAILED', `${what}: fresh token refused`, { status });
        refreshed = true;
        continue;
      }
      if (status === 403) throw new RemoteError('provincial', 'REMOTE_AUTH_FAILED', `${what}: forbidden`, { status });
      const common = statusError('provincial', status, what);
      if (common) throw common;
      return { status, text };
    }
  }

  function parse<T extends z.ZodType>(text: string, schema: T, what: string): z.infer<T> {
    const parsed = schema.safeParse(tryParseJson(text));
    if (!parsed.success) throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', `${what}: unexpected answer`);
    return parsed.data;
  }

  function rejected(status: number, text: string, what: string): RemoteError {
    const body = ErrorBody.safeParse(tryParseJson(text));
    return new RemoteError(
      'provincial',
      'REMOTE_REJECTED',
      `${what} rejected: ${body.success ? body.data.error.message : `HTTP ${status}`}`,
      {
        status,
        details: { remoteCode: body.success ? body.data.error.code : null },
      },
    );
  }

  async function pause(failures: number): Promise<void> {
    await new Promise((resolve) => setTimeout(resolve, resumeDelayMs * 2 ** Math.min(failures - 1, 6)));
  }

  function retryable(err: unknown): boolean {
    return err instanceof RemoteError && err.retryable;
  }

  async function openSession(file: UploadSource): Promise<z.infer<typeof Session>> {
    const what = `upload ${file.name}`;
    const answer = await request('POST', '/api/uploads', what, {
      json: { fileName: file.name, size: file.bytes.length, sha256: file.sha256 },
    });
    if (answer.status >= 400) throw rejected(answer.status, answer.text, what);
    return parse(answer.text, Session, what);
  }

  async function uploadOnce(file: UploadSource): Promise<UploadResult & { mismatch?: true }> {
    const what = `upload ${file.name}`;
    const size = file.bytes.length;
    let failures = 0;
    let resumes = 0;
    let chunksSent = 0;
    let session: z.infer<typeof Session> | null = null;
    while (session === null) {
      try {
        session = await openSession(file);
      } catch (err) {
        if (!retryable(err) || ++failures > maxResumes) throw err;
        await pause(failures);
      }
    }
    if (session.complete && session.fileId)
      return { fileId: session.fileId, resumedFrom: size, chunksSent: 0, resumes: 0 };
    const chunkSize = session.chunkSize ?? opts.chunkSize ?? 256 * 1024;
    const resumedFrom = session.offset;
    let offset = session.offset;
    const path = `/api/uploads/${encodeURIComponent(session.uploadId)}`;
    failures = 0;

    while (offset < size) {
      const end = Math.min(offset + chunkSize, size);
      try {
        const answer = await request('PUT', path, what, {
          bytes: file.bytes.subarray(offset, end),
          headers: { 'content-range': `bytes ${offset}-${end - 1}/${size}` },
        });
        if (answer.status === 409) {
          // The remote holds another offset (e.g. it kept part of a chunk whose answer we lost).
          const body = ErrorBody.safeParse(tryParseJson(answer.text));
          if (!body.success || body.data.offset === undefined || body.data.offset > size)
            throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', `${what}: offset conflict without an offset`);
          offset = body.data.offset;
          continue;
        }
        if (answer.status >= 400) throw rejected(answer.status, answer.text, what);
        const progress = parse(answer.text, Progress, what);
        if (progress.offset > size)
          throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', `${what}: offset beyond the file`);
        offset = progress.offset;
        chunksSent += 1;
        failures = 0;
      } catch (err) {
        if (!retryable(err) || ++failures > maxResumes) throw err;
        resumes += 1;
        log(`provincial: ${what}: ${err instanceof RemoteError ? err.code : 'error'} at byte ${offset}, resuming`);
        await pause(failures);
        try {
          const status = await request('GET', path, what);
          if (status.status >= 400) throw rejected(status.status, status.text, what);
          offset = parse(status.text, Progress, what).offset;
        } catch (inner) {
          if (!retryable(inner)) throw inner;
          // Keep the offset we had; the next PUT answers 409 with the right one if it moved.
        }
      }
    }

    for (;;) {
      try {
        const answer = await request('POST', `${path}/complete`, what, { json: {} });
        if (answer.status === 422) return { fileId: '', resumedFrom, chunksSent, resumes, mismatch: true };
        if (answer.status >= 400) throw rejected(answer.status, answer.text, what);
        const done = parse(answer.text, Completed, what);
        if (done.sha256.toLowerCase() !== file.sha256)
          throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', `${what}: the remote confirmed another sha256`);
        return { fileId: done.fileId, resumedFrom, chunksSent, resumes };
      } catch (err) {
        if (!retryable(err) || ++failures > maxResumes) throw err;
        resumes += 1;
        await pause(failures);
      }
    }
  }

  return {
    async upload(file: UploadSource): Promise<UploadResult> {
      const sha = file.sha256.toLowerCase();
      if (!SHA256.test(sha) || sha256Hex(file.bytes) !== sha)
        throw new Error(`upload ${file.name}: sha256 does not match the bytes`);
      const source = { ...file, sha256: sha };
      const first = await uploadOnce(source);
      if (!first.mismatch) return first;
      // The remote found the assembled file corrupt and discarded it: one fresh try.
      log(`provincial: upload ${file.name}: the remote's copy did not match, uploading again`);
      const second = await uploadOnce(source);
      if (second.mismatch)
        throw new RemoteError(
          'provincial',
          'REMOTE_REJECTED',
          `upload ${file.name}: the remote's copy does not match its sha256`,
          { status: 422 },
        );
      return second;
    },

    async download(fileId: string, destination: string, expectedSha256?: string): Promise<DownloadResult> {
      const what = `download ${fileId}`;
      const part = `${destination}.part`;
      const resumedFrom = existsSync(part) ? statSync(part).size : 0;
      let failures = 0;
      let resumes = 0;
      let refreshed = false;
      for (;;) {
        const have = existsSync(part) ? statSync(part).size : 0;
        const used = await opts.token.token();
        const controller = new AbortController();
        let idle: NodeJS.Timeout = setTimeout(
          () => controller.abort(new DOMException('idle', 'TimeoutError')),
          timeoutMs,
        );
        const touch = (): void => {
          clearTimeout(idle);
          idle = setTimeout(() => controller.abort(new DOMException('idle', 'TimeoutError')), timeoutMs);
        };
        try {
          let response: Response;
          try {
            response = await fetch(joinUrl(opts.baseUrl, `/api/files/${encodeURIComponent(fileId)}`), {
              headers: { authorization: `Bearer ${used}`, ...(have > 0 ? { range: `bytes=${have}-` } : {}) },
              signal: controller.signal,
            });
          } catch (err) {
            throw transportFailure('provincial', what, timeoutMs, err);
          }
          if (response.status === 401) {
            await response.body?.cancel();
            opts.token.invalidate(used);
            if (refreshed)
              throw new RemoteError('provincial', 'REMOTE_AUTH_FAILED', `${what}: fresh token refused`, {
                status: 401,
              });
            refreshed = true;
            continue;
          }
          if (response.status === 403)
            throw new RemoteError('provincial', 'REMOTE_AUTH_FAILED', `${what}: forbidden`, { status: 403 });
          const common = statusError('provincial', response.status, what);
          if (common) throw common;
          if (response.status === 416 && have > 0) {
            // Our .part is not a prefix the remote can continue: start again.
            await response.body?.cancel();
            unlinkSync(part);
            continue;
          }
          if (response.status >= 400) throw rejected(response.status, await response.text(), what);
          const announced = (response.headers.get('x-content-sha256') ?? '').toLowerCase();
          if (!SHA256.test(announced))
            throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', `${what}: no sha256 announced`);
          if (expectedSha256 !== undefined && announced !== expectedSha256.toLowerCase()) {
            await response.body?.cancel();
            throw new RemoteError(
              'provincial',
              'REMOTE_BAD_RESPONSE',
              `${what}: the remote announces another file than expected`,
            );
          }
          const total = totalSize(response);
          if (total === null) throw new RemoteError('provincial', 'REMOTE_BAD_RESPONSE', `${what}: no file size`);
          if (
            response.status === 206 &&
            Number(/^bytes (\d+)-/.exec(response.headers.get('content-range') ?? '')?.[1] ?? -1) !== have
          ) {
            await response.body?.cancel();
            throw new RemoteError(
              'provincial',
              'REMOTE_BAD_RESPONSE',
              `${what}: the remote answered another range than asked`,
            );
          }
          const append = response.status === 206 && have > 0;
          const fd = openSync(part, append ? 'a' : 'w', 0o600);
          let received = append ? have : 0;
          try {
            if (response.body) {
              for await (const chunk of response.body) {
                touch();
                writeSync(fd, chunk);
                received += chunk.length;
              }
            }
          } catch (err) {
            throw transportFailure('provincial', what, timeoutMs, err);
          } finally {
            fsyncSync(fd);
            closeSync(fd);
          }
          if (received < total)
            throw new RemoteError(
              'provincial',
              'REMOTE_UNAVAILABLE',
              `${what}: connection ended at byte ${received} of ${total}`,
            );
          const bytes = readFileSync(part);
          const actual = sha256Hex(bytes);
          if (bytes.length !== total || actual !== announced) {
            unlinkSync(part);
            // Retryable for the caller (a later download may be fine), but not resumed here: the bytes are gone.
            throw new RemoteError(
              'provincial',
              'REMOTE_BAD_RESPONSE',
              `${what}: sha256 of the downloaded file does not match`,
              { details: { hashMismatch: true } },
            );
          }
          renameSync(part, destination);
          syncDirectoryOf(destination);
          return { path: destination, sha256: actual, size: total, resumedFrom, resumes };
        } catch (err) {
          if (isHashMismatch(err) || !retryable(err) || ++failures > maxResumes) throw err;
          resumes += 1;
          log(`provincial: ${what}: ${err instanceof RemoteError ? err.code : 'error'}, resuming`);
          await pause(failures);
        } finally {
          clearTimeout(idle);
        }
      }
    },
  };
}

function isHashMismatch(err: unknown): boolean {
  if (!(err instanceof RemoteError)) return false;
  const details = err.details;
  return (
    typeof details === 'object' && details !== null && (details as { hashMismatch?: unknown }).hashMismatch === true
  );
}

/** Total file size from `content-range: bytes a-b/total` (206) or `content-length` (200). */
function totalSize(response: Response): number | null {
  const range = /\/(\d+)\s*$/.exec(response.headers.get('content-range') ?? '');
  if (response.status === 206) return range ? Number(range[1]) : null;
  const length = response.headers.get('content-length');
  return length !== null && /^\d+$/.test(length) ? Number(length) : null;
}

function syncDirectoryOf(path: string): void {
  const dir = path.slice(0, Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')));
  if (dir === '' || process.platform === 'win32') return;
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Best effort: some file systems refuse fsync on a directory.
  }
}

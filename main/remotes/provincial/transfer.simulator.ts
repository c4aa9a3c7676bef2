import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { SimReply, SimRequest } from '../simulator-server';

/**
 * The provincial twin's file transfer (used by `file-transfer.ts`), bearer-authenticated like the
 * rest of its API:
 * - `POST /api/uploads` `{ fileName, size, sha256 }` → 201 `{ uploadId, offset, chunkSize,
 *   complete, fileId }`. An upload is keyed by sha256: asking again returns the same upload with
 *   the offset held (resume), or `complete: true` with the file id when the file is stored.
 * - `PUT /api/uploads/{id}` with `Content-Range: bytes a-b/size`, octet-stream body → 200
 *   `{ offset }`; a chunk not starting at the held offset → 409 `{ error, offset }`.
 * - `GET /api/uploads/{id}` → `{ offset, complete, fileId }`.
 * - `POST /api/uploads/{id}/complete` → `{ fileId, sha256 }` once the whole file's sha256
 *   matches; otherwise 422 `FILE_HASH_MISMATCH` and the staged bytes are discarded (offset 0).
 *   Only completed, verified uploads become files: nothing is ever half-stored.
 * - `GET /api/files/{id}` (optional `Range: bytes=N-`) → 200 / 206 octet-stream with
 *   `X-Content-Sha256` (of the whole file) and `Content-Range`; 416 past the end; 404 unknown.
 * Test controls: `keepHalfOfChunk = n` keeps only the first half of the n-th chunk request (pair
 * it with a `drop` fault on the same request: the connection broke in the middle of the chunk),
 * `corruptNextComplete` flips a byte of the staged file before the check. Fault keys have the ids
 * replaced by an asterisk: `/api/uploads/{*}`, the same followed by `/complete`, `/api/files/{*}`
 * (written without the braces).
 */
export interface TransferState {
  uploads: Map<string, StagedUpload>;
  files: Map<string, StoredFile>;
  chunkSize: number;
  /** Test control: the n-th chunk request (1-based, counting every PUT) keeps only its first half. */
  keepHalfOfChunk: number | null;
  /** PUTs received so far. */
  chunkRequests: number;
  corruptNextComplete: boolean;
  /** Chunks as they arrived: upload id, start offset, bytes kept. */
  chunks: { uploadId: string; start: number; kept: number }[];
}

export interface StagedUpload {
  id: string;
  fileName: string;
  size: number;
  sha256: string;
  received: Buffer[];
  offset: number;
  fileId: string | null;
}

export interface StoredFile {
  id: string;
  fileName: string;
  sha256: string;
  bytes: Buffer;
}

const OpenBody = z.object({
  fileName: z.string().min(1).max(255),
  size: z.number().int().min(0),
  sha256: z.string().regex(/^[0-9a-fA-F]{64}$/),
});
const MAX_FILE_BYTES = 256 * 1024 * 1024;

export interface TransferRoutes {
  state: TransferState;
  matches(req: SimRequest): boolean;
  /** The fault key of a transfer request, ids replaced by `*`; null for other paths. */
  faultKey(req: SimRequest): string | null;
  handle(req: SimRequest): SimReply;
  /** Stores a file the desk can download (e.g. a result), returns its id. */
  putFile(fileName: string, bytes: Buffer): string;
  /** A stored, verified file with this sha256 (what a hand-off may refer to). */
  fileById(id: string): StoredFile | undefined;
  /** Answers `GET /api/files/{id}` (with `Range: bytes=N-`) for a file kept elsewhere, e.g. a result. */
  serve(req: SimRequest, file: StoredFile): SimReply;
}

export function transferRoutes(chunkSize = 64 * 1024): TransferRoutes {
  const state: TransferState = {
    uploads: new Map(),
    files: new Map(),
    chunkSize,
    keepHalfOfChunk: null,
    chunkRequests: 0,
    corruptNextComplete: false,
    chunks: [],
  };
  let uploadSeq = 0;
  let fileSeq = 0;
  // Indexes by sha256 (a bench puts 10,000 files through: no linear scans).
  const fileBySha = new Map<string, string>();
  const uploadBySha = new Map<string, string>();
  const error = (status: number, code: string, message: string, extra: Record<string, unknown> = {}): SimReply => ({
    status,
    json: { error: { code, message }, ...extra },
  });

  function storeFile(fileName: string, sha256: string, bytes: Buffer): string {
    const existing = fileBySha.get(sha256);
    if (existing !== undefined && state.files.has(existing)) return existing;
    fileSeq += 1;
    const id = `F-${String(fileSeq).padStart(6, '0')}`;
    state.files.set(id, { id, fileName, sha256, bytes });
    fileBySha.set(sha256, id);
    return id;
  }

  function open(req: SimRequest): SimReply {
    let json: unknown;
    try {
      json = JSON.parse(req.body);
    } catch {
      json = undefined;
    }
    const parsed = OpenBody.safeParse(json);
    if (!parsed.success) return error(400, 'UPLOAD_INVALID', 'Yêu cầu tải tệp không hợp lệ');
    const { fileName, size } = parsed.data;
    const sha256 = parsed.data.sha256.toLowerCase();
    if (size > MAX_FILE_BYTES) return error(413, 'FILE_TOO_LARGE', 'Tệp quá lớn');
    const storedId = fileBySha.get(sha256);
    const stored = storedId === undefined ? undefined : state.files.get(storedId);
    const stagedId = uploadBySha.get(`${sha256}|${size}`);
    const staged = stagedId === undefined ? undefined : state.uploads.get(stagedId);
    if (stored) {
      const id = staged?.id ?? `UP-done-${stored.id}`;
      return {
        status: 200,
        json: { uploadId: id, offset: size, chunkSize: state.chunkSize, complete: true, fileId: stored.id },
      };
    }
    if (staged)
      return {
        status: 200,
        json: { uploadId: staged.id, offset: staged.offset, chunkSize: state.chunkSize, complete: false, fileId: null },
      };
    uploadSeq += 1;
    const id = `UP-${String(uploadSeq).padStart(6, '0')}`;
    state.uploads.set(id, { id, fileName, size, sha256, received: [], offset: 0, fileId: null });
    uploadBySha.set(`${sha256}|${size}`, id);
    return {
      status: 201,
      json: { uploadId: id, offset: 0, chunkSize: state.chunkSize, complete: false, fileId: null },
    };
  }

  function chunk(req: SimRequest, upload: StagedUpload): SimReply {
    state.chunkRequests += 1;
    const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(String(req.headers['content-range'] ?? ''));
    if (!range) return error(400, 'RANGE_REQUIRED', 'Thiếu Content-Range');
    const start = Number(range[1]);
    const end = Number(range[2]);
    if (Number(range[3]) !== upload.size || end - start + 1 !== req.bytes.length || end >= upload.size) {
      return error(400, 'RANGE_INVALID', 'Content-Range không khớp với tệp');
    }
    if (upload.fileId !== null) return { status: 200, json: { offset: upload.size } };
    if (start !== upload.offset)
      return error(409, 'OFFSET_MISMATCH', `Đang chờ byte ${upload.offset}`, { offset: upload.offset });
    let kept = req.bytes;
    if (state.keepHalfOfChunk === state.chunkRequests) kept = req.bytes.subarray(0, Math.floor(req.bytes.length / 2));
    upload.received.push(Buffer.from(kept));
    upload.offset += kept.length;
    state.chunks.push({ uploadId: upload.id, start, kept: kept.length });
    return { status: 200, json: { offset: upload.offset } };
  }

  function complete(upload: StagedUpload): SimReply {
    if (upload.fileId !== null) return { status: 200, json: { fileId: upload.fileId, sha256: upload.sha256 } };
    if (upload.offset !== upload.size)
      return error(409, 'UPLOAD_INCOMPLETE', `Mới nhận ${upload.offset}/${upload.size} byte`, {
        offset: upload.offset,
      });
    const bytes = Buffer.concat(upload.received);
    if (state.corruptNextComplete && bytes.length > 0) {
      state.corruptNextComplete = false;
      bytes[0] = bytes[0]! ^ 0xff;
    }
    const digest = createHash('sha256').update(bytes).digest('hex');
    if (digest !== upload.sha256) {
      upload.received = [];
      upload.offset = 0;
      return error(422, 'FILE_HASH_MISMATCH', `Tệp ${upload.fileName}: sha256 không khớp, đã hủy phần đã nhận`);
    }
    upload.fileId = storeFile(upload.fileName, upload.sha256, bytes);
    upload.received = [];
    return { status: 200, json: { fileId: upload.fileId, sha256: upload.sha256 } };
  }

  function download(req: SimRequest, file: StoredFile): SimReply {
    const total = file.bytes.length;
    const headers = { 'x-content-sha256': file.sha256, 'accept-ranges': 'bytes' };
    const range = req.headers['range'];
    if (typeof range !== 'string' || range === '')
      return { status: 200, raw: file.bytes, contentType: 'application/octet-stream', headers };
    const m = /^bytes=(\d+)-$/.exec(range);
    if (!m) return error(400, 'RANGE_INVALID', 'Chỉ hỗ trợ Range: bytes=N-');
    const start = Number(m[1]);
    if (start >= total)
      return { status: 416, raw: '', contentType: 'text/plain', headers: { 'content-range': `bytes */${total}` } };
    return {
      status: 206,
      raw: file.bytes.subarray(start),
      contentType: 'application/octet-stream',
      headers: { ...headers, 'content-range': `bytes ${start}-${total - 1}/${total}` },
    };
  }

  return {
    state,
    faultKey: (req) => {
      if (req.path.startsWith('/api/files/')) return '/api/files/*';
      if (!req.path.startsWith('/api/uploads/')) return null;
      return req.path.endsWith('/complete') ? '/api/uploads/*/complete' : '/api/uploads/*';
    },
    matches: (req) =>
      req.path === '/api/uploads' || req.path.startsWith('/api/uploads/') || req.path.startsWith('/api/files/'),
    handle(req) {
      if (req.path === '/api/uploads')
        return req.method === 'POST' ? open(req) : error(405, 'METHOD_NOT_ALLOWED', 'POST only');
      if (req.path.startsWith('/api/files/')) {
        const file = state.files.get(decodeURIComponent(req.path.slice('/api/files/'.length)));
        if (req.method !== 'GET') return error(405, 'METHOD_NOT_ALLOWED', 'GET only');
        return file ? download(req, file) : error(404, 'FILE_UNKNOWN', 'Không có tệp này');
      }
      const rest = req.path.slice('/api/uploads/'.length);
      const completing = rest.endsWith('/complete');
      const upload = state.uploads.get(decodeURIComponent(completing ? rest.slice(0, -'/complete'.length) : rest));
      if (!upload) return error(404, 'UPLOAD_UNKNOWN', 'Không có phiên tải tệp này');
      if (completing && req.method === 'POST') return complete(upload);
      if (!completing && req.method === 'PUT') return chunk(req, upload);
      if (!completing && req.method === 'GET')
        return {
          status: 200,
          json: {
            offset: upload.fileId ? upload.size : upload.offset,
            complete: upload.fileId !== null,
            fileId: upload.fileId,
          },
        };
      return error(405, 'METHOD_NOT_ALLOWED', 'Không hỗ trợ');
    },
    putFile(fileName, bytes) {
      return storeFile(fileName, createHash('sha256').update(bytes).digest('hex'), Buffer.from(bytes));
    },
    fileById: (id) => state.files.get(id),
    serve: download,
  };
}

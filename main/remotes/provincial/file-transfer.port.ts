import { createHash } from 'node:crypto';

/**
 * Files to and from the provincial system in chunks, resumable and checked by sha256
 * (protocol: `transfer.simulator.ts`).
 *
 * - `upload`: the remote keys an upload by the file's sha256, so asking again (after a dropped
 *   connection, a crash, or a retried outbox row) finds the same upload and goes on from the
 *   offset the remote holds; a file it already has completes at once. The remote makes the file
 *   usable only after `complete` verified the whole file's sha256 (a partial upload is never a
 *   file).
 * - `download`: bytes go to `<destination>.part`, a Range request goes on from its length after a
 *   drop; the destination appears (fsync, rename) only when the whole file matches the sha256 the
 *   remote announced and the one the caller expects. A mismatch deletes the `.part` file.
 *
 * Errors (`RemoteError`):
 * - `REMOTE_UNAVAILABLE` / `REMOTE_TIMEOUT` / `REMOTE_BAD_RESPONSE` (retryable): still failing
 *   after `maxResumes` tries in a row without progress. What was transferred stays (on the remote
 *   for an upload, in `.part` for a download) and the next call resumes it.
 * - `REMOTE_BAD_RESPONSE` also: a downloaded file whose sha256 does not match (nothing kept).
 * - `REMOTE_REJECTED`: the remote refused the file (too large, its sha256 did not match after
 *   upload twice, unknown file id for a download: 404).
 * - `REMOTE_AUTH_FAILED`: client credentials refused, or a fresh token refused.
 * A local file whose bytes do not match the sha256 given with it is a plain `Error` (a bug of the
 * caller, nothing is sent).
 */
export interface FileTransfer {
  upload(file: UploadSource): Promise<UploadResult>;
  download(fileId: string, destination: string, expectedSha256?: string): Promise<DownloadResult>;
}

export interface UploadSource {
  name: string;
  bytes: Uint8Array;
  /** Hex sha256 of `bytes`. */
  sha256: string;
}

export interface UploadResult {
  /** The remote's id of the stored, verified file (what a hand-off refers to). */
  fileId: string;
  /** Offset the upload started from (> 0 when it resumed an earlier one). */
  resumedFrom: number;
  /** Chunks sent by this call. */
  chunksSent: number;
  /** Times this call resumed after a failure. */
  resumes: number;
}

export interface DownloadResult {
  path: string;
  sha256: string;
  size: number;
  /** Bytes already in `.part` when the call began. */
  resumedFrom: number;
  resumes: number;
}

/** Hex sha256 of `bytes`: how the provincial system names and checks a file. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

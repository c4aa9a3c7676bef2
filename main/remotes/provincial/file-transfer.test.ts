import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { tempDir } from '../../store/testing/store-fixtures';
import { RemoteError } from '../remote-error';
import { createFileTransfer, type FileTransferOptions } from './file-transfer';
import { sha256Hex, type FileTransfer } from './file-transfer.port';
import { clientCredentialsToken } from './oauth-token';
import { startProvincialSimulator, TRAINING_PROVINCIAL_CLIENT, type ProvincialSimulator } from './provincial.simulator';
import { lineLogger } from '../../kernel/testing/line-logger';

let sim: ProvincialSimulator;
let temp: ReturnType<typeof tempDir>;
let logLines: string[];

function transfer(overrides: Partial<FileTransferOptions> = {}): FileTransfer {
  return createFileTransfer({
    baseUrl: sim.url,
    token: clientCredentialsToken({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 400 }),
    timeoutMs: 400,
    resumeDelayMs: 5,
    log: lineLogger(logLines),
    ...overrides,
  });
}

/** A scan-sized file: 5 chunks and a bit at the simulator's 64 KiB. */
function scan(size = 5 * 64 * 1024 + 1234): { name: string; bytes: Buffer; sha256: string } {
  const bytes = randomBytes(size);
  return { name: 'to-khai.pdf', bytes, sha256: sha256Hex(bytes) };
}

async function remoteError(promise: Promise<unknown>): Promise<RemoteError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RemoteError) return err;
    throw err;
  }
  throw new Error('expected a RemoteError');
}

/** Fault key of chunk PUTs and status GETs of any upload. */
const UPLOAD = '/api/uploads/*';

beforeEach(async () => {
  sim = await startProvincialSimulator();
  temp = tempDir('motcua-transfer-');
  logLines = [];
});

afterEach(async () => {
  await sim.close();
  temp.cleanup();
});

describe('file transfer: uploads', () => {
  it('uploads in chunks; the remote stores the file only once its sha256 checks out', async () => {
    const file = scan();
    const done = await transfer().upload(file);
    expect(done).toMatchObject({ resumedFrom: 0, chunksSent: 6, resumes: 0 });
    const stored = sim.transfer.fileById(done.fileId);
    expect(stored?.sha256).toBe(file.sha256);
    expect(Buffer.compare(stored!.bytes, file.bytes)).toBe(0);
  });

  it('the same file again completes at once (content-addressed), nothing sent twice', async () => {
    const file = scan();
    const first = await transfer().upload(file);
    const chunks = sim.transfer.state.chunks.length;
    const again = await transfer().upload(file);
    expect(again).toMatchObject({ fileId: first.fileId, chunksSent: 0 });
    expect(sim.transfer.state.chunks.length).toBe(chunks);
  });

  it.each([
    ['the answer to a chunk is lost (dropped after the remote kept it)', 'after'],
    ['the connection drops before the remote reads the chunk', 'before'],
  ] as const)('resumes when %s', async (_label, phase) => {
    const file = scan();
    const t = transfer();
    // The third chunk fails: mid-file, not at the first request.
    sim.faults.failNext(1, 'drop', { only: UPLOAD, phase, skip: 2 });
    const done = await t.upload(file);
    expect(done.resumes).toBe(1);
    expect(Buffer.compare(sim.transfer.fileById(done.fileId)!.bytes, file.bytes)).toBe(0);
    // Every byte was accepted exactly once, in order.
    const starts = sim.transfer.state.chunks.map((c) => c.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(sim.transfer.state.chunks.reduce((sum, c) => sum + c.kept, 0)).toBe(file.bytes.length);
  });

  it('resumes from the middle of a chunk when the connection broke while it was arriving', async () => {
    const file = scan();
    const t = transfer();
    // Two chunks go through, then the third arrives half and the connection breaks.
    sim.transfer.state.keepHalfOfChunk = 3;
    sim.faults.failNext(1, 'drop', { only: UPLOAD, phase: 'after', skip: 2 });
    const done = await t.upload(file);
    expect(done.resumes).toBe(1);
    const chunks = sim.transfer.state.chunks;
    expect(chunks[2]).toEqual({ uploadId: 'UP-000001', start: 2 * 65536, kept: 32768 });
    expect(chunks[3]?.start).toBe(2 * 65536 + 32768);
    expect(Buffer.compare(sim.transfer.fileById(done.fileId)!.bytes, file.bytes)).toBe(0);
  });

  it('gives up after repeated failures, and the next call resumes where the remote stopped', async () => {
    const file = scan();
    sim.faults.failNext(1000, 'drop', { only: UPLOAD, phase: 'before', skip: 2 });
    const err = await remoteError(transfer({ maxResumes: 2 }).upload(file));
    expect(err.code).toBe('REMOTE_UNAVAILABLE');
    expect(sim.transfer.fileById('F-000001')).toBeUndefined();
    sim.faults.clear();
    const done = await transfer().upload(file);
    expect(done.resumedFrom).toBe(2 * 65536);
    expect(done.chunksSent).toBe(4);
    expect(Buffer.compare(sim.transfer.fileById(done.fileId)!.bytes, file.bytes)).toBe(0);
  });

  it('survives 500s, timeouts, garbage and an expired token in the middle of a file', async () => {
    const file = scan();
    sim.faults.failNext(1, '500', { only: UPLOAD, skip: 1 });
    sim.faults.failNext(1, 'timeout', { only: UPLOAD });
    sim.faults.failNext(1, 'garbage', { only: UPLOAD });
    sim.faults.failNext(1, 'cut', { only: UPLOAD });
    sim.faults.failNext(1, 'expire-session', { only: UPLOAD });
    const done = await transfer().upload(file);
    // Faults also hit the status queries that follow a failure; the token was renewed once.
    expect(done.resumes).toBeGreaterThanOrEqual(2);
    expect(sim.state.tokensIssued).toBe(2);
    expect(Buffer.compare(sim.transfer.fileById(done.fileId)!.bytes, file.bytes)).toBe(0);
  });

  it('a file the remote assembled wrong is discarded there and sent again; twice is a rejection', async () => {
    const file = scan(70_000);
    sim.transfer.state.corruptNextComplete = true;
    const done = await transfer().upload(file);
    expect(Buffer.compare(sim.transfer.fileById(done.fileId)!.bytes, file.bytes)).toBe(0);
    expect(logLines.some((l) => /did not match/.test(l))).toBe(true);

    const other = scan(70_000);
    const take = sim.transfer.handle.bind(sim.transfer);
    sim.transfer.handle = (req) => {
      if (req.path.endsWith('/complete')) sim.transfer.state.corruptNextComplete = true;
      return take(req);
    };
    const err = await remoteError(transfer().upload(other));
    expect(err).toMatchObject({ code: 'REMOTE_REJECTED', retryable: false });
    expect([...sim.transfer.state.files.values()].some((f) => f.sha256 === other.sha256)).toBe(false);
  });

  it('refuses to send bytes that do not match their own sha256', async () => {
    const file = scan(1000);
    await expect(transfer().upload({ ...file, sha256: sha256Hex(Buffer.from('autre')) })).rejects.toThrow(
      /sha256 does not match/,
    );
    expect(sim.transfer.state.uploads.size).toBe(0);
  });

  it('refused credentials are REMOTE_AUTH_FAILED', async () => {
    const t = createFileTransfer({
      baseUrl: sim.url,
      token: clientCredentialsToken({ baseUrl: sim.url, clientId: 'x', clientSecret: 'y' }),
      timeoutMs: 400,
    });
    expect((await remoteError(t.upload(scan(10)))).code).toBe('REMOTE_AUTH_FAILED');
  });
});

describe('file transfer: downloads', () => {
  it('resumes with a Range request after the connection breaks mid-file, and checks the sha256', async () => {
    const bytes = randomBytes(300_000);
    const id = sim.transfer.putFile('ket-qua.pdf', bytes);
    const dest = path.join(temp.dir, 'ket-qua.pdf');
    sim.faults.failNext(2, 'cut', { only: '/api/files/*' });
    const done = await transfer().download(id, dest, sha256Hex(bytes));
    expect(done).toMatchObject({ size: bytes.length, sha256: sha256Hex(bytes), resumes: 2 });
    expect(Buffer.compare(readFileSync(dest), bytes)).toBe(0);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('never leaves a half file at the destination; a later call resumes from the .part', async () => {
    const bytes = randomBytes(200_000);
    const id = sim.transfer.putFile('ket-qua.pdf', bytes);
    const dest = path.join(temp.dir, 'ket-qua.pdf');
    sim.faults.failNext(3, 'cut', { only: '/api/files/*' });
    const err = await remoteError(transfer({ maxResumes: 2 }).download(id, dest));
    expect(err.retryable).toBe(true);
    expect(existsSync(dest)).toBe(false);
    const partial = statSync(`${dest}.part`).size;
    expect(partial).toBeGreaterThan(0);
    expect(partial).toBeLessThan(bytes.length);
    const done = await transfer().download(id, dest);
    expect(done.resumedFrom).toBe(partial);
    expect(Buffer.compare(readFileSync(dest), bytes)).toBe(0);
  });

  it('bytes that do not match the announced sha256 are thrown away, nothing stored', async () => {
    const bytes = randomBytes(100_000);
    const id = sim.transfer.putFile('ket-qua.pdf', bytes);
    sim.transfer.fileById(id)!.bytes = Buffer.concat([bytes.subarray(0, 50_000), randomBytes(50_000)]);
    const dest = path.join(temp.dir, 'ket-qua.pdf');
    const err = await remoteError(transfer().download(id, dest));
    expect(err.code).toBe('REMOTE_BAD_RESPONSE');
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('a file other than the one expected is refused before any byte is kept', async () => {
    const id = sim.transfer.putFile('ket-qua.pdf', randomBytes(1000));
    const dest = path.join(temp.dir, 'x.pdf');
    expect((await remoteError(transfer().download(id, dest, sha256Hex(Buffer.from('khác'))))).code).toBe(
      'REMOTE_BAD_RESPONSE',
    );
    expect(existsSync(dest)).toBe(false);
  });

  it('a stale .part that is not a prefix of the file is detected by the hash and the file fetched whole next time', async () => {
    const bytes = randomBytes(50_000);
    const id = sim.transfer.putFile('ket-qua.pdf', bytes);
    const dest = path.join(temp.dir, 'ket-qua.pdf');
    writeFileSync(`${dest}.part`, randomBytes(10_000));
    expect((await remoteError(transfer().download(id, dest))).code).toBe('REMOTE_BAD_RESPONSE');
    expect(existsSync(`${dest}.part`)).toBe(false);
    await transfer().download(id, dest);
    expect(Buffer.compare(readFileSync(dest), bytes)).toBe(0);
  });

  it('an unknown file is REMOTE_REJECTED', async () => {
    expect((await remoteError(transfer().download('F-999999', path.join(temp.dir, 'x')))).code).toBe('REMOTE_REJECTED');
  });
});

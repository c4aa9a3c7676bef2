import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import Tesseract from 'tesseract.js';
import { encodePnm } from '../pnm';
import type { OcrResult, RawImage } from '../types';
import { toOcrResult } from './tesseract-result';
import type { TessBlock } from './tesseract-result';

/**
 * A pool of tesseract.js workers (one WebAssembly engine each, single-threaded) with the
 * Vietnamese model read from the installed `@tesseract.js-data/vie` package: nothing is fetched.
 * Workers start lazily, are reused page after page, and stop on `close()`. A cancelled page
 * rejects with an AbortError; a page cancelled while running costs its worker (there is no way to
 * interrupt the engine), which is replaced on demand, so the pool stays usable.
 */

export type OcrModel = 'standard' | 'best_int';

export interface OcrPoolOptions {
  /** Upper bound on workers (also bounded by cores and free memory). */
  maxWorkers?: number;
  /** Memory budget per worker used to size the pool. Default 250 MB. */
  memoryPerWorkerMb?: number;
  /**
   * 'standard' (`4.0.0`, the package default, LSTM from tessdata) or 'best_int' (`4.0.0_best_int`,
   * tessdata_best converted to integers). Default 'standard': as accurate on our pages, faster.
   */
  model?: OcrModel;
  /** Folder holding `vie.traineddata.gz` (default: inside the installed package). Must be local. */
  langPath?: string;
  /** Folder for the unzipped model shared by the workers (default: a per-user temp folder). */
  cachePath?: string;
  /** A page taking longer than this fails with OCR_TIMEOUT and its worker is replaced. Default 120 s. */
  timeoutMs?: number;
  /** Tesseract page segmentation mode. Default '3' (fully automatic, no OSD). */
  pageSegMode?: string;
}

export interface OcrRequest {
  signal?: AbortSignal;
  /** Resolution of the image (tells tesseract the expected glyph size). */
  dpi?: number;
  /** The image was resized by this factor from page pixels; boxes are mapped back. Default 1. */
  scale?: number;
  /**
   * Page segmentation mode for this image only (default: the pool's). '6' (one block of text)
   * reads a strip cut across a page's lines, which the automatic layout analysis may reject.
   */
  pageSegMode?: string;
}

export interface OcrPoolStats {
  size: number;
  workers: number;
  busy: number;
  queued: number;
  created: number;
  pagesDone: number;
}

export interface OcrPool {
  /** Most workers the pool will run. */
  readonly size: number;
  readonly langPath: string;
  /** Raw pixels, or encoded PNG/JPEG/PNM bytes. */
  recognise(image: RawImage | Uint8Array, req?: OcrRequest): Promise<OcrResult>;
  stats(): OcrPoolStats;
  close(): Promise<void>;
}

export class OcrError extends Error {
  constructor(
    readonly code: 'OCR_FAILED' | 'OCR_TIMEOUT' | 'OCR_CLOSED' | 'OCR_MODEL_MISSING',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'OcrError';
  }
}

export function abortError(signal?: AbortSignal): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError');
}

const MB = 1024 * 1024;

/** min(cores, floor(free memory / per worker), max), at least 1. */
export function ocrPoolSize(o: { cores: number; freeBytes: number; perWorkerBytes: number; max?: number }): number {
  const byMemory = Math.floor(o.freeBytes / o.perWorkerBytes);
  return Math.max(1, Math.min(o.cores, byMemory, o.max ?? Infinity));
}

const MODEL_DIRS: Readonly<Record<OcrModel, string>> = { standard: '4.0.0', best_int: '4.0.0_best_int' };

/** The local folder of the Vietnamese model shipped with `@tesseract.js-data/vie`. */
export function vieLangPath(model: OcrModel = 'standard'): string {
  const require = createRequire(import.meta.url);
  const pkg = require('@tesseract.js-data/vie') as { langPath: string; gzip: boolean };
  return path.join(path.dirname(pkg.langPath), MODEL_DIRS[model]);
}

/** Refuses anything that is not an existing local folder holding `vie.traineddata.gz`. */
export function assertLocalLangPath(langPath: string): void {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(langPath) || !path.isAbsolute(langPath)) {
    throw new OcrError('OCR_MODEL_MISSING', `OCR model path must be a local absolute folder, got "${langPath}"`);
  }
  if (!existsSync(path.join(langPath, 'vie.traineddata.gz'))) {
    throw new OcrError('OCR_MODEL_MISSING', `vie.traineddata.gz not found in ${langPath}`);
  }
}

function defaultCachePath(model: OcrModel): string {
  const user = typeof process.getuid === 'function' ? String(process.getuid()) : os.userInfo().username || 'user';
  return path.join(os.tmpdir(), `motcua-desk-tessdata-${user}`, MODEL_DIRS[model]);
}

/**
 * Puts the unzipped model into the cache folder, atomically (write then rename), after checking
 * that a file already there is byte-identical to the package's. Workers then only read the cache
 * (`cacheMethod: 'readOnly'`): no two workers write the same file, none reads a half-written one.
 */
export function prepareModelCache(langPath: string, cachePath: string): void {
  mkdirSync(cachePath, { recursive: true, mode: 0o700 });
  if (typeof process.getuid === 'function' && statSync(cachePath).uid !== process.getuid()) {
    throw new OcrError('OCR_MODEL_MISSING', `OCR cache folder ${cachePath} belongs to another user`);
  }
  const data = gunzipSync(readFileSync(path.join(langPath, 'vie.traineddata.gz')));
  const target = path.join(cachePath, 'vie.traineddata');
  const digest = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
  if (existsSync(target)) {
    const current = readFileSync(target);
    if (current.length === data.length && digest(current) === digest(data)) return;
  }
  const tmp = `${target}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600 });
  renameSync(tmp, target);
}

interface Slot {
  state: 'starting' | 'idle' | 'busy' | 'dead';
  worker: Tesseract.Worker | null;
  dpi: string | null;
  psm: string;
}

interface Job {
  image: Uint8Array;
  req: OcrRequest;
  resolve: (r: OcrResult) => void;
  reject: (e: unknown) => void;
  settled: boolean;
  slot: Slot | null;
  timer: ReturnType<typeof setTimeout> | null;
  cleanup: () => void;
}

export function createOcrPool(opts: OcrPoolOptions = {}): OcrPool {
  const model = opts.model ?? 'standard';
  const langPath = opts.langPath ?? vieLangPath(model);
  assertLocalLangPath(langPath);
  const cachePath = opts.cachePath ?? defaultCachePath(model);
  const size = ocrPoolSize({
    cores: typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length,
    freeBytes: os.freemem(),
    perWorkerBytes: (opts.memoryPerWorkerMb ?? 250) * MB,
    ...(opts.maxWorkers === undefined ? {} : { max: opts.maxWorkers }),
  });
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const psm = opts.pageSegMode ?? '3';
  const slots: Slot[] = [];
  const queue: Job[] = [];
  const running = new Set<Job>();
  let cacheReady = false;
  let closed = false;
  let created = 0;
  let pagesDone = 0;

  const settle = (job: Job, f: () => void): void => {
    if (job.settled) return;
    job.settled = true;
    running.delete(job);
    if (job.timer !== null) clearTimeout(job.timer);
    job.cleanup();
    f();
  };

  const kill = (slot: Slot): void => {
    slot.state = 'dead';
    const i = slots.indexOf(slot);
    if (i >= 0) slots.splice(i, 1);
    const w = slot.worker;
    slot.worker = null;
    if (w !== null) terminateLater(w);
  };

  /**
   * Terminates an engine on the next turn of the event loop, not now: a call made just before
   * (a cancel arriving while `recognize` awaits its image) has then posted its message, and
   * tesseract.js never posts to a terminated engine (which would end in an unhandled rejection).
   */
  const terminateLater = (w: Tesseract.Worker): Promise<void> =>
    new Promise((resolve) => {
      setImmediate(() => {
        w.terminate()
          .catch(() => undefined)
          .finally(resolve);
      });
    });

  const spawn = (): void => {
    const slot: Slot = { state: 'starting', worker: null, dpi: null, psm };
    slots.push(slot);
    created++;
    const start = async (): Promise<Tesseract.Worker> => {
      if (!cacheReady) {
        prepareModelCache(langPath, cachePath);
        cacheReady = true;
      }
      const worker = await Tesseract.createWorker('vie', Tesseract.OEM.LSTM_ONLY, {
        langPath,
        cachePath,
        cacheMethod: 'readOnly',
        gzip: true,
        workerBlobURL: false,
        errorHandler: () => undefined,
      });
      await worker.setParameters({ tessedit_pageseg_mode: psm as Tesseract.PSM });
      return worker;
    };
    start().then(
      (worker) => {
        if (slot.state === 'dead' || closed) {
          void worker.terminate().catch(() => undefined);
          return;
        }
        slot.worker = worker;
        slot.state = 'idle';
        pump();
      },
      (err: unknown) => {
        kill(slot);
        // Without a worker nothing queued can run: fail what waits rather than hang.
        const error =
          err instanceof OcrError
            ? err
            : new OcrError('OCR_FAILED', `OCR engine did not start: ${String(err)}`, { cause: err });
        for (const job of queue.splice(0)) settle(job, () => job.reject(error));
      },
    );
  };

  const run = (slot: Slot, job: Job): void => {
    slot.state = 'busy';
    job.slot = slot;
    running.add(job);
    const worker = slot.worker!;
    job.timer = setTimeout(() => {
      settle(job, () => job.reject(new OcrError('OCR_TIMEOUT', `OCR took longer than ${timeoutMs} ms`)));
      kill(slot);
      pump();
    }, timeoutMs);
    // A killed slot's engine is terminated: tesseract.js then neither answers nor rejects a call (its
    // send is async, so the failed postMessage becomes an unhandled rejection that would stop the
    // core). Every call into the engine first checks the slot still owns it; `terminateLater` covers
    // a call already inside tesseract.js when the slot is killed.
    const live = (): Tesseract.Worker => {
      if (slot.worker !== worker || slot.state !== 'busy')
        throw new OcrError('OCR_FAILED', 'OCR engine was stopped (cancelled or timed out)');
      return worker;
    };
    const work = async (): Promise<OcrResult> => {
      const dpi = job.req.dpi === undefined ? null : String(Math.round(job.req.dpi));
      if (dpi !== null && dpi !== slot.dpi) {
        await live().setParameters({ user_defined_dpi: dpi });
        slot.dpi = dpi;
      }
      const jobPsm = job.req.pageSegMode ?? psm;
      if (jobPsm !== slot.psm) {
        await live().setParameters({ tessedit_pageseg_mode: jobPsm as Tesseract.PSM });
        slot.psm = jobPsm;
      }
      const r = await live().recognize(
        Buffer.from(job.image.buffer, job.image.byteOffset, job.image.byteLength),
        {},
        { blocks: true, text: false },
      );
      return toOcrResult(r.data.blocks as unknown as TessBlock[] | null, job.req.scale ?? 1);
    };
    work().then(
      (result) => {
        pagesDone++;
        settle(job, () => job.resolve(result));
        if (slot.state === 'busy') {
          slot.state = 'idle';
          job.slot = null;
        }
        pump();
      },
      (err: unknown) => {
        settle(job, () => job.reject(new OcrError('OCR_FAILED', `OCR failed: ${String(err)}`, { cause: err })));
        // An engine that failed a page may be in any state: replace it.
        if (slot.state === 'busy') kill(slot);
        pump();
      },
    );
  };

  const pump = (): void => {
    if (closed) return;
    while (queue.length > 0) {
      const idle = slots.find((s) => s.state === 'idle');
      if (idle !== undefined) {
        run(idle, queue.shift()!);
        continue;
      }
      const starting = slots.filter((s) => s.state === 'starting').length;
      if (slots.length < size && starting < queue.length) {
        spawn();
        continue;
      }
      return;
    }
  };

  return {
    size,
    langPath,
    recognise(image, req = {}) {
      if (closed) return Promise.reject(new OcrError('OCR_CLOSED', 'OCR pool is closed'));
      const signal = req.signal;
      if (signal?.aborted === true) return Promise.reject(abortError(signal));
      const bytes = image instanceof Uint8Array ? image : encodePnm(image);
      return new Promise<OcrResult>((resolve, reject) => {
        const job: Job = {
          image: bytes,
          req,
          resolve,
          reject,
          settled: false,
          slot: null,
          timer: null,
          cleanup: () => undefined,
        };
        if (signal !== undefined) {
          const onAbort = (): void => {
            settle(job, () => reject(abortError(signal)));
            const qi = queue.indexOf(job);
            if (qi >= 0) queue.splice(qi, 1);
            if (job.slot !== null && job.slot.state === 'busy') {
              kill(job.slot);
              pump();
            }
          };
          signal.addEventListener('abort', onAbort, { once: true });
          job.cleanup = () => signal.removeEventListener('abort', onAbort);
        }
        queue.push(job);
        pump();
      });
    },
    stats() {
      return {
        size,
        workers: slots.length,
        busy: slots.filter((s) => s.state === 'busy').length,
        queued: queue.length,
        created,
        pagesDone,
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      const error = new OcrError('OCR_CLOSED', 'OCR pool closed');
      for (const job of [...queue.splice(0), ...running]) settle(job, () => job.reject(error));
      const workers = slots.splice(0).map((s) => {
        s.state = 'dead';
        const w = s.worker;
        s.worker = null;
        return w;
      });
      await Promise.all(workers.map((w) => (w === null ? undefined : terminateLater(w))));
    },
  };
}

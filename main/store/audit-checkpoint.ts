import { createHmac } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, open } from 'node:fs/promises';
import path from 'node:path';
import { sameDigest, type AuditRepository } from './audit.repository';
import { canonicalJson } from './canonical-json';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../kernel/file-modes';
import { syncDir, writeFileDurably } from './durable-file';
import { defaultKeyDir } from './key-store';

/**
 * The audit chain's anchors outside the data folder (docs/architecture.md, "Audit chain: keyed and
 * anchored"; docs/operations.md, "Audit chain"). In `<dir>/<chain id>/`:
 * - `YYYY-MM-DD.jsonl`: checkpoints, one JSON line each, appended and fsynced, never rewritten;
 *   one at core start, one on the first append of each day, one at clean shutdown.
 * - `head.json`: the newest head, replaced (temp file, fsync, rename) after every `headEvery`
 *   appends or `headEveryMs`, whichever comes first, so rows deleted since the day's checkpoint
 *   are caught too.
 * Each record carries an HMAC-SHA256 under the audit key. `doctor` compares them with the store:
 * fewer rows than a record says is a truncation, another hash at a recorded id is a rewrite, a
 * record whose HMAC fails was forged.
 */

export const HEAD_FILE = 'head.json';
const DAY_FILE = /^(\d{4}-\d{2}-\d{2})\.jsonl$/;

export type AnchorReason = 'start' | 'day' | 'stop' | 'head';

/** One anchored head of the chain. `count` is the number of rows; `keyedFrom` the first keyed id. */
export interface AnchorRecord {
  v: 1;
  reason: AnchorReason;
  chainId: string;
  deskId: string;
  id: number;
  hash: string;
  count: number;
  keyedFrom: number;
  /** Vietnam time `YYYY-MM-DDTHH:mm` (the core's clock) and epoch ms. */
  at: string;
  atMs: number;
  mac: string;
}

/** Default: `motcua-desk-audit` beside the key folder (main/store/key-store.ts), outside the data folder. */
export function defaultCheckpointDir(keyDir: string = defaultKeyDir()): string {
  return path.join(path.dirname(path.resolve(keyDir)), 'motcua-desk-audit');
}

/** The folder holding one chain's anchors. */
export function chainAnchorDir(dir: string, chainId: string): string {
  return path.join(dir, chainId);
}

export function anchorMac(key: Buffer, record: Omit<AnchorRecord, 'mac'>): string {
  return createHmac('sha256', key)
    .update(`motcua-audit/anchor\n${canonicalJson(record)}`, 'utf8')
    .digest('hex');
}

function signed(key: Buffer, body: Omit<AnchorRecord, 'mac'>): AnchorRecord {
  return { ...body, mac: anchorMac(key, body) };
}

/** A record parsed from disk, or null when it is not one (shape or HMAC). */
export function parseAnchor(text: string, key: Buffer): AnchorRecord | null {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return null;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return null;
  const r = raw as Record<string, unknown>;
  const str = (k: string): string | null => (typeof r[k] === 'string' ? (r[k] as string) : null);
  const int = (k: string): number | null => (Number.isSafeInteger(r[k]) ? (r[k] as number) : null);
  const reason = str('reason');
  const body = {
    v: r.v,
    reason,
    chainId: str('chainId'),
    deskId: str('deskId'),
    id: int('id'),
    hash: str('hash'),
    count: int('count'),
    keyedFrom: int('keyedFrom'),
    at: str('at'),
    atMs: int('atMs'),
  };
  const mac = str('mac');
  if (
    body.v !== 1 ||
    mac === null ||
    !(reason === 'start' || reason === 'day' || reason === 'stop' || reason === 'head')
  )
    return null;
  if (
    body.chainId === null ||
    body.deskId === null ||
    body.id === null ||
    body.hash === null ||
    body.count === null ||
    body.keyedFrom === null ||
    body.at === null ||
    body.atMs === null
  )
    return null;
  const record: Omit<AnchorRecord, 'mac'> = {
    v: 1,
    reason,
    chainId: body.chainId,
    deskId: body.deskId,
    id: body.id,
    hash: body.hash,
    count: body.count,
    keyedFrom: body.keyedFrom,
    at: body.at,
    atMs: body.atMs,
  };
  if (Object.keys(r).length !== 11 || !sameDigest(mac, anchorMac(key, record))) return null;
  return { ...record, mac };
}

export interface AnchorClock {
  now(): number;
  localNow(): string;
  today(): string;
}

export interface AuditAnchorOptions {
  audit: AuditRepository;
  key: Buffer;
  /** The checkpoint folder (`audit.checkpointDir`, else `defaultCheckpointDir()`). */
  dir: string;
  /** `agency id/counter id`: which desk wrote the record. */
  deskId: string;
  clock: AnchorClock;
  /** Rewrite the head record after this many appends (default 16) … */
  headEvery?: number;
  /** … or when an append comes this long after the last head record (default 10 s). */
  headEveryMs?: number;
  /** A write that failed (a share offline): logged by the caller; the next write tries again. */
  onError?: (error: unknown) => void;
}

/**
 * Writes the anchors of one store's chain while the core runs. Appends only note that something
 * changed; the write happens after the append's transaction (a row that rolls back is never
 * anchored), one write at a time, off the append's path.
 */
export class AuditAnchor {
  private readonly dir: string;
  private readonly headEvery: number;
  private readonly headEveryMs: number;
  private readonly unsubscribe: () => void;
  private writes: Promise<void> = Promise.resolve();
  private pending = 0;
  private lastHeadAt = 0;
  private lastDay: string | null = null;
  private scheduled = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly options: AuditAnchorOptions) {
    // Without a start row (removed behind the triggers) every write fails and is reported through onError.
    this.dir = chainAnchorDir(options.dir, options.audit.start()?.chainId ?? 'no-chain-start');
    this.headEvery = Math.max(1, options.headEvery ?? 16);
    this.headEveryMs = Math.max(0, options.headEveryMs ?? 10_000);
    this.unsubscribe = options.audit.onAppend(() => this.noteAppend());
  }

  /** The folder this chain's records go to. */
  get folder(): string {
    return this.dir;
  }

  /** A checkpoint of the head as the core starts. */
  start(): Promise<void> {
    return this.enqueue('start');
  }

  /** Waits for the writes queued so far (tests, shutdown). */
  settled(): Promise<void> {
    return this.writes;
  }

  /** A last checkpoint at clean shutdown; later appends are no longer anchored by this object. */
  async close(): Promise<void> {
    if (this.closed) return this.writes;
    this.closed = true;
    this.unsubscribe();
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    // A checkpoint folder that hangs (a network share gone) must not hold up the shutdown.
    let giveUp: NodeJS.Timeout | null = null;
    const waited = new Promise<void>((resolve) => {
      giveUp = setTimeout(() => {
        this.options.onError?.(new Error('audit checkpoint at shutdown: no answer from the checkpoint folder in 10 s'));
        resolve();
      }, 10_000);
    });
    await Promise.race([this.enqueue('stop'), waited]);
    if (giveUp) clearTimeout(giveUp);
  }

  private noteAppend(): void {
    if (this.closed) return;
    this.pending += 1;
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.afterAppends();
    });
  }

  private afterAppends(): void {
    if (this.closed || this.pending === 0) return;
    if (this.options.audit.inTransaction) {
      // The caller's transaction is still open: look again when it has ended.
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.afterAppends();
      });
      return;
    }
    if (this.options.clock.today() !== this.lastDay) {
      void this.enqueue('day');
    } else if (this.pending >= this.headEvery || this.options.clock.now() - this.lastHeadAt >= this.headEveryMs) {
      void this.enqueue('head');
    } else if (!this.timer) {
      // Fewer than `headEvery` appends and then quiet: the head is still written within `headEveryMs`.
      const wait = Math.max(0, this.lastHeadAt + this.headEveryMs - this.options.clock.now());
      this.timer = setTimeout(() => {
        this.timer = null;
        if (!this.closed && this.pending > 0) void this.enqueue('head');
      }, wait);
      this.timer.unref();
    }
  }

  private enqueue(reason: AnchorReason): Promise<void> {
    this.pending = 0;
    this.lastHeadAt = this.options.clock.now();
    if (reason !== 'head') this.lastDay = this.options.clock.today();
    const run = this.writes
      .then(() => this.write(reason))
      .catch((error: unknown) => {
        // Not written: the next append tries the day's checkpoint again.
        if (reason !== 'head') this.lastDay = null;
        this.options.onError?.(error);
      });
    this.writes = run;
    return run;
  }

  private async write(reason: AnchorReason): Promise<void> {
    const { audit, key, clock, deskId } = this.options;
    const start = audit.start();
    if (!start) throw new Error('audit_chain_start is missing');
    const head = audit.head();
    const atMs = clock.now();
    const body = {
      v: 1 as const,
      reason,
      chainId: start.chainId,
      deskId,
      id: head?.id ?? 0,
      hash: head?.hash ?? start.legacyHead,
      count: reason === 'head' ? (head?.id ?? 0) : audit.count(),
      keyedFrom: start.firstKeyedId,
      at: clock.localNow(),
      atMs,
    };
    await mkdir(this.dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (reason !== 'head') {
      const day = body.at.slice(0, 10);
      const file = path.join(this.dir, `${day}.jsonl`);
      const created = !existsSync(file);
      const handle = await open(file, 'a', PRIVATE_FILE_MODE);
      try {
        await handle.write(`${JSON.stringify(signed(key, body))}\n`);
        await handle.sync();
      } finally {
        await handle.close();
      }
      if (created) await syncDir(this.dir);
    }
    await writeFileDurably(path.join(this.dir, HEAD_FILE), [
      Buffer.from(`${JSON.stringify(signed(key, { ...body, reason: 'head', count: body.id }))}\n`, 'utf8'),
    ]);
  }
}

export type AnchorProblem =
  /** A line or the head record is not a record of this chain with a valid HMAC. */
  | { kind: 'forged'; file: string; line: number | null }
  /** The store has fewer rows than a record says: the newest rows were removed. */
  | { kind: 'truncated'; record: AnchorRecord; storeCount: number }
  /** The row at a recorded id has another hash: the chain was rewritten from there on. */
  | { kind: 'rewritten'; record: AnchorRecord }
  /** The keyed chain starts elsewhere than a record says. */
  | { kind: 'start-moved'; record: AnchorRecord; storeKeyedFrom: number };

export interface AnchorCheck {
  /** `none`: no record of this chain in the folder; `unverifiable`: no key or no start row. */
  status: 'ok' | 'none' | 'fail' | 'unverifiable';
  dir: string;
  /** Records read and verified. */
  records: number;
  /** The newest checkpoint (start, day or stop), for doctor's "last checkpoint" line. */
  lastCheckpoint: AnchorRecord | null;
  head: AnchorRecord | null;
  problems: AnchorProblem[];
}

/** Compares the store's chain with every record of it in `dir` (doctor, `Store.checkIntegrity`). */
export function checkAnchors(audit: AuditRepository, dir: string, key: Buffer | null): AnchorCheck {
  const start = audit.start();
  const result: AnchorCheck = { status: 'ok', dir, records: 0, lastCheckpoint: null, head: null, problems: [] };
  if (!start || !key)
    return { ...result, status: 'unverifiable', dir: start ? chainAnchorDir(dir, start.chainId) : dir };
  const folder = chainAnchorDir(dir, start.chainId);
  result.dir = folder;
  let names: string[];
  try {
    names = readdirSync(folder);
  } catch {
    return { ...result, status: 'none' };
  }
  const records: AnchorRecord[] = [];
  const take = (file: string, line: number | null, text: string): void => {
    const record = parseAnchor(text, key);
    if (!record || record.chainId !== start.chainId) {
      result.problems.push({ kind: 'forged', file, line });
      return;
    }
    records.push(record);
    if (line === null) result.head = record;
    else if (!result.lastCheckpoint || record.atMs >= result.lastCheckpoint.atMs) result.lastCheckpoint = record;
  };
  for (const name of names.filter((n) => DAY_FILE.test(n)).sort()) {
    const file = path.join(folder, name);
    const lines = readFileSync(file, 'utf8').split('\n');
    lines.forEach((text, index) => {
      if (text.trim() === '' && index === lines.length - 1) return;
      take(file, index + 1, text);
    });
  }
  if (names.includes(HEAD_FILE))
    take(path.join(folder, HEAD_FILE), null, readFileSync(path.join(folder, HEAD_FILE), 'utf8').trim());
  result.records = records.length;

  const storeCount = audit.count();
  const storeHead = audit.head();
  let truncatedBy: AnchorRecord | null = null;
  for (const record of records) {
    if (record.keyedFrom !== start.firstKeyedId) {
      result.problems.push({ kind: 'start-moved', record, storeKeyedFrom: start.firstKeyedId });
    } else if (record.id > (storeHead?.id ?? 0) || (record.reason !== 'head' && record.count > storeCount)) {
      if (!truncatedBy || record.id > truncatedBy.id) truncatedBy = record;
    } else if (record.id > 0 && audit.hashAt(record.id) !== record.hash) {
      result.problems.push({ kind: 'rewritten', record });
    }
  }
  if (truncatedBy) result.problems.push({ kind: 'truncated', record: truncatedBy, storeCount });
  result.status = result.problems.length > 0 ? 'fail' : records.length === 0 ? 'none' : 'ok';
  return result;
}

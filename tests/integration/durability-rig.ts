import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import WebSocket from 'ws';
import { openStore } from '../../main/store/store';

/**
 * A real core process (browser mode: `main/core/core-host.ts --browser`) receiving dossiers over
 * its WebSocket, as a tab does, for the durability loops: `durability-kill.test.ts`,
 * `durability-power-cut.test.ts` and `bench/durability/`. The store is checked afterwards from
 * the outside (`checkStore`).
 */
const root = join(import.meta.dirname, '..', '..');

export interface CoreProcess {
  child: ChildProcess;
  pid: number;
  url: string;
  launchUrl: string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stderr: () => string;
}

/** Starts the core host on `dataDir` (keys in `env.MOTCUA_KEY_DIR`) and waits for its ready line. */
export async function startCoreProcess(
  dataDir: string,
  env: NodeJS.ProcessEnv,
  timeoutMs = 90_000,
): Promise<CoreProcess> {
  const child = spawn(
    process.execPath,
    [
      join(root, 'bin', 'run-ts.mjs'),
      join(root, 'main', 'core', 'core-host.ts'),
      '--browser',
      '--data-dir',
      dataDir,
      '--port',
      '0',
    ],
    {
      cwd: root,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err = (err + c.toString()).slice(-20_000);
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const ready = await new Promise<{ url: string; launchUrl: string; pid: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`core did not start:\n${out}\n${err}`));
    }, timeoutMs);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('MOTCUA_READY '));
      if (line) {
        clearTimeout(timer);
        resolve(JSON.parse(line.slice('MOTCUA_READY '.length)) as { url: string; launchUrl: string; pid: number });
      }
    });
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`core exited (${code ?? signal}) before it was ready:\n${out}\n${err}`));
    });
  });
  return { child, pid: ready.pid, url: ready.url, launchUrl: ready.launchUrl, exited, stderr: () => err };
}

type Answer = { ok: true; value: unknown } | { ok: false; error: { code: string; message: string } };

/** One tab's WebSocket to the core. Calls in flight when the socket closes are answered `null`. */
export class RpcSocket {
  private nextId = 1;
  private readonly pending = new Map<number, (answer: Answer | null) => void>();
  private constructor(private readonly ws: WebSocket) {
    ws.on('message', (data: WebSocket.RawData) => {
      const m = JSON.parse(data.toString()) as { kind: string; id: number } & Answer;
      if (m.kind !== 'response') return;
      this.pending.get(m.id)?.(m.ok ? { ok: true, value: m.value } : { ok: false, error: m.error });
      this.pending.delete(m.id);
    });
    ws.on('close', () => {
      for (const done of this.pending.values()) done(null);
      this.pending.clear();
    });
    ws.on('error', () => undefined);
  }

  static open(core: Pick<CoreProcess, 'launchUrl'>): Promise<RpcSocket> {
    const u = new URL(core.launchUrl);
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://${u.host}/rpc?token=${encodeURIComponent(u.searchParams.get('token') ?? '')}`, {
        origin: u.origin,
      });
      ws.once('open', () => resolve(new RpcSocket(ws)));
      ws.once('error', reject);
    });
  }

  call(method: string, params: unknown): Promise<Answer | null> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve(null);
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.ws.send(JSON.stringify({ kind: 'request', id, method, params }));
    });
  }

  close(): void {
    this.ws.close();
  }
}

/** What the client knows of each receive it asked for, by request id. */
export interface LedgerEntry {
  requestId: string;
  params: Record<string, unknown>;
  /** The dossier code answered, once acknowledged. */
  code: string | null;
  /** Sent again after a kill (same request id) because no answer came. */
  resent: number;
  /** An answer that was an error (not a dropped socket). */
  error: string | null;
}

export class Ledger {
  readonly entries = new Map<string, LedgerEntry>();
  private serial = 0;
  /** The procedure's required components, each brought on paper (read once from `catalogue.get`). */
  components: unknown[] = [];

  /** A new walk-in receive (a different applicant each time, a valid 12-digit personal ID). */
  create(): LedgerEntry {
    this.serial += 1;
    const n = String(this.serial).padStart(6, '0');
    const requestId = randomUUID();
    const entry: LedgerEntry = {
      requestId,
      params: {
        requestId,
        applicant: {
          kind: 'citizen',
          idNumber: `001203${n}`,
          fullName: `Nguyễn Văn Bền ${this.serial}`,
          oldIdNumber: null,
          birthDate: '2003-05-12',
          sex: 'Nam',
          address: 'Thôn Đông, xã Hòa Bình',
          idIssueDate: null,
          phone: null,
          email: null,
        },
        procedureCode: '1.004873',
        channel: 'walk-in',
        components: this.components,
      },
      code: null,
      resent: 0,
      error: null,
    };
    this.entries.set(requestId, entry);
    return entry;
  }

  unanswered(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.code === null && e.error === null);
  }

  acknowledged(): LedgerEntry[] {
    return [...this.entries.values()].filter((e) => e.code !== null);
  }
}

/** Sends one receive and records its answer; false when the socket went away first. */
export async function receiveOnce(socket: RpcSocket, entry: LedgerEntry): Promise<boolean> {
  const answer = await socket.call('intake.receive', entry.params);
  if (answer === null) return false;
  if (answer.ok) entry.code = (answer.value as { code: string }).code;
  else entry.error = `${answer.error.code}: ${answer.error.message}`;
  return true;
}

/** Signs in on a fresh socket (the training officer account); fills the ledger's components once. */
export async function signedInSocket(core: CoreProcess, ledger: Ledger): Promise<RpcSocket> {
  const socket = await RpcSocket.open(core);
  const login = await socket.call('auth.login', { username: 'canbo', password: 'daotao-canbo' });
  if (!login?.ok) throw new Error(`sign-in failed: ${JSON.stringify(login)}`);
  if (ledger.components.length === 0) {
    const procedure = await socket.call('catalogue.get', { code: '1.004873' });
    if (!procedure?.ok) throw new Error(`catalogue.get failed: ${JSON.stringify(procedure)}`);
    const { components } = procedure.value as { components: { code: string; required: boolean }[] };
    ledger.components = components
      .filter((c) => c.required)
      .map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' }));
  }
  return socket;
}

/**
 * Keeps `streams` receives in flight (as several tabs would) until `stop()` resolves or the socket
 * closes. Requests that got no answer stay unanswered in the ledger.
 */
export async function receiveUntil(
  socket: RpcSocket,
  ledger: Ledger,
  stopped: () => boolean,
  streams = 2,
): Promise<void> {
  await Promise.all(
    Array.from({ length: streams }, async () => {
      while (!stopped()) {
        const entry = ledger.create();
        if (!(await receiveOnce(socket, entry))) return;
      }
    }),
  );
}

export interface StoreCheck {
  integrity: string[];
  auditChainOk: boolean;
  auditDetail: string;
  dossiers: number;
  acknowledged: number;
  /** Acknowledged dossiers missing from the store, or stored under another code. */
  lost: string[];
  /** Request ids stored more than once (the UNIQUE index makes this 0 unless it is broken). */
  duplicateRequests: number;
  duplicateCodes: number;
  /** Dossiers whose outbox rows are not exactly one upsert, one progress and one hand-off. */
  badOutbox: string[];
  /** Dossiers without exactly one `dossier.receive` audit entry. */
  badAudit: string[];
}

/**
 * Opens the store as the desk would and checks it: `PRAGMA integrity_check`, the audit chain, and
 * for every dossier its outbox rows and audit entry (written in the receive's one transaction).
 */
export function checkStore(dataDir: string, acknowledged: readonly LedgerEntry[] = []): StoreCheck {
  const store = openStore({ dataDir });
  try {
    const db = store.db;
    const integrity = db.prepare<[], string>('PRAGMA integrity_check').pluck().all();
    const chain = store.audit.verifyChain();
    const rows = db.prepare<[], { code: string; request_id: string }>('SELECT code, request_id FROM dossiers').all();
    const byRequest = new Map(rows.map((r) => [r.request_id, r.code]));
    const outbox = db
      .prepare<[], { dossier_code: string; kinds: string }>(
        "SELECT dossier_code, group_concat(target || ':' || kind, ',') AS kinds FROM (SELECT dossier_code, target, kind FROM outbox ORDER BY target, kind) GROUP BY dossier_code",
      )
      .all();
    const outboxByCode = new Map(outbox.map((o) => [o.dossier_code, o.kinds]));
    const audits = db
      .prepare<[], { entity_id: string; n: number }>(
        "SELECT entity_id, count(*) AS n FROM audit_log WHERE action = 'dossier.receive' GROUP BY entity_id",
      )
      .all();
    const auditByCode = new Map(audits.map((a) => [a.entity_id, a.n]));
    const expectedOutbox = 'national:dossier.progress,national:dossier.upsert,provincial:dossier.handoff';
    return {
      integrity,
      auditChainOk: chain.ok,
      auditDetail: chain.ok ? `${chain.count} rows` : `${chain.reason} at ${chain.brokenAt}: ${chain.detail}`,
      dossiers: rows.length,
      acknowledged: acknowledged.length,
      lost: acknowledged.filter((e) => byRequest.get(e.requestId) !== e.code).map((e) => `${e.requestId} → ${e.code}`),
      duplicateRequests: rows.length - byRequest.size,
      duplicateCodes: rows.length - new Set(rows.map((r) => r.code)).size,
      badOutbox: rows
        .filter((r) => outboxByCode.get(r.code) !== expectedOutbox)
        .map((r) => `${r.code}: ${outboxByCode.get(r.code) ?? 'none'}`),
      badAudit: rows
        .filter((r) => auditByCode.get(r.code) !== 1)
        .map((r) => `${r.code}: ${auditByCode.get(r.code) ?? 0}`),
    };
  } finally {
    store.close();
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface KillLoopResult {
  kills: number;
  /** Receives answered with a dossier code. */
  acknowledged: number;
  /** Receives whose answer never came (in flight at a kill), sent again after the restart. */
  resent: number;
  /** Receives refused with an error code (none expected). */
  errors: string[];
  check: StoreCheck;
  ms: number;
  /** Milliseconds from spawn to ready, per start. */
  startMs: number[];
}

/**
 * The kill -9 loop: start the core, sign in, receive on two streams, SIGKILL it at a random moment
 * (`minMs`–`maxMs` after the sign-in), start it again and send the unanswered receives again with
 * their request ids, `kills` times; then a last start, the unanswered ones once more, a clean stop,
 * and the store checked.
 */
export async function killLoop(opts: {
  dataDir: string;
  env: NodeJS.ProcessEnv;
  kills: number;
  minMs: number;
  maxMs: number;
  random?: () => number;
  onKill?: (n: number, acknowledged: number) => void;
}): Promise<KillLoopResult> {
  const random = opts.random ?? Math.random;
  const ledger = new Ledger();
  const started = performance.now();
  const startMs: number[] = [];
  let resent = 0;
  const start = async () => {
    const t0 = performance.now();
    const core = await startCoreProcess(opts.dataDir, opts.env);
    startMs.push(Math.round(performance.now() - t0));
    return core;
  };
  const resend = async (socket: RpcSocket) => {
    for (const entry of ledger.unanswered()) {
      entry.resent += 1;
      resent += 1;
      if (!(await receiveOnce(socket, entry))) return;
    }
  };
  for (let kill = 1; kill <= opts.kills; kill += 1) {
    const core = await start();
    try {
      const socket = await signedInSocket(core, ledger);
      await resend(socket);
      let stop = false;
      const receiving = receiveUntil(socket, ledger, () => stop);
      await sleep(opts.minMs + random() * (opts.maxMs - opts.minMs));
      process.kill(core.pid, 'SIGKILL');
      stop = true;
      await core.exited;
      await receiving;
      opts.onKill?.(kill, ledger.acknowledged().length);
    } finally {
      if (core.child.exitCode === null && core.child.signalCode === null) core.child.kill('SIGKILL');
    }
  }
  const last = await start();
  const socket = await signedInSocket(last, ledger);
  await resend(socket);
  socket.close();
  last.child.kill('SIGTERM');
  await last.exited;
  const acknowledged = ledger.acknowledged();
  return {
    kills: opts.kills,
    acknowledged: acknowledged.length,
    resent,
    errors: [...ledger.entries.values()].flatMap((e) => (e.error ? [e.error] : [])),
    check: checkStore(opts.dataDir, acknowledged),
    ms: Math.round(performance.now() - started),
    startMs,
  };
}

export interface SnapshotCheck {
  index: number;
  /** Copied while the writer was stopped (SIGSTOP), or live, as a backup tool copies. */
  frozen: boolean;
  acknowledgedBefore: number;
  /** Size of the copied `-wal` (0: everything was checkpointed into the database file). */
  walBytes: number;
  /**
   * The copied WAL header's checkpoint sequence (bytes 12-15): it grows each time the WAL restarts
   * after a checkpoint, so differing values across copies show that checkpoints ran during the run.
   */
  walCheckpointSeq: number | null;
  check: StoreCheck | null;
  /** The copy would not open at all (the message). */
  openError: string | null;
}

export interface PowerCutResult {
  snapshots: SnapshotCheck[];
  acknowledged: number;
  ms: number;
}

/**
 * Copies of the store taken at the file level while a real core receives: the database file, then
 * its `-wal`, then its `-shm`, at random moments. `frozen`: the writer is stopped (SIGSTOP) for the
 * copy and continued after it, so the three files are as they were at one instant, as a power
 * cut leaves them; otherwise the copy is taken live. Each copy is then opened as the desk would and
 * checked; every receive acknowledged before the copy began must be in it.
 */
export async function powerCutCopies(opts: {
  dataDir: string;
  copiesDir: string;
  env: NodeJS.ProcessEnv;
  copies: number;
  frozen: boolean;
  minGapMs: number;
  maxGapMs: number;
  random?: () => number;
}): Promise<PowerCutResult> {
  const { copyFileSync, existsSync, mkdirSync, readFileSync, statSync } = await import('node:fs');
  const random = opts.random ?? Math.random;
  const ledger = new Ledger();
  const started = performance.now();
  const core = await startCoreProcess(opts.dataDir, opts.env);
  const taken: {
    index: number;
    dir: string;
    acknowledged: LedgerEntry[];
    walBytes: number;
    walCheckpointSeq: number | null;
  }[] = [];
  try {
    const socket = await signedInSocket(core, ledger);
    let stop = false;
    const receiving = receiveUntil(socket, ledger, () => stop);
    const db = join(opts.dataDir, 'motcua.sqlite');
    for (let index = 0; index < opts.copies; index += 1) {
      await sleep(opts.minGapMs + random() * (opts.maxGapMs - opts.minGapMs));
      const dir = join(opts.copiesDir, `copy-${String(index).padStart(3, '0')}`);
      mkdirSync(dir, { recursive: true });
      if (opts.frozen) process.kill(core.pid, 'SIGSTOP');
      const acknowledged = ledger.acknowledged();
      try {
        for (const suffix of ['', '-wal', '-shm']) {
          if (existsSync(db + suffix)) copyFileSync(db + suffix, join(dir, `motcua.sqlite${suffix}`));
        }
      } finally {
        if (opts.frozen) process.kill(core.pid, 'SIGCONT');
      }
      const wal = join(dir, 'motcua.sqlite-wal');
      const walBytes = existsSync(wal) ? statSync(wal).size : 0;
      const header = walBytes >= 32 ? readFileSync(wal).subarray(0, 32) : null;
      taken.push({ index, dir, acknowledged, walBytes, walCheckpointSeq: header ? header.readUInt32BE(12) : null });
    }
    stop = true;
    await receiving;
    socket.close();
  } finally {
    core.child.kill('SIGKILL');
    await core.exited;
  }
  const snapshots = taken.map(({ index, dir, acknowledged, walBytes, walCheckpointSeq }): SnapshotCheck => {
    const base = { index, frozen: opts.frozen, acknowledgedBefore: acknowledged.length, walBytes, walCheckpointSeq };
    try {
      return { ...base, check: checkStore(dir, acknowledged), openError: null };
    } catch (err) {
      return { ...base, check: null, openError: err instanceof Error ? err.message : String(err) };
    }
  });
  return { snapshots, acknowledged: ledger.acknowledged().length, ms: Math.round(performance.now() - started) };
}

/**
 * A copy is sound when it opens, SQLite and the audit chain find nothing wrong, and nothing acknowledged or
 * half-written is in it.
 */
export function snapshotSound(s: SnapshotCheck): boolean {
  const c = s.check;
  return (
    c !== null &&
    c.integrity.join() === 'ok' &&
    c.auditChainOk &&
    c.lost.length === 0 &&
    c.duplicateRequests === 0 &&
    c.duplicateCodes === 0 &&
    c.badOutbox.length === 0 &&
    c.badAudit.length === 0
  );
}

/**
 * Cost of the keyed audit chain per append (docs/architecture.md, "Audit chain: keyed and
 * anchored"). Three stores on the same disk, each append its own transaction (WAL,
 * synchronous=FULL, as in the core), alternating blocks so machine noise falls on all alike:
 *   - sha256: the append of the previous build (plain sha256 chain, no anchors);
 *   - hmac: `AuditRepository.append` (HMAC-SHA256 under the audit key), no anchors;
 *   - hmac+anchor: the same plus `AuditAnchor` (head record every `--head-every` appends or
 *     `--head-ms`, fsynced; a checkpoint on a day change), as the core runs it.
 * Every append is followed by one turn of the event loop (the core answers one RPC at a time), so
 * the anchor's writes happen inside the measured run; the figure per append is the call's own time,
 * appends/s is appends ÷ wall time of the blocks (anchor writes included).
 *
 *   npm run bench:audit -- [--n 3000] [--block 100] [--warmup 100] [--head-every 16] [--head-ms 10000] [--result FILE]
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../../main/kernel/clock';
import { AuditAnchor } from '../../main/store/audit-checkpoint';
import { auditHash, auditMac, GENESIS_HASH, type AuditInput } from '../../main/store/audit.repository';
import { canonicalJson } from '../../main/store/canonical-json';
import { openDatabase } from '../../main/store/database';
import { writeFileDurably } from '../../main/store/durable-file';
import { openStore } from '../../main/store/store';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { fmtMs, ratio, summarise, table, type LatencySummary } from '../lib/stats';

const args = new Args();
const n = args.int('n', 3000);
const block = args.int('block', 100);
const warmup = args.int('warmup', 100);
const headEvery = args.int('head-every', 16);
const headMs = args.int('head-ms', 10_000);
const here = dirname(fileURLToPath(import.meta.url));
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-audit.json`);

type Variant = 'sha256' | 'hmac' | 'hmac+anchor';
const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-audit-'));
const key = randomBytes(32);

/** The previous build's append: last row, sha256 of prev + canonical fields, insert, in one immediate transaction. */
function legacyAppender(dataDir: string): { append(input: AuditInput): void; close(): void } {
  mkdirSync(dataDir, { recursive: true });
  const db = openDatabase(join(dataDir, 'legacy.sqlite'));
  const last = db.prepare<[], { id: number; hash: string }>('SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1');
  const insert = db.prepare(
    'INSERT INTO audit_log (id, at, actor, action, entity, entity_id, details_json, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const tx = db.transaction((input: AuditInput) => {
    const detailsJson = canonicalJson(input.details ?? {});
    const previous = last.get();
    const id = (previous?.id ?? 0) + 1;
    const prevHash = previous?.hash ?? GENESIS_HASH;
    const hash = auditHash(prevHash, {
      id,
      at: input.at,
      actor: input.actor,
      action: input.action,
      entity: input.entity,
      entityId: input.entityId,
      detailsJson,
    });
    insert.run(id, input.at, input.actor, input.action, input.entity, input.entityId, detailsJson, prevHash, hash);
  });
  return { append: (input) => tx.immediate(input), close: () => db.close() };
}

const hmacStore = openStore({ dataDir: join(dir, 'hmac'), audit: { key } });
const anchoredStore = openStore({ dataDir: join(dir, 'anchored'), audit: { key } });
const anchor = new AuditAnchor({
  audit: anchoredStore.audit,
  key,
  dir: join(dir, 'checkpoints'),
  deskId: 'bench/Q01',
  clock: systemClock,
  headEvery,
  headEveryMs: headMs,
});
await anchor.start();
const legacy = legacyAppender(join(dir, 'legacy'));
const appenders: Record<Variant, (input: AuditInput) => void> = {
  sha256: (input) => legacy.append(input),
  hmac: (input) => {
    hmacStore.audit.append(input);
  },
  'hmac+anchor': (input) => {
    anchoredStore.audit.append(input);
  },
};

const samples: Record<Variant, number[]> = { sha256: [], hmac: [], 'hmac+anchor': [] };
const wall: Record<Variant, number> = { sha256: 0, hmac: 0, 'hmac+anchor': 0 };
const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));
const input = (i: number): AuditInput => ({
  at: systemClock.localNow(),
  actor: 'canbo1',
  action: 'dossier.receive',
  entity: 'dossier',
  entityId: `000.00.12.H56-261207-${String(i % 10000).padStart(4, '0')}`,
  details: { procedureCode: '1.004873', channel: 'walk-in', fee: 0, applicantIdNumber: '00120****567' },
});

async function runBlock(variant: Variant, count: number, record: boolean): Promise<void> {
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const a = performance.now();
    appenders[variant](input(i));
    const b = performance.now();
    if (record) samples[variant].push(b - a);
    await turn();
  }
  if (variant === 'hmac+anchor') await anchor.settled();
  if (record) wall[variant] += performance.now() - t0;
}

const started = new Date().toISOString();
const load = loadavg().map((v) => Math.round(v * 100) / 100);
const order: Variant[] = ['sha256', 'hmac', 'hmac+anchor'];
try {
  for (const v of order) await runBlock(v, warmup, false);
  for (let done = 0, round = 0; done < n; done += block, round++) {
    const size = Math.min(block, n - done);
    // Rotate who goes first every block.
    for (let k = 0; k < order.length; k++) await runBlock(order[(k + round) % order.length], size, true);
  }
  await anchor.close();
  const verified = [hmacStore.audit.verifyChain(), anchoredStore.audit.verifyChain()];
  if (!verified.every((c) => c.ok)) throw new Error(`chain does not verify after the run: ${JSON.stringify(verified)}`);
} finally {
  hmacStore.close();
  anchoredStore.close();
  legacy.close();
}

// The parts alone: the hash of one row (CPU), and one durable head-record write (disk).
const row = {
  id: 123456,
  at: '2026-12-07T08:00',
  actor: 'canbo1',
  action: 'dossier.receive',
  entity: 'dossier',
  entityId: '000.00.12.H56-261207-0001',
  detailsJson: canonicalJson(input(1).details),
};
const cpuRuns = 20_000;
let t = performance.now();
for (let i = 0; i < cpuRuns; i++) auditHash(GENESIS_HASH, { ...row, id: i });
const sha256Us = ((performance.now() - t) * 1000) / cpuRuns;
t = performance.now();
for (let i = 0; i < cpuRuns; i++) auditMac(key, 'f'.repeat(32), GENESIS_HASH, { ...row, id: i });
const hmacUs = ((performance.now() - t) * 1000) / cpuRuns;
const headWrites: number[] = [];
const headBytes = Buffer.alloc(420, 0x61);
for (let i = 0; i < 100; i++) {
  const a = performance.now();
  await writeFileDurably(join(dir, 'head-probe.json'), [headBytes]);
  headWrites.push(performance.now() - a);
}
const headWrite = summarise(headWrites);

const rows: { variant: Variant; perAppend: LatencySummary; appendsPerSecond: number }[] = order.map((variant) => ({
  variant,
  perAppend: summarise(samples[variant]),
  appendsPerSecond: Math.round((samples[variant].length / wall[variant]) * 1000),
}));
rmSync(dir, { recursive: true, force: true });
const base = rows[0];
console.log(
  `Audit appends, N=${n} per variant in blocks of ${block} after ${warmup} warm-up; head record every ${headEvery} appends or ${headMs} ms\n`,
);
console.log(
  table(
    ['variant', 'appends/s', 'p50 ms', 'p95 ms', 'p99 ms', 'p50 / sha256'],
    rows.map((r) => [
      r.variant,
      String(r.appendsPerSecond),
      fmtMs(r.perAppend.p50Ms),
      fmtMs(r.perAppend.p95Ms),
      fmtMs(r.perAppend.p99Ms),
      String(ratio(r.perAppend.p50Ms, base.perAppend.p50Ms)),
    ]),
  ),
);
console.log(`\nrow hash alone (CPU): sha256 ${sha256Us.toFixed(1)} µs, HMAC-SHA256 ${hmacUs.toFixed(1)} µs`);
console.log(
  `head record write (temp file, fsync, rename, folder fsync): p50 ${fmtMs(headWrite.p50Ms)} ms, p95 ${fmtMs(headWrite.p95Ms)} ms; ÷ ${headEvery} appends = ${fmtMs(headWrite.p50Ms / headEvery)} ms per append at p50`,
);
const result = {
  started,
  machine: machineInfo(),
  loadAverageAtStart: load,
  options: { n, block, warmup, headEvery, headMs },
  rows,
  rowHashMicroseconds: { sha256: sha256Us, hmac: hmacUs },
  headRecordWrite: headWrite,
};
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten ${resultFile}`);

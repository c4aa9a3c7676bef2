import { randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleDossier } from '../remotes/national-portal/dossier.fixture';
import {
  startNationalPortalSimulator,
  type NationalPortalSimulator,
} from '../remotes/national-portal/national-portal.simulator';
import { toWireDossier } from '../remotes/national-portal/wire-format';
import { createFileTransfer } from '../remotes/provincial/file-transfer';
import { sha256Hex } from '../remotes/provincial/file-transfer.port';
import { clientCredentialsToken } from '../remotes/provincial/oauth-token';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from '../remotes/provincial/provincial.simulator';
import { openStore, type Store } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { OutboxSender } from './outbox-sender';
import { AGENCY, clients, dossierCode } from './testing/sync-fixture';

/**
 * The hand-off of dossier files through the chunked transfer: real sender, store on disk, both
 * simulators over HTTP, connections dropped in the middle of files. Every dossier must reach the
 * province once, each file whole (sha256 checked by the remote) and stored once.
 */
const DOSSIERS = 4;

let temp: ReturnType<typeof tempDir>;
let store: Store;
let national: NationalPortalSimulator;
let provincial: ProvincialSimulator;
let files: Map<string, Buffer>;

beforeEach(async () => {
  temp = tempDir('motcua-handoff-');
  store = openStore({ dataDir: temp.dir });
  national = await startNationalPortalSimulator();
  provincial = await startProvincialSimulator();
  files = new Map();
  for (let n = 1; n <= DOSSIERS; n++) {
    const code = dossierCode(n);
    const dossier = toWireDossier(sampleDossier({ code }), { agencyId: AGENCY, receivingUnit: 'Bộ phận một cửa' });
    // A 200-300 KB scan: several chunks at the simulator's 64 KiB.
    const bytes = randomBytes(200_000 + n * 20_000);
    files.set(code, bytes);
    const file = { name: `${code}-scan.pdf`, sha256: sha256Hex(bytes), base64: bytes.toString('base64') };
    store.outbox.enqueue({
      target: 'provincial',
      kind: 'dossier.handoff',
      dossierCode: code,
      idempotencyKey: `${code}:handoff`,
      payload: { dossier, files: [file] },
      now: Date.now(),
    });
  }
});

afterEach(async () => {
  await Promise.all([national.close(), provincial.close()]);
  store.close();
  temp.cleanup();
});

function sender(): OutboxSender {
  const c = clients(national.url, provincial.url, 300);
  const transfer = createFileTransfer({
    baseUrl: provincial.url,
    token: clientCredentialsToken({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 300 }),
    timeoutMs: 300,
    resumeDelayMs: 2,
    maxResumes: 2,
  });
  return new OutboxSender(
    { outbox: store.outbox, national: c.national, provincial: c.provincial, transfer, random: () => 0.5 },
    { batch: 10, baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 1000, breaker: { failureThreshold: 1000 } },
  );
}

async function drainUntilDone(s: OutboxSender): Promise<void> {
  const end = Date.now() + 30_000;
  for (;;) {
    await s.drainOnce();
    const c = store.outbox.counts();
    if (c.pending + c.retrying === 0) return;
    if (Date.now() > end) throw new Error(`not drained: ${JSON.stringify(c)}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

function expectEveryFileOnceAndWhole(): void {
  expect(store.outbox.counts()).toMatchObject({ sent: DOSSIERS, dead: 0 });
  for (let n = 1; n <= DOSSIERS; n++) {
    const code = dossierCode(n);
    const handed = provincial.state.dossiers.get(code);
    expect(handed?.receiveCount, code).toBe(1);
    expect(handed?.files).toEqual([
      { name: `${code}-scan.pdf`, sha256: sha256Hex(files.get(code)!), size: files.get(code)!.length },
    ]);
  }
  // One stored file per dossier: re-sent uploads were recognised by their sha256.
  expect(provincial.transfer.state.files.size).toBe(DOSSIERS);
  for (const f of provincial.transfer.state.files.values()) expect(sha256Hex(f.bytes)).toBe(f.sha256);
}

const CHUNKS = '/api/uploads/*';

describe('dossier hand-off through the chunked transfer', () => {
  it('uploads each file in chunks, then hands the dossier off with references', async () => {
    await drainUntilDone(sender());
    expectEveryFileOnceAndWhole();
    expect(provincial.transfer.state.chunks.length).toBeGreaterThanOrEqual(DOSSIERS * 4);
  });

  it('connections dropped in the middle of files (after and before the chunk, half a chunk kept)', async () => {
    // A seeded mix on chunk requests (and the status queries after a failure): the connection
    // dropped before or after the remote kept the chunk, or cut in the middle of the answer.
    provincial.faults.failRandomly(0.25, ['drop', 'cut', 'timeout', '500'], { only: CHUNKS, seed: 11 });
    // And one chunk arrives half before its connection drops.
    provincial.transfer.state.keepHalfOfChunk = 3;
    provincial.faults.failNext(1, 'drop', { only: CHUNKS, phase: 'after', skip: 2 });
    await drainUntilDone(sender());
    expectEveryFileOnceAndWhole();
  });

  it('an upload that gives up is resumed by the retried row, not started again', async () => {
    // Chunk requests 3-7 of the first file fails: the row fails, the retry resumes.
    provincial.faults.failNext(5, 'drop', { only: CHUNKS, phase: 'before', skip: 2 });
    const s = sender();
    const first = await s.drainOnce();
    expect(first.failed).toBeGreaterThanOrEqual(1);
    await drainUntilDone(s);
    expectEveryFileOnceAndWhole();
    const firstUpload = provincial.transfer.state.chunks.filter((c) => c.uploadId === 'UP-000001');
    // Bytes accepted once each: chunk starts strictly increase.
    const starts = firstUpload.map((c) => c.start);
    expect(new Set(starts).size).toBe(starts.length);
  });

  it('the hand-off failing after the upload re-sends no bytes on retry', async () => {
    provincial.faults.failNext(2, 'drop', { only: '/api/dossiers', phase: 'before' });
    await drainUntilDone(sender());
    expectEveryFileOnceAndWhole();
    const perUpload = new Map<string, number>();
    for (const c of provincial.transfer.state.chunks)
      perUpload.set(c.uploadId, (perUpload.get(c.uploadId) ?? 0) + c.kept);
    expect([...perUpload.values()].sort()).toEqual([...files.values()].map((b) => b.length).sort());
  });

  it('a file whose bytes do not match its sha256 is dead at once (invalid), nothing uploaded', async () => {
    const code = dossierCode(9);
    const dossier = toWireDossier(sampleDossier({ code }), { agencyId: AGENCY, receivingUnit: 'Bộ phận một cửa' });
    store.outbox.enqueue({
      target: 'provincial',
      kind: 'dossier.handoff',
      dossierCode: code,
      idempotencyKey: `${code}:handoff`,
      payload: {
        dossier,
        files: [{ name: 'x.pdf', sha256: sha256Hex(Buffer.from('a')), base64: Buffer.from('b').toString('base64') }],
      },
      now: Date.now(),
    });
    await drainUntilDone(sender());
    expect(store.outbox.counts()).toMatchObject({ sent: DOSSIERS, dead: 1 });
    expect(provincial.state.dossiers.has(code)).toBe(false);
  });
});

import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../core/repo-root';
import { startNationalPortalSimulator, type NationalPortalSimulator } from '../remotes/national-portal/national-portal.simulator';
import { startProvincialSimulator, type ProvincialSimulator } from '../remotes/provincial/provincial.simulator';
import { openStore } from '../store/store';
import { tempDir } from '../store/test-support';
import { checkDelivery, enqueueDossier } from './testing/sync-fixture';

/**
 * The engine killed with SIGKILL at random moments while it drains, and started again on the same
 * on-disk store, several times; at the end every dossier and step must have arrived exactly once
 * and in order. Faults keep answers slow (slow bodies after the work), so kills land between "the
 * remote stored it" and "the desk recorded it", the window that makes duplicates.
 */
const DOSSIERS = 12;
const KILLS = 5;

let temp: ReturnType<typeof tempDir>;
let national: NationalPortalSimulator;
let provincial: ProvincialSimulator;
const children = new Set<ChildProcess>();

beforeEach(async () => {
  temp = tempDir('motcua-sync-crash-');
  national = await startNationalPortalSimulator();
  provincial = await startProvincialSimulator();
});

afterEach(async () => {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
  await Promise.all([national.close(), provincial.close()]);
  temp.cleanup();
});

interface Run { child: ChildProcess; output: string[]; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> }

function startEngine(): Run {
  const root = repoRoot();
  const child = spawn(process.execPath, [path.join(root, 'bin', 'run-ts.mjs'), path.join(root, 'main', 'sync', 'testing', 'drain-child.ts'), temp.dir, national.url, provincial.url], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk: Buffer) => output.push(`stderr: ${chunk.toString('utf8')}`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => {
    children.delete(child);
    resolve({ code, signal });
  }));
  return { child, output, exited };
}

async function waitFor(run: Run, predicate: (lines: string[]) => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate(run.output)) {
    if (Date.now() > end) throw new Error(`child did not get there: ${run.output.slice(-5).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('sync engine killed (SIGKILL) mid-drain and restarted on the same store', () => {
  it('delivers every dossier and step exactly once, in order', async () => {
    const store = openStore({ dataDir: temp.dir });
    for (let n = 1; n <= DOSSIERS; n++) enqueueDossier(store, n, Date.now());
    store.close();
    for (const sim of [national, provincial]) {
      sim.faults.latencyMs = 10;
      sim.faults.failRandomly(0.35, ['slow-body', 'slow-body', '500', 'drop'], { seed: sim === national ? 3 : 4, durationMs: 80 });
    }

    // Deterministic kill moments (ms after the child starts draining).
    const killAfter = [150, 420, 90, 300, 230];
    const sentAtKill: number[] = [];
    for (let k = 0; k < KILLS; k++) {
      const run = startEngine();
      await waitFor(run, (lines) => lines.includes('ready'), 20_000);
      await new Promise((r) => setTimeout(r, killAfter[k % killAfter.length]));
      run.child.kill('SIGKILL');
      const exit = await run.exited;
      const last = run.output.filter((l) => l.startsWith('sent ')).at(-1);
      sentAtKill.push(last ? Number(last.slice(5)) : -1);
      if (run.output.includes('done')) break;
      expect(exit.signal).toBe('SIGKILL');
    }

    const final = startEngine();
    await waitFor(final, (lines) => lines.includes('done') || lines.some((l) => l.startsWith('stderr')), 60_000);
    expect(final.output.filter((l) => l.startsWith('stderr'))).toEqual([]);
    await final.exited;

    const report = checkDelivery(national.state, provincial.state, DOSSIERS);
    expect(report.problems).toEqual([]);
    const after = openStore({ dataDir: temp.dir });
    try {
      expect(after.outbox.counts()).toEqual({ pending: 0, retrying: 0, sent: DOSSIERS * 5, dead: 0 });
    } finally {
      after.close();
    }
    // The kills did land mid-drain (progress was made between them, not all before the first).
    expect(sentAtKill.some((n) => n > 0 && n < DOSSIERS * 5)).toBe(true);
  }, 120_000);
});

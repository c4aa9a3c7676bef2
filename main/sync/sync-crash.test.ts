import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { describe, it, type ExpectStatic } from 'vitest';
import { repoRoot } from '../kernel/resources';
import { ANSWER_VARIANTS, type AnswerVariantName } from '../remotes/national-portal/answer-variants';
import {
  startNationalPortalSimulator,
  type NationalPortalSimulator,
} from '../remotes/national-portal/national-portal.simulator';
import { PROVINCIAL_ANSWER_VARIANTS, type ProvincialAnswerVariantName } from '../remotes/provincial/answer-variants';
import { startProvincialSimulator, type ProvincialSimulator } from '../remotes/provincial/provincial.simulator';
import { openStore } from '../store/store';
import { tempDir } from '../store/testing/store-fixtures';
import { checkDelivery, enqueueDossier } from './testing/sync-fixture';

/**
 * The engine killed with SIGKILL at random moments while it drains, and started again on the same
 * on-disk store, several times; at the end every dossier and step must have arrived exactly once
 * and in order. Faults keep answers slow (slow bodies after the work), so kills land between "the
 * remote stored it" and "the desk recorded it", the window that makes duplicates.
 */
/**
 * Every answer variant of the portal, then of the provincial system (with the canonical portal);
 * the canonical pair with the full counts, the others smaller.
 */
type CrashRun = [AnswerVariantName, ProvincialAnswerVariantName, number, number];
const RUNS: CrashRun[] = [
  ...ANSWER_VARIANTS.map((v): CrashRun => (v === 'canonical' ? [v, 'canonical', 12, 5] : [v, 'canonical', 4, 1])),
  ...PROVINCIAL_ANSWER_VARIANTS.filter((v) => v !== 'canonical').map((v): CrashRun => ['canonical', v, 4, 1]),
];

/** One run's simulators, data folder and engine processes (the runs go concurrently). */
interface Rig {
  temp: ReturnType<typeof tempDir>;
  national: NationalPortalSimulator;
  provincial: ProvincialSimulator;
  children: Set<ChildProcess>;
}

async function startRig(): Promise<Rig> {
  const [national, provincial] = await Promise.all([startNationalPortalSimulator(), startProvincialSimulator()]);
  return { temp: tempDir('motcua-sync-crash-'), national, provincial, children: new Set() };
}

async function closeRig(rig: Rig): Promise<void> {
  for (const child of rig.children) child.kill('SIGKILL');
  rig.children.clear();
  await Promise.all([rig.national.close(), rig.provincial.close()]);
  rig.temp.cleanup();
}

interface Run {
  child: ChildProcess;
  output: string[];
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

function startEngine(rig: Rig): Run {
  const { temp, national, provincial, children } = rig;
  const root = repoRoot();
  const child = spawn(
    process.execPath,
    [
      path.join(root, 'bin', 'run-ts.mjs'),
      path.join(root, 'main', 'sync', 'testing', 'drain-child.ts'),
      temp.dir,
      national.url,
      provincial.url,
    ],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  const output: string[] = [];
  child.stdout!.on('data', (chunk: Buffer) => output.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  child.stderr!.on('data', (chunk: Buffer) => output.push(`stderr: ${chunk.toString('utf8')}`));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  return { child, output, exited };
}

async function waitFor(run: Run, predicate: (lines: string[]) => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!predicate(run.output)) {
    if (Date.now() > end) throw new Error(`child did not get there: ${run.output.slice(-5).join(' | ')}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * The runs wait mostly on their engine processes and the simulators' slow answers, so they go
 * concurrently (vitest's `maxConcurrency`), each with its own simulators, folder and processes.
 */
describe('sync engine killed (SIGKILL) mid-drain and restarted on the same store', () => {
  it.concurrent.for(RUNS)(
    'delivers every dossier and step exactly once, in order (portal answers: %s, province answers: %s; %i dossiers, %i kills)',
    { timeout: 120_000 },
    async ([answers, provincialAnswers, DOSSIERS, KILLS], { expect }) => {
      const rig = await startRig();
      try {
        rig.provincial.state.answers = provincialAnswers;
        await crashAndRestart(rig, answers, DOSSIERS, KILLS, expect);
      } finally {
        await closeRig(rig);
      }
    },
  );
});

async function crashAndRestart(
  rig: Rig,
  answers: AnswerVariantName,
  dossiers: number,
  kills: number,
  expect: ExpectStatic,
): Promise<void> {
  const { temp, national, provincial } = rig;
  national.state.answers = answers;
  const store = openStore({ dataDir: temp.dir });
  for (let n = 1; n <= dossiers; n++) enqueueDossier(store, n, Date.now());
  store.close();
  for (const sim of [national, provincial]) {
    sim.faults.latencyMs = 10;
    sim.faults.failRandomly(0.35, ['slow-body', 'slow-body', '500', 'drop'], {
      seed: sim === national ? 3 : 4,
      durationMs: 80,
    });
  }

  // Deterministic kill moments (ms after the child starts draining).
  const killAfter = [150, 420, 90, 300, 230];
  const sentAtKill: number[] = [];
  for (let k = 0; k < kills; k++) {
    const run = startEngine(rig);
    // The kill timer starts once the engine has recorded something, so kills land mid-drain
    // even when starting the process and the first login are slow on a busy machine.
    await waitFor(run, (lines) => lines.includes('done') || lines.some((l) => /^sent [1-9]/.test(l)), 20_000);
    await new Promise((r) => setTimeout(r, killAfter[k % killAfter.length]));
    run.child.kill('SIGKILL');
    const exit = await run.exited;
    const last = run.output.filter((l) => l.startsWith('sent ')).at(-1);
    sentAtKill.push(last ? Number(last.slice(5)) : -1);
    if (run.output.includes('done')) break;
    expect(exit.signal).toBe('SIGKILL');
  }

  const final = startEngine(rig);
  await waitFor(final, (lines) => lines.includes('done') || lines.some((l) => l.startsWith('stderr')), 60_000);
  expect(final.output.filter((l) => l.startsWith('stderr'))).toEqual([]);
  await final.exited;

  const report = checkDelivery(national.state, provincial.state, dossiers);
  expect(report.problems).toEqual([]);
  const after = openStore({ dataDir: temp.dir });
  try {
    expect(after.outbox.counts()).toEqual({ pending: 0, retrying: 0, sent: dossiers * 5, dead: 0 });
  } finally {
    after.close();
  }
  // The kills did land mid-drain (progress was made between them, not all before the first).
  expect(sentAtKill.some((n) => n > 0 && n < dossiers * 5)).toBe(true);
}

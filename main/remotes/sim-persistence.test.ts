import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sampleDossier } from './national-portal/dossier.fixture';
import { createNationalPortalClient } from './national-portal/national-portal.client';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
} from './national-portal/national-portal.simulator';
import { receptionStep, toWireDossier, toWireProgressStep } from './national-portal/wire-format';
import { createProvincialClient } from './provincial/provincial.client';
import { MAX_LEASED_SEQUENCE } from './provincial/provincial.port';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from './provincial/provincial.simulator';
import { openSimStateStore } from './sim-state-store';

/**
 * The twins keep what a real remote keeps across restarts (docs/operations.md, "Simulators"):
 * lease counters, issued ids and result files (provincial), the dossiers it acknowledged
 * (national), in a SQLite file written before each answer.
 */
const AGENCY = '000.00.12.H56';
const DATE = '2026-11-20';
let dir: string;
const open: ProvincialSimulator[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-sim-state-'));
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close().catch(() => undefined)));
  rmSync(dir, { recursive: true, force: true });
});

async function provincial(file = join(dir, 'simulators', 'provincial.sqlite')): Promise<ProvincialSimulator> {
  const sim = await startProvincialSimulator({ stateFile: file });
  open.push(sim);
  return sim;
}
const client = (sim: ProvincialSimulator) =>
  createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 2000 });
const overlaps = (a: { from: number; to: number }, b: { from: number; to: number }) => a.from <= b.to && b.from <= a.to;

describe('provincial twin restarted on its state file', () => {
  it('never leases a number twice across restarts, and keeps issued ids and result files', async () => {
    const blocks: { from: number; to: number }[] = [];
    let sim = await provincial();
    blocks.push(await client(sim).leaseCodeBlock({ agencyId: AGENCY, date: DATE, count: 20 }));
    const first = await client(sim).handOff(
      {
        ...toWireDossier(sampleDossier({ code: `${AGENCY}-261120-0001` }), {
          agencyId: AGENCY,
          receivingUnit: 'Bộ phận một cửa',
        }),
        files: [],
      },
      'k1',
    );
    const result = sim.pushResult(`${AGENCY}-261120-0001`);
    for (let restart = 0; restart < 5; restart++) {
      await sim.close();
      sim = await provincial();
      blocks.push(await client(sim).leaseCodeBlock({ agencyId: AGENCY, date: DATE, count: 20 }));
    }
    for (const [i, a] of blocks.entries())
      for (const b of blocks.slice(i + 1))
        expect(overlaps(a, b), `${JSON.stringify(a)} ${JSON.stringify(b)}`).toBe(false);
    expect(blocks.at(-1)).toEqual({ from: 101, to: 120 });
    // Ids go on from where they were, and the announced result is still served.
    const second = await client(sim).handOff(
      {
        ...toWireDossier(sampleDossier({ code: `${AGENCY}-261120-0002` }), {
          agencyId: AGENCY,
          receivingUnit: 'Bộ phận một cửa',
        }),
        files: [],
      },
      'k2',
    );
    expect(second.remoteId).not.toBe(first.remoteId);
    expect(sim.pushResult(`${AGENCY}-261120-0002`).KetQua?.id).not.toBe(result.KetQua?.id);
    const res = await fetch(`${sim.url}/api/results/${result.KetQua!.id}`, {
      headers: { authorization: `Bearer ${await token(sim)}` },
    });
    expect(res.status).toBe(200);
    expect(((await res.json()) as { base64: string }).base64.length).toBeGreaterThan(100);
  });

  it('stays exhausted after a restart once the day is leased out', async () => {
    let sim = await provincial();
    const c = client(sim);
    let last = 0;
    while (last < MAX_LEASED_SEQUENCE)
      last = (await c.leaseCodeBlock({ agencyId: AGENCY, date: DATE, count: 1000 })).to;
    await sim.close();
    sim = await provincial();
    await expect(client(sim).leaseCodeBlock({ agencyId: AGENCY, date: DATE, count: 5 })).rejects.toMatchObject({
      code: 'REMOTE_REJECTED',
    });
  });

  it('two twins on one file (two cores on one data folder) hand out disjoint blocks', async () => {
    const a = await provincial();
    const b = await provincial();
    const leases = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client(i % 2 ? a : b).leaseCodeBlock({ agencyId: AGENCY, date: DATE, count: 7 }),
      ),
    );
    const numbers = leases.flatMap((l) => Array.from({ length: l.to - l.from + 1 }, (_, i) => l.from + i));
    expect(new Set(numbers).size).toBe(numbers.length);
    expect(numbers.length).toBe(140);
  });

  it('keeps its file private (0600 in a 0700 folder)', async () => {
    const file = join(dir, 'simulators', 'provincial.sqlite');
    await provincial(file);
    if (process.platform === 'win32') return;
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'simulators')).mode & 0o777).toBe(0o700);
  });

  it('refuses a damaged state file instead of starting from 1 again', async () => {
    const file = join(dir, 'simulators', 'provincial.sqlite');
    const kept = openSimStateStore(file);
    kept.put(`lease:${AGENCY}|${DATE}`, { next: 'forty', blocks: [] });
    kept.close();
    await expect(startProvincialSimulator({ stateFile: file })).rejects.toThrow();
  });
});

async function token(sim: ProvincialSimulator): Promise<string> {
  const res = await fetch(`${sim.url}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: TRAINING_PROVINCIAL_CLIENT.clientId,
      client_secret: TRAINING_PROVINCIAL_CLIENT.clientSecret,
    }).toString(),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

describe('national twin restarted on its state file', () => {
  it('still accepts progress for a dossier it acknowledged before the restart, and forgets it on reset', async () => {
    const file = join(dir, 'simulators', 'national.sqlite');
    const code = `${AGENCY}-261120-0001`;
    const dossier = sampleDossier({ code });
    let sim = await startNationalPortalSimulator({ stateFile: file });
    const portal = () =>
      createNationalPortalClient({
        baseUrl: sim.url,
        ...TRAINING_NATIONAL_USER,
        dstcode: TRAINING_DSTCODE,
        agencyCode: AGENCY,
        timeoutMs: 2000,
      });
    try {
      await portal().syncDossiers(
        [toWireDossier(dossier, { agencyId: AGENCY, receivingUnit: 'Bộ phận một cửa' })],
        false,
      );
      await sim.close();
      sim = await startNationalPortalSimulator({ stateFile: file });
      const step = toWireProgressStep(
        receptionStep(dossier, { handlerTitle: 'Cán bộ một cửa', department: 'Bộ phận một cửa' }),
      );
      await portal().pushProgress([step]);
      expect(sim.state.progress.get(code)).toHaveLength(1);
      sim.reset();
      await sim.close();
      sim = await startNationalPortalSimulator({ stateFile: file });
      await expect(portal().pushProgress([step])).rejects.toMatchObject({ code: 'REMOTE_REJECTED' });
    } finally {
      await sim.close();
    }
  });
});

import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseDossierCode } from '../../common/domain';
import { createNationalPortalClient } from '../../main/remotes/national-portal/national-portal.client';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from '../../main/remotes/national-portal/national-portal.simulator';
import { createProvincialClient } from '../../main/remotes/provincial/provincial.client';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  type ProvincialSimulator,
} from '../../main/remotes/provincial/provincial.simulator';
import { startTestCore } from './core-support';

type Desk = Awaited<ReturnType<typeof startTestCore>>;
let national: NationalPortalSimulator;
let provincial: ProvincialSimulator;
const desks: Desk[] = [];
const dirs: string[] = [];

async function openDesk(slot: number): Promise<Desk> {
  const dataDir = mkdtempSync(join(tmpdir(), `motcua-desk${slot}-`));
  dirs.push(dataDir);
  writeFileSync(
    join(dataDir, 'motcua-desk.config.json'),
    JSON.stringify({
      agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: slot },
      counter: { id: `Q0${slot + 1}`, name: `Quầy ${slot + 1}` },
    }),
  );
  const desk = await startTestCore({
    dataDir,
    fixedNow: '2026-11-23T08:00',
    remotes: {
      national: createNationalPortalClient({
        baseUrl: national.url,
        ...TRAINING_NATIONAL_USER,
        dstcode: TRAINING_DSTCODE,
        agencyCode: '000.00.12.H56',
      }),
      provincial: createProvincialClient({ baseUrl: provincial.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 2000 }),
    },
  });
  await desk.session.login();
  desks.push(desk);
  return desk;
}

async function receive(desk: Desk): Promise<string> {
  const p = await desk.session.ok('catalogue.get', { code: '1.004873' });
  const d = await desk.session.ok('intake.receive', {
    requestId: randomUUID(),
    procedureCode: p.code,
    channel: 'walk-in',
    applicant: {
      kind: 'citizen',
      idNumber: '001203004567',
      fullName: 'Nguyễn Văn Dũng',
      oldIdNumber: null,
      birthDate: null,
      sex: null,
      address: null,
      idIssueDate: null,
      phone: null,
      email: null,
    },
    components: p.components.map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' })),
  });
  return d.code;
}

beforeAll(async () => {
  national = await startNationalPortalSimulator({ users: [{ ...TRAINING_NATIONAL_USER }], dstcode: TRAINING_DSTCODE });
  provincial = await startProvincialSimulator({ clients: [{ ...TRAINING_PROVINCIAL_CLIENT }] });
});
afterAll(async () => {
  for (const d of desks) await d.dispose();
  await national.close();
  await provincial.close().catch(() => undefined);
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('two desks of one agency', () => {
  it('never issue the same dossier code, online or offline', async () => {
    const a = await openDesk(0);
    const b = await openDesk(1);
    const codes: string[] = [];
    for (let i = 0; i < 5; i++) codes.push(await receive(a), await receive(b));
    const online = codes.map((c) => parseDossierCode(c)!.sequence);
    expect(online.every((s) => s >= 1 && s <= 8999)).toBe(true);

    await provincial.close(); // the network to the province is gone for both desks
    const offline = { a: [] as string[], b: [] as string[] };
    for (let i = 0; i < 25; i++) {
      offline.a.push(await receive(a));
      offline.b.push(await receive(b));
    }
    const all = [...codes, ...offline.a, ...offline.b];
    expect(new Set(all).size).toBe(all.length);
    // Once the leased numbers ran out each desk used only its own reserve range.
    const reserveA = offline.a.map((c) => parseDossierCode(c)!.sequence).filter((s) => s >= 9000);
    const reserveB = offline.b.map((c) => parseDossierCode(c)!.sequence).filter((s) => s >= 9000);
    expect(reserveA.length).toBeGreaterThan(0);
    expect(reserveB.length).toBeGreaterThan(0);
    expect(reserveA.every((s) => s >= 9000 && s <= 9099)).toBe(true);
    expect(reserveB.every((s) => s >= 9100 && s <= 9199)).toBe(true);
    expect(all.every((c) => c.startsWith('000.00.12.H56-261123-'))).toBe(true);
  }, 180_000);
});

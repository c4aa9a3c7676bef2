import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { toWireProcedure } from '../../main/remotes/national-portal/wire-format';
import { startTestCore } from './core-support';

type Ctx = Awaited<ReturnType<typeof startTestCore>>;
let t: Ctx;

async function until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

beforeEach(async () => {
  t = await startTestCore({ fixedNow: '2026-11-20T09:10', startSync: true });
  await t.session.login();
});
afterEach(async () => {
  await t.dispose();
});

describe('reference data and file hand-off in a training core', () => {
  it('pulls catalogue, agencies, sectors and units in the background; the training catalogue is unchanged', async () => {
    const before = t.core.store.catalogue.count();
    await until(() => t.core.store.referenceData.administrativeUnits().length > 0, 'administrative units');
    await until(() => t.core.store.syncState.cursor('national', 'catalogue') !== null, 'the catalogue cursor');
    expect(t.core.store.catalogue.count()).toBe(before);
    expect(t.core.store.referenceData.agencies().length).toBeGreaterThan(0);
    expect(t.core.store.referenceData.sectors().length).toBeGreaterThan(0);
    expect(t.core.store.referenceData.pending()).toEqual([]);
  });

  it('a procedure change published for a later date waits, and intake quotes the version in force', async () => {
    await until(() => t.core.store.syncState.cursor('national', 'catalogue') !== null, 'the first catalogue pull');
    const current = await t.session.ok('catalogue.get', { code: '1.004873' });
    const walkIn = current.channels.find((c) => c.channel === 'walk-in')!;
    const changed = {
      ...current,
      effectiveFrom: '2026-12-01',
      channels: current.channels.map((c) => (c.channel === 'walk-in' ? { ...c, duration: (c.duration ?? 0) + 5 } : c)),
    };
    t.core.simulators!.national.state.procedures.set(
      current.code,
      toWireProcedure(changed, { updatedAt: '2026-11-19T10:00' }),
    );
    const result = await t.core.reference.pullCatalogue();
    expect(result).toMatchObject({ scheduled: 1 });
    expect((await t.session.ok('intake.quote', { procedureCode: current.code, channel: 'walk-in' })).duration).toBe(
      walkIn.duration,
    );
    expect(t.core.store.referenceData.pending().map((c) => c.code)).toEqual([current.code]);
  });

  it('hands the receipt to the provincial system through the chunked transfer', async () => {
    const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
    const d = await t.session.ok('intake.receive', {
      requestId: randomUUID(),
      procedureCode: procedure.code,
      channel: 'walk-in',
      applicant: {
        kind: 'citizen',
        idNumber: '001203004567',
        fullName: 'Nguyễn Văn Dũng',
        oldIdNumber: null,
        birthDate: '2003-05-12',
        sex: 'Nam',
        address: 'Thôn Đông',
        idIssueDate: null,
        phone: null,
        email: null,
      },
      components: procedure.components.map((c) => ({
        componentCode: c.code,
        originals: 1,
        copies: 0,
        source: 'paper',
      })),
    });
    const sim = t.core.simulators!.provincial;
    await until(() => sim.state.dossiers.get(d.code) !== undefined, 'the hand-off');
    const receipt = (await t.session.ok('dossier.get', { code: d.code })).documents.find(
      (doc) => doc.kind === 'receipt',
    )!;
    expect(sim.state.dossiers.get(d.code)!.files).toEqual([expect.objectContaining({ sha256: receipt.sha256 })]);
    expect([...sim.transfer.state.files.values()].map((f) => f.sha256)).toEqual([receipt.sha256]);
  });
});

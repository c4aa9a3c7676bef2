import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCore } from './core-support';

/**
 * Receiving for a person already stored: only the card fields the officer confirmed change; the
 * others stay as stored, in the store, on the dossier and in what is queued for the portals.
 */
type Ctx = Awaited<ReturnType<typeof startTestCore>>;
let t: Ctx;

const STORED = {
  kind: 'citizen',
  idNumber: '001203004567',
  fullName: 'Nguyễn Văn Đông',
  oldIdNumber: '123456789',
  birthDate: '2003-05-12',
  sex: 'Nam',
  address: 'Thôn Đông, xã Hòa Bình, Thành phố Hà Nội',
  idIssueDate: '2021-08-10',
  phone: '0912345678',
  email: null,
} as const;

async function receive(applicant: Record<string, unknown>, applicantChanges?: string[]) {
  const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
  return t.session.ok('intake.receive', {
    requestId: randomUUID(),
    applicant,
    procedureCode: '1.004873',
    channel: 'walk-in',
    components: procedure.components.map((c) => ({ componentCode: c.code, originals: 1, copies: 0, source: 'paper' })),
    ...(applicantChanges ? { applicantChanges } : {}),
  });
}

const stored = () => t.core.store.people.findByIdNumber('citizen', STORED.idNumber)!;
const personAudit = () =>
  t.core.store.audit.forEntity('person', '00120****567').filter((e) => e.action.startsWith('person.'));

beforeEach(async () => {
  t = await startTestCore({ fixedNow: '2026-11-20T10:00' });
  await t.session.login();
  await t.session.ok('applicant.save', STORED);
});
afterEach(async () => {
  await t.dispose();
});

describe('receiving for a stored person', () => {
  it('writes no unconfirmed card field: a garbled name and address sent without confirmation change nothing', async () => {
    const garbled = { ...STORED, fullName: 'Nguyá»n VÄn ÄÃ´ng', address: 'ThÃ´n ÄÃ´ng', sex: null };
    const dossier = await receive(garbled);
    expect(stored()).toMatchObject({ fullName: STORED.fullName, address: STORED.address, sex: 'Nam' });
    expect(dossier.applicant.fullName).toBe(STORED.fullName);
    expect(dossier.applicant.address).toBe(STORED.address);
    const queued = JSON.stringify(t.core.store.outbox.listForDossier(dossier.code).map((r) => r.payload));
    expect(queued).toContain(STORED.fullName);
    expect(queued).not.toContain('Ã');
    const entry = personAudit().at(-1)!;
    expect(entry.action).toBe('person.update');
    expect(entry.details).toEqual({ kind: 'citizen', changed: [], declined: ['fullName', 'sex', 'address'] });
  });

  it('writes exactly the confirmed fields and audits which ones, masked and without values', async () => {
    const moved = {
      ...STORED,
      fullName: 'Nguyễn Văn Đồng',
      address: 'Số 5 Lê Lợi, Phường Bến Thành, TP Hồ Chí Minh',
      idIssueDate: '2025-07-01',
    };
    const dossier = await receive(moved, ['address', 'idIssueDate']);
    expect(stored()).toMatchObject({
      fullName: STORED.fullName,
      address: moved.address,
      idIssueDate: '2025-07-01',
      birthDate: STORED.birthDate,
    });
    expect(dossier.applicant.address).toBe(moved.address);
    expect(dossier.applicant.fullName).toBe(STORED.fullName);
    const entry = personAudit().at(-1)!;
    expect(entry.entityId).toBe('00120****567');
    expect(entry.details).toEqual({ kind: 'citizen', changed: ['address', 'idIssueDate'], declined: ['fullName'] });
    expect(JSON.stringify(entry.details)).not.toContain('Lê Lợi');
    expect(t.core.store.audit.verifyChain().ok).toBe(true);
  });

  it('a confirmation for a field that does not differ changes nothing; a new person is stored as given', async () => {
    await receive(STORED, ['fullName']);
    expect(stored()).toMatchObject({ fullName: STORED.fullName });
    expect(personAudit().at(-1)!.details).toEqual({ kind: 'citizen', changed: [], declined: [] });

    const fresh = { ...STORED, idNumber: '079090001234', fullName: 'Lê Thị Hồng' };
    await receive(fresh);
    expect(t.core.store.people.findByIdNumber('citizen', '079090001234')).toMatchObject({
      fullName: 'Lê Thị Hồng',
      address: STORED.address,
    });
  });

  it('refuses an unknown field name in the confirmation list', async () => {
    const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
    const r = await t.session.call('intake.receive', {
      requestId: randomUUID(),
      applicant: STORED,
      procedureCode: '1.004873',
      channel: 'walk-in',
      components: procedure.components.map((c) => ({
        componentCode: c.code,
        originals: 1,
        copies: 0,
        source: 'paper',
      })),
      applicantChanges: ['phone'],
    });
    expect(!r.ok && r.error.code).toBe('VALIDATION_FAILED');
    expect(t.core.store.dossiers.listReceivedOn('2026-11-20')).toHaveLength(0);
  });
});

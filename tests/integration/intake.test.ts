import { randomUUID } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestCore } from './core-support';

type Ctx = Awaited<ReturnType<typeof startTestCore>>;
let t: Ctx;

const DUNG = {
  kind: 'citizen',
  idNumber: '001203004567',
  fullName: 'Nguyễn Văn Dũng',
  oldIdNumber: null,
  birthDate: '2003-05-12',
  sex: 'Nam',
  address: 'Thôn Đông, xã Hòa Bình',
  idIssueDate: null,
  phone: '0912345678',
  email: null,
};

function receiveParams(overrides: Record<string, unknown> = {}) {
  return {
    requestId: randomUUID(),
    applicant: DUNG,
    procedureCode: '1.004873',
    channel: 'walk-in',
    components: [] as unknown[],
    ...overrides,
  };
}

beforeEach(async () => {
  t = await startTestCore({ fixedNow: '2026-11-20T16:10' });
  await t.session.login();
});
afterEach(async () => {
  await t.dispose();
});

describe('walk-in intake through the core', () => {
  it('refuses calls before login and by the wrong role', async () => {
    const anon = new (t.session.constructor as typeof import('./core-support').TestSession)(t.core);
    const r = await anon.call('intake.quote', { procedureCode: '1.004873', channel: 'walk-in' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('UNAUTHENTICATED');
    await anon.login('sohoa', 'daotao-sohoa');
    const r2 = await anon.call('intake.quote', { procedureCode: '1.004873', channel: 'walk-in' });
    expect(!r2.ok && r2.error.code).toBe('FORBIDDEN');
    const bad = await anon.call('auth.login', { username: 'canbo', password: 'sai' });
    expect(!bad.ok && bad.error.code).toBe('LOGIN_FAILED');
  });

  it('receives a dossier with a reused national document, once, with outbox rows and an audit entry', async () => {
    const lookup = await t.session.ok('applicant.lookup', { kind: 'citizen', idNumber: DUNG.idNumber });
    expect(lookup.nationalReachable).toBe(true);
    const idCard = lookup.documents.find((d) => d.documentCode === 'KQ0003');
    expect(idCard).toBeDefined();
    const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
    const components = procedure.components.map((c) =>
      c.documentCode === 'KQ0003'
        ? {
            componentCode: c.code,
            originals: 0,
            copies: 0,
            source: 'reused',
            reusedDocumentId: idCard!.id,
            consent: true,
          }
        : { componentCode: c.code, originals: 1, copies: 0, source: 'paper' },
    );
    const params = receiveParams({ components });
    const [a, b] = await Promise.all([t.session.ok('intake.receive', params), t.session.ok('intake.receive', params)]);
    expect(a.code).toBe(b.code);
    expect(a.code).toMatch(/^000\.00\.12\.H56-261120-\d{4}$/);
    expect(a.status).toBe(2);
    expect(a.appointmentAt).not.toBeNull();
    expect(a.components.some((c) => c.source === 'reused' && c.consentAt !== null)).toBe(
      procedure.components.some((c) => c.documentCode === 'KQ0003'),
    );
    expect(t.core.store.dossiers.listReceivedOn('2026-11-20')).toHaveLength(1);
    expect(
      t.core.store.outbox
        .listForDossier(a.code)
        .map((r) => r.kind)
        .sort(),
    ).toEqual(['dossier.handoff', 'dossier.progress', 'dossier.upsert']);
    expect(t.core.store.audit.forEntity('dossier', a.code).map((e) => e.action)).toContain('dossier.receive');
    expect(t.core.store.audit.verifyChain().ok).toBe(true);

    await t.core.sender.drainOnce();
    const sim = t.core.simulators!;
    expect(sim.national.state.dossiers.get(a.code)?.createCount).toBe(1);
    expect(sim.provincial.state.dossiers.get(a.code)?.receiveCount).toBe(1);
    const wire = sim.national.state.dossiers.get(a.code)!.record;
    expect(wire.NgayTiepNhan).toBe('20261120161000');
    expect((await t.session.ok('dossier.get', { code: a.code })).sync).toEqual({
      national: 'synced',
      provincial: 'synced',
    });
    await t.core.sender.drainOnce();
    expect(sim.national.state.dossiers.get(a.code)?.createCount).toBe(1);
  });

  it('prints a receipt whose text carries the code and the appointment date', async () => {
    const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
    const components = procedure.components.map((c) => ({
      componentCode: c.code,
      originals: 1,
      copies: 0,
      source: 'paper',
    }));
    const d = await t.session.ok('intake.receive', receiveParams({ components }));
    const pdf = await t.session.ok('dossier.document', { code: d.code, kind: 'receipt' });
    const file = join(t.dataDir, 'r.pdf');
    writeFileSync(file, Buffer.from(pdf.base64, 'base64'));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
    expect(text).toContain(d.code);
    expect(text).toContain('Nguyễn Văn Dũng');
    const [date] = d.appointmentAt!.split('T');
    const [y, m, dd] = date!.split('-');
    expect(text).toContain(`${dd}/${m}/${y}`);
    const printed = await t.session.ok('dossier.printReceipt', { code: d.code });
    expect(printed.jobId).toBeTruthy();
  });

  it('rejects bad input clearly and writes nothing', async () => {
    const bad = [
      [receiveParams({ applicant: { ...DUNG, idNumber: '00120300456' } }), 'PERSONAL_ID_INVALID'],
      [receiveParams({ procedureCode: '9.999999' }), 'PROCEDURE_UNKNOWN'],
      [
        receiveParams({ components: [{ componentCode: 'NOPE', originals: 1, copies: 0, source: 'paper' }] }),
        'COMPONENT_UNKNOWN',
      ],
      [receiveParams(), 'COMPONENT_MISSING'],
      [receiveParams({ requestId: 'not-a-uuid' }), 'VALIDATION_FAILED'],
    ] as const;
    for (const [params, code] of bad) {
      const r = await t.session.call('intake.receive', params);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.code, JSON.stringify(r.error)).toBe(code);
    }
    expect(t.core.store.dossiers.listReceivedOn('2026-11-20')).toHaveLength(0);
    expect(t.core.store.outbox.counts().pending).toBe(0);
  });

  it('a refused identifier carries its problem code; the message stays Vietnamese for the core', async () => {
    const r = await t.session.call('applicant.lookup', { kind: 'citizen', idNumber: '00120300456' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.error).toMatchObject({
      code: 'PERSONAL_ID_INVALID',
      message: 'Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 11).',
      details: { field: 'idNumber', problem: { code: 'ID_LENGTH', expected: 12, length: 11 } },
    });
    const org = await t.session.call('applicant.lookup', { kind: 'enterprise', idNumber: '0101234567001' });
    expect(org.ok).toBe(false);
    if (!org.ok)
      expect(org.error.details).toMatchObject({ problem: { code: 'ORG_BRANCH_DASH', suggestion: '0101234567-001' } });
  });

  it('requires consent to reuse a stored document', async () => {
    const lookup = await t.session.ok('applicant.lookup', { kind: 'citizen', idNumber: DUNG.idNumber });
    const doc = lookup.documents[0]!;
    const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
    const components = procedure.components.map((c, i) =>
      i === 0
        ? { componentCode: c.code, originals: 0, copies: 0, source: 'reused', reusedDocumentId: doc.id, consent: false }
        : { componentCode: c.code, originals: 1, copies: 0, source: 'paper' },
    );
    const r = await t.session.call('intake.receive', receiveParams({ components }));
    expect(!r.ok && r.error.code).toBe('CONSENT_REQUIRED');
  });

  it('requests a supplement and refuses with their forms and status changes', async () => {
    const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
    const components = procedure.components.map((c) => ({
      componentCode: c.code,
      originals: 1,
      copies: 0,
      source: 'paper',
    }));
    const d1 = await t.session.ok('intake.receive', receiveParams({ components }));
    const s = await t.session.ok('dossier.requestSupplement', {
      code: d1.code,
      missing: ['Tờ khai có chữ ký'],
      reason: 'Tờ khai chưa ký',
    });
    expect(s.status).toBe(5);
    const form2 = await t.session.ok('dossier.document', { code: d1.code, kind: 'supplement' });
    expect(Buffer.from(form2.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    const again = await t.session.call('dossier.refuse', { code: d1.code, reasons: ['x'] });
    expect(!again.ok && again.error.code).toBe('DOSSIER_STATE_INVALID');

    const d2 = await t.session.ok('intake.receive', receiveParams({ components }));
    const r = await t.session.ok('dossier.refuse', { code: d2.code, reasons: ['Không thuộc thẩm quyền'] });
    expect(r.status).toBe(3);
    expect(r.documents.map((x) => x.kind).sort()).toEqual(['receipt', 'refusal']);
  });

  it('drives the simulated queue', async () => {
    const first = await t.session.ok('queue.callNext');
    expect(first.state).toBe('called');
    const recalled = await t.session.ok('queue.recall');
    expect(recalled.number).toBe(first.number);
    const afterSkip = await t.session.ok('queue.skip');
    expect(afterSkip.skipped.map((x) => x.number)).toContain(first.number);
  });
});

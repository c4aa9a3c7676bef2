import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { localToEpoch } from '../../main/kernel/clock';
import { signPdf, verifyPdf } from '../../main/signing';
import { issueSigner, makeTestCa } from '../../main/signing/testing/test-pki';
import { trainingResultPdf } from '../../main/remotes/provincial/provincial.simulator';
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
const iso = (local: string): string => new Date(localToEpoch(local)).toISOString();

async function receive(): Promise<string> {
  const procedure = await t.session.ok('catalogue.get', { code: '1.004873' });
  const components = procedure.components.map((c) => ({
    componentCode: c.code,
    originals: 1,
    copies: 0,
    source: 'paper',
  }));
  const d = await t.session.ok('intake.receive', {
    requestId: randomUUID(),
    applicant: DUNG,
    procedureCode: '1.004873',
    channel: 'walk-in',
    components,
  });
  await t.core.sender.drainOnce();
  return d.code;
}

beforeEach(async () => {
  t = await startTestCore({ fixedNow: '2026-11-20T09:10' });
  await t.session.login();
});
afterEach(async () => {
  await t.dispose();
});

describe('return of results through the core (both simulators over HTTP)', () => {
  it('result pulled → ready → returned → the national portal got each step exactly once', async () => {
    const sim = t.core.simulators!;
    const code = await receive();
    // The processing unit signs its result (PAdES) and reports the dossier processed.
    const ca = makeTestCa('CA thử nghiệm tỉnh');
    const signer = issueSigner(ca, { algorithm: 'rsa' });
    const signed = await signPdf(new Uint8Array(trainingResultPdf(code)), signer.key);
    sim.provincial.pushStatus(code, 4, { at: iso('2026-11-20T10:00') });
    sim.provincial.pushResult(code, {
      pdf: signed,
      at: iso('2026-11-23T15:00'),
      documentCode: 'KQ.G15.000031',
      documentName: 'Giấy chứng nhận kết hôn',
    });
    // The download fails six times in a row (more than one attempt resumes): the status still
    // arrives, the file comes on the retry.
    sim.provincial.faults.failNext(6, '500', { only: '/api/files/*' });
    await t.core.statusPuller.pullOnce();
    let view = await t.session.ok('returns.get', { code });
    expect(view).toMatchObject({ ready: false, resultState: 'pending' });
    expect((await t.session.ok('returns.listReady', {})).map((i) => i.code)).toEqual([code]);
    view = await t.session.ok('returns.refetch', { code });
    expect(view).toMatchObject({ ready: true, resultState: 'stored', processedAt: '2026-11-23T15:00' });
    const pdf = await t.session.ok('returns.resultPdf', { code, resultId: view.results[0]!.id });
    const bytes = Buffer.from(pdf.base64, 'base64');
    expect(bytes.equals(Buffer.from(signed))).toBe(true);
    const report = await verifyPdf(bytes);
    expect(report.signatures).toHaveLength(1);
    expect(report.signatures[0]!.integrity.ok).toBe(true);
    // Filed in the applicant's document store: found by the applicant lookup for reuse.
    const lookup = await t.session.ok('applicant.lookup', { kind: 'citizen', idNumber: DUNG.idNumber });
    expect(
      lookup.documents.some((d) => d.documentCode === 'KQ.G15.000031' && d.id === view.results[0]!.documentId),
    ).toBe(true);

    const bad = await t.session.call('returns.handOver', {
      code,
      delivery: 'desk',
      collector: { kind: 'applicant', idNumber: '001203009999' },
    });
    expect(!bad.ok && bad.error.code).toBe('COLLECTOR_MISMATCH');
    const invalid = await t.session.call('returns.handOver', {
      code,
      delivery: 'drone',
      collector: { kind: 'applicant' },
    });
    expect(!invalid.ok && invalid.error.code).toBe('VALIDATION_FAILED');
    const done = await t.session.ok('returns.handOver', {
      code,
      delivery: 'desk',
      collector: { kind: 'applicant', idNumber: DUNG.idNumber },
    });
    expect(done.dossier.status).toBe(10);
    const twice = await t.session.call('returns.handOver', {
      code,
      delivery: 'desk',
      collector: { kind: 'applicant', idNumber: DUNG.idNumber },
    });
    expect(!twice.ok && twice.error.code).toBe('RESULT_ALREADY_RETURNED');

    await t.core.sender.drainOnce();
    await t.core.sender.drainOnce();
    const national = sim.national.state;
    const record = national.dossiers.get(code)!.record;
    expect(record).toMatchObject({
      TrangThaiHoSo: '10',
      NgayKetThucXuLy: '20261123150000',
      NgayTra: '20261120091000',
      HinhThuc: '0',
    });
    expect(record.DanhSachGiayToKetQua).toHaveLength(1);
    expect(record.DanhSachGiayToKetQua[0]).toMatchObject({
      MaGiayToKetQua: 'KQ.G15.000031',
      TenGiayTo: 'Giấy chứng nhận kết hôn',
    });
    expect(record.DanhSachGiayToKetQua[0]!.DuongDanTepTinKetQua).toContain('/api/results/');
    const steps = national.progress.get(code)!.map((s) => [s.NoiDungXuLy, s.TrangThai]);
    expect(steps.filter(([, s]) => s === '9')).toHaveLength(1);
    expect(steps.filter(([, s]) => s === '10')).toEqual([['Trả kết quả giải quyết hồ sơ', '10']]);
    const stored = national.received.filter(
      (r) => r.service === 'CapNhatTienDoHoSoMC' && r.maHoSo === code && r.outcome === 'stored',
    );
    expect(stored.map((r) => r.step)).toEqual([
      'Tiếp nhận hồ sơ',
      expect.stringMatching(/^Đã xử lý xong/),
      'Trả kết quả giải quyết hồ sơ',
    ]);
    expect(
      national.received.filter((r) => r.service === 'CapNhatTienDoHoSoMC' && r.outcome === 'duplicate'),
    ).toHaveLength(0);
    expect(t.core.store.outbox.counts()).toMatchObject({ pending: 0, retrying: 0, dead: 0 });
    // A repeated pull changes nothing and sends nothing more.
    await t.core.statusPuller.pullOnce();
    await t.core.sender.drainOnce();
    expect(national.progress.get(code)).toHaveLength(3);
    const actions = t.core.store.audit.forEntity('dossier', code).map((e) => e.action);
    expect(actions).toEqual(
      expect.arrayContaining(['dossier.remote-status', 'dossier.result-stored', 'dossier.return']),
    );
    expect(t.core.store.audit.verifyChain().ok).toBe(true);
    expect(await t.session.ok('returns.listReady', {})).toEqual([]);
  });

  it('roles: a digitiser may not hand over', async () => {
    await t.session.ok('auth.logout', {});
    await t.session.login('sohoa', 'daotao-sohoa');
    const r = await t.session.call('returns.listReady', {});
    expect(!r.ok && r.error.code).toBe('FORBIDDEN');
  });
});

import { execFileSync } from 'node:child_process';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AppError, type Person } from '../../common/contract';
import { fixedClock, localToEpoch } from '../kernel/clock';
import { noEvents } from '../kernel/events';
import { createLogger } from '../kernel/logger';
import { WorkingTimeProvider } from '../intake/working-time';
import { createFileTransfer } from '../remotes/provincial/file-transfer';
import { clientCredentialsToken } from '../remotes/provincial/oauth-token';
import { createProvincialClient } from '../remotes/provincial/provincial.client';
import {
  startProvincialSimulator,
  TRAINING_PROVINCIAL_CLIENT,
  trainingResultPdf,
  type ProvincialSimulator,
} from '../remotes/provincial/provincial.simulator';
import { ResultsRepository } from '../store/results.repository';
import { openStore, type Store } from '../store/store';
import { newDossier, personInput, procedure, tempDir } from '../store/testing/store-fixtures';
import { StatusPuller } from '../sync/status-puller';
import { ResultIntake } from './result-intake';
import { ReturnsService } from './returns.service';

const AGENCY = '000.00.12.H56';
const code = (n: number): string => `${AGENCY}-250715-${String(n).padStart(4, '0')}`;
const officer = { username: 'canbo', displayName: 'Lê Thị Cán Bộ', role: 'officer' as const };
/** 2025-07-16 10:00 Vietnam, as the remote's ISO time. */
const remoteAt = (local: string): string => new Date(localToEpoch(local)).toISOString();

describe('ReturnsService (on-disk store, provincial simulator over HTTP)', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let sim: ProvincialSimulator;
  let applicant: Person;
  let results: ResultsRepository;
  let intake: ResultIntake;
  let returns: ReturnsService;
  let puller: StatusPuller;
  let clock: ReturnType<typeof fixedClock>;
  let nudges: number;

  beforeEach(async () => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.catalogue.upsertProcedure(procedure());
    applicant = store.people.upsert(personInput());
    for (let n = 1; n <= 3; n++) store.dossiers.insert(newDossier(applicant, { code: code(n), requestId: `r${n}` }));
    sim = await startProvincialSimulator();
    clock = fixedClock('2025-07-20T10:00');
    const log = createLogger({});
    results = new ResultsRepository(store.db);
    const provincial = createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 2000 });
    const desk = { agencyId: AGENCY, agencyName: 'UBND phường Hoàn Kiếm' };
    intake = new ResultIntake({ store, results, provincial, clock, log, desk });
    puller = new StatusPuller({ store, provincial, clock, hooks: intake });
    nudges = 0;
    returns = new ReturnsService({
      store,
      results,
      intake,
      clock,
      log,
      workingTime: new WorkingTimeProvider(store),
      desk: { ...desk, counterName: 'Quầy 1', training: true },
      onOutbox: () => {
        nudges += 1;
      },
      events: noEvents,
    });
  });
  afterEach(async () => {
    await sim.close();
    store.close();
    temp.cleanup();
  });

  const nationalRows = (c: string) =>
    store.db
      .prepare<[string], { kind: string; idempotency_key: string; payload_json: string }>(
        "SELECT kind, idempotency_key, payload_json FROM outbox WHERE target = 'national' AND dossier_code = ? ORDER BY id",
      )
      .all(c);
  const audit = (action: string) =>
    store.db
      .prepare<[string], { entity_id: string }>('SELECT entity_id FROM audit_log WHERE action = ?')
      .all(action)
      .map((r) => r.entity_id);
  const errorOf = (fn: () => unknown): AppError => {
    try {
      fn();
    } catch (err) {
      if (err instanceof AppError) return err;
      throw err;
    }
    throw new Error('expected an AppError');
  };

  it('pulls "processed" with its result: file checked, stored, filed for the owner, audited, national rows written', async () => {
    sim.pushStatus(code(1), 4, { at: remoteAt('2025-07-16T08:00') });
    sim.pushResult(code(1), {
      at: remoteAt('2025-07-18T15:30'),
      documentCode: 'KQ.G13.000031',
      documentName: 'Phiếu lý lịch tư pháp số 1',
      number: '123/LLTP',
    });
    await puller.pullOnce();

    const view = returns.get(code(1));
    expect(view.dossier.status).toBe(9);
    expect(view).toMatchObject({ ready: true, resultState: 'stored', processedAt: '2025-07-18T15:30', late: false });
    const stored = results.forDossier(code(1))[0]!;
    expect(stored).toMatchObject({ state: 'stored', attempts: 0 });
    expect(await store.blobs.get(stored.blobSha256!, { verify: true })).toEqual(
      new Uint8Array(trainingResultPdf(code(1))),
    );
    // Filed in the applicant's document store, reusable like any other document.
    const doc = store.documents.listForOwner(applicant.idNumber).find((x) => x.documentCode === 'KQ.G13.000031');
    expect(doc).toMatchObject({ documentName: 'Phiếu lý lịch tư pháp số 1', number: '123/LLTP', source: 'local' });
    expect(audit('dossier.result-stored')).toEqual([code(1)]);
    const rows = nationalRows(code(1));
    expect(rows.map((r) => r.kind)).toEqual(['dossier.upsert', 'dossier.progress']);
    const wire = JSON.parse(rows[0]!.payload_json).dossier;
    expect(wire).toMatchObject({ TrangThaiHoSo: '9', NgayKetThucXuLy: '20250718153000', NgayTra: '' });
    expect(wire.DanhSachGiayToKetQua).toEqual([
      {
        TenGiayTo: 'Phiếu lý lịch tư pháp số 1',
        MaThanhPhanHoSo: '',
        GiayToId: stored.remoteId,
        DuongDanTepTinKetQua: stored.url,
        MaGiayToKetQua: 'KQ.G13.000031',
      },
    ]);
    expect(JSON.parse(rows[1]!.payload_json).steps[0]).toMatchObject({
      TrangThai: '9',
      ThoiDiemXuLy: '20250718153000',
    });
    expect(returns.listReady().map((i) => i.code)).toEqual([code(1)]);
    expect(returns.listReady('nguyen van dung').map((i) => i.code)).toEqual([code(1)]);
    expect(returns.listReady('khong co ai')).toEqual([]);

    // A repeated pull (same page again after a reset cursor) changes nothing.
    store.db.prepare('DELETE FROM sync_cursors').run();
    await puller.pullOnce();
    expect(nationalRows(code(1))).toHaveLength(2);
    expect(results.forDossier(code(1))).toHaveLength(1);
  });

  it('refuses a file whose sha256 does not match, keeps the status, and stores it once the remote serves it right', async () => {
    sim.state.corruptResultFiles = true;
    sim.pushResult(code(2), { at: remoteAt('2025-07-18T09:00') });
    await puller.pullOnce();
    expect(store.dossiers.getByCode(code(2))!.status).toBe(9);
    expect(results.forDossier(code(2))[0]).toMatchObject({
      state: 'pending',
      attempts: 1,
      lastErrorCode: 'RESULT_CHECKSUM_MISMATCH',
      blobSha256: null,
    });
    expect(returns.get(code(2))).toMatchObject({ ready: false, resultState: 'pending' });
    expect(
      errorOf(() =>
        returns.handOver(
          {
            code: code(2),
            delivery: 'desk',
            collector: { kind: 'applicant', fullName: '', idNumber: applicant.idNumber, authorisation: '' },
            trackingNumber: '',
            note: '',
          },
          officer,
        ),
      ).code,
    ).toBe('RESULT_FILE_MISSING');
    expect(await intake.retryPending()).toBe(0);
    expect(results.forDossier(code(2))[0]!.attempts).toBe(2);

    sim.state.corruptResultFiles = false;
    const view = await returns.refetch(code(2));
    expect(view).toMatchObject({ ready: true, resultState: 'stored' });
    expect(nationalRows(code(2)).map((r) => r.idempotency_key)).toEqual([
      `${code(2)}/upsert/processed-2`,
      `${code(2)}/progress/processed-2`,
      `${code(2)}/upsert/result-1`,
    ]);
  });

  it('refuses bytes that are not a PDF and a file the remote does not have', async () => {
    sim.pushResult(code(1), {
      pdf: new TextEncoder().encode('<html>not a pdf</html>'),
      at: remoteAt('2025-07-18T09:00'),
    });
    await puller.pullOnce();
    expect(results.forDossier(code(1))[0]).toMatchObject({ state: 'pending', lastErrorCode: 'RESULT_NOT_PDF' });
    sim.state.results.clear();
    await intake.retryPending();
    expect(results.forDossier(code(1))[0]).toMatchObject({ state: 'pending', lastErrorCode: 'REMOTE_REJECTED' });
  });

  it('hands over to the applicant after checking their ID; status 10 once; national rows with NgayTra, ThongTinTra, HinhThuc', async () => {
    sim.pushResult(code(1), { at: remoteAt('2025-07-18T15:30') });
    await puller.pullOnce();
    const wrong = errorOf(() =>
      returns.handOver(
        {
          code: code(1),
          delivery: 'desk',
          collector: { kind: 'applicant', fullName: '', idNumber: '001203009999', authorisation: '' },
          trackingNumber: '',
          note: '',
        },
        officer,
      ),
    );
    expect(wrong.code).toBe('COLLECTOR_MISMATCH');
    expect(store.dossiers.getByCode(code(1))!.status).toBe(9);

    const view = returns.handOver(
      {
        code: code(1),
        delivery: 'desk',
        collector: { kind: 'applicant', fullName: '', idNumber: ` ${applicant.idNumber} `, authorisation: '' },
        trackingNumber: '',
        note: '',
      },
      officer,
    );
    expect(view.dossier.status).toBe(10);
    expect(view.handOver).toMatchObject({
      returnedAt: '2025-07-20T10:00',
      collectorKind: 'applicant',
      collectorName: applicant.fullName,
      collectorIdNumber: '00120****567',
      delivery: 'desk',
    });
    expect(nudges).toBe(1);
    expect(audit('dossier.return')).toEqual([code(1)]);
    const rows = nationalRows(code(1));
    const last = JSON.parse(rows.at(-2)!.payload_json).dossier;
    expect(last).toMatchObject({
      TrangThaiHoSo: '10',
      NgayTra: '20250720100000',
      NgayKetThucXuLy: '20250718153000',
      HinhThuc: '0',
    });
    expect(last.ThongTinTra).toContain(applicant.fullName);
    expect(last.ThongTinTra).not.toContain(applicant.idNumber);
    expect(JSON.parse(rows.at(-1)!.payload_json).steps[0]).toMatchObject({
      TrangThai: '10',
      NoiDungXuLy: 'Trả kết quả giải quyết hồ sơ',
    });
    expect(returns.listReady()).toEqual([]);

    const again = errorOf(() =>
      returns.handOver(
        {
          code: code(1),
          delivery: 'desk',
          collector: { kind: 'applicant', fullName: '', idNumber: applicant.idNumber, authorisation: '' },
          trackingNumber: '',
          note: '',
        },
        officer,
      ),
    );
    expect(again.code).toBe('RESULT_ALREADY_RETURNED');
    expect(nationalRows(code(1))).toHaveLength(rows.length);
  });

  it('checks an authorised collector and a postal hand-over', async () => {
    sim.pushStatus(code(1), 9, { at: remoteAt('2025-07-18T15:30') }); // a paper result: no file announced
    sim.pushStatus(code(2), 9, { at: remoteAt('2025-07-18T15:31') });
    sim.pushStatus(code(3), 4, { at: remoteAt('2025-07-18T15:32') });
    await puller.pullOnce();
    expect(returns.get(code(1))).toMatchObject({ ready: true, resultState: 'none' });
    const base = { code: code(1), delivery: 'desk' as const, trackingNumber: '', note: '' };
    expect(
      errorOf(() =>
        returns.handOver(
          {
            ...base,
            collector: { kind: 'authorised', fullName: 'Trần Thị Bình', idNumber: '001203009999', authorisation: '' },
          },
          officer,
        ),
      ).code,
    ).toBe('AUTHORISATION_REQUIRED');
    expect(
      errorOf(() =>
        returns.handOver(
          {
            ...base,
            collector: {
              kind: 'authorised',
              fullName: 'Trần Thị Bình',
              idNumber: '12345',
              authorisation: 'Giấy ủy quyền số 12',
            },
          },
          officer,
        ),
      ).code,
    ).toBe('COLLECTOR_ID_INVALID');
    const byProxy = returns.handOver(
      {
        ...base,
        collector: {
          kind: 'authorised',
          fullName: 'Trần Thị Bình',
          idNumber: '001203009999',
          authorisation: 'Giấy ủy quyền số 12, UBND phường chứng thực 17/07/2025',
        },
      },
      officer,
    );
    expect(byProxy.handOver).toMatchObject({
      collectorKind: 'authorised',
      collectorName: 'Trần Thị Bình',
      authorisation: 'Giấy ủy quyền số 12, UBND phường chứng thực 17/07/2025',
    });

    const post = {
      code: code(2),
      delivery: 'post' as const,
      collector: { kind: 'applicant' as const, fullName: '', idNumber: '', authorisation: '' },
      note: '',
    };
    expect(errorOf(() => returns.handOver({ ...post, trackingNumber: '' }, officer)).code).toBe(
      'TRACKING_NUMBER_REQUIRED',
    );
    const posted = returns.handOver({ ...post, trackingNumber: 'EB123456789VN' }, officer);
    expect(posted.handOver).toMatchObject({ delivery: 'post', trackingNumber: 'EB123456789VN' });
    const wire = JSON.parse(nationalRows(code(2)).at(-2)!.payload_json).dossier;
    expect(wire).toMatchObject({ HinhThuc: '1', TrangThaiHoSo: '10' });
    expect(wire.ThongTinTra).toContain('EB123456789VN');

    expect(
      errorOf(() =>
        returns.handOver(
          {
            ...base,
            code: code(3),
            collector: { kind: 'applicant', fullName: '', idNumber: applicant.idNumber, authorisation: '' },
          },
          officer,
        ),
      ).code,
    ).toBe('RESULT_NOT_READY');
    expect(errorOf(() => returns.get('000.00.12.H56-250715-9999')).code).toBe('NOT_FOUND');
  });

  it('form 4: a late dossier gets the apology with a new date by the working-day rules, recorded and audited', async () => {
    // Appointment 2025-07-29 09:30 (newDossier); processed on time for dossier 1, still processing for 3.
    sim.pushResult(code(1), { at: remoteAt('2025-07-18T15:30') });
    sim.pushStatus(code(3), 4, { at: remoteAt('2025-07-16T08:00') });
    await puller.pullOnce();
    expect(errorOf(() => returns.apologyQuote(code(3), 3)).code).toBe('DOSSIER_NOT_LATE'); // 2025-07-20: not late yet
    clock.set('2025-07-30T10:00'); // Wednesday
    expect(returns.get(code(3))).toMatchObject({ canApologise: true, late: true });
    expect(errorOf(() => returns.apologyQuote(code(1), 3)).code).toBe('DOSSIER_NOT_LATE'); // processed: no letter
    // 3 working days from Wednesday 10:00: Thursday, Friday, Monday → Monday 2025-08-04 10:00.
    expect(returns.apologyQuote(code(3), 3)).toMatchObject({
      previousAppointmentAt: '2025-07-29T09:30',
      newAppointmentAt: '2025-08-04T10:00',
    });
    const { letter, pdf } = await returns.issueApology(code(3), 3, 'Chờ kết quả xác minh của cơ quan công an', officer);
    expect(letter).toMatchObject({
      previousAppointmentAt: '2025-07-29T09:30',
      newAppointmentAt: '2025-08-04T10:00',
      extensionDays: 3,
      officer: officer.displayName,
    });
    const d = store.dossiers.getByCode(code(3))!;
    expect([d.appointmentAt, d.previousAppointmentAt]).toEqual(['2025-08-04T10:00', '2025-07-29T09:30']);
    expect(audit('dossier.apology')).toEqual([code(3)]);
    const step = JSON.parse(nationalRows(code(3)).at(-1)!.payload_json).steps[0];
    expect(step).toMatchObject({ TrangThai: '4', NgayKetThucTheoQuyDinh: '20250804100000' });
    expect((await returns.apologyPdf(code(3), letter.id)).sha256).toBe(pdf.sha256);
    // The text of the PDF (poppler's pdftotext): Vietnamese, the dates, the reason.
    const file = path.join(temp.dir, 'form4.pdf');
    writeFileSync(file, Buffer.from(pdf.base64, 'base64'));
    const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    expect(text).toContain('PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ');
    expect(text).toContain('Mẫu số 04');
    expect(text).toContain(code(3));
    expect(text).toContain('Nguyễn Văn Dũng');
    expect(text).toContain('Chờ kết quả xác minh của cơ quan công an');
    expect(text).toMatch(/09 giờ 30 phút, ngày 29\/07\/2025/);
    expect(text).toMatch(/10 giờ 00 phút, ngày 04\/08\/2025/);
    // Once late, a dossier later processed is shown as late, and the portal keeps the receipt's NgayHenTra.
    sim.pushResult(code(3), { at: remoteAt('2025-08-01T09:00') });
    await puller.pullOnce();
    expect(returns.listReady().find((i) => i.code === code(3))).toMatchObject({ late: true });
    const wire = JSON.parse(
      nationalRows(code(3)).find((r) => r.idempotency_key.includes('upsert/processed'))!.payload_json,
    ).dossier;
    expect(wire).toMatchObject({ NgayHenTra: '20250729093000', NgayKetThucXuLy: '20250801090000' });
  });
});

describe('result download through the resumable file transfer', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;
  let sim: ProvincialSimulator;
  let results: ResultsRepository;
  let intake: ResultIntake;
  let puller: StatusPuller;

  beforeEach(async () => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
    store.catalogue.upsertProcedure(procedure());
    const applicant = store.people.upsert(personInput());
    store.dossiers.insert(newDossier(applicant, { code: code(1), requestId: 'r1' }));
    sim = await startProvincialSimulator();
    const clock = fixedClock('2025-07-20T10:00');
    results = new ResultsRepository(store.db);
    const provincial = createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 2000 });
    const transfer = createFileTransfer({
      baseUrl: sim.url,
      token: clientCredentialsToken({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 2000 }),
      timeoutMs: 2000,
      resumeDelayMs: 5,
    });
    intake = new ResultIntake({
      store,
      results,
      provincial,
      clock,
      log: createLogger({}),
      desk: { agencyId: AGENCY, agencyName: 'UBND phường Hoàn Kiếm' },
      download: { transfer, dir: path.join(temp.dir, 'downloads') },
    });
    puller = new StatusPuller({ store, provincial, clock, hooks: intake });
  });
  afterEach(async () => {
    await sim.close();
    store.close();
    temp.cleanup();
  });

  it('a connection cut in the middle of the file resumes from where it stopped; the stored bytes are the remote file', async () => {
    // Large enough to be cut mid-way.
    const pdf = Buffer.concat([trainingResultPdf(code(1)), Buffer.alloc(300_000, 0x20)]);
    const item = sim.pushResult(code(1), { pdf, at: remoteAt('2025-07-18T09:00') });
    sim.faults.failNext(1, 'cut', { only: '/api/files/*' });
    await puller.pullOnce();
    const row = results.forDossier(code(1))[0]!;
    expect(row).toMatchObject({ state: 'stored', blobSha256: item.KetQua!.sha256 });
    expect(Buffer.from(await store.blobs.get(row.blobSha256!)).equals(pdf)).toBe(true);
    // Two requests for the file: the cut one, then a Range request for the rest; nothing left behind.
    const fileCalls = sim.state.calls.filter((c) => c.path === `/api/files/${item.KetQua!.id}`);
    expect(fileCalls).toHaveLength(2);
    expect(sim.state.resultDownloads).toEqual([item.KetQua!.id, item.KetQua!.id]);
    expect(readdirSync(path.join(temp.dir, 'downloads'))).toEqual([]);
  });

  it('bytes that do not match the announced sha256 are refused as RESULT_CHECKSUM_MISMATCH and nothing is kept', async () => {
    sim.state.corruptResultFiles = true;
    sim.pushResult(code(1), { at: remoteAt('2025-07-18T09:00') });
    await puller.pullOnce();
    expect(results.forDossier(code(1))[0]).toMatchObject({
      state: 'pending',
      lastErrorCode: 'RESULT_CHECKSUM_MISMATCH',
      blobSha256: null,
    });
    expect(readdirSync(path.join(temp.dir, 'downloads'))).toEqual([]);
    sim.state.corruptResultFiles = false;
    expect(await intake.retryPending()).toBe(1);
    expect(results.forDossier(code(1))[0]!.state).toBe('stored');
  });
});

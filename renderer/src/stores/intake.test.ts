// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createPinia, setActivePinia } from 'pinia';
import { setApiForTests } from '../api';
import { FakeFailure } from '../testing/fake-api';
import { dossier, lookupResult, PDF_BASE64, procedure, quote, VALID_QR } from '../testing/fixtures';
import { setupHarness, settle } from '../testing/mount';
import { DRAFT_STORAGE_KEY, useIntakeStore } from './intake';
import { useQueueStore } from './queue';

afterEach(() => setApiForTests(null));

function core() {
  return setupHarness({
    'applicant.lookup': () => lookupResult,
    'catalogue.get': () => procedure,
    'intake.quote': () => quote,
    'intake.receive': () => dossier(),
    'dossier.document': () => ({ fileName: 'r.pdf', base64: PDF_BASE64, sha256: 'x' }),
    'dossier.printReceipt': () => ({ printer: 'Máy in quầy 1', jobId: 'j1' }),
  });
}

async function fillReady() {
  const intake = useIntakeStore();
  intake.draft.idInput = VALID_QR;
  expect(await intake.submitApplicantInput()).toBe('qr');
  expect(await intake.chooseProcedure('2.000488')).toBe(true);
  await settle();
  intake.setConsent('CCCD', true);
  return intake;
}

describe('intake store', () => {
  it('fills the person from a wedge-typed QR payload and keeps only the ID', async () => {
    const { fake } = core();
    const intake = useIntakeStore();
    intake.draft.idInput = VALID_QR;
    await intake.submitApplicantInput();
    expect(intake.draft.idInput).toBe('001090012345');
    expect(intake.draft.person).toMatchObject({
      fullName: 'Nguyễn Văn An',
      birthDate: '1990-07-15',
      sex: 'Nam',
      oldIdNumber: '123456789',
      idIssueDate: '2021-02-01',
    });
    expect(fake.callsOf('applicant.lookup')[0]!.params).toEqual({ kind: 'citizen', idNumber: '001090012345' });
    expect(intake.draft.lookup?.national?.verified).toBe(true);
  });

  it('suggests reuse after choosing the procedure, and receives with the ticket id', async () => {
    const { fake } = core();
    const queue = useQueueStore();
    queue.current = {
      id: 7,
      number: 'A007',
      service: 'TTHC',
      priority: false,
      state: 'called',
      takenAt: '2025-07-15T08:00',
      calledAt: '2025-07-15T09:00',
      counter: 'Q01',
      serviceName: 'Thủ tục hành chính',
      targetCounter: null,
      callCount: 1,
      finishedAt: null,
      outcome: null,
      dossierCode: null,
      waitSeconds: 0,
      serviceSeconds: 0,
      printedAt: null,
      printError: null,
    };
    const intake = await fillReady();
    expect(intake.draft.components.CCCD).toMatchObject({ source: 'reused', reusedDocumentId: 'N:GT-1', consent: true });
    expect(intake.draft.quote?.totalFee).toBe(200000);
    const result = await intake.receive();
    expect(result?.code).toBe('000.00.12.H56-250715-0001');
    const params = fake.callsOf('intake.receive')[0]!.params as {
      ticketId: number;
      requestId: string;
      components: unknown[];
    };
    expect(params.ticketId).toBe(7);
    expect(params.requestId).toBe(intake.draft.requestId);
    expect(params.components).toContainEqual({
      componentCode: 'CCCD',
      originals: 0,
      copies: 0,
      source: 'reused',
      reusedDocumentId: 'N:GT-1',
      consent: true,
    });
    await settle();
    expect(intake.receipt?.base64).toBe(PDF_BASE64);
  });

  it('hands in no paper for a reused component, and restores the counts when paper is chosen again', async () => {
    core();
    const intake = await fillReady();
    expect(intake.draft.components.CCCD).toMatchObject({ originals: 0, copies: 0 });
    intake.setSource('CCCD', 'paper');
    const defaults = procedure.components.find((c) => c.code === 'CCCD')!;
    expect(intake.draft.components.CCCD).toMatchObject({
      source: 'paper',
      originals: defaults.originals,
      copies: defaults.copies,
      consent: false,
    });
    intake.setSource('CCCD', 'reused');
    expect(intake.draft.components.CCCD).toMatchObject({ source: 'reused', originals: 0, copies: 0 });
  });

  it('sends one request when receive is triggered twice, and answers a repeat with the same dossier', async () => {
    const { fake } = core();
    const intake = await fillReady();
    const [a, b] = await Promise.all([intake.receive(), intake.receive()]);
    expect(a?.code).toBe('000.00.12.H56-250715-0001');
    expect(b).toBeNull();
    expect(await intake.receive()).toEqual(a);
    expect(fake.callsOf('intake.receive')).toHaveLength(1);
  });

  it('keeps the error code of a failed receive and allows a retry with the same requestId', async () => {
    const { fake } = core();
    let fail = true;
    fake.handlers['intake.receive'] = () => {
      if (fail) throw new FakeFailure('DOSSIER_CODE_EXHAUSTED');
      return dossier();
    };
    const intake = await fillReady();
    expect(await intake.receive()).toBeNull();
    expect(intake.draft.errors.receive?.code).toBe('DOSSIER_CODE_EXHAUSTED');
    fail = false;
    expect(await intake.receive()).not.toBeNull();
    const ids = fake.callsOf('intake.receive').map((c) => (c.params as { requestId: string }).requestId);
    expect(new Set(ids).size).toBe(1);
  });

  it('persists the draft in sessionStorage and restores it after a reload', async () => {
    core();
    const intake = await fillReady();
    intake.draft.summary = 'Trích yếu';
    const saved = JSON.parse(sessionStorage.getItem(DRAFT_STORAGE_KEY) ?? '{}') as {
      requestId: string;
      summary: string;
    };
    expect(saved.summary).toBe('Trích yếu');
    setActivePinia(createPinia());
    const restored = useIntakeStore();
    expect(restored.draft.requestId).toBe(intake.draft.requestId);
    expect(restored.draft.person.fullName).toBe('Nguyễn Văn An');
    expect(restored.draft.procedure?.code).toBe('2.000488');
  });

  it("keeps a typed ID's problem and warnings as codes, and drops sentences kept by an older version", async () => {
    core();
    const intake = useIntakeStore();
    intake.draft.idInput = '0790900012';
    expect(await intake.submitApplicantInput()).toBe('invalid');
    expect(intake.draft.applicantProblem).toEqual({
      kind: 'id',
      problem: { code: 'ID_LENGTH', expected: 12, length: 10 },
    });
    intake.draft.idInput = '999 499 000 001';
    expect(await intake.submitApplicantInput()).toBe('id');
    expect(intake.draft.idWarnings).toEqual([
      { code: 'LEGACY_PROVINCE_UNKNOWN', provinceCode: '999' },
      { code: 'LEGACY_BIRTH_YEAR_FUTURE', idYear: 2199 },
    ]);

    const saved = JSON.parse(sessionStorage.getItem(DRAFT_STORAGE_KEY) ?? '{}') as Record<string, unknown>;
    saved.applicantProblem = { kind: 'id', reason: 'Số định danh cá nhân phải gồm đúng 12 chữ số (đang có 10).' };
    saved.idWarnings = ['Năm sinh theo cấu trúc cũ (2199) ở tương lai: kiểm tra lại số định danh.'];
    sessionStorage.setItem(DRAFT_STORAGE_KEY, JSON.stringify(saved));
    setActivePinia(createPinia());
    const restored = useIntakeStore();
    expect(restored.draft.applicantProblem).toBeNull();
    expect(restored.draft.idWarnings).toEqual([]);
    expect(restored.draft.idNumber).toBe('999499000001');
  });

  it('starts a new draft with a new requestId', async () => {
    core();
    const intake = await fillReady();
    const before = intake.draft.requestId;
    await intake.receive();
    intake.reset();
    expect(intake.draft.requestId).not.toBe(before);
    expect(intake.draft.result).toBeNull();
    expect(intake.draft.person.fullName).toBe('');
  });

  it('prints the receipt and reports the printer', async () => {
    const { fake } = core();
    const intake = await fillReady();
    await intake.receive();
    expect(await intake.printReceipt()).toBe(true);
    expect(intake.draft.printedTo).toBe('Máy in quầy 1');
    expect(fake.callsOf('dossier.printReceipt')[0]!.params).toEqual({ code: '000.00.12.H56-250715-0001' });
  });
});

describe('intake store: ID typed without Enter', () => {
  it('checks and looks up the typed ID when receiving', async () => {
    const { fake } = core();
    const intake = useIntakeStore();
    await intake.chooseProcedure('2.000488');
    intake.draft.idInput = '001090012345';
    intake.draft.person.fullName = 'Nguyễn Văn An';
    intake.setSource('CCCD', 'paper');
    expect((await intake.receive())?.code).toBe('000.00.12.H56-250715-0001');
    expect(fake.callsOf('applicant.lookup')).toHaveLength(1);
    expect((fake.callsOf('intake.receive')[0]!.params as { applicant: { idNumber: string } }).applicant.idNumber).toBe(
      '001090012345',
    );
  });
});

describe('intake store: a scanned card and the stored person', () => {
  const stored = {
    id: 5,
    kind: 'citizen' as const,
    idNumber: '001090012345',
    fullName: 'Nguyễn Văn An',
    oldIdNumber: null,
    birthDate: '1990-07-15',
    sex: 'Nam' as const,
    address: 'Thôn Cũ, Hà Nội',
    idIssueDate: '2015-02-01',
    phone: null,
    email: null,
    portalVerified: false,
  };

  it('keeps the stored values until the officer ticks; only the ticked fields become confirmed changes', async () => {
    setupHarness({ 'applicant.lookup': () => ({ ...lookupResult, local: stored }) });
    const intake = useIntakeStore();
    intake.draft.idInput = VALID_QR;
    expect(await intake.submitApplicantInput()).toBe('qr');
    expect(intake.draft.personDiff?.map((r) => [r.field, r.stored, r.scanned])).toEqual([
      ['address', 'Thôn Cũ, Hà Nội', 'Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội'],
      ['oldIdNumber', '', '123456789'],
      ['idIssueDate', '2015-02-01', '2021-02-01'],
    ]);
    expect(intake.draft.person).toMatchObject({
      address: 'Thôn Cũ, Hà Nội',
      oldIdNumber: '',
      idIssueDate: '2015-02-01',
      fullName: 'Nguyễn Văn An',
    });
    intake.togglePersonDiff('oldIdNumber');
    expect(intake.confirmPersonDiff()).toEqual(['oldIdNumber']);
    expect(intake.draft.person).toMatchObject({
      address: 'Thôn Cũ, Hà Nội',
      oldIdNumber: '123456789',
      idIssueDate: '2015-02-01',
    });
    expect(intake.draft.confirmedChanges).toEqual(['oldIdNumber']);
    expect(intake.draft.personDiff).toBeNull();
    // A lookup again (the organisation kind toggled back, say) does not ask twice.
    await intake.lookupApplicant();
    expect(intake.draft.personDiff).toBeNull();
  });

  it('a refused scan fills nothing and keeps the earlier applicant as it was', async () => {
    setupHarness({ 'applicant.lookup': () => lookupResult });
    const intake = useIntakeStore();
    intake.draft.idInput = VALID_QR;
    await intake.submitApplicantInput();
    intake.draft.idInput = '001090012345||Nguyá»n VÄn An|15071990|Nam|Hà Nội|01022021';
    expect(await intake.submitApplicantInput()).toBe('invalid');
    expect(intake.draft.applicantProblem).toEqual({ kind: 'qr', problem: { code: 'GARBLED' } });
    expect(intake.draft.person.fullName).toBe('Nguyễn Văn An');
    expect(intake.draft.person.address).toBe('Số 1 Tràng Tiền, Phường Hoàn Kiếm, Hà Nội');
  });
});

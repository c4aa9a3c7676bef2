// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { ReceiveParams } from '../../../common/contract';
import { cccdDocument, lookupResult, procedure } from '../testing/fixtures';
import { buildReceiveParams, DraftInvalid, initialComponents, newDraft, type IntakeDraft } from './intake-draft';

function readyDraft(): IntakeDraft {
  const draft = newDraft();
  draft.idInput = '001090012345';
  draft.idNumber = '001090012345';
  draft.person.fullName = '  Nguyễn Văn An ';
  draft.person.birthDate = '1990-07-15';
  draft.person.sex = 'Nam';
  draft.person.phone = '0912345678';
  draft.lookup = lookupResult;
  draft.procedure = procedure;
  draft.components = initialComponents(procedure, lookupResult.documents);
  return draft;
}

function invalid(draft: IntakeDraft) {
  try {
    buildReceiveParams(draft, null);
  } catch (err) {
    if (err instanceof DraftInvalid) return err.error;
    throw err;
  }
  throw new Error('expected DraftInvalid');
}

describe('intake receive params', () => {
  it('suggests reuse where the store holds the document, without consent', () => {
    const rows = initialComponents(procedure, [cccdDocument]);
    expect(rows.CCCD).toMatchObject({ source: 'reused', reusedDocumentId: 'N:GT-1', consent: false });
    expect(rows.TK).toMatchObject({ source: 'paper', reusedDocumentId: null });
  });

  it('builds params the contract accepts, with the reused document and consent', () => {
    const draft = readyDraft();
    draft.components.CCCD!.consent = true;
    draft.summary = 'Xin cấp phiếu số 1';
    const params = buildReceiveParams(draft, 42);
    expect(params).toMatchObject({
      requestId: draft.requestId,
      procedureCode: '2.000488',
      channel: 'walk-in',
      ticketId: 42,
      delivery: 'desk',
      contactPhone: '0912345678',
      summary: 'Xin cấp phiếu số 1',
      applicant: {
        kind: 'citizen',
        idNumber: '001090012345',
        fullName: 'Nguyễn Văn An',
        birthDate: '1990-07-15',
        sex: 'Nam',
        portalVerified: true,
        email: null,
      },
    });
    expect(params.components).toEqual([
      { componentCode: 'TK', originals: 1, copies: 0, source: 'paper', reusedDocumentId: null, consent: false },
      { componentCode: 'CCCD', originals: 0, copies: 0, source: 'reused', reusedDocumentId: 'N:GT-1', consent: true },
    ]);
    expect(ReceiveParams.safeParse(params).success).toBe(true);
  });

  it('drops a stale document choice from rows that are not reused', () => {
    const draft = readyDraft();
    draft.components.CCCD = { ...draft.components.CCCD!, source: 'to-digitise', consent: true };
    const params = buildReceiveParams(draft, null);
    expect(params.components[1]).toEqual({
      componentCode: 'CCCD',
      originals: 0,
      copies: 0,
      source: 'to-digitise',
      reusedDocumentId: null,
      consent: false,
    });
  });

  it('refuses a reused row without consent, naming the component', () => {
    expect(invalid(readyDraft())).toMatchObject({ code: 'CONSENT_REQUIRED', component: 'Căn cước công dân' });
  });

  it('names the missing field', () => {
    const noName = readyDraft();
    noName.person.fullName = ' ';
    expect(invalid(noName)).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['applicant_fullName'] });
    const noId = readyDraft();
    noId.idNumber = null;
    expect(invalid(noId)).toMatchObject({ code: 'PERSONAL_ID_INVALID', fields: ['applicant_idNumber'] });
    const noProcedure = readyDraft();
    noProcedure.procedure = null;
    expect(invalid(noProcedure)).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['procedureCode'] });
    const badCount = readyDraft();
    badCount.components.TK!.originals = 120;
    expect(invalid(badCount)).toMatchObject({ fields: ['components_originals'] });
  });
});

describe('dates typed by hand', () => {
  it('names a birth date that is not a real date', () => {
    const draft = readyDraft();
    draft.person.birthDate = '31/02/1990';
    expect(invalid(draft)).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['applicant_birthDate'] });
  });
});

describe('intake receive params: a stored person', () => {
  it('carries only the confirmed card changes, and refuses while a differing card waits for the officer', () => {
    const draft = readyDraft();
    draft.components.CCCD!.consent = true;
    expect(buildReceiveParams(draft, null).applicantChanges).toEqual([]);
    draft.confirmedChanges = ['address'];
    const params = buildReceiveParams(draft, null);
    expect(params.applicantChanges).toEqual(['address']);
    expect(ReceiveParams.parse(params).applicantChanges).toEqual(['address']);
    draft.personDiff = [{ field: 'fullName', stored: 'Nguyễn Văn An', scanned: 'Nguyễn Văn Ân', accept: false }];
    expect(invalid(draft)).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['personDiff'] });
  });
});

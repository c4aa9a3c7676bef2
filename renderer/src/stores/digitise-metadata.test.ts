import { describe, expect, it } from 'vitest';
import { DigitisedMetadata } from '../../../common/contract';
import { pendingCccd } from '../testing/digitise-fixtures';
import {
  applyPending,
  buildMetadata,
  emptyMetadataDraft,
  followingDraft,
  setDocumentCode,
  type MetadataDraft,
} from './digitise-metadata';

function filled(): MetadataDraft {
  const draft = emptyMetadataDraft();
  draft.ownerIdNumber = '001203004567';
  draft.ownerName = ' Nguyễn Văn Dũng ';
  setDocumentCode(draft, 'kq0003');
  draft.validUntil = '2036-05-17';
  return draft;
}

function fieldsOf(draft: MetadataDraft): string[] {
  const built = buildMetadata(draft);
  if (built.ok) throw new Error('expected a refusal');
  expect(built.error.code).toBe('VALIDATION_FAILED');
  return built.error.fields ?? [];
}

describe('digitised document metadata', () => {
  it('builds metadata the contract accepts, with empty optional fields as null', () => {
    const built = buildMetadata(filled());
    expect(built).toMatchObject({ ok: true, componentCode: null });
    if (!built.ok) return;
    expect(built.metadata).toEqual({
      ownerIdNumber: '001203004567',
      ownerName: 'Nguyễn Văn Dũng',
      documentCode: 'KQ0003',
      documentName: 'Căn cước công dân',
      dossierCode: null,
      permanent: false,
      validUntil: '2036-05-17',
      issuer: null,
      number: null,
      issuedOn: null,
      summary: null,
      kind: 'component',
      procedureCode: null,
      sectorCode: null,
    });
    expect(DigitisedMetadata.safeParse(built.metadata).success).toBe(true);
  });

  it('needs either "vô thời hạn" or a validity date, and ignores the date when permanent', () => {
    const none = filled();
    none.validUntil = '';
    expect(fieldsOf(none)).toEqual(['metadata_validUntil']);
    const typo = filled();
    typo.validUntil = '31/02/2036';
    expect(fieldsOf(typo)).toEqual(['metadata_validUntil']);
    const permanent = filled();
    permanent.permanent = true;
    expect(buildMetadata(permanent)).toMatchObject({ ok: true, metadata: { permanent: true, validUntil: null } });
  });

  it('names every field to fix, in form order', () => {
    const draft = emptyMetadataDraft();
    draft.documentCode = 'GT01';
    draft.issuedOn = '1/13/2020';
    expect(fieldsOf(draft)).toEqual([
      'metadata_ownerIdNumber',
      'metadata_ownerName',
      'metadata_documentCode',
      'metadata_documentName',
      'metadata_validUntil',
      'metadata_issuedOn',
    ]);
  });

  it('accepts national result-type codes typed by hand', () => {
    const draft = filled();
    draft.documentCode = 'KQ.G15.000031';
    draft.documentName = 'Phiếu lý lịch tư pháp';
    expect(buildMetadata(draft).ok).toBe(true);
  });

  it('fills the document name from the national list without overwriting a name typed by hand', () => {
    const draft = emptyMetadataDraft();
    setDocumentCode(draft, 'KQ0001');
    expect(draft.documentName).toBe('Giấy khai sinh');
    setDocumentCode(draft, 'KQ0010');
    expect(draft.documentName).toBe('Giấy chứng nhận kết hôn');
    draft.documentName = 'Giấy chứng nhận kết hôn (bản sao)';
    setDocumentCode(draft, 'KQ0011');
    expect(draft.documentName).toBe('Giấy chứng nhận kết hôn (bản sao)');
  });

  it('takes owner, document and dossier from a pending component, and sends its code with the dossier only', () => {
    const draft = emptyMetadataDraft();
    applyPending(draft, pendingCccd);
    draft.permanent = true;
    expect(buildMetadata(draft)).toMatchObject({
      ok: true,
      componentCode: 'TP02',
      metadata: {
        ownerIdNumber: '001203004567',
        documentCode: 'KQ0003',
        documentName: 'Căn cước công dân',
        dossierCode: pendingCccd.dossierCode,
        procedureCode: '1.004873',
      },
    });
    draft.dossierCode = '000.00.12.H56-261120-0002';
    expect(buildMetadata(draft)).toMatchObject({ ok: true, componentCode: null });
    draft.dossierCode = '';
    expect(buildMetadata(draft)).toMatchObject({ ok: true, componentCode: null });

    const next = followingDraft(draft);
    expect(next).toMatchObject({
      ownerIdNumber: '001203004567',
      documentCode: '',
      componentCode: null,
      permanent: false,
    });
  });
});

import type { DigitisedDocumentMeta } from '../pdf/xmp';

export const SAMPLE_META: DigitisedDocumentMeta = {
  ownerIdNumber: '079203001234',
  ownerName: 'Nguyễn Văn Dũng',
  documentCode: 'KQ0003',
  documentName: 'Căn cước công dân',
  dossierCode: 'H12.34-250314-0007',
  permanent: false,
  validUntil: '2038-05-12',
  issuer: 'Cục Cảnh sát QLHC về TTXH',
  number: '079203001234',
  issuedOn: '2021-05-12',
  summary: 'Thẻ <CCCD> & "ảnh" chân dung',
  kind: 'component',
  procedureCode: '1.001612',
  sectorCode: 'G15',
  digitisedAt: '2025-03-14T09:30',
  digitiser: 'Lê Thị Hoa',
  agencyName: 'UBND xã Hòa Bình',
};

/** Tags open and close in order and every & starts an entity (enough to catch a broken packet). */
export function wellFormed(xml: string): boolean {
  const stack: string[] = [];
  for (const m of xml.replace(/<\?[\s\S]*?\?>/g, '').matchAll(/<(\/?)([A-Za-z][\w:.-]*)[^>]*?(\/?)>/g)) {
    const [, close, name, selfClose] = m;
    if (selfClose === '/') continue;
    if (close === '/') {
      if (stack.pop() !== name) return false;
    } else stack.push(name!);
  }
  return stack.length === 0 && !/&(?!amp;|lt;|gt;|quot;|apos;)/.test(xml);
}

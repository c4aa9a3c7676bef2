import { describe, expect, it } from 'vitest';
import { SAMPLE_META, wellFormed } from '../testing/meta';
import { buildXmp, parseInstant, xmlEscape } from './xmp';

describe('XMP packet', () => {
  it('carries the mandatory fields, escaped, in well-formed RDF', () => {
    const xmp = buildXmp({
      meta: SAMPLE_META,
      pageCount: 2,
      createdAt: parseInstant(SAMPLE_META.digitisedAt),
      title: 'Căn cước công dân – Nguyễn Văn Dũng',
      keywords: 'KQ0003',
    });
    expect(wellFormed(xmp)).toBe(true);
    expect(xmp.startsWith('<?xpacket begin="\ufeff"')).toBe(true);
    expect(xmp).toContain('xmlns:motcua="urn:motcua-desk:digitised:1"');
    for (const [k, v] of Object.entries({
      convertedFromPaper: 'true',
      ownerIdNumber: '079203001234',
      ownerName: 'Nguyễn Văn Dũng',
      documentCode: 'KQ0003',
      documentName: 'Căn cước công dân',
      digitisedAt: '2025-03-14T09:30:00+07:00',
      dossierCode: 'H12.34-250314-0007',
      permanent: 'false',
      validUntil: '2038-05-12',
      issuer: 'Cục Cảnh sát QLHC về TTXH',
      number: '079203001234',
      issuedOn: '2021-05-12',
      summary: 'Thẻ &lt;CCCD&gt; &amp; &quot;ảnh&quot; chân dung',
      digitiser: 'Lê Thị Hoa',
      kind: 'component',
      procedureCode: '1.001612',
      sectorCode: 'G15',
      pageCount: '2',
      agencyName: 'UBND xã Hòa Bình',
    }))
      expect(xmp).toContain(`<motcua:${k}>${v}</motcua:${k}>`);
    expect(xmp).toContain('<xmp:CreateDate>2025-03-14T09:30:00+07:00</xmp:CreateDate>');
    expect(xmp).toContain('<pdf:Producer>Một Cửa Desk</pdf:Producer>');
    expect(xmp).toMatch(
      /<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Căn cước công dân – Nguyễn Văn Dũng<\/rdf:li>/,
    );
    expect(xmp).toMatch(/<dc:creator><rdf:Seq><rdf:li>UBND xã Hòa Bình<\/rdf:li>/);
  });

  it('leaves out what is not set', () => {
    const xmp = buildXmp({
      meta: { ...SAMPLE_META, validUntil: null, permanent: true, dossierCode: null, summary: null },
      pageCount: 1,
      createdAt: parseInstant('2025-03-14T09:30'),
      title: 't',
      keywords: '',
    });
    expect(xmp).not.toContain('motcua:validUntil');
    expect(xmp).not.toContain('motcua:dossierCode');
    expect(xmp).not.toContain('dc:description');
    expect(xmp).toContain('<motcua:permanent>true</motcua:permanent>');
  });

  it('reads Vietnam local time and ISO times with an offset', () => {
    const local = parseInstant('2025-03-14T09:30');
    expect(local.date.toISOString()).toBe('2025-03-14T02:30:00.000Z');
    expect(local.display).toBe('14/03/2025 09:30');
    expect(parseInstant('2025-03-14T02:30:15Z').xmp).toBe('2025-03-14T02:30:15+00:00');
    expect(() => parseInstant('14/03/2025')).toThrow(RangeError);
    expect(xmlEscape('a<b>&"\'\u0001')).toBe('a&lt;b&gt;&amp;&quot;&apos;');
  });
});

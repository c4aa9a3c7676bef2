import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Person } from '../../common/contract/schemas';
import { openStore, type Store } from './store';
import { personInput, tempDir } from './testing/store-fixtures';

describe('PeopleRepository', () => {
  let temp: ReturnType<typeof tempDir>;
  let store: Store;

  beforeEach(() => {
    temp = tempDir();
    store = openStore({ dataDir: temp.dir });
  });
  afterEach(() => {
    store.close();
    temp.cleanup();
  });

  it('upserts by (kind, idNumber) and round-trips every field', () => {
    const first = store.people.upsert(personInput());
    expect(Person.parse(first)).toEqual(first);
    expect(first).toMatchObject({ ...personInput(), portalVerified: false });
    const updated = store.people.upsert(personInput({ phone: '0987654321', address: 'Phường Bến Nghé' }));
    expect(updated.id).toBe(first.id);
    expect(updated.phone).toBe('0987654321');
    expect(store.people.get(first.id)).toEqual(updated);
    expect(store.people.findByIdNumber('citizen', '001203004567')).toEqual(updated);
    expect(store.people.findByIdNumber('enterprise', '001203004567')).toBeNull();
    const org = store.people.upsert(
      personInput({
        kind: 'enterprise',
        idNumber: '0101234567',
        fullName: 'Công ty TNHH Đông Á',
        sex: null,
        birthDate: null,
      }),
    );
    expect(org.id).not.toBe(first.id);
  });

  it('keeps portal verification once confirmed, until changed explicitly', () => {
    const verified = store.people.upsert(personInput({ portalVerified: true }));
    expect(store.people.upsert(personInput({ phone: '0900000000' })).portalVerified).toBe(true);
    store.people.setPortalVerified(verified.id, false);
    expect(store.people.get(verified.id)?.portalVerified).toBe(false);
  });

  it('refuses a malformed citizen ID at the database', () => {
    expect(() => store.people.upsert(personInput({ idNumber: '123' }))).toThrow(/CHECK/);
  });

  describe('search', () => {
    beforeEach(() => {
      store.people.upsert(personInput({ idNumber: '001203004567', fullName: 'Nguyễn Văn Dũng' }));
      store.people.upsert(
        personInput({ idNumber: '001203004568', fullName: 'Đặng Thị Huệ', oldIdNumber: '012345678' }),
      );
      store.people.upsert(personInput({ idNumber: '079090001234', fullName: 'Lê Thị Hồng Nhung' }));
      store.people.upsert(personInput({ idNumber: '079090001235', fullName: 'Phạm Văn Tiến' }));
      store.people.upsert(personInput({ idNumber: '079090001236', fullName: 'Hoàng Quốc Việt' }));
    });
    const names = (query: string, limit = 20): string[] => store.people.search(query, limit).map((p) => p.fullName);

    it('ignores case and diacritics, including đ/d and letters with two marks', () => {
      expect(names('nguyen van dung')).toEqual(['Nguyễn Văn Dũng']);
      expect(names('NGUYEN VAN D')).toEqual(['Nguyễn Văn Dũng']);
      expect(names('dang')).toEqual(['Đặng Thị Huệ']);
      expect(names('Đặng')).toEqual(['Đặng Thị Huệ']);
      expect(names('hue')).toEqual(['Đặng Thị Huệ']);
      expect(names('hong')).toEqual(['Lê Thị Hồng Nhung']);
      expect(names('tien')).toEqual(['Phạm Văn Tiến']);
      expect(names('viet')).toEqual(['Hoàng Quốc Việt']);
      expect(names('thi').sort()).toEqual(['Lê Thị Hồng Nhung', 'Đặng Thị Huệ'].sort());
    });

    it('matches ID numbers exactly and by prefix, and old IDs exactly', () => {
      expect(names('079090001234')).toEqual(['Lê Thị Hồng Nhung']);
      expect(names('0790900012')).toHaveLength(3);
      expect(names('012345678')).toEqual(['Đặng Thị Huệ']);
    });

    it('treats FTS syntax in the query as plain text, never as an error', () => {
      for (const query of [
        '"',
        '""',
        'nguyen"',
        '*',
        'van*',
        'a:b',
        'text:nguyen',
        '-dung',
        'nguyen -van',
        '(',
        ')',
        '(nguyen',
        'AND',
        'OR',
        'NOT',
        'nguyen AND',
        'NOT dung',
        'nguyen OR dang',
        'NEAR(nguyen van)',
        '^nguyen',
        '{text}: x',
        "'; DROP TABLE people; --",
        '',
        '   ',
        '+',
        '\u0000',
      ]) {
        expect(() => store.people.search(query, 10), query).not.toThrow();
      }
      expect(names('"nguyen" (van) dung*')).toEqual(['Nguyễn Văn Dũng']);
      expect(names('nguyen-van:dung')).toEqual(['Nguyễn Văn Dũng']);
      expect(names('nguyen OR dang')).toEqual([]);
      expect(names('')).toEqual([]);
    });

    it('honours the limit', () => {
      expect(names('079', 2)).toHaveLength(2);
    });

    describe('order', () => {
      beforeEach(() => {
        store.people.upsert(personInput({ idNumber: '036085000111', fullName: 'Trần Nguyễn Văn Dũng' }));
        store.people.upsert(personInput({ idNumber: '036085000112', fullName: 'Nguyễn Văn Dũng Anh' }));
        store.people.upsert(personInput({ idNumber: '036085000113', fullName: 'Nguyễn Văn Dương' }));
        store.people.upsert(personInput({ idNumber: '036085000114', fullName: 'NGUYỄN VĂN DỤNG' }));
        store.people.upsert(
          personInput({ idNumber: '036085000115', fullName: 'Lê Văn Dũng', oldIdNumber: '036085000111' }),
        );
      });

      // [query, limit, expected names in order]
      const cases: [string, number, string[]][] = [
        // exact full name (same fold, by row id), then whole-word continuation, then names elsewhere
        ['nguyen van dung', 20, ['Nguyễn Văn Dũng', 'NGUYỄN VĂN DỤNG', 'Nguyễn Văn Dũng Anh', 'Trần Nguyễn Văn Dũng']],
        ['Nguyễn Văn Dũng', 20, ['Nguyễn Văn Dũng', 'NGUYỄN VĂN DỤNG', 'Nguyễn Văn Dũng Anh', 'Trần Nguyễn Văn Dũng']],
        ['nguyen van dung', 1, ['Nguyễn Văn Dũng']],
        // the start of a name: folded-name order, a longer last word after whole-word matches
        [
          'nguyen van d',
          20,
          ['Nguyễn Văn Dũng', 'NGUYỄN VĂN DỤNG', 'Nguyễn Văn Dũng Anh', 'Nguyễn Văn Dương', 'Trần Nguyễn Văn Dũng'],
        ],
        ['NGUYEN-VAN D', 3, ['Nguyễn Văn Dũng', 'NGUYỄN VĂN DỤNG', 'Nguyễn Văn Dũng Anh']],
        // words not at the start of the name come from the full-text index only: best bm25 first
        // (shorter indexed text ranks higher), equal ranks by folded name
        [
          'van dung',
          20,
          ['Nguyễn Văn Dũng', 'NGUYỄN VĂN DỤNG', 'Lê Văn Dũng', 'Nguyễn Văn Dũng Anh', 'Trần Nguyễn Văn Dũng'],
        ],
        // an exact 12-digit ID first (ID before old ID, each by row id), then prefix matches
        ['036085000111', 20, ['Trần Nguyễn Văn Dũng', 'Lê Văn Dũng']],
        ['036085000113', 20, ['Nguyễn Văn Dương']],
        ['0360 8500 0114', 20, ['NGUYỄN VĂN DỤNG']],
        // an ID prefix: the person matching it twice (ID and old ID) ranks first
        [
          '03608500011',
          20,
          ['Lê Văn Dũng', 'NGUYỄN VĂN DỤNG', 'Nguyễn Văn Dương', 'Nguyễn Văn Dũng Anh', 'Trần Nguyễn Văn Dũng'],
        ],
        ['001203004567', 1, ['Nguyễn Văn Dũng']],
      ];
      it.each(cases)('%s (limit %i)', (query, limit, expected) => {
        expect(names(query, limit)).toEqual(expected);
      });
    });
  });
});

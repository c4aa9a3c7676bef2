import { describe, expect, it } from 'vitest';
import {
  foreignAclEntries,
  parseIcacls,
  restrictArgs,
  restrictDataDirAcl,
  serviceAccount,
  SYSTEM_SID,
} from './windows-acl';

const DIR = 'C:\\Users\\motcua\\AppData\\Roaming\\motcua-desk';

describe('Windows data folder ACL', () => {
  it('grants full control to the service user and SYSTEM only, with inheritance from the profile cut', () => {
    expect(restrictArgs(DIR, 'QUAY1\\motcua')).toEqual([
      DIR,
      '/inheritance:r',
      '/grant:r',
      'QUAY1\\motcua:(OI)(CI)F',
      '/grant:r',
      `${SYSTEM_SID}:(OI)(CI)F`,
    ]);
    expect(serviceAccount({ USERNAME: 'motcua', USERDOMAIN: 'QUAY1' })).toBe('QUAY1\\motcua');
    expect(serviceAccount({ USERNAME: 'motcua' })).toBe('motcua');
  });

  it('runs icacls only on Windows, and lets its failure reach the caller', () => {
    const calls: string[][] = [];
    const run = (file: string, args: string[]) => {
      calls.push([file, ...args]);
      return '';
    };
    expect(restrictDataDirAcl(DIR, { platform: 'linux', run })).toBe(false);
    expect(calls).toEqual([]);
    expect(restrictDataDirAcl(DIR, { platform: 'win32', run, env: { USERNAME: 'motcua', USERDOMAIN: 'QUAY1' } })).toBe(
      true,
    );
    expect(calls).toEqual([['icacls', ...restrictArgs(DIR, 'QUAY1\\motcua')]]);
    expect(() =>
      restrictDataDirAcl(DIR, {
        platform: 'win32',
        run: () => {
          throw new Error('Access is denied.');
        },
      }),
    ).toThrow('Access is denied.');
  });

  it('reads icacls output (first line with the path, then indented lines, then the summary)', () => {
    const output = [
      `${DIR} QUAY1\\motcua:(OI)(CI)(F)`,
      '                                          NT AUTHORITY\\SYSTEM:(OI)(CI)(F)',
      '                                          BUILTIN\\Administrators:(I)(OI)(CI)(F)',
      '                                          Everyone:(I)(RX)',
      '',
      'Successfully processed 1 files; Failed processing 0 files',
    ].join('\r\n');
    const entries = parseIcacls(output, DIR);
    expect(entries.map((e) => e.principal)).toEqual([
      'QUAY1\\motcua',
      'NT AUTHORITY\\SYSTEM',
      'BUILTIN\\Administrators',
      'Everyone',
    ]);
    expect(foreignAclEntries(entries, 'QUAY1\\motcua')).toEqual([{ principal: 'Everyone', rights: '(I)(RX)' }]);
  });

  it('another user of the same machine is foreign, the same user named without its domain is not', () => {
    const entries = [
      { principal: 'QUAY1\\khach', rights: '(R)' },
      { principal: 'motcua', rights: '(F)' },
    ];
    expect(foreignAclEntries(entries, 'QUAY1\\motcua')).toEqual([{ principal: 'QUAY1\\khach', rights: '(R)' }]);
  });
});

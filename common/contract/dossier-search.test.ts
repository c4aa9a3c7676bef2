import { describe, expect, it } from 'vitest';
import { contract } from './methods';

const params = contract['dossier.search'].params;

describe('dossier.search params', () => {
  it('takes a query, a day range and a status, with the defaults filled', () => {
    expect(params.parse({ query: 'nguyen' })).toEqual({ query: 'nguyen', limit: 50 });
    expect(params.parse({ receivedFrom: '2026-11-01', receivedTo: '2026-11-30', status: 3 })).toEqual({
      query: '',
      limit: 50,
      receivedFrom: '2026-11-01',
      receivedTo: '2026-11-30',
      status: 3,
    });
    expect(params.parse({ receivedFrom: '2026-11-20', receivedTo: '2026-11-20' }).receivedTo).toBe('2026-11-20');
  });

  it('refuses nothing to search by, a range the wrong way round, and malformed filters', () => {
    for (const bad of [
      {},
      { query: '   ' },
      { receivedFrom: '2026-11-21', receivedTo: '2026-11-20' },
      { receivedFrom: '20/11/2026' },
      { status: 0 },
      { status: 11 },
      { query: 'x'.repeat(101) },
    ]) {
      expect(params.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});

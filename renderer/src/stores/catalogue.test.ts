// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { ProcedureSummary } from '../../../common/contract';
import { setApiForTests } from '../api';
import { setupHarness } from '../testing/mount';
import { useCatalogueStore } from './catalogue';

afterEach(() => setApiForTests(null));

const summary = (code: string, name: string): ProcedureSummary => ({
  code,
  name,
  sectorCode: 'HT',
  sectorName: 'Hộ tịch',
});

describe('procedure search', () => {
  it('keeps the answer to the newest query when an older one answers later', async () => {
    const answers = new Map<string, (found: ProcedureSummary[]) => void>();
    setupHarness({
      'catalogue.search': ({ query }) => new Promise<ProcedureSummary[]>((resolve) => answers.set(query, resolve)),
    });
    const catalogue = useCatalogueStore();
    catalogue.search('khai');
    const slow = catalogue.flush();
    catalogue.search('khai sinh');
    const fast = catalogue.flush();
    await new Promise((r) => setTimeout(r, 0));
    answers.get('khai sinh')!([summary('1.001', 'Đăng ký khai sinh')]);
    await fast;
    expect(catalogue.results.map((r) => r.code)).toEqual(['1.001']);
    expect(catalogue.searching).toBe(false);
    answers.get('khai')!([summary('2.002', 'Đăng ký khai tử'), summary('1.001', 'Đăng ký khai sinh')]);
    await slow;
    expect(catalogue.results.map((r) => r.code)).toEqual(['1.001']);
    expect(catalogue.searching).toBe(false);
  });
});

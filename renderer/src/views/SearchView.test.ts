// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import type { DossierSummary, ParamsOf, Person } from '../../../common/contract';
import { setApiForTests } from '../api';
import { useDocumentsStore } from '../stores/documents';
import { SEARCH_DEBOUNCE_MS } from '../stores/search';
import { useSessionStore } from '../stores/session';
import { FakeFailure } from '../testing/fake-api';
import { dossier } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import SearchView from './SearchView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const person: Person = { ...dossier().applicant };
const first: DossierSummary = dossier();
const second: DossierSummary = dossier({
  id: 2,
  code: '000.00.12.H56-250716-0003',
  status: 5,
  receivedAt: '2025-07-16T10:00',
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deferred<T>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((res) => {
    resolve = res;
  });
  return { promise, resolve };
}

function harness(handlers: Parameters<typeof setupHarness>[0] = {}) {
  const h = setupHarness({
    'applicant.search': () => [person],
    'dossier.search': () => [first, second],
    ...handlers,
  });
  return h;
}

async function mounted(h: ReturnType<typeof harness>) {
  await h.router.push('/');
  const wrapper = mountWith(SearchView, h);
  await settle();
  return wrapper;
}

describe('search screen', () => {
  it('focuses the query field, explains what to type, and searches nothing yet', async () => {
    const h = harness();
    const wrapper = await mounted(h);
    expect(document.activeElement).toBe(wrapper.get('[data-testid="search-query"]').element);
    expect(wrapper.get('[data-testid="search-idle"]').text()).toContain('Nhập từ khóa');
    expect(h.fake.calls).toHaveLength(0);
  });

  it('Enter searches people and dossiers at once; arrows move in the results and Enter opens a dossier', async () => {
    const h = harness();
    const wrapper = await mounted(h);
    const field = wrapper.get('[data-testid="search-query"]');
    await field.setValue('nguyen van');
    await field.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.fake.callsOf('applicant.search')[0]?.params).toEqual({ query: 'nguyen van', limit: 20 });
    expect(h.fake.callsOf('dossier.search')[0]?.params).toEqual({ query: 'nguyen van', limit: 50 });
    expect(wrapper.get('[data-testid="search-person-001090012345"]').text()).toContain('Nguyễn Văn An');
    expect(wrapper.get('[data-testid="search-status-000.00.12.H56-250716-0003"]').text()).toBe(
      'Yêu cầu bổ sung giấy tờ',
    );

    await field.trigger('keydown', { key: 'ArrowDown' });
    await settle();
    expect(document.activeElement).toBe(wrapper.get('[data-testid="search-person-001090012345"]').element);
    await wrapper.get('[data-testid="search-person-001090012345"]').trigger('keydown', { key: 'ArrowDown' });
    await settle();
    const dossierRow = wrapper.get(`[data-testid="search-dossier-${first.code}"]`);
    expect(document.activeElement).toBe(dossierRow.element);
    await dossierRow.trigger('keydown', { key: 'ArrowUp' });
    await settle();
    await wrapper.get('[data-testid="search-person-001090012345"]').trigger('keydown', { key: 'ArrowUp' });
    expect(document.activeElement).toBe(field.element);

    await dossierRow.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.router.currentRoute.value.path).toBe(`/dossier/${first.code}`);
  });

  it('opens a person in the documents view for a digitiser, and as their dossiers for an officer', async () => {
    const h = harness({ 'documents.search': () => [] });
    useSessionStore().user = { username: 'sohoa1', displayName: 'x', role: 'digitiser' };
    const wrapper = await mounted(h);
    await wrapper.get('[data-testid="search-query"]').setValue('001090012345');
    await wrapper.get('[data-testid="search-query"]').trigger('keydown', { key: 'Enter' });
    await settle();
    await wrapper.get('[data-testid="search-person-001090012345"]').trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/documents');
    expect(useDocumentsStore().query).toBe('001090012345');
    expect(h.fake.callsOf('documents.search')[0]?.params).toEqual({ query: '001090012345', limit: 50 });

    const o = harness();
    useSessionStore().user = { username: 'canbo1', displayName: 'x', role: 'officer' };
    const officerView = await mounted(o);
    await officerView.get('[data-testid="search-query"]').setValue('nguyen van an');
    await officerView.get('[data-testid="search-query"]').trigger('keydown', { key: 'Enter' });
    await settle();
    await officerView.get('[data-testid="search-person-001090012345"]').trigger('click');
    await settle();
    expect(o.router.currentRoute.value.path).toBe('/');
    expect(o.fake.callsOf('dossier.search').at(-1)?.params).toEqual({ query: '001090012345', limit: 50 });
  });

  it('sends the date range and status; dossiers only then, and an empty result is explained', async () => {
    const h = harness({ 'dossier.search': () => [] });
    const wrapper = await mounted(h);
    // Days typed the Vietnamese way, whatever the system locale.
    await wrapper.get('[data-testid="search-from"]').setValue('01/07/2025');
    await wrapper.get('[data-testid="search-from"]').trigger('change');
    await wrapper.get('[data-testid="search-to"]').setValue('31/07/2025');
    await wrapper.get('[data-testid="search-to"]').trigger('keydown', { key: 'Enter' });
    expect((wrapper.get('[data-testid="search-to"]').element as HTMLInputElement).value).toBe('31/07/2025');
    await wrapper.get('[data-testid="search-status"]').setValue('5');
    await wrapper.get('[data-testid="search-status"]').trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.fake.callsOf('dossier.search').at(-1)?.params).toEqual({
      query: '',
      limit: 50,
      receivedFrom: '2025-07-01',
      receivedTo: '2025-07-31',
      status: 5,
    });
    expect(h.fake.callsOf('applicant.search')).toHaveLength(0);
    expect(wrapper.get('[data-testid="search-empty"]').text()).toContain('bộ lọc');

    // A range the wrong way round, or a day that is not a date, is explained and not sent.
    const before = h.fake.calls.length;
    await wrapper.get('[data-testid="search-from"]').setValue('01/08/2025');
    await wrapper.get('[data-testid="search-from"]').trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.find('[data-testid="search-range-invalid"]').exists()).toBe(true);
    await wrapper.get('[data-testid="search-from"]').setValue('31/02/2025');
    await wrapper.get('[data-testid="search-from"]').trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.get('[data-testid="search-date-invalid"]').text()).toContain('ngày/tháng/năm');
    expect(wrapper.find('[data-testid="search-range-invalid"]').exists()).toBe(false);
    expect(h.fake.calls.length).toBe(before);

    // Esc clears the query and the filters.
    await wrapper.get('[data-testid="search-query"]').trigger('keydown', { key: 'Escape' });
    expect((wrapper.get('[data-testid="search-status"]').element as HTMLSelectElement).value).toBe('');
    expect(wrapper.find('[data-testid="search-range-invalid"]').exists()).toBe(false);
  });

  it('shows progress while searching, and only the answer to the latest query when typing fast', async () => {
    const slow = deferred<DossierSummary[]>();
    const h = harness({
      'applicant.search': () => [],
      'dossier.search': (p: ParamsOf<'dossier.search'>) => (p.query === 'ng' ? slow.promise : [second]),
    });
    const wrapper = await mounted(h);
    const field = wrapper.get('[data-testid="search-query"]');
    await field.setValue('ng');
    await field.trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.get('[data-testid="search-progress"]').text()).toBe('Đang tìm…');
    await field.setValue('nguyen');
    await wait(SEARCH_DEBOUNCE_MS + 20);
    await settle();
    expect(wrapper.find(`[data-testid="search-dossier-${second.code}"]`).exists()).toBe(true);
    slow.resolve([first]);
    await settle();
    expect(wrapper.find(`[data-testid="search-dossier-${first.code}"]`).exists()).toBe(false);
    expect(wrapper.find('[data-testid="search-progress"]').exists()).toBe(false);
  });

  it('explains a failure with its code', async () => {
    const h = harness({
      'dossier.search': () => {
        throw new FakeFailure('STORE_FAILURE');
      },
    });
    const wrapper = await mounted(h);
    await wrapper.get('[data-testid="search-query"]').setValue('a');
    await wrapper.get('[data-testid="search-query"]').trigger('keydown', { key: 'Enter' });
    await settle();
    expect(wrapper.text()).toContain('Không ghi được dữ liệu');
    expect(wrapper.text()).toContain('STORE_FAILURE');
    expect(wrapper.find('[data-testid="search-empty"]').exists()).toBe(false);
  });
});

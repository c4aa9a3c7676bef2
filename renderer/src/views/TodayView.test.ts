// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { createAppI18n } from '../locales';
import { filterDossiers } from '../stores/today';
import { dossier } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import TodayView from './TodayView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const list = [
  dossier(),
  dossier({
    id: 2,
    code: '000.00.12.H56-250715-0002',
    applicantName: 'Trần Thị Bích',
    procedureName: 'Đăng ký khai sinh',
    status: 5,
    sync: { national: 'dead', provincial: 'retrying' },
  }),
];

describe("today's list", () => {
  it('filters without diacritics', () => {
    expect(filterDossiers(list, 'tran thi').map((d) => d.id)).toEqual([2]);
    expect(filterDossiers(list, 'KHAI SINH').map((d) => d.id)).toEqual([2]);
    expect(filterDossiers(list, 'nguyen ly lich').map((d) => d.id)).toEqual([1]);
    expect(filterDossiers(list, '')).toHaveLength(2);
  });

  it('shows status names and sync badges, and opens a dossier with Enter', async () => {
    const h = setupHarness({ 'dossier.listToday': () => list });
    await h.router.push('/today');
    const wrapper = mountWith(TodayView, h);
    await settle();
    expect(h.fake.callsOf('dossier.listToday')).toHaveLength(1);
    const second = wrapper.get('[data-testid="today-row-000.00.12.H56-250715-0002"]');
    expect(second.text()).toContain('Yêu cầu bổ sung giấy tờ');
    expect(second.text()).toContain('Lỗi');
    expect(second.text()).toContain('Đang thử lại');
    expect(wrapper.get('[data-testid="today-row-000.00.12.H56-250715-0001"]').text()).toContain('Chờ đồng bộ');

    await wrapper.get('[data-testid="today-search"]').setValue('bich');
    expect(wrapper.findAll('[data-today-row]')).toHaveLength(1);
    await wrapper.get('[data-testid="today-row-000.00.12.H56-250715-0002"]').trigger('keydown', { key: 'Enter' });
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/dossier/000.00.12.H56-250715-0002');
  });

  it('names the statuses in English in the English UI', async () => {
    const h = setupHarness({ 'dossier.listToday': () => list });
    await h.router.push('/today');
    const wrapper = mountWith(TodayView, h, { global: { plugins: [h.pinia, createAppI18n('en'), h.router] } });
    await settle();
    expect(wrapper.get('[data-testid="today-status-000.00.12.H56-250715-0002"]').text()).toBe(
      'Additional papers requested',
    );
    expect(wrapper.text()).not.toContain('Yêu cầu bổ sung giấy tờ');
    wrapper.unmount();
  });
});

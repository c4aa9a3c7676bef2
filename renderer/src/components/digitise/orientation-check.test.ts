// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../../api';
import { batchPage, batchView, pendingCccd, scanners } from '../../testing/digitise-fixtures';
import { mountWith, settle, setupHarness } from '../../testing/mount';
import DigitiserView from '../../views/DigitiserView.vue';

enableAutoUnmount(afterEach);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const openBatch = {
  batchId: 'b-1',
  state: 'ready',
  source: 'scanner',
  createdAt: '2026-11-20T09:00',
  officer: 'sohoa',
  lastError: null,
  pages: 3,
} as const;

describe('digitisation station: pages whose orientation the station could not tell', () => {
  it('marks them in the grid and explains in the preview what to do; other pages carry no mark', async () => {
    const view = batchView([
      batchPage(0),
      batchPage(1, { orientationCheck: true }),
      batchPage(2, { orientationCheck: false }),
    ]);
    const h = setupHarness({
      'digitise.scanners': () => scanners,
      'digitise.openBatches': () => [openBatch],
      'digitise.pending': () => [pendingCccd],
      'digitise.batch': () => view,
    });
    const wrapper = mountWith(DigitiserView, h);
    await settle();
    await wrapper.get('[data-testid="open-batch-b-1"]').trigger('click');
    await settle();

    expect(wrapper.find('[data-testid="page-orientation-check-0"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="page-orientation-check-2"]').exists()).toBe(false);
    const badge = wrapper.get('[data-testid="page-orientation-check-1"]');
    expect(badge.text()).toBe('Kiểm tra chiều trang');
    expect(badge.attributes('title')).toContain('Shift+R');

    await wrapper.get('[data-testid="page-1"]').trigger('click');
    await settle();
    expect(wrapper.get('[data-testid="page-preview-orientation-check"]').text()).toContain('xoay bằng R hoặc Shift+R');
    await wrapper.get('[data-testid="page-0"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="page-preview-orientation-check"]').exists()).toBe(false);
  });
});

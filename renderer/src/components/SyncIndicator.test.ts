// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { useAppStore } from '../stores/app';
import { mountWith, settle, setupHarness } from '../testing/mount';
import SyncIndicator from './SyncIndicator.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const overview = (dead: number, lastError: string | null = null) => ({
  pending: 0,
  retrying: 0,
  sent: 10,
  dead,
  lastError,
});

describe('sync indicator', () => {
  it('announces rows that stopped during the session until the sync screen is opened', async () => {
    const h = setupHarness();
    await h.router.push('/today');
    const app = useAppStore();
    app.sync = overview(1);
    const wrapper = mountWith(SyncIndicator, h);
    await settle();
    // Dead letters from before are counted, not announced again.
    expect(wrapper.get('[data-testid="sync-indicator"]').text()).toBe('Đồng bộ: Lỗi: 1');
    expect(wrapper.find('[data-testid="sync-new-dead"]').exists()).toBe(false);

    app.sync = overview(3, 'DongBoHoSoMC rejected: [error_code -3] MaTTHC 9.999999 không hợp lệ');
    await settle();
    const notice = wrapper.get('[data-testid="sync-new-dead"]');
    expect(notice.text()).toContain('2 mục mới không gửi được');
    expect(notice.attributes('role')).toBe('alert');
    expect(wrapper.get('[data-testid="sync-indicator"]').attributes('title')).toContain('MaTTHC 9.999999 không hợp lệ');

    await h.router.push('/sync');
    await settle();
    expect(wrapper.find('[data-testid="sync-new-dead"]').exists()).toBe(false);
    await h.router.push('/today');
    app.sync = overview(4);
    await settle();
    expect(wrapper.get('[data-testid="sync-new-dead"]').text()).toContain('1 mục mới');
  });
});

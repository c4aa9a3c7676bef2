// @vitest-environment happy-dom
import { enableAutoUnmount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import App from '../App.vue';
import type { Role } from '../../../common/contract';
import { useSearchStore } from '../stores/search';
import { useSessionStore } from '../stores/session';
import { appInfo } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';

enableAutoUnmount(afterEach);
afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

async function mountAs(role: Role) {
  const h = setupHarness({
    'app.info': () => appInfo,
    'auth.me': () => ({ username: 'u', displayName: 'Người dùng', role }),
    'sync.overview': () => ({ pending: 0, retrying: 0, dead: 0, sent: 0, lastError: null }),
  });
  await useSessionStore().refresh();
  await h.router.push('/today');
  const wrapper = mountWith(App, h);
  await settle();
  return { h, wrapper };
}

describe('navigation to the digitisation station', () => {
  it('gives digitisers "Số hóa" (Alt+3) and "Tra cứu tài liệu" (Alt+4)', async () => {
    const { h, wrapper } = await mountAs('digitiser');
    expect(wrapper.find('[data-testid="nav-intake"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="nav-digitise"]').text()).toContain('Số hóa');
    expect(wrapper.get('[data-testid="nav-digitise"]').text()).toContain('Alt+3');
    expect(wrapper.get('[data-testid="nav-documents"]').text()).toContain('Tra cứu tài liệu');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', code: 'Digit3', altKey: true, cancelable: true }));
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/digitise');
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '4', code: 'Digit4', altKey: true, cancelable: true }));
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/documents');
  });

  it('shows supervisors both intake and digitisation, and officers no digitisation', async () => {
    const supervisor = await mountAs('supervisor');
    expect(supervisor.wrapper.find('[data-testid="nav-intake"]').exists()).toBe(true);
    expect(supervisor.wrapper.find('[data-testid="nav-digitise"]').exists()).toBe(true);
    supervisor.wrapper.unmount();
    const officer = await mountAs('officer');
    expect(officer.wrapper.find('[data-testid="nav-digitise"]').exists()).toBe(false);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '3', code: 'Digit3', altKey: true, cancelable: true }));
    await settle();
    expect(officer.h.router.currentRoute.value.path).toBe('/today');
  });
});

describe('navigation to the search screen', () => {
  it('shows "Tra cứu" (Alt+7) to every role and Alt+7 opens it', async () => {
    for (const role of ['officer', 'digitiser'] as const) {
      const { h, wrapper } = await mountAs(role);
      expect(wrapper.get('[data-testid="nav-search"]').text()).toContain('Tra cứu');
      expect(wrapper.get('[data-testid="nav-search"]').text()).toContain('Alt+7');
      window.dispatchEvent(new KeyboardEvent('keydown', { key: '7', code: 'Digit7', altKey: true, cancelable: true }));
      await settle();
      expect(h.router.currentRoute.value.path).toBe('/search');
      wrapper.unmount();
    }
  });

  it('forgets the search on logout', async () => {
    const { h, wrapper } = await mountAs('officer');
    h.fake.handlers['auth.logout'] = () => ({ done: true as const });
    const search = useSearchStore();
    search.setQuery('001203004567');
    await wrapper.get('[data-testid="logout"]').trigger('click');
    await settle();
    expect(search.query).toBe('');
  });
});

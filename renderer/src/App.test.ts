// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from './api';
import { setConnectionState } from './api/connection';
import App from './App.vue';
import { useSessionStore } from './stores/session';
import { appInfo } from './testing/fixtures';
import { mountWith, settle, setupHarness } from './testing/mount';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const overview = { pending: 2, retrying: 1, dead: 0, sent: 5, lastError: null };

describe('app shell', () => {
  it('shows the training banner, agency, counter, user and sync state', async () => {
    const h = setupHarness({
      'app.info': () => appInfo,
      'auth.me': () => ({ username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' }),
      'sync.overview': () => overview,
    });
    await useSessionStore().refresh();
    const wrapper = mountWith(App, h);
    await settle();
    expect(wrapper.get('[data-testid="training-banner"]').text()).toContain('ĐÀO TẠO');
    expect(wrapper.get('[data-testid="agency-name"]').text()).toBe('UBND xã Hòa Bình (đào tạo)');
    expect(wrapper.get('[data-testid="counter-name"]').text()).toContain('Quầy số 1');
    expect(wrapper.get('[data-testid="current-user"]').text()).toContain('Nguyễn Thị Cán Bộ');
    expect(wrapper.get('[data-testid="sync-indicator"]').text()).toContain('Chờ đồng bộ: 2');

    h.fake.emit('sync.progress', { ...overview, pending: 0, retrying: 0 });
    await settle();
    expect(wrapper.get('[data-testid="sync-indicator"]').text()).toContain('Đã đồng bộ');
    wrapper.unmount();
  });

  it('has no banner outside training mode and shows a notice when the core link drops', async () => {
    const h = setupHarness({ 'app.info': () => ({ ...appInfo, trainingMode: false }), 'auth.me': () => null });
    const wrapper = mountWith(App, h);
    await settle();
    expect(wrapper.find('[data-testid="training-banner"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="connection-lost"]').exists()).toBe(false);
    setConnectionState('reconnecting');
    await settle();
    expect(wrapper.get('[data-testid="connection-lost"]').text()).toContain('Mất kết nối với lõi ứng dụng');
    setConnectionState('open');
    await settle();
    expect(wrapper.find('[data-testid="connection-lost"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

describe('wall screens', () => {
  it('leave the core-link notice to the screen itself (the kiosk says it stopped issuing numbers)', async () => {
    const h = setupHarness({ 'app.info': () => ({ ...appInfo, trainingMode: false }), 'auth.me': () => null });
    await h.router.push('/display');
    const wrapper = mountWith(App, h);
    await settle();
    setConnectionState('reconnecting');
    await settle();
    expect(wrapper.find('[data-testid="connection-lost"]').exists()).toBe(false);
    await h.router.push('/intake');
    await settle();
    expect(wrapper.get('[data-testid="connection-lost"]').text()).toContain('Mất kết nối với lõi ứng dụng');
    setConnectionState('open');
    wrapper.unmount();
  });
});

describe('session expiry', () => {
  it('returns to login when a call is refused with UNAUTHENTICATED, keeping the draft', async () => {
    const { FakeFailure } = await import('./testing/fake-api');
    const { useQueueStore } = await import('./stores/queue');
    const { useIntakeStore } = await import('./stores/intake');
    const h = setupHarness({
      'app.info': () => appInfo,
      'auth.me': () => ({ username: 'canbo1', displayName: 'Cán Bộ', role: 'officer' }),
      'sync.overview': () => overview,
      'queue.state': () => {
        throw new FakeFailure('UNAUTHENTICATED');
      },
    });
    await useSessionStore().refresh();
    await h.router.push('/intake');
    useIntakeStore().draft.summary = 'giữ lại';
    const wrapper = mountWith(App, h);
    await settle();
    await useQueueStore().load();
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/login');
    expect(h.router.currentRoute.value.query.next).toBe('/intake');
    expect(useIntakeStore().draft.summary).toBe('giữ lại');
    wrapper.unmount();
  });
});

// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ResultOf } from '../../../common/contract';
import { api, setApiForTests } from '../api';
import App from '../App.vue';
import { useSessionStore } from '../stores/session';
import { FakeFailure, type FakeHandlers } from '../testing/fake-api';
import { appInfo } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import KioskView from '../views/KioskView.vue';

/**
 * A wall screen in the whole app (docs/architecture.md, "Sessions"): it narrows its session on
 * mount, never shows the lock screen (neither for its own idle time nor for a refusal), and when
 * its session ends it shows its own notice to sign in again, not a password field.
 */
afterEach(() => {
  vi.useRealTimers();
  setApiForTests(null);
  document.body.innerHTML = '';
});

const officer = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' as const };
const setup: ResultOf<'queue.setup'> = {
  services: [{ code: 'HO-TICH', name: 'Hộ tịch', prefix: 'A', procedures: [] }],
  counters: [{ id: 'Q01', name: 'Quầy 1', services: ['HO-TICH'] }],
  priority: { mode: 'first' },
  deskCounter: 'Q01',
};
const board: ResultOf<'queue.board'> = { day: '2026-12-07', counters: [], waiting: [] };

async function mountKiosk(handlers: FakeHandlers, tick: () => Promise<unknown> = settle) {
  const h = setupHarness({
    'app.info': () => ({ ...appInfo, session: { idleTimeoutMinutes: 15, maxHours: 12 } }),
    'auth.me': () => officer,
    'auth.lock': () => ({ done: true as const }),
    'auth.logout': () => ({ done: true as const }),
    'auth.wallScreen': ({ screen }) => ({ screen }),
    'queue.setup': () => setup,
    'queue.board': () => board,
    ...handlers,
  });
  h.router.addRoute({ path: '/wall-kiosk', name: 'wall-kiosk', component: KioskView, meta: { bare: true } });
  await useSessionStore().refresh();
  await h.router.push('/wall-kiosk');
  const wrapper = mountWith(App, h);
  await tick();
  return { h, wrapper };
}

describe('wall screen gate', () => {
  it('narrows the session on mount and never locks for its own idle time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const { h, wrapper } = await mountKiosk({}, () => vi.advanceTimersByTimeAsync(10));
    expect(h.fake.callsOf('auth.wallScreen').map((c) => c.params)).toEqual([{ screen: 'kiosk' }]);
    // The router keeps the tab on this screen from now on (router/index.ts).
    expect(useSessionStore().wallScreen).toBe('/wall-kiosk');
    await vi.advanceTimersByTimeAsync(40 * 60_000);
    expect(h.fake.callsOf('auth.lock')).toEqual([]);
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="wall-sign-in-needed"]').exists()).toBe(false);
    // The narrowing is repeated while it runs (a session ended elsewhere shows within a minute).
    expect(h.fake.callsOf('auth.wallScreen').length).toBeGreaterThanOrEqual(40);
    wrapper.unmount();
  });

  it('an expired session shows the notice, not the lock screen; the officer’s button signs out and opens the login', async () => {
    const { h, wrapper } = await mountKiosk({
      'queue.takeTicket': () => {
        throw new FakeFailure('SESSION_EXPIRED');
      },
    });
    await wrapper.get('[data-testid="kiosk-service-HO-TICH"]').trigger('click');
    await settle();
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="app-content"]').attributes('inert')).toBeUndefined();
    const notice = wrapper.get('[data-testid="wall-sign-in-needed"]');
    expect(notice.text()).toContain('cần đăng nhập lại');
    expect(notice.find('input[type="password"]').exists()).toBe(false);
    await wrapper.get('[data-testid="wall-sign-in"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('auth.logout')).toHaveLength(1);
    expect(h.router.currentRoute.value.path).toBe('/login');
    expect(h.router.currentRoute.value.query.next).toBe('/wall-kiosk');
    wrapper.unmount();
  });

  it('a session revoked while the screen is quiet is found by the repeated narrowing; the screen stays, with the notice', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    let revoked = false;
    const { h, wrapper } = await mountKiosk(
      {
        'auth.wallScreen': ({ screen }) => {
          if (revoked) throw new FakeFailure('SESSION_REVOKED');
          return { screen };
        },
      },
      () => vi.advanceTimersByTimeAsync(10),
    );
    revoked = true;
    await vi.advanceTimersByTimeAsync(61_000);
    expect(h.router.currentRoute.value.path).toBe('/wall-kiosk');
    expect(wrapper.get('[data-testid="wall-sign-in-needed"]').text()).toContain('báo cán bộ');
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('a refusal outside the screen (another wall screen in this window) shows the notice; SESSION_LOCKED never shows the lock screen', async () => {
    const { wrapper } = await mountKiosk({
      'auth.wallScreen': () => {
        throw new FakeFailure('FORBIDDEN');
      },
      'queue.board': () => {
        throw new FakeFailure('SESSION_LOCKED');
      },
    });
    await api.queue.board().catch(() => undefined);
    await settle();
    expect(wrapper.find('[data-testid="wall-sign-in-needed"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    wrapper.unmount();
  });
});

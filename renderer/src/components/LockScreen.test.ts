// @vitest-environment happy-dom
import { afterEach, describe, expect, it, vi } from 'vitest';
import { defineComponent, h as render } from 'vue';
import { setApiForTests } from '../api';
import App from '../App.vue';
import { useSessionStore } from '../stores/session';
import { FakeFailure, type FakeHandlers } from '../testing/fake-api';
import { appInfo } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';

afterEach(() => {
  vi.useRealTimers();
  setApiForTests(null);
  document.body.innerHTML = '';
});

const officer = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' as const };
const overview = { pending: 0, retrying: 0, dead: 0, sent: 0, lastError: null };
/** A screen with a field, standing in for a half-typed intake form. */
const DraftView = defineComponent({ render: () => render('input', { 'data-testid': 'draft-field' }) });

async function mountApp(handlers: FakeHandlers, tick: () => Promise<unknown> = settle) {
  const h = setupHarness({
    'app.info': () => ({ ...appInfo, session: { idleTimeoutMinutes: 15, maxHours: 12 } }),
    'auth.me': () => officer,
    'sync.overview': () => overview,
    'auth.lock': () => ({ done: true as const }),
    'auth.logout': () => ({ done: true as const }),
    ...handlers,
  });
  h.router.addRoute({ path: '/draft', component: DraftView });
  await useSessionStore().refresh();
  await h.router.push('/draft');
  const wrapper = mountWith(App, h);
  await tick();
  const draft = wrapper.get<HTMLInputElement>('[data-testid="draft-field"]');
  await draft.setValue('Nguyễn Văn Dũng 0012030');
  return { h, wrapper, draft };
}

describe('lock screen', () => {
  it('covers the screen when a call answers SESSION_LOCKED; a wrong password says so; the right one opens it with the draft as typed', async () => {
    let unlockTries = 0;
    const { h, wrapper, draft } = await mountApp({
      'queue.state': () => {
        throw new FakeFailure('SESSION_LOCKED');
      },
      'auth.unlock': ({ password }) => {
        unlockTries += 1;
        if (password !== 'dung-mat-khau') throw new FakeFailure('PASSWORD_INCORRECT');
        return officer;
      },
    });
    const { api } = await import('../api');
    await api.queue.state().catch(() => undefined);
    await settle();
    const lock = wrapper.get('[data-testid="lock-screen"]');
    expect(lock.get('[data-testid="lock-user"]').text()).toContain('Nguyễn Thị Cán Bộ');
    const content = wrapper.get('[data-testid="app-content"]');
    expect(content.classes()).toContain('locked-away');
    expect(content.attributes('inert')).toBeDefined();
    expect(document.activeElement?.getAttribute('data-testid')).toBe('lock-password');

    // Esc does nothing; a page shortcut does not reach the page.
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', cancelable: true }));
    window.dispatchEvent(new KeyboardEvent('keydown', { key: '2', code: 'Digit2', altKey: true, cancelable: true }));
    await settle();
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(true);
    expect(h.router.currentRoute.value.path).toBe('/draft');

    await wrapper.get('[data-testid="lock-password"]').setValue('sai');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="lock-error"]').text()).toBe(
      'Mật khẩu không đúng. Sau mỗi lần sai, lần thử tiếp theo phải chờ lâu hơn.',
    );
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(true);

    await wrapper.get('[data-testid="lock-password"]').setValue('dung-mat-khau');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(unlockTries).toBe(2);
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    expect(content.classes()).not.toContain('locked-away');
    expect(draft.element.value).toBe('Nguyễn Văn Dũng 0012030');
    wrapper.unmount();
  });

  it('locks by itself after the idle time from app.info and tells the core (auth.lock)', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
    const { h, wrapper } = await mountApp({}, () => vi.advanceTimersByTimeAsync(10));
    await vi.advanceTimersByTimeAsync(14 * 60_000);
    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
    await vi.advanceTimersByTimeAsync(14 * 60_000);
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    expect(h.fake.callsOf('auth.lock')).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(2 * 60_000);
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(true);
    expect(h.fake.callsOf('auth.lock')).toHaveLength(1);
    wrapper.unmount();
  });

  it('an expired session signs the same user in again on the lock screen, keeping the draft', async () => {
    const { h, wrapper, draft } = await mountApp({
      'queue.state': () => {
        throw new FakeFailure('SESSION_EXPIRED');
      },
      'auth.login': ({ username }) => ({ ...officer, username }),
    });
    const { api } = await import('../api');
    await api.queue.state().catch(() => undefined);
    await settle();
    expect(wrapper.get('#lock-title').text()).toBe('Phiên làm việc đã hết hạn');
    await wrapper.get('[data-testid="lock-password"]').setValue('dung-mat-khau');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(h.fake.callsOf('auth.login')).toEqual([
      { method: 'auth.login', params: { username: 'canbo1', password: 'dung-mat-khau' } },
    ]);
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    expect(draft.element.value).toBe('Nguyễn Văn Dũng 0012030');
    wrapper.unmount();
  });

  it('"Đăng xuất" on the lock screen signs out to the login screen', async () => {
    const { h, wrapper } = await mountApp({});
    await useSessionStore().lockNow();
    await settle();
    await wrapper.get('[data-testid="lock-logout"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('auth.logout')).toHaveLength(1);
    expect(h.router.currentRoute.value.path).toBe('/login');
    expect(wrapper.find('[data-testid="lock-screen"]').exists()).toBe(false);
    wrapper.unmount();
  });

  it('a revoked session (a refusal or the core’s session.ended) goes to the login screen, which says why', async () => {
    const { h, wrapper } = await mountApp({});
    h.fake.emit('session.ended', { code: 'SESSION_REVOKED' });
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/login');
    expect(useSessionStore().user).toBeNull();
    expect(useSessionStore().endedReason).toBe('SESSION_REVOKED');
    wrapper.unmount();
  });
});

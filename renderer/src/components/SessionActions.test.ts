// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import App from '../App.vue';
import { useSessionStore } from '../stores/session';
import { FakeFailure, type FakeHandlers } from '../testing/fake-api';
import { appInfo } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

const officer = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' as const };

async function mountApp(handlers: FakeHandlers) {
  const h = setupHarness({
    'app.info': () => appInfo,
    'auth.me': () => officer,
    'sync.overview': () => ({ pending: 0, retrying: 0, dead: 0, sent: 0, lastError: null }),
    ...handlers,
  });
  await useSessionStore().refresh();
  await h.router.push('/today');
  const wrapper = mountWith(App, h);
  await settle();
  return { h, wrapper };
}

describe('header session actions', () => {
  it('"Đổi mật khẩu" checks the copies and the length here, words a wrong current password, and says when done', async () => {
    let current = 'cu-mat-khau';
    const { h, wrapper } = await mountApp({
      'auth.changePassword': (p) => {
        if (p.current !== current) throw new FakeFailure('PASSWORD_INCORRECT');
        current = p.next;
        return { done: true as const };
      },
    });
    await wrapper.get('[data-testid="change-password-open"]').trigger('click');
    const fill = async (a: string, b: string, c: string) => {
      await wrapper.get('[data-testid="pw-current"]').setValue(a);
      await wrapper.get('[data-testid="pw-next"]').setValue(b);
      await wrapper.get('[data-testid="pw-repeat"]').setValue(c);
      await wrapper.get('[data-testid="change-password"] form').trigger('submit');
      await settle();
    };
    await fill('cu-mat-khau', 'ngan', 'ngan');
    expect(wrapper.get('[data-testid="pw-error"]').text()).toBe('Mật khẩu mới phải có ít nhất 8 ký tự.');
    await fill('cu-mat-khau', 'mat-khau-moi-1', 'mat-khau-moi-2');
    expect(wrapper.get('[data-testid="pw-error"]').text()).toBe('Hai lần nhập mật khẩu mới không giống nhau.');
    expect(h.fake.callsOf('auth.changePassword')).toHaveLength(0);
    await fill('sai', 'mat-khau-moi-1', 'mat-khau-moi-1');
    expect(wrapper.get('[data-testid="pw-error"]').text()).toBe('Mật khẩu hiện tại không đúng.');
    await fill('cu-mat-khau', 'mat-khau-moi-1', 'mat-khau-moi-1');
    expect(wrapper.find('[data-testid="change-password"]').exists()).toBe(false);
    expect(wrapper.get('[data-testid="account-notice"]').text()).toContain('Đã đổi mật khẩu');
    expect(useSessionStore().user).toEqual(officer);
    wrapper.unmount();
  });

  it('"Đăng xuất mọi phiên" asks first, then signs out to the login screen', async () => {
    const { h, wrapper } = await mountApp({ 'auth.logoutEverywhere': () => ({ done: true as const }) });
    await wrapper.get('[data-testid="logout-everywhere"]').trigger('click');
    await settle();
    expect(h.fake.callsOf('auth.logoutEverywhere')).toHaveLength(0);
    await wrapper.get('[data-testid="logout-everywhere-dialog"] form').trigger('submit');
    await settle();
    expect(h.fake.callsOf('auth.logoutEverywhere')).toHaveLength(1);
    expect(useSessionStore().user).toBeNull();
    expect(h.router.currentRoute.value.path).toBe('/login');
    wrapper.unmount();
  });
});

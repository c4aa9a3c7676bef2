// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { useAppStore } from '../stores/app';
import { FakeFailure } from '../testing/fake-api';
import { appInfo } from '../testing/fixtures';
import { mountWith, settle, setupHarness } from '../testing/mount';
import LoginView from './LoginView.vue';

afterEach(() => {
  setApiForTests(null);
  document.body.innerHTML = '';
});

function harness() {
  return setupHarness({
    'app.info': () => appInfo,
    'auth.me': () => null,
    'auth.login': ({ username, password }) => {
      if (password !== 'daotao') throw new FakeFailure('LOGIN_FAILED', 'bad');
      const account = appInfo.trainingAccounts.find((a) => a.username === username)!;
      return { username, displayName: account.displayName, role: account.role };
    },
  });
}

describe('login screen', () => {
  it('lists the training accounts and fills one with a button', async () => {
    const h = harness();
    await useAppStore().loadInfo();
    const wrapper = mountWith(LoginView, h);
    const list = wrapper.get('[data-testid="training-accounts"]');
    expect(list.text()).toContain('canbo1');
    expect(list.text()).toContain('Nguyễn Thị Cán Bộ');
    expect(list.text()).toContain('Cán bộ tiếp nhận');
    expect(list.text()).toContain('Cán bộ số hóa');
    await wrapper.get('[data-testid="training-fill-sohoa1"]').trigger('click');
    expect((wrapper.get('[data-testid="login-username"]').element as HTMLInputElement).value).toBe('sohoa1');
    expect((wrapper.get('[data-testid="login-password"]').element as HTMLInputElement).value).toBe('daotao');
  });

  it('hides training accounts outside training mode', async () => {
    const h = setupHarness({ 'app.info': () => ({ ...appInfo, trainingMode: false, trainingAccounts: [] }) });
    await useAppStore().loadInfo();
    const wrapper = mountWith(LoginView, h);
    expect(wrapper.find('[data-testid="training-accounts"]').exists()).toBe(false);
  });

  it('shows the Vietnamese LOGIN_FAILED message for a wrong password', async () => {
    const h = harness();
    const wrapper = mountWith(LoginView, h);
    await wrapper.get('[data-testid="login-username"]').setValue('canbo1');
    await wrapper.get('[data-testid="login-password"]').setValue('sai');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(wrapper.get('[data-testid="login-error"]').text()).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
  });

  it('routes by role after login', async () => {
    const h = harness();
    await h.router.push('/login');
    const wrapper = mountWith(LoginView, h);
    await wrapper.get('[data-testid="login-username"]').setValue('sohoa1');
    await wrapper.get('[data-testid="login-password"]').setValue('daotao');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/digitise');

    await wrapper.get('[data-testid="login-username"]').setValue('canbo1');
    await wrapper.get('[data-testid="login-password"]').setValue('daotao');
    await wrapper.get('form').trigger('submit');
    await settle();
    expect(h.router.currentRoute.value.path).toBe('/intake');
  });
});

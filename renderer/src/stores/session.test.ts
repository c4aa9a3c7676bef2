// @vitest-environment happy-dom
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import { createAppRouter } from '../router';
import { setApiForTests } from '../api';
import { RESUME_STORAGE_KEY } from '../api/resume';
import { createFakeApi, FakeFailure } from '../testing/fake-api';
import { useSessionStore } from './session';

const officer = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' as const };
const secret = 'k'.repeat(43);

beforeEach(() => {
  setActivePinia(createPinia());
  sessionStorage.clear();
});
afterEach(() => setApiForTests(null));

describe('session store: resume secret', () => {
  it('keeps the login secret in this tab and not in the user', async () => {
    setApiForTests(createFakeApi({ 'auth.login': () => ({ ...officer, resumeSecret: secret }) }).api);
    const session = useSessionStore();
    await session.login('canbo1', 'daotao');
    expect(session.user).toEqual(officer);
    expect(sessionStorage.getItem(RESUME_STORAGE_KEY)).toBe(secret);
  });

  it('a login without a secret (a window) leaves none behind', async () => {
    sessionStorage.setItem(RESUME_STORAGE_KEY, secret);
    setApiForTests(createFakeApi({ 'auth.login': () => officer }).api);
    await useSessionStore().login('canbo1', 'daotao');
    expect(sessionStorage.getItem(RESUME_STORAGE_KEY)).toBeNull();
  });

  it('logout forgets the secret even when the core is unreachable', async () => {
    sessionStorage.setItem(RESUME_STORAGE_KEY, secret);
    setApiForTests(
      createFakeApi({
        'auth.logout': () => {
          throw new FakeFailure('REMOTE_UNAVAILABLE');
        },
      }).api,
    );
    const session = useSessionStore();
    await session.logout();
    expect(sessionStorage.getItem(RESUME_STORAGE_KEY)).toBeNull();
  });

  it('a call refused as UNAUTHENTICATED signs out and forgets the secret', async () => {
    const fake = createFakeApi({
      'auth.login': () => ({ ...officer, resumeSecret: secret }),
      'queue.state': () => {
        throw new FakeFailure('UNAUTHENTICATED');
      },
    });
    setApiForTests(fake.api);
    const session = useSessionStore();
    session.start();
    await session.login('canbo1', 'daotao');
    const { api } = await import('../api');
    await api.queue.state().catch(() => undefined);
    expect(session.user).toBeNull();
    expect(sessionStorage.getItem(RESUME_STORAGE_KEY)).toBeNull();
    session.stop();
  });
});

describe('session store: a browser device paired with the centre', () => {
  it('takes the device session from auth.me: no login, kept on its wall screen', async () => {
    const device = {
      username: 'device:k1',
      displayName: 'Kiosk sảnh',
      role: 'officer' as const,
      wallScreen: 'kiosk' as const,
    };
    setApiForTests(createFakeApi({ 'auth.me': () => device }).api);
    const session = useSessionStore();
    await session.ensure();
    expect(session.user).toEqual(device);
    expect(session.wallScreen).toBe('/kiosk');
  });

  it('a rating tablet is kept on /rate; a desk user is not narrowed by auth.me', async () => {
    setApiForTests(
      createFakeApi({
        'auth.me': () => ({ username: 'device:r1', displayName: 'Quầy 1', role: 'officer', wallScreen: 'rate' }),
      }).api,
    );
    const tablet = useSessionStore();
    await tablet.refresh();
    expect(tablet.wallScreen).toBe('/rate');

    setActivePinia(createPinia());
    setApiForTests(createFakeApi({ 'auth.me': () => officer }).api);
    const desk = useSessionStore();
    await desk.refresh();
    expect(desk.user).toEqual(officer);
    expect(desk.wallScreen).toBeNull();
  });

  it('the router sends a display device straight to its screen, never to the login', async () => {
    const device = {
      username: 'device:d1',
      displayName: 'Màn hình sảnh',
      role: 'officer' as const,
      wallScreen: 'display' as const,
    };
    setApiForTests(createFakeApi({ 'auth.me': () => device }).api);
    const pinia = createPinia();
    setActivePinia(pinia);
    const router = createAppRouter(pinia, createMemoryHistory());
    for (const path of ['/', '/login', '/intake', '/kiosk', '/display']) {
      await router.push(path);
      expect(router.currentRoute.value.path, path).toBe('/display');
    }
  });
});

// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createMemoryHistory } from 'vue-router';
import { setApiForTests } from '../api';
import { useSessionStore } from '../stores/session';
import { appInfo } from '../testing/fixtures';
import { setupHarness } from '../testing/mount';
import { createAppRouter } from './index';

/** The app's route guard (docs/architecture.md, "Sessions"): sign-in, roles, and wall screens kept in place. */
afterEach(() => setApiForTests(null));

const officer = { username: 'canbo1', displayName: 'Nguyễn Thị Cán Bộ', role: 'officer' as const };

function harness(user: typeof officer | null) {
  const h = setupHarness({
    'app.info': () => appInfo,
    'auth.me': () => user,
    'auth.logout': () => ({ done: true as const }),
    'auth.login': () => officer,
  });
  return { ...h, router: createAppRouter(h.pinia, createMemoryHistory()) };
}

describe('route guard', () => {
  it('sends a stranger to the login with the page to come back to', async () => {
    const { router } = harness(null);
    await router.push('/search');
    expect(router.currentRoute.value.path).toBe('/login');
    expect(router.currentRoute.value.query.next).toBe('/search');
  });

  it('a tab narrowed to a wall screen stays on it until a new sign-in; the login stays reachable', async () => {
    const { router } = harness(officer);
    await router.push('/kiosk');
    expect(router.currentRoute.value.path).toBe('/kiosk');
    const session = useSessionStore();
    session.wallScreen = '/kiosk';
    await router.push('/intake');
    expect(router.currentRoute.value.path).toBe('/kiosk');
    await router.push('/dossier/000.00.00.H01-261207-0001');
    expect(router.currentRoute.value.path).toBe('/kiosk');

    await session.logout();
    expect(session.wallScreen).toBeNull();
    await router.push('/login');
    expect(router.currentRoute.value.path).toBe('/login');
    await session.login('canbo1', 'matkhau-dung');
    await router.push('/intake');
    expect(router.currentRoute.value.path).toBe('/intake');
  });
});

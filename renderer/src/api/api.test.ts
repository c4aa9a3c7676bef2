// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { createFakeApi, FakeFailure } from '../testing/fake-api';
import { appInfo } from '../testing/fixtures';
import { api, ApiError, onActivity, setApiForTests } from './index';

afterEach(() => setApiForTests(null));

describe('api wrappers', () => {
  it('unwraps a successful result', async () => {
    setApiForTests(createFakeApi({ 'app.info': () => appInfo }).api);
    await expect(api.app.info()).resolves.toEqual(appInfo);
  });

  it('throws ApiError with the code, message and details of a failure', async () => {
    setApiForTests(
      createFakeApi({
        'auth.login': () => {
          throw new FakeFailure('LOGIN_FAILED', 'sai', { attempts: 1 });
        },
      }).api,
    );
    const err = await api.auth.login({ username: 'a', password: 'b' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ code: 'LOGIN_FAILED', message: 'sai', details: { attempts: 1 } });
  });

  it('maps an unknown code to INTERNAL and counts calls in flight', async () => {
    const fake = createFakeApi();
    setApiForTests({
      ...fake.api,
      app: { info: async () => ({ ok: false, error: { code: 'WHAT' as 'INTERNAL', message: 'm' } }) },
    });
    const seen: number[] = [];
    const stop = onActivity((n) => seen.push(n));
    await expect(api.app.info()).rejects.toMatchObject({ code: 'INTERNAL' });
    stop();
    expect(seen).toEqual([0, 1, 0]);
  });
});

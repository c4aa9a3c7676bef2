import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiftedClock, toLocalDateTime, type Clock } from '../../main/kernel/clock';
import { startE2eDesk, type E2eDesk } from './support';

/**
 * Browser mode: a reload makes a new WebSocket, hence a new connection; the tab's resume secret
 * gets the session back while it has been idle for less than the idle timeout (15 min here, the
 * default), and never after the timeout or a logout. The core's clock is moved, not the browser's.
 */
let desk: E2eDesk;
let page: Page;
let skew = 0;
const base = shiftedClock('2026-11-20T09:00');
const clock: Clock = {
  now: () => base.now() + skew,
  localNow: () => toLocalDateTime(base.now() + skew),
  today: () => toLocalDateTime(base.now() + skew).slice(0, 10),
};

beforeAll(async () => {
  desk = await startE2eDesk({ name: 'session', fixedNow: '2026-11-20T09:00', clock });
  page = await desk.browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'vi-VN' });
});
afterAll(async () => {
  await desk?.close();
});

const byTest = (id: string) => page.getByTestId(id);
/** Evaluated in the page (the test's own TypeScript has no DOM types). */
const READ_SECRET = "sessionStorage.getItem('motcua.resume')";

async function signIn(): Promise<void> {
  await byTest('training-fill-canbo').click();
  await byTest('login-submit').click();
  await byTest('current-user').waitFor();
}

describe('session across a page reload (browser mode)', () => {
  it('keeps the officer signed in on a reload within the idle time, on the same screen', async () => {
    await page.goto(desk.server.launchUrl);
    await byTest('login-submit').waitFor();
    await signIn();
    await byTest('intake-view').waitFor();
    const stored = await page.evaluate(READ_SECRET);
    expect(stored).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const secret = String(stored);
    expect(page.url()).not.toContain(secret);

    await page.goto(`${desk.server.url}/#/today`);
    await byTest('today-view').waitFor();
    skew += 14 * 60_000;
    await page.reload();
    await byTest('today-view').waitFor();
    expect(await byTest('current-user').textContent()).toContain('Trần Thị Thu Hà');
    expect(await byTest('login-submit').count()).toBe(0);
    // The log never holds the secret.
    expect(readFileSync(join(desk.dataDir, 'logs', 'core.log'), 'utf8')).not.toContain(secret);
  });

  it('shows the login screen on a reload after the idle timeout', async () => {
    skew += 15 * 60_000;
    await page.reload();
    await byTest('login-submit').waitFor();
    expect(await page.evaluate(READ_SECRET)).toBeNull();
  });

  it('a logout revokes the secret: the next reload asks for the password', async () => {
    await signIn();
    const stored = await page.evaluate(READ_SECRET);
    expect(stored).not.toBeNull();
    await byTest('logout').click();
    await byTest('login-submit').waitFor();
    // Even a secret copied before the logout no longer works.
    await page.evaluate(`sessionStorage.setItem('motcua.resume', ${JSON.stringify(stored)})`);
    await page.reload();
    await byTest('login-submit').waitFor();
    expect(await byTest('current-user').count()).toBe(0);
  });
});

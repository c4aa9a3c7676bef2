import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shiftedClock, toLocalDateTime, type Clock } from '../../main/kernel/clock';
import { shots, startE2eDesk, type E2eDesk } from './support';

/**
 * The lock screen in Chromium against a real core (docs/architecture.md, "Sessions"). The page's
 * own idle timer runs on Playwright's clock (fast-forwarded, no waiting); the core's idle lock on a
 * clock the test moves. Either way the intake form typed half-way is exactly as it was after the
 * unlock, and a wrong password is said on the lock screen.
 */
let desk: E2eDesk;
let page: Page;
let skew = 0;
const base = shiftedClock('2026-12-07T09:00');
const clock: Clock = {
  now: () => base.now() + skew,
  localNow: () => toLocalDateTime(base.now() + skew),
  today: () => toLocalDateTime(base.now() + skew).slice(0, 10),
};

beforeAll(async () => {
  desk = await startE2eDesk({ name: 'session-lock', fixedNow: '2026-12-07T09:00', clock });
  page = await desk.browser.newPage({ viewport: { width: 1280, height: 860 }, locale: 'vi-VN' });
  await page.clock.install();
});
afterAll(async () => {
  await desk?.close();
});

const byTest = (id: string) => page.getByTestId(id);
const PARTIAL_ID = '0012030';
const PROCEDURE_TEXT = 'xac nhan tinh trang';

async function unlockWithWrongThenRightPassword(): Promise<void> {
  await byTest('lock-screen').waitFor();
  expect(await byTest('lock-user').textContent()).toContain('Trần Thị Thu Hà');
  // Focus is in the password field; Esc does nothing; Enter submits.
  expect(await page.evaluate("document.activeElement && document.activeElement.getAttribute('data-testid')")).toBe(
    'lock-password',
  );
  await page.keyboard.press('Escape');
  expect(await byTest('lock-screen').isVisible()).toBe(true);
  // Nothing of the screen under the lock shows.
  expect(await byTest('applicant-id').isVisible()).toBe(false);
  await page.keyboard.type('sai-mat-khau');
  await page.keyboard.press('Enter');
  await expect.poll(async () => (await byTest('lock-error').textContent()) ?? '').toContain('Mật khẩu không đúng');
  await page.screenshot({ path: join(shots, 'lock-wrong-password.png') });
  expect(await byTest('lock-screen').isVisible()).toBe(true);
  await byTest('lock-password').fill('daotao-canbo');
  await page.keyboard.press('Enter');
  // A wrong password makes the next try wait (the sign-in throttle): up to a few seconds.
  await byTest('lock-screen').waitFor({ state: 'detached', timeout: 15_000 });
}

describe('lock screen in the browser', () => {
  it('locks after the idle time on the page’s own clock; a wrong password is said; the right one gives the draft back as typed', async () => {
    await page.goto(desk.server.launchUrl);
    await byTest('training-fill-canbo').click();
    await byTest('login-submit').click();
    await byTest('intake-view').waitFor();

    await byTest('applicant-id').click();
    await page.keyboard.type(PARTIAL_ID, { delay: 60 });
    await byTest('procedure-search').click();
    await page.keyboard.type(PROCEDURE_TEXT, { delay: 40 });

    await page.clock.fastForward('14:00');
    expect(await byTest('lock-screen').count()).toBe(0);
    await page.clock.fastForward('02:00');
    await unlockWithWrongThenRightPassword();

    expect(await byTest('applicant-id').inputValue()).toBe(PARTIAL_ID);
    expect(await byTest('procedure-search').inputValue()).toBe(PROCEDURE_TEXT);
    expect(await byTest('applicant-id').isVisible()).toBe(true);
    await page.screenshot({ path: join(shots, 'after-unlock.png') });
    const audit = desk.core.store.audit.forEntity('account', 'canbo').map((e) => e.action);
    expect(audit).toEqual(expect.arrayContaining(['auth.unlock-failed', 'auth.unlock']));
  });

  it('a call the core refuses as SESSION_LOCKED (idle on the core’s clock) brings the lock screen; the draft survives', async () => {
    skew += 16 * 60_000;
    // Typing on in the procedure search asks the core (catalogue.search): refused, the session idled there.
    await byTest('procedure-search').click();
    await page.keyboard.press('End');
    await page.keyboard.type(' ho', { delay: 40 });
    await unlockWithWrongThenRightPassword();
    expect(await byTest('applicant-id').inputValue()).toBe(PARTIAL_ID);
    expect(await byTest('procedure-search').inputValue()).toBe(`${PROCEDURE_TEXT} ho`);
  });
});

import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SimulatedTicketPrinter } from '../../drivers/testing';
import type { BrowserServer } from '../../main/core/browser-server';
import type { Core } from '../../main/core/compose';
import { shots, startE2eDesk, type E2eDesk } from './support';

/**
 * The queue in Debian's Chromium against a real core in training mode, three windows as at a
 * one-stop centre: the kiosk (an applicant takes a ticket, the simulated thermal printer prints
 * it), the counter display (the number shows at the counter that calls it), the officer's intake
 * screen (calls it with F2 and receives a dossier for it) and the counter-facing rating screen.
 */
const QR = '001203004567|123456789|Nguyễn Văn Dũng|12052003|Nam|Thôn Đông, xã Hòa Bình, Thành phố Hà Nội|10082021';

let desk: E2eDesk;
let core: Core;
let server: BrowserServer;
let browser: Browser;
const contexts: BrowserContext[] = [];

async function signedInPage(username: string): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(server.launchUrl);
  await page.getByTestId(`training-fill-${username}`).click();
  await page.getByTestId('login-submit').click();
  await page.locator('.app-header nav').waitFor();
  return page;
}

beforeAll(async () => {
  // The display speaks without a click first, as a kiosk-mode browser on the wall is set up.
  desk = await startE2eDesk({
    name: 'queue',
    fixedNow: '2026-11-20T09:00',
    chromiumArgs: ['--autoplay-policy=no-user-gesture-required'],
  });
  ({ core, server, browser } = desk);
});

afterAll(async () => {
  for (const c of contexts) await c.close();
  await desk?.close();
});

describe('the queue in the browser', () => {
  it('kiosk ticket → called at the counter → on the display → dossier received for it → service rated', async () => {
    const printer = core.ticketPrinter as SimulatedTicketPrinter;
    const printedBefore = printer.jobs.length;

    // Kiosk: the applicant takes a Hộ tịch ticket; it is printed.
    const kiosk = await signedInPage('canbo');
    await kiosk.goto(`${server.url}#/kiosk`);
    await kiosk.getByTestId('kiosk-service-HO-TICH').waitFor();
    expect(await kiosk.locator('.app-header').count()).toBe(0);
    await kiosk.getByTestId('kiosk-service-HO-TICH').click();
    await kiosk.getByTestId('kiosk-ticket-number').waitFor();
    const number = (await kiosk.getByTestId('kiosk-ticket-number').textContent())!.trim();
    expect(number).toMatch(/^A\d{3}$/);
    expect(await kiosk.getByTestId('kiosk-print').textContent()).toContain('nhận phiếu');
    expect(await kiosk.getByTestId('kiosk-ahead').textContent()).toMatch(/Trước bạn còn \d+ người/);
    expect(printer.jobs.length).toBe(printedBefore + 1);
    expect(JSON.stringify(printer.jobs.at(-1))).toContain(number);
    await kiosk.screenshot({ path: join(shots, 'queue-kiosk.png') });

    // Display: the supervisor's screen on the wall.
    const display = await signedInPage('lanhdao');
    await display.goto(`${server.url}#/display`);
    await display.getByTestId('display-counter-Q01').waitFor();

    // Officer at Q01: F2 until the kiosk's number is called (training seeds a few people ahead).
    const desk = await signedInPage('canbo');
    await desk.goto(`${server.url}#/intake`);
    await desk.getByTestId('intake-view').waitFor();
    let current = '';
    for (let i = 0; i < 12 && current !== number; i += 1) {
      const before = current;
      // F2 is ignored while the panel is still busy with the previous call: wait until it is free.
      await expect.poll(() => desk.getByTestId('queue-call-next').isEnabled(), { timeout: 10_000 }).toBe(true);
      await desk.keyboard.press('F2');
      await expect
        .poll(async () => ((await desk.getByTestId('queue-current').textContent()) ?? '').trim(), { timeout: 10_000 })
        .not.toBe(before);
      current = ((await desk.getByTestId('queue-current').textContent()) ?? '').trim();
    }
    expect(current).toBe(number);

    // The display follows: the number at Quầy số 1, in the recent calls, announced without error.
    await expect
      .poll(async () => (await display.getByTestId('display-counter-Q01').textContent()) ?? '', { timeout: 10_000 })
      .toContain(number);
    expect(await display.getByTestId('display-recent').textContent()).toContain(`Số ${number} → Quầy số 1`);
    await display.waitForTimeout(300);
    expect(await display.getByTestId('display-voice-error').count()).toBe(0);
    await display.screenshot({ path: join(shots, 'queue-display.png') });

    // Rating screen facing the applicant: nothing to rate while being served.
    const rating = await signedInPage('canbo');
    await rating.goto(`${server.url}#/rate`);
    await rating.getByTestId('rating-idle').waitFor();
    // Each screen narrowed its window's session to itself (docs/architecture.md, "Sessions", "Wall screens").
    const walls = () =>
      core.store.db
        .prepare<[], { actor: string; details: string }>(
          "SELECT actor, details_json AS details FROM audit_log WHERE action = 'auth.wall-screen' ORDER BY id",
        )
        .all();
    await expect.poll(walls, { timeout: 10_000 }).toEqual([
      { actor: 'canbo', details: JSON.stringify({ screen: 'kiosk' }) },
      { actor: 'lanhdao', details: JSON.stringify({ screen: 'display' }) },
      { actor: 'canbo', details: JSON.stringify({ screen: 'rate' }) },
    ]);

    // The officer receives the dossier for this ticket.
    await desk.getByTestId('applicant-id').click();
    await desk.keyboard.type(QR, { delay: 0 });
    await desk.keyboard.press('Enter');
    await expect
      .poll(() => desk.getByTestId('person-fullName').inputValue(), { timeout: 10_000 })
      .toBe('Nguyễn Văn Dũng');
    await desk.getByTestId('procedure-search').fill('xac nhan tinh trang hon nhan');
    await desk.getByTestId('procedure-option-1.004873').click();
    await desk.getByTestId('procedure-details').waitFor();
    // The ID card is offered from the national document store: the applicant consents to its reuse.
    await desk.getByTestId('component-consent-TP02').check();
    await desk.getByTestId('receive-button').click();
    await desk
      .getByTestId('dossier-code')
      .waitFor({ timeout: 10_000 })
      .catch(async (err: unknown) => {
        await desk.screenshot({ path: join(shots, 'queue-receive-failed.png'), fullPage: true });
        throw err;
      });
    const code = (await desk.getByTestId('dossier-code').textContent())!.trim();
    const ticket = core.store.db
      .prepare<[string], { id: number; state: string; dossier_code: string | null }>(
        "SELECT id, state, dossier_code FROM queue_tickets WHERE day = '2026-11-20' AND number = ?",
      )
      .get(number)!;
    expect(ticket).toMatchObject({ state: 'done', dossier_code: code });

    // The applicant rates the service on the counter-facing screen.
    await rating.getByTestId('rating-question').waitFor();
    expect(await rating.getByTestId('rating-question').textContent()).toContain(number);
    await rating.getByTestId('rating-3').click();
    await rating.getByTestId('rating-thanks').waitFor();
    await rating.screenshot({ path: join(shots, 'queue-rating.png') });
    const rated = core.store.db
      .prepare<[number], { rating: number }>('SELECT rating FROM queue_tickets WHERE id = ?')
      .get(ticket.id)!;
    expect(rated.rating).toBe(3);
    const dossier = core.store.db
      .prepare<[string], { satisfaction: number }>('SELECT satisfaction FROM dossiers WHERE code = ?')
      .get(code)!;
    expect(dossier.satisfaction).toBe(3);
  });
});

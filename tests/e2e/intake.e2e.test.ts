import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServer } from '../../main/core/browser-server';
import type { Core } from '../../main/core/compose';
import { shots, startE2eDesk, type E2eDesk } from './support';

/**
 * The real UI (built renderer) in Debian's Chromium against a real core in training mode, served in
 * browser mode exactly as `npm start` does without Electron.
 */
const QR = '001203004567|123456789|Nguyễn Văn Dũng|12052003|Nam|Thôn Đông, xã Hòa Bình, Thành phố Hà Nội|10082021';

let desk: E2eDesk;
let dataDir: string;
let core: Core;
let server: BrowserServer;
let page: Page;

beforeAll(async () => {
  // Friday 20 Nov 2026, 09:00: three working days skip the weekend and 24 Nov (a holiday from 2026).
  desk = await startE2eDesk({ name: 'intake', fixedNow: '2026-11-20T09:00' });
  ({ dataDir, core, server } = desk);
  page = await desk.browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
});

afterAll(async () => {
  await desk?.close();
});

const byTest = (id: string) => page.getByTestId(id);

describe('walk-in intake in the browser', () => {
  it('an officer receives a dossier for a QR-identified person, reuses a document and prints the receipt', async () => {
    await page.goto(server.launchUrl);
    await expect.poll(() => byTest('training-banner').isVisible()).toBe(true);
    expect(page.url()).not.toContain('token=');

    await page.screenshot({ path: join(shots, 'login.png') });
    await byTest('training-fill-canbo').click();
    await byTest('login-submit').click();
    await byTest('intake-view').waitFor();

    await page.keyboard.press('F2');
    await expect.poll(async () => (await byTest('queue-current').textContent()) ?? '').toMatch(/\d{3}/);

    // A malformed scan: a clear error, nothing filled.
    await byTest('applicant-id').click();
    await page.keyboard.type('0012|abc', { delay: 0 });
    await page.keyboard.press('Enter');
    await byTest('applicant-error').waitFor();
    expect(await byTest('person-fullName').inputValue()).toBe('');

    // The ID card's QR typed by a keyboard-wedge reader.
    await byTest('applicant-id').fill('');
    await byTest('applicant-id').click();
    await page.keyboard.type(QR, { delay: 0 });
    await page.keyboard.press('Enter');
    await expect.poll(() => byTest('person-fullName').inputValue()).toBe('Nguyễn Văn Dũng');
    expect(await byTest('applicant-id').inputValue()).toBe('001203004567');
    await byTest('applicant-documents').waitFor();

    await byTest('procedure-search').fill('xac nhan tinh trang hon nhan');
    await byTest('procedure-option-1.004873').waitFor();
    await byTest('procedure-option-1.004873').click();
    await byTest('procedure-details').waitFor();

    // Reuse the citizen ID card from the national document store, with consent.
    await byTest('component-source-TP02').selectOption('reused');
    await byTest('component-document-TP02').waitFor();
    await byTest('component-consent-TP02').check();
    await page.screenshot({ path: join(shots, 'intake-before-receive.png'), fullPage: true });

    // A double click on Receive must give one dossier.
    await byTest('receive-button').dblclick();
    await byTest('dossier-code').waitFor();
    const code = (await byTest('dossier-code').textContent())!.trim();
    expect(code).toMatch(/^000\.00\.12\.H56-261120-\d{4}$/);
    expect(await byTest('appointment-at').textContent()).toContain('26/11/2026 09:00');
    await page.screenshot({ path: join(shots, 'intake-received.png'), fullPage: true });

    await byTest('print-receipt').click();
    await byTest('print-status').waitFor();
    const printedDir = join(dataDir, 'printed');
    await expect.poll(() => (existsSync(printedDir) ? readdirSync(printedDir).length : 0)).toBe(1);
    const printed = join(printedDir, readdirSync(printedDir)[0]!);
    const text = execFileSync('pdftotext', ['-layout', printed, '-'], { encoding: 'utf8' });
    expect(text).toContain(code);
    expect(text).toContain('26/11/2026');
    expect(text).toContain('Nguyễn Văn Dũng');
    expect(text).toContain('Tái sử dụng');

    // Stored once, with the reused document and consent; delivered once to the national portal.
    const stored = core.store.dossiers.listReceivedOn('2026-11-20');
    expect(stored.map((d) => d.code)).toEqual([code]);
    const dossier = core.store.dossiers.getByCode(code)!;
    const reused = dossier.components.find((c) => c.componentCode === 'TP02')!;
    expect(reused.source).toBe('reused');
    expect(reused.consentAt).not.toBeNull();
    const national = core.simulators!.national.state.dossiers;
    await expect.poll(() => national.get(code)?.createCount ?? 0, { timeout: 30_000, interval: 250 }).toBe(1);
    await core.sender.drainOnce();
    expect(national.get(code)!.createCount).toBe(1);
    expect(national.get(code)!.record.TaiLieuNop.some((f) => f.DuocLayTuKhoDMQG === '1')).toBe(true);
    expect([...national.keys()]).toEqual([code]);
    // The receipt printed and the one handed to the province are one stored document.
    expect(core.store.dossiers.getByCode(code)!.documents.filter((x) => x.kind === 'receipt')).toHaveLength(1);
  });

  it('lists the day and opens the dossier from the list', async () => {
    await page.keyboard.press('Alt+2');
    await byTest('today-table').waitFor();
    await byTest('today-search').fill('nguyen van dung');
    const [row] = await page.locator('[data-testid^="today-row-"]').all();
    expect(row).toBeDefined();
    await page.screenshot({ path: join(shots, 'today.png') });
    await row!.click();
    await byTest('dossier-view').waitFor();
    await page.screenshot({ path: join(shots, 'dossier.png'), fullPage: true });
    expect(await byTest('dossier-status').textContent()).toContain('tiếp nhận');
  });
});

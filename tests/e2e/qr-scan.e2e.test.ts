import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServer } from '../../main/core/browser-server';
import type { Core } from '../../main/core/compose';
import { shots, startE2eDesk, type E2eDesk } from './support';

/**
 * ID card QR scans as a new desk meets them (docs/architecture.md, "ID card QR"): garbled and
 * partial reads refused with nothing stored or queued, slow readers and a focus elsewhere still
 * read whole, and a card differing from the stored person changing only what the officer ticks.
 * The real UI in Chromium against a real core (training mode, SQLite on disk).
 */
const NEW_ID = '001203004567';
const QR = `${NEW_ID}|123456789|Nguyễn Văn Dũng|12052003|Nam|Thôn Đông, xã Hòa Bình, Thành phố Hà Nội|10082021`;
const STORED_ID = '079090001234';
const STORED = {
  kind: 'citizen' as const,
  idNumber: STORED_ID,
  fullName: 'Nguyễn Văn Đông',
  oldIdNumber: null,
  birthDate: '1990-07-15',
  sex: 'Nam' as const,
  address: 'Thôn Cũ, xã Tân Lập, Thành phố Hà Nội',
  idIssueDate: '2016-04-20',
  phone: '0912345678',
  email: null,
  portalVerified: false,
};
/** The stored person's card after a move and a renewal; the name is printed the same. */
const STORED_CARD = `${STORED_ID}||Nguyễn Văn Đông|15071990|Nam|Số 5 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh|01072025`;

/** UTF-8 read as Latin-1, the C1 controls a keyboard cannot type dropped: what the desk of the report got. */
const garbledAsTyped = (text: string): string =>
  Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[\u0080-\u009f]/gu, '');

let desk: E2eDesk;
let core: Core;
let server: BrowserServer;
let page: Page;

beforeAll(async () => {
  desk = await startE2eDesk({ name: 'qr-scan', fixedNow: '2026-11-20T09:00' });
  ({ core, server } = desk);
  core.store.people.upsert(STORED);
  page = await desk.browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
  page.on('dialog', (dialog) => void dialog.accept());
  await page.goto(server.launchUrl);
  await byTest('training-fill-canbo').click();
  await byTest('login-submit').click();
  await byTest('intake-view').waitFor();
});

afterAll(async () => {
  await desk?.close();
});

const byTest = (id: string) => page.getByTestId(id);

/** Everything queued for the portals and stored for people, as one text to search. */
function storedText(): string {
  const people = core.store.people.search('nguyen', 100);
  const outbox = core.store.dossiers
    .listReceivedOn('2026-11-20')
    .flatMap((d) => core.store.outbox.listForDossier(d.code).map((r) => r.payload));
  return JSON.stringify({ people, outbox });
}

async function scanInto(testid: string, text: string, delay: number): Promise<void> {
  await byTest(testid).click();
  await page.keyboard.type(text, { delay });
  await page.keyboard.press('Enter');
}

/** Alt+N: the next dossier (the "discard what was typed?" question answered yes). */
async function startOver(): Promise<void> {
  await byTest('applicant-id').click();
  await page.keyboard.press('Alt+N');
  await expect.poll(() => byTest('applicant-id').inputValue()).toBe('');
  await expect.poll(() => byTest('person-fullName').inputValue()).toBe('');
}

describe('ID card QR scans at the desk', () => {
  it('a garbled QR (UTF-8 read as Latin-1) is refused: nothing filled, nothing stored or queued', async () => {
    await scanInto('applicant-id', garbledAsTyped(QR), 0);
    await expect.poll(async () => (await byTest('applicant-error').textContent()) ?? '').toContain('sai bảng mã');
    await page.screenshot({ path: join(shots, 'qr-garbled.png') });
    expect(await byTest('person-fullName').inputValue()).toBe('');
    expect(core.store.people.findByIdNumber('citizen', NEW_ID)).toBeNull();
    expect(storedText()).not.toMatch(/[ÃÄÂ]/u);
  });

  it('a partial QR (the read stopped after five fields) is refused with the field count', async () => {
    await byTest('applicant-id').fill('');
    await scanInto('applicant-id', QR.split('|').slice(0, 5).join('|'), 0);
    await expect.poll(async () => (await byTest('applicant-error').textContent()) ?? '').toContain('có 5 trường');
    expect(await byTest('person-fullName').inputValue()).toBe('');
    expect(await byTest('person-address').inputValue()).toBe('');
    expect(core.store.people.findByIdNumber('citizen', NEW_ID)).toBeNull();
  });

  it('a QR read with the focus outside any field loses its Vietnamese letters: refused, nothing stored', async () => {
    await byTest('applicant-id').fill('');
    await page.locator('#applicant-title').click();
    // Letters outside the US layout arrive as inserted text, which only a text field receives.
    await page.keyboard.type(QR, { delay: 0 });
    await page.keyboard.press('Enter');
    await expect.poll(async () => (await byTest('applicant-error').textContent()) ?? '').toContain('mất chữ');
    expect(await byTest('person-fullName').inputValue()).toBe('');
    expect(core.store.people.findByIdNumber('citizen', NEW_ID)).toBeNull();
  });

  it('a QR typed with 50 ms between keys (a busy machine) is read whole, Vietnamese letters included', async () => {
    await startOver();
    await scanInto('applicant-id', QR, 50);
    await expect.poll(() => byTest('person-fullName').inputValue()).toBe('Nguyễn Văn Dũng');
    expect(await byTest('applicant-id').inputValue()).toBe(NEW_ID);
    expect(await byTest('person-address').inputValue()).toBe('Thôn Đông, xã Hòa Bình, Thành phố Hà Nội');
    expect(await byTest('person-sex').inputValue()).toBe('Nam');
    expect(await byTest('applicant-error').count()).toBe(0);
  });

  it('a QR typed at 50 ms while the focus is in the procedure search fills the applicant; the search keeps nothing of it', async () => {
    await startOver();
    await byTest('procedure-search').click();
    await page.keyboard.type('ho tich', { delay: 150 });
    await page.waitForTimeout(300);
    await page.keyboard.type(QR, { delay: 50 });
    await page.keyboard.press('Enter');
    await expect.poll(() => byTest('person-fullName').inputValue()).toBe('Nguyễn Văn Dũng');
    expect(await byTest('applicant-id').inputValue()).toBe(NEW_ID);
    expect(await byTest('procedure-search').inputValue()).toBe('ho tich');
    await page.screenshot({ path: join(shots, 'qr-focus-elsewhere.png') });
  });

  it('the case of the report: a stored person and the same card read as Latin-1 is repaired exactly, nothing to confirm', async () => {
    await startOver();
    const sameCard = `${STORED_ID}||${STORED.fullName}|15071990|Nam|${STORED.address}|20042016`;
    await scanInto('applicant-id', Buffer.from(sameCard, 'utf8').toString('latin1'), 0);
    await byTest('applicant-qr-repaired').waitFor();
    await expect.poll(async () => (await byTest('applicant-local').textContent()) ?? '').toContain(STORED.fullName);
    expect(await byTest('person-fullName').inputValue()).toBe(STORED.fullName);
    expect(await byTest('person-address').inputValue()).toBe(STORED.address);
    expect(await byTest('person-diff').count()).toBe(0);
  });

  it('a stored person and a differing card: the differences are shown and only the ticked field changes', async () => {
    await startOver();
    await scanInto('applicant-id', STORED_CARD, 0);
    await byTest('person-diff').waitFor();
    const rows = await page
      .locator('[data-testid^="person-diff-row-"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(rows).toEqual(['person-diff-row-address', 'person-diff-row-idIssueDate']);
    // Until the officer decides, the form shows what is stored.
    expect(await byTest('person-address').inputValue()).toBe(STORED.address);
    await page.screenshot({ path: join(shots, 'qr-person-diff.png'), fullPage: true });
    // Keyboard only: the panel has the focus; 1 ticks the address, Enter confirms.
    await page.keyboard.press('1');
    expect(await byTest('person-diff-accept-address').isChecked()).toBe(true);
    expect(await byTest('person-diff-accept-idIssueDate').isChecked()).toBe(false);
    await page.keyboard.press('Enter');
    await byTest('person-diff').waitFor({ state: 'detached' });
    expect(await byTest('person-address').inputValue()).toBe('Số 5 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh');
    expect(await byTest('person-idIssueDate').inputValue()).toBe('20/04/2016');

    await byTest('procedure-search').fill('xac nhan tinh trang hon nhan');
    await byTest('procedure-option-1.004873').click();
    await byTest('procedure-details').waitFor();
    for (const select of await page.locator('[data-testid^="component-source-"]').all())
      await select.selectOption('paper');
    await byTest('receive-button').click();
    await byTest('dossier-code').waitFor();
    const code = (await byTest('dossier-code').textContent())!.trim();

    const person = core.store.people.findByIdNumber('citizen', STORED_ID)!;
    expect(person).toMatchObject({
      fullName: STORED.fullName,
      address: 'Số 5 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh',
      idIssueDate: '2016-04-20',
      birthDate: '1990-07-15',
    });
    const audit = core.store.audit.forEntity('person', '07909****234').at(-1)!;
    // The screen sent the stored issue date back (the officer kept it), so the core saw one change.
    expect(audit.details).toEqual({ kind: 'citizen', changed: ['address'], declined: [] });
    expect(audit.entityId).toBe('07909****234');
    const queued = JSON.stringify(core.store.outbox.listForDossier(code).map((r) => r.payload));
    expect(queued).toContain(STORED.fullName);
    const applicant = core.store.dossiers.getByCode(code)!.applicant;
    expect(applicant).toMatchObject({
      address: 'Số 5 Lê Lợi, Phường Bến Thành, Thành phố Hồ Chí Minh',
      idIssueDate: '2016-04-20',
    });
    // Nothing garbled anywhere, and only this one dossier received.
    expect(core.store.dossiers.listReceivedOn('2026-11-20').map((d) => d.code)).toEqual([code]);
    expect(storedText()).not.toMatch(/[ÃÄÂ]|á»/u);
  });
});

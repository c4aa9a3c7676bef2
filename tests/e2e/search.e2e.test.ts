import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName, ResultOf } from '../../common/contract';
import type { Core } from '../../main/core/compose';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';
import { shots, startE2eDesk, type E2eDesk } from './support';

/**
 * The search screen in Chromium against a real core: dossiers received through the core, then
 * found without diacritics, by ID, by code prefix, by status and day, and opened.
 */
let desk: E2eDesk;
let page: Page;
const codes: Record<'dung' | 'dung2' | 'bich', string> = { dung: '', dung2: '', bich: '' };

const DUNG = {
  kind: 'citizen',
  idNumber: '001203004567',
  fullName: 'Nguyễn Văn Dũng',
  oldIdNumber: null,
  birthDate: '2003-05-12',
  sex: 'Nam',
  address: 'Thôn Đông, xã Hòa Bình',
  idIssueDate: null,
  phone: '0912345678',
  email: null,
};
const BICH: Omit<typeof DUNG, 'birthDate' | 'phone'> & { birthDate: string | null; phone: string | null } = {
  ...DUNG,
  idNumber: '079190001234',
  fullName: 'Trần Thị Bích',
  birthDate: null,
  sex: 'Nữ',
  phone: null,
};

async function seed(core: Core): Promise<void> {
  let user: SessionUser | null = null;
  const ctx: CallContext = {
    get user() {
      return user;
    },
    connectionId: 8_000,
    setUser: (u) => {
      user = u;
    },
  };
  const ok = async <M extends MethodName>(method: M, params: unknown): Promise<ResultOf<M>> => {
    const r = await core.rpc.call(method, params, ctx);
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  await ok('auth.login', { username: 'canbo', password: 'daotao-canbo' });
  const procedure = await ok('catalogue.get', { code: '1.004873' });
  const components = procedure.components.map((c) => ({
    componentCode: c.code,
    originals: 1,
    copies: 0,
    source: 'paper',
  }));
  const receive = (applicant: typeof BICH) =>
    ok('intake.receive', {
      requestId: randomUUID(),
      applicant,
      procedureCode: procedure.code,
      channel: 'walk-in',
      components,
    });
  codes.dung = (await receive(DUNG)).code;
  codes.dung2 = (await receive(DUNG)).code;
  codes.bich = (await receive(BICH)).code;
  await ok('dossier.refuse', { code: codes.bich, reasons: ['Không thuộc thẩm quyền'] });
  await ok('auth.logout', {});
}

beforeAll(async () => {
  desk = await startE2eDesk({ name: 'search', fixedNow: '2026-11-20T09:00', beforeServe: seed });
  page = await desk.browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
});
afterAll(async () => {
  await desk?.close();
});

const byTest = (id: string) => page.getByTestId(id);
const dossierRows = () => page.locator('[data-testid^="search-dossier-"]');
const personRows = () => page.locator('[data-testid^="search-person-"]');

async function searchFor(text: string): Promise<void> {
  await byTest('search-query').fill(text);
  await byTest('search-query').press('Enter');
  await expect.poll(() => byTest('search-progress').count()).toBe(0);
}

describe('search screen in the browser', () => {
  it('opens with Alt+7, focus in the query field', async () => {
    await page.goto(desk.server.launchUrl);
    await byTest('training-fill-canbo').click();
    await byTest('login-submit').click();
    await byTest('intake-view').waitFor();
    await page.keyboard.press('Alt+7');
    await byTest('search-view').waitFor();
    await expect.poll(() => byTest('search-query').evaluate((el) => el === el.ownerDocument.activeElement)).toBe(true);
    await byTest('search-idle').waitFor();
  });

  it('finds "nguyen van" without diacritics: the person and both of their dossiers', async () => {
    await searchFor('nguyen van');
    await byTest(`search-person-${DUNG.idNumber}`).waitFor();
    await expect.poll(() => dossierRows().count()).toBe(2);
    expect(await personRows().count()).toBe(1);
    expect(await byTest(`search-dossier-${codes.bich}`).count()).toBe(0);
    await page.screenshot({ path: join(shots, 'search-name.png'), fullPage: true });
  });

  it('finds by the 12-digit ID and by the start of a dossier code', async () => {
    await searchFor(BICH.idNumber);
    await byTest(`search-dossier-${codes.bich}`).waitFor();
    await expect.poll(() => dossierRows().count()).toBe(1);
    expect(await byTest(`search-person-${BICH.idNumber}`).textContent()).toContain('Trần Thị Bích');

    await searchFor('000.00.12.H56-261120');
    await expect.poll(() => dossierRows().count()).toBe(3);
    await searchFor(codes.dung2);
    await expect.poll(() => dossierRows().count()).toBe(1);
    await byTest(`search-dossier-${codes.dung2}`).waitFor();
  });

  it('narrows by status and day received, and explains an empty answer', async () => {
    await byTest('search-query').fill('');
    await byTest('search-status').selectOption('3');
    await byTest('search-status').press('Enter');
    await byTest(`search-dossier-${codes.bich}`).waitFor();
    await expect.poll(() => dossierRows().count()).toBe(1);
    expect(await byTest(`search-status-${codes.bich}`).textContent()).toContain('Không được tiếp nhận');
    expect(await personRows().count()).toBe(0);

    await byTest('search-from').fill('21/11/2026');
    await byTest('search-from').press('Enter');
    await byTest('search-empty').waitFor();
    expect(await byTest('search-empty').textContent()).toContain('bộ lọc');

    await byTest('search-to').fill('19/11/2026');
    await byTest('search-to').press('Enter');
    await byTest('search-range-invalid').waitFor();
    await byTest('search-to').fill('20/11/2026');
    await byTest('search-from').fill('20/11/2026');
    await byTest('search-from').press('Enter');
    await byTest(`search-dossier-${codes.bich}`).waitFor();

    await byTest('search-query').focus();
    await page.keyboard.press('Escape');
    await byTest('search-idle').waitFor();
    expect(await byTest('search-status').inputValue()).toBe('');
  });

  it('opens a dossier from the results with the keyboard', async () => {
    await searchFor('dung');
    await expect.poll(() => dossierRows().count()).toBe(2);
    await page.keyboard.press('ArrowDown'); // the person
    await page.keyboard.press('ArrowDown'); // the first dossier
    const focused = await page.locator(':focus').getAttribute('data-testid');
    expect([`search-dossier-${codes.dung}`, `search-dossier-${codes.dung2}`]).toContain(focused);
    await page.keyboard.press('Enter');
    await byTest('dossier-view').waitFor();
    expect(decodeURIComponent(page.url())).toContain(`/dossier/${focused!.replace('search-dossier-', '')}`);
    await byTest('dossier-status').waitFor();
  });

  it("opens a person's document store in the documents view for a digitiser", async () => {
    await byTest('logout').click();
    await byTest('training-fill-sohoa').click();
    await byTest('login-submit').click();
    await byTest('digitiser-view').waitFor();
    await page.keyboard.press('Alt+7');
    await byTest('search-view').waitFor();
    await searchFor(DUNG.idNumber);
    await byTest(`search-person-${DUNG.idNumber}`).waitFor();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await byTest('documents-view').waitFor();
    expect(await byTest('documents-search').inputValue()).toBe(DUNG.idNumber);
  });
});

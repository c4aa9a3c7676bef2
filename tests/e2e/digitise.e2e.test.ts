import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodName, ResultOf } from '../../common/contract';
import type { BrowserServer } from '../../main/core/browser-server';
import type { Core } from '../../main/core/compose';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';
import { shots, startE2eDesk, type E2eDesk } from './support';

/**
 * The digitisation station in Debian's Chromium against a real core in training mode (simulated
 * scanner, real pipeline and OCR): a digitiser scans the sample dossier, edits the batch, makes two
 * documents (one for a component intake marked "to digitise"), then finds one by its OCR text
 * typed without diacritics and opens its PDF.
 */
const OWNER_ID = '001203004567';
const OWNER_NAME = 'Nguyễn Văn Dũng';

let desk: E2eDesk;
let dataDir: string;
let core: Core;
let server: BrowserServer;
let page: Page;
let dossierCode: string;

/** Calls the core as a signed-in officer (the intake side of the hand-off is set up this way). */
async function callAs<M extends MethodName>(
  user: SessionUser | null,
  method: M,
  params: unknown,
  ctx: { user: SessionUser | null },
): Promise<ResultOf<M>> {
  const context: CallContext = {
    get user() {
      return ctx.user;
    },
    connectionId: 9_000,
    setUser: (u) => {
      ctx.user = u;
    },
  };
  if (user && !ctx.user) ctx.user = user;
  const r = await core.rpc.call(method, params, context);
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as ResultOf<M>;
}

beforeAll(async () => {
  desk = await startE2eDesk({ name: 'digitise', fixedNow: '2026-11-20T09:00' });
  ({ dataDir, core, server } = desk);

  // Intake: the officer receives a dossier whose ID card (TP02) is to be digitised.
  const ctx: { user: SessionUser | null } = { user: null };
  await callAs(null, 'auth.login', { username: 'canbo', password: 'daotao-canbo' }, ctx);
  const procedure = await callAs(null, 'catalogue.get', { code: '1.004873' }, ctx);
  const dossier = await callAs(
    null,
    'intake.receive',
    {
      requestId: '7f1b6c1e-3a52-4c1e-9a55-0d6c2b1f0a01',
      procedureCode: procedure.code,
      channel: 'walk-in',
      applicant: {
        kind: 'citizen',
        idNumber: OWNER_ID,
        fullName: OWNER_NAME,
        oldIdNumber: null,
        birthDate: null,
        sex: null,
        address: null,
        idIssueDate: null,
        phone: null,
        email: null,
      },
      components: procedure.components.map((c) => ({
        componentCode: c.code,
        originals: 1,
        copies: 0,
        source: c.code === 'TP02' ? 'to-digitise' : 'paper',
      })),
    },
    ctx,
  );
  dossierCode = dossier.code;

  page = await desk.browser.newPage({ viewport: { width: 1366, height: 1000 }, locale: 'vi-VN' });
});

afterAll(async () => {
  await desk?.close();
});

const byTest = (id: string) => page.locator(`[data-testid="${id}"]`);

/** Natural size of a page's thumbnail, once its image is there. */
async function thumbSize(index: number): Promise<{ w: number; h: number } | null> {
  return page
    .locator(`[data-testid="page-${index}"] img.page-thumb`)
    .evaluate((el) => {
      const img = el as unknown as { complete: boolean; naturalWidth: number; naturalHeight: number };
      return img.complete && img.naturalWidth > 0 ? { w: img.naturalWidth, h: img.naturalHeight } : null;
    })
    .catch(() => null);
}

/** Waits until the page shows a processed thumbnail and no "processing" badge. */
async function processed(index: number): Promise<void> {
  const tile = byTest(`page-${index}`);
  await expect
    .poll(
      async () =>
        (await tile.locator('img.page-thumb').count()) === 1 && (await tile.locator('.badge.pending').count()) === 0,
      { timeout: 90_000, interval: 250 },
    )
    .toBe(true);
}

describe('digitisation station in the browser', () => {
  it('scans, edits, splits and finishes two documents (one for the intake component)', async () => {
    await page.goto(server.launchUrl);
    await byTest('training-fill-sohoa').click();
    await byTest('login-submit').click();
    await byTest('digitiser-view').waitFor();

    // The training twin is the only scanner; its choice and a 200 dpi colour feeder batch.
    await byTest('scanner-caps-sim:1').waitFor();
    await byTest('scanner-option-sim:1').locator('input').check();
    await byTest('scan-source').selectOption('feeder');
    await byTest('scan-resolution').selectOption('200');
    await byTest('scan-mode').selectOption('color');
    // The intake side: the component to digitise is waiting at the station.
    await expect.poll(async () => (await page.getByText(dossierCode).count()) > 0, { timeout: 10_000 }).toBe(true);
    await byTest('scan-start').click();

    // Three sheets come in and are processed: a thumbnail each.
    await byTest('batch-progress').waitFor();
    for (const i of [0, 1, 2]) await processed(i);
    await byTest('batch-progress-idle').waitFor({ timeout: 90_000 });
    for (const i of [0, 1, 2]) expect((await thumbSize(i))!.h).toBeGreaterThan((await thumbSize(i))!.w);
    await page.screenshot({ path: join(shots, 'digitise-scanned.png'), fullPage: true });

    // Rotate the second page a quarter turn (the thumbnail turns landscape), then back.
    await byTest('page-1').click();
    await byTest('page-rotate-right').click();
    await expect
      .poll(
        async () => {
          const s = await thumbSize(1);
          return s !== null && s.w > s.h;
        },
        { timeout: 90_000, interval: 250 },
      )
      .toBe(true);
    await processed(1);
    await byTest('page-rotate-left').click();
    await expect
      .poll(
        async () => {
          const s = await thumbSize(1);
          return s !== null && s.h > s.w;
        },
        { timeout: 90_000, interval: 250 },
      )
      .toBe(true);
    await processed(1);

    // Delete the third page, move the second before the first, split after it: two documents.
    await byTest('page-2').click();
    await byTest('page-delete').click();
    await byTest('page-deleted-2').waitFor();
    await byTest('page-1').click();
    await byTest('page-move-left').click();
    await expect
      .poll(async () =>
        page
          .locator('[data-testid^="page-"][role="option"]')
          .evaluateAll((els) => els.map((e) => e.getAttribute('data-testid'))),
      )
      .toEqual(['page-1', 'page-0', 'page-2']);
    await byTest('page-1').click();
    await byTest('page-split').click();
    await expect.poll(() => page.locator('[data-testid^="doc-group-"][role="group"]').count()).toBe(2);
    await page.screenshot({ path: join(shots, 'digitise-edited.png'), fullPage: true });

    // Document 1: a mandatory field left empty is refused on the form, then it is finished.
    await byTest('page-1').click();
    await byTest('meta-ownerIdNumber').fill(OWNER_ID);
    await byTest('meta-documentCode').fill('KQ0006');
    await byTest('meta-documentName').fill('Sổ hộ khẩu');
    await byTest('meta-permanent').check();
    await byTest('finish-document').click();
    await byTest('finish-error').waitFor();
    expect(await byTest('meta-ownerName').getAttribute('aria-invalid')).toBe('true');
    // What was typed is saved with the batch in the core after a pause, and the form says so.
    await expect
      .poll(async () => (await byTest('metadata-draft-state').textContent())?.trim(), {
        timeout: 10_000,
        interval: 100,
      })
      .toBe('Đã lưu nháp');
    await page.screenshot({ path: join(shots, 'digitise-validation.png'), fullPage: true });
    await byTest('meta-ownerName').fill(OWNER_NAME);
    await byTest('finish-document').click();
    await byTest('finish-result').first().waitFor({ timeout: 60_000 });
    const firstId = (await byTest('finish-result-id').first().textContent())!.trim();
    expect(firstId).toMatch(/^L:\d+$/);

    // Document 2 is selected next: it is the ID card of the dossier's component to digitise.
    await expect.poll(async () => (await page.locator('#metadata-title').textContent()) ?? '').toMatch(/2/);
    await byTest('meta-pending').selectOption(`${dossierCode}/TP02`);
    await byTest('meta-component').waitFor();
    expect(await byTest('meta-documentCode').inputValue()).toBe('KQ0003');
    expect(await byTest('meta-ownerIdNumber').inputValue()).toBe(OWNER_ID);
    await byTest('meta-permanent').check();
    await byTest('finish-document').click();
    await byTest('finish-result-dossier').waitFor({ timeout: 60_000 });
    expect(await byTest('finish-result-dossier').textContent()).toContain(dossierCode);
    await byTest('finish-result-closed').waitFor();
    await page.screenshot({ path: join(shots, 'digitise-finished.png'), fullPage: true });

    // The hand-off: the dossier's component now points at the digitised document.
    await byTest('finish-result-dossier').click();
    await byTest('dossier-view').waitFor();
    await byTest('component-digitised-TP02').waitFor();
    const linked = core.store.dossiers.getByCode(dossierCode)!.components.find((c) => c.componentCode === 'TP02')!;
    expect(linked.digitisedDocumentId).not.toBeNull();
    expect(await byTest('component-digitised-TP02').textContent()).toContain(`L:${linked.digitisedDocumentId}`);
  }, 300_000);

  it('finds a document by its OCR text typed without diacritics and opens its PDF', async () => {
    await byTest('nav-documents').click();
    await byTest('documents-view').waitFor();
    // "Nơi thường trú: 25 Lê Thánh Tôn" is printed on every sample sheet, so only OCR finds it.
    await byTest('documents-search').fill('le thanh ton');
    await byTest('documents-results').waitFor();
    const rows = page.locator('[data-testid^="document-hit-"]');
    await expect.poll(() => rows.count()).toBe(2);
    const ids = await rows.evaluateAll((els) =>
      els.map((e) => e.getAttribute('data-testid')!.replace('document-hit-', '')),
    );
    const id = ids[0]!;
    expect((await byTest(`document-snippet-${id}`).textContent())!.toLowerCase()).toMatch(/thánh tôn|thanh ton/);

    await byTest(`document-pdf-${id}`).click();
    await byTest('document-pdf-frame').waitFor();
    expect(await byTest('document-pdf-name').textContent()).toContain(id.replace(':', ''));
    expect(await byTest('document-pdf-frame').getAttribute('src')).toMatch(/^blob:/);
    await page.screenshot({ path: join(shots, 'documents-pdf.png'), fullPage: true });

    // The PDF the screen shows is a searchable PDF: its text layer holds the OCR text.
    const file = await core.rpc.call(
      'documents.pdf',
      { id },
      {
        user: { username: 'sohoa', displayName: 'x', role: 'digitiser' },
        connectionId: 9_001,
        setUser: () => undefined,
      },
    );
    expect(file.ok).toBe(true);
    const out = join(dataDir, 'opened.pdf');
    writeFileSync(out, Buffer.from((file as { ok: true; value: { base64: string } }).value.base64, 'base64'));
    const text = execFileSync('pdftotext', [out, '-'], { encoding: 'utf8' });
    expect(text).toMatch(/Thánh Tôn/);
    expect(text).toContain('Bản số hóa từ bản giấy');
  });
});

import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../drivers/testing';
import { startBrowserServer, type BrowserServer } from '../../main/core/browser-server';
import { createCore, type Core } from '../../main/core/compose';
import type { CallContext, SessionUser } from '../../main/core/rpc-server';
import { root, startE2eDesk, type E2eDesk } from './support';

/**
 * Nothing typed is lost: the metadata of an open scan batch typed in Chromium comes back after the
 * whole app (core and page) is restarted on the same data folder, in a fresh browser context.
 */
const FIXED_NOW = '2026-11-20T09:00';
let desk: E2eDesk;
let batchId = '';
let restarted: { core: Core; server: BrowserServer } | null = null;

async function importOnePage(core: Core): Promise<void> {
  let user: SessionUser | null = null;
  const ctx: CallContext = {
    get user() {
      return user;
    },
    connectionId: 7_000,
    setUser: (u) => {
      user = u;
    },
  };
  await core.rpc.call('auth.login', { username: 'sohoa', password: 'daotao-sohoa' }, ctx);
  const png = await renderFixturePage({
    text: ['CĂN CƯỚC CÔNG DÂN', 'Họ và tên: Nguyễn Văn Dũng'],
    dpi: 150,
    widthMm: 105,
    heightMm: 148,
    mode: 'gray',
  });
  const r = await core.rpc.call(
    'digitise.importFiles',
    { files: [{ name: 'cccd.png', base64: Buffer.from(png).toString('base64') }], profile: { dpi: 150 } },
    ctx,
  );
  if (!r.ok) throw new Error(r.error.code);
  batchId = r.value.batchId;
}

beforeAll(async () => {
  desk = await startE2eDesk({ name: 'drafts', fixedNow: FIXED_NOW, beforeServe: importOnePage });
});
afterAll(async () => {
  await desk?.browser.close();
  if (restarted) {
    await restarted.server.close();
    await restarted.core.close();
  }
  if (desk) rmSync(desk.dataDir, { recursive: true, force: true });
});

async function openBatch(page: Page, launchUrl: string): Promise<void> {
  await page.goto(launchUrl);
  await page.getByTestId('training-fill-sohoa').click();
  await page.getByTestId('login-submit').click();
  await page.getByTestId('digitiser-view').waitFor();
  await page.getByTestId(`open-batch-${batchId}`).click();
  await page.getByTestId('meta-ownerName').waitFor();
}

describe('metadata of an open batch across a restart of everything', () => {
  it('comes back as typed in a new core and a new browser context', async () => {
    const page = await desk.browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
    await openBatch(page, desk.server.launchUrl);
    await page.getByTestId('meta-ownerIdNumber').fill('001203004567');
    await page.getByTestId('meta-ownerName').fill('Nguyễn Văn Dũng');
    await page.getByTestId('meta-dossierCode').fill('000.00.12.H56-261120-0009');
    await page.getByTestId('meta-issuer').fill('Cục Cảnh sát QLHC về TTXH');
    // Saved with the batch after the pause in typing.
    await expect
      .poll(() => desk.core.store.settings.get(`digitise.drafts:${batchId}`) ?? '')
      .toContain('Cục Cảnh sát QLHC về TTXH');
    await page.close();

    await desk.server.close();
    await desk.core.close();
    const core = await createCore({ dataDir: desk.dataDir, fixedNow: FIXED_NOW });
    const server = await startBrowserServer({
      rpc: core.rpc,
      rendererDir: join(root, 'out', 'renderer'),
      log: core.log,
    });
    restarted = { core, server };

    const context = await desk.browser.newContext({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
    const again = await context.newPage();
    await openBatch(again, server.launchUrl);
    await expect.poll(() => again.getByTestId('meta-ownerName').inputValue()).toBe('Nguyễn Văn Dũng');
    expect(await again.getByTestId('meta-ownerIdNumber').inputValue()).toBe('001203004567');
    expect(await again.getByTestId('meta-dossierCode').inputValue()).toBe('000.00.12.H56-261120-0009');
    expect(await again.getByTestId('meta-issuer').inputValue()).toBe('Cục Cảnh sát QLHC về TTXH');
    expect(core.store.audit.forEntity('batch', batchId).some((e) => e.action === 'digitise.draft')).toBe(true);
    await context.close();
  });
});

import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BrowserServer } from '../../main/core/browser-server';
import type { Core } from '../../main/core/compose';
import { shots, startE2eDesk, type E2eDesk } from './support';
import { TestSession } from '../integration/core-support';

/**
 * Return of results in the real UI (built renderer, Debian's Chromium) against a real core in
 * training mode: the provincial simulator processes a received dossier (through its admin API, as
 * another process would), the desk pulls the result, the officer finds the dossier by its code,
 * checks the collector and hands over; the national simulator ends with status 10.
 */
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

let desk: E2eDesk;
let core: Core;
let server: BrowserServer;
let page: Page;

beforeAll(async () => {
  desk = await startE2eDesk({ name: 'returns', fixedNow: '2026-11-20T09:00' });
  ({ core, server } = desk);
  page = await desk.browser.newPage({ viewport: { width: 1366, height: 900 }, locale: 'vi-VN' });
});

afterAll(async () => {
  await desk?.close();
});

const byTest = (id: string) => page.getByTestId(id);

/** A call to a simulator's admin endpoint, with its token (docs/operations.md, "Simulators"). */
async function admin(
  sim: { url: string; adminToken: string },
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const token = { 'x-sim-token': sim.adminToken };
  const res = await fetch(
    `${sim.url}${path}`,
    body === undefined
      ? { headers: token }
      : { method: 'POST', headers: { 'content-type': 'application/json', ...token }, body: JSON.stringify(body) },
  );
  expect(res.status).toBeLessThan(300);
  return (await res.json()) as Record<string, unknown>;
}

describe('return of results in the browser', () => {
  it('a processed dossier is found by its scanned code, the collector checked, the result handed over; the portal shows 10', async () => {
    // A dossier received earlier today (through the core, as the intake screen does) and handed off.
    const desk = new TestSession(core);
    await desk.login();
    const procedure = await desk.ok('catalogue.get', { code: '1.004873' });
    const components = procedure.components.map((c) => ({
      componentCode: c.code,
      originals: 1,
      copies: 0,
      source: 'paper',
    }));
    const d = await desk.ok('intake.receive', {
      requestId: randomUUID(),
      applicant: DUNG,
      procedureCode: '1.004873',
      channel: 'walk-in',
      components,
    });
    await core.sender.drainOnce();
    const sims = core.simulators!;

    // The processing unit finishes it: status 4, then 9 with its result file.
    // Times in the desk's (training) day, so the list shows it on time.
    await admin(sims.provincial, '/__sim/status', {
      MaHoSo: d.code,
      TrangThaiHoSo: 4,
      ThoiDiem: '2026-11-20T09:00:10+07:00',
    });
    await admin(sims.provincial, '/__sim/result', {
      MaHoSo: d.code,
      ThoiDiem: '2026-11-20T09:00:20+07:00',
      TenGiayTo: 'Giấy xác nhận tình trạng hôn nhân',
      MaGiayToKetQua: 'KQ.G15.000031',
    });

    await page.goto(server.launchUrl);
    await byTest('training-fill-canbo').click();
    await byTest('login-submit').click();
    await byTest('intake-view').waitFor();

    // The next pull brings the result; the list follows the dossier.changed event.
    await page.keyboard.press('Alt+6');
    await byTest('returns-view').waitFor();
    await core.statusPuller.pullOnce();
    await byTest(`return-row-${d.code}`).waitFor();
    expect(await byTest(`return-row-${d.code}`).textContent()).toContain('Đã nhận tệp kết quả');
    expect(await byTest(`return-row-${d.code}`).textContent()).not.toContain('Trễ hạn');
    await page.screenshot({ path: join(shots, 'returns-list.png') });

    // The receipt's QR scanned from another screen (a keyboard-wedge burst ending in Enter).
    await page.keyboard.press('Alt+1');
    await byTest('intake-view').waitFor();
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await page.keyboard.type(d.code, { delay: 0 });
    await page.keyboard.press('Enter');
    await byTest('return-panel').waitFor();
    expect(page.url()).toContain(`/returns/${d.code}`);
    expect(await byTest('return-status').textContent()).toBe('Đã xử lý xong');

    // The collector's ID is checked against the applicant's.
    await expect
      .poll(() => byTest('return-collector-id').evaluate((el) => el === el.ownerDocument.activeElement))
      .toBe(true);
    await page.keyboard.type('001203009999');
    await page.keyboard.press('Control+Enter');
    await byTest('return-error').waitFor();
    expect(await byTest('return-error').textContent()).toContain('không trùng với người nộp hồ sơ');
    await byTest('return-collector-id').fill('001203004567');
    await page.keyboard.press('Control+Enter');
    await byTest('return-done').waitFor();
    expect(await byTest('return-done').textContent()).toContain('Nguyễn Văn Dũng');
    expect(await byTest('return-status').textContent()).toBe('Đã trả kết quả');
    await page.screenshot({ path: join(shots, 'returns-done.png') });

    // The outbox reaches the national portal: status 10, each step once.
    await core.sender.drainOnce();
    await core.sender.drainOnce();
    const state = (await admin(sims.national, '/__sim/state')) as {
      dossiers: { MaHoSo: string; TrangThaiHoSo: string }[];
      progress: Record<string, string[]>;
    };
    expect(state.dossiers.find((x) => x.MaHoSo === d.code)?.TrangThaiHoSo).toBe('10');
    const steps = state.progress[d.code]!;
    expect(steps.filter((s) => s === 'Trả kết quả giải quyết hồ sơ')).toHaveLength(1);
    expect(steps.filter((s) => s.startsWith('Đã xử lý xong'))).toHaveLength(1);
    expect(steps[0]).toBe('Tiếp nhận hồ sơ');
  });
});

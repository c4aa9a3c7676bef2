import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resourcesDir } from '../../main/kernel/resources';
import { trainingQueueConfig } from '../../main/queue/queue-config';
import { centrePaths, writeCentreConfig } from '../../main/centre/centre-config';
import { createCentre, type Centre } from '../../main/centre/compose';
import { startTestPostgres, type TestPostgres } from '../../main/centre/database/testing/test-postgres';
import type { DeviceKind } from '../../main/centre/security/device';
import { initCentreTls } from '../../main/centre/security/tls-files';
import { createAttemptLimiter } from '../../main/centre/server/rate-limit';
import { root, shots } from './support';

/**
 * The centre's browser devices in Debian's Chromium (docs/architecture.md, "Centre"): a real centre
 * (PostgreSQL, HTTPS, the built renderer) and three browsers as in a one-stop hall, each paired once
 * on `/pair` with a code IT made: the kiosk takes a ticket, the display shows the number a desk
 * calls, the rating tablet at that counter rates the service; revoking the kiosk cuts it off.
 *
 * Chromium trusts the centre the way a device is set up for it: the centre's CA is imported into
 * the browser's NSS database (`certutil`, in a temporary HOME), no certificate error is ignored.
 */
const DESK = 'device:e2e-desk/canbo';

let pg: TestPostgres;
let centre: Centre;
let browser: Browser;
let work: string;
const contexts: BrowserContext[] = [];

/** The renderer as the centre serves it, built from this tree into a private folder. */
function buildRenderer(outDir: string): void {
  const r = spawnSync(
    'npx',
    ['vite', 'build', '--config', 'renderer/vite.config.ts', '--outDir', outDir, '--emptyOutDir', '--logLevel', 'warn'],
    { cwd: root, stdio: 'inherit' },
  );
  if (r.status !== 0) throw new Error('renderer build failed');
}

/** A HOME whose NSS database trusts the centre's CA (what operations.md asks of a device's browser). */
function homeTrusting(caPem: string): string {
  const home = join(work, 'home');
  const nss = join(home, '.pki', 'nssdb');
  mkdirSync(nss, { recursive: true });
  const caFile = join(work, 'centre-ca.crt');
  writeFileSync(caFile, caPem);
  execFileSync('certutil', ['-d', `sql:${nss}`, '-N', '--empty-password']);
  execFileSync('certutil', ['-d', `sql:${nss}`, '-A', '-t', 'C,,', '-n', 'Motcua centre CA', '-i', caFile]);
  return home;
}

async function pairedPage(kind: DeviceKind, name: string, counter: string | null = null): Promise<Page> {
  const { code } = await centre.registry.createPairingCode({ kind, name, counter, actor: 'it' });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: 'vi-VN' });
  contexts.push(context);
  const page = await context.newPage();
  await page.goto(`${centre.url}/pair`);
  expect(await page.locator('h1').textContent()).toBe('Ghép nối thiết bị với trung tâm Một cửa');
  await page.locator('#code').fill(code.toLowerCase());
  await page.locator('button[type="submit"]').click();
  return page;
}

async function deviceId(name: string): Promise<string> {
  const found = (await centre.registry.list()).find((d) => d.name === name);
  if (!found) throw new Error(`no device ${name}`);
  return found.id;
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'motcua-e2e-centre-devices-'));
  mkdirSync(shots, { recursive: true });
  const rendererDir = join(work, 'renderer');
  const [postgres] = await Promise.all([startTestPostgres(), Promise.resolve(buildRenderer(rendererDir))]);
  pg = postgres;
  const centreDir = join(work, 'centre');
  const config = writeCentreConfig(centreDir, {
    agency: { id: '000.00.12.H56', name: 'UBND xã Thử Nghiệm' },
    listen: { address: '127.0.0.1', port: 8443 },
    hosts: ['127.0.0.1', 'localhost'],
    queue: trainingQueueConfig(resourcesDir()),
    devices: { mode: 'training', paper: 80 },
  });
  const tls = await initCentreTls(centrePaths(centreDir).tls, {
    hosts: config.hosts,
    commonName: `${config.agency.name} CA`,
    force: true,
  });
  centre = await createCentre({
    centreDir,
    config,
    databaseUrl: await pg.freshDatabase(),
    port: 0,
    rendererDir,
    limiter: createAttemptLimiter({ maxFailures: 100, maxAttempts: 100 }),
  });
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--autoplay-policy=no-user-gesture-required',
    ],
    env: { ...process.env, HOME: homeTrusting(tls.caPem) },
  });
}, 240_000);

afterAll(async () => {
  for (const c of contexts) await c.close().catch(() => undefined);
  await browser?.close();
  await centre?.close();
  await pg?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('browser devices of the centre', () => {
  it('a wrong code is refused on the pairing page, and nothing is paired', async () => {
    const context = await browser.newContext({ locale: 'vi-VN' });
    contexts.push(context);
    const page = await context.newPage();
    await page.goto(`${centre.url}/pair`);
    await page.locator('#code').fill('ZZZZ-ZZZZ');
    await page.locator('button[type="submit"]').click();
    expect(await page.getByRole('alert').textContent()).toContain('Mã ghép nối không đúng, đã dùng hoặc đã hết hạn');
    expect(await page.locator('#code').inputValue()).toBe('');
    expect(await context.cookies()).toEqual([]);
    // The code typed is never written back into the page.
    expect(await page.content()).not.toContain('ZZZZ');
  });

  it('kiosk takes a ticket → a desk calls it → the display shows it → the rating tablet rates it → the kiosk is revoked', async () => {
    // Kiosk: paired, straight to its screen with no sign-in.
    const kiosk = await pairedPage('kiosk', 'Kiosk sảnh');
    await kiosk.waitForURL(/#\/kiosk$/);
    const cookie = (await kiosk.context().cookies()).find((c) => c.name === 'motcua_device');
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict' });
    await kiosk.getByTestId('kiosk-service-HO-TICH').waitFor();
    expect(await kiosk.getByTestId('kiosk-paused').count()).toBe(0);

    // Display and rating tablet (counter Q01).
    const display = await pairedPage('display', 'Màn hình sảnh');
    await display.waitForURL(/#\/display$/);
    await display.getByTestId('display-counter-Q01').waitFor();
    const rating = await pairedPage('rating', 'Đánh giá quầy 1', 'Q01');
    await rating.waitForURL(/#\/rate$/);
    await rating.getByTestId('rating').waitFor();

    // An applicant takes a Hộ tịch ticket at the kiosk; the training printer prints it.
    await kiosk.getByTestId('kiosk-service-HO-TICH').click();
    const number = (await kiosk.getByTestId('kiosk-ticket-number').textContent())?.trim();
    expect(number).toBe('A001');
    expect(await kiosk.getByTestId('kiosk-print').textContent()).toContain('nhận phiếu');
    await kiosk.screenshot({ path: join(shots, 'centre-kiosk.png') });
    // The display's waiting list follows.
    await expect.poll(() => display.getByTestId('display-waiting-HO-TICH').textContent()).toContain('A001');

    // A desk calls the next ticket at Q01: the display shows it at once.
    await centre.queue.callNext('Q01', DESK);
    await expect.poll(() => display.getByTestId('display-counter-Q01').textContent()).toContain('A001');
    expect(await display.getByTestId('display-recent').textContent()).toContain('Số A001 → Quầy số 1');
    await display.screenshot({ path: join(shots, 'centre-display.png') });

    // Served: the rating tablet at Q01 asks, the applicant rates.
    await centre.queue.finish('Q01', null, DESK);
    await rating.getByTestId('rating-question').waitFor();
    expect(await rating.getByTestId('rating-question').textContent()).toContain('A001');
    await rating.getByTestId('rating-3').click();
    await rating.getByTestId('rating-thanks').waitFor();
    const rated = await centre.db.query<{ rating: number; kiosk_device: string }>(
      "SELECT rating, kiosk_device FROM queue_tickets WHERE number = 'A001'",
    );
    expect(rated.rows).toEqual([{ rating: 3, kiosk_device: await deviceId('Kiosk sảnh') }]);

    // IT revokes the kiosk: its page is cut off at once and takes no more numbers.
    await centre.registry.revoke(await deviceId('Kiosk sảnh'), 'it');
    await kiosk.getByTestId('kiosk-done').click();
    await kiosk.getByTestId('kiosk-paused').waitFor();
    expect(await kiosk.getByTestId('kiosk-paused').textContent()).toContain('Hệ thống lấy số tạm dừng');
    expect(await kiosk.getByTestId('kiosk-service-HO-TICH').isDisabled()).toBe(true);
    await kiosk.getByTestId('kiosk-service-HO-TICH').click({ force: true });
    await kiosk.screenshot({ path: join(shots, 'centre-kiosk-revoked.png') });
    // It stays cut off (its reconnections are refused), while the display goes on.
    await kiosk.waitForTimeout(2_000);
    expect(await kiosk.getByTestId('kiosk-paused').isVisible()).toBe(true);
    expect(await display.getByTestId('display-offline').count()).toBe(0);
    const tickets = await centre.db.query<{ n: number }>('SELECT count(*)::int AS n FROM queue_tickets');
    expect(tickets.rows[0]?.n).toBe(1);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { ANSWER_VARIANTS } from '../remotes/national-portal/answer-variants';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalSimulator,
} from '../remotes/national-portal/national-portal.simulator';
import { checkNationalPortal, type NationalCheckStatus, type NationalCheckTarget } from './doctor-national';

const AGENCY = '000.00.12.H56';
const ENV = { MOTCUA_NATIONAL_PASSWORD: TRAINING_NATIONAL_USER.password };

let sim: NationalPortalSimulator | null = null;
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  await sim?.close();
  sim = null;
  for (const close of closers.splice(0)) await close();
});

function target(baseUrl: string): NationalCheckTarget {
  return {
    baseUrl,
    username: TRAINING_NATIONAL_USER.username,
    passwordEnv: 'MOTCUA_NATIONAL_PASSWORD',
    dstcode: TRAINING_DSTCODE,
    agencyCode: AGENCY,
  };
}

async function run(
  t: NationalCheckTarget,
  env: NodeJS.ProcessEnv = ENV,
): Promise<{ name: string; status: NationalCheckStatus; detail: string }[]> {
  const results: { name: string; status: NationalCheckStatus; detail: string }[] = [];
  await checkNationalPortal(t, env, (name, status, detail) => results.push({ name, status, detail }), 1000);
  return results;
}

/** A portal that logs in, then answers every service call with `body`. */
async function portalAnswering(body: string): Promise<string> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', req.url === '/auth' ? 'application/json' : 'text/html');
      res.end(req.url === '/auth' ? JSON.stringify({ error_code: 0, session: 's1' }) : body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('doctor: national portal check', () => {
  it.each(ANSWER_VARIANTS)('passes against the portal twin answering %s', async (answers) => {
    sim = await startNationalPortalSimulator({ answers, dstcode: TRAINING_DSTCODE });
    const results = await run(target(sim.url));
    expect(results).toEqual([
      { name: 'remote.national', status: 'ok', detail: expect.stringContaining('TraCuuTechID') as unknown as string },
    ]);
    // It really asked: one login, a dossier lookup and a citizen lookup, nothing written.
    expect(sim.state.calls.map((c) => c.service)).toEqual(['auth', 'TraCuuHoSo', 'TraCuuTechID']);
    expect(sim.state.dossiers.size).toBe(0);
  });

  it('fails, saying why, when the password is wrong, the variable is unset or the dstcode is refused', async () => {
    sim = await startNationalPortalSimulator({ dstcode: TRAINING_DSTCODE });
    const wrong = await run(target(sim.url), { MOTCUA_NATIONAL_PASSWORD: 'sai-mat-khau' });
    expect(wrong[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/Sai tên đăng nhập hoặc mật khẩu/u) as unknown as string,
    });
    const unset = await run(target(sim.url), {});
    expect(unset[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('MOTCUA_NATIONAL_PASSWORD') as unknown as string,
    });
    const dst = await run({ ...target(sim.url), dstcode: 'H99' });
    expect(dst[0]).toMatchObject({ status: 'fail', detail: expect.stringMatching(/dstcode/u) as unknown as string });
  });

  it('fails on a server error, a refusal that is not "not found", an HTML page, and no server at all', async () => {
    sim = await startNationalPortalSimulator({ dstcode: TRAINING_DSTCODE });
    sim.faults.failNext(1, '500', { only: 'TraCuuTechID' });
    expect((await run(target(sim.url)))[0]).toMatchObject({ status: 'fail' });

    const refused = await portalAnswering('{"error_code":2,"message":"Số định danh không hợp lệ"}');
    expect((await run(target(refused)))[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('[error_code 2]') as unknown as string,
    });
    const html = await portalAnswering('<html><body>502 Bad Gateway</body></html>');
    expect((await run(target(html)))[0]).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('not a JSON object') as unknown as string,
    });

    const gone = await portalAnswering('{}');
    const url = new URL(gone);
    await closers.pop()!();
    expect((await run(target(`http://127.0.0.1:${url.port}`)))[0]).toMatchObject({ status: 'fail' });
  });
});

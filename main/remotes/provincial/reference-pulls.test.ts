import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RemoteError } from '../remote-error';
import { createProvincialClient } from './provincial.client';
import type { ProvincialSystem } from './provincial.port';
import { startProvincialSimulator, TRAINING_PROVINCIAL_CLIENT, type ProvincialSimulator } from './provincial.simulator';

let sim: ProvincialSimulator;
let client: ProvincialSystem;

beforeEach(async () => {
  sim = await startProvincialSimulator();
  client = createProvincialClient({ baseUrl: sim.url, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs: 400 });
});
afterEach(async () => {
  await sim.close();
});

async function code(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof RemoteError) return err.code;
    throw err;
  }
  return 'resolved';
}

describe('provincial reference pulls: administrative units and holiday notices', () => {
  it('pulls the units with one token, renewed once when it expires', async () => {
    const units = await client.administrativeUnits();
    expect(units.find((u) => u.code === '01')).toMatchObject({ level: 'province', provinceCode: null });
    expect(units.find((u) => u.code === '26734')).toMatchObject({ level: 'commune', provinceCode: '79' });
    sim.expireTokens();
    expect((await client.administrativeUnits()).length).toBe(units.length);
    expect((await client.holidayNotices(2026)).map((n) => n.id)).toEqual(['DAO-TAO-2026-01']);
    expect(sim.state.tokensIssued).toBe(2);
  });

  it('an empty list is an answer; malformed codes are a bad answer', async () => {
    sim.state.administrativeUnits.length = 0;
    expect(await client.administrativeUnits()).toEqual([]);
    sim.state.administrativeUnits.push({
      code: '7',
      name: 'Tỉnh lạ',
      level: 'province',
      provinceCode: null,
      effectiveFrom: '2025-07-01',
      abolishedFrom: null,
    });
    expect(await code(client.administrativeUnits())).toBe('REMOTE_BAD_RESPONSE');
  });

  it.each([
    ['500', 'REMOTE_UNAVAILABLE'],
    ['timeout', 'REMOTE_TIMEOUT'],
    ['garbage', 'REMOTE_BAD_RESPONSE'],
    ['cut', 'REMOTE_UNAVAILABLE'],
  ] as const)('fault %s → %s, and the next call works', async (kind, expected) => {
    sim.faults.failNext(1, kind, { only: '/api/administrative-units' });
    expect(await code(client.administrativeUnits())).toBe(expected);
    expect((await client.administrativeUnits()).length).toBeGreaterThan(0);
  });

  it('refused client credentials are REMOTE_AUTH_FAILED', async () => {
    const bad = createProvincialClient({ baseUrl: sim.url, clientId: 'x', clientSecret: 'y', timeoutMs: 400 });
    expect(await code(bad.administrativeUnits())).toBe('REMOTE_AUTH_FAILED');
  });
});

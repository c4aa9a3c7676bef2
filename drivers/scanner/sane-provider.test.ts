import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SaneScannerProvider } from './sane-provider';
import { makeSaneEnv, SCANIMAGE, type SaneEnv } from './sane-test-env';

describe.skipIf(SCANIMAGE === null)("SaneScannerProvider against the SANE 'test' backend", () => {
  let sane: SaneEnv;

  beforeAll(async () => {
    sane = await makeSaneEnv();
  });

  afterAll(async () => {
    await sane.dispose();
  });

  it('lists the test devices', async () => {
    const provider = new SaneScannerProvider({ env: sane.env });
    const list = await provider.list();
    expect(list.map((d) => d.id)).toEqual(['sane:test:0', 'sane:test:1']);
    expect(list[0]?.kind).toBe('sane');
    expect(list[0]?.name).toContain('frontend-tester');
    const scanner = provider.open('sane:test:1');
    expect(scanner.device).toBe('test:1');
    expect(scanner.info.name).toBe(list[1]?.name);
    expect(() => provider.open('escl:http://x')).toThrow(RangeError);
  });

  it('a missing scanimage is DEVICE_UNAVAILABLE', async () => {
    await expect(new SaneScannerProvider({ scanimagePath: join(sane.configDir, 'nope') }).list()).rejects.toMatchObject(
      { code: 'DEVICE_UNAVAILABLE' },
    );
  });
});

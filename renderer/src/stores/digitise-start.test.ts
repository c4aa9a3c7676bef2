// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { setApiForTests } from '../api';
import { FakeFailure } from '../testing/fake-api';
import { setupHarness } from '../testing/mount';
import { MESSAGE_LIMITS } from '../../../common/contract/message-limits';
import { MAX_IMPORT_BYTES, useDigitiseStartStore } from './digitise-start';
import type { ScannerListing } from './types';

afterEach(() => setApiForTests(null));

const CAPABILITIES: NonNullable<ScannerListing['capabilities']> = {
  sources: ['flatbed'],
  duplex: false,
  resolutions: [300],
  modes: ['gray'],
  pageSizes: [{ name: 'A4', widthMm: 210, heightMm: 297 }],
};

function unaskable(code: string): ScannerListing {
  return {
    id: 'sane:1',
    name: 'Máy quét 1',
    kind: 'sane',
    capabilities: null,
    error: { code, message: `${code} raw` },
  };
}

async function startWith(listing: ScannerListing) {
  const h = setupHarness({ 'digitise.scanners': () => [listing], 'digitise.startScan': () => ({ batchId: 'b1' }) });
  const store = useDigitiseStartStore();
  await store.loadScanners();
  expect(store.scanner?.id).toBe(listing.id);
  const batchId = await store.startScan();
  return { h, store, batchId };
}

describe('digitise start: a scan that cannot start says why', () => {
  it.each(['SCANNER_COVER_OPEN', 'SCANNER_DISCONNECTED', 'SCANNER_JAM', 'DEVICE_UNAVAILABLE'])(
    'a listed scanner that reported %s is refused with that code, and nothing is sent',
    async (code) => {
      const { h, store, batchId } = await startWith(unaskable(code));
      expect(batchId).toBeNull();
      expect(store.startError).toEqual({ code, message: `${code} raw` });
      expect(h.fake.callsOf('digitise.startScan')).toHaveLength(0);
    },
  );

  it('an error code the desk does not know reads as DEVICE_UNAVAILABLE', async () => {
    const { store } = await startWith(unaskable('SANE_STATUS_IO_ERROR'));
    expect(store.startError).toMatchObject({ code: 'DEVICE_UNAVAILABLE', message: 'SANE_STATUS_IO_ERROR raw' });
  });

  it("a scan the core refuses keeps the core's code", async () => {
    const listing: ScannerListing = {
      id: 'sane:2',
      name: 'Máy quét 2',
      kind: 'sane',
      capabilities: CAPABILITIES,
      error: null,
    };
    setupHarness({
      'digitise.scanners': () => [listing],
      'digitise.startScan': () => {
        throw new FakeFailure('SCANNER_FEEDER_EMPTY', 'feeder empty');
      },
    });
    const store = useDigitiseStartStore();
    await store.loadScanners();
    expect(await store.startScan()).toBeNull();
    expect(store.startError).toMatchObject({ code: 'SCANNER_FEEDER_EMPTY' });
    expect(store.starting).toBe(false);
  });
});

describe('digitise start: files too large together for one request', () => {
  it('refuses files whose sizes add up to more than one message carries, and sends nothing', async () => {
    const h = setupHarness({ 'digitise.importFiles': () => ({ batchId: 'b1', pages: 2 }) });
    const store = useDigitiseStartStore();
    // Sizes only (a File's bytes are not read before the check): two halves just over the limit together.
    const half = Math.floor(MAX_IMPORT_BYTES / 2) + 1;
    const files = [1, 2].map((n) => ({ name: `${n}.pdf`, size: half }) as unknown as File);
    expect(await store.importFiles(files)).toBeNull();
    expect(store.startError).toMatchObject({ code: 'VALIDATION_FAILED', fields: ['files'] });
    expect(h.fake.callsOf('digitise.importFiles')).toHaveLength(0);
    expect(MAX_IMPORT_BYTES * (4 / 3)).toBeLessThan(MESSAGE_LIMITS.signedInBytes - MESSAGE_LIMITS.envelopeBytes);
  });
});

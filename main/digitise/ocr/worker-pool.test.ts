import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderFixturePage } from '../../../drivers/testing';
import { characterErrorRate } from '../quality';
import { SAMPLE_LINES } from '../testing/pages';
import { assertLocalLangPath, createOcrPool, ocrPoolSize, vieLangPath } from './worker-pool';
import type { OcrPool } from './worker-pool';

describe('pool sizing and model location', () => {
  it('is sized by cores, free memory and the cap', () => {
    const MB = 1024 * 1024;
    expect(ocrPoolSize({ cores: 8, freeBytes: 4096 * MB, perWorkerBytes: 250 * MB })).toBe(8);
    expect(ocrPoolSize({ cores: 8, freeBytes: 600 * MB, perWorkerBytes: 250 * MB })).toBe(2);
    expect(ocrPoolSize({ cores: 8, freeBytes: 4096 * MB, perWorkerBytes: 250 * MB, max: 3 })).toBe(3);
    expect(ocrPoolSize({ cores: 4, freeBytes: 100 * MB, perWorkerBytes: 250 * MB })).toBe(1);
  });

  it('reads the Vietnamese model from the installed package, never from a URL', () => {
    const local = vieLangPath();
    expect(path.isAbsolute(local)).toBe(true);
    expect(local).toMatch(/@tesseract\.js-data[\\/]vie[\\/]4\.0\.0$/);
    expect(() => assertLocalLangPath(local)).not.toThrow();
    expect(() => assertLocalLangPath('https://cdn.jsdelivr.net/npm/@tesseract.js-data/vie/4.0.0')).toThrow(/local/);
    expect(() => assertLocalLangPath('relative/dir')).toThrow(/local/);
    expect(() => assertLocalLangPath(path.dirname(local))).toThrow(/not found/);
    expect(() => createOcrPool({ langPath: 'http://example.test/tessdata' })).toThrow(/local/);
  });
});

describe('OCR pool', () => {
  let pool: OcrPool;
  let page: Uint8Array;
  beforeAll(async () => {
    pool = createOcrPool({ maxWorkers: 1 });
    page = await renderFixturePage({ text: SAMPLE_LINES, dpi: 200, widthMm: 120, heightMm: 40 });
  });
  afterAll(async () => {
    await pool.close();
  });

  it('reads Vietnamese, reuses its worker, cancels with an AbortError and stays usable', async () => {
    const first = await pool.recognise(page, { dpi: 200 });
    expect(characterErrorRate(SAMPLE_LINES.join('\n'), first.text)).toBeLessThan(0.02);
    expect(first.words.length).toBeGreaterThanOrEqual(15);
    expect(new Set(first.words.map((w) => w.line))).toEqual(new Set([0, 1, 2]));

    const already = new AbortController();
    already.abort();
    await expect(pool.recognise(page, { signal: already.signal })).rejects.toMatchObject({ name: 'AbortError' });

    const running = new AbortController();
    const cancelled = pool.recognise(page, { signal: running.signal, dpi: 200 });
    const queued = new AbortController();
    const waiting = pool.recognise(page, { signal: queued.signal, dpi: 200 });
    setTimeout(() => {
      running.abort();
      queued.abort();
    }, 20);
    await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });
    await expect(waiting).rejects.toMatchObject({ name: 'AbortError' });

    const after = await pool.recognise(page, { dpi: 200 });
    expect(after.text).toBe(first.text);
    const stats = pool.stats();
    expect(stats).toMatchObject({ size: 1, queued: 0, busy: 0 });
    expect(stats.created).toBe(2);
    expect(stats.pagesDone).toBe(2);
  });

  it('a cancel arriving while the engine is inside recognize leaves no unhandled rejection, and close right after a call neither', async () => {
    // tesseract.js posts to its engine after awaiting the image; an engine terminated in between
    // used to make that post fail as an unhandled rejection (the core would stop on it).
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    try {
      await pool.recognise(page, { dpi: 200 }); // an idle engine with this dpi: the next job calls recognize at once
      const controller = new AbortController();
      const cancelled = pool.recognise(page, { signal: controller.signal, dpi: 200 });
      controller.abort();
      await expect(cancelled).rejects.toMatchObject({ name: 'AbortError' });

      const other = createOcrPool({ maxWorkers: 1 });
      await other.recognise(page, { dpi: 200 });
      const closing = expect(other.recognise(page, { dpi: 200 })).rejects.toMatchObject({ code: 'OCR_CLOSED' });
      await other.close();
      await closing;
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(unhandled).toEqual([]);
      // The pool still reads after the cancel.
      expect((await pool.recognise(page, { dpi: 200 })).words.length).toBeGreaterThanOrEqual(15);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('rejects work after close', async () => {
    const other = createOcrPool({ maxWorkers: 1 });
    await other.close();
    await expect(other.recognise(page)).rejects.toMatchObject({ code: 'OCR_CLOSED' });
  });
});

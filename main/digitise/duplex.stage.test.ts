import { describe, expect, it } from 'vitest';
import { duplexStage } from './duplex.stage';
import { newPage, testContext } from './testing/pages';
import type { PageState } from './types';

const page = (side: 'front' | 'back'): PageState => ({
  ...newPage(new Uint8Array(0), { side, dpi: 200 }),
  image: { width: 2, height: 1, channels: 1, data: new Uint8Array([10, 200]) },
});

describe('duplex stage', () => {
  it('turns back sides by 180° when the profile says the feeder delivers them upside down', async () => {
    const out = await duplexStage.run(page('back'), testContext({ duplex: true, flipBackSides: true }));
    expect([...out.image.data]).toEqual([200, 10]);
    expect(out.rotation).toBe(180);
    expect(out.notes.join()).toMatch(/back side/);
  });

  it('leaves front sides, simplex batches and profiles without the flip alone', async () => {
    for (const [p, profile] of [
      [page('front'), { duplex: true, flipBackSides: true }],
      [page('back'), { duplex: false, flipBackSides: true }],
      [page('back'), { duplex: true }],
    ] as const) {
      expect(await duplexStage.run(p, testContext(profile))).toBe(p);
    }
  });
});

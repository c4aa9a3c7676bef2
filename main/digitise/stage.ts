import type { PageStage, PageState, StageContext } from './types';

/** A named stage from a function (the pipeline only needs `name` and `run`). */
export function defineStage(name: string, run: (page: PageState, ctx: StageContext) => Promise<PageState>): PageStage {
  return { name, run };
}

/** An image with no pixels: the working image of a page before the decode stage. */
export const NO_IMAGE = Object.freeze({ width: 0, height: 0, channels: 1 as const, data: new Uint8Array(0) });

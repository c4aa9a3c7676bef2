import { decodeStage } from '../decode.stage';
import { NO_IMAGE } from '../stage';
import { DEFAULT_PROFILE } from '../types';
import type { DigitiseProfile, PageState, StageContext } from '../types';

/** A stage context for tests: the default profile with overrides, a signal that never aborts. */
export function testContext(profile: Partial<DigitiseProfile> = {}, signal?: AbortSignal): StageContext {
  return { profile: { ...DEFAULT_PROFILE, ...profile }, signal: signal ?? new AbortController().signal };
}

/** A page state as the pipeline starts it, before any stage. */
export function newPage(
  bytes: Uint8Array,
  opts: { index?: number; side?: 'front' | 'back'; dpi?: number } = {},
): PageState {
  return {
    index: opts.index ?? 0,
    side: opts.side ?? 'front',
    original: bytes,
    image: NO_IMAGE,
    dpi: opts.dpi ?? 0,
    rotation: 0,
    skewAngle: 0,
    blank: false,
    inkCoverage: 0,
    ocr: null,
    notes: [],
  };
}

/** The page after the decode stage. */
export async function decodedPage(
  bytes: Uint8Array,
  opts: { index?: number; side?: 'front' | 'back'; dpi?: number } = {},
  ctx: StageContext = testContext(),
): Promise<PageState> {
  return decodeStage.run(newPage(bytes, opts), ctx);
}

/** Three lines of an administrative paper, as used throughout the digitisation tests. */
export const SAMPLE_LINES: readonly string[] = [
  'Ủy ban nhân dân xã Hòa Bình',
  'Giấy xác nhận tình trạng hôn nhân',
  'Nguyễn Văn Dũng, sinh ngày 12/05/2003',
];

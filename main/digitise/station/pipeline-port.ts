import type { DigitiseProfileInput, ScanRequestParams } from '../../../common/contract';
import type { DigitisedDocumentMeta } from '../pdf/xmp';
import type { Pipeline } from '../pipeline';
import { DEFAULT_PROFILE, type DigitiseProfile } from '../types';

/** What the PDF writer needs beyond the officer's metadata (digitisation time, digitiser, agency). */
export type DocumentMeta = DigitisedDocumentMeta;

/**
 * The part of the pipeline (`main/digitise/pipeline.ts`) the station and the command line use.
 * `finishDocument` ends with the pipeline's signing slot (identity until the agency signature lands);
 * `finishPages`, when the pipeline has it, does the same reading the pages one at a time.
 */
export type DigitisePipeline = Pick<Pipeline, 'processPage' | 'finishDocument'> &
  Partial<Pick<Pipeline, 'finishPages'>>;

/** A pipeline for a profile (the station asks for one per batch profile; the OCR pool is shared). */
export type PipelineFactory = (profile: DigitiseProfile) => DigitisePipeline;

/**
 * The station's profile for a batch: the defaults, the workstation's configured defaults, what the
 * scan request implies (resolution, colour, duplex), then the officer's overrides.
 */
export function resolveProfile(
  input: DigitiseProfileInput,
  request?: ScanRequestParams,
  configured: DigitiseProfileInput = {},
): DigitiseProfile {
  const fromRequest: Partial<DigitiseProfile> = request
    ? { dpi: Math.min(600, Math.max(72, request.resolution)), colour: request.mode, duplex: request.duplex }
    : {};
  return { ...DEFAULT_PROFILE, ...stripUndefined(configured), ...fromRequest, ...stripUndefined(input) };
}

/** A profile read back from the store (unknown keys dropped, missing ones defaulted). */
export function storedProfile(value: unknown): DigitiseProfile {
  const out: DigitiseProfile = { ...DEFAULT_PROFILE };
  if (typeof value !== 'object' || value === null) return out;
  const record = value as Record<string, unknown>;
  const target = out as unknown as Record<string, unknown>;
  for (const key of Object.keys(DEFAULT_PROFILE)) {
    const v = record[key];
    if (v !== undefined && typeof v === typeof target[key]) target[key] = v;
  }
  if (typeof record.flipBackSides === 'boolean') out.flipBackSides = record.flipBackSides;
  return out;
}

function stripUndefined<T extends object>(value: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]?: Exclude<T[K], undefined>;
  };
}

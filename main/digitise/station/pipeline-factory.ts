import { createOcrPool, type OcrPool } from '../ocr/worker-pool';
import { createPipeline } from '../pipeline';
import type { DigitiseProfile } from '../types';
import type { DigitisePipeline, PipelineFactory } from './pipeline-port';

/** The station's pipelines: one per profile, all sharing the core's OCR pool. */
export function stationPipelines(ocrPool: OcrPool): PipelineFactory {
  return (profile) => createPipeline({ profile, ocrPool });
}

/** A pipeline for the command line with its own OCR pool, freed by `close`. */
export async function cliPipeline(
  profile: DigitiseProfile,
): Promise<{ pipeline: DigitisePipeline; close: () => Promise<void> }> {
  const ocrPool = createOcrPool({ maxWorkers: 2 });
  return { pipeline: createPipeline({ profile, ocrPool }), close: () => ocrPool.close() };
}

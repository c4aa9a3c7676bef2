import sharp from 'sharp';
import type { BatchPageRecord, QuarterTurn } from '../../store/batches.repository';
import type { DocumentPages } from '../document-pages';
import { ocrCharacters } from '../document-pages';
import type { EncodedPageImage, OcrResult, PageState, PixelBox, RawImage } from '../types';

/** Width of the page pictures the station shows while an officer checks a batch. */
export const THUMBNAIL_WIDTH = 160;

/**
 * How the processed image blob of a batch page is encoded. `output`: the pipeline's finished page
 * image for the PDF (JPEG, PNG or a bilevel Flate stream) with its geometry; `image`: a lossless
 * PNG of the working image (a pipeline that does not encode pages itself).
 */
export type ProcessedMeta = (
  | {
      kind: 'output';
      format: EncodedPageImage['format'];
      width: number;
      height: number;
      channels: 1 | 3;
      dpi: number;
      inkBox: PixelBox | null;
      notes: string[];
    }
  | { kind: 'image'; width: number; height: number; channels: 1 | 3; inkBox: PixelBox | null; notes: string[] }
) & {
  /** The orientation stage kept the page as scanned without being sure (absent in rows written before it was kept). */
  orientationUnsure?: true;
};

/** Whether a processed page's stored meta says its orientation needs the officer's look. */
export function orientationUnsureOf(processedJson: string | null): boolean {
  if (processedJson === null) return false;
  try {
    return (JSON.parse(processedJson) as { orientationUnsure?: unknown }).orientationUnsure === true;
  } catch {
    return false;
  }
}

export interface EncodedProcessedPage {
  processed: Uint8Array;
  meta: ProcessedMeta;
  thumbnail: Uint8Array;
  ocr: OcrResult;
  rotation: QuarterTurn;
}

export function quarterTurn(degrees: number): QuarterTurn {
  const d = (((Math.round(degrees / 90) * 90) % 360) + 360) % 360;
  return d as QuarterTurn;
}

function sharpRaw(image: RawImage): ReturnType<typeof sharp> {
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } });
}

async function decodeRaw(bytes: Uint8Array, channels: 1 | 3): Promise<RawImage> {
  let p = sharp(bytes).flatten({ background: '#ffffff' });
  p = channels === 1 ? p.toColourspace('b-w') : p.toColourspace('srgb');
  const { data, info } = await p.raw().toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`decoded ${info.channels} channels, expected ${channels}`);
  return {
    width: info.width,
    height: info.height,
    channels,
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
  };
}

/** A small PNG of a working image. */
export async function thumbnailOfImage(image: RawImage): Promise<Uint8Array> {
  return new Uint8Array(
    await sharpRaw(image)
      .resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true })
      .png({ compressionLevel: 9 })
      .toBuffer(),
  );
}

/** A small PNG of an encoded capture (shown while the page is still being processed). */
export async function thumbnailOfCapture(bytes: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(
    await sharp(bytes)
      .resize({ width: THUMBNAIL_WIDTH, withoutEnlargement: true })
      .png({ compressionLevel: 9 })
      .toBuffer(),
  );
}

/**
 * The capture turned clockwise by a quarter-turn multiple, re-encoded losslessly (the original blob stays as it was).
 */
export async function rotateCapture(bytes: Uint8Array, degrees: QuarterTurn): Promise<Uint8Array> {
  if (degrees === 0) return bytes;
  const meta = await sharp(bytes).metadata();
  let p = sharp(bytes).autoOrient().rotate(degrees);
  if (meta.density !== undefined) p = p.withMetadata({ density: meta.density });
  return new Uint8Array(await p.png().toBuffer());
}

/** What the station keeps of a processed page, so the PDF can be made after a restart. */
export async function encodeProcessedPage(page: PageState): Promise<EncodedProcessedPage> {
  const ocr: OcrResult = page.ocr ?? { text: '', words: [], meanConfidence: 0 };
  const notes = [...page.notes];
  const inkBox = page.inkBox ?? null;
  const flags = page.orientationUnsure === true ? { orientationUnsure: true as const } : {};
  const thumbnail = await thumbnailOfImage(page.image);
  if (page.output) {
    const o = page.output;
    return {
      processed: o.bytes,
      meta: {
        kind: 'output',
        format: o.format,
        width: o.width,
        height: o.height,
        channels: o.channels,
        dpi: o.dpi,
        inkBox,
        notes,
        ...flags,
      },
      thumbnail,
      ocr,
      rotation: quarterTurn(page.rotation),
    };
  }
  const png = new Uint8Array(await sharpRaw(page.image).png({ compressionLevel: 6 }).toBuffer());
  return {
    processed: png,
    meta: {
      kind: 'image',
      width: page.image.width,
      height: page.image.height,
      channels: page.image.channels,
      inkBox,
      notes,
      ...flags,
    },
    thumbnail,
    ocr,
    rotation: quarterTurn(page.rotation),
  };
}

/** Loads bytes of a blob by hash. */
export type BlobReader = (sha256: string) => Promise<Uint8Array>;

/**
 * The page state the pipeline's `finishDocument` takes, rebuilt from the batch tables and the
 * blob store (so finishing works the same after a restart as right after scanning).
 */
export async function rebuildPageState(page: BatchPageRecord, read: BlobReader): Promise<PageState> {
  if (page.status !== 'ok' || page.processedSha256 === null || page.processedJson === null) {
    throw new Error(`page ${page.index} of batch ${page.batchId} is not processed`);
  }
  const meta = JSON.parse(page.processedJson) as ProcessedMeta;
  const ocr = page.ocrJson === null ? null : (JSON.parse(page.ocrJson) as OcrResult);
  const original = await read(page.originalSha256);
  const processed = await read(page.processedSha256);
  const base = {
    index: page.index,
    side: page.side,
    original,
    dpi: page.dpi,
    rotation: page.rotation,
    skewAngle: page.skewAngle,
    blank: page.blank,
    inkCoverage: page.inkCoverage ?? 0,
    ocr,
    notes: [...meta.notes],
    inkBox: meta.inkBox,
    ...(meta.orientationUnsure === true ? { orientationUnsure: true } : {}),
  };
  if (meta.kind === 'output') {
    const preview =
      page.thumbnailSha256 !== null
        ? await decodeRaw(await read(page.thumbnailSha256), meta.channels)
        : await previewOf(meta);
    return {
      ...base,
      dpi: meta.dpi,
      image: preview,
      output: {
        format: meta.format,
        bytes: processed,
        width: meta.width,
        height: meta.height,
        channels: meta.channels,
        dpi: meta.dpi,
      },
    };
  }
  return { ...base, image: await decodeRaw(processed, meta.channels) };
}

/** A group's pages as the PDF writer reads them: one at a time from the blob store, characters from the rows. */
export function storedPages(pages: readonly BatchPageRecord[], read: BlobReader): DocumentPages {
  const at = (i: number): BatchPageRecord => {
    const p = pages[i];
    if (p === undefined) throw new RangeError(`document has no page ${i}`);
    return p;
  };
  return {
    count: pages.length,
    characters: async (i) => {
      const json = at(i).ocrJson;
      return json === null ? '' : ocrCharacters(JSON.parse(json) as OcrResult);
    },
    load: (i) => rebuildPageState(at(i), read),
  };
}

async function previewOf(meta: { width: number; height: number; channels: 1 | 3 }): Promise<RawImage> {
  const width = Math.max(1, Math.min(THUMBNAIL_WIDTH, meta.width));
  const height = Math.max(1, Math.round((meta.height * width) / meta.width));
  return { width, height, channels: meta.channels, data: new Uint8Array(width * height * meta.channels).fill(255) };
}

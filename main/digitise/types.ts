import type { DigitisedMetadata } from '../../common/contract';

/**
 * The digitisation pipeline (ARCHITECTURE.md §6): capture → geometry (orientation, duplex flip,
 * deskew, crop) → clean (despeckle, contrast, binarise/colour, blank detection) → OCR → searchable
 * PDF with XMP metadata → sign (next release) → store → outbox. Each stage is named and
 * replaceable; the original capture is always kept.
 */

/** Raw pixels, row-major, 8 bits per channel. */
export interface RawImage {
  width: number;
  height: number;
  channels: 1 | 3;
  data: Uint8Array;
}

export type ColourMode = 'color' | 'gray' | 'bw';

export interface DigitiseProfile {
  /** Output resolution in dpi (200 for ordinary documents, 300 for drawings). */
  dpi: number;
  colour: ColourMode;
  duplex: boolean;
  /** Detect and fix upside-down/sideways pages. */
  autoOrient: boolean;
  deskew: boolean;
  cropToPage: boolean;
  despeckle: boolean;
  /** Pages whose ink coverage is below this fraction are flagged blank (never dropped silently). */
  blankThreshold: number;
  /** JPEG quality of colour/grey page images in the PDF. */
  jpegQuality: number;
}

export const DEFAULT_PROFILE: DigitiseProfile = {
  dpi: 200, colour: 'color', duplex: false, autoOrient: true, deskew: true, cropToPage: true,
  despeckle: true, blankThreshold: 0.002, jpegQuality: 70,
};

export interface OcrWord {
  text: string;
  /** Pixel box in the page image the OCR ran on (after geometry and cleaning). */
  bbox: { x0: number; y0: number; x1: number; y1: number };
  confidence: number;
  /** Index of the line the word belongs to, in reading order. */
  line: number;
}

export interface OcrResult {
  text: string;
  words: OcrWord[];
  meanConfidence: number;
}

export interface PageState {
  index: number;
  side: 'front' | 'back';
  /** The capture exactly as it came from the scanner or file (kept, never modified). */
  original: Uint8Array;
  /** The working image after the stages so far. */
  image: RawImage;
  dpi: number;
  /** Degrees applied by the orientation stage (0, 90, 180, 270). */
  rotation: number;
  /** Degrees the deskew stage corrected. */
  skewAngle: number;
  blank: boolean;
  /** Fraction of dark pixels (0-1). */
  inkCoverage: number;
  ocr: OcrResult | null;
  notes: string[];
}

export interface StageContext {
  profile: DigitiseProfile;
  signal: AbortSignal;
}

export interface PageStage {
  readonly name: string;
  run(page: PageState, ctx: StageContext): Promise<PageState>;
}

export interface DocumentOutput {
  pdf: Uint8Array;
  pageCount: number;
  text: string;
}

export type { DigitisedMetadata };

import type { DigitisedMetadata } from '../../common/contract';

/**
 * The digitisation pipeline (docs/architecture.md, "Digitisation"): capture → geometry (orientation, duplex flip,
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
  dpi: 200,
  colour: 'color',
  duplex: false,
  autoOrient: true,
  deskew: true,
  cropToPage: true,
  despeckle: true,
  blankThreshold: 0.002,
  jpegQuality: 70,
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
  /**
   * The orientation stage could not tell which way up the page is and left it as scanned: the
   * station asks the officer to look ("Kiểm tra chiều trang"). Absent when it could tell.
   */
  orientationUnsure?: boolean;
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

/*
 * Additions used by the pipeline implementation, merged into the interfaces above (declaration
 * merging). All optional, so code written against the original members keeps working.
 */

/** A page image encoded for the PDF (the full-resolution result of the stages). */
export interface EncodedPageImage {
  format: 'jpeg' | 'png' | 'bilevel';
  /**
   * JPEG or PNG file bytes; for 'bilevel', a zlib (PDF FlateDecode) stream of 1-bit rows packed
   * most significant bit first, 1 = white, each row padded to a whole byte.
   */
  bytes: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3;
  dpi: number;
}

/** Pixel box, x1/y1 exclusive. */
export interface PixelBox {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface DigitiseProfile {
  /** Turn back sides of a duplex batch by 180° (scanners that feed the back upside down). Default false. */
  flipBackSides?: boolean;
}

export interface PageState {
  /**
   * A cleaned grey or binary copy for OCR when `image` keeps colour or grey for the PDF. Same size
   * as `image`. Dropped once OCR has run.
   */
  ocrImage?: RawImage;
  /** Bounding box of the ink found by the blank stage, in `image` pixels (null when blank). */
  inkBox?: PixelBox | null;
  /**
   * The finished page image encoded for the PDF. Once set, `image` holds only a small preview so a
   * long batch does not keep full-resolution pixels of finished pages.
   */
  output?: EncodedPageImage;
  /** Names of the stages that ran, in order. */
  stagesRun?: string[];
}

/** OCR confidences (`OcrWord.confidence`, `OcrResult.meanConfidence`) are on tesseract's 0-100 scale. */
export interface OcrWord {
  /** y of the text line's baseline under the word, pixels (from the OCR engine). */
  baseline?: number;
  /** Height of the word's text line (ascenders to descenders), pixels. */
  lineHeight?: number;
}

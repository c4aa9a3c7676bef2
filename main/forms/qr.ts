import QRCode from 'qrcode';

export interface QrSquare {
  /** Left edge, points from the symbol's left edge. */
  x: number;
  /** Top edge, points from the symbol's top edge (y grows downwards). */
  y: number;
  /** Side length in points. */
  size: number;
}

export interface QrLayout {
  /** Modules per side (21 for version 1, +4 per version). */
  modules: number;
  /** Side of one module, points. */
  moduleSize: number;
  /** One square per dark module, row by row. */
  squares: QrSquare[];
}

/**
 * The dark modules of the QR code for `text` (error correction level M) as squares inside a
 * `size` × `size` box. The box is the symbol itself: the quiet zone (4 modules of white around it)
 * is the caller's margin.
 */
export function qrSquares(text: string, size: number): QrLayout {
  if (!(size > 0)) throw new RangeError(`QR size must be positive, got ${size}`);
  const matrix = QRCode.create(text, { errorCorrectionLevel: 'M' }).modules;
  const n = matrix.size;
  const moduleSize = size / n;
  const squares: QrSquare[] = [];
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (matrix.get(row, col) !== 0) squares.push({ x: col * moduleSize, y: row * moduleSize, size: moduleSize });
    }
  }
  return { modules: n, moduleSize, squares };
}

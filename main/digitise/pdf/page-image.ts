import { deflateSync } from 'node:zlib';
import { encodeJpeg, rawFrom, sharpFrom } from '../decode';
import { isBilevel } from '../raster';
import type { ColourMode, EncodedPageImage, RawImage } from '../types';

/** 1-bit rows, most significant bit first, 1 = white (DeviceGray), each row padded to a byte. */
export function packBilevel(image: RawImage): Uint8Array {
  const rowBytes = Math.ceil(image.width / 8);
  const out = new Uint8Array(rowBytes * image.height);
  const d = image.data;
  for (let y = 0; y < image.height; y++) {
    const src = y * image.width;
    const dst = y * rowBytes;
    for (let x = 0; x < image.width; x++) {
      if (d[src + x]! >= 128) out[dst + (x >> 3)]! |= 0x80 >> (x & 7);
    }
    // Padding bits of the last byte stay 0; they are outside the image.
  }
  return out;
}

/**
 * The page image as the PDF will hold it: 'bw' pages (and any 0/255 image) as 1-bit Flate (a few
 * tens of kB for an A4 page at 200 dpi), grey and colour pages as baseline JPEG.
 */
export async function encodePageImage(
  image: RawImage,
  dpi: number,
  opts: { colour?: ColourMode; jpegQuality: number },
): Promise<EncodedPageImage> {
  const base = { width: image.width, height: image.height, dpi };
  if (opts.colour === 'bw' || isBilevel(image)) {
    const gray = image.channels === 1 ? image : await rawFrom(sharpFrom(image).threshold(128), 1);
    return {
      ...base,
      format: 'bilevel',
      channels: 1,
      bytes: new Uint8Array(deflateSync(packBilevel(gray), { level: 9 })),
    };
  }
  const source =
    opts.colour === 'gray' && image.channels === 3 ? await rawFrom(sharpFrom(image).greyscale(), 1) : image;
  return {
    ...base,
    format: 'jpeg',
    channels: source.channels,
    bytes: await encodeJpeg(source, { quality: opts.jpegQuality, dpi }),
  };
}

/** A small copy for lists and thumbnails (longest side `size` pixels). */
export async function previewImage(image: RawImage, size = 256): Promise<RawImage> {
  const k = Math.min(1, size / Math.max(image.width, image.height));
  if (k >= 1) return image;
  const width = Math.max(1, Math.round(image.width * k));
  const height = Math.max(1, Math.round(image.height * k));
  return rawFrom(sharpFrom(image).resize(width, height, { fit: 'fill' }), image.channels);
}

/**
 * Windows-1258 (CP1258), the Vietnamese code page some thermal printers carry (at a table number
 * that differs by model: 52 on Epson, 30 or 46 on clones; docs/domain.md §7).
 *
 * CP1258 holds only some precomposed letters (those of Latin-1 plus Ă Â Đ Ê Ô Ơ Ư and their small
 * forms) and five combining tone marks (grave, hook above, tilde, acute, dot below). A letter such
 * as "ệ" is therefore written as its base "ê" followed by the combining dot below, as Windows does.
 * Pure: no I/O.
 */

/** Code points of bytes 0x80..0xFF; -1 where the byte is undefined. */
const HIGH: readonly number[] = [
  // 0x80
  0x20ac,
  -1,
  0x201a,
  0x0192,
  0x201e,
  0x2026,
  0x2020,
  0x2021,
  0x02c6,
  0x2030,
  -1,
  0x2039,
  0x0152,
  -1,
  -1,
  -1,
  // 0x90
  -1,
  0x2018,
  0x2019,
  0x201c,
  0x201d,
  0x2022,
  0x2013,
  0x2014,
  0x02dc,
  0x2122,
  -1,
  0x203a,
  0x0153,
  -1,
  -1,
  0x0178,
  // 0xA0..0xBF: as Latin-1
  ...Array.from({ length: 32 }, (_, i) => 0xa0 + i),
  // 0xC0
  0x00c0,
  0x00c1,
  0x00c2,
  0x0102,
  0x00c4,
  0x00c5,
  0x00c6,
  0x00c7,
  0x00c8,
  0x00c9,
  0x00ca,
  0x00cb,
  0x0300,
  0x00cd,
  0x00ce,
  0x00cf,
  // 0xD0
  0x0110,
  0x00d1,
  0x0309,
  0x00d3,
  0x00d4,
  0x01a0,
  0x00d6,
  0x00d7,
  0x00d8,
  0x00d9,
  0x00da,
  0x00db,
  0x00dc,
  0x01af,
  0x0303,
  0x00df,
  // 0xE0
  0x00e0,
  0x00e1,
  0x00e2,
  0x0103,
  0x00e4,
  0x00e5,
  0x00e6,
  0x00e7,
  0x00e8,
  0x00e9,
  0x00ea,
  0x00eb,
  0x0301,
  0x00ed,
  0x00ee,
  0x00ef,
  // 0xF0
  0x0111,
  0x00f1,
  0x0323,
  0x00f3,
  0x00f4,
  0x01a1,
  0x00f6,
  0x00f7,
  0x00f8,
  0x00f9,
  0x00fa,
  0x00fb,
  0x00fc,
  0x01b0,
  0x20ab,
  0x00ff,
];

const TO_BYTE = new Map<number, number>();
for (let b = 0; b < 0x80; b++) TO_BYTE.set(b, b);
HIGH.forEach((cp, i) => {
  if (cp >= 0) TO_BYTE.set(cp, 0x80 + i);
});

/** The five Vietnamese tone marks, which CP1258 keeps as combining characters. */
const TONE_MARKS = new Set([0x0300, 0x0301, 0x0303, 0x0309, 0x0323]);

/** Byte written for a character CP1258 cannot hold. */
export const CP1258_REPLACEMENT = 0x3f; // '?'

/**
 * Encodes `text` in CP1258. Each character is taken in its composed form when the code page has
 * it (á → E1); otherwise its tone mark is split off and written after the base (ệ → EA F2). A
 * character with no CP1258 form becomes `?`.
 */
export function encodeCp1258(text: string): Uint8Array {
  const out: number[] = [];
  for (const ch of text.normalize('NFC')) {
    const direct = TO_BYTE.get(ch.codePointAt(0)!);
    if (direct !== undefined) {
      out.push(direct);
      continue;
    }
    const parts = [...ch.normalize('NFD')].map((c) => c.codePointAt(0)!);
    const tones = parts.filter((cp) => TONE_MARKS.has(cp));
    const base = String.fromCodePoint(...parts.filter((cp) => !TONE_MARKS.has(cp))).normalize('NFC');
    const baseByte = base.length === 1 ? TO_BYTE.get(base.codePointAt(0)!) : undefined;
    if (baseByte === undefined || tones.length !== 1) {
      out.push(CP1258_REPLACEMENT);
      continue;
    }
    out.push(baseByte, TO_BYTE.get(tones[0]!)!);
  }
  return Uint8Array.from(out);
}

/** Decodes CP1258 bytes (undefined bytes become U+FFFD) and composes the result (NFC). */
export function decodeCp1258(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) {
    const cp = b < 0x80 ? b : HIGH[b - 0x80]!;
    s += cp < 0 ? '\ufffd' : String.fromCodePoint(cp);
  }
  return s.normalize('NFC');
}

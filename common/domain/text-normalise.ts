/**
 * Folds Vietnamese text for matching and search keys: lowercase, tone and vowel marks removed
 * (NFD then every combining mark dropped), đ/Đ → d, runs of whitespace collapsed to one space,
 * ends trimmed. "Nguyễn Văn Dũng" → "nguyen van dung", "ĐẶNG" → "dang".
 */
export function foldVietnamese(s: string): string {
  return s
    .replace(/[đĐ]/g, 'd')
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

/** NFC form with whitespace collapsed and trimmed: how names and addresses are stored. */
export function tidyText(s: string): string {
  return s.normalize('NFC').replace(/\s+/gu, ' ').trim();
}

/**
 * The spoken pieces the counter display joins into "Mời số A mười hai đến quầy số ba": the
 * key is the piece's name (used by {@link announcementPieces}), the value what the synthesiser
 * said when `bin/render-voice.mjs` rendered it. Changing a text means re-rendering the pieces.
 */
export const PIECE_TEXTS = {
  'moi-so': 'Mời số',
  'den-quay-so': 'đến quầy số',
  // Number words (Northern reading).
  khong: 'không',
  mot: 'một',
  hai: 'hai',
  ba: 'ba',
  bon: 'bốn',
  nam: 'năm',
  sau: 'sáu',
  bay: 'bảy',
  tam: 'tám',
  chin: 'chín',
  muoi: 'mười',
  'muoi-tens': 'mươi',
  mot1: 'mốt',
  lam: 'lăm',
  tu: 'tư',
  linh: 'linh',
  tram: 'trăm',
  nghin: 'nghìn',
  // Letters, as the alphabet is read aloud (ticket prefixes and counter codes).
  'letter-a': 'a',
  'letter-b': 'bê',
  'letter-c': 'xê',
  'letter-d': 'dê',
  'letter-đ': 'đê',
  'letter-e': 'e',
  'letter-f': 'ép',
  'letter-g': 'giê',
  'letter-h': 'hát',
  'letter-i': 'i',
  'letter-j': 'gi',
  'letter-k': 'ca',
  'letter-l': 'e lờ',
  'letter-m': 'em mờ',
  'letter-n': 'en nờ',
  'letter-o': 'o',
  'letter-p': 'pê',
  'letter-q': 'quy',
  'letter-r': 'e rờ',
  'letter-s': 'ét xì',
  'letter-t': 'tê',
  'letter-u': 'u',
  'letter-v': 'vê',
  'letter-w': 'vê kép',
  'letter-x': 'ích xì',
  'letter-y': 'i dài',
  'letter-z': 'dét',
} as const;

export type PieceName = keyof typeof PIECE_TEXTS;

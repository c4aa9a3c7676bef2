/** Mono PCM audio as float samples in [-1, 1]. */
export interface Clip {
  sampleRate: number;
  samples: Float32Array;
}

function ascii(view: DataView, offset: number, length: number): string {
  let text = '';
  for (let i = 0; i < length; i += 1) text += String.fromCharCode(view.getUint8(offset + i));
  return text;
}

/**
 * Reads a RIFF/WAVE file holding 16-bit signed little-endian PCM, mono or stereo (stereo is
 * mixed down). Anything else is an error naming what was found, never a guess.
 */
export function parseWav(bytes: Uint8Array): Clip {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.byteLength < 12 || ascii(view, 0, 4) !== 'RIFF' || ascii(view, 8, 4) !== 'WAVE') {
    throw new Error('parseWav: not a RIFF/WAVE file');
  }
  let format: { channels: number; sampleRate: number; bits: number; code: number } | null = null;
  let offset = 12;
  while (offset + 8 <= bytes.byteLength) {
    const id = ascii(view, offset, 4);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (body + size > bytes.byteLength && id !== 'data') throw new Error(`parseWav: chunk "${id}" runs past the end`);
    if (id === 'fmt ') {
      format = {
        code: view.getUint16(body, true),
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (id === 'data') {
      if (!format) throw new Error('parseWav: data before fmt');
      if (format.code !== 1 || format.bits !== 16)
        throw new Error(`parseWav: format ${format.code}/${format.bits}-bit is not 16-bit PCM`);
      if (format.channels < 1 || format.channels > 2) throw new Error(`parseWav: ${format.channels} channels`);
      // Some writers leave the size of a streamed data chunk at 0 or too large: take what is there.
      const available = Math.min(size === 0 ? bytes.byteLength - body : size, bytes.byteLength - body);
      const frames = Math.floor(available / (2 * format.channels));
      const samples = new Float32Array(frames);
      for (let i = 0; i < frames; i += 1) {
        let sum = 0;
        for (let c = 0; c < format.channels; c += 1) sum += view.getInt16(body + (i * format.channels + c) * 2, true);
        samples[i] = sum / format.channels / 32768;
      }
      return { sampleRate: format.sampleRate, samples };
    }
    offset = body + size + (size % 2); // chunks are word-aligned
  }
  throw new Error('parseWav: no data chunk');
}

/** Clips one after another with `gapMs` of silence between them; all must share one rate. */
export function joinClips(clips: readonly Clip[], gapMs: number): Clip {
  if (clips.length === 0) throw new Error('joinClips: nothing to join');
  const sampleRate = clips[0].sampleRate;
  for (const clip of clips) {
    if (clip.sampleRate !== sampleRate)
      throw new Error(`joinClips: ${clip.sampleRate} Hz among ${sampleRate} Hz clips`);
  }
  const gap = Math.round((gapMs / 1000) * sampleRate);
  const length = clips.reduce((n, c) => n + c.samples.length, 0) + gap * (clips.length - 1);
  const samples = new Float32Array(length);
  let at = 0;
  clips.forEach((clip, i) => {
    samples.set(clip.samples, at);
    at += clip.samples.length + (i < clips.length - 1 ? gap : 0);
  });
  return { sampleRate, samples };
}

/**
 * The two-note chime played before an announcement (E6 then C6, bell-like decay), synthesised
 * so no audio file is needed. Peak amplitude stays below 0.5.
 */
export function chime(sampleRate: number): Clip {
  const notes = [
    { hz: 1318.5, start: 0, length: 0.45 },
    { hz: 1046.5, start: 0.35, length: 0.7 },
  ];
  const total = Math.ceil((0.35 + 0.7) * sampleRate);
  const samples = new Float32Array(total);
  for (const note of notes) {
    const from = Math.round(note.start * sampleRate);
    const count = Math.min(Math.round(note.length * sampleRate), total - from);
    for (let i = 0; i < count; i += 1) {
      const t = i / sampleRate;
      const attack = Math.min(1, t / 0.005);
      const decay = Math.exp(-t * 5);
      const tone = Math.sin(2 * Math.PI * note.hz * t) + 0.3 * Math.sin(2 * Math.PI * note.hz * 2 * t);
      samples[from + i] += 0.3 * attack * decay * tone;
    }
  }
  return { sampleRate, samples };
}

/** Base64 (as the generated pieces are stored) to bytes, without Node's Buffer. */
export function base64Bytes(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i += 1) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

import { describe, expect, it } from 'vitest';
import { Announcer, WebAudioOut, type AudioOut } from './announcer';
import { announcementPieces } from './announcement';
import { PIECES, PIECE_SAMPLE_RATE } from './pieces.generated';
import { PIECE_TEXTS } from './piece-texts';
import { base64Bytes, chime, joinClips, parseWav, type Clip } from './pcm';

/** A 16-bit PCM WAV with the given samples, written the way any WAV writer lays it out. */
function wav(samples: number[], rate: number, channels = 1, extraChunk = false): Uint8Array {
  const data = samples.length * 2;
  const extra = extraChunk ? 8 + 3 + 1 : 0; // odd-sized LIST chunk + pad byte
  const buf = new ArrayBuffer(44 + extra + data);
  const v = new DataView(buf);
  const put = (o: number, s: string) => [...s].forEach((c, i) => v.setUint8(o + i, c.charCodeAt(0)));
  put(0, 'RIFF');
  v.setUint32(4, 36 + extra + data, true);
  put(8, 'WAVE');
  put(12, 'fmt ');
  v.setUint32(16, 16, true);
  v.setUint16(20, 1, true);
  v.setUint16(22, channels, true);
  v.setUint32(24, rate, true);
  v.setUint32(28, rate * channels * 2, true);
  v.setUint16(32, channels * 2, true);
  v.setUint16(34, 16, true);
  let o = 36;
  if (extraChunk) {
    put(o, 'LIST');
    v.setUint32(o + 4, 3, true);
    o += 12;
  }
  put(o, 'data');
  v.setUint32(o + 4, data, true);
  samples.forEach((s, i) => v.setInt16(o + 8 + i * 2, s, true));
  return new Uint8Array(buf);
}

class RecordingOut implements AudioOut {
  played: Clip[] = [];
  order: string[] = [];
  constructor(private readonly hold = false) {}
  private release: (() => void)[] = [];
  async play(clip: Clip): Promise<void> {
    this.order.push(`start ${this.played.length}`);
    this.played.push(clip);
    if (this.hold) await new Promise<void>((r) => this.release.push(r));
    this.order.push(`end ${this.played.length - 1}`);
  }
  finishOne(): void {
    this.release.shift()?.();
  }
}

describe('parseWav', () => {
  it('reads mono 16-bit PCM exactly, past an odd-sized chunk', () => {
    const clip = parseWav(wav([0, 16384, -32768, 32767], 16000, 1, true));
    expect(clip.sampleRate).toBe(16000);
    expect([...clip.samples]).toEqual([0, 0.5, -1, 32767 / 32768]);
  });

  it('mixes stereo down to mono', () => {
    const clip = parseWav(wav([16384, 0, -16384, -16384], 8000, 2));
    expect([...clip.samples]).toEqual([0.25, -0.5]);
  });

  it('refuses what is not 16-bit PCM WAVE, naming the reason', () => {
    expect(() => parseWav(new TextEncoder().encode('not a wave file at all'))).toThrow(/not a RIFF\/WAVE/);
    const eightBit = wav([1, 2], 8000);
    new DataView(eightBit.buffer).setUint16(34, 8, true);
    expect(() => parseWav(eightBit)).toThrow(/not 16-bit PCM/);
    expect(() => parseWav(wav([1, 2], 8000).slice(0, 36))).toThrow(/no data chunk/);
  });

  it('reads every rendered piece: 16 kHz, a sensible length, not silent', () => {
    expect(Object.keys(PIECES).sort()).toEqual(Object.keys(PIECE_TEXTS).sort());
    for (const [name, text] of Object.entries(PIECES)) {
      const clip = parseWav(base64Bytes(text));
      expect(clip.sampleRate, name).toBe(PIECE_SAMPLE_RATE);
      const seconds = clip.samples.length / clip.sampleRate;
      expect(seconds, name).toBeGreaterThan(0.08);
      expect(seconds, name).toBeLessThan(1.5);
      const peak = clip.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
      expect(peak, name).toBeGreaterThan(0.5); // normalised to -1 dBFS when rendered
    }
  });
});

describe('joinClips and chime', () => {
  it('puts clips one after another with silent gaps', () => {
    const a = { sampleRate: 1000, samples: Float32Array.from([0.1, 0.2]) };
    const b = { sampleRate: 1000, samples: Float32Array.from([0.3]) };
    const joined = joinClips([a, b, a], 3);
    expect([...joined.samples].map((x) => Math.round(x * 10) / 10)).toEqual([
      0.1, 0.2, 0, 0, 0, 0.3, 0, 0, 0, 0.1, 0.2,
    ]);
  });

  it('refuses mixed sample rates and an empty list', () => {
    expect(() =>
      joinClips(
        [
          { sampleRate: 1000, samples: new Float32Array(1) },
          { sampleRate: 2000, samples: new Float32Array(1) },
        ],
        0,
      ),
    ).toThrow(/2000 Hz/);
    expect(() => joinClips([], 0)).toThrow(/nothing/);
  });

  it('synthesises an audible chime that stays under half scale', () => {
    const bell = chime(16000);
    expect(bell.samples.length).toBe(Math.ceil(1.05 * 16000));
    const peak = bell.samples.reduce((m, s) => Math.max(m, Math.abs(s)), 0);
    expect(peak).toBeGreaterThan(0.2);
    expect(peak).toBeLessThan(0.5);
  });
});

describe('Announcer', () => {
  it('joins chime and the rendered pieces of "Mời số A mười hai đến quầy số ba" into one clip', async () => {
    const out = new RecordingOut();
    const announcer = new Announcer(out);
    await announcer.announce('A012', '3');
    expect(out.played).toHaveLength(1);
    const names = announcementPieces('A012', '3');
    const words = names.map((n) => parseWav(base64Bytes(PIECES[n])).samples.length);
    const gap = Math.round(0.06 * PIECE_SAMPLE_RATE);
    const speech = words.reduce((a, b) => a + b, 0) + gap * (names.length - 1);
    const expected = chime(PIECE_SAMPLE_RATE).samples.length + Math.round(0.25 * PIECE_SAMPLE_RATE) + speech;
    expect(out.played[0].samples.length).toBe(expected);
    expect(out.played[0].sampleRate).toBe(PIECE_SAMPLE_RATE);
  });

  it('plays announcements one after another, never overlapping', async () => {
    const out = new RecordingOut(true);
    const announcer = new Announcer(out, { withChime: false });
    const first = announcer.announce('A1', '1');
    const second = announcer.announce('A2', '2');
    await new Promise((r) => setTimeout(r, 20));
    expect(out.order).toEqual(['start 0']);
    out.finishOne();
    await first;
    await new Promise((r) => setTimeout(r, 20));
    expect(out.order).toEqual(['start 0', 'end 0', 'start 1']);
    out.finishOne();
    await second;
    expect(out.order).toEqual(['start 0', 'end 0', 'start 1', 'end 1']);
  });

  it('rejects a ticket it cannot speak and keeps announcing the next ones', async () => {
    const out = new RecordingOut();
    const announcer = new Announcer(out);
    await expect(announcer.announce('A?1', '1')).rejects.toThrow(/"\?"/);
    await announcer.announce('B3', '2');
    expect(out.played).toHaveLength(1);
  });

  it('names a piece missing from the rendered set', async () => {
    const out = new RecordingOut();
    const only = { 'moi-so': PIECES['moi-so'] };
    const announcer = new Announcer(out, { pieces: async () => only });
    await expect(announcer.announce('A1', '1')).rejects.toThrow(/piece "letter-a" is missing/);
  });
});

describe('WebAudioOut', () => {
  it('resumes a suspended context, copies the samples into a buffer and waits for the end', async () => {
    const calls: string[] = [];
    let copied: Float32Array | null = null;
    const context = {
      state: 'suspended',
      destination: {},
      async resume() {
        calls.push('resume');
        this.state = 'running';
      },
      createBuffer(channels: number, length: number, rate: number) {
        calls.push(`buffer ${channels}x${length}@${rate}`);
        return {
          copyToChannel: (s: Float32Array, ch: number) => {
            copied = s;
            calls.push(`copy ${ch}`);
          },
        };
      },
      createBufferSource() {
        const source = {
          buffer: null as unknown,
          onended: null as null | (() => void),
          connect: () => calls.push('connect'),
          start: () => {
            calls.push('start');
            setTimeout(() => source.onended?.(), 5);
          },
        };
        return source;
      },
    };
    const out = new WebAudioOut(() => context as unknown as AudioContext);
    const clip = { sampleRate: 16000, samples: Float32Array.from([0.1, -0.1, 0.2]) };
    await out.play(clip);
    expect(calls).toEqual(['resume', 'buffer 1x3@16000', 'copy 0', 'connect', 'start']);
    expect(copied).toBe(clip.samples);
    expect(out.suspended).toBe(false);
  });
});

import { announcementPieces } from './announcement';
import type { PieceName } from './piece-texts';
import { base64Bytes, chime, joinClips, parseWav, type Clip } from './pcm';

/** Where announcements are played: `play` resolves when the clip has finished. */
export interface AudioOut {
  play(clip: Clip): Promise<void>;
}

/** The pre-rendered pieces: name → base64 WAV (see bin/render-voice.mjs). */
export type PieceSource = () => Promise<Readonly<Record<string, string>>>;

const generatedPieces: PieceSource = async () => (await import('./pieces.generated')).PIECES;

/**
 * Plays clips through the Web Audio API (no media element, so the page's CSP needs no
 * `media-src`). A context the browser created suspended (autoplay policy: the counter display
 * in a plain browser tab before anyone clicked it) is resumed on the first play; `suspended`
 * tells the screen to ask for one click.
 */
export class WebAudioOut implements AudioOut {
  private context: AudioContext | null = null;

  constructor(private readonly create: () => AudioContext = () => new AudioContext()) {}

  get suspended(): boolean {
    return this.context?.state === 'suspended';
  }

  async unlock(): Promise<void> {
    this.context ??= this.create();
    if (this.context.state === 'suspended') await this.context.resume();
  }

  async play(clip: Clip): Promise<void> {
    await this.unlock();
    const context = this.context as AudioContext;
    const buffer = context.createBuffer(1, clip.samples.length, clip.sampleRate);
    buffer.copyToChannel(clip.samples as Float32Array<ArrayBuffer>, 0);
    const source = context.createBufferSource();
    source.buffer = buffer;
    source.connect(context.destination);
    await new Promise<void>((resolve) => {
      source.onended = () => resolve();
      source.start();
    });
  }
}

/**
 * "Mời số … đến quầy …" from pre-rendered pieces joined at run time, offline. Announcements
 * never overlap: each waits for the one before it. A ticket or counter that cannot be spoken
 * rejects its own announcement with the reason and leaves the queue working.
 */
export class Announcer {
  private clips: Map<string, Clip> | null = null;
  private loading: Promise<Map<string, Clip>> | null = null;
  private tail: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly out: AudioOut,
    private readonly options: { pieces?: PieceSource; gapMs?: number; withChime?: boolean } = {},
  ) {}

  /** Builds the whole announcement as one clip (chime, pause, words with short gaps). */
  async compose(ticket: string, counter: string): Promise<Clip> {
    const names = announcementPieces(ticket, counter);
    const clips = await this.load();
    const words = names.map((name: PieceName) => {
      const clip = clips.get(name);
      if (!clip) throw new Error(`Announcer: piece "${name}" is missing from the rendered set`);
      return clip;
    });
    const speech = joinClips(words, this.options.gapMs ?? 60);
    if (this.options.withChime === false) return speech;
    const bell = chime(speech.sampleRate);
    return joinClips([bell, speech], 250);
  }

  announce(ticket: string, counter: string): Promise<void> {
    const run = this.tail.then(async () => this.out.play(await this.compose(ticket, counter)));
    this.tail = run.catch(() => undefined);
    return run;
  }

  private load(): Promise<Map<string, Clip>> {
    if (this.clips) return Promise.resolve(this.clips);
    this.loading ??= (this.options.pieces ?? generatedPieces)()
      .then((encoded) => {
        const map = new Map<string, Clip>();
        for (const [name, text] of Object.entries(encoded)) map.set(name, parseWav(base64Bytes(text)));
        this.clips = map;
        return map;
      })
      .finally(() => {
        this.loading = null;
      });
    return this.loading;
  }
}

import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { writeFileDurably } from '../store/durable-file';
import type { DocumentPages } from './document-pages';
import { ocrCharacters } from './document-pages';
import type { EncodedPageImage, PageState, RawImage } from './types';

/**
 * Finished pages on disk instead of in memory, for callers of the pipeline that have no store
 * (the station keeps its pages in the blob store and the batch tables, migration 0003, and reads
 * them back the same way). One folder per batch under a parent the caller chooses (the data dir);
 * one file per page, written to a temp name, fsynced and renamed, so a file under its final name is
 * always complete and `list()` finds the pages again after a crash. `discard()` removes the folder.
 *
 * A page file: "MCSPILL1", u32 (little endian) length of a JSON header, the header (every page
 * field but the bytes, plus the byte lengths), then the capture, the encoded page image and the
 * working image (a preview once the pipeline has encoded the page) back to back.
 */

const MAGIC = 'MCSPILL1';

export class PageSpillError extends Error {
  constructor(
    readonly code: 'SPILL_MISSING' | 'SPILL_CORRUPT' | 'SPILL_DISCARDED',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PageSpillError';
  }
}

/** What stays in memory of a spilled page (a few hundred bytes). */
export interface SpilledPage {
  index: number;
  file: string;
  /** Bytes of the page file. */
  bytes: number;
  blank: boolean;
  /** Characters of the OCR words (for the PDF's font subset). */
  characters: string;
}

interface Header {
  page: Omit<PageState, 'original' | 'image' | 'output' | 'ocrImage'>;
  image: Omit<RawImage, 'data'>;
  output: Omit<EncodedPageImage, 'bytes'> | null;
  lengths: { original: number; output: number; image: number };
}

export interface PageSpillOptions {
  /** fsync each page file and the folder (default true: the pages are work an officer did). */
  fsync?: boolean;
}

export class PageSpill {
  private discarded = false;

  private constructor(
    readonly dir: string,
    private readonly fsync: boolean,
  ) {}

  /** A new, empty spill folder under `parentDir` (created when missing). */
  static async create(parentDir: string, opts: PageSpillOptions = {}): Promise<PageSpill> {
    await mkdir(parentDir, { recursive: true });
    return new PageSpill(await mkdtemp(path.join(parentDir, 'pages-')), opts.fsync ?? true);
  }

  /** An existing spill folder (after a restart); `list()` gives its pages. */
  static reopen(dir: string, opts: PageSpillOptions = {}): PageSpill {
    return new PageSpill(dir, opts.fsync ?? true);
  }

  /** Writes the page's bytes (capture, encoded image, working image or preview) and its state. */
  async put(page: PageState): Promise<SpilledPage> {
    this.alive();
    const { original, image, output, ocrImage: _notKept, ...rest } = page;
    const header: Header = {
      page: rest,
      image: { width: image.width, height: image.height, channels: image.channels },
      output:
        output === undefined
          ? null
          : {
              format: output.format,
              width: output.width,
              height: output.height,
              channels: output.channels,
              dpi: output.dpi,
            },
      lengths: { original: original.byteLength, output: output?.bytes.byteLength ?? 0, image: image.data.byteLength },
    };
    const json = Buffer.from(JSON.stringify(header), 'utf8');
    const prefix = Buffer.alloc(MAGIC.length + 4);
    prefix.write(MAGIC, 0, 'latin1');
    prefix.writeUInt32LE(json.length, MAGIC.length);
    const parts: Uint8Array[] = [prefix, json, original, ...(output === undefined ? [] : [output.bytes]), image.data];
    const file = path.join(this.dir, `page-${String(page.index).padStart(6, '0')}.spill`);
    const bytes = await writeFileDurably(file, parts, { fsync: this.fsync });
    return { index: page.index, file, bytes, blank: page.blank, characters: ocrCharacters(page.ocr) };
  }

  /** The page as it was put, byte for byte. */
  async get(ref: Pick<SpilledPage, 'file' | 'index'>): Promise<PageState> {
    this.alive();
    let raw: Buffer;
    try {
      raw = await readFile(ref.file);
    } catch (err) {
      if (isNotFound(err))
        throw new PageSpillError('SPILL_MISSING', `spilled page ${ref.index} is gone (${ref.file})`, { cause: err });
      throw err;
    }
    return decodePage(raw, ref.file);
  }

  /** Pages found in the folder (after a crash), in index order. */
  async list(): Promise<SpilledPage[]> {
    this.alive();
    const names = (await readdir(this.dir)).filter((n) => n.endsWith('.spill')).sort();
    const out: SpilledPage[] = [];
    for (const name of names) {
      const file = path.join(this.dir, name);
      const raw = await readFile(file);
      const page = decodePage(raw, file);
      out.push({
        index: page.index,
        file,
        bytes: raw.byteLength,
        blank: page.blank,
        characters: ocrCharacters(page.ocr),
      });
    }
    return out;
  }

  /** The spilled pages as a document, read one at a time by the PDF writer. */
  document(refs: readonly SpilledPage[]): DocumentPages {
    const ref = (i: number): SpilledPage => {
      const r = refs[i];
      if (r === undefined) throw new RangeError(`document has no page ${i}`);
      return r;
    };
    return { count: refs.length, characters: async (i) => ref(i).characters, load: (i) => this.get(ref(i)) };
  }

  /** Removes the folder and every page in it (the document is finished, or the batch thrown away). */
  async discard(): Promise<void> {
    this.discarded = true;
    await rm(this.dir, { recursive: true, force: true });
  }

  private alive(): void {
    if (this.discarded) throw new PageSpillError('SPILL_DISCARDED', `page spill ${this.dir} was discarded`);
  }
}

function decodePage(raw: Buffer, file: string): PageState {
  const corrupt = (why: string): PageSpillError =>
    new PageSpillError('SPILL_CORRUPT', `spilled page file ${file} is damaged: ${why}`);
  if (raw.length < MAGIC.length + 4 || raw.toString('latin1', 0, MAGIC.length) !== MAGIC)
    throw corrupt('not a page file');
  const jsonLength = raw.readUInt32LE(MAGIC.length);
  let at = MAGIC.length + 4;
  if (at + jsonLength > raw.length) throw corrupt('header cut short');
  let header: Header;
  try {
    header = JSON.parse(raw.toString('utf8', at, at + jsonLength)) as Header;
  } catch {
    throw corrupt('header unreadable');
  }
  at += jsonLength;
  const { lengths } = header;
  if (at + lengths.original + lengths.output + lengths.image !== raw.length) throw corrupt('length mismatch');
  // Copies, not views: a view of the output image would pin the whole file (capture included)
  // for as long as the PDF being built holds the image.
  const take = (n: number): Uint8Array => {
    const part = Uint8Array.prototype.slice.call(raw, at, at + n);
    at += n;
    return part;
  };
  const original = take(lengths.original);
  const outputBytes = header.output === null ? null : take(lengths.output);
  const data = take(lengths.image);
  return {
    ...header.page,
    original,
    image: { ...header.image, data },
    ...(header.output === null || outputBytes === null ? {} : { output: { ...header.output, bytes: outputBytes } }),
  };
}

function isNotFound(err: unknown): boolean {
  return err instanceof Error && 'code' in err && (err as NodeJS.ErrnoException).code === 'ENOENT';
}

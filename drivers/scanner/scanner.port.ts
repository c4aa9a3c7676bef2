/**
 * Document scanners: the desk turns the applicant's paper into page images (docs/architecture.md, "Digitisation").
 *
 * Adapters: `SaneScanner` (SANE through `scanimage`), `EsclScanner` (driverless network scanners,
 * eSCL over HTTP), `FolderScanner` (scan-to-folder devices: a watched folder), `FileImportScanner`
 * (image and PDF files the officer picks) and `SimulatedScanner` (the twin used in training mode
 * and tests). Each comes with a `ScannerProvider`; `createDrivers` in `drivers/index.ts` picks them.
 * `drivers/scanner/scanner.contract.ts` holds the behaviour every adapter must show.
 */

export type ScannerKind = 'sane' | 'escl' | 'folder' | 'file' | 'simulated';

export type ScanSource = 'flatbed' | 'feeder';

/** `color`: 24-bit RGB; `gray`: 8-bit grey; `bw`: black and white (line art). */
export type ScanMode = 'color' | 'gray' | 'bw';

export interface ScannerInfo {
  /**
   * Stable id, unique within its provider and across the providers `createDrivers` combines; it
   * starts with the kind (`sane:…`, `escl:…`, `folder:…`, `file`, `sim:…`). Safe to store in
   * settings; `open(id)` takes it back.
   */
  id: string;
  /** Human-readable name for the device page and logs (never a secret). */
  name: string;
  kind: ScannerKind;
}

export interface PageSize {
  /** Common name: `A4`, `A5`, `A6`, `Letter`, `Legal`, or `Max` (the whole scan area). */
  name: string;
  widthMm: number;
  heightMm: number;
}

export interface ScannerCapabilities {
  /** At least one. */
  sources: ScanSource[];
  /** True when the feeder can scan both sides of each sheet in one pass. */
  duplex: boolean;
  /** Dots per inch the device offers, ascending, whole numbers; at least one. */
  resolutions: number[];
  /** At least one. */
  modes: ScanMode[];
  /** Page sizes that fit the scan area, largest first; at least one. */
  pageSizes: PageSize[];
}

export interface ScanRequest {
  source: ScanSource;
  /** Both sides of each sheet; only with `source: 'feeder'` on a duplex device. */
  duplex: boolean;
  /** One of `capabilities().resolutions`. */
  resolution: number;
  mode: ScanMode;
  /** One of `capabilities().pageSizes` by name; default `A4` if offered, else the first one. */
  pageSize?: string | undefined;
}

export interface ScannedPage {
  /** 1 for the first page of the scan, counting every side (duplex: front 1, back 2, front 3…). */
  index: number;
  side: 'front' | 'back';
  /**
   * The encoded image, PNG, JPEG or TIFF (single page), always decodable by sharp. Devices that
   * deliver other encodings (PNM, BMP, multi-page TIFF, PDF) are converted to PNG. The caller owns
   * the buffer.
   */
  bytes: Uint8Array;
  /** `image/png`, `image/jpeg` or `image/tiff`, matching `bytes`. */
  mimeType: string;
  /** Dots per inch of this image (the request's unless the source dictates its own). */
  resolution: number;
}

export type ScanPhase = 'scanning' | 'transferring' | 'done';

export interface ScanProgress {
  /** The page (`ScannedPage.index`) the event is about. */
  page: number;
  /**
   * `scanning`: the device started on the page; `transferring`: its bytes are arriving; `done`:
   * it is complete and about to be yielded. An adapter that cannot see a phase skips it, but
   * `done` always comes once per yielded page, in order, before the page is yielded.
   */
  phase: ScanPhase;
}

export interface ScanOptions {
  /** Aborting cancels the scan (see the contract on `Scanner.scan`). */
  signal?: AbortSignal | undefined;
  /** Called synchronously by the adapter; it must not throw (a throwing callback is ignored). */
  onProgress?: (progress: ScanProgress) => void;
}

/**
 * Contract:
 *
 * - `capabilities()` resolves what the device offers; adapters may ask the device once and keep
 *   the answer. It rejects with `DeviceError` `DEVICE_UNAVAILABLE` (or `SCANNER_DISCONNECTED` for
 *   a device that is known but gone) when the device cannot be reached.
 * - `scan(req, opts)` returns an async iterable that starts the scan when iteration starts. Pages
 *   are yielded one by one, as soon as each is complete (the first page can be shown while the
 *   feeder still runs). A flatbed scan yields exactly one page. A feeder scan yields pages until
 *   the feeder is empty, then ends normally: "out of documents" after at least one page is the
 *   normal end of a batch, never an error.
 * - An empty feeder at the start (no page at all) is an error, `SCANNER_FEEDER_EMPTY`, so the desk
 *   can tell the officer to load the paper (SANE also treats it as a failed scan).
 * - Faults are thrown as `DeviceError` (`drivers/device-error.ts`), whose `code` is:
 *   - `SCANNER_JAM`: a sheet jammed (or the feeder misfed);
 *   - `SCANNER_FEEDER_EMPTY`: see above;
 *   - `SCANNER_COVER_OPEN`: the lid or the feeder door is open;
 *   - `SCANNER_DISCONNECTED`: the device went away during the scan (cable, power, network, I/O);
 *   - `DEVICE_UNAVAILABLE`: the device or its software cannot be used at all (not found, busy,
 *     no `scanimage`, unreachable before the scan started, an answer the adapter cannot
 *     understand, no answer within the adapter's timeout);
 *   - `IMAGE_UNREADABLE`: a delivered file or image cannot be decoded (file import, scan-to-folder);
 *   - `SCANNER_CANCELLED`: see cancel below.
 *   A fault ends the iteration; pages yielded before it stay valid (the caller has them), so after
 *   a jam the officer clears it and scans the remaining sheets.
 * - Bad requests (a source, resolution, mode, page size or duplex the capabilities do not offer)
 *   throw `RangeError` on the first `next()`, before the device moves.
 * - Cancel: aborting `opts.signal` at any time before the iteration ends stops the device (kills
 *   the process group, deletes the eSCL job, stops watching) and cleans up temporary files; only
 *   then does the pending or next `next()` throw `SCANNER_CANCELLED`. Pages not yet yielded are
 *   dropped. An already-aborted signal throws `SCANNER_CANCELLED` without touching the device.
 *   A consumer that simply stops iterating (`break`, `return()`) gets the same clean-up, silently.
 * - Timeouts: each adapter has a per-page timeout (option); a device that stays silent longer is
 *   stopped and reported as `DEVICE_UNAVAILABLE` (before the first page) or `SCANNER_DISCONNECTED`.
 * - One scan at a time per `Scanner`; iterating two scans of the same device at once is not
 *   supported (a real device would answer "busy").
 */
export interface Scanner {
  readonly info: ScannerInfo;
  capabilities(): Promise<ScannerCapabilities>;
  scan(req: ScanRequest, opts?: ScanOptions): AsyncIterable<ScannedPage>;
}

/**
 * The scanners of one kind (or several, combined). `list()` finds what is there now (SANE asks
 * `scanimage -L`; configured devices are listed as configured) and rejects only when the listing
 * itself cannot run (`DEVICE_UNAVAILABLE`); a combined provider leaves out a failing part instead.
 * `open(id)` does not contact the device; a bad id (wrong kind, malformed) throws `RangeError`.
 */
export interface ScannerProvider {
  list(): Promise<ScannerInfo[]>;
  open(id: string): Scanner;
}

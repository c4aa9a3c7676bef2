import { DeviceError } from '../device-error';
import { parseSaneDeviceList } from './sane-options';
import { runScanimage, type SaneCommonOptions } from './sane-run';
import { SaneScanner, type SaneScannerOptions } from './sane-scanner';
import { oneLine } from '../one-line';
import type { ScannerInfo, ScannerProvider } from './scanner.port';

export interface SaneProviderOptions extends SaneCommonOptions, Omit<SaneScannerOptions, 'device' | 'name'> {
  /**
   * Only these SANE device names (as `scanimage -L` lists them); default every device SANE finds.
   * A named device that `scanimage -L` does not find is left out of the list (`missing()` names it).
   */
  devices?: readonly string[];
}

/** The scanners SANE finds (`scanimage -L`), opened as `SaneScanner`s with shared options. */
export class SaneScannerProvider implements ScannerProvider {
  private readonly options: SaneCommonOptions & Omit<SaneScannerOptions, 'device' | 'name'>;
  private readonly only: ReadonlySet<string> | null;
  private readonly names = new Map<string, string>();
  private notFound: string[] = [];

  constructor({ devices, ...options }: SaneProviderOptions = {}) {
    this.options = options;
    this.only = devices === undefined ? null : new Set(devices);
  }

  /** Configured device names the last `list()` did not find. */
  missing(): readonly string[] {
    return this.notFound;
  }

  async list(): Promise<ScannerInfo[]> {
    const result = await runScanimage('SANE', this.options.scanimagePath ?? 'scanimage', ['-L'], this.options);
    if (result.code !== 0) {
      throw new DeviceError(
        'DEVICE_UNAVAILABLE',
        `SANE: scanimage -L failed (${oneLine(result.stderr) || `exit status ${String(result.code)}`})`,
      );
    }
    const found = parseSaneDeviceList(result.stdout.toString('utf8')).filter(
      (d) => this.only === null || this.only.has(d.device),
    );
    this.notFound = this.only === null ? [] : [...this.only].filter((name) => !found.some((d) => d.device === name));
    return found.map((d) => {
      const name = d.description === '' ? d.device : `${d.description} (${d.device})`;
      this.names.set(d.device, name);
      return { id: `sane:${d.device}`, name, kind: 'sane' as const };
    });
  }

  open(id: string): SaneScanner {
    if (!id.startsWith('sane:') || id.length <= 5) throw new RangeError(`"${id}" is not a SANE scanner id`);
    const device = id.slice(5);
    if (this.only !== null && !this.only.has(device)) throw new RangeError(`SANE device "${device}" is not configured`);
    return new SaneScanner({ ...this.options, device, name: this.names.get(device) ?? `SANE ${device}` });
  }
}

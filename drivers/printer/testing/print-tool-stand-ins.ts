import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { DeviceError } from '../../device-error';

/**
 * A stand-in `lpstat` for tests: `-d` answers with the queue named in a `default` file beside the
 * script ("no system default destination" without one), `-p <queue>` says the queue is idle.
 * Tests write it as `lpstat` (mode 755) into a folder on PATH or pass its path to `CupsPrinter`.
 */
export const LPSTAT_WITH_DEFAULT_FILE = `#!/bin/sh
dir=$(dirname "$0")
case "$1" in
  -d) if [ -f "$dir/default" ]; then echo "system default destination: $(cat "$dir/default")"; else echo "no system default destination"; fi ;;
  -p) echo "printer $2 is idle.  enabled since Mon 07 Dec 2026 08:00:00 AM UTC" ;;
esac
`;

/** The `DeviceError` a printer call fails with; anything else (or no failure) fails the test. */
export async function deviceErrorOf(promise: Promise<unknown>): Promise<DeviceError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeviceError) return error;
    throw error;
  }
  throw new Error('expected a DeviceError');
}

/** Writes stand-in programs (name → shell script) into `dir`, each executable. */
export async function writeStandIns(dir: string, scripts: Readonly<Record<string, string>>): Promise<void> {
  for (const [name, body] of Object.entries(scripts)) {
    await writeFile(join(dir, name), body);
    await chmod(join(dir, name), 0o755);
  }
}

/** A temp folder of stand-in programs placed first on PATH; `dispose` restores PATH and removes it. */
export interface StandInsOnPath {
  dir: string;
  dispose(): Promise<void>;
}

/** Writes the stand-ins into a new temp folder and puts it first on PATH, so programs run by name find them. */
export async function standInsOnPath(scripts: Readonly<Record<string, string>>): Promise<StandInsOnPath> {
  const dir = await mkdtemp(join(tmpdir(), 'motcua-stand-ins-'));
  await writeStandIns(dir, scripts);
  const saved = process.env.PATH;
  process.env.PATH = `${dir}${delimiter}${saved ?? ''}`;
  return {
    dir,
    async dispose() {
      if (saved === undefined) delete process.env.PATH;
      else process.env.PATH = saved;
      await rm(dir, { recursive: true, force: true });
    },
  };
}

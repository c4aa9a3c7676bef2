import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `--name value` / `--name=value` / `--flag` options of a bench command. */
export class Args {
  private readonly values = new Map<string, string>();

  constructor(argv: readonly string[] = process.argv.slice(2)) {
    for (let i = 0; i < argv.length; i++) {
      const arg = argv[i] ?? '';
      if (!arg.startsWith('--')) throw new Error(`unexpected argument: ${arg}`);
      const eq = arg.indexOf('=');
      if (eq > 0) {
        this.values.set(arg.slice(2, eq), arg.slice(eq + 1));
        continue;
      }
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('--')) {
        this.values.set(arg.slice(2), next);
        i++;
      } else {
        this.values.set(arg.slice(2), 'true');
      }
    }
  }

  string(name: string): string | undefined {
    return this.values.get(name);
  }

  int(name: string, fallback: number): number {
    const raw = this.values.get(name);
    if (raw === undefined) return fallback;
    const value = Number(raw.replaceAll('_', ''));
    if (!Number.isInteger(value) || value < 0) throw new Error(`--${name} must be a non-negative integer, got ${raw}`);
    return value;
  }

  flag(name: string): boolean {
    const raw = this.values.get(name);
    return raw !== undefined && raw !== 'false';
  }
}

/** True when `metaUrl` is the module node was asked to run (directly or through bin/run-ts.mjs). */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  return fileURLToPath(metaUrl) === resolve(entry);
}

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The one place the desk finds its own files: the repository (or packaged app) root and the shipped
 * runtime assets under `resources/` (fonts, form templates, seed data). docs/architecture.md.
 */

/** Environment variable a packaged build sets to its unpacked `resources` folder. */
export const RESOURCES_ENV = 'MOTCUA_RESOURCES_DIR';

/** The folder holding package.json, found upwards from this file (sources or the built bundle). */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    dir = path.dirname(dir);
  }
  return process.cwd();
}

/**
 * Folder holding fonts, form templates and seed data: `$MOTCUA_RESOURCES_DIR` when set and not blank
 * (packaged builds), otherwise `<repo root>/resources` (running from sources with tsx or vitest, or
 * from the built bundle).
 */
export function resourcesDir(): string {
  const fromEnv = process.env[RESOURCES_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  return path.join(repoRoot(), 'resources');
}

export function fontsDir(): string {
  return path.join(resourcesDir(), 'fonts');
}

export function formTemplatesDir(): string {
  return path.join(resourcesDir(), 'forms');
}

/** The `version` of package.json; `0.0.0` when it cannot be read. */
export function packageVersion(): string {
  try {
    return (JSON.parse(readFileSync(path.join(repoRoot(), 'package.json'), 'utf8')) as { version: string }).version;
  } catch {
    return '0.0.0';
  }
}

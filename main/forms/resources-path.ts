import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Environment variable a packaged build sets to its unpacked `resources` folder. */
export const RESOURCES_ENV = 'MOTCUA_RESOURCES_DIR';

/**
 * Folder holding fonts and form templates: `$MOTCUA_RESOURCES_DIR` when set (packaged builds),
 * otherwise `<repo root>/resources`, found relative to this file (main/forms → two levels up),
 * which is right when running from sources with tsx or vitest.
 */
export function resourcesDir(): string {
  const fromEnv = process.env[RESOURCES_ENV];
  if (fromEnv !== undefined && fromEnv.trim() !== '') return path.resolve(fromEnv);
  const here = path.dirname(fileURLToPath(import.meta.url));
  return path.resolve(here, '..', '..', 'resources');
}

export function fontsDir(): string {
  return path.join(resourcesDir(), 'fonts');
}

export function formTemplatesDir(): string {
  return path.join(resourcesDir(), 'forms');
}

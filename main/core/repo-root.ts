import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding package.json, found upwards from this file (sources or the built bundle). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  return process.cwd();
}

/** Shipped runtime assets: `MOTCUA_RESOURCES_DIR` (packaged builds) or `<repo>/resources`. */
export function resourcesRoot(): string {
  return process.env.MOTCUA_RESOURCES_DIR ?? join(repoRoot(), 'resources');
}

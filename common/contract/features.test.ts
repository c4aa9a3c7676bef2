import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { MethodDef } from './define';
import { contract, METHOD_NAMES } from './methods';

/**
 * Each feature declares its methods in its own file, `<feature>.ts`, as one `…Methods` map built
 * with `define` (docs/architecture.md, "Contract and RPC"); `methods.ts` only assembles them. A
 * method is named `<feature>.<verb>` after the file it is declared in.
 */
const HERE = dirname(fileURLToPath(import.meta.url));

interface FeatureFile {
  file: string;
  feature: string;
  maps: Record<string, Record<string, MethodDef>>;
}

async function featureFiles(): Promise<FeatureFile[]> {
  const files = readdirSync(HERE).filter(
    (f) => f.endsWith('.ts') && !f.endsWith('.test.ts') && f !== 'methods.ts' && f !== 'index.ts',
  );
  const out: FeatureFile[] = [];
  for (const file of files) {
    const feature = file.replace(/\.ts$/, '');
    const mod = (await import(/* @vite-ignore */ pathToFileURL(join(HERE, file)).href)) as Record<string, unknown>;
    const maps = Object.fromEntries(
      Object.entries(mod).filter(([name]) => name.endsWith('Methods')),
    ) as FeatureFile['maps'];
    if (Object.keys(maps).length > 0) out.push({ file, feature, maps });
  }
  return out;
}

describe('contract feature files', () => {
  it('name every method after the file that declares it, with one map per file', async () => {
    const features = await featureFiles();
    expect(features.map((f) => f.feature).sort()).toEqual([
      'app',
      'applicant',
      'auth',
      'catalogue',
      'digitise',
      'documents',
      'dossier',
      'intake',
      'queue',
      'returns',
      'signing',
      'sync',
    ]);
    for (const { file, feature, maps } of features) {
      expect(Object.keys(maps), file).toHaveLength(1);
      for (const map of Object.values(maps)) {
        expect(Object.keys(map).length, file).toBeGreaterThan(0);
        for (const name of Object.keys(map))
          expect(name, `${name} in ${file}`).toMatch(new RegExp(`^${feature}\\.[a-zA-Z]+$`));
      }
    }
  });

  it('declare each method once, and the assembled map is exactly their union', async () => {
    const declared = new Map<string, { file: string; def: MethodDef }>();
    const twice: string[] = [];
    for (const { file, maps } of await featureFiles()) {
      for (const map of Object.values(maps)) {
        for (const [name, def] of Object.entries(map)) {
          if (declared.has(name)) twice.push(`${name}: ${declared.get(name)?.file} and ${file}`);
          declared.set(name, { file, def });
        }
      }
    }
    expect(twice).toEqual([]);
    expect([...declared.keys()].sort()).toEqual([...METHOD_NAMES].sort());
    for (const name of METHOD_NAMES) expect(contract[name], name).toBe(declared.get(name)?.def);
  });

  it('every method has params, a result and an access rule', () => {
    for (const name of METHOD_NAMES) {
      const def: MethodDef = contract[name];
      expect(typeof def.params.safeParse, name).toBe('function');
      expect(typeof def.result.safeParse, name).toBe('function');
      expect(
        def.roles === 'public' || def.roles === 'any' || (Array.isArray(def.roles) && def.roles.length > 0),
        name,
      ).toBe(true);
    }
  });
});

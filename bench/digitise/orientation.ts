import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createOcrPool } from '../../main/digitise/ocr/worker-pool';
import { createOrientationStage, orientationStage } from '../../main/digitise/orientation.stage';
import { ADMIN_LAYOUTS, renderAdminPage } from '../../main/digitise/testing/admin-pages';
import type { AdminLayout, ScanCondition } from '../../main/digitise/testing/admin-pages';
import { decodedPage, testContext } from '../../main/digitise/testing/pages';
import type { PageStage } from '../../main/digitise/types';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';

/**
 * Orientation benchmark: administrative layouts × fonts × scan conditions × the four
 * ways a sheet can be fed, through the orientation stage with the OCR check (what the pipeline
 * runs) and through the line-shape estimate alone (what it ran before). A wrong turn is a page
 * turned to anything but upright; kept is a turned page left as scanned (flagged for the officer).
 * See bench/README.md, "Orientation".
 *
 *   node bin/run-ts.mjs bench/digitise/orientation.ts [--variants 1] [--fonts "Noto Sans,DejaVu Serif"]
 *     [--variant-from 0] [--layouts decision,table] [--conditions clean300,noisy] [--result bench/results/x.json]
 */

const args = new Args();
const variants = args.int('variants', 1);
const variantFrom = args.int('variant-from', 0); // a second run on other names and sentences
const CONDITIONS: readonly { name: string; condition: ScanCondition; dpi: number }[] = [
  { name: 'noisy', condition: 'noisy', dpi: 200 },
  { name: 'blurred', condition: 'blurred', dpi: 200 },
  { name: 'skewed', condition: 'skewed', dpi: 200 },
  { name: 'lowContrast', condition: 'lowContrast', dpi: 200 },
  { name: 'speckled', condition: 'speckled', dpi: 200 },
  { name: 'clean300', condition: 'clean', dpi: 300 },
];
const list = (name: string): string[] | undefined =>
  args
    .string(name)
    ?.split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
const installed = execFileSync('fc-list', [':', 'family'], { encoding: 'utf8' })
  .split('\n')
  .flatMap((l) => l.split(','));
const fonts = (list('fonts') ?? ['Noto Sans', 'Noto Serif', 'DejaVu Sans', 'DejaVu Serif', 'Liberation Serif']).filter(
  (f) => installed.includes(f),
);
const layouts = (list('layouts') ?? [...ADMIN_LAYOUTS]).filter((l): l is AdminLayout =>
  (ADMIN_LAYOUTS as readonly string[]).includes(l),
);
const conditions = CONDITIONS.filter((c) => (list('conditions') ?? CONDITIONS.map((x) => x.name)).includes(c.name));
const rotations = [0, 90, 180, 270] as const;
const resultPath = args.string('result') ?? path.join('bench', 'results', 'orientation-latest.json');

interface Tally {
  pages: number;
  right: number;
  wrong: number;
  kept: number;
  flagged: number;
  ms: number;
  maxMs: number;
}
const empty = (): Tally => ({ pages: 0, right: 0, wrong: 0, kept: 0, flagged: 0, ms: 0, maxMs: 0 });
type Method = 'ocrCheck' | 'lineShape';
const cells = new Map<string, Record<Method, Tally>>();
const wrongTurns: { method: Method; page: string; turned: number }[] = [];
const flaggedPages: { method: Method; page: string }[] = [];

const rate = (n: number, d: number): number => (d === 0 ? 0 : Math.round((n / d) * 10000) / 100);
const summary = (method: Method, fedUpright: boolean): Record<string, number> => {
  const t = empty();
  for (const [key, cell] of cells) {
    if (key.endsWith('/0') !== fedUpright) continue;
    const c = cell[method];
    t.pages += c.pages;
    t.right += c.right;
    t.wrong += c.wrong;
    t.kept += c.kept;
    t.flagged += c.flagged;
    t.ms += c.ms;
    t.maxMs = Math.max(t.maxMs, c.maxMs);
  }
  return {
    pages: t.pages,
    wrongTurnPct: rate(t.wrong, t.pages),
    keptAsScannedPct: rate(t.kept, t.pages),
    flaggedPct: rate(t.flagged, t.pages),
    msPerPage: Math.round(t.ms / Math.max(1, t.pages)),
    maxMs: Math.round(t.maxMs),
  };
};
const result = (finished: boolean): Record<string, unknown> => ({
  started: started.toISOString(),
  written: new Date().toISOString(),
  machine: machineInfo(),
  options: { variants, variantFrom, fonts, layouts, conditions: conditions.map((c) => `${c.name}@${c.dpi}`) },
  summary: {
    ocrCheck: { upright: summary('ocrCheck', true), rotated: summary('ocrCheck', false) },
    lineShape: { upright: summary('lineShape', true), rotated: summary('lineShape', false) },
  },
  cells: Object.fromEntries(cells),
  wrongTurns,
  flaggedPages,
  complete: finished,
});
/** Written after every cell, so a run stopped early still leaves what it measured. */
function save(finished: boolean): void {
  mkdirSync(path.dirname(resultPath), { recursive: true });
  writeFileSync(resultPath, `${JSON.stringify(result(finished), null, 2)}\n`);
}

const pool = createOcrPool({ maxWorkers: 1 });
const stages: Record<Method, PageStage> = {
  ocrCheck: createOrientationStage({ ocr: pool }),
  lineShape: orientationStage,
};
const started = new Date();
console.log(
  `orientation: ${layouts.length} layouts × ${fonts.length} fonts (${fonts.join(', ')}) × ${conditions.length} conditions × 4 turns × ${variants} variant(s)`,
);
// One worker start-up is not a page's cost.
await pool.recognise({ width: 8, height: 8, channels: 1, data: new Uint8Array(64).fill(255) });
try {
  for (const c of conditions) {
    for (const fed of rotations) {
      const key = `${c.name}/${fed}`;
      const cell = { ocrCheck: empty(), lineShape: empty() };
      cells.set(key, cell);
      for (const layout of layouts)
        for (const font of fonts)
          for (let variant = variantFrom; variant < variantFrom + variants; variant++) {
            const bytes = await renderAdminPage({
              layout,
              font,
              dpi: c.dpi,
              condition: c.condition,
              variant,
              rotate: fed,
            });
            const upright = (360 - fed) % 360;
            for (const method of ['ocrCheck', 'lineShape'] as const) {
              // Decoded afresh for each method: the page analysis is cached on the image.
              const page = await decodedPage(bytes, { dpi: c.dpi });
              const t0 = performance.now();
              const out = await stages[method].run(page, testContext());
              const ms = performance.now() - t0;
              const t = cell[method];
              t.pages++;
              t.ms += ms;
              t.maxMs = Math.max(t.maxMs, ms);
              if (out.orientationUnsure === true) {
                t.flagged++;
                flaggedPages.push({ method, page: `${key} ${layout} ${font} v${variant}` });
              }
              if (out.rotation === upright) t.right++;
              else if (out.rotation === 0) t.kept++;
              else {
                t.wrong++;
                wrongTurns.push({ method, page: `${key} ${layout} ${font} v${variant}`, turned: out.rotation });
              }
            }
          }
      const o = cell.ocrCheck;
      const l = cell.lineShape;
      console.log(
        `${key.padEnd(16)} pages ${o.pages}  OCR check: right ${o.right} wrong ${o.wrong} kept ${o.kept} flagged ${o.flagged} ${(o.ms / o.pages).toFixed(0)} ms/page` +
          `  | line shape: right ${l.right} wrong ${l.wrong} kept ${l.kept} flagged ${l.flagged} ${(l.ms / l.pages).toFixed(0)} ms/page`,
      );
      save(false);
    }
  }
} finally {
  await pool.close();
}

save(true);
console.log(JSON.stringify(result(true).summary, null, 2));
console.log(`written ${resultPath}`);

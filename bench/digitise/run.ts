import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { promisify } from 'node:util';
import { createOcrPool } from '../../main/digitise/ocr/worker-pool';
import type { OcrPool } from '../../main/digitise/ocr/worker-pool';
import { PageSpill } from '../../main/digitise/page-spill';
import type { SpilledPage } from '../../main/digitise/page-spill';
import { createPipeline, defaultStages } from '../../main/digitise/pipeline';
import type { Capture, Pipeline } from '../../main/digitise/pipeline';
import { characterErrorRate, levenshtein, normaliseForCer } from '../../main/digitise/quality';
import { SAMPLE_META } from '../../main/digitise/testing/meta';
import { DEFAULT_PROFILE } from '../../main/digitise/types';
import type { PageStage, PageState } from '../../main/digitise/types';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { BENCH_FONTS, benchPage } from './pages';
import type { BenchPage, Condition } from './pages';

/**
 * Digitisation benchmark: OCR character error rate read back from the
 * searchable PDF, whole-pipeline throughput against the native `tesseract` command on the same
 * pages and cores (interleaved blocks), and RSS over a long batch. See bench/README.md.
 */

const run = promisify(execFile);
const args = new Args();
const workers = args.int('workers', 2);
const cerPages = args.int('cer-pages', 1); // pages per font per cell
const tpPages = args.int('pages', 24);
const tpBlock = args.int('block', 6);
const tpDpi = args.int('dpi', 200);
const memPages = args.int('memory-pages', 300);
const ocrMaxDpi = args.int('ocr-max-dpi', 0); // 0: the stage default
const only = args.string('only'); // cer | throughput | memory
const resultPath = args.string('result') ?? path.join('bench', 'results', 'digitise-latest.json');
const work = mkdtempSync(path.join(tmpdir(), 'motcua-bench-digitise-'));

const ms = (t: number): number => Math.round(t * 10) / 10;
const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** Times each stage (wall time of its `run`, OCR includes waiting for a free worker). */
function timedStages(stages: PageStage[], acc: Map<string, number>): PageStage[] {
  return stages.map((s) => ({
    name: s.name,
    async run(page, ctx) {
      const t0 = performance.now();
      try {
        return await s.run(page, ctx);
      } finally {
        acc.set(s.name, (acc.get(s.name) ?? 0) + performance.now() - t0);
      }
    },
  }));
}

function makePipeline(pool: OcrPool, dpi: number, acc?: Map<string, number>): Pipeline {
  const stages = defaultStages(pool, ocrMaxDpi > 0 ? { maxDpi: ocrMaxDpi } : {});
  return createPipeline({
    profile: { ...DEFAULT_PROFILE, dpi, colour: 'gray' },
    ocrPool: pool,
    stages: acc === undefined ? stages : timedStages(stages, acc),
  });
}

async function* captures(pages: readonly BenchPage[]): AsyncGenerator<Capture> {
  for (const [i, p] of pages.entries()) yield { index: i, side: 'front', bytes: p.bytes, dpi: p.dpi };
}

/** The station's path for one document: processBatch, then finishDocument (PDF + signing slot). */
async function digitise(pipeline: Pipeline, pages: readonly BenchPage[]): Promise<Uint8Array> {
  const done: PageState[] = [];
  for await (const item of pipeline.processBatch(captures(pages))) {
    if (item.page === undefined) throw new Error(`page ${item.index}: ${item.error?.code} ${item.error?.message}`);
    done.push(item.page);
  }
  return (await pipeline.finishDocument(done, SAMPLE_META)).pdf;
}

const FOOTER = /^Bản số hóa từ bản giấy.*$/gmu;

/** Text of each page of the PDF, as `pdftotext` reads the text layer (the visible paper mark removed). */
async function pdfPageTexts(pdf: Uint8Array, pages: number): Promise<string[]> {
  const file = path.join(work, `doc-${process.hrtime.bigint()}.pdf`);
  writeFileSync(file, pdf);
  const out: string[] = [];
  for (let i = 1; i <= pages; i++) {
    const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', '-f', String(i), '-l', String(i), file, '-'], {
      maxBuffer: 16 << 20,
    });
    out.push(stdout.replace(FOOTER, ''));
  }
  rmSync(file);
  return out;
}

/** `tesseract img - -l vie` with OMP_THREAD_LIMIT=1, `procs` processes at a time; texts in page order. */
async function nativeOcr(pages: readonly BenchPage[], procs: number): Promise<string[]> {
  const files = pages.map((p, i) => {
    const f = path.join(work, `native-${process.hrtime.bigint()}-${i}.${p.condition === 'degraded' ? 'jpg' : 'png'}`);
    writeFileSync(f, p.bytes);
    return f;
  });
  const texts = new Array<string>(pages.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      const { stdout } = await run('tesseract', [files[i]!, '-', '-l', 'vie'], {
        env: { ...process.env, OMP_THREAD_LIMIT: '1' },
        maxBuffer: 16 << 20,
      });
      texts[i] = stdout;
    }
  };
  await Promise.all(Array.from({ length: procs }, lane));
  for (const f of files) rmSync(f);
  return texts;
}

interface CerCell {
  dpi: number;
  condition: Condition;
  pages: number;
  chars: number;
  ours: number;
  oursWorstPage: number;
  native: number;
  nativeWorstPage: number;
}

function aggregate(refs: string[], hyps: string[]): { cer: number; worst: number; chars: number } {
  let edits = 0;
  let chars = 0;
  let worst = 0;
  refs.forEach((r, i) => {
    const a = normaliseForCer(r);
    const b = normaliseForCer(hyps[i] ?? '');
    edits += levenshtein(a, b);
    chars += Array.from(a).length;
    worst = Math.max(worst, characterErrorRate(r, hyps[i] ?? ''));
  });
  return { cer: edits / chars, worst, chars };
}

async function measureCer(
  pool: OcrPool,
): Promise<{ cells: CerCell[]; samples: { id: string; ours: number; native: number }[] }> {
  const cells: CerCell[] = [];
  const samples: { id: string; ours: number; native: number }[] = [];
  for (const dpi of [200, 300]) {
    for (const condition of ['clean', 'degraded'] as const) {
      const pages: BenchPage[] = [];
      for (const [f, font] of BENCH_FONTS.entries()) {
        for (let k = 0; k < cerPages; k++)
          pages.push(await benchPage(1 + f + k * BENCH_FONTS.length, font, dpi, condition));
      }
      const pdf = await digitise(makePipeline(pool, dpi), pages);
      const ours = await pdfPageTexts(pdf, pages.length);
      const native = await nativeOcr(pages, pool.size);
      const refs = pages.map((p) => p.reference);
      const o = aggregate(refs, ours);
      const n = aggregate(refs, native);
      pages.forEach((p, i) =>
        samples.push({
          id: p.id,
          ours: characterErrorRate(p.reference, ours[i]!),
          native: characterErrorRate(p.reference, native[i]!),
        }),
      );
      cells.push({
        dpi,
        condition,
        pages: pages.length,
        chars: o.chars,
        ours: o.cer,
        oursWorstPage: o.worst,
        native: n.cer,
        nativeWorstPage: n.worst,
      });
      console.log(
        `CER ${dpi} dpi ${condition.padEnd(8)} ours ${pct(o.cer)} (worst page ${pct(o.worst)})  native ${pct(n.cer)} (worst ${pct(n.worst)})  ${pages.length} pages, ${o.chars} chars`,
      );
    }
  }
  return { cells, samples };
}

async function measureThroughput(pool: OcrPool): Promise<Record<string, unknown>> {
  const pages: BenchPage[] = [];
  for (let i = 0; i < tpPages; i++)
    pages.push(await benchPage(100 + i, BENCH_FONTS[i % BENCH_FONTS.length]!, tpDpi, 'degraded'));
  const acc = new Map<string, number>();
  const pipeline = makePipeline(pool, tpDpi, acc);
  // Warm-up: start every worker and the model cache, and the native binary's page cache.
  await digitise(pipeline, pages.slice(0, pool.size));
  await nativeOcr(pages.slice(0, pool.size), pool.size);
  acc.clear();
  let oursMs = 0;
  let nativeMs = 0;
  let elu = 0;
  const loopDelay = monitorEventLoopDelay({ resolution: 10 });
  for (let b = 0; b < pages.length; b += tpBlock) {
    const block = pages.slice(b, b + tpBlock);
    const first = (b / tpBlock) % 2 === 0;
    const ours = async (): Promise<void> => {
      const e0 = performance.eventLoopUtilization();
      loopDelay.enable();
      const t0 = performance.now();
      await digitise(pipeline, block);
      oursMs += performance.now() - t0;
      loopDelay.disable();
      elu += performance.eventLoopUtilization(e0).utilization * (performance.now() - t0);
    };
    const native = async (): Promise<void> => {
      const t0 = performance.now();
      await nativeOcr(block, pool.size);
      nativeMs += performance.now() - t0;
    };
    if (first) {
      await ours();
      await native();
    } else {
      await native();
      await ours();
    }
  }
  const n = pages.length;
  const stageMsPerPage = Object.fromEntries([...acc].map(([k, v]) => [k, ms(v / n)]));
  const res = {
    dpi: tpDpi,
    pages: n,
    block: tpBlock,
    processes: pool.size,
    oursSecondsPerPage: Math.round(oursMs / n) / 1000,
    nativeSecondsPerPage: Math.round(nativeMs / n) / 1000,
    oursPagesPerMinute: Math.round((n / oursMs) * 60_000 * 10) / 10,
    nativePagesPerMinute: Math.round((n / nativeMs) * 60_000 * 10) / 10,
    ratioOursToNative: Math.round((nativeMs / oursMs) * 100) / 100,
    stageWallMsPerPage: stageMsPerPage,
    mainThreadUtilisation: Math.round((elu / oursMs) * 100) / 100,
    // No max: the first sample after re-enabling spans the native block.
    eventLoopDelayMs: { p50: ms(loopDelay.percentile(50) / 1e6), p99: ms(loopDelay.percentile(99) / 1e6) },
  };
  console.log(
    `throughput: ours ${res.oursPagesPerMinute} pages/min (${res.oursSecondsPerPage} s/page), native ${res.nativePagesPerMinute} pages/min (${res.nativeSecondsPerPage} s/page), ours/native ${res.ratioOursToNative}`,
  );
  console.log(
    `  stage wall ms/page (pages overlap, so these add up to more than the elapsed time): ${JSON.stringify(stageMsPerPage)}`,
  );
  console.log(
    `  main thread utilisation ${res.mainThreadUtilisation}, event-loop delay ${JSON.stringify(res.eventLoopDelayMs)}`,
  );
  return res;
}

async function measureMemory(pool: OcrPool): Promise<Record<string, unknown>> {
  const distinct: BenchPage[] = [];
  for (let i = 0; i < 8; i++)
    distinct.push(await benchPage(200 + i, BENCH_FONTS[i % BENCH_FONTS.length]!, 200, 'degraded'));
  const pipeline = makePipeline(pool, 200);
  async function* source(): AsyncGenerator<Capture> {
    // A fresh copy of the bytes per capture, as a scanner delivers them.
    for (let i = 0; i < memPages; i++)
      yield { index: i, side: 'front', bytes: Uint8Array.from(distinct[i % distinct.length]!.bytes), dpi: 200 };
  }
  let peak = process.memoryUsage.rss();
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 50);
  const checkpoints = new Set([1, 10, 50, 100, 150, 200, 250, 300, memPages]);
  const points: {
    pages: number;
    peakRssMiB: number;
    rssMiB: number;
    heapUsedMiB: number;
    externalMiB: number;
    spilledMiB: number;
  }[] = [];
  // As the station does (it keeps finished pages in the blob store and the batch tables), each
  // finished page goes to disk at once: a per-batch spill folder, fsynced; only a handle stays.
  const spill = await PageSpill.create(path.join(work, 'spill'));
  const kept: SpilledPage[] = [];
  let spilledBytes = 0;
  const MiB = 2 ** 20;
  const t0 = performance.now();
  for await (const item of pipeline.processBatch(source())) {
    if (item.page === undefined) throw new Error(`page ${item.index}: ${item.error?.message}`);
    const ref = await spill.put(item.page);
    kept.push(ref);
    spilledBytes += ref.bytes;
    if (checkpoints.has(kept.length)) {
      const m = process.memoryUsage();
      peak = Math.max(peak, m.rss);
      points.push({
        pages: kept.length,
        peakRssMiB: Math.round(peak / MiB),
        rssMiB: Math.round(m.rss / MiB),
        heapUsedMiB: Math.round(m.heapUsed / MiB),
        externalMiB: Math.round((m.external + m.arrayBuffers) / MiB),
        spilledMiB: Math.round(spilledBytes / MiB),
      });
      console.log(
        `memory: ${kept.length} pages, peak RSS ${Math.round(peak / MiB)} MiB, RSS ${Math.round(m.rss / MiB)} MiB, spilled page bytes ${Math.round(spilledBytes / MiB)} MiB`,
      );
    }
  }
  const batchSeconds = Math.round((performance.now() - t0) / 100) / 10;
  const peakBeforePdf = peak;
  const t1 = performance.now();
  const pdf = await pipeline.finishPages(spill.document(kept), SAMPLE_META);
  peak = Math.max(peak, process.memoryUsage.rss());
  const pdfSeconds = Math.round((performance.now() - t1) / 100) / 10;
  clearInterval(sampler);
  await spill.discard();
  console.log(
    `memory: PDF ${Math.round(pdf.pdf.byteLength / MiB)} MiB in ${pdfSeconds} s, peak RSS during the PDF ${Math.round(peak / MiB)} MiB`,
  );
  return {
    pages: memPages,
    seconds: batchSeconds,
    pdfSeconds,
    points,
    peakRssBeforePdfMiB: Math.round(peakBeforePdf / MiB),
    peakRssAfterPdfMiB: Math.round(peak / MiB),
    pdfMiB: Math.round((pdf.pdf.byteLength / MiB) * 10) / 10,
    spilledMiB: Math.round(spilledBytes / MiB),
    note: 'finished pages spilled to a fsynced folder (PageSpill) and read back one at a time for the PDF; RSS of the bench process; tesseract.js workers are worker_threads, so their WebAssembly heaps are included',
  };
}

const started = new Date();
const pool = createOcrPool({ maxWorkers: workers });
const result: Record<string, unknown> = {
  started: started.toISOString(),
  machine: machineInfo(),
  loadAverageAtStart: (await import('node:os')).loadavg(),
  ocrWorkers: pool.size,
  options: { ocrMaxDpi: ocrMaxDpi > 0 ? ocrMaxDpi : 'default', workers, cerPages, tpPages, tpBlock, tpDpi, memPages },
};
try {
  if (only === undefined || only === 'cer') result.cer = await measureCer(pool);
  if (only === undefined || only === 'throughput') result.throughput = await measureThroughput(pool);
  if (only === undefined || only === 'memory') result.memory = await measureMemory(pool);
} finally {
  await pool.close();
  rmSync(work, { recursive: true, force: true });
}
result.finished = new Date().toISOString();
result.loadAverageAtEnd = (await import('node:os')).loadavg();
mkdirSync(path.dirname(resultPath), { recursive: true });
writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);
console.log(`written ${resultPath}`);

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import {
  createSoftHsmToken,
  fixtureText,
  Pkcs11TokenProvider,
  renderFixturePage,
  softHsmAvailable,
} from '../../drivers/testing';
import type { SigningKey } from '../../drivers/token/signing-key.port';
import { createPipeline } from '../../main/digitise/pipeline';
import { SAMPLE_META } from '../../main/digitise/testing/meta';
import { DEFAULT_PROFILE, type PageState } from '../../main/digitise/types';
import { signBatch, type BatchDocument } from '../../main/signing/batch';
import { DIGITISED_REASON } from '../../main/signing/sign-stage';
import { openTokenKey } from '../../main/signing/token-key';
import { verifyPdf } from '../../main/signing/verify';
import { BlobStore } from '../../main/store/blob-store';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { fmtBytes, fmtMs, ratio, summarise, table, type LatencySummary } from '../lib/stats';

/**
 * Signing benchmark: what batch signing costs per document BEYOND the token's own
 * signing time, with a real PKCS#11 token (SoftHSM2 in its token host process), for 1-page and
 * 50-page digitised PDFs made by the real PDF writer.
 *
 * Every `signDigest` call is timed on its own; a document's overhead is its wall time in the batch
 * minus the time spent inside its token calls. Reference measured in the same run: the bare token
 * sign (one `signDigest` through the host, no PDF work). Two variants per size:
 *   sign     signBatch only (read → PAdES incremental update → CMS → token → splice);
 *   station  what the station does per document on top: check the signed PDF (verifyPdf
 *            integrity) and keep it in a blob store (sha256, temp file, fsync, rename).
 * Variants and sizes run in interleaved rounds so a busy neighbour hits all of them alike.
 */
const args = new Args();
const docs1 = args.int('docs-1', 40);
const docs50 = args.int('docs-50', 8);
const rounds = args.int('rounds', 2);
const refSigns = args.int('ref', 100);
const resultPath = args.string('result') ?? path.join('bench', 'results', 'signing-latest.json');

if (!(await softHsmAvailable())) {
  console.error('SoftHSM2, pkcs11-tool and openssl are needed (apt install softhsm2 opensc openssl).');
  process.exit(2);
}

const work = mkdtempSync(path.join(tmpdir(), 'motcua-bench-signing-'));
const fixture = await createSoftHsmToken();
const provider = new Pkcs11TokenProvider({ modules: [fixture.modulePath], search: false, env: fixture.env });

// ---- token session (once per batch) ---------------------------------------------------------
const tLogin = performance.now();
const opened = await openTokenKey(provider, { keyId: fixture.keys.rsa.keyId, tokenLabel: fixture.label }, fixture.pin);
const loginMs = performance.now() - tLogin;

let tokenMs = 0;
let tokenCalls = 0;
const timedKey: SigningKey = {
  certificate: opened.key.certificate,
  chain: opened.key.chain,
  algorithm: opened.key.algorithm,
  keyId: opened.key.keyId,
  async signDigest(digest) {
    const t0 = performance.now();
    try {
      return await opened.key.signDigest(digest);
    } finally {
      tokenMs += performance.now() - t0;
      tokenCalls++;
    }
  },
};

// ---- reference: the bare token sign ---------------------------------------------------------
for (let i = 0; i < 10; i++) await opened.key.signDigest(randomBytes(32));
const refSamples: number[] = [];
const tRef = performance.now();
for (let i = 0; i < refSigns; i++) {
  const t0 = performance.now();
  await opened.key.signDigest(randomBytes(32));
  refSamples.push(performance.now() - t0);
}
const refWall = performance.now() - tRef;
const reference = summarise(refSamples);

// ---- documents: real digitised PDFs (image + text layer + XMP), no OCR needed here ----------
const pipeline = createPipeline({ profile: { ...DEFAULT_PROFILE, dpi: 200, colour: 'gray' }, ocrPool: null });
const pageBytes = await renderFixturePage({
  text: fixtureText(1, 1),
  dpi: 200,
  widthMm: 210,
  heightMm: 297,
  mode: 'gray',
});
const page: PageState = await pipeline.processPage({ index: 0, side: 'front', bytes: pageBytes, dpi: 200 });
const words = 'Ủy ban nhân dân phường Bến Nghé chứng nhận bản sao đúng với bản chính'.split(' ');
page.ocr = {
  text: words.join(' '),
  words: words.map((text, i) => ({
    text,
    confidence: 90,
    line: Math.floor(i / 8),
    bbox: {
      x0: 100 + (i % 8) * 170,
      y0: 300 + Math.floor(i / 8) * 60,
      x1: 250 + (i % 8) * 170,
      y1: 340 + Math.floor(i / 8) * 60,
    },
  })),
  meanConfidence: 90,
};
const pdf1 = (await pipeline.finishDocument([page], SAMPLE_META)).pdf;
const pdf50 = (
  await pipeline.finishDocument(
    Array.from({ length: 50 }, (_, i) => ({ ...page, index: i })),
    SAMPLE_META,
  )
).pdf;

const blobs = new BlobStore(path.join(work, 'blobs'));
mkdirSync(path.join(work, 'blobs'), { recursive: true });

interface Cell {
  size: '1-page' | '50-page';
  variant: 'sign' | 'station';
  overhead: number[];
  token: number[];
  wall: number[];
  batchMs: number;
  docs: number;
  bytesOut: number;
}
const cells = new Map<string, Cell>();
const cellOf = (size: Cell['size'], variant: Cell['variant']): Cell => {
  const key = `${size}/${variant}`;
  let c = cells.get(key);
  if (!c) cells.set(key, (c = { size, variant, overhead: [], token: [], wall: [], batchMs: 0, docs: 0, bytesOut: 0 }));
  return c;
};

async function runBatch(size: Cell['size'], variant: Cell['variant'], count: number): Promise<void> {
  const source = size === '1-page' ? pdf1 : pdf50;
  const cell = cellOf(size, variant);
  const docs: BatchDocument[] = Array.from({ length: count }, (_, i) => ({ id: String(i), pdf: async () => source }));
  let last = performance.now();
  let tokenAtStart = tokenMs;
  const started = last;
  const results = await signBatch(docs, timedKey, {
    reason: DIGITISED_REASON,
    location: SAMPLE_META.agencyName,
    ...(variant === 'station'
      ? {
          onSigned: async (_id: string, signed: Uint8Array) => {
            const check = (await verifyPdf(signed)).signatures.at(-1);
            if (!check?.integrity.ok) throw new Error('signed PDF does not verify');
            await blobs.put(signed);
          },
        }
      : {}),
    onProgress: ({ result }) => {
      const now = performance.now();
      if (!result.ok) throw new Error(`document failed: ${result.code} ${result.message}`);
      const wall = now - last;
      const token = tokenMs - tokenAtStart;
      cell.wall.push(wall);
      cell.token.push(token);
      cell.overhead.push(wall - token);
      cell.bytesOut += result.bytes;
      last = now;
      tokenAtStart = tokenMs;
    },
  });
  cell.batchMs += performance.now() - started;
  cell.docs += results.length;
}

// Warm-up (JIT, font cache, pdf-lib) on both sizes, not recorded.
await signBatch(
  [
    { id: 'w1', pdf: pdf1 },
    { id: 'w2', pdf: pdf50 },
  ],
  timedKey,
  { reason: DIGITISED_REASON },
);
for (let r = 0; r < rounds; r++) {
  for (const variant of ['sign', 'station'] as const) {
    await runBatch('1-page', variant, Math.ceil(docs1 / rounds));
    await runBatch('50-page', variant, Math.ceil(docs50 / rounds));
  }
}
await opened.close();
await provider.dispose();

// ---- report -----------------------------------------------------------------------------------
interface CellResult {
  size: string;
  variant: string;
  docs: number;
  inputBytes: number;
  meanOutputBytes: number;
  overhead: LatencySummary;
  tokenPerDoc: LatencySummary;
  wallPerDoc: LatencySummary;
  docsPerSecond: number;
  tokenOnlyDocsPerSecond: number;
  overheadVsTokenSignP50: number | null;
}
const out: CellResult[] = [...cells.values()].map((c) => ({
  size: c.size,
  variant: c.variant,
  docs: c.docs,
  inputBytes: (c.size === '1-page' ? pdf1 : pdf50).length,
  meanOutputBytes: Math.round(c.bytesOut / c.docs),
  overhead: summarise(c.overhead),
  tokenPerDoc: summarise(c.token),
  wallPerDoc: summarise(c.wall),
  docsPerSecond: Math.round((c.docs / (c.batchMs / 1000)) * 10) / 10,
  tokenOnlyDocsPerSecond: Math.round((1000 / reference.p50Ms) * 10) / 10,
  overheadVsTokenSignP50: ratio(summarise(c.overhead).p50Ms, reference.p50Ms),
}));

const machine = machineInfo();
console.log(`\nSigning bench — SoftHSM2 ${fixture.modulePath}, RSA 2048, CKM_RSA_PKCS via the token host process`);
console.log(`${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}`);
console.log(`token session open + login: ${fmtMs(loginMs)} ms`);
console.log(
  `reference, bare token sign (${refSigns}×): p50 ${fmtMs(reference.p50Ms)} ms, p95 ${fmtMs(reference.p95Ms)} ms, ${(refSigns / (refWall / 1000)).toFixed(1)} signs/s\n`,
);
console.log(
  table(
    [
      'size / variant',
      'docs',
      'input',
      'overhead p50',
      'overhead p95',
      'token/doc p50',
      'wall/doc p50',
      'docs/s',
      'overhead ÷ token sign',
    ],
    out.map((c) => [
      `${c.size} / ${c.variant}`,
      String(c.docs),
      fmtBytes(c.inputBytes),
      `${fmtMs(c.overhead.p50Ms)} ms`,
      `${fmtMs(c.overhead.p95Ms)} ms`,
      `${fmtMs(c.tokenPerDoc.p50Ms)} ms`,
      `${fmtMs(c.wallPerDoc.p50Ms)} ms`,
      c.docsPerSecond.toFixed(1),
      c.overheadVsTokenSignP50 === null ? '—' : `${c.overheadVsTokenSignP50}×`,
    ]),
  ),
);
console.log(`\ntoken calls counted: ${tokenCalls} (one per document plus warm-up)`);

const result = {
  bench: 'signing',
  at: new Date().toISOString(),
  machine,
  token: {
    module: fixture.modulePath,
    key: 'RSA 2048',
    mechanism: 'CKM_RSA_PKCS',
    sessionOpenAndLoginMs: Math.round(loginMs),
  },
  reference: {
    what: 'bare token signDigest through the token host',
    samples: refSigns,
    ...reference,
    signsPerSecond: Math.round((refSigns / (refWall / 1000)) * 10) / 10,
  },
  cells: out,
  options: { docs1, docs50, rounds, refSigns },
};
mkdirSync(path.dirname(resultPath), { recursive: true });
writeFileSync(resultPath, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten ${resultPath}`);
await fixture.dispose();
rmSync(work, { recursive: true, force: true });

/**
 * Button-to-bytes latency of a queue ticket: render the ticket (`renderTicket`, raster or CP1258
 * code-page text), ask the printer's status (DLE EOT 1, 2, 4, as `EscPosTicketPrinter.print`
 * does), write it, and stop the clock when the last ticket byte reaches the printer end:
 *   - TCP: the transport to the loopback sink (`escpos-sink.ts`), which answers status requests;
 *   - serial: the serialport transport to a socat pty pair, the test playing the printer on the
 *     other end (answers status, counts ticket bytes).
 * Reference in the same run, interleaved with every ticket: the same number of pre-encoded bytes
 * written through the same transport to the same end, no rendering and no status round trips.
 *
 *   npm run bench:ticket -- [--n 200] [--warmup 20] [--result FILE]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SerialPort } from 'serialport';
import { queueTicketDocument, type PaperWidth, type TicketTextMode } from '../../drivers';
import {
  createTransport,
  EscPosSink,
  EscPosWalker,
  renderTicket,
  StatusResponder,
  statusRequest,
  type PrinterTransport,
} from '../../drivers/testing';
import { Args } from '../lib/args';
import { machineInfo } from '../lib/machine';
import { fmtMs, ratio, summarise, table, type LatencySummary } from '../lib/stats';

const args = new Args();
const n = args.int('n', 200);
const warmup = args.int('warmup', 20);
const here = dirname(fileURLToPath(import.meta.url));
const resultFile =
  args.string('result') ??
  join(here, '..', 'results', `${new Date().toISOString().slice(0, 16).replace(':', '')}-ticket.json`);

/** The printer end of the line: counts ticket bytes and answers status requests. */
interface PrinterEnd {
  jobBytes(): number;
  whenJobBytes(total: number): Promise<void>;
  close(): Promise<void>;
}

function tcpEnd(sink: EscPosSink): PrinterEnd {
  return { jobBytes: () => sink.jobByteCount, whenJobBytes: (t) => sink.whenJobBytes(t), close: () => sink.stop() };
}

async function ptyPair(dir: string): Promise<{ app: string; end: PrinterEnd }> {
  const app = join(dir, 'app');
  const dev = join(dir, 'printer');
  const socat: ChildProcess = spawn('socat', [`pty,raw,echo=0,link=${app}`, `pty,raw,echo=0,link=${dev}`], {
    stdio: 'ignore',
  });
  for (let i = 0; i < 200 && !(existsSync(app) && existsSync(dev)); i++) await new Promise((r) => setTimeout(r, 25));
  const port = new SerialPort({ path: dev, baudRate: 115200, autoOpen: false });
  await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  const walker = new EscPosWalker();
  const responder = new StatusResponder();
  let total = 0;
  const waiters: { total: number; resolve: () => void }[] = [];
  port.on('data', (chunk: Buffer) => {
    const walked = walker.feed(chunk);
    const answers = responder.answer(walked.queries);
    if (answers.length > 0) port.write(Buffer.from(answers));
    total += walked.job.length;
    for (const w of [...waiters]) {
      if (total < w.total) continue;
      waiters.splice(waiters.indexOf(w), 1);
      w.resolve();
    }
  });
  return {
    app,
    end: {
      jobBytes: () => total,
      whenJobBytes: (t) =>
        total >= t ? Promise.resolve() : new Promise((resolve) => waiters.push({ total: t, resolve })),
      close: async () => {
        await new Promise<void>((resolve) => port.close(() => resolve()));
        socat.kill();
      },
    },
  };
}

interface Samples {
  render: number[];
  status: number[];
  write: number[];
  total: number[];
  reference: number[];
  bytes: number;
}

async function measure(
  transport: PrinterTransport,
  end: PrinterEnd,
  paper: PaperWidth,
  text: TicketTextMode,
): Promise<Samples> {
  const s: Samples = { render: [], status: [], write: [], total: [], reference: [], bytes: 0 };
  await transport.open();
  for (let i = 0; i < warmup + n; i++) {
    const doc = queueTicketDocument({
      number: `A${String(i % 1000).padStart(3, '0')}`,
      serviceName: i % 2 ? 'Chứng thực bản sao từ bản chính' : 'Đăng ký khai sinh',
      issuedAt: `08:${String(i % 60).padStart(2, '0')} 04/12/2026`,
      peopleAhead: i % 17,
      qr: `MOTCUA-TICKET A${i}`,
      agencyName: 'UBND phường Bến Nghé',
    });
    const t0 = performance.now();
    const bytes = await renderTicket(doc, { paper, text });
    const t1 = performance.now();
    for (const k of [1, 2, 4] as const) await transport.query(statusRequest(k), 5000);
    const t2 = performance.now();
    const target = end.jobBytes() + bytes.length;
    const arrived = end.whenJobBytes(target);
    await transport.write(bytes);
    await arrived;
    const t3 = performance.now();
    // Reference: the same bytes again, already encoded, no status round trips.
    const refTarget = end.jobBytes() + bytes.length;
    const refArrived = end.whenJobBytes(refTarget);
    const r0 = performance.now();
    await transport.write(bytes);
    await refArrived;
    const r1 = performance.now();
    if (i < warmup) continue;
    s.render.push(t1 - t0);
    s.status.push(t2 - t1);
    s.write.push(t3 - t2);
    s.total.push(t3 - t0);
    s.reference.push(r1 - r0);
    s.bytes = Math.max(s.bytes, bytes.length);
  }
  return s;
}

interface Row {
  transport: 'tcp' | 'serial';
  paper: PaperWidth;
  mode: 'raster' | 'codepage';
  ticketBytes: number;
  render: LatencySummary;
  status: LatencySummary;
  writeToLastByte: LatencySummary;
  total: LatencySummary;
  reference: LatencySummary;
  totalOverReferenceP50: number | null;
  /** What a real serial line adds: 10 bits a byte (8N1), computed, not measured (a pty has no baud rate). */
  wireMsAt9600: number;
  wireMsAt115200: number;
}

const hasSocat = spawnSync('socat', ['-V']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'motcua-bench-ticket-'));
const started = new Date().toISOString();
const load = loadavg().map((v) => Math.round(v * 100) / 100);
const rows: Row[] = [];
try {
  for (const paper of [58, 80] as const) {
    for (const mode of ['raster', 'codepage'] as const) {
      const text: TicketTextMode =
        mode === 'raster' ? { kind: 'raster' } : { kind: 'codepage', codePage: 'cp1258', table: 30 };
      const sink = await EscPosSink.start();
      const tcp = createTransport({ kind: 'tcp', host: '127.0.0.1', port: sink.port });
      const ends: [Row['transport'], PrinterTransport, PrinterEnd][] = [['tcp', tcp, tcpEnd(sink)]];
      if (hasSocat) {
        const pair = await ptyPair(mkdtempSync(join(dir, 'pty-')));
        ends.push(['serial', createTransport({ kind: 'serial', path: pair.app, baudRate: 115200 }), pair.end]);
      }
      for (const [name, transport, end] of ends) {
        const s = await measure(transport, end, paper, text);
        await transport.close();
        await end.close();
        const total = summarise(s.total);
        const reference = summarise(s.reference);
        rows.push({
          transport: name,
          paper,
          mode,
          ticketBytes: s.bytes,
          render: summarise(s.render),
          status: summarise(s.status),
          writeToLastByte: summarise(s.write),
          total,
          reference,
          totalOverReferenceP50: ratio(total.p50Ms, reference.p50Ms),
          wireMsAt9600: Math.round((s.bytes * 10 * 1000) / 9600),
          wireMsAt115200: Math.round((s.bytes * 10 * 1000) / 115200),
        });
        process.stderr.write(`${name} ${paper} mm ${mode}: total p50 ${fmtMs(total.p50Ms)} ms\n`);
      }
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const stageRows = rows.flatMap((r) =>
  (['render', 'status', 'writeToLastByte', 'total', 'reference'] as const).map((stage) => [
    `${r.transport} ${r.paper}mm ${r.mode}`,
    stage,
    fmtMs(r[stage].p50Ms),
    fmtMs(r[stage].p95Ms),
    fmtMs(r[stage].p99Ms),
    stage === 'total' ? String(r.ticketBytes) : '',
  ]),
);
console.log(`Ticket printing, N=${n} after ${warmup} warm-up, ms\n`);
console.log(table(['path', 'stage', 'p50', 'p95', 'p99', 'bytes'], stageRows));
console.log('\ntotal / reference (p50):');
console.log(
  table(
    ['path', 'ratio', 'wire @9600 ms', 'wire @115200 ms'],
    rows.map((r) => [
      `${r.transport} ${r.paper}mm ${r.mode}`,
      String(r.totalOverReferenceP50),
      r.transport === 'serial' ? String(r.wireMsAt9600) : '',
      r.transport === 'serial' ? String(r.wireMsAt115200) : '',
    ]),
  ),
);

const result = {
  started,
  machine: machineInfo(),
  loadAverageAtStart: load,
  options: { n, warmup, serialBaud: 115200, socat: hasSocat },
  rows,
};
mkdirSync(dirname(resultFile), { recursive: true });
writeFileSync(resultFile, `${JSON.stringify(result, null, 2)}\n`);
console.log(`\nwritten ${resultFile}`);

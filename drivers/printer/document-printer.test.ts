import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDrivers, documentPrinterSetting } from '../index';
import type { DeviceErrorCode } from '../device-error';
import { CupsPrinter, type CupsPrinterOptions } from './cups-printer';
import {
  runDocumentPrinterContract,
  samplePdf,
  type DeliveredJob,
  type DocumentPrinterHarness,
} from './document-printer.contract';
import { SimulatedDocumentPrinter } from './simulated-document-printer';
import { WindowsPrinter } from './windows-printer';
import { deviceErrorOf } from './testing/print-tool-stand-ins';

const QUEUE = 'A4_MotCua';
const unixShell = process.platform !== 'win32';

/**
 * Stand-ins for the CUPS client commands. They behave like `lp`/`lpstat` on a machine with one
 * queue named QUEUE, and switch faults on when a `state-<fault>` file exists next to them.
 */
const FAKE_LPSTAT = `#!/bin/sh
dir=$(dirname "$0")
queue=""
while [ $# -gt 0 ]; do
  case "$1" in
    -p) queue="$2"; shift 2 ;;
    *) shift ;;
  esac
done
if [ -f "$dir/state-scheduler-down" ]; then echo "lpstat: Scheduler is not running." >&2; exit 1; fi
if [ "$queue" != "${QUEUE}" ]; then echo "lpstat: Invalid destination name in list \\"$queue\\"." >&2; exit 1; fi
if [ -f "$dir/state-hang" ]; then exec sleep 5; fi
if [ -f "$dir/state-offline" ]; then
  echo "printer ${QUEUE} disabled since Tue 15 Jul 2025 08:00:00 AM +07 -"
  printf '\\tPaused\\n'
  exit 0
fi
if [ -f "$dir/state-paper-out" ]; then
  echo "printer ${QUEUE} is idle.  enabled since Tue 15 Jul 2025 08:00:00 AM +07"
  printf '\\tMedia empty, load paper (media-empty-error)\\n'
  exit 0
fi
echo "printer ${QUEUE} is idle.  enabled since Tue 15 Jul 2025 08:00:00 AM +07"
`;

const FAKE_LP = `#!/bin/sh
dir=$(dirname "$0")
queue=""; copies=1; title=""; file=""
while [ $# -gt 0 ]; do
  case "$1" in
    -d) queue="$2"; shift 2 ;;
    -n) copies="$2"; shift 2 ;;
    -t) title="$2"; shift 2 ;;
    -o) printf '%s\\n' "$2" >> "$dir/options.log"; shift 2 ;;
    -) file="-"; shift ;;
    *) echo "lp: unexpected argument $1" >&2; exit 2 ;;
  esac
done
if [ "$queue" != "${QUEUE}" ]; then echo "lp: The printer or class does not exist." >&2; exit 1; fi
if [ "$file" != "-" ]; then echo "lp: no document on stdin" >&2; exit 2; fi
if [ -f "$dir/state-rejecting" ]; then echo "lp: Destination \\"${QUEUE}\\" is not accepting jobs." >&2; exit 1; fi
if [ -f "$dir/state-lp-hang" ]; then sleep 5; exit 0; fi
while ! mkdir "$dir/lock" 2>/dev/null; do sleep 0.01; done
n=$(( $(cat "$dir/counter" 2>/dev/null || echo 0) + 1 ))
echo "$n" > "$dir/counter"
rmdir "$dir/lock"
cat > "$dir/jobs/$n.pdf"
printf '%s' "$title" > "$dir/jobs/$n.title"
printf '%s' "$copies" > "$dir/jobs/$n.copies"
if [ -f "$dir/state-no-id" ]; then exit 0; fi
echo "request id is ${QUEUE}-$n (1 file(s))"
`;

interface FakeCups {
  dir: string;
  lpPath: string;
  lpstatPath: string;
  setState(state: string, on: boolean): Promise<void>;
  jobs(): Promise<DeliveredJob[]>;
  dispose(): Promise<void>;
}

async function makeFakeCups(): Promise<FakeCups> {
  const dir = await mkdtemp(join(tmpdir(), 'motcua-fake-cups-'));
  const lpPath = join(dir, 'lp');
  const lpstatPath = join(dir, 'lpstat');
  await writeFile(lpPath, FAKE_LP);
  await writeFile(lpstatPath, FAKE_LPSTAT);
  await chmod(lpPath, 0o755);
  await chmod(lpstatPath, 0o755);
  await mkdir(join(dir, 'jobs'));
  return {
    dir,
    lpPath,
    lpstatPath,
    async setState(state, on) {
      const file = join(dir, `state-${state}`);
      if (on) await writeFile(file, '');
      else await rm(file, { force: true });
    },
    async jobs() {
      const names = await readdir(join(dir, 'jobs'));
      const numbers = names
        .filter((n) => n.endsWith('.copies'))
        .map((n) => Number.parseInt(n, 10))
        .sort((a, b) => a - b);
      return Promise.all(
        numbers.map(async (n) => ({
          jobId: `${QUEUE}-${n}`,
          title: await readFile(join(dir, 'jobs', `${n}.title`), 'utf8'),
          copies: Number(await readFile(join(dir, 'jobs', `${n}.copies`), 'utf8')),
          bytes: new Uint8Array(await readFile(join(dir, 'jobs', `${n}.pdf`))),
        })),
      );
    },
    async dispose() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function cupsPrinter(fake: FakeCups, options: Partial<CupsPrinterOptions> = {}): CupsPrinter {
  return new CupsPrinter({ queue: QUEUE, lpPath: fake.lpPath, lpstatPath: fake.lpstatPath, ...options });
}

// ---------------------------------------------------------------------------------------------
// The shared contract, against the twin and against the CUPS adapter driving fake lp/lpstat.

runDocumentPrinterContract('SimulatedDocumentPrinter', async () => {
  const printer = new SimulatedDocumentPrinter();
  return {
    printer,
    delivered: async () => printer.jobs.map(({ jobId, title, copies, bytes }) => ({ jobId, title, copies, bytes })),
    takeOffline: async () => printer.unplug(),
    bringOnline: async () => printer.plugIn(),
    dispose: async () => undefined,
  } satisfies DocumentPrinterHarness;
});

if (unixShell) {
  runDocumentPrinterContract('CupsPrinter (fake lp/lpstat)', async () => {
    const fake = await makeFakeCups();
    return {
      printer: cupsPrinter(fake),
      delivered: () => fake.jobs(),
      takeOffline: () => fake.setState('offline', true),
      bringOnline: () => fake.setState('offline', false),
      dispose: () => fake.dispose(),
    } satisfies DocumentPrinterHarness;
  });
}

// ---------------------------------------------------------------------------------------------
// The twin's own controls.

describe('SimulatedDocumentPrinter controls', () => {
  let outDir: string;

  beforeEach(async () => {
    outDir = await mkdtemp(join(tmpdir(), 'motcua-sim-printer-'));
  });

  afterEach(async () => {
    await rm(outDir, { recursive: true, force: true });
  });

  it('keeps jobs with bytes, title and copies; lastJob is the newest', async () => {
    const printer = new SimulatedDocumentPrinter({ name: 'Quầy 1' });
    expect(printer.lastJob).toBeUndefined();
    const first = await printer.print(samplePdf(1_000, 1), { title: 'Một' });
    const second = await printer.print(samplePdf(1_000, 2), { title: 'Hai', copies: 2 });
    expect(printer.name).toBe('Quầy 1');
    expect(printer.jobs.map((j) => j.jobId)).toEqual([first.jobId, second.jobId]);
    expect(printer.lastJob).toMatchObject({ jobId: second.jobId, title: 'Hai', copies: 2, file: null });
  });

  it('keeps its own copy of the bytes', async () => {
    const printer = new SimulatedDocumentPrinter();
    const pdf = samplePdf(1_000);
    await printer.print(pdf, { title: 'Bản gốc' });
    pdf.fill(0);
    expect(String.fromCharCode(...(printer.lastJob?.bytes.subarray(0, 5) ?? []))).toBe('%PDF-');
  });

  it('failNext queues one fault per print, then prints again', async () => {
    const printer = new SimulatedDocumentPrinter();
    printer.failNext('PRINTER_PAPER_OUT');
    printer.failNext('DEVICE_UNAVAILABLE', 'cáp USB lỏng');
    const codes: DeviceErrorCode[] = [];
    for (let i = 0; i < 2; i += 1) {
      codes.push((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code);
    }
    expect(codes).toEqual(['PRINTER_PAPER_OUT', 'DEVICE_UNAVAILABLE']);
    expect(printer.jobs).toHaveLength(0);
    await printer.print(samplePdf(1_000), { title: 'x' });
    expect(printer.jobs).toHaveLength(1);
  });

  it('unplug / plugIn switch status and printing', async () => {
    const printer = new SimulatedDocumentPrinter();
    printer.unplug();
    expect(printer.plugged).toBe(false);
    expect(await printer.status()).toMatchObject({ ready: false });
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('PRINTER_OFFLINE');
    printer.plugIn();
    expect(await printer.status()).toMatchObject({ ready: true });
  });

  it('writes each job as a PDF file into outDir', async () => {
    const target = join(outDir, 'nested', 'jobs');
    const printer = new SimulatedDocumentPrinter({ outDir: target });
    const pdf = samplePdf(5_000);
    const { jobId } = await printer.print(pdf, { title: 'Giấy tiếp nhận hồ sơ – Đặng Văn Đức' });
    const file = printer.lastJob?.file;
    expect(file?.startsWith(target)).toBe(true);
    expect(file).toMatch(new RegExp(`[\\\\/]\\d{8}-\\d{6}-${jobId}-giay-tiep-nhan-ho-so-dang-van-duc\\.pdf$`));
    expect(Buffer.from(await readFile(file ?? '')).equals(Buffer.from(pdf))).toBe(true);
  });

  it('reports DEVICE_UNAVAILABLE when outDir cannot be written', async () => {
    const blocker = join(outDir, 'a-file');
    await writeFile(blocker, '');
    const printer = new SimulatedDocumentPrinter({ outDir: join(blocker, 'sub') });
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('DEVICE_UNAVAILABLE');
    expect(printer.jobs).toHaveLength(0);
  });

  it('reset forgets jobs and faults', async () => {
    const printer = new SimulatedDocumentPrinter();
    await printer.print(samplePdf(1_000), { title: 'x' });
    printer.failNext('PRINTER_PAPER_OUT');
    printer.unplug();
    printer.reset();
    expect(printer.jobs).toHaveLength(0);
    await printer.print(samplePdf(1_000), { title: 'y' });
    expect(printer.lastJob?.title).toBe('y');
  });
});

// ---------------------------------------------------------------------------------------------
// CUPS adapter: the faults a real print system shows, through the fakes.

describe.skipIf(!unixShell)('CupsPrinter faults and options', () => {
  let fake: FakeCups;

  beforeEach(async () => {
    fake = await makeFakeCups();
  });

  afterEach(async () => {
    await fake.dispose();
  });

  it('parses the job id from lp and sends -o options', async () => {
    const printer = cupsPrinter(fake, { jobOptions: { media: 'A4', sides: 'one-sided' } });
    const { jobId } = await printer.print(samplePdf(1_000), { title: 'x' });
    expect(jobId).toBe(`${QUEUE}-1`);
    expect(await readFile(join(fake.dir, 'options.log'), 'utf8')).toBe('media=A4\nsides=one-sided\n');
  });

  it('a missing lp binary is DEVICE_UNAVAILABLE with a clear message', async () => {
    const printer = cupsPrinter(fake, { lpPath: join(fake.dir, 'no-such-lp') });
    const error = await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }));
    expect(error.code).toBe('DEVICE_UNAVAILABLE');
    expect(error.message).toMatch(/not found.*CUPS client/);
  });

  it('a missing lpstat binary: status not ready, print DEVICE_UNAVAILABLE', async () => {
    const printer = cupsPrinter(fake, { lpstatPath: join(fake.dir, 'no-such-lpstat') });
    const status = await printer.status();
    expect(status.ready).toBe(false);
    expect(status.detail).toMatch(/not found/);
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('DEVICE_UNAVAILABLE');
  });

  it('an unknown queue is PRINTER_OFFLINE naming the queue', async () => {
    const printer = cupsPrinter(fake, { queue: 'Khong_Co_May_In' });
    const status = await printer.status();
    expect(status).toMatchObject({ ready: false });
    expect(status.detail).toMatch(/Khong_Co_May_In.*does not exist/);
    const error = await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }));
    expect(error.code).toBe('PRINTER_OFFLINE');
    expect(error.message).toMatch(/Khong_Co_May_In/);
  });

  it('a stopped scheduler is DEVICE_UNAVAILABLE', async () => {
    await fake.setState('scheduler-down', true);
    const printer = cupsPrinter(fake);
    expect((await printer.status()).ready).toBe(false);
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('DEVICE_UNAVAILABLE');
  });

  it('media-empty is PRINTER_PAPER_OUT', async () => {
    await fake.setState('paper-out', true);
    const printer = cupsPrinter(fake);
    expect(await printer.status()).toMatchObject({ ready: false });
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('PRINTER_PAPER_OUT');
    expect(await fake.jobs()).toEqual([]);
  });

  it('a queue that rejects jobs is PRINTER_OFFLINE', async () => {
    await fake.setState('rejecting', true);
    const error = await deviceErrorOf(cupsPrinter(fake).print(samplePdf(1_000), { title: 'x' }));
    expect(error.code).toBe('PRINTER_OFFLINE');
    expect(error.message).toMatch(/not accepting jobs/);
  });

  it('lp output without a request id is DEVICE_UNAVAILABLE', async () => {
    await fake.setState('no-id', true);
    const error = await deviceErrorOf(cupsPrinter(fake).print(samplePdf(1_000), { title: 'x' }));
    expect(error.code).toBe('DEVICE_UNAVAILABLE');
    expect(error.message).toMatch(/request id/);
  });

  it('a hanging lpstat times out as DEVICE_UNAVAILABLE', async () => {
    await fake.setState('hang', true);
    const printer = cupsPrinter(fake, { timeoutMs: 300 });
    const started = Date.now();
    expect(await printer.status()).toMatchObject({ ready: false });
    expect((await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }))).code).toBe('DEVICE_UNAVAILABLE');
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('a hanging lp times out as DEVICE_UNAVAILABLE even if a child keeps its pipes open', async () => {
    await fake.setState('lp-hang', true);
    const printer = cupsPrinter(fake, { timeoutMs: 300 });
    const started = Date.now();
    const error = await deviceErrorOf(printer.print(samplePdf(1_000), { title: 'x' }));
    expect(error.code).toBe('DEVICE_UNAVAILABLE');
    expect(error.message).toMatch(/no answer/);
    expect(Date.now() - started).toBeLessThan(4_000);
  });

  it('refuses queue names that are not CUPS names', () => {
    for (const queue of ['', 'has space', 'a/b', '-d', 'x#y']) {
      expect(() => new CupsPrinter({ queue })).toThrow(RangeError);
    }
  });
});

// ---------------------------------------------------------------------------------------------

describe('createDrivers', () => {
  it('training mode gets the simulated printer, whatever the configured kind', () => {
    expect(createDrivers({ mode: 'training', documentPrinter: { kind: 'simulated' } }).documentPrinter).toBeInstanceOf(
      SimulatedDocumentPrinter,
    );
    expect(
      createDrivers({ mode: 'training', documentPrinter: { kind: 'cups', queue: QUEUE } }).documentPrinter,
    ).toBeInstanceOf(SimulatedDocumentPrinter);
  });

  it('passes outDir to the simulated printer', () => {
    const { documentPrinter } = createDrivers({
      mode: 'training',
      documentPrinter: { kind: 'simulated', outDir: '/tmp/motcua-training-prints' },
    });
    expect((documentPrinter as SimulatedDocumentPrinter).outDir).toBe('/tmp/motcua-training-prints');
  });

  it('production mode with a CUPS queue gets the CUPS adapter', () => {
    const { documentPrinter } = createDrivers({ mode: 'production', documentPrinter: { kind: 'cups', queue: QUEUE } });
    expect(documentPrinter).toBeInstanceOf(CupsPrinter);
    expect((documentPrinter as CupsPrinter).queue).toBe(QUEUE);
  });
  it('production without a printer in the config gets the system default printer, never the twin', () => {
    const setting = documentPrinterSetting('production', undefined, '/data/printed');
    expect(setting).toEqual({ kind: 'system' });
    const linux = createDrivers({ mode: 'production', documentPrinter: setting, platform: 'linux' }).documentPrinter;
    expect(linux).toBeInstanceOf(CupsPrinter);
    expect((linux as CupsPrinter).queue).toBeNull();
    expect(
      createDrivers({ mode: 'production', documentPrinter: setting, platform: 'darwin' }).documentPrinter,
    ).toBeInstanceOf(CupsPrinter);
    const windows = createDrivers({ mode: 'production', documentPrinter: setting, platform: 'win32' }).documentPrinter;
    expect(windows).toBeInstanceOf(WindowsPrinter);
    expect((windows as WindowsPrinter).printer).toBeNull();
  });

  it('production gets the twin only when the config names it, printing into the printed folder', () => {
    expect(documentPrinterSetting('production', { kind: 'simulated' }, '/data/printed')).toEqual({
      kind: 'simulated',
      outDir: '/data/printed',
    });
    expect(documentPrinterSetting('production', { kind: 'cups' }, '/data/printed')).toEqual({ kind: 'cups' });
    expect(documentPrinterSetting('production', { kind: 'windows', printer: 'HP' }, '/data/printed')).toEqual({
      kind: 'windows',
      printer: 'HP',
    });
    const { documentPrinter } = createDrivers({
      mode: 'production',
      documentPrinter: { kind: 'windows', printer: 'HP' },
    });
    expect((documentPrinter as WindowsPrinter).printer).toBe('HP');
  });

  it('training keeps the twin whatever is configured, printing into the printed folder', () => {
    for (const configured of [undefined, { kind: 'cups', queue: QUEUE } as const, { kind: 'system' } as const]) {
      const setting = documentPrinterSetting('training', configured, '/data/printed');
      expect(setting).toEqual({ kind: 'simulated', outDir: '/data/printed' });
      expect(createDrivers({ mode: 'training', documentPrinter: setting }).documentPrinter).toBeInstanceOf(
        SimulatedDocumentPrinter,
      );
    }
  });
});

describe('SimulatedDocumentPrinter counts what it printed', () => {
  it('counts the job files in outDir, also those a previous instance (the running desk) wrote', async () => {
    const outDir = await mkdtemp(join(tmpdir(), 'motcua-printed-'));
    try {
      const desk = new SimulatedDocumentPrinter({ outDir });
      for (const n of [1, 2, 3]) await desk.print(samplePdf(1_000, n), { title: `Giấy tiếp nhận ${n}` });
      await writeFile(join(outDir, 'ghi-chu.txt'), 'not a job');
      const doctor = new SimulatedDocumentPrinter({ outDir });
      expect(doctor.jobs).toHaveLength(0);
      expect(await doctor.printedCount()).toBe(3);
      expect((await doctor.status()).detail).toBe(
        `Máy in A4 mô phỏng: sẵn sàng, đã in 3 tài liệu (tệp PDF trong ${outDir})`,
      );
      expect(await new SimulatedDocumentPrinter({ outDir: join(outDir, 'none') }).printedCount()).toBe(0);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  });
});

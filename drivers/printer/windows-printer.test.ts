import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DeviceError } from '../device-error';
import { samplePdf } from './document-printer.contract';
import {
  parseWindowsAnswer,
  windowsFault,
  windowsFileName,
  windowsPrintCommand,
  windowsStatusCommand,
  WindowsPrinter,
} from './windows-printer';
import { writeStandIns } from './testing/print-tool-stand-ins';

describe('Windows printer: commands and answers', () => {
  it('asks PowerShell for the named or the default printer, the name passed through the environment', () => {
    const named = windowsStatusCommand('powershell.exe', `Máy in "Quầy 1"; Remove-Item C:\\`);
    expect(named.file).toBe('powershell.exe');
    expect(named.args.slice(0, 5)).toEqual(['-NoProfile', '-NonInteractive', '-ExecutionPolicy', 'Bypass', '-Command']);
    expect(named.args[5]).toContain('Win32_Printer');
    expect(named.args[5]).not.toContain('Quầy');
    expect(named.env).toEqual({ MOTCUA_PRINTER: `Máy in "Quầy 1"; Remove-Item C:\\` });
    const byDefault = windowsStatusCommand('powershell.exe', null);
    expect(byDefault.env).toEqual({ MOTCUA_PRINTER: '' });
    expect(byDefault.args[5]).toContain('Default=TRUE');
  });

  it('prints through SumatraPDF with the copy count when configured', () => {
    const command = windowsPrintCommand({
      powershellPath: 'powershell.exe',
      sumatraPdfPath: 'C:\\Tools\\SumatraPDF.exe',
      printer: 'HP LaserJet',
      file: 'C:\\t\\a.pdf',
      copies: 2,
    });
    expect(command).toEqual({
      file: 'C:\\Tools\\SumatraPDF.exe',
      args: ['-print-to', 'HP LaserJet', '-print-settings', '2x', '-silent', '-exit-on-print', 'C:\\t\\a.pdf'],
      env: {},
    });
  });

  it('else through the PrintTo verb, one start per copy, values in the environment', () => {
    const command = windowsPrintCommand({
      powershellPath: 'powershell.exe',
      sumatraPdfPath: null,
      printer: 'HP',
      file: 'C:\\t\\a.pdf',
      copies: 3,
    });
    expect(command.file).toBe('powershell.exe');
    expect(command.args[5]).toContain('-Verb PrintTo');
    expect(command.args[5]).toContain('$env:MOTCUA_COPIES');
    expect(command.env).toEqual({ MOTCUA_PRINTER: 'HP', MOTCUA_FILE: 'C:\\t\\a.pdf', MOTCUA_COPIES: '3' });
  });

  it.each([
    ['{"found":false}', { found: false }],
    [
      'WARNING: x\r\n{"found":true,"name":"HP","printerStatus":3,"workOffline":false,"errorState":2}\r\n',
      { found: true, name: 'HP', printerStatus: 3, workOffline: false, errorState: 2 },
    ],
    ['', null],
    ['Get-CimInstance : Access denied', null],
    ['{"name":"HP"}', null],
  ])('reads the status answer %j', (stdout, expected) => {
    expect(parseWindowsAnswer(stdout)).toEqual(expected);
  });

  it.each([
    [{ found: false }, null, 'PRINTER_NOT_SET'],
    [{ found: false }, 'HP', 'PRINTER_OFFLINE'],
    [{ found: true, name: 'HP', printerStatus: 3, workOffline: false, errorState: 2 }, null, null],
    [{ found: true, name: 'HP', printerStatus: 3, workOffline: true, errorState: 2 }, null, 'PRINTER_OFFLINE'],
    [{ found: true, name: 'HP', printerStatus: 7, errorState: 0 }, null, 'PRINTER_OFFLINE'],
    [{ found: true, name: 'HP', printerStatus: 3, errorState: 4 }, null, 'PRINTER_PAPER_OUT'],
    [{ found: true, name: 'HP', printerStatus: 3, errorState: 7 }, null, 'PRINTER_COVER_OPEN'],
    [{ found: true, name: 'HP', printerStatus: 3, errorState: 9 }, null, 'PRINTER_OFFLINE'],
    [{ found: true, name: 'HP', printerStatus: 6, errorState: 8 }, null, 'PRINTER_OFFLINE'],
  ] as const)('fault for %j (named %s): %s', (answer, named, fault) => {
    expect(windowsFault(answer, named)?.fault ?? null).toBe(fault);
  });

  it('makes file names Windows accepts from any title', () => {
    expect(windowsFileName('Giấy tiếp nhận 000.00.12.H56-250715-0001')).toBe(
      'Giấy tiếp nhận 000.00.12.H56-250715-0001',
    );
    expect(windowsFileName('a/b\\c:d*e?f"g<h>i|j')).toBe('a_b_c_d_e_f_g_h_i_j');
    expect(windowsFileName('kết thúc bằng chấm. ')).toBe('kết thúc bằng chấm');
    expect(windowsFileName('x'.repeat(300))).toHaveLength(120);
  });
});

/**
 * A stand-in for powershell.exe (and SumatraPDF) as shell scripts: the status script is answered
 * from an `answer.json` file, a PrintTo run copies the file into `jobs/` once per copy.
 */
const FAKE_POWERSHELL = `#!/bin/sh
dir=$(dirname "$0")
for last; do :; done
case "$last" in
  *Win32_Printer*)
    printf '%s\\n' "$MOTCUA_PRINTER" > "$dir/asked-for"
    cat "$dir/answer.json" ;;
  *PrintTo*)
    i=0
    while [ $i -lt "$MOTCUA_COPIES" ]; do
      cp "$MOTCUA_FILE" "$dir/jobs/$i.pdf"; printf '%s|%s' "$MOTCUA_PRINTER" "$(basename "$MOTCUA_FILE")" > "$dir/jobs/$i.info"
      i=$((i + 1))
    done ;;
  *) echo "unexpected script" >&2; exit 3 ;;
esac
`;
const FAKE_SUMATRA = `#!/bin/sh
dir=$(dirname "$0")
printf '%s\\n' "$@" > "$dir/sumatra.args"
for last; do :; done
cp "$last" "$dir/jobs/sumatra.pdf"
`;

describe.skipIf(process.platform === 'win32')('WindowsPrinter through a stand-in PowerShell', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'motcua-winprint-'));
    await writeStandIns(dir, { powershell: FAKE_POWERSHELL, sumatra: FAKE_SUMATRA });
    await writeFile(
      join(dir, 'answer.json'),
      '{"found":true,"name":"HP LaserJet","printerStatus":3,"workOffline":false,"errorState":2}',
    );
    await mkdir(join(dir, 'jobs'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const printer = (options: { printer?: string; sumatra?: boolean } = {}): WindowsPrinter =>
    new WindowsPrinter({
      powershellPath: join(dir, 'powershell'),
      spoolDir: join(dir, 'spool'),
      ...(options.printer === undefined ? {} : { printer: options.printer }),
      ...(options.sumatra ? { sumatraPdfPath: join(dir, 'sumatra') } : {}),
      timeoutMs: 10_000,
    });

  it('prints the exact bytes to the default printer, one PrintTo per copy', async () => {
    const p = printer();
    expect(p.name).toBe('Máy in mặc định của Windows');
    expect(await p.status()).toEqual({ ready: true, detail: 'HP LaserJet: ready' });
    const pdf = samplePdf(20_000);
    const { jobId } = await p.print(pdf, { title: 'Giấy tiếp nhận: "Đặng Văn Đức"', copies: 2 });
    expect(jobId).toMatch(/^WIN-/);
    expect(await readFile(join(dir, 'asked-for'), 'utf8')).toBe('\n');
    const names = (await readdir(join(dir, 'jobs'))).sort();
    expect(names).toEqual(['0.info', '0.pdf', '1.info', '1.pdf']);
    expect(Buffer.from(await readFile(join(dir, 'jobs', '0.pdf'))).equals(Buffer.from(pdf))).toBe(true);
    expect(await readFile(join(dir, 'jobs', '0.info'), 'utf8')).toBe('HP LaserJet|Giấy tiếp nhận_ _Đặng Văn Đức_.pdf');
  });

  it('prints through SumatraPDF to the named printer with the copy count', async () => {
    const p = printer({ printer: 'HP LaserJet', sumatra: true });
    const pdf = samplePdf(5_000);
    await p.print(pdf, { title: 'Phiếu', copies: 3 });
    const args = (await readFile(join(dir, 'sumatra.args'), 'utf8')).trim().split('\n');
    expect(args.slice(0, 6)).toEqual([
      '-print-to',
      'HP LaserJet',
      '-print-settings',
      '3x',
      '-silent',
      '-exit-on-print',
    ]);
    expect(args[6]).toMatch(/Phiếu\.pdf$/);
    expect(await readFile(join(dir, 'asked-for'), 'utf8')).toBe('HP LaserJet\n');
    expect(Buffer.from(await readFile(join(dir, 'jobs', 'sumatra.pdf'))).equals(Buffer.from(pdf))).toBe(true);
  });

  it('no default printer: PRINTER_NOT_SET, nothing printed', async () => {
    await writeFile(join(dir, 'answer.json'), '{"found":false}');
    const p = printer();
    expect(await p.status()).toMatchObject({ ready: false, fault: 'PRINTER_NOT_SET' });
    await expect(p.print(samplePdf(1_000), { title: 'x' })).rejects.toMatchObject({ code: 'PRINTER_NOT_SET' });
    expect(await readdir(join(dir, 'jobs'))).toEqual([]);
  });

  it('paper out and offline stop the job with their codes', async () => {
    await writeFile(
      join(dir, 'answer.json'),
      '{"found":true,"name":"HP","printerStatus":3,"workOffline":false,"errorState":4}',
    );
    await expect(printer().print(samplePdf(1_000), { title: 'x' })).rejects.toMatchObject({
      code: 'PRINTER_PAPER_OUT',
    });
    await writeFile(
      join(dir, 'answer.json'),
      '{"found":true,"name":"HP","printerStatus":3,"workOffline":true,"errorState":2}',
    );
    await expect(printer().print(samplePdf(1_000), { title: 'x' })).rejects.toMatchObject({ code: 'PRINTER_OFFLINE' });
    expect(await readdir(join(dir, 'jobs'))).toEqual([]);
  });

  it('a missing PowerShell or a garbled answer is DEVICE_UNAVAILABLE; bad arguments are RangeError', async () => {
    const missing = new WindowsPrinter({
      powershellPath: join(dir, 'no-such-powershell'),
      spoolDir: join(dir, 'spool'),
    });
    expect(await missing.status()).toMatchObject({ ready: false, fault: 'DEVICE_UNAVAILABLE' });
    await writeFile(join(dir, 'answer.json'), 'Access is denied.');
    const error = await printer()
      .print(samplePdf(1_000), { title: 'x' })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeviceError);
    expect((error as DeviceError).code).toBe('DEVICE_UNAVAILABLE');
    await expect(printer().print(new Uint8Array(0), { title: 'x' })).rejects.toBeInstanceOf(RangeError);
    expect(() => new WindowsPrinter({ printer: '  ' })).toThrow(RangeError);
  });
});

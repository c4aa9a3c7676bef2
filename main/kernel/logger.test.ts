import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fixedClock } from './clock';
import { appendLogLine, createLogger, limitNoisyEvents, rotateLog, type Logger, type LogLevel } from './logger';

/**
 * Logs (docs/operations.md, "Logs"): size rotation that keeps at most `keep` files and never loses
 * the newest lines, also with several processes appending; rate-limited noisy events.
 */
const root = join(import.meta.dirname, '..', '..');
let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-logs-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The log files present, oldest first (`core.log.N` … `core.log`). */
function logFiles(file: string): string[] {
  const base = file.split('/').pop()!;
  const names = readdirSync(dir).filter(
    (n) => n === base || new RegExp(`^${base.replace('.', '\\.')}\\.\\d+$`).test(n),
  );
  const rank = (n: string) => (n === base ? 0 : Number(n.slice(base.length + 1)));
  return names.sort((a, b) => rank(b) - rank(a)).map((n) => join(dir, n));
}
function linesOf(files: string[]): string[] {
  return files.flatMap((f) =>
    readFileSync(f, 'utf8')
      .split('\n')
      .filter((l) => l !== ''),
  );
}

describe('log rotation', () => {
  it('keeps at most `keep` files, each about `maxBytes`, and the newest lines without a gap', () => {
    const file = join(dir, 'core.log');
    const log = createLogger({ file, rotation: { maxBytes: 4096, keep: 4 } });
    const total = 3000;
    for (let i = 0; i < total; i++) log.log('info', 'test.line', { seq: i });
    const files = logFiles(file);
    expect(files.map((f) => f.split('/').pop())).toEqual(['core.log.3', 'core.log.2', 'core.log.1', 'core.log']);
    for (const f of files) {
      expect(statSync(f).size).toBeLessThan(4096 + 200);
      if (process.platform !== 'win32') expect(statSync(f).mode & 0o777, f).toBe(0o600);
    }
    const seqs = linesOf(files).map((l) => (JSON.parse(l) as { seq: number }).seq);
    // A suffix of what was written: ends with the last line, no gap, no repeat.
    expect(seqs.at(-1)).toBe(total - 1);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => total - seqs.length + i));
    expect(seqs.length).toBeGreaterThan(3 * (4096 / 100));
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('does not rotate below `maxBytes`, and with `keep: 2` holds one old file', () => {
    const file = join(dir, 'core.log');
    appendLogLine(file, 'a'.repeat(100) + '\n', { maxBytes: 1000, keep: 2 });
    expect(logFiles(file)).toHaveLength(1);
    for (let i = 0; i < 50; i++) appendLogLine(file, `${i} ${'b'.repeat(100)}\n`, { maxBytes: 1000, keep: 2 });
    expect(logFiles(file).map((f) => f.split('/').pop())).toEqual(['core.log.1', 'core.log']);
    expect(readFileSync(file, 'utf8').trim().split('\n').at(-1)).toMatch(/^49 /);
  });

  it('leaves the rotation to the process holding the lock, and takes over a lock left by a dead one', () => {
    const file = join(dir, 'core.log');
    writeFileSync(file, 'x'.repeat(5000));
    writeFileSync(`${file}.lock`, '');
    expect(rotateLog(file, { maxBytes: 1000, keep: 3 })).toBe(false);
    appendLogLine(file, 'still written\n', { maxBytes: 1000, keep: 3 });
    expect(readFileSync(file, 'utf8').endsWith('still written\n')).toBe(true);
    const old = new Date(Date.now() - 60_000);
    utimesSync(`${file}.lock`, old, old);
    expect(rotateLog(file, { maxBytes: 1000, keep: 3 })).toBe(true);
    expect(readFileSync(`${file}.1`, 'utf8').endsWith('still written\n')).toBe(true);
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it("several processes appending to one file: no torn line, at most `keep` files, every writer's newest lines kept", async () => {
    const file = join(dir, 'core.log');
    const writer = join(dir, 'writer.mts');
    writeFileSync(
      writer,
      [
        `import { appendLogLine } from ${JSON.stringify(pathToFileURL(join(root, 'main', 'kernel', 'logger.ts')).href)};`,
        'const [file, id, count] = process.argv.slice(2);',
        'for (let i = 0; i < Number(count); i++) appendLogLine(file!, JSON.stringify({ writer: id, seq: i, pad: "p".repeat(60) }) + "\\n", { maxBytes: 32 * 1024, keep: 5 });',
      ].join('\n'),
    );
    const writers = ['a', 'b', 'c'];
    const count = 4000;
    await Promise.all(
      writers.map(
        (id) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, [join(root, 'bin', 'run-ts.mjs'), writer, file, id, String(count)], {
              stdio: ['ignore', 'ignore', 'inherit'],
            });
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${id} exited ${code}`))));
          }),
      ),
    );
    const files = logFiles(file);
    expect(files.length).toBeLessThanOrEqual(5);
    const lines = linesOf(files);
    const records = lines.map((l) => JSON.parse(l) as { writer: string; seq: number });
    // Nothing lost but whole old files: what is kept fills the rotated files.
    expect(lines.join('\n').length).toBeGreaterThan(4 * 32 * 1024);
    // Each writer's lines that are kept are its newest ones, in order, without a gap or a repeat
    // (a writer that finished long before the others may have all its lines in removed files).
    for (const id of writers) {
      const seqs = records.filter((r) => r.writer === id).map((r) => r.seq);
      if (seqs.length === 0) continue;
      expect(seqs.at(-1), id).toBe(count - 1);
      expect(seqs, id).toEqual(Array.from({ length: seqs.length }, (_, i) => count - seqs.length + i));
    }
    // The writer that wrote last has its last line in the newest file.
    const newest = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { writer: string; seq: number })
      .at(-1);
    expect(newest?.seq).toBe(count - 1);
    expect(existsSync(`${file}.lock`)).toBe(false);
  }, 120_000);
});

describe('masking in log lines', () => {
  it('writes personal numbers masked and secrets redacted', () => {
    const file = join(dir, 'core.log');
    createLogger({ file, scope: 'intake' }).log('info', 'intake.saved', {
      idNumber: '001203004567',
      note: 'CMND 012345678',
      password: 'hunter2',
    });
    const line = JSON.parse(readFileSync(file, 'utf8').trim()) as Record<string, unknown>;
    expect(line).toMatchObject({
      level: 'info',
      scope: 'intake',
      event: 'intake.saved',
      idNumber: '00120****567',
      note: 'CMND 01*****78',
      password: '[redacted]',
    });
    expect(readFileSync(file, 'utf8')).not.toContain('001203004567');
  });
});

describe('noisy events', () => {
  function recorder() {
    const lines: { level: LogLevel; event: string; fields: Record<string, unknown> | undefined }[] = [];
    const log: Logger = {
      log: (level, event, fields) => {
        lines.push({ level, event, fields });
      },
      child: () => log,
    };
    return { log, lines };
  }

  it('writes the first N of an event per window, then one summary line when the window ends', () => {
    const { log, lines } = recorder();
    const clock = fixedClock('2026-12-07T08:00');
    const timers: { at: number; fn: () => void }[] = [];
    const noisy = limitNoisyEvents(log, {
      perWindow: 20,
      windowMs: 60_000,
      clock,
      schedule: (fn, ms) => timers.push({ at: clock.now() + ms, fn }),
    });
    for (let i = 0; i < 10_000; i++) noisy.log('warn', 'browser.rejected', { i });
    noisy.log('warn', 'browser.upgrade-failed', {});
    expect(lines.filter((l) => l.event === 'browser.rejected')).toHaveLength(20);
    expect(lines.filter((l) => l.event === 'browser.upgrade-failed')).toHaveLength(1);
    expect(lines.filter((l) => l.event === 'log.suppressed')).toHaveLength(0);
    // The window ends with no further event: its timer writes the summary.
    clock.advance(60_000);
    for (const timer of timers.splice(0)) timer.fn();
    expect(lines.filter((l) => l.event === 'log.suppressed')).toEqual([
      {
        level: 'warn',
        event: 'log.suppressed',
        fields: { of: 'browser.rejected', suppressed: 9_980, windowMs: 60_000 },
      },
    ]);
    // A new window lets N through again.
    for (let i = 0; i < 30; i++) noisy.log('warn', 'browser.rejected', { i });
    expect(lines.filter((l) => l.event === 'browser.rejected')).toHaveLength(40);
    noisy.flush();
    expect(lines.at(-1)).toEqual({
      level: 'warn',
      event: 'log.suppressed',
      fields: { of: 'browser.rejected', suppressed: 10, windowMs: 60_000 },
    });
    // The timer of a window already summarised writes nothing more.
    const before = lines.length;
    for (const timer of timers.splice(0)) timer.fn();
    expect(lines).toHaveLength(before);
  });

  it('summarises a window when the next event comes after it, at the loudest level left out', () => {
    const { log, lines } = recorder();
    const clock = fixedClock('2026-12-07T08:00');
    const noisy = limitNoisyEvents(log, { perWindow: 2, windowMs: 1000, clock, schedule: () => undefined });
    noisy.log('warn', 'x', {});
    noisy.log('warn', 'x', {});
    noisy.log('warn', 'x', {});
    noisy.log('error', 'x', {});
    clock.advance(1500);
    noisy.log('warn', 'x', {});
    expect(
      lines.map(
        (l) =>
          `${l.level} ${l.event}${l.fields?.['suppressed'] === undefined ? '' : ` ${String(l.fields['suppressed'])}`}`,
      ),
    ).toEqual(['warn x', 'warn x', 'error log.suppressed 2', 'warn x']);
  });

  it('bounds what 10,000 noisy events write to a real log file', () => {
    const file = join(dir, 'core.log');
    mkdirSync(dir, { recursive: true });
    const noisy = limitNoisyEvents(createLogger({ file }), {
      perWindow: 20,
      windowMs: 60_000,
      schedule: () => undefined,
    });
    for (let i = 0; i < 10_000; i++)
      noisy.log('warn', 'browser.rejected', { path: '/rpc', tokenOk: false, originOk: true });
    noisy.flush();
    const lines = readFileSync(file, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { event: string; suppressed?: number });
    expect(lines).toHaveLength(21);
    expect(lines.at(-1)).toMatchObject({ event: 'log.suppressed', suppressed: 9_980 });
  });
});

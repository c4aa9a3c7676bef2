import { mkdtempSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runDigitiseCommand, type DigitiseCommandIo } from './digitise.command';

/** Bad input, checked in-process with a pipeline that must never be reached (exit 2 before any work). */
let dir: string;
let png: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'motcua-digitise-cli-'));
  png = join(dir, 'page.png');
  writeFileSync(
    png,
    await sharp({ create: { width: 40, height: 60, channels: 3, background: '#ffffff' } })
      .png()
      .toBuffer(),
  );
  writeFileSync(join(dir, 'empty.png'), '');
  writeFileSync(join(dir, 'text.pdf'), 'just some words, not a picture');
  writeFileSync(join(dir, 'huge.tif'), '');
  truncateSync(join(dir, 'huge.tif'), 200 * 1024 * 1024 + 1);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(args: string[]): Promise<{ code: number; out: string[]; err: string[]; reachedPipeline: boolean }> {
  const out: string[] = [];
  const err: string[] = [];
  let reachedPipeline = false;
  const io: DigitiseCommandIo = {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    pipelineFor: async () => {
      reachedPipeline = true;
      throw new Error('not in this test');
    },
  };
  const code = await runDigitiseCommand(args, io);
  return { code, out, err, reachedPipeline };
}

const BASE = [
  '--owner-id',
  '001203004567',
  '--owner-name',
  'Nguyễn Văn Dũng',
  '--doc-code',
  'KQ0001',
  '--doc-name',
  'Giấy khai sinh',
  '--permanent',
];
const good = (): string[] => ['--in', png, ...BASE, '--out', join(dir, 'out.pdf')];
const without = (args: string[], option: string, takesValue = true): string[] => {
  const i = args.indexOf(option);
  return [...args.slice(0, i), ...args.slice(i + (takesValue ? 2 : 1))];
};

describe('motcua-desk digitise: bad input gives one line and exit 2', () => {
  const cases: [string, () => string[], RegExp][] = [
    ['no --in', () => without(good(), '--in'), /thiếu --in/],
    ['no --owner-id', () => without(good(), '--owner-id'), /thiếu --owner-id/],
    ['no --owner-name', () => without(good(), '--owner-name'), /thiếu --owner-name/],
    ['no --doc-code', () => without(good(), '--doc-code'), /thiếu --doc-code/],
    ['no --doc-name', () => without(good(), '--doc-name'), /thiếu --doc-name/],
    ['no --out', () => without(good(), '--out'), /thiếu --out/],
    ['both --valid-until and --permanent', () => [...good(), '--valid-until', '2030-01-01'], /chỉ dùng một trong hai/],
    [
      'neither --valid-until nor --permanent',
      () => without(good(), '--permanent', false),
      /cần --valid-until .* hoặc --permanent/,
    ],
    [
      'a date that does not exist',
      () => [...without(good(), '--permanent', false), '--valid-until', '2030-02-30'],
      /--valid-until phải là ngày có thật/,
    ],
    ['a badly written issue date', () => [...good(), '--issued', '10/08/2021'], /--issued phải là ngày có thật/],
    [
      'an unknown document code format',
      () => good().map((a) => (a === 'KQ0001' ? 'GIAY-01' : a)),
      /mã giấy tờ không đúng định dạng 'GIAY-01'/,
    ],
    [
      'a missing input file',
      () => good().map((a) => (a === png ? join(dir, 'nope.png') : a)),
      /không đọc được tệp đầu vào '.*nope\.png': tệp không tồn tại/,
    ],
    [
      'an empty input file',
      () => good().map((a) => (a === png ? join(dir, 'empty.png') : a)),
      /tệp đầu vào '.*empty\.png' rỗng/,
    ],
    [
      'an input over 200 MB',
      () => good().map((a) => (a === png ? join(dir, 'huge.tif') : a)),
      /tệp đầu vào '.*huge\.tif' quá lớn/,
    ],
    [
      'an input that is not an image or PDF',
      () => good().map((a) => (a === png ? join(dir, 'text.pdf') : a)),
      /không đọc được tệp đầu vào '.*text\.pdf'/,
    ],
    ['an unknown option', () => [...good(), '--colour-depth', '8'], /tùy chọn không hợp lệ '--colour-depth'/],
    ['a bad --dpi', () => [...good(), '--dpi', '5000'], /--dpi phải là số từ 72 đến 600/],
    ['a bad --colour', () => [...good(), '--colour', 'sepia'], /--colour phải là color, gray hoặc bw/],
    ['a bad dossier code', () => [...good(), '--dossier', 'HS-1'], /mã hồ sơ không đúng định dạng 'HS-1'/],
    [
      '--sign without --token-module',
      () => [...good(), '--sign', '--key-id', 'a1b2', '--pin-env', 'MOTCUA_PIN'],
      /thiếu --token-module/,
    ],
    [
      '--sign without --key-id',
      () => [...good(), '--sign', '--token-module', png, '--pin-env', 'MOTCUA_PIN'],
      /thiếu --key-id/,
    ],
    [
      '--sign without --pin-env',
      () => [...good(), '--sign', '--token-module', png, '--key-id', 'a1b2'],
      /thiếu --pin-env/,
    ],
    [
      'a PIN given where the variable name goes',
      () => [...good(), '--sign', '--token-module', png, '--key-id', 'a1b2', '--pin-env', '123456'],
      /--pin-env phải là tên biến môi trường/,
    ],
    [
      'an odd-length key id',
      () => [...good(), '--sign', '--token-module', png, '--key-id', 'a1b', '--pin-env', 'MOTCUA_PIN'],
      /--key-id phải là các byte hex/,
    ],
    [
      'a module that does not exist',
      () => [
        ...good(),
        '--sign',
        '--token-module',
        join(dir, 'nope.so'),
        '--key-id',
        'a1b2',
        '--pin-env',
        'MOTCUA_PIN',
      ],
      /không thấy thư viện PKCS#11/,
    ],
    [
      'a --tsa that is not a URL',
      () => [
        ...good(),
        '--sign',
        '--token-module',
        png,
        '--key-id',
        'a1b2',
        '--pin-env',
        'MOTCUA_PIN',
        '--tsa',
        'tsa.local',
      ],
      /--tsa phải là địa chỉ http/,
    ],
    ['token options without --sign', () => [...good(), '--key-id', 'a1b2'], /--key-id chỉ dùng cùng --sign/],
    [
      '--sign with the PIN variable unset',
      () => [...good(), '--sign', '--token-module', png, '--key-id', 'a1b2', '--pin-env', 'MOTCUA_TEST_PIN_NEVER_SET'],
      /biến môi trường MOTCUA_TEST_PIN_NEVER_SET .*chưa được đặt/,
    ],
  ];
  for (const [name, args, message] of cases) {
    it(name, async () => {
      const r = await run(args());
      expect(r.code, r.err.join('\n')).toBe(2);
      expect(r.err).toHaveLength(1);
      expect(r.err[0]).toMatch(/^Lỗi: /);
      expect(r.err[0]).not.toContain('\n');
      expect(r.err[0]).toMatch(message);
      expect(r.reachedPipeline).toBe(false);
    });
  }

  it('reaches processing with good input, and a processing failure is exit 1', async () => {
    const r = await run(good());
    expect(r.reachedPipeline).toBe(true);
    expect(r.code).toBe(1);
    expect(r.err).toEqual(['Lỗi xử lý: not in this test']);
  });

  it('prints its usage with --help', async () => {
    const r = await run(['--help']);
    expect(r.code).toBe(0);
    expect(r.out.join('\n')).toMatch(/--owner-id/);
  });
});

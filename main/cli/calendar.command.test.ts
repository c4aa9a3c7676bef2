import { describe, expect, it } from 'vitest';
import type { CalendarNotice } from '../../common/domain';
import { runCalendarCommand, type CalendarCommandIo, type ProcedureTerms } from './calendar.command';

const PROCEDURES: Record<string, ProcedureTerms> = {
  '2.000488': {
    code: '2.000488',
    name: 'Cấp Phiếu lý lịch tư pháp',
    cutoff: null,
    channels: [
      { channel: 'walk-in', duration: 10, unit: 'working-days' },
      { channel: 'online', duration: 8, unit: 'working-days' },
    ],
  },
  '1.001776': {
    code: '1.001776',
    name: 'Chứng thực bản sao từ bản chính',
    cutoff: '15:00',
    channels: [{ channel: 'walk-in', duration: 0, unit: 'working-days' }],
  },
  '9.999999': {
    code: '9.999999',
    name: 'Thủ tục chỉ nộp trực tuyến',
    cutoff: null,
    channels: [{ channel: 'online', duration: 3, unit: 'working-days' }],
  },
  '8.000001': {
    code: '8.000001',
    name: 'Thủ tục không quy định thời hạn',
    cutoff: null,
    channels: [{ channel: 'walk-in', duration: null, unit: 'none' }],
  },
};

interface Run {
  code: number;
  out: string[];
  err: string[];
}

async function run(args: string[], extra: Partial<CalendarCommandIo> = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCalendarCommand(args, {
    out: (s) => out.push(s),
    err: (s) => err.push(s),
    lookupProcedure: async (c) => PROCEDURES[c] ?? null,
    ...extra,
  });
  return { code, out, err };
}

describe('calendar list', () => {
  it('lists 2027 with Tết from 5 Feb and 24 Nov', async () => {
    const { code, out, err } = await run(['list', '--year', '2027']);
    expect(code).toBe(0);
    expect(err).toEqual([]);
    expect(out).toContain('2027-02-06  holiday  Tết Nguyên đán (mùng 1)');
    expect(out).toContain('2027-02-10  compensatory  Nghỉ bù Tết Nguyên đán (mùng 1) (06/02)');
    expect(out).toContain('2027-11-24  holiday  Ngày Văn hóa Việt Nam (24/11)');
    expect(out[0]).toBe('2027-01-01  holiday  Tết Dương lịch');
    for (const line of out) expect(line).toMatch(/^\d{4}-\d{2}-\d{2} {2}(holiday|compensatory|notice|make-up) {2}\S/u);
  });

  it('prints JSON that parses', async () => {
    const { code, out } = await run(['list', '--year', '2027', '--json']);
    expect(code).toBe(0);
    expect(out).toHaveLength(1);
    const parsed = JSON.parse(out[0]!) as {
      year: number;
      daysOff: { date: string; kind: string; name: string }[];
      makeUpDays: unknown[];
    };
    expect(parsed.year).toBe(2027);
    expect(parsed.daysOff[0]).toEqual({ date: '2027-01-01', name: 'Tết Dương lịch', kind: 'holiday' });
    expect(parsed.daysOff.map((d) => d.date)).toEqual(expect.arrayContaining(['2027-02-06', '2027-11-24']));
    expect(parsed.makeUpDays).toEqual([]);
  });

  it('applies notices given to it', async () => {
    const notice: CalendarNotice = {
      id: 'TB-2027',
      effectiveFrom: '2026-11-01',
      year: 2027,
      daysOff: [{ date: '2027-02-12', name: 'Nghỉ hoán đổi', kind: 'notice' }],
      makeUpDays: [{ date: '2027-02-20', name: 'Làm bù' }],
      replacesDefault: false,
    };
    const { out } = await run(['list', '--year', '2027'], { notices: [notice] });
    expect(out).toContain('2027-02-12  notice  Nghỉ hoán đổi');
    expect(out.at(-1)).toBe('2027-02-20  make-up  Làm bù');
  });

  it('2025 has no 24 Nov', async () => {
    const { out } = await run(['list', '--year', '2025']);
    expect(out.some((l) => l.startsWith('2025-11-24'))).toBe(false);
  });
});

describe('calendar due', () => {
  it.each([
    [
      ['--received', '2026-11-20 16:10', '--duration', '3', '--unit', 'working-days'],
      'Hạn trả kết quả: 2026-11-26 16:10',
    ],
    [
      ['--received', '2026-11-20T16:10', '--duration', '3', '--unit', 'working-days'],
      'Hạn trả kết quả: 2026-11-26 16:10',
    ],
    [['--received=2026-11-16 10:30', '--duration=4', '--unit=hours'], 'Hạn trả kết quả: 2026-11-16 16:30'],
    [
      ['--received', '2026-11-10 09:00', '--duration', '5', '--unit', 'calendar-days'],
      'Hạn trả kết quả: 2026-11-16 09:00',
    ],
    [
      ['--received', '2026-11-16 15:20', '--duration', '1', '--unit', 'working-days', '--cutoff', '15:00'],
      'Hạn trả kết quả: 2026-11-17 17:00',
    ],
    [['--received', '2026-11-16 09:00', '--unit', 'none'], 'Hạn trả kết quả: không có'],
  ])('%j → %s', async (args, first) => {
    const { code, out, err } = await run(['due', ...args]);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    expect(out[0]).toBe(first);
  });

  it('prints the notes', async () => {
    const { out } = await run(['due', '--received', '2026-11-20 16:10', '--duration', '3', '--unit', 'working-days']);
    expect(out).toEqual([
      'Hạn trả kết quả: 2026-11-26 16:10',
      'Tiếp nhận: 2026-11-20 16:10; tính từ: 2026-11-20 16:10; thời hạn: 3 ngày làm việc',
      '- Không tính ngày nghỉ: 24/11/2026 (Ngày Văn hóa Việt Nam (24/11)).',
    ]);
  });

  it('prints JSON that parses', async () => {
    const { code, out } = await run([
      'due',
      '--received',
      '2026-11-20 16:10',
      '--duration',
      '3',
      '--unit',
      'working-days',
      '--json',
    ]);
    expect(code).toBe(0);
    expect(JSON.parse(out[0]!)).toEqual({
      due: '2026-11-26T16:10',
      received: '2026-11-20T16:10',
      countedFrom: '2026-11-20T16:10',
      unit: 'working-days',
      duration: 3,
      cutoff: null,
      procedure: null,
      notes: ['Không tính ngày nghỉ: 24/11/2026 (Ngày Văn hóa Việt Nam (24/11)).'],
    });
  });

  it.each([
    ['walk-in duration of the procedure', ['--procedure', '2.000488'], '2026-12-07T16:10', 10, null],
    [
      'explicit duration wins',
      ['--procedure', '2.000488', '--duration', '3', '--unit', 'working-days'],
      '2026-11-26T16:10',
      3,
      null,
    ],
    [
      'procedure cut-off applies (same-day procedure after 15:00)',
      ['--procedure', '1.001776'],
      '2026-11-23T17:00',
      0,
      '15:00',
    ],
    [
      '--cutoff overrides the procedure',
      ['--procedure', '1.001776', '--cutoff', '17:00'],
      '2026-11-20T17:00',
      0,
      '17:00',
    ],
    ['procedure without a time limit', ['--procedure', '8.000001'], null, null, null],
  ])('--procedure: %s', async (_name, args, due, duration, cutoff) => {
    const { code, out, err } = await run(['due', '--received', '2026-11-20 16:10', ...args, '--json']);
    expect(err).toEqual([]);
    expect(code).toBe(0);
    const parsed = JSON.parse(out[0]!) as {
      due: string | null;
      duration: number | null;
      cutoff: string | null;
      procedure: string;
    };
    expect(parsed.due).toBe(due);
    expect(parsed.duration).toBe(duration);
    expect(parsed.cutoff).toBe(cutoff);
    expect(parsed.procedure).toBe(args[1]);
  });

  it('names the procedure in plain output', async () => {
    const { out } = await run(['due', '--received', '2026-11-20 16:10', '--procedure', '2.000488']);
    expect(out[1]).toBe('Thủ tục: 2.000488 Cấp Phiếu lý lịch tư pháp');
  });
});

describe('bad input', () => {
  it.each([
    ['unknown subcommand', ['frob'], /lệnh không hợp lệ 'frob'/u],
    ['no subcommand', [], /thiếu lệnh/u],
    ['missing --year', ['list'], /thiếu --year/u],
    ['--year abc', ['list', '--year', 'abc'], /--year .*'abc'/u],
    ['--year 27', ['list', '--year', '27'], /--year .*'27'/u],
    ['--year without a value', ['list', '--year'], /--year/u],
    ['unknown option', ['list', '--year', '2027', '--yaml'], /tùy chọn không hợp lệ '--yaml'/u],
    ['stray argument', ['list', '2027'], /đối số thừa '2027'/u],
    ['missing --received', ['due', '--duration', '3', '--unit', 'hours'], /thiếu --received/u],
    [
      'bad --received',
      ['due', '--received', '20/11/2026 16:10', '--duration', '3', '--unit', 'hours'],
      /--received .*'20\/11\/2026 16:10'/u,
    ],
    [
      'impossible --received',
      ['due', '--received', '2026-02-30 09:00', '--duration', '3', '--unit', 'hours'],
      /--received/u,
    ],
    [
      'negative duration',
      ['due', '--received', '2026-11-20 16:10', '--duration', '-1', '--unit', 'hours'],
      /--duration .*'-1'/u,
    ],
    [
      'negative duration with =',
      ['due', '--received', '2026-11-20 16:10', '--duration=-2', '--unit', 'hours'],
      /--duration .*'-2'/u,
    ],
    [
      'non-numeric duration',
      ['due', '--received', '2026-11-20 16:10', '--duration', 'ba', '--unit', 'hours'],
      /--duration .*'ba'/u,
    ],
    [
      'unknown unit',
      ['due', '--received', '2026-11-20 16:10', '--duration', '3', '--unit', 'weeks'],
      /--unit .*'weeks'/u,
    ],
    ['missing unit', ['due', '--received', '2026-11-20 16:10', '--duration', '3'], /thiếu --unit/u],
    ['missing duration', ['due', '--received', '2026-11-20 16:10', '--unit', 'hours'], /thiếu --duration/u],
    [
      'bad cut-off',
      ['due', '--received', '2026-11-20 16:10', '--duration', '1', '--unit', 'hours', '--cutoff', '3pm'],
      /--cutoff .*'3pm'/u,
    ],
    ['unknown procedure', ['due', '--received', '2026-11-20 16:10', '--procedure', '1.234567'], /'1\.234567'/u],
    [
      'procedure without a walk-in channel',
      ['due', '--received', '2026-11-20 16:10', '--procedure', '9.999999'],
      /'9\.999999'.*kênh trực tiếp/u,
    ],
  ])('%s → exit 2 with one line', async (_name, args, message) => {
    const { code, out, err } = await run(args);
    expect(code).toBe(2);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]).toMatch(/^Lỗi: /u);
    expect(err[0]).toMatch(message);
    expect(err[0]).not.toMatch(/\n|\s+at /u);
  });

  it('a procedure lookup with no catalogue is bad input', async () => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await runCalendarCommand(['due', '--received', '2026-11-20 16:10', '--procedure', '2.000488'], {
      out: (s) => out.push(s),
      err: (s) => err.push(s),
    });
    expect(code).toBe(2);
    expect(err[0]).toMatch(/'2\.000488'/u);
  });

  it('a failing lookup is exit 1 with one line, no stack', async () => {
    const { code, err } = await run(['due', '--received', '2026-11-20 16:10', '--procedure', '2.000488'], {
      lookupProcedure: async () => {
        throw new Error('database is locked\n    at Database.prepare');
      },
    });
    expect(code).toBe(1);
    expect(err).toEqual(['Lỗi: database is locked']);
  });
});

describe('help', () => {
  it.each([[['--help']], [['-h']], [['list', '--help']], [['due', '--help']]])(
    '%j prints usage and exits 0',
    async (args) => {
      const { code, out, err } = await run(args);
      expect(code).toBe(0);
      expect(err).toEqual([]);
      expect(out[0]).toMatch(/^Cách dùng: calendar/u);
      expect(out.join('\n')).toMatch(/list --year/u);
      expect(out.join('\n')).toMatch(/due --received/u);
    },
  );
});

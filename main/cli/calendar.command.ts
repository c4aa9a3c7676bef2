/**
 * `calendar` command: the holiday calendar of a year and the appointment date of a receipt, for
 * IT staff checking a workstation's calendar data and for scripted checks.
 *
 *   calendar list --year 2027 [--json]
 *   calendar due --received "2026-11-20 16:10" --duration 3 --unit working-days [--procedure CODE] [--cutoff HH:mm]
 *     [--json]
 *
 * Output goes through `io.out`, one call per line (the caller adds the line break); errors go
 * through `io.err` as one line. Exit codes: 0 done, 2 bad input, 1 anything else.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import {
  buildHolidayCalendar,
  computeAppointment,
  DEFAULT_OFFICE_HOURS,
  DURATION_UNITS,
  isLocalDateTime,
  MAX_CALENDAR_YEAR,
  MIN_CALENDAR_YEAR,
  tryParseClock,
  WorkingTime,
  type CalendarNotice,
  type DurationUnit,
  type OfficeHours,
} from '../../common/domain';

export interface ProcedureTerms {
  code: string;
  name: string;
  cutoff: string | null;
  channels: { channel: string; duration: number | null; unit: string }[];
}

export interface CalendarCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  lookupProcedure?: (code: string) => Promise<ProcedureTerms | null>;
  notices?: CalendarNotice[];
  officeHours?: OfficeHours;
}

export const CALENDAR_USAGE = [
  'Cách dùng: calendar <lệnh> [tùy chọn]',
  '',
  'Lệnh:',
  '  list --year <năm> [--json]',
  '      Ngày nghỉ lễ, nghỉ bù, nghỉ theo thông báo và ngày làm bù của một năm.',
  '  due --received "YYYY-MM-DD HH:mm" --duration <số> --unit <đơn vị> [--procedure <mã>] [--cutoff HH:mm] [--json]',
  '      Ngày hẹn trả kết quả của hồ sơ tiếp nhận lúc --received.',
  '      Với --procedure, giờ chốt của thủ tục được áp dụng; thiếu --duration/--unit thì lấy',
  '      thời hạn của kênh trực tiếp.',
  '',
  'Đơn vị: working-days (ngày làm việc), calendar-days (ngày), hours (giờ làm việc), none (không quy định).',
  '  --help    In hướng dẫn này.',
];

const UNIT_NAMES: Record<DurationUnit, string> = {
  'working-days': 'ngày làm việc',
  'calendar-days': 'ngày',
  hours: 'giờ làm việc',
  none: 'không quy định thời hạn',
};

/** Bad input: reported on one line with exit code 2. */
class UsageError extends Error {}

function oneLine(message: string): string {
  return message.split(/\r?\n/u)[0]!.trim();
}

function isDurationUnit(s: string): s is DurationUnit {
  return (DURATION_UNITS as readonly string[]).includes(s);
}

function parseStrict<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T) {
  // A negative number after an option is a value, not an option: let the checks below word the error.
  const prepared: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && next !== undefined && /^-\d/u.test(next)) {
      prepared.push(`${arg}=${next}`);
      i += 1;
    } else {
      prepared.push(arg);
    }
  }
  try {
    return parseArgs({ args: prepared, options, strict: true, allowPositionals: false });
  } catch (error) {
    throw new UsageError(describeParseError(error));
  }
}

/** Words node:util parseArgs errors in Vietnamese, keeping the option or argument it names. */
function describeParseError(error: unknown): string {
  const message = oneLine(error instanceof Error ? error.message : String(error));
  const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
  const quoted = /'([^']+)'/u.exec(message)?.[1] ?? '';
  switch (code) {
    case 'ERR_PARSE_ARGS_UNKNOWN_OPTION':
      return `tùy chọn không hợp lệ '${quoted}' (xem --help).`;
    case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE':
      return `thiếu hoặc sai giá trị của tùy chọn '${quoted.replace(/ <value>$/u, '')}'.`;
    case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL':
      return `đối số thừa '${quoted}' (giá trị phải đi sau tên tùy chọn, xem --help).`;
    default:
      return message;
  }
}

function printUsage(write: (s: string) => void): void {
  for (const line of CALENDAR_USAGE) write(line);
}

function displayTime(t: string): string {
  return t.replace('T', ' ');
}

async function runList(args: string[], io: CalendarCommandIo): Promise<number> {
  const { values } = parseStrict(args, {
    year: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    printUsage(io.out);
    return 0;
  }
  if (values.year === undefined) throw new UsageError('thiếu --year (ví dụ: calendar list --year 2027).');
  const year = /^\d{4}$/u.test(values.year) ? Number(values.year) : Number.NaN;
  if (!(year >= MIN_CALENDAR_YEAR && year <= MAX_CALENDAR_YEAR)) {
    throw new UsageError(
      `--year phải là năm từ ${MIN_CALENDAR_YEAR} đến ${MAX_CALENDAR_YEAR} (nhận được '${values.year}').`,
    );
  }
  const calendar = buildHolidayCalendar([year], io.notices ?? []);
  const daysOff = calendar.daysOff(year);
  const makeUpDays = calendar.makeUpDays(year);
  if (values.json) {
    io.out(JSON.stringify({ year, daysOff, makeUpDays }));
    return 0;
  }
  for (const day of daysOff) io.out(`${day.date}  ${day.kind}  ${day.name}`);
  for (const day of makeUpDays) io.out(`${day.date}  make-up  ${day.name}`);
  return 0;
}

interface DueTerms {
  duration: number | null;
  unit: DurationUnit;
  cutoff: string | null;
  procedure: ProcedureTerms | null;
}

function parseDuration(text: string): number {
  if (!/^\d+(\.\d+)?$/u.test(text.trim())) {
    throw new UsageError(`--duration phải là số không âm (nhận được '${text}').`);
  }
  return Number(text.trim());
}

function parseUnit(text: string, source: string): DurationUnit {
  if (!isDurationUnit(text)) {
    throw new UsageError(`${source} phải là một trong ${DURATION_UNITS.join(', ')} (nhận được '${text}').`);
  }
  return text;
}

async function resolveTerms(
  values: { duration?: string; unit?: string; procedure?: string; cutoff?: string },
  io: CalendarCommandIo,
): Promise<DueTerms> {
  let duration = values.duration === undefined ? undefined : parseDuration(values.duration);
  let unit = values.unit === undefined ? undefined : parseUnit(values.unit, '--unit');
  if (values.cutoff !== undefined && tryParseClock(values.cutoff) === null) {
    throw new UsageError(`--cutoff phải có dạng HH:mm (nhận được '${values.cutoff}').`);
  }
  let cutoff = values.cutoff ?? null;
  let procedure: ProcedureTerms | null = null;

  if (values.procedure !== undefined) {
    const code = values.procedure.trim();
    if (!io.lookupProcedure) throw new UsageError(`không tra được thủ tục '${code}': máy chưa có danh mục thủ tục.`);
    procedure = await io.lookupProcedure(code);
    if (!procedure) throw new UsageError(`không tìm thấy thủ tục '${code}' trong danh mục.`);
    cutoff = values.cutoff ?? procedure.cutoff;
    if (duration === undefined || unit === undefined) {
      const walkIn = procedure.channels.find((c) => c.channel === 'walk-in');
      if (!walkIn) {
        throw new UsageError(`thủ tục '${code}' không có thời hạn cho kênh trực tiếp: hãy nhập --duration và --unit.`);
      }
      unit ??= parseUnit(walkIn.unit, `Đơn vị thời hạn của thủ tục '${code}'`);
      if (duration === undefined) duration = walkIn.duration ?? undefined;
      if (duration === undefined && unit !== 'none') {
        return { duration: null, unit, cutoff, procedure };
      }
    }
  }

  if (unit === undefined)
    throw new UsageError('thiếu --unit (working-days, calendar-days, hours hoặc none) hoặc --procedure.');
  if (duration === undefined && unit !== 'none') throw new UsageError('thiếu --duration (hoặc --procedure).');
  return { duration: duration ?? null, unit, cutoff, procedure };
}

async function runDue(args: string[], io: CalendarCommandIo): Promise<number> {
  const { values } = parseStrict(args, {
    received: { type: 'string' },
    duration: { type: 'string' },
    unit: { type: 'string' },
    procedure: { type: 'string' },
    cutoff: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  });
  if (values.help) {
    printUsage(io.out);
    return 0;
  }
  if (values.received === undefined) throw new UsageError('thiếu --received (ví dụ: --received "2026-11-20 16:10").');
  const received = values.received.trim().replace(/^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2})$/u, '$1T$2');
  const receivedYear = Number(received.slice(0, 4));
  if (!isLocalDateTime(received) || receivedYear < MIN_CALENDAR_YEAR || receivedYear >= MAX_CALENDAR_YEAR) {
    throw new UsageError(
      `--received phải có dạng "YYYY-MM-DD HH:mm" và là thời điểm có thật (nhận được '${values.received}').`,
    );
  }
  const terms = await resolveTerms(values, io);
  const workingTime = new WorkingTime(
    buildHolidayCalendar([receivedYear, receivedYear + 1], io.notices ?? []),
    io.officeHours ?? DEFAULT_OFFICE_HOURS,
  );
  const result = computeAppointment({
    receivedAt: received,
    duration: terms.duration,
    unit: terms.unit,
    cutoff: terms.cutoff,
    workingTime,
  });

  if (values.json) {
    io.out(
      JSON.stringify({
        due: result.due,
        received,
        countedFrom: result.countedFrom,
        unit: terms.unit,
        duration: terms.duration,
        cutoff: terms.cutoff,
        procedure: terms.procedure?.code ?? null,
        notes: result.notes,
      }),
    );
    return 0;
  }
  io.out(`Hạn trả kết quả: ${result.due === null ? 'không có' : displayTime(result.due)}`);
  if (terms.procedure) io.out(`Thủ tục: ${terms.procedure.code} ${terms.procedure.name}`);
  const length =
    terms.duration === null || terms.unit === 'none' ? UNIT_NAMES.none : `${terms.duration} ${UNIT_NAMES[terms.unit]}`;
  io.out(`Tiếp nhận: ${displayTime(received)}; tính từ: ${displayTime(result.countedFrom)}; thời hạn: ${length}`);
  for (const note of result.notes) io.out(`- ${note}`);
  return 0;
}

export async function runCalendarCommand(args: string[], io: CalendarCommandIo): Promise<number> {
  const [subcommand, ...rest] = args;
  try {
    if (subcommand === undefined) throw new UsageError('thiếu lệnh (list hoặc due; xem --help).');
    if (subcommand === '--help' || subcommand === '-h' || subcommand === 'help') {
      printUsage(io.out);
      return 0;
    }
    if (subcommand === 'list') return await runList(rest, io);
    if (subcommand === 'due') return await runDue(rest, io);
    throw new UsageError(`lệnh không hợp lệ '${subcommand}' (dùng list hoặc due; xem --help).`);
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`Lỗi: ${oneLine(error.message)}`);
      return 2;
    }
    io.err(`Lỗi: ${oneLine(error instanceof Error ? error.message : String(error))}`);
    return 1;
  }
}

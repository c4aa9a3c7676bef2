import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Procedure } from '../../common/contract';
import { DEFAULT_OFFICE_HOURS } from '../../common/domain';
import { loadConfig } from '../core/config';
import { defaultDataDir } from '../core/paths';
import { packageVersion, resourcesDir } from '../kernel/resources';
import { keyStoreFor } from '../store/key-store';
import { DATABASE_FILE, openStore } from '../store/store';
import { runCalendarCommand, type CalendarCommandIo, type ProcedureTerms } from './calendar.command';
import { runDoctor } from './doctor.command';
import { runAccountsCommand } from './accounts.command';

const USAGE = [
  'Cách dùng: motcua-desk <lệnh> [tùy chọn]',
  '',
  'Lệnh:',
  '  doctor [--json]                 kiểm tra cấu hình, kho dữ liệu, tệp, nhật ký, thiết bị, kết nối',
  '  calendar list --year YYYY [--json]',
  '  calendar due --received "YYYY-MM-DD HH:mm" --duration N --unit working-days|calendar-days|hours [--procedure MÃ] [--json]',
  '  accounts list [--json]',
  '  accounts add --username U --name "Họ tên" --role officer|digitiser|supervisor|admin --password-env BIẾN',
  '  accounts set-password --username U --password-env BIẾN',
  '  accounts set-role --username U --role officer|digitiser|supervisor|admin',
  '  accounts lock <tên đăng nhập>    khóa tài khoản đến khi mở khóa; kết thúc mọi phiên (ghi nhật ký)',
  '  accounts unlock <tên đăng nhập>  mở khóa tài khoản bị khóa (ghi nhật ký)',
  '  accounts logout-all <tên đăng nhập>  kết thúc mọi phiên đang mở của tài khoản (ghi nhật ký)',
  '  digitise --in <ảnh|pdf>... --owner-id MÃ --owner-name "HỌ TÊN" --doc-code MÃ --doc-name "TÊN"',
  '           [--dossier MÃ] (--valid-until YYYY-MM-DD | --permanent) [--issuer "CƠ QUAN"] [--number SỐ]',
  '           [--issued YYYY-MM-DD] --out tệp.pdf [--text-out tệp.txt] [--json] [--dpi N] [--colour color|gray|bw]',
  '           [--sign --token-module THƯ_VIỆN --key-id HEX --pin-env BIẾN [--token-label NHÃN] [--tsa URL] [--stamp]]',
  '                                  số hóa một văn bản thành PDF có lớp chữ (không cần kho dữ liệu)',
  '  printer test --target serial:CỔNG@TỐC_ĐỘ|tcp:ĐỊA_CHỈ:CỔNG|usb:TỆP [--width 58|80] [--codepage cp1258:N] [--json]',
  '                                  in phiếu thử ra máy in vé nhiệt (tiếng Việt, mã QR), báo trạng thái máy in',
  '  sync status [--json]            tình trạng gửi dữ liệu lên Cổng DVC quốc gia và hệ thống của tỉnh',
  '  sync retry (--all | --id N... | --target national|provincial | --dossier MÃ) [--json]',
  '                                  gửi lại các bản ghi lỗi (thư chết)',
  '  sync export-dead [--target T] [--dossier MÃ] [--out tệp.json] [--with-payload] [--json]',
  '                                  xuất danh sách bản ghi lỗi cho bộ phận CNTT',
  '  verify <tệp.pdf> [--trust CA.pem]... [--json]',
  '                                  kiểm tra chữ ký số trong tệp PDF',
  '  centre init|run|enrol|devices|revoke|doctor  trung tâm Một Cửa (máy chủ dùng chung): xem motcua-desk centre help',
  '  centre join|status|leave        ghép nối máy bàn này với trung tâm, xem kết nối, bỏ ghép nối',
  '  version                         phiên bản',
  '',
  'Tùy chọn chung: --data-dir THƯ_MỤC (mặc định: MOTCUA_DATA_DIR hoặc thư mục dữ liệu của người dùng)',
];

/** Splits `--data-dir X` off the arguments (it may stand anywhere). */
function takeDataDir(args: string[]): { dataDir: string; rest: string[] } {
  const rest: string[] = [];
  let dataDir = defaultDataDir();
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--data-dir') dataDir = args[++i] ?? dataDir;
    else if (a.startsWith('--data-dir=')) dataDir = a.slice('--data-dir='.length);
    else rest.push(a);
  }
  return { dataDir, rest };
}

let closedPipeGuarded = false;

/**
 * Output piped to a reader that went away (`motcua-desk sync status | head`): the next write
 * fails with EPIPE, emitted on the stream, and would crash the process. Like other command-line
 * tools, stop quietly instead. Installed once, for the process's own stdout and stderr.
 */
export function guardClosedPipes(
  streams: readonly NodeJS.WriteStream[] = [process.stdout, process.stderr],
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  if (closedPipeGuarded) return;
  closedPipeGuarded = true;
  for (const stream of streams) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') exit(0);
      else throw err;
    });
  }
}

const PROCESS_IO = {
  out: (s: string) => process.stdout.write(`${s}\n`),
  err: (s: string) => process.stderr.write(`${s}\n`),
};

export async function main(argv: string[], io = PROCESS_IO): Promise<number> {
  if (io === PROCESS_IO) guardClosedPipes();
  const { dataDir, rest } = takeDataDir(argv);
  const [command, ...args] = rest;
  try {
    switch (command) {
      case 'doctor':
        return await runDoctor(dataDir, { out: io.out, json: args.includes('--json') });
      case 'calendar':
        return await runCalendarCommand(args, { ...io, ...calendarData(dataDir) });
      case 'accounts':
        return await runAccountsCommand(args, dataDir, io);
      case 'digitise': {
        // Loaded on use: the image libraries and the OCR engine are heavy and no other command needs them.
        const { runDigitiseCommand } = await import('./digitise.command');
        return await runDigitiseCommand(args, {
          ...io,
          pipelineFor: async (profile) => (await import('../digitise/station/pipeline-factory')).cliPipeline(profile),
          agencyName: agencyNameOf(dataDir),
        });
      }
      case 'printer': {
        // Loaded on use: the image renderer and the serial binding are not needed by other commands.
        const { runPrinterCommand } = await import('./printer.command');
        return await runPrinterCommand(args, io);
      }
      case 'sync': {
        const { runSyncCommand } = await import('./sync.command');
        return await runSyncCommand(args, dataDir, io);
      }
      case 'centre': {
        if (args[0] === 'join' || args[0] === 'status' || args[0] === 'leave') {
          // The desk's side: its enrolment in <data dir>/centre/, no server code loaded.
          const { runDeskCentreCommand } = await import('./desk-centre.command');
          return await runDeskCentreCommand(args, dataDir, io);
        }
        // Loaded on use: the centre's server, PostgreSQL driver and certificate code.
        const { runCentreCommand } = await import('./centre.command');
        return await runCentreCommand(args, io);
      }
      case 'verify': {
        const { runVerifyCommand } = await import('./verify.command');
        return await runVerifyCommand(args, { ...io, dataDir });
      }
      case 'version':
      case '--version':
        io.out(packageVersion());
        return 0;
      case undefined:
      case 'help':
      case '--help':
      case '-h':
        for (const line of USAGE) io.out(line);
        return command === undefined ? 2 : 0;
      default:
        io.err(`Lệnh không hợp lệ '${command}'. Xem: motcua-desk --help`);
        return 2;
    }
  } catch (err) {
    io.err(`Lỗi: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
}

/** The agency named in the workstation's config, when there is one (the PDF's converting agency). */
function agencyNameOf(dataDir: string): string {
  try {
    return loadConfig(dataDir).config.agency.name;
  } catch {
    return '';
  }
}

/** Procedures and holiday notices from the store when there is one, else the shipped catalogue. */
function calendarData(dataDir: string): Pick<CalendarCommandIo, 'lookupProcedure' | 'notices' | 'officeHours'> {
  let officeHours = DEFAULT_OFFICE_HOURS;
  try {
    officeHours = loadConfig(dataDir).config.officeHours ?? DEFAULT_OFFICE_HOURS;
  } catch {
    /* doctor reports config problems */
  }
  const hasStore = existsSync(join(dataDir, DATABASE_FILE));
  const withStore = <T>(fn: (store: ReturnType<typeof openStore>) => T): T => {
    const store = openStore({ dataDir, keyStore: keyStoreFor() });
    try {
      return fn(store);
    } finally {
      store.close();
    }
  };
  return {
    officeHours,
    notices: hasStore ? withStore((s) => s.calendar.listNotices()) : [],
    lookupProcedure: async (code) => (hasStore ? withStore((s) => s.catalogue.get(code)) : null) ?? seedProcedure(code),
  };
}

function seedProcedure(code: string): ProcedureTerms | null {
  const raw = JSON.parse(readFileSync(join(resourcesDir(), 'seed', 'catalogue.json'), 'utf8')) as unknown[];
  const found = raw.map((p) => Procedure.parse(p)).find((p) => p.code === code);
  return found ?? null;
}

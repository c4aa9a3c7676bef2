/**
 * `printer` command: for IT staff setting up a thermal ticket printer.
 *
 *   printer test --target serial:/dev/ttyUSB0@9600|tcp:192.168.1.50:9100|usb:/dev/usb/lp0
 *                [--width 58|80] [--codepage cp1258:N] [--timeout MS] [--json]
 *
 * Prints a test ticket (Vietnamese text of every tone, a QR code), reports the bytes written and
 * the printer's status when it answers DLE EOT. Exit codes: 0 printed, 2 bad input, 1 the printer
 * could not be reached or reported a fault (the line names the error code and what to check).
 */
import { parseArgs } from 'node:util';
import {
  createTicketPrinter,
  describeTarget,
  isDeviceError,
  parsePrinterTarget,
  testTicketDocument,
  type PaperWidth,
  type TicketPrinterStatus,
} from '../../drivers';
import { systemClock, type Clock } from '../kernel/clock';

export interface PrinterCommandIo {
  out: (s: string) => void;
  err: (s: string) => void;
  /** Default the system clock. */
  clock?: Clock;
}

export const PRINTER_USAGE = [
  'Cách dùng: printer test --target <máy in> [--width 58|80] [--codepage cp1258:N] [--timeout MS] [--json]',
  '',
  'In một phiếu thử (chữ tiếng Việt có dấu và mã QR) ra máy in nhiệt ESC/POS, báo số byte đã gửi',
  'và trạng thái máy in nếu máy in trả lời.',
  '  --target    serial:CỔNG@TỐC_ĐỘ (vd. serial:/dev/ttyUSB0@9600), tcp:ĐỊA_CHỈ:CỔNG (vd. tcp:192.168.1.50:9100)',
  '              hoặc usb:TỆP_THIẾT_BỊ (vd. usb:/dev/usb/lp0)',
  '  --width     khổ giấy 58 hoặc 80 mm (mặc định 80)',
  '  --codepage  in chữ bằng bảng mã CP1258 ở số bảng N của máy in (Epson: 52) thay vì in dạng ảnh',
  '  --timeout   thời gian chờ máy in trả lời trạng thái, mili giây (mặc định 1000)',
  '  --json      in kết quả dạng JSON: { target, width, text, bytesWritten, status, statusError }',
  'Mã thoát: 0 đã in, 2 sai tham số, 1 không in được (mã lỗi và việc cần kiểm tra ở dòng báo lỗi).',
];

class UsageError extends Error {}

function statusLine(s: TicketPrinterStatus): string {
  const parts = [s.online ? 'sẵn sàng' : 'ngoại tuyến'];
  if (s.coverOpen) parts.push('nắp đang mở');
  if (s.paperOut) parts.push('hết giấy');
  else if (s.paperNearEnd) parts.push('sắp hết giấy');
  if (s.error) parts.push('báo lỗi');
  const hex = (b: number) => b.toString(16).padStart(2, '0');
  return `${parts.join(', ')} (DLE EOT 1/2/4: ${hex(s.raw.printer)} ${hex(s.raw.offlineCause)} ${hex(s.raw.paper)})`;
}

export async function runPrinterCommand(args: string[], io: PrinterCommandIo): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined || sub === '--help' || sub === 'help' || sub === '-h') {
    for (const line of PRINTER_USAGE) io.out(line);
    return sub === undefined ? 2 : 0;
  }
  try {
    if (sub !== 'test') throw new UsageError(`lệnh con không hợp lệ '${sub}' (chỉ có: printer test)`);
    let values;
    try {
      ({ values } = parseArgs({
        args: rest,
        strict: true,
        allowPositionals: false,
        options: {
          target: { type: 'string' },
          width: { type: 'string' },
          codepage: { type: 'string' },
          timeout: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      }));
    } catch (err) {
      throw new UsageError(err instanceof Error ? err.message : String(err));
    }
    if (values.target === undefined)
      throw new UsageError('thiếu --target (serial:CỔNG@TỐC_ĐỘ, tcp:ĐỊA_CHỈ:CỔNG hoặc usb:TỆP_THIẾT_BỊ)');
    let target;
    try {
      target = parsePrinterTarget(values.target);
    } catch (err) {
      throw new UsageError(`--target không hợp lệ: ${err instanceof Error ? err.message : String(err)}`);
    }
    const width = Number(values.width ?? '80');
    if (width !== 58 && width !== 80) throw new UsageError(`--width phải là 58 hoặc 80, không phải '${values.width}'`);
    let cp1258Table: number | undefined;
    if (values.codepage !== undefined) {
      const m = /^cp1258:(\d{1,3})$/i.exec(values.codepage);
      if (m === null || Number(m[1]) > 255)
        throw new UsageError(`--codepage phải có dạng cp1258:N với N từ 0 đến 255, không phải '${values.codepage}'`);
      cp1258Table = Number(m[1]);
    }
    const timeout = Number(values.timeout ?? '1000');
    if (!Number.isInteger(timeout) || timeout < 50 || timeout > 60_000)
      throw new UsageError(`--timeout phải là số mili giây từ 50 đến 60000`);

    const paper = width as PaperWidth;
    const name = describeTarget(target);
    const textMode = cp1258Table === undefined ? 'raster' : `cp1258:${cp1258Table}`;
    const printer = createTicketPrinter('production', {
      kind: 'escpos',
      target: values.target,
      paper,
      statusTimeoutMs: timeout,
      ...(cp1258Table === undefined ? {} : { cp1258Table }),
    });
    try {
      const [day = '', time = ''] = (io.clock ?? systemClock).localNow().split('T');
      const printedAt = `${time} ${day.split('-').reverse().join('/')}`;
      const ticket = testTicketDocument({
        target: name,
        paper,
        printedAt,
        mode: cp1258Table === undefined ? 'ảnh (GS v 0)' : `CP1258, bảng ${cp1258Table}`,
      });
      const { bytesWritten } = await printer.print(ticket);
      let status: TicketPrinterStatus | null = null;
      let statusError: string | null = null;
      try {
        status = await printer.status();
      } catch (err) {
        if (!isDeviceError(err)) throw err;
        statusError = `${err.code}: ${err.message}`;
      }
      if (values.json) {
        io.out(JSON.stringify({ target: name, width: paper, text: textMode, bytesWritten, status, statusError }));
      } else {
        io.out(
          `Đã gửi phiếu in thử tới ${name}: ${bytesWritten} byte (khổ ${paper} mm, chữ ${cp1258Table === undefined ? 'dạng ảnh' : `CP1258 bảng ${cp1258Table}`}).`,
        );
        io.out(
          status !== null
            ? `Trạng thái máy in: ${statusLine(status)}`
            : `Máy in không báo trạng thái (${statusError}).`,
        );
      }
      return 0;
    } finally {
      await printer.close();
    }
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`Lỗi: ${err.message}. Xem: motcua-desk printer --help`);
      return 2;
    }
    if (isDeviceError(err)) {
      io.err(`Lỗi ${err.code}: ${err.message}`);
      return 1;
    }
    throw err;
  }
}

import { createDrivers, documentPrinterSetting, type DocumentPrinterConfig } from '../../drivers';
import { printedFolder, type LoadedConfig } from '../core/config';

export type PrinterCheckStatus = 'ok' | 'warn' | 'fail';
type Add = (name: string, status: PrinterCheckStatus, detail: string) => void;

/** How IT staff set a default printer, per system (one place for the wording). */
export const HOW_TO_SET_DEFAULT_PRINTER: Readonly<Record<'win32' | 'other', string>> = {
  win32:
    'đặt máy in mặc định trong Cài đặt → Bluetooth & thiết bị → Máy in & máy quét (chọn máy in → Đặt làm mặc định; tắt "Để Windows quản lý máy in mặc định")',
  other:
    'đặt máy in mặc định bằng lệnh "lpoptions -d TÊN_MÁY_IN" (danh sách máy in: "lpstat -p") hoặc trong giao diện CUPS http://localhost:631',
};

const ALSO_CONFIG =
  'hoặc khai báo máy in trong tệp cấu hình (devices.documentPrinter, ví dụ { "kind": "cups", "queue": "TÊN_MÁY_IN" })';

/**
 * `doctor`: the A4 document printer the desk would print to, chosen exactly as the desk chooses it
 * (`documentPrinterSetting`). Asked for its status only; nothing is printed.
 * - training: the simulated printer, with the number of documents it has written to `printed/`;
 * - production, simulated named in the config: a warning (nothing comes out on paper);
 * - production, no default printer: a failure saying how to set one;
 * - otherwise the print system's answer (not ready is a failure).
 */
export async function checkDocumentPrinter(
  loaded: LoadedConfig,
  dataDir: string,
  add: Add,
  platform: NodeJS.Platform = process.platform,
): Promise<void> {
  const mode = loaded.trainingMode ? 'training' : 'production';
  const setting = documentPrinterSetting(mode, loaded.config.devices.documentPrinter, printedFolder(dataDir));
  const printer = createDrivers({
    mode,
    documentPrinter: setting,
    platform,
    scanner: { devices: [], fileImport: false },
  }).documentPrinter;
  const status = await printer.status();
  const detail = status.detail.startsWith(printer.name) ? status.detail : `${printer.name}: ${status.detail}`;
  if (setting.kind === 'simulated') {
    if (loaded.trainingMode) add('device.documentPrinter', status.ready ? 'ok' : 'fail', `${detail} — chế độ đào tạo`);
    else
      add(
        'device.documentPrinter',
        'warn',
        `${detail} — máy in MÔ PHỎNG theo cấu hình (devices.documentPrinter.kind = "simulated"): giấy tờ không ra giấy, chỉ thành tệp PDF`,
      );
    return;
  }
  if (status.fault === 'PRINTER_NOT_SET') {
    const how = platform === 'win32' ? HOW_TO_SET_DEFAULT_PRINTER.win32 : HOW_TO_SET_DEFAULT_PRINTER.other;
    add(
      'device.documentPrinter',
      'fail',
      `chưa đặt máy in mặc định của hệ thống và cấu hình không nêu máy in A4: ${how}, ${ALSO_CONFIG}. (${status.detail})`,
    );
    return;
  }
  add('device.documentPrinter', status.ready ? 'ok' : 'fail', `${describeSetting(setting)} — ${detail}`);
}

function describeSetting(setting: DocumentPrinterConfig): string {
  switch (setting.kind) {
    case 'cups':
      return setting.queue === undefined ? 'máy in mặc định (CUPS)' : `hàng in CUPS "${setting.queue}"`;
    case 'windows':
      return setting.printer === undefined ? 'máy in mặc định của Windows' : `máy in Windows "${setting.printer}"`;
    case 'system':
      return 'máy in mặc định của hệ thống (không khai báo devices.documentPrinter)';
    case 'simulated':
      return 'máy in mô phỏng';
  }
}

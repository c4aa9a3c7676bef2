import { createBarcodeReader, createTicketPrinter, createTokenProvider, isDeviceError } from '../../drivers';
import type { LoadedConfig } from '../core/config';
import { effectiveSigning, tokenDriverConfig } from '../signing/signing-config';
import { defaultQueueConfig, ticketPrinterConfig } from '../queue/queue-config';

export type DeviceCheckStatus = 'ok' | 'warn' | 'fail';
type Add = (name: string, status: DeviceCheckStatus, detail: string) => void;

/** How long one device may take to answer before it is reported as not answering. */
const ANSWER_MS = 10_000;

function text(err: unknown): string {
  if (isDeviceError(err)) return `${err.code}: ${err.message}`;
  return err instanceof Error ? err.message : String(err);
}

async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`${what} không trả lời sau ${ms / 1000} giây`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * `doctor`: the kiosk's ticket printer (asked for its status: online, cover, paper), the serial
 * barcode reader (opened once and closed), and the signing token (the module loaded, the token
 * and its PIN state listed; the PIN is never asked). Nothing is printed, scanned or signed.
 * A device that is configured but does not answer is a failure for the ticket printer and the
 * token (the desk needs them) and a warning for the barcode reader (typing still works).
 */
export async function checkDevices(loaded: LoadedConfig, add: Add, answerMs = ANSWER_MS): Promise<void> {
  await checkTicketPrinter(loaded, add, answerMs);
  await checkBarcodeReader(loaded, add, answerMs);
  await checkToken(loaded, add, answerMs);
}

async function checkTicketPrinter(loaded: LoadedConfig, add: Add, answerMs: number): Promise<void> {
  const { config, trainingMode } = loaded;
  const setting = ticketPrinterConfig(config.queue ?? defaultQueueConfig(config.counter), trainingMode);
  if (setting === null) {
    add('device.ticketPrinter', 'ok', 'không cấu hình máy in vé (queue.ticketPrinter): vé được lưu, không in');
    return;
  }
  const printer = createTicketPrinter(trainingMode ? 'training' : 'production', setting);
  try {
    const s = await within(printer.status(), answerMs, printer.name);
    const problems = [
      s.online ? null : 'ngoại tuyến',
      s.coverOpen ? 'nắp đang mở' : null,
      s.paperOut ? 'hết giấy' : null,
    ].filter((p) => p !== null);
    add(
      'device.ticketPrinter',
      problems.length ? 'fail' : 'ok',
      `${printer.name}: ${problems.length ? problems.join(', ') : 'sẵn sàng'}${s.paperNearEnd ? ' (giấy sắp hết)' : ''}`,
    );
  } catch (err) {
    if (isDeviceError(err) && err.code === 'PRINTER_NO_STATUS') {
      add(
        'device.ticketPrinter',
        'warn',
        `${printer.name}: kết nối được nhưng máy in không trả lời trạng thái (DLE EOT); in thử bằng "motcua-desk printer test"`,
      );
    } else {
      add('device.ticketPrinter', 'fail', `${printer.name}: ${text(err)}`);
    }
  } finally {
    await printer.close();
  }
}

async function checkBarcodeReader(loaded: LoadedConfig, add: Add, answerMs: number): Promise<void> {
  const serial = loaded.config.barcode?.serial;
  if (serial === undefined) {
    add(
      'device.barcodeReader',
      'ok',
      'không cấu hình đầu đọc mã nối tiếp (barcode.serial): đầu đọc kiểu bàn phím vẫn dùng được',
    );
    return;
  }
  const reader = createBarcodeReader(loaded.trainingMode ? 'training' : 'production', serial);
  if (reader === null) return;
  try {
    await within(reader.start(), answerMs, reader.name);
    const state = reader.state;
    if (state.connected) add('device.barcodeReader', 'ok', `${reader.name}: mở được cổng`);
    else
      add(
        'device.barcodeReader',
        'warn',
        `${reader.name}: ${state.error ? `${state.error.code}: ${state.error.message}` : 'không mở được cổng'}`,
      );
  } catch (err) {
    add('device.barcodeReader', 'warn', `${reader.name}: ${text(err)}`);
  } finally {
    await reader.close();
  }
}

async function checkToken(loaded: LoadedConfig, add: Add, answerMs: number): Promise<void> {
  const settings = effectiveSigning(loaded.config.signing, loaded.trainingMode);
  if (settings === null) {
    add('device.token', 'ok', 'ký số tắt hoặc chưa cấu hình (signing)');
    return;
  }
  const provider = createTokenProvider(loaded.trainingMode ? 'training' : 'production', tokenDriverConfig(settings));
  try {
    const slots = await within(provider.listSlots(), answerMs, settings.modulePath ?? 'token');
    const tokens = slots.filter(
      (s) => s.token !== null && (settings.tokenLabel === undefined || s.token.label === settings.tokenLabel),
    );
    const where = settings.simulated ? 'token mô phỏng (chế độ đào tạo)' : (settings.modulePath ?? '');
    if (tokens.length === 0) {
      add(
        'device.token',
        'fail',
        `${where}: nạp được thư viện, ${slots.length} khe, chưa cắm token${settings.tokenLabel ? ` nhãn "${settings.tokenLabel}"` : ''}`,
      );
      return;
    }
    const t = tokens[0]!.token!;
    const pin = t.pinLocked
      ? 'PIN ĐÃ BỊ KHÓA'
      : t.pinFinalTry
        ? 'còn 1 lần nhập PIN'
        : t.pinCountLow
          ? 'đã có lần nhập sai PIN'
          : 'PIN bình thường';
    add(
      'device.token',
      t.pinLocked ? 'fail' : 'ok',
      `${where}: token "${t.label}" (${t.manufacturer} ${t.model}, số ${t.serialNumber}), ${pin}; khóa ký CKA_ID ${settings.keyId}`,
    );
  } catch (err) {
    add('device.token', 'fail', `${settings.modulePath ?? 'token'}: ${text(err)}`);
  } finally {
    await provider.dispose();
  }
}

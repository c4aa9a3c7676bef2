import { createDrivers, type ScannerDeviceConfig } from '../../drivers';
import type { LoadedConfig } from '../core/config';
import { scannerDriverConfig } from '../core/scanners-config';

export type ScannerCheckStatus = 'ok' | 'warn' | 'fail';
type Add = (name: string, status: ScannerCheckStatus, detail: string) => void;

/** How long one scanner may take to answer (an eSCL scanner that is switched off times out). */
const ANSWER_MS = 10_000;

/**
 * `doctor`: every configured scanner, reachable or not. Each configured entry is built alone
 * through `createDrivers` and asked for its capabilities. A scanner that does not answer is a
 * warning, not a failure: a switched-off scanner does not stop the desk from receiving dossiers.
 */
export async function checkScanners(loaded: LoadedConfig, add: Add, answerMs = ANSWER_MS): Promise<void> {
  const driverConfig = scannerDriverConfig(loaded.config.scanners);
  const devices = driverConfig.devices ?? [];
  if (loaded.trainingMode) {
    add(
      'scanners',
      'ok',
      `chế độ đào tạo: ${Math.max(1, devices.length)} máy quét mô phỏng${devices.length ? ` thay cho ${devices.map(describe).join(', ')}` : ''}`,
    );
    return;
  }
  if (devices.length === 0) {
    add(
      'scanners',
      'warn',
      `chưa cấu hình máy quét nào (scanners.sane = false, không có scanners.escl, scanners.folders)${driverConfig.fileImport ? '; chỉ nhập từ tệp' : ''}`,
    );
    return;
  }
  for (const device of devices) await checkOne(device, add, answerMs);
  add('scanners.fileImport', 'ok', driverConfig.fileImport ? 'nhập từ tệp: bật' : 'nhập từ tệp: tắt');
}

async function checkOne(device: ScannerDeviceConfig, add: Add, answerMs: number): Promise<void> {
  const name = `scanner.${device.kind}`;
  const provider = createDrivers({
    mode: 'production',
    documentPrinter: { kind: 'simulated' },
    scanner: { devices: [device], fileImport: false },
  }).scanners;
  let list;
  try {
    list = await within(provider.list(), answerMs);
  } catch (err) {
    add(
      name,
      'warn',
      `${describe(device)}: không liệt kê được (${text(err)})${device.kind === 'sane' ? '; cài sane-utils, hoặc đặt scanners.sane = false nếu máy trạm không dùng SANE' : ''}`,
    );
    return;
  }
  if (device.kind === 'sane') {
    const found = new Set(list.map((s) => s.id.slice('sane:'.length)));
    for (const missing of (device.devices ?? []).filter((d) => !found.has(d))) {
      add(
        name,
        'warn',
        `SANE ${missing}: scanimage -L không thấy thiết bị này (tắt, chưa cắm hoặc sai tên trong scanners.sane.devices)`,
      );
    }
    if (list.length === 0 && device.devices === undefined)
      add(name, 'warn', 'SANE (auto): scanimage -L không thấy máy quét nào');
  }
  for (const info of list) {
    try {
      const caps = await within(provider.open(info.id).capabilities(), answerMs);
      add(
        name,
        'ok',
        `${info.name} [${info.id}]: trả lời được; nguồn ${caps.sources.join('/')}, ${caps.duplex ? 'hai mặt, ' : ''}${caps.resolutions.length ? `${Math.min(...caps.resolutions)}-${Math.max(...caps.resolutions)} dpi` : 'không rõ dpi'}`,
      );
    } catch (err) {
      add(name, 'warn', `${info.name} [${info.id}]: không trả lời (${text(err)})`);
    }
  }
}

function describe(device: ScannerDeviceConfig): string {
  switch (device.kind) {
    case 'sane':
      return device.devices ? `SANE ${device.devices.join(', ')}` : 'SANE (auto)';
    case 'escl':
      return `eSCL ${device.url}`;
    case 'folder':
      return `thư mục ${device.path}`;
    case 'simulated':
      return device.name ?? 'máy quét mô phỏng';
  }
}

function text(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).replace(/\s+/g, ' ').slice(0, 300);
}

async function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error(`không trả lời trong ${ms / 1000} giây`)), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

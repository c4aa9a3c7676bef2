import { createBarcodeReader, type BarcodeReader } from '../../drivers';
import type { BarcodeConfig } from './barcode-config';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';

/**
 * Starts the configured serial barcode reader and forwards what it reads to every signed-in
 * window (`barcode.scanned`), where the renderer routes it exactly as a keyboard-wedge scan.
 * State changes (unplugged, back, misconfigured) go out as `barcode.state` and into the log;
 * scanned text never reaches the log (an ID card QR is personal data).
 */
export function startBarcodeReader(opts: {
  mode: 'training' | 'production';
  config: BarcodeConfig | undefined;
  events: EventPublisher;
  log: Logger;
}): BarcodeReader | null {
  const serial = opts.config?.serial;
  const reader = createBarcodeReader(opts.mode, serial);
  if (reader === null) return null;
  reader.onScan((scan) => {
    opts.log.log('info', 'barcode.scan', { reader: scan.reader, length: scan.text.length });
    opts.events.publish('barcode.scanned', scan);
  });
  reader.onState((state) => {
    const error = state.error === undefined ? undefined : { code: state.error.code, message: state.error.message };
    opts.log.log(state.connected && error === undefined ? 'info' : 'warn', 'barcode.state', {
      reader: reader.name,
      connected: state.connected,
      ...(error ? { code: error.code, message: error.message } : {}),
    });
    opts.events.publish('barcode.state', {
      reader: reader.name,
      connected: state.connected,
      ...(error ? { error } : {}),
    });
  });
  void reader.start();
  return reader;
}

import { z } from 'zod';

/**
 * The `barcode` section of the workstation configuration (docs/operations.md, "Barcode readers"):
 * - `serial`: a reader on a serial port (or a USB reader in virtual-COM mode) that the core reads
 *   and forwards to the windows as `barcode.scanned` events;
 * - `wedge`: how the renderer tells a keyboard-wedge reader from a person typing.
 * Error messages name the field (`barcode.serial.terminator: …`) through `describeIssues`.
 */
export const BARCODE_BAUD_RATES = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200] as const;

/** Same grammar as the driver's `parseTerminator`: CR, LF, CRLF, or one byte as 0xNN or decimal. */
function isTerminator(text: string): boolean {
  const t = text.trim().toUpperCase();
  if (t === 'CR' || t === 'LF' || t === 'CRLF') return true;
  const m = /^(?:0X([0-9A-F]{1,2})|(\d{1,3}))$/.exec(t);
  return m !== null && (m[1] !== undefined || Number(m[2]) <= 255);
}

export const BarcodeWedgeSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Longest gap between two keys of one scan, in ms; a person typing is slower. */
    maxGapMs: z.number().min(5).max(200).default(35),
    /** Shortest scan in characters; shorter bursts stay in the field they were typed in. */
    minLength: z.number().int().min(3).max(200).default(6),
  })
  .strict();

export const BarcodeConfigSchema = z
  .object({
    serial: z
      .object({
        /** `/dev/ttyUSB0`, `/dev/serial/by-id/…`, `COM3`. */
        path: z.string().min(1, 'đường dẫn cổng nối tiếp, ví dụ /dev/ttyUSB0 hoặc COM3'),
        baudRate: z
          .number()
          .int()
          .refine(
            (b) => (BARCODE_BAUD_RATES as readonly number[]).includes(b),
            `tốc độ baud là một trong ${BARCODE_BAUD_RATES.join(', ')}`,
          )
          .default(9600),
        terminator: z
          .string()
          .refine(isTerminator, 'ký tự kết thúc là CR, LF, CRLF hoặc một byte như 0x03')
          .default('CR'),
        /** How often a missing or unplugged reader is tried again. */
        reconnectMs: z.number().int().min(200).max(60_000).default(2000),
      })
      .strict()
      .optional(),
    wedge: BarcodeWedgeSchema.optional(),
  })
  .strict();

export type BarcodeConfig = z.infer<typeof BarcodeConfigSchema>;

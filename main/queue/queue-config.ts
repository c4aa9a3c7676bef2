import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { PriorityRule, type QueueSetup } from '../../common/contract';
import { parsePrinterTarget, type TicketPrinterConfig } from '../../drivers';

/**
 * The `queue` section of the workstation configuration (docs/operations.md, "Queue"):
 *
 * ```json
 * "queue": {
 *   "services": [{ "code": "HO-TICH", "name": "Hộ tịch", "prefix": "A", "procedures": ["1.001193"] }],
 *   "counters": [{ "id": "Q01", "name": "Quầy số 1", "services": ["HO-TICH"] }],
 *   "priority": { "mode": "interleave", "every": 3 },
 *   "ticketPrinter": { "kind": "escpos", "target": "tcp:192.168.1.50:9100", "paper": 80 }
 * }
 * ```
 *
 * Without the section a production desk has one service (`TTHC`, prefix A, every procedure) at its
 * own counter; training mode uses `resources/seed/queue.json`, which matches the seeded catalogue.
 * Errors name the field: `queue.counters.1.services.0: dịch vụ "X" chưa khai báo trong queue.services`.
 */
const Code = z
  .string()
  .regex(/^[A-Z0-9][A-Z0-9_-]{0,39}$/, 'mã dịch vụ: chữ in hoa, số, "-" hoặc "_" (tối đa 40 ký tự)');
const Prefix = z.string().regex(/^[A-Z]{1,2}$/, 'tiền tố số thứ tự: 1-2 chữ cái in hoa (A, B, ...)');

const ServiceSchema = z
  .object({
    code: Code,
    name: z.string().trim().min(1).max(100),
    prefix: Prefix,
    /** Procedure codes (MaTTHC) this service receives; empty or left out = any procedure. */
    procedures: z.array(z.string().min(1).max(40)).default([]),
  })
  .strict();

const CounterSchema = z
  .object({
    id: z.string().min(1).max(20),
    name: z.string().trim().min(1).max(100),
    services: z.array(Code).min(1, 'mỗi quầy phục vụ ít nhất một dịch vụ'),
  })
  .strict();

const TicketPrinterSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('simulated'), paper: z.union([z.literal(58), z.literal(80)]).optional() }).strict(),
  z
    .object({
      kind: z.literal('escpos'),
      target: z.string().superRefine((target, ctx) => {
        try {
          parsePrinterTarget(target);
        } catch (err) {
          ctx.addIssue({
            code: 'custom',
            message: `máy in vé dạng serial:/dev/ttyUSB0@9600, tcp:192.168.1.50:9100 hoặc usb:/dev/usb/lp0 (${(err as Error).message})`,
          });
        }
      }),
      paper: z.union([z.literal(58), z.literal(80)]),
      cp1258Table: z.number().int().min(0).max(255).optional(),
      statusTimeoutMs: z.number().int().min(50).max(10_000).optional(),
    })
    .strict(),
]);

export const QueueConfigSchema = z
  .object({
    services: z.array(ServiceSchema).min(1, 'khai báo ít nhất một dịch vụ'),
    counters: z.array(CounterSchema).min(1, 'khai báo ít nhất một quầy'),
    priority: PriorityRule.default({ mode: 'first' }),
    /** The kiosk's thermal printer; none = tickets are not printed. Training mode always uses the twin. */
    ticketPrinter: TicketPrinterSchema.optional(),
  })
  .strict()
  .superRefine((queue, ctx) => {
    const codes = new Set<string>();
    const prefixes = new Set<string>();
    queue.services.forEach((s, i) => {
      if (codes.has(s.code))
        ctx.addIssue({ code: 'custom', path: ['services', i, 'code'], message: `mã dịch vụ "${s.code}" bị trùng` });
      if (prefixes.has(s.prefix))
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'prefix'],
          message: `tiền tố "${s.prefix}" đã dùng cho dịch vụ khác`,
        });
      codes.add(s.code);
      prefixes.add(s.prefix);
    });
    const ids = new Set<string>();
    queue.counters.forEach((c, i) => {
      if (ids.has(c.id))
        ctx.addIssue({ code: 'custom', path: ['counters', i, 'id'], message: `mã quầy "${c.id}" bị trùng` });
      ids.add(c.id);
      c.services.forEach((code, j) => {
        if (!codes.has(code))
          ctx.addIssue({
            code: 'custom',
            path: ['counters', i, 'services', j],
            message: `dịch vụ "${code}" chưa khai báo trong queue.services`,
          });
      });
    });
    queue.services.forEach((s, i) => {
      if (!queue.counters.some((c) => c.services.includes(s.code))) {
        ctx.addIssue({
          code: 'custom',
          path: ['services', i, 'code'],
          message: `dịch vụ "${s.code}" không có quầy nào phục vụ`,
        });
      }
    });
  });

export type QueueConfig = z.output<typeof QueueConfigSchema>;

/** The desk's own counter must be one of the queue's counters (issue named `queue.counters`). */
export function checkDeskCounter(queue: QueueConfig | undefined, deskCounter: string): string | null {
  if (!queue || queue.counters.some((c) => c.id === deskCounter)) return null;
  return `quầy của máy này (counter.id "${deskCounter}") phải có trong queue.counters`;
}

/** Production without a `queue` section: one service at the desk's own counter. */
export function defaultQueueConfig(counter: { id: string; name: string }): QueueConfig {
  return {
    services: [{ code: 'TTHC', name: 'Thủ tục hành chính', prefix: 'A', procedures: [] }],
    counters: [{ id: counter.id, name: counter.name, services: ['TTHC'] }],
    priority: { mode: 'first' },
  };
}

/** Training mode: services and counters matching the seeded catalogue (`resources/seed/queue.json`). */
export function trainingQueueConfig(resourcesDir: string): QueueConfig {
  const raw: unknown = JSON.parse(readFileSync(join(resourcesDir, 'seed', 'queue.json'), 'utf8'));
  return QueueConfigSchema.parse(raw);
}

export function toSetup(queue: QueueConfig, deskCounter: string): QueueSetup {
  return {
    services: queue.services.map((s) => ({
      code: s.code,
      name: s.name,
      prefix: s.prefix,
      procedures: [...s.procedures],
    })),
    counters: queue.counters.map((c) => ({ id: c.id, name: c.name, services: [...c.services] })),
    priority: queue.priority,
    deskCounter,
  };
}

export function ticketPrinterConfig(queue: QueueConfig, trainingMode: boolean): TicketPrinterConfig | null {
  if (trainingMode) return { kind: 'simulated', paper: queue.ticketPrinter?.paper ?? 80 };
  return queue.ticketPrinter ?? null;
}

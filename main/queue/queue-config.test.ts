import { describe, expect, it } from 'vitest';
import { AppError, Procedure } from '../../common/contract';
import { parseConfig } from '../core/config';
import { resourcesDir } from '../kernel/resources';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultQueueConfig, ticketPrinterConfig, toSetup, trainingQueueConfig } from './queue-config';

const base = {
  agency: { id: '000.00.12.H56', name: 'UBND xã Hòa Bình', deskSlot: 1 },
  counter: { id: 'Q02', name: 'Quầy 2' },
};
const queue = {
  services: [
    { code: 'HO-TICH', name: 'Hộ tịch', prefix: 'A', procedures: ['1.001193'] },
    { code: 'CHUNG-THUC', name: 'Chứng thực', prefix: 'B' },
  ],
  counters: [
    { id: 'Q01', name: 'Quầy 1', services: ['HO-TICH'] },
    { id: 'Q02', name: 'Quầy 2', services: ['CHUNG-THUC', 'HO-TICH'] },
  ],
  priority: { mode: 'interleave', every: 3 },
  ticketPrinter: { kind: 'escpos', target: 'tcp:192.168.1.50:9100', paper: 80 },
};

function fieldsOf(raw: unknown): string[] {
  try {
    parseConfig(raw);
  } catch (err) {
    if (err instanceof AppError && err.code === 'CONFIG_INVALID') return (err.details as { fields: string[] }).fields;
    throw err;
  }
  throw new Error('expected CONFIG_INVALID');
}

describe('queue configuration', () => {
  it('accepts services, counters, a priority rule and a ticket printer, filling defaults', () => {
    const config = parseConfig({ ...base, queue });
    expect(config.queue?.services[1]).toEqual({ code: 'CHUNG-THUC', name: 'Chứng thực', prefix: 'B', procedures: [] });
    expect(config.queue?.priority).toEqual({ mode: 'interleave', every: 3 });
    expect(toSetup(config.queue!, 'Q02').deskCounter).toBe('Q02');
    expect(ticketPrinterConfig(config.queue!, false)).toEqual({
      kind: 'escpos',
      target: 'tcp:192.168.1.50:9100',
      paper: 80,
    });
    expect(ticketPrinterConfig(config.queue!, true)).toEqual({ kind: 'simulated', paper: 80 });
    expect(parseConfig({ ...base, queue: { ...queue, priority: undefined } }).queue?.priority).toEqual({
      mode: 'first',
    });
    expect(parseConfig(base).queue).toBeUndefined();
  });

  it.each([
    [{ ...queue, services: [] }, 'queue.services'],
    [{ ...queue, services: [{ ...queue.services[0], prefix: 'a' }, queue.services[1]] }, 'queue.services.0.prefix'],
    [{ ...queue, services: [queue.services[0], { ...queue.services[1], prefix: 'A' }] }, 'queue.services.1.prefix'],
    [{ ...queue, services: [queue.services[0], { ...queue.services[1], code: 'HO-TICH' }] }, 'queue.services.1.code'],
    [{ ...queue, services: [{ ...queue.services[0], code: 'hộ tịch' }, queue.services[1]] }, 'queue.services.0.code'],
    [
      { ...queue, counters: [queue.counters[0], { ...queue.counters[1], services: ['CHUNG-THUC', 'CU-TRU'] }] },
      'queue.counters.1.services.1',
    ],
    [{ ...queue, counters: [queue.counters[0], { ...queue.counters[1], services: [] }] }, 'queue.counters.1.services'],
    [{ ...queue, counters: [queue.counters[1], queue.counters[1]] }, 'queue.counters.1.id'],
    [{ ...queue, counters: [queue.counters[0]] }, 'queue.services.1.code'],
    [{ ...queue, counters: [queue.counters[0], { ...queue.counters[0], id: 'Q03' }] }, 'queue.counters'],
    [{ ...queue, priority: { mode: 'interleave', every: 1 } }, 'queue.priority.every'],
    [{ ...queue, priority: { mode: 'random' } }, 'queue.priority.mode'],
    [{ ...queue, ticketPrinter: { kind: 'escpos', target: 'lpt1', paper: 80 } }, 'queue.ticketPrinter.target'],
    [{ ...queue, ticketPrinter: { kind: 'escpos', target: 'tcp:10.0.0.5', paper: 76 } }, 'queue.ticketPrinter.paper'],
    [{ ...queue, kiosk: true }, 'queue'],
  ])('names the wrong field (%#)', (value, field) => {
    expect(fieldsOf({ ...base, queue: value })).toContain(field);
  });

  it('gives a production desk without a queue section one service at its counter', () => {
    expect(toSetup(defaultQueueConfig(base.counter), base.counter.id)).toEqual({
      services: [{ code: 'TTHC', name: 'Thủ tục hành chính', prefix: 'A', procedures: [] }],
      counters: [{ id: 'Q02', name: 'Quầy 2', services: ['TTHC'] }],
      priority: { mode: 'first' },
      deskCounter: 'Q02',
    });
  });

  it('seeds training services that cover exactly the seeded catalogue, served at the training counter', () => {
    const training = trainingQueueConfig(resourcesDir());
    const catalogue = (
      JSON.parse(readFileSync(join(resourcesDir(), 'seed', 'catalogue.json'), 'utf8')) as unknown[]
    ).map((p) => Procedure.parse(p));
    const covered = training.services.flatMap((s) => s.procedures);
    expect(new Set(covered).size).toBe(covered.length);
    expect([...covered].sort()).toEqual(catalogue.map((p) => p.code).sort());
    expect(training.counters.map((c) => c.id)).toContain('Q01');
    for (const s of training.services) {
      const sectors = new Set(catalogue.filter((p) => s.procedures.includes(p.code)).map((p) => p.sectorCode));
      if (sectors.size === 1) expect(s.code).toBe([...sectors][0]);
    }
  });
});

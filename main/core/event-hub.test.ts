import { describe, expect, it } from 'vitest';
import type { EventName } from '../../common/contract';
import type { Logger } from '../kernel/logger';
import { EventHub } from './event-hub';

function recordingLog(): {
  log: Logger;
  records: { level: string; event: string; fields: Record<string, unknown> | undefined }[];
} {
  const records: { level: string; event: string; fields: Record<string, unknown> | undefined }[] = [];
  const log: Logger = {
    log: (level, event, fields) => {
      records.push({ level, event, fields });
    },
    child: () => log,
  };
  return { log, records };
}

describe('the event hub', () => {
  it('delivers each published event, with its payload, to every subscriber in order', () => {
    const hub = new EventHub(recordingLog().log);
    const all: { event: EventName; payload: unknown }[] = [];
    const codes: string[] = [];
    hub.subscribe((event, payload) => all.push({ event, payload }));
    hub.on('dossier.changed', (payload) => codes.push(payload.code));
    hub.publish('dossier.changed', { code: '000.00.12.H56-251120-0001', status: 2 });
    hub.publish('barcode.scanned', { text: '001203004567', reader: 'COM3' });
    expect(all).toEqual([
      { event: 'dossier.changed', payload: { code: '000.00.12.H56-251120-0001', status: 2 } },
      { event: 'barcode.scanned', payload: { text: '001203004567', reader: 'COM3' } },
    ]);
    expect(codes).toEqual(['000.00.12.H56-251120-0001']);
  });

  it('a subscriber that throws is logged and the others still get the event', () => {
    const { log, records } = recordingLog();
    const hub = new EventHub(log);
    const before: number[] = [];
    const after: number[] = [];
    hub.on('dossier.changed', (p) => before.push(p.status));
    hub.subscribe(() => {
      throw new Error('a closed window');
    });
    hub.on('dossier.changed', (p) => after.push(p.status));
    expect(() => hub.publish('dossier.changed', { code: 'X', status: 3 })).not.toThrow();
    expect(before).toEqual([3]);
    expect(after).toEqual([3]);
    expect(records).toEqual([
      {
        level: 'error',
        event: 'events.listener-failed',
        fields: { event: 'dossier.changed', error: 'a closed window' },
      },
    ]);
  });

  it('stops delivering to a subscriber that unsubscribed', () => {
    const hub = new EventHub(recordingLog().log);
    const got: string[] = [];
    const stop = hub.on('queue.called', (p) => got.push(p.number));
    hub.publish('queue.called', {
      ticketId: 1,
      number: 'A001',
      service: 'A',
      counter: 'Q01',
      counterName: 'Quầy 1',
      recall: false,
    });
    stop();
    hub.publish('queue.called', {
      ticketId: 2,
      number: 'A002',
      service: 'A',
      counter: 'Q01',
      counterName: 'Quầy 1',
      recall: false,
    });
    expect(got).toEqual(['A001']);
  });

  it('is typed by the contract: a payload that does not fit its event does not compile', () => {
    const hub = new EventHub(recordingLog().log);
    // Never called: the type checker (npx tsc -p tsconfig.node.json) reads these lines.
    const typed = (): void => {
      // @ts-expect-error a dossier.changed payload needs a status
      hub.publish('dossier.changed', { code: 'X' });
      // @ts-expect-error no such event
      hub.publish('dossier.gone', { code: 'X' });
      // @ts-expect-error the payload of dossier.changed has no `text`
      hub.on('dossier.changed', (p) => p.text);
    };
    expect(typeof typed).toBe('function');
  });
});

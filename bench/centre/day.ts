import { createHash } from 'node:crypto';
import type { Ticket } from '../../common/contract';
import { formatDossierCode } from '../../common/domain/dossier-code';
import { toLocalDateTime } from '../../main/kernel/clock';
import { maskIdNumber } from '../../main/kernel/mask';
import type { DeskFeedHandle } from '../../main/remotes/centre/centre.port';
import type { ReplicationEntry } from '../../main/remotes/centre/wire-replication';
import { Random, Weighted } from '../lib/random';
import type { BenchDesk, BrowserDevice } from './devices';

/**
 * The simulated day: the kiosks issue tickets on an arrival curve, the desks call, serve, receive
 * dossiers (leasing numbers, replicating the receipt) and finish, the displays follow the calls.
 * Every latency is taken in this process with `performance.now()` (one clock for all of them).
 */
export const SERVICES = [
  { code: 'HO-TICH', name: 'Hộ tịch', prefix: 'A', procedure: ['1.001193', 'Đăng ký khai sinh'], weight: 0.3 },
  { code: 'CHUNG-THUC', name: 'Chứng thực', prefix: 'B', procedure: ['2.000815', 'Chứng thực bản sao'], weight: 0.3 },
  { code: 'DAT-DAI', name: 'Đất đai', prefix: 'C', procedure: ['1.012812', 'Đăng ký biến động đất đai'], weight: 0.15 },
  { code: 'CU-TRU', name: 'Cư trú', prefix: 'D', procedure: ['1.004222', 'Đăng ký thường trú'], weight: 0.15 },
  { code: 'KHAC', name: 'Thủ tục khác', prefix: 'E', procedure: ['2.001909', 'Tiếp công dân'], weight: 0.1 },
] as const;

/** Share of the day's arrivals per working hour (07:30-11:30, 13:30-17:30): the morning peak. */
export const HOUR_WEIGHTS = [0.17, 0.19, 0.15, 0.09, 0.12, 0.11, 0.1, 0.07];
const DAY_MINUTES = 8 * 60;

export function counterId(i: number): string {
  return `Q${String(i + 1).padStart(2, '0')}`;
}

/** Every counter serves two services; with five services, each is served at two counters of every five. */
export function benchQueue(desks: number) {
  return {
    services: SERVICES.map((s) => ({ code: s.code, name: s.name, prefix: s.prefix, procedures: [] })),
    counters: Array.from({ length: desks }, (_, i) => ({
      id: counterId(i),
      name: `Quầy số ${i + 1}`,
      services: [SERVICES[(2 * i) % SERVICES.length]!.code, SERVICES[(2 * i + 1) % SERVICES.length]!.code],
    })),
    priority: { mode: 'first' as const },
  };
}

/** Arrival offsets in the day (fractions 0..1), sorted. */
export function arrivals(random: Random, n: number): number[] {
  const hours = new Weighted(HOUR_WEIGHTS.map((w, h) => [h, w] as const));
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push((hours.pick(random) + random.next()) / HOUR_WEIGHTS.length);
  return out.sort((a, b) => a - b);
}

export interface DayOptions {
  tickets: number;
  dossiers: number;
  /** Wall milliseconds of the compressed day. */
  dayMs: number;
  seed: number;
  /** False: the desks keep no feed open (they poll on QUEUE_EMPTY); the feed's cost by difference. */
  deskFeeds: boolean;
}

export class DayStats {
  callNext: number[] = [];
  hello: number[] = [];
  take: number[] = [];
  lease: number[] = [];
  replicate: number[] = [];
  finish: number[] = [];
  boardRead: number[] = [];
  display: number[] = [];
  displayBeforeAnswer = 0;
  displayMissing = 0;
  /** Messages the desks' feeds received (every desk gets its counter's state after every change). */
  deskFeedMessages = 0;
  /** Events the displays and kiosks received. */
  deviceEvents = 0;
  errors: Record<string, number> = {};
  issued = 0;
  called = 0;
  served = 0;
  dossiers = 0;
  statusChanges = 0;
  leases = 0;
  duplicateCallsSeen = 0;
  rejectedEntries: { key: string | null; code: string }[] = [];
  /** Receipt codes sent (one per dossier). */
  codes = new Set<string>();
  duplicateCodesSent = 0;

  error(code: string): void {
    this.errors[code] = (this.errors[code] ?? 0) + 1;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));

function codeOf(err: unknown): string {
  const c = (err as { code?: unknown } | null)?.code;
  return typeof c === 'string' ? c : err instanceof Error ? err.message.slice(0, 60) : 'UNKNOWN';
}

/** Runs the day; resolves once every issued ticket has been served. */
export async function runDay(
  opts: DayOptions,
  devices: { desks: BenchDesk[]; kiosks: BrowserDevice[]; displays: BrowserDevice[] },
  progress: (line: string) => void,
): Promise<DayStats> {
  const stats = new DayStats();
  const random = new Random(opts.seed);
  const compression = (DAY_MINUTES * 60_000) / opts.dayMs;
  const serviceMix = new Weighted(SERVICES.map((s) => [s, s.weight] as const));
  const plan = arrivals(random, opts.tickets).map((at) => ({
    at,
    service: serviceMix.pick(random),
    priority: random.chance(0.05),
  }));
  const answeredAt = new Map<number, number>();
  const eventAt = new Map<number, number[]>();
  const calledIds = new Set<number>();
  let kiosksDone = false;
  let dossiersLeft = opts.dossiers;
  const start = performance.now();
  const elapsed = () => performance.now() - start;
  const today = toLocalDateTime(Date.now()).slice(0, 10);

  // Displays: the call's latency from the calling desk's answer; the board re-read on changes.
  const follow = (device: BrowserDevice, measure: boolean): void => {
    let reading = false;
    let again = false;
    let lastRead = 0;
    const readBoard = async (): Promise<void> => {
      if (reading) {
        again = true;
        return;
      }
      reading = true;
      // The page's store reads the board again on a change, at most four times a second.
      await sleep(250 - (performance.now() - lastRead));
      lastRead = performance.now();
      const t0 = performance.now();
      const r = await device.call('queue.board');
      if (r.ok) stats.boardRead.push(performance.now() - t0);
      else stats.error(`board:${r.error?.code ?? '?'}`);
      reading = false;
      if (again) {
        again = false;
        void readBoard();
      }
    };
    device.on((event, payload) => {
      const now = performance.now();
      stats.deviceEvents += 1;
      if (event === 'queue.changed') void readBoard();
      if (!measure || event !== 'queue.called') return;
      const call = payload as { ticketId: number; recall: boolean };
      if (call.recall) return;
      const answered = answeredAt.get(call.ticketId);
      if (answered !== undefined) stats.display.push(now - answered);
      else eventAt.set(call.ticketId, [...(eventAt.get(call.ticketId) ?? []), now]);
    });
  };
  devices.displays.forEach((d) => follow(d, true));
  devices.kiosks.forEach((k) => follow(k, false));

  const kiosk = async (device: BrowserDevice, mine: typeof plan): Promise<void> => {
    for (const p of mine) {
      await sleep(p.at * opts.dayMs - elapsed());
      const t0 = performance.now();
      const r = await device.call('queue.takeTicket', { service: p.service.code, priority: p.priority });
      if (!r.ok) {
        stats.error(`take:${r.error?.code ?? '?'}`);
        continue;
      }
      stats.take.push(performance.now() - t0);
      stats.issued += 1;
    }
  };

  const desk = async (d: BenchDesk, index: number): Promise<void> => {
    const actor = `canbo${index + 1}`;
    const r = new Random(opts.seed * 1000 + index);
    let block: { next: number; to: number } | null = null;
    let outbox = 0;
    let wake: (() => void) | null = null;
    const feed: DeskFeedHandle | null = !opts.deskFeeds
      ? null
      : d.client.openFeed({
          onMessage(m) {
            stats.deskFeedMessages += 1;
            if (m.event === 'queue.changed' && m.data.waiting.length > 0) wake?.();
          },
          onState(state, reason) {
            if (state !== 'connected') stats.error(`feed:${state}${reason ? `:${reason.slice(0, 40)}` : ''}`);
          },
        });
    const waitForWork = (ms: number) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(done, ms);
        function done(): void {
          clearTimeout(t);
          wake = null;
          resolve();
        }
        wake = done;
      });
    try {
      for (;;) {
        // A centre that stopped answering must not keep the bench running for ever.
        if (elapsed() > opts.dayMs * 3 + 120_000) {
          stats.error('DAY_OVERRUN');
          return;
        }
        let ticket: Ticket;
        const t0 = performance.now();
        try {
          ticket = await d.client.queue('callNext', { actor });
        } catch (err) {
          const code = codeOf(err);
          stats.error(code);
          if (code !== 'QUEUE_EMPTY') await sleep(200);
          else if (kiosksDone && stats.called >= stats.issued) return;
          else await waitForWork(1000 + r.int(0, 500));
          continue;
        }
        const t1 = performance.now();
        stats.callNext.push(t1 - t0);
        answeredAt.set(ticket.id, t1);
        for (const early of eventAt.get(ticket.id) ?? []) {
          stats.display.push(Math.max(0, early - t1));
          stats.displayBeforeAnswer += 1;
        }
        eventAt.delete(ticket.id);
        if (calledIds.has(ticket.id)) stats.duplicateCallsSeen += 1;
        calledIds.add(ticket.id);
        stats.called += 1;
        // Exactly `dossiers` of the day's calls receive one: the chance is what is left over the calls left.
        const withDossier = dossiersLeft > 0 && r.next() * (opts.tickets - stats.called + 1) < dossiersLeft;
        if (withDossier) dossiersLeft -= 1;

        // Reference: the same connection's floor (TLS, the device check, a JSON answer).
        const h0 = performance.now();
        await d.client.hello().then(
          () => stats.hello.push(performance.now() - h0),
          (err: unknown) => stats.error(`hello:${codeOf(err)}`),
        );

        // 2-8 minutes at the counter, compressed.
        const serveMs = (r.int(120, 480) * 1000) / compression;
        await sleep(serveMs / 2);
        const receipt = withDossier ? await receive(d, ticket, actor, r) : null;
        await sleep(serveMs / 2);
        // The replicated receipt names its ticket: the centre finishes it in the same transaction
        // (main/centre/replication/ticket-link.ts); the desk finishes only the others.
        if (receipt?.replicated) {
          stats.served += 1;
          continue;
        }
        const f0 = performance.now();
        try {
          await d.client.queue('finish', { dossierCode: receipt?.code ?? null, actor });
          stats.finish.push(performance.now() - f0);
          stats.served += 1;
        } catch (err) {
          stats.error(`finish:${codeOf(err)}`);
        }
      }
    } finally {
      feed?.close();
    }

    async function receive(
      desk: BenchDesk,
      ticket: Ticket,
      officer: string,
      rr: Random,
    ): Promise<{ code: string | null; replicated: boolean }> {
      if (!block || block.next > block.to) {
        const l0 = performance.now();
        try {
          const leased = await desk.client.leaseNumbers({ agencyId: desk.agencyId, date: today, count: 20 });
          stats.lease.push(performance.now() - l0);
          stats.leases += 1;
          block = { next: leased.from, to: leased.to };
        } catch (err) {
          stats.error(`lease:${codeOf(err)}`);
          return { code: null, replicated: false };
        }
      }
      const code = formatDossierCode(desk.agencyId, today, block.next);
      block.next += 1;
      if (stats.codes.has(code)) stats.duplicateCodesSent += 1;
      stats.codes.add(code);
      const at = Date.now();
      const local = toLocalDateTime(at);
      const service = SERVICES.find((s) => s.code === ticket.service) ?? SERVICES[0];
      const id = `0${rr.digits(11)}`;
      const entries: ReplicationEntry[] = [
        {
          key: `${desk.deviceId}:${++outbox}`,
          kind: 'dossier.received',
          at,
          payload: {
            code,
            agencyId: desk.agencyId,
            procedureCode: service.procedure[0],
            procedureName: service.procedure[1],
            channel: 'walk-in',
            officer,
            counter: desk.counter,
            receivedAt: local,
            appointmentAt: null,
            applicantKey: createHash('sha256').update(id).digest('hex'),
            applicantIdMasked: maskIdNumber(id),
            components: [{ code: 'TP1', name: 'Tờ khai', source: 'paper' }],
            fee: rr.chance(0.5) ? 0 : 50_000,
            ticketId: ticket.id,
            ticketNumber: ticket.number,
          },
        },
      ];
      if (rr.chance(0.3)) {
        entries.push({
          key: `${desk.deviceId}:${++outbox}`,
          kind: 'dossier.status',
          at: at + 1,
          payload: { code, status: 2, at: local, officer },
        });
      }
      const r0 = performance.now();
      try {
        const results = await desk.client.replicate(entries);
        stats.replicate.push(performance.now() - r0);
        for (const res of results) {
          if (res.outcome !== 'stored')
            stats.rejectedEntries.push({ key: res.key, code: res.error?.code ?? res.outcome });
        }
        stats.dossiers += 1;
        stats.statusChanges += entries.length - 1;
        return { code, replicated: results[0]?.outcome === 'stored' };
      } catch (err) {
        stats.error(`replicate:${codeOf(err)}`);
        return { code, replicated: false };
      }
    }
  };

  const byKiosk = devices.kiosks.map((_, k) => plan.filter((__, i) => i % devices.kiosks.length === k));
  const ticker = setInterval(
    () =>
      progress(
        `  ${(elapsed() / 1000).toFixed(0)} s: issued ${stats.issued}, called ${stats.called}, served ${stats.served}, dossiers ${stats.dossiers}`,
      ),
    15_000,
  );
  try {
    const deskRuns = devices.desks.map((d, i) => desk(d, i));
    await Promise.all(devices.kiosks.map((k, i) => kiosk(k, byKiosk[i]!)));
    kiosksDone = true;
    await Promise.all(deskRuns);
  } finally {
    clearInterval(ticker);
  }
  // Calls whose display event never came (after a grace period for the last ones).
  await sleep(1000);
  stats.displayMissing = Math.max(0, stats.called * devices.displays.length - stats.display.length);
  return stats;
}

import {
  AppError,
  type QueueSetup,
  type QueueState,
  type TakeResult,
  type Ticket,
  type ErrorCode,
} from '../../common/contract';
import type { z } from 'zod';
import type { QueueBoard } from '../../common/contract';
import { isDeviceError, queueTicketDocument, type TicketPrinter } from '../../drivers';
import type { Clock } from '../kernel/clock';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';
import type { QueueInstant, QueueTicketRecord } from '../store/queue.repository';
import type { Store } from '../store/store';
import { callsBefore, pickNext, recentWindow } from './queue-rules';
import { formatIssuedAt, RATING_WINDOW_MS, toTicket } from './ticket-view';

export interface QueueServiceDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  setup: QueueSetup;
  /** The kiosk's ticket printer; null = tickets are not printed. */
  printer: TicketPrinter | null;
  agency: { id: string; name: string };
  /**
   * `queue.called` when a ticket is called or recalled (display board, voice); `queue.changed`
   * with each counter's view after each change.
   */
  events?: EventPublisher;
}

const SYSTEM = 'system';
/** How many waiting numbers per service the display board shows. */
const BOARD_NEXT = 3;

/**
 * The queue of the desk (docs/domain.md §7): services, counters, tickets numbered per service per day,
 * priority rules, call / recall / skip / hold / transfer / finish, and printing on take.
 *
 * Every state change runs in one SQLite transaction together with its audit entry, so a restart or
 * a crash in the middle of a call leaves either the old state or the new one. Unfinished tickets of
 * an earlier day are closed (`expired`) by the first change of a new day (the core's clock).
 * Events are sent after the transaction commits.
 */
export class QueueService {
  private readonly counters: Map<string, QueueSetup['counters'][number]>;
  private readonly services: Map<string, QueueSetup['services'][number]>;

  constructor(private readonly deps: QueueServiceDeps) {
    this.counters = new Map(deps.setup.counters.map((c) => [c.id, c]));
    this.services = new Map(deps.setup.services.map((s) => [s.code, s]));
  }

  /** Writes the configured services and counters to the store; audited when they changed. */
  configure(): void {
    const { store } = this.deps;
    const wanted = {
      services: this.deps.setup.services,
      counters: this.deps.setup.counters.map((c) => ({ ...c, services: [...c.services].sort() })),
    };
    store.transaction(() => {
      const before = store.queue.setup();
      if (JSON.stringify(before) === JSON.stringify(wanted)) return;
      store.queue.saveSetup(wanted.services, wanted.counters);
      this.audit(SYSTEM, 'queue.configure', null, {
        services: wanted.services.map((s) => `${s.prefix}:${s.code}`),
        counters: wanted.counters.map((c) => `${c.id}:${c.services.join('+')}`),
        priority: this.deps.setup.priority.mode === 'first' ? 'first' : `1/${this.deps.setup.priority.every}`,
      });
    });
  }

  setup(): QueueSetup {
    return this.deps.setup;
  }

  state(counter?: string): QueueState {
    const id = this.counterId(counter);
    const day = this.deps.clock.today();
    const view = this.deps.store.queue.counterView(id, day);
    const now = this.deps.clock.now();
    return {
      counter: id,
      current: view.current ? toTicket(view.current, now) : null,
      waiting: view.waiting.map((t) => toTicket(t, now)),
      skipped: view.skipped.map((t) => toTicket(t, now)),
      held: view.held.map((t) => toTicket(t, now)),
    };
  }

  board(): z.output<typeof QueueBoard> {
    const day = this.deps.clock.today();
    const called = new Map(
      this.deps.store.queue
        .calledTickets()
        .filter((t) => t.day === day)
        .map((t) => [t.counter, t]),
    );
    const counts = this.deps.store.queue.waitingCounts(day);
    return {
      day,
      counters: this.deps.setup.counters.map((c) => {
        const t = called.get(c.id);
        return {
          id: c.id,
          name: c.name,
          current: t ? { number: t.number, service: t.service, calledAt: t.calledAt } : null,
        };
      }),
      waiting: this.deps.setup.services.map((s) => ({
        service: s.code,
        name: s.name,
        count: counts.get(s.code) ?? 0,
        next: this.deps.store.queue.nextNumbers(day, s.code, BOARD_NEXT, this.deps.setup.priority.mode === 'first'),
      })),
    };
  }

  /** Takes a ticket (kiosk), stores it, then prints it: a printer fault is reported, never loses the ticket. */
  async take(serviceCode: string | undefined, priority: boolean, actor: string): Promise<TakeResult> {
    const service = serviceCode === undefined ? this.deps.setup.services[0] : this.services.get(serviceCode);
    if (!service)
      throw new AppError('QUEUE_SERVICE_UNKNOWN', `Không có dịch vụ ${serviceCode ?? ''} trong hàng đợi.`, {
        field: 'service',
      });
    const ticket = this.change((at) => {
      const t = this.deps.store.queue.take({ service: service.code, prefix: service.prefix, priority, at });
      this.audit(actor, 'queue.take', t, { service: t.service, priority });
      return t;
    });
    this.changed();
    return this.print(ticket, actor);
  }

  /** Prints a ticket again (after a printer fault, or a lost ticket). */
  async reprint(ticketId: number, actor: string): Promise<TakeResult> {
    const ticket = this.ticket(ticketId);
    if (ticket.state === 'done' || ticket.day !== this.deps.clock.today()) {
      throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} đã kết thúc, không in lại được.`, {
        state: ticket.state,
      });
    }
    return this.print(ticket, actor);
  }

  /** Calls the next ticket by the counter's services and the priority rule; the ticket it served is finished. */
  callNext(counter: string | undefined, actor: string): Ticket {
    const id = this.counterId(counter);
    const rule = this.deps.setup.priority;
    const called = this.change((at) => {
      const { queue } = this.deps.store;
      const day = at.local.slice(0, 10);
      const next = pickNext(queue.candidates(id, day), queue.recentPriorityCalls(id, day, recentWindow(rule)), rule);
      if (!next) return null;
      this.finishCurrent(id, at, actor);
      if (!queue.call(next.id, id, at)) throw new Error(`ticket ${next.number} could not be called`);
      this.audit(actor, 'queue.call', next, { counter: id, priority: next.priority, transferred: next.targeted });
      return this.mustGet(next.id);
    });
    if (!called) throw new AppError('QUEUE_EMPTY', 'Hàng đợi trống.');
    return this.announce(called, false);
  }

  /** Calls one ticket: waiting, skipped (the person came back) or held. The counter's current ticket is finished. */
  callTicket(ticketId: number, counter: string | undefined, actor: string): Ticket {
    const id = this.counterId(counter);
    const called = this.change((at) => {
      const ticket = this.ticket(ticketId);
      this.assertToday(ticket, at);
      if (ticket.state !== 'waiting' && ticket.state !== 'skipped' && ticket.state !== 'held') {
        throw new AppError(
          'TICKET_STATE_INVALID',
          `Số ${ticket.number} đang ở trạng thái ${ticket.state}, không gọi được.`,
          { state: ticket.state },
        );
      }
      const allowed =
        ticket.targetCounter !== null
          ? ticket.targetCounter === id
          : (ticket.state === 'held' && ticket.counter === id) ||
            this.counters.get(id)?.services.includes(ticket.service) === true;
      if (!allowed) {
        throw new AppError('QUEUE_COUNTER_NOT_SERVING', `Quầy ${id} không phục vụ số ${ticket.number}.`, {
          counter: id,
          service: ticket.service,
          targetCounter: ticket.targetCounter,
        });
      }
      this.finishCurrent(id, at, actor);
      if (!this.deps.store.queue.call(ticket.id, id, at))
        throw new Error(`ticket ${ticket.number} could not be called`);
      this.audit(actor, 'queue.call', ticket, { counter: id, from: ticket.state });
      return this.mustGet(ticket.id);
    });
    return this.announce(called, false);
  }

  /** Announces the counter's current ticket again. */
  recall(counter: string | undefined, actor: string): Ticket {
    const id = this.counterId(counter);
    const ticket = this.change((at) => {
      const current = this.mustHaveCurrent(id);
      this.deps.store.queue.recall(current.id, at);
      this.audit(actor, 'queue.recall', current, { counter: id });
      return this.mustGet(current.id);
    });
    return this.announce(ticket, true);
  }

  /** The person did not come: the ticket is set aside as skipped and can be called again today. */
  skip(counter: string | undefined, actor: string): QueueState {
    return this.aside(counter, 'skipped', actor);
  }

  /** Sets the current ticket aside at this counter (the person fetches a paper); resumed with `callTicket`. */
  hold(counter: string | undefined, actor: string): QueueState {
    return this.aside(counter, 'held', actor);
  }

  /** Sends a ticket (the counter's current one by default) to another counter or another service's line. */
  transfer(
    p: {
      ticketId?: number | undefined;
      counter?: string | undefined;
      toCounter?: string | undefined;
      toService?: string | undefined;
    },
    actor: string,
  ): Ticket {
    const from = this.counterId(p.counter);
    if (p.toCounter !== undefined && !this.counters.has(p.toCounter)) {
      throw new AppError('QUEUE_COUNTER_UNKNOWN', `Không có quầy ${p.toCounter}.`, { field: 'toCounter' });
    }
    if (p.toService !== undefined && !this.services.has(p.toService)) {
      throw new AppError('QUEUE_SERVICE_UNKNOWN', `Không có dịch vụ ${p.toService} trong hàng đợi.`, {
        field: 'toService',
      });
    }
    if ((p.toCounter === undefined) === (p.toService === undefined)) {
      throw new AppError('VALIDATION_FAILED', 'Chọn một quầy hoặc một dịch vụ để chuyển đến.', { field: 'toCounter' });
    }
    const moved = this.change((at) => {
      const ticket = p.ticketId === undefined ? this.mustHaveCurrent(from) : this.ticket(p.ticketId);
      this.assertToday(ticket, at);
      if (ticket.state === 'done')
        throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} đã kết thúc.`, { state: ticket.state });
      const service = p.toService ?? ticket.service;
      const target = p.toCounter ?? null;
      this.deps.store.queue.requeue(ticket.id, service, target, at);
      this.audit(actor, 'queue.transfer', ticket, {
        from: ticket.counter ?? from,
        state: ticket.state,
        toCounter: target,
        toService: p.toService ?? null,
      });
      return this.mustGet(ticket.id);
    });
    this.changed();
    return toTicket(moved, this.deps.clock.now());
  }

  /** Finishes the counter's current ticket, linking the dossier received for it (if any). */
  finish(counter: string | undefined, dossierCode: string | null, actor: string): QueueState {
    const id = this.counterId(counter);
    this.change((at) => {
      const current = this.mustHaveCurrent(id);
      this.deps.store.queue.finish(current.id, dossierCode, at);
      this.audit(actor, 'queue.finish', current, { counter: id, dossierCode });
    });
    this.changed();
    return this.state(id);
  }

  /**
   * Stores the applicant's satisfaction (1 không hài lòng, 2 hài lòng, 3 rất hài lòng) for a served
   * ticket, on the ticket and on the dossier received for it. A ticket is rated once.
   */
  rate(ticketId: number, rating: number, actor: string): Ticket {
    if (!Number.isInteger(rating) || rating < 1 || rating > 3) {
      throw new AppError('VALIDATION_FAILED', 'Mức đánh giá phải từ 1 đến 3.', { field: 'rating' });
    }
    const rated = this.change((at) => {
      const ticket = this.ticket(ticketId);
      if (ticket.state !== 'done' || ticket.outcome !== 'served') {
        throw new AppError(
          'TICKET_STATE_INVALID',
          `Số ${ticket.number} chưa được phục vụ xong nên chưa đánh giá được.`,
          { state: ticket.state },
        );
      }
      if (ticket.rating !== null) {
        throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} đã được đánh giá.`, { rating: ticket.rating });
      }
      this.deps.store.queue.rate(ticket.id, rating, at);
      this.audit(actor, 'queue.rate', ticket, { rating, dossierCode: ticket.dossierCode });
      return this.mustGet(ticket.id);
    });
    return toTicket(rated, this.deps.clock.now());
  }

  /**
   * The ticket the counter-facing screen asks to rate: the counter's most recently served ticket of
   * the day, not rated yet, finished within {@link RATING_WINDOW_MS}; null when there is none, and
   * while the counter serves someone (the person who was served has left by then).
   */
  toRate(counter: string | undefined): Ticket | null {
    const id = this.counterId(counter);
    if (this.deps.store.queue.current(id)) return null;
    const at = this.instant();
    const t = this.deps.store.queue.toRate(id, at.local.slice(0, 10), at.ms - RATING_WINDOW_MS);
    return t ? toTicket(t, at.ms) : null;
  }

  /**
   * Called by `intake.receive` inside its transaction: a called or held ticket is finished and
   * linked to the dossier; a ticket already finished only gets the link. Never throws: a queue
   * problem must not stop a dossier from being received (it is logged).
   */
  finishForDossier(ticketId: number, dossierCode: string, actor: string): void {
    const { store } = this.deps;
    try {
      store.transaction(() => {
        const at = this.instant();
        const ticket = store.queue.get(ticketId);
        if (!ticket) return;
        if (ticket.state === 'called' || ticket.state === 'held') {
          store.queue.finish(ticket.id, dossierCode, at);
          this.audit(actor, 'queue.finish', ticket, { counter: ticket.counter, dossierCode });
        } else if (store.queue.linkDossier(ticket.id, dossierCode)) {
          this.audit(actor, 'queue.link', ticket, { state: ticket.state, dossierCode });
        }
      });
    } catch (err) {
      this.deps.log.log('error', 'queue.link-failed', {
        ticketId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    setImmediate(() => this.changed());
  }

  /** Training mode: a few people are already waiting when the desk opens (not printed). */
  seedTraining(count: number): void {
    const { store, clock } = this.deps;
    if (store.queue.openCount(clock.today()) > 0) return;
    const services = this.deps.setup.services;
    this.change((at) => {
      for (let i = 0; i < count; i += 1) {
        const s = services[i % services.length]!;
        const t = store.queue.take({ service: s.code, prefix: s.prefix, priority: i === 2, at });
        this.audit(SYSTEM, 'queue.take', t, { service: s.code, priority: i === 2, seeded: true });
      }
    });
  }

  // ---- internals ----

  /**
   * The people the calling rule would call before this ticket in its service's line, at the
   * counter that serves the service (the one it was transferred to, else the first in the setup),
   * from that counter's recent calls. Exact for the rule's order within the service; an estimate
   * when a counter also serves other services or several counters share the line.
   */
  private peopleAhead(ticket: QueueTicketRecord): number {
    const counter =
      ticket.targetCounter ?? this.deps.setup.counters.find((c) => c.services.includes(ticket.service))?.id;
    if (counter === undefined) return this.deps.store.queue.peopleAhead(ticket);
    const rule = this.deps.setup.priority;
    const { queue } = this.deps.store;
    const line = queue
      .counterView(counter, ticket.day)
      .waiting.filter((t) => t.service === ticket.service)
      .map((t) => ({ id: t.id, priority: t.priority, targeted: t.targetCounter !== null }));
    return callsBefore(line, ticket.id, queue.recentPriorityCalls(counter, ticket.day, recentWindow(rule)), rule);
  }

  private aside(counter: string | undefined, state: 'skipped' | 'held', actor: string): QueueState {
    const id = this.counterId(counter);
    this.change((at) => {
      const current = this.mustHaveCurrent(id);
      this.deps.store.queue.setState(current.id, state, at);
      this.audit(actor, state === 'skipped' ? 'queue.skip' : 'queue.hold', current, { counter: id });
    });
    this.changed();
    return this.state(id);
  }

  private finishCurrent(counter: string, at: QueueInstant, actor: string): void {
    const current = this.deps.store.queue.current(counter);
    if (!current) return;
    this.deps.store.queue.finish(current.id, null, at);
    this.audit(actor, 'queue.finish', current, { counter, by: 'next-call' });
  }

  /** One transaction: earlier days closed first, then the change, with its audit entries. */
  private change<T>(fn: (at: QueueInstant) => T): T {
    const { store } = this.deps;
    return store.transaction(() => {
      const at = this.instant();
      const expired = store.queue.expireBefore(at);
      if (expired > 0) this.audit(SYSTEM, 'queue.expire', null, { before: at.local.slice(0, 10), tickets: expired });
      return fn(at);
    });
  }

  private async print(ticket: QueueTicketRecord, actor: string): Promise<TakeResult> {
    const { store, printer, log } = this.deps;
    const peopleAhead = this.peopleAhead(ticket);
    const result = (print: TakeResult['print'], printError: TakeResult['printError']): TakeResult => ({
      ticket: toTicket(this.mustGet(ticket.id), this.deps.clock.now()),
      print,
      printError,
      peopleAhead,
    });
    if (!printer) return result('none', null);
    const service = this.services.get(ticket.service);
    try {
      await printer.print(
        queueTicketDocument({
          number: ticket.number,
          serviceName: ticket.priority
            ? `${service?.name ?? ticket.serviceName} (ưu tiên)`
            : (service?.name ?? ticket.serviceName),
          issuedAt: formatIssuedAt(ticket.takenAt),
          peopleAhead,
          qr: `${this.deps.agency.id}|${ticket.day}|${ticket.number}`,
          agencyName: this.deps.agency.name,
        }),
      );
    } catch (err) {
      const code: ErrorCode = isDeviceError(err) ? err.code : 'INTERNAL';
      const message = err instanceof Error ? err.message : String(err);
      log.log('warn', 'queue.print-failed', { ticket: ticket.number, code, error: message });
      store.transaction(() => {
        store.queue.markPrintFailed(ticket.id, code);
        this.audit(actor, 'queue.print-failed', ticket, { code, printer: printer.name });
      });
      return result('failed', { code, message });
    }
    store.transaction(() => {
      store.queue.markPrinted(ticket.id, this.instant());
      this.audit(actor, 'queue.print', ticket, { printer: printer.name });
    });
    return result('printed', null);
  }

  private announce(ticket: QueueTicketRecord, recall: boolean): Ticket {
    const counter = ticket.counter ?? '';
    this.deps.events?.publish('queue.called', {
      ticketId: ticket.id,
      number: ticket.number,
      service: ticket.service,
      counter,
      counterName: this.counters.get(counter)?.name ?? counter,
      recall,
    });
    if (!recall) this.changed();
    return toTicket(ticket, this.deps.clock.now());
  }

  private changed(): void {
    const events = this.deps.events;
    if (!events) return;
    for (const c of this.deps.setup.counters) {
      try {
        events.publish('queue.changed', this.state(c.id));
      } catch (err) {
        this.deps.log.log('error', 'queue.event-failed', {
          counter: c.id,
          error: err instanceof Error ? err.message : String(err),
        });
      }
    }
  }

  private counterId(counter: string | undefined): string {
    const id = counter ?? this.deps.setup.deskCounter;
    if (!this.counters.has(id))
      throw new AppError('QUEUE_COUNTER_UNKNOWN', `Không có quầy ${id} trong hàng đợi.`, { field: 'counter' });
    return id;
  }

  private ticket(id: number): QueueTicketRecord {
    const t = this.deps.store.queue.get(id);
    if (!t) throw new AppError('TICKET_UNKNOWN', 'Không tìm thấy số thứ tự.', { field: 'ticketId' });
    return t;
  }

  private mustGet(id: number): QueueTicketRecord {
    const t = this.deps.store.queue.get(id);
    if (!t) throw new Error(`ticket ${id} vanished`);
    return t;
  }

  private mustHaveCurrent(counter: string): QueueTicketRecord {
    const t = this.deps.store.queue.current(counter);
    if (!t) throw new AppError('TICKET_STATE_INVALID', 'Chưa có số nào đang được gọi tại quầy.', { counter });
    return t;
  }

  private assertToday(ticket: QueueTicketRecord, at: QueueInstant): void {
    if (ticket.day !== at.local.slice(0, 10)) {
      throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} là của ngày ${ticket.day}.`, { day: ticket.day });
    }
  }

  private instant(): QueueInstant {
    return { local: this.deps.clock.localNow(), ms: this.deps.clock.now() };
  }

  private audit(
    actor: string,
    action: string,
    ticket: QueueTicketRecord | null,
    details: Record<string, unknown>,
  ): void {
    this.deps.store.audit.append({
      at: this.deps.clock.localNow(),
      actor,
      action,
      entity: 'ticket',
      entityId: ticket ? `${ticket.day}/${ticket.number}` : null,
      details,
    });
  }
}

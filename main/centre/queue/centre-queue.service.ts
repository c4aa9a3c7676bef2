import type { z } from 'zod';
import {
  AppError,
  type QueueBoard,
  type QueueSetup,
  type QueueState,
  type TakeResult,
  type Ticket,
} from '../../../common/contract';
import type { TicketPrinter } from '../../../drivers';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { pickNext, recentWindow } from '../../queue/queue-rules';
import { RATING_WINDOW_MS, toTicket } from '../../queue/ticket-view';
import type { CentreDb, Sql } from '../database/sql';
import type { AuthenticatedDevice } from '../security/device';
import { QueueChanges, type QueueNotice } from './centre-queue-change';
import { printTicket } from './centre-queue-print';
import * as repo from './centre-queue.repository';
import type { CentreTicketRecord, QueueInstant } from './centre-queue.repository';
import { QUEUE_CHANNEL, toBoard, toQueueSetup, toQueueState, type CentreQueueSetup } from './centre-queue-views';

export interface CentreQueueDeps {
  db: CentreDb;
  clock: Clock;
  log: Logger;
  setup: CentreQueueSetup;
  agency: { id: string; name: string };
  /**
   * The ticket printer of the kiosk that takes or reprints a ticket (null: not printed). The
   * service never closes it: the caller keeps one printer per kiosk.
   */
  printerFor: (kiosk: AuthenticatedDevice | null) => TicketPrinter | null;
}

const SYSTEM = 'system';
/** Tickets other counters are calling at the same moment, skipped before the line counts as empty. */
const MAX_SKIPPED_CANDIDATES = 64;

/**
 * The queue of the centre (docs/architecture.md, "Centre"; docs/domain.md §7): the desk's model and
 * rules (main/queue, `pickNext`, `callsBefore`) over PostgreSQL, shared by every counter. Counters
 * are explicit: a desk's counter is its device's.
 *
 * Every change is one transaction: unfinished tickets of earlier days are closed first, then the
 * change, its `centre_audit` entries and a `pg_notify('motcua_queue', …)` (delivered at commit, see
 * `queue-feed.ts`). The changes of one counter are serialised by an advisory lock; calling next
 * locks only the ticket it picked (`FOR UPDATE SKIP LOCKED`), so two counters never call one ticket
 * and neither waits for the other; a unique index keeps one called ticket per counter.
 */
export class CentreQueueService {
  private readonly counters: Map<string, CentreQueueSetup['counters'][number]>;
  private readonly services: Map<string, CentreQueueSetup['services'][number]>;
  private readonly changes: QueueChanges;

  constructor(private readonly deps: CentreQueueDeps) {
    this.counters = new Map(deps.setup.counters.map((c) => [c.id, c]));
    this.services = new Map(deps.setup.services.map((s) => [s.code, s]));
    this.changes = new QueueChanges(deps);
  }

  /** Writes the configured services and counters to the database; audited when they changed. */
  async configure(): Promise<void> {
    const wanted = {
      services: this.deps.setup.services.map((s) => ({
        code: s.code,
        name: s.name,
        prefix: s.prefix,
        procedures: [...s.procedures],
      })),
      counters: this.deps.setup.counters.map((c) => ({
        id: c.id,
        name: c.name,
        services: [...new Set(c.services)].sort(),
      })),
    };
    await this.deps.db.transaction(async (tx) => {
      await repo.lockSetup(tx);
      const before = await repo.loadSetup(tx);
      if (JSON.stringify(before) === JSON.stringify(wanted)) return;
      await repo.saveSetup(tx, wanted.services, wanted.counters);
      const { priority } = this.deps.setup;
      await repo.auditTicket(tx, SYSTEM, 'queue.configure', null, {
        services: wanted.services.map((s) => `${s.prefix}:${s.code}`),
        counters: wanted.counters.map((c) => `${c.id}:${c.services.join('+')}`),
        priority: priority.mode === 'first' ? 'first' : `1/${priority.every}`,
      });
      await repo.notifyQueue(tx, QUEUE_CHANNEL, { type: 'changed' });
    });
  }

  setup(): QueueSetup {
    return toQueueSetup(this.deps.setup);
  }

  async state(counter: string): Promise<QueueState> {
    const id = this.counterId(counter);
    const view = await repo.counterView(this.deps.db, id, this.deps.clock.today());
    return toQueueState(id, view, this.deps.clock.now());
  }

  async board(): Promise<z.output<typeof QueueBoard>> {
    const day = this.deps.clock.today();
    return toBoard(this.deps.setup, day, await repo.boardTickets(this.deps.db, day));
  }

  /** Takes a ticket, stores it, then prints it on the kiosk's printer: a printer fault never loses the ticket. */
  async take(p: {
    service?: string | undefined;
    priority: boolean;
    kiosk: AuthenticatedDevice | null;
    actor: string;
  }): Promise<TakeResult> {
    const service = p.service === undefined ? this.deps.setup.services[0] : this.services.get(p.service);
    if (!service) {
      throw new AppError('QUEUE_SERVICE_UNKNOWN', `Không có dịch vụ ${p.service ?? ''} trong hàng đợi.`, {
        field: 'service',
      });
    }
    const priority = p.priority === true;
    const ticket = await this.changes.run(async (tx, at, notice) => {
      const t = await repo.takeTicket(tx, {
        service: service.code,
        prefix: service.prefix,
        priority,
        at,
        kioskDevice: p.kiosk?.id ?? null,
      });
      await repo.auditTicket(tx, p.actor, 'queue.take', t, {
        service: t.service,
        priority,
        kiosk: p.kiosk?.id ?? null,
      });
      notice({ type: 'changed' });
      return t;
    });
    return printTicket(this.deps, ticket, p.kiosk, p.actor);
  }

  /** Prints a ticket again (after a printer fault, or a lost ticket) on the kiosk's printer. */
  async reprint(ticketId: number, kiosk: AuthenticatedDevice | null, actor: string): Promise<TakeResult> {
    const ticket = await this.ticket(this.deps.db, ticketId);
    if (ticket.state === 'done' || ticket.day !== this.deps.clock.today()) {
      throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} đã kết thúc, không in lại được.`, {
        state: ticket.state,
      });
    }
    return printTicket(this.deps, ticket, kiosk, actor);
  }

  /** Calls the next ticket by the counter's services and the priority rule; the ticket it served is finished. */
  async callNext(counter: string, actor: string): Promise<Ticket> {
    const id = this.counterId(counter);
    const rule = this.deps.setup.priority;
    const services = this.counters.get(id)?.services ?? [];
    const called = await this.changes.run(async (tx, at, notice) => {
      const day = repo.dayOf(at);
      await repo.lockCounter(tx, id);
      const current = await repo.currentTicket(tx, id, { lock: true });
      const recent = await repo.recentPriorityCalls(tx, id, day, recentWindow(rule));
      const busy: number[] = [];
      let next: repo.CandidateRow | null = null;
      while (next === null && busy.length <= MAX_SKIPPED_CANDIDATES) {
        const line = await repo.candidates(tx, { counter: id, services, day, exclude: busy });
        const picked = pickNext(line, recent, rule);
        if (!picked) break;
        if (await repo.lockWaiting(tx, picked.id)) next = picked;
        else busy.push(picked.id);
      }
      if (!next) return null;
      if (current) await this.finishCurrent(tx, current, id, at, actor);
      const t = await repo.callTicket(tx, next.id, id, at);
      if (!t) throw new Error(`ticket ${next.number} could not be called`);
      await repo.auditTicket(tx, actor, 'queue.call', t, {
        counter: id,
        priority: next.priority,
        transferred: next.targeted,
      });
      notice(this.calledNotice(t, false));
      return t;
    });
    if (!called) throw new AppError('QUEUE_EMPTY', 'Hàng đợi trống.');
    return toTicket(called, this.deps.clock.now());
  }

  /** Calls one ticket: waiting, skipped (the person came back) or held. The counter's current ticket is finished. */
  async callTicket(ticketId: number, counter: string, actor: string): Promise<Ticket> {
    const id = this.counterId(counter);
    const called = await this.changes.run(async (tx, at, notice) => {
      // Checked before any lock (a ticket called elsewhere is refused at once), then again under it.
      this.assertCallable(await this.ticket(tx, ticketId), id, at);
      await repo.lockCounter(tx, id);
      const current = await repo.currentTicket(tx, id, { lock: true });
      const ticket = await this.ticket(tx, ticketId, true);
      this.assertCallable(ticket, id, at);
      if (current) await this.finishCurrent(tx, current, id, at, actor);
      const t = await repo.callTicket(tx, ticket.id, id, at);
      if (!t) throw new Error(`ticket ${ticket.number} could not be called`);
      await repo.auditTicket(tx, actor, 'queue.call', ticket, { counter: id, from: ticket.state });
      notice(this.calledNotice(t, false));
      return t;
    });
    return toTicket(called, this.deps.clock.now());
  }

  /** Announces the counter's current ticket again. */
  async recall(counter: string, actor: string): Promise<Ticket> {
    const id = this.counterId(counter);
    const ticket = await this.changes.run(async (tx, at, notice) => {
      await repo.lockCounter(tx, id);
      const current = await this.mustHaveCurrent(tx, id);
      await repo.recallTicket(tx, current.id, at);
      await repo.auditTicket(tx, actor, 'queue.recall', current, { counter: id });
      const t = await repo.mustGet(tx, current.id);
      notice(this.calledNotice(t, true));
      return t;
    });
    return toTicket(ticket, this.deps.clock.now());
  }

  /** The person did not come: the ticket is set aside as skipped and can be called again today. */
  async skip(counter: string, actor: string): Promise<QueueState> {
    return this.aside(counter, 'skipped', actor);
  }

  /** Sets the current ticket aside at this counter (the person fetches a paper); resumed with `callTicket`. */
  async hold(counter: string, actor: string): Promise<QueueState> {
    return this.aside(counter, 'held', actor);
  }

  /** Sends a ticket (the counter's current one by default) to another counter or another service's line. */
  async transfer(
    p: {
      ticketId?: number | undefined;
      counter: string;
      toCounter?: string | undefined;
      toService?: string | undefined;
    },
    actor: string,
  ): Promise<Ticket> {
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
    const moved = await this.changes.run(async (tx, at, notice) => {
      await repo.lockCounter(tx, from);
      const ticket =
        p.ticketId === undefined ? await this.mustHaveCurrent(tx, from) : await this.ticket(tx, p.ticketId, true);
      this.assertToday(ticket, at);
      if (ticket.state === 'done') {
        throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} đã kết thúc.`, { state: ticket.state });
      }
      const target = p.toCounter ?? null;
      await repo.requeue(tx, ticket.id, p.toService ?? ticket.service, target, at);
      await repo.auditTicket(tx, actor, 'queue.transfer', ticket, {
        from: ticket.counter ?? from,
        state: ticket.state,
        toCounter: target,
        toService: p.toService ?? null,
      });
      notice({ type: 'changed' });
      return repo.mustGet(tx, ticket.id);
    });
    return toTicket(moved, this.deps.clock.now());
  }

  /** Finishes the counter's current ticket, linking the dossier received for it (if any). */
  async finish(counter: string, dossierCode: string | null, actor: string): Promise<QueueState> {
    const id = this.counterId(counter);
    await this.changes.run(async (tx, at, notice) => {
      await repo.lockCounter(tx, id);
      const current = await this.mustHaveCurrent(tx, id);
      await repo.finishTicket(tx, current.id, dossierCode, at);
      await repo.auditTicket(tx, actor, 'queue.finish', current, { counter: id, dossierCode });
      notice({ type: 'changed' });
    });
    return this.state(id);
  }

  /**
   * The ticket the counter-facing screen asks to rate: the counter's most recently served ticket of
   * the day, not rated yet, finished within {@link RATING_WINDOW_MS}; null when there is none, and
   * while the counter serves someone.
   */
  async toRate(counter: string): Promise<Ticket | null> {
    const id = this.counterId(counter);
    const at = this.instant();
    const t = await repo.ticketToRate(this.deps.db, id, repo.dayOf(at), at.ms - RATING_WINDOW_MS);
    return t ? toTicket(t, at.ms) : null;
  }

  /** Stores the applicant's satisfaction (1 không hài lòng, 2 hài lòng, 3 rất hài lòng) for a served ticket, once. */
  async rate(ticketId: number, rating: number, actor: string): Promise<Ticket> {
    if (!Number.isInteger(rating) || rating < 1 || rating > 3) {
      throw new AppError('VALIDATION_FAILED', 'Mức đánh giá phải từ 1 đến 3.', { field: 'rating' });
    }
    const rated = await this.changes.run(async (tx, at, notice) => {
      const ticket = await this.ticket(tx, ticketId, true);
      if (ticket.state !== 'done' || ticket.outcome !== 'served') {
        throw new AppError(
          'TICKET_STATE_INVALID',
          `Số ${ticket.number} chưa được phục vụ xong nên chưa đánh giá được.`,
          {
            state: ticket.state,
          },
        );
      }
      if (ticket.rating !== null) {
        throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} đã được đánh giá.`, { rating: ticket.rating });
      }
      await repo.rateTicket(tx, ticket.id, rating, at);
      await repo.auditTicket(tx, actor, 'queue.rate', ticket, { rating, dossierCode: ticket.dossierCode });
      notice({ type: 'changed' });
      return repo.mustGet(tx, ticket.id);
    });
    return toTicket(rated, this.deps.clock.now());
  }

  /**
   * A desk received a dossier for a ticket: a called or held ticket is finished and linked to the
   * dossier; a ticket already finished only gets the link. Never throws: a queue problem must not
   * stop a dossier from being received (it is logged).
   */
  async finishForDossier(ticketId: number, dossierCode: string, actor: string): Promise<void> {
    try {
      await this.changes.run(async (tx, at, notice) => {
        const ticket = await repo.getTicket(tx, ticketId, { lock: true });
        if (!ticket) return;
        if (ticket.state === 'called' || ticket.state === 'held') {
          await repo.finishTicket(tx, ticket.id, dossierCode, at);
          await repo.auditTicket(tx, actor, 'queue.finish', ticket, { counter: ticket.counter, dossierCode });
          notice({ type: 'changed' });
        } else if (await repo.linkDossier(tx, ticket.id, dossierCode)) {
          await repo.auditTicket(tx, actor, 'queue.link', ticket, { state: ticket.state, dossierCode });
        }
      });
    } catch (err) {
      this.deps.log.log('error', 'queue.link-failed', {
        ticketId,
        error: err instanceof Error ? err.message : String(err),
      });
    }
  }

  // ---- internals ----

  private async aside(counter: string, state: 'skipped' | 'held', actor: string): Promise<QueueState> {
    const id = this.counterId(counter);
    await this.changes.run(async (tx, at, notice) => {
      await repo.lockCounter(tx, id);
      const current = await this.mustHaveCurrent(tx, id);
      await repo.setAside(tx, current.id, state, at);
      await repo.auditTicket(tx, actor, state === 'skipped' ? 'queue.skip' : 'queue.hold', current, { counter: id });
      notice({ type: 'changed' });
    });
    return this.state(id);
  }

  private async finishCurrent(
    tx: Sql,
    current: CentreTicketRecord,
    counter: string,
    at: QueueInstant,
    actor: string,
  ): Promise<void> {
    await repo.finishTicket(tx, current.id, null, at);
    await repo.auditTicket(tx, actor, 'queue.finish', current, { counter, by: 'next-call' });
  }

  private assertCallable(ticket: CentreTicketRecord, counter: string, at: QueueInstant): void {
    this.assertToday(ticket, at);
    if (ticket.state !== 'waiting' && ticket.state !== 'skipped' && ticket.state !== 'held') {
      throw new AppError(
        'TICKET_STATE_INVALID',
        `Số ${ticket.number} đang ở trạng thái ${ticket.state}, không gọi được.`,
        {
          state: ticket.state,
        },
      );
    }
    const allowed =
      ticket.targetCounter !== null
        ? ticket.targetCounter === counter
        : (ticket.state === 'held' && ticket.counter === counter) ||
          this.counters.get(counter)?.services.includes(ticket.service) === true;
    if (!allowed) {
      throw new AppError('QUEUE_COUNTER_NOT_SERVING', `Quầy ${counter} không phục vụ số ${ticket.number}.`, {
        counter,
        service: ticket.service,
        targetCounter: ticket.targetCounter,
      });
    }
  }

  private calledNotice(t: CentreTicketRecord, recall: boolean): QueueNotice {
    const counter = t.counter ?? '';
    return {
      type: 'called',
      ticketId: t.id,
      number: t.number,
      service: t.service,
      counter,
      counterName: this.counters.get(counter)?.name ?? counter,
      recall,
    };
  }

  private counterId(counter: string): string {
    if (typeof counter !== 'string' || counter === '') {
      throw new AppError('QUEUE_COUNTER_UNKNOWN', 'Thiết bị này chưa được gán quầy nào.', { field: 'counter' });
    }
    if (!this.counters.has(counter)) {
      throw new AppError('QUEUE_COUNTER_UNKNOWN', `Không có quầy ${counter} trong hàng đợi.`, { field: 'counter' });
    }
    return counter;
  }

  private async ticket(sql: Sql, id: number, lock = false): Promise<CentreTicketRecord> {
    const t = await repo.getTicket(sql, id, { lock });
    if (!t) throw new AppError('TICKET_UNKNOWN', 'Không tìm thấy số thứ tự.', { field: 'ticketId' });
    return t;
  }

  private async mustHaveCurrent(tx: Sql, counter: string): Promise<CentreTicketRecord> {
    const t = await repo.currentTicket(tx, counter, { lock: true });
    if (!t) throw new AppError('TICKET_STATE_INVALID', 'Chưa có số nào đang được gọi tại quầy.', { counter });
    return t;
  }

  private assertToday(ticket: CentreTicketRecord, at: QueueInstant): void {
    if (ticket.day !== repo.dayOf(at)) {
      throw new AppError('TICKET_STATE_INVALID', `Số ${ticket.number} là của ngày ${ticket.day}.`, { day: ticket.day });
    }
  }

  private instant(): QueueInstant {
    return { local: this.deps.clock.localNow(), ms: this.deps.clock.now() };
  }
}

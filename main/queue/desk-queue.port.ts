import type { z } from 'zod';
import type { QueueBoard, QueueSetup, QueueState, TakeResult, Ticket } from '../../common/contract';
import type { QueueService } from './queue.service';

/** The optional counter and the target of a transfer (contract `queue.transfer`). */
export interface DeskTransfer {
  ticketId?: number | undefined;
  counter?: string | undefined;
  toCounter?: string | undefined;
  toService?: string | undefined;
}

/**
 * The queue as the desk's handlers use it (docs/architecture.md, "Queue" and "Centre"): the desk's
 * own queue (`QueueService`, SQLite) when the desk runs alone, the centre's (over the network) when
 * the desk is enrolled at one. Every operation is asynchronous; `counter` left out is the desk's
 * own counter. `finishForDossier` runs inside the receiving transaction: synchronous, never throws.
 */
export interface DeskQueue {
  setup(): Promise<QueueSetup>;
  board(): Promise<z.output<typeof QueueBoard>>;
  state(counter: string | undefined): Promise<QueueState>;
  callNext(counter: string | undefined, actor: string): Promise<Ticket>;
  callTicket(ticketId: number, counter: string | undefined, actor: string): Promise<Ticket>;
  recall(counter: string | undefined, actor: string): Promise<Ticket>;
  skip(counter: string | undefined, actor: string): Promise<QueueState>;
  hold(counter: string | undefined, actor: string): Promise<QueueState>;
  transfer(p: DeskTransfer, actor: string): Promise<Ticket>;
  finish(counter: string | undefined, dossierCode: string | null, actor: string): Promise<QueueState>;
  take(service: string | undefined, priority: boolean, actor: string): Promise<TakeResult>;
  reprint(ticketId: number, actor: string): Promise<TakeResult>;
  toRate(counter: string | undefined): Promise<Ticket | null>;
  rate(ticketId: number, rating: number, actor: string): Promise<Ticket>;
  finishForDossier(ticketId: number, dossierCode: string, actor: string): void;
  /**
   * A ticket this desk knows (receiving names the ticket served): the desk's own store, or the
   * tickets the centre showed this desk (its answers and feed). Synchronous; null when unknown.
   */
  ticket(ticketId: number): { id: number; number: string } | null;
}

/** The desk's own queue behind the port: the same calls, the same errors, answers as promises. */
export function localDeskQueue(
  queue: QueueService,
  lookup: (ticketId: number) => { id: number; number: string } | null = () => null,
): DeskQueue {
  // An async wrapper turns a synchronous throw into a rejected promise, as the centre's would be.
  const later = async <T>(run: () => T | Promise<T>): Promise<T> => run();
  return {
    setup: () => later(() => queue.setup()),
    board: () => later(() => queue.board()),
    state: (counter) => later(() => queue.state(counter)),
    callNext: (counter, actor) => later(() => queue.callNext(counter, actor)),
    callTicket: (ticketId, counter, actor) => later(() => queue.callTicket(ticketId, counter, actor)),
    recall: (counter, actor) => later(() => queue.recall(counter, actor)),
    skip: (counter, actor) => later(() => queue.skip(counter, actor)),
    hold: (counter, actor) => later(() => queue.hold(counter, actor)),
    transfer: (p, actor) => later(() => queue.transfer(p, actor)),
    finish: (counter, dossierCode, actor) => later(() => queue.finish(counter, dossierCode, actor)),
    take: (service, priority, actor) => later(() => queue.take(service, priority, actor)),
    reprint: (ticketId, actor) => later(() => queue.reprint(ticketId, actor)),
    toRate: (counter) => later(() => queue.toRate(counter)),
    rate: (ticketId, rating, actor) => later(() => queue.rate(ticketId, rating, actor)),
    finishForDossier: (ticketId, dossierCode, actor) => queue.finishForDossier(ticketId, dossierCode, actor),
    ticket: (ticketId) => {
      const t = lookup(ticketId);
      return t ? { id: t.id, number: t.number } : null;
    },
  };
}

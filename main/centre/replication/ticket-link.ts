import { toLocalDateTime } from '../../kernel/clock';
import type { Sql } from '../database/sql';
import * as repo from '../queue/centre-queue.repository';
import { QUEUE_CHANNEL } from '../queue/centre-queue-views';
import type { AuthenticatedDevice } from '../security/device';

export type TicketLinkOutcome = 'finished' | 'linked' | 'none';

/**
 * The queue ticket a replicated receipt names (docs/architecture.md, "Centre"): the desk never
 * calls the centre inside its receiving transaction, so the ticket is finished here, in the
 * transaction that stores the `dossier.received` entry, audited as the desk. A ticket called or
 * held at the desk's own counter → done (served) with the dossier's code; any other ticket (already
 * done, expired, at another counter) only gets the code when it has none. A ticket that does not
 * exist or whose number differs from the one the desk recorded is left alone: the dossier is stored
 * all the same.
 */
export async function finishReceivedTicket(
  tx: Sql,
  device: AuthenticatedDevice,
  p: { code: string; ticketId: number | null; ticketNumber: string | null },
  now: number,
): Promise<TicketLinkOutcome> {
  if (p.ticketId === null) return 'none';
  const ticket = await repo.getTicket(tx, p.ticketId, { lock: true });
  if (!ticket || (p.ticketNumber !== null && ticket.number !== p.ticketNumber)) return 'none';
  const actor = `device:${device.id}`;
  const atCounter = device.counter !== null && ticket.counter === device.counter;
  if (atCounter && (ticket.state === 'called' || ticket.state === 'held')) {
    if (!(await repo.finishTicket(tx, ticket.id, p.code, { local: toLocalDateTime(now), ms: now }))) return 'none';
    await repo.auditTicket(tx, actor, 'queue.finish', ticket, {
      counter: ticket.counter,
      dossierCode: p.code,
      via: 'replication',
    });
    await repo.notifyQueue(tx, QUEUE_CHANNEL, { type: 'changed' });
    return 'finished';
  }
  if (!(await repo.linkDossier(tx, ticket.id, p.code))) return 'none';
  await repo.auditTicket(tx, actor, 'queue.link', ticket, {
    state: ticket.state,
    dossierCode: p.code,
    via: 'replication',
  });
  return 'linked';
}

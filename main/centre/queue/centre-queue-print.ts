import type { ErrorCode, TakeResult } from '../../../common/contract';
import { isDeviceError, queueTicketDocument, type TicketPrinter } from '../../../drivers';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { callsBefore, recentWindow } from '../../queue/queue-rules';
import type { CentreDb } from '../database/sql';
import type { AuthenticatedDevice } from '../security/device';
import * as repo from './centre-queue.repository';
import type { CentreTicketRecord } from './centre-queue.repository';
import { formatIssuedAt, toTicket } from '../../queue/ticket-view';
import type { CentreQueueSetup } from './centre-queue-views';

export interface TicketPrintDeps {
  db: CentreDb;
  clock: Clock;
  log: Logger;
  setup: CentreQueueSetup;
  agency: { id: string; name: string };
  printerFor: (kiosk: AuthenticatedDevice | null) => TicketPrinter | null;
}

/**
 * Prints a ticket that is already stored and committed, on the kiosk's printer, as the desk does
 * (docs/architecture.md, "Queue"): a fault (or a printer that cannot even be opened) is returned as
 * `print: 'failed'` and kept on the ticket (`print_error`); success records `printed_at`. Either
 * way the ticket stays in the line.
 */
export async function printTicket(
  deps: TicketPrintDeps,
  ticket: CentreTicketRecord,
  kiosk: AuthenticatedDevice | null,
  actor: string,
): Promise<TakeResult> {
  const { db, log, clock } = deps;
  const peopleAhead = await peopleAheadOf(deps, ticket);
  const result = async (print: TakeResult['print'], printError: TakeResult['printError']): Promise<TakeResult> => ({
    // Re-read after printing: the print status (and anything done meanwhile) as stored.
    ticket: toTicket(print === 'none' ? ticket : await repo.mustGet(db, ticket.id), clock.now()),
    print,
    printError,
    peopleAhead,
  });
  let printer: TicketPrinter | null = null;
  try {
    printer = deps.printerFor(kiosk);
    if (!printer) return await result('none', null);
    const serviceName = deps.setup.services.find((s) => s.code === ticket.service)?.name ?? ticket.serviceName;
    await printer.print(
      queueTicketDocument({
        number: ticket.number,
        serviceName: ticket.priority ? `${serviceName} (ưu tiên)` : serviceName,
        issuedAt: formatIssuedAt(ticket.takenAt),
        peopleAhead,
        qr: `${deps.agency.id}|${ticket.day}|${ticket.number}`,
        agencyName: deps.agency.name,
      }),
    );
  } catch (err) {
    const code: ErrorCode = isDeviceError(err) ? err.code : 'INTERNAL';
    const message = isDeviceError(err) ? err.message : 'Không in được phiếu.';
    log.log('warn', 'queue.print-failed', {
      ticket: ticket.number,
      kiosk: kiosk?.id ?? null,
      code,
      error: err instanceof Error ? err.message : String(err),
    });
    const name = printer?.name ?? null;
    await db.transaction(async (tx) => {
      await repo.markPrintFailed(tx, ticket.id, code);
      await repo.auditTicket(tx, actor, 'queue.print-failed', ticket, { code, printer: name });
    });
    return result('failed', { code, message });
  }
  const name = printer.name;
  await db.transaction(async (tx) => {
    await repo.markPrinted(tx, ticket.id, { local: clock.localNow(), ms: clock.now() });
    await repo.auditTicket(tx, actor, 'queue.print', ticket, { printer: name, kiosk: kiosk?.id ?? null });
  });
  return result('printed', null);
}

/**
 * The people the calling rule would call before this ticket in its service's line, at the
 * counter that serves the service (the one it was transferred to, else the first in the setup),
 * from that counter's recent calls; as the desk's (docs/architecture.md, "Queue").
 */
export async function peopleAheadOf(
  deps: Pick<TicketPrintDeps, 'db' | 'setup'>,
  ticket: CentreTicketRecord,
): Promise<number> {
  const counter = ticket.targetCounter ?? deps.setup.counters.find((c) => c.services.includes(ticket.service))?.id;
  if (counter === undefined) return 0;
  const rule = deps.setup.priority;
  const line = await repo.serviceLine(deps.db, counter, ticket.day, ticket.service);
  const recent = await repo.recentPriorityCalls(deps.db, counter, ticket.day, recentWindow(rule));
  return callsBefore(line, ticket.id, recent, rule);
}

import type { z } from 'zod';
import type { Dossier, Procedure } from '../../common/contract';
import type { DossierReceivedPayload, DossierStatusPayload } from '../remotes/centre/wire-replication';
import { receptionStep, toWireDossier, toWireProgressStep } from '../remotes/national-portal/wire-format';
import { maskIdNumber } from '../kernel/mask';
import type { AuditInput } from '../store/audit.repository';
import { applicantKeyOf } from '../store/outbox-centre';
import type { OutboxItem } from '../store/outbox.port';
import type { OutboxRepository } from '../store/outbox.repository';

/**
 * What a change of a dossier leaves besides the dossier's own rows: the outbox rows that tell the
 * national portal (and, on receipt, hand the dossier to the provincial system) and the audit
 * entry. The intake service writes them inside the transaction of the change; the benchmark
 * seeder (bench/seed-large-store.ts) writes its dossiers with the same functions.
 */

export interface DossierSyncChange {
  agencyId: string;
  agencyName: string;
  /** The progress step's text (`Tiếp nhận hồ sơ`, `Từ chối tiếp nhận hồ sơ`, …). */
  stepName: string;
  /** The dossier was just received: the reception step, and the hand-off to the provincial system. */
  first: boolean;
  /** Local time of the change. */
  at: string;
  /** Epoch ms: the rows are due from then. */
  now: number;
  /** On receipt: the queue ticket the dossier was received for (replicated to the centre, which finishes it). */
  ticketId?: number | null;
}

type CentreOutbox = Partial<Pick<OutboxRepository, 'enqueueCentre' | 'centreReplication'>>;

/** Writes the outbox rows of a change; call it inside the transaction that makes the change. */
export function enqueueDossierSync(
  outbox: Pick<OutboxRepository, 'enqueue'> & CentreOutbox,
  d: Dossier,
  p: Procedure | null,
  change: DossierSyncChange,
): OutboxItem[] {
  const { first, at, now, stepName } = change;
  const wire = toWireDossier(d, {
    agencyId: change.agencyId,
    receivingUnit: change.agencyName,
    sectorCode: p?.sectorCode,
    sectorName: p?.sectorName,
  });
  const seq = d.history.length;
  const step = first
    ? receptionStep(d, { handlerTitle: 'Cán bộ tiếp nhận', department: 'Bộ phận Một cửa' })
    : {
        dossierCode: d.code,
        handler: d.officer,
        handlerTitle: 'Cán bộ tiếp nhận',
        at,
        department: 'Bộ phận Một cửa',
        content: stepName,
        status: d.status,
        startedAt: at,
        dueAt: d.appointmentAt,
      };
  const rows = [
    outbox.enqueue({
      target: 'national',
      kind: 'dossier.upsert',
      dossierCode: d.code,
      idempotencyKey: `${d.code}/upsert/${seq}`,
      payload: { dossier: wire, isUpdating: !first },
      now,
    }),
    outbox.enqueue({
      target: 'national',
      kind: 'dossier.progress',
      dossierCode: d.code,
      idempotencyKey: `${d.code}/progress/${seq}`,
      payload: { steps: [toWireProgressStep(step)] },
      now,
    }),
  ];
  if (first)
    rows.push(
      outbox.enqueue({
        target: 'provincial',
        kind: 'dossier.handoff',
        dossierCode: d.code,
        idempotencyKey: `${d.code}/handoff`,
        payload: { dossier: wire },
        now,
      }),
    );
  const centre = enqueueCentreChange(outbox, d, change);
  if (centre) rows.push(centre);
  return rows;
}

/**
 * The centre's copy of the change (docs/architecture.md, "Centre"), only on a desk enrolled at a
 * centre: `dossier.received` on receipt, else `dossier.status`. No names: the applicant's ID
 * masked and as the centre-keyed HMAC.
 */
function enqueueCentreChange(outbox: CentreOutbox, d: Dossier, change: DossierSyncChange): OutboxItem | null {
  const centre = outbox.centreReplication?.() ?? null;
  if (!centre || !outbox.enqueueCentre) return null;
  const officer = (d.history[d.history.length - 1]?.actor || d.officer).slice(0, 60);
  if (change.first) {
    const payload: z.input<typeof DossierReceivedPayload> = {
      code: d.code,
      agencyId: change.agencyId,
      procedureCode: d.procedureCode.slice(0, 100),
      procedureName: d.procedureName.slice(0, 1000),
      channel: d.channel,
      officer: d.officer.slice(0, 60),
      counter: centre.counter ?? null,
      receivedAt: d.receivedAt,
      appointmentAt: d.appointmentAt,
      applicantKey: applicantKeyOf(centre.centreId, d.applicantIdNumber),
      applicantIdMasked: maskIdNumber(d.applicantIdNumber).slice(0, 20),
      components: d.components.slice(0, 100).map((c) => ({
        code: c.componentCode.slice(0, 100),
        name: c.name.slice(0, 500),
        source: c.source === 'to-digitise' && c.digitisedDocumentId !== null ? 'digitised' : c.source,
      })),
      fee: d.totalFee,
      ticketId: change.ticketId ?? null,
      ticketNumber: d.ticketNumber,
    };
    return outbox.enqueueCentre({ kind: 'dossier.received', at: change.now, payload }, d.code, change.now);
  }
  const payload: z.input<typeof DossierStatusPayload> = { code: d.code, status: d.status, at: change.at, officer };
  return outbox.enqueueCentre({ kind: 'dossier.status', at: change.now, payload }, d.code, change.now);
}

/** The audit entry of a received dossier (the applicant's ID masked). */
export function receivedAudit(d: Dossier, actor: string): AuditInput {
  return {
    at: d.receivedAt,
    actor,
    action: 'dossier.receive',
    entity: 'dossier',
    entityId: d.code,
    details: {
      procedure: d.procedureCode,
      channel: d.channel,
      applicant: maskIdNumber(d.applicantIdNumber),
      appointmentAt: d.appointmentAt,
      components: d.components.length,
      reused: d.components.filter((c) => c.source === 'reused').length,
    },
  };
}

/** The audit entry of a status change from `from` to the dossier's status now. */
export function statusAudit(
  d: Dossier,
  from: number,
  actor: string,
  at: string,
  details: Record<string, unknown>,
): AuditInput {
  return {
    at,
    actor,
    action: `dossier.status-${d.status}`,
    entity: 'dossier',
    entityId: d.code,
    details: { from, to: d.status, ...details },
  };
}

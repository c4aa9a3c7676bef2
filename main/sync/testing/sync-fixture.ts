import { createHash } from 'node:crypto';
import { sampleDossier } from '../../remotes/national-portal/dossier.fixture';
import { createNationalPortalClient } from '../../remotes/national-portal/national-portal.client';
import type { NationalPortal } from '../../remotes/national-portal/national-portal.port';
import {
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
  type NationalPortalState,
} from '../../remotes/national-portal/national-portal.simulator';
import { toWireDossier, toWireProgressStep } from '../../remotes/national-portal/wire-format';
import { createProvincialClient } from '../../remotes/provincial/provincial.client';
import type { ProvincialSystem } from '../../remotes/provincial/provincial.port';
import { TRAINING_PROVINCIAL_CLIENT, type ProvincialState } from '../../remotes/provincial/provincial.simulator';
import type { Store } from '../../store/store';

/**
 * Shared by the sync fault tests and the child process they kill (`drain-child.ts`): the rows a
 * received dossier puts in the outbox, the clients, and the exactly-once-in-order check made on
 * what the simulators recorded.
 */
export const AGENCY = '000.00.12.H56';
export const STEPS_PER_DOSSIER = 3;

export function dossierCode(n: number): string {
  return `${AGENCY}-250715-${String(n).padStart(4, '0')}`;
}

export function stepText(n: number, k: number): string {
  return `Bước ${k} của hồ sơ ${n}`;
}

/**
 * Upsert + `STEPS_PER_DOSSIER` progress steps for the portal, a hand-off for the province.
 * `procedureCode` replaces the dossier's MaTTHC (e.g. one the portal refuses).
 */
export function enqueueDossier(store: Store, n: number, now: number, opts: { procedureCode?: string } = {}): void {
  const code = dossierCode(n);
  const wire = toWireDossier(sampleDossier({ code }), { agencyId: AGENCY, receivingUnit: 'Bộ phận một cửa' });
  const dossier = opts.procedureCode === undefined ? wire : { ...wire, MaTTHC: opts.procedureCode };
  const bytes = Buffer.from(`%PDF-1.4 giay tiep nhan ${code}`);
  const file = {
    name: `${code}.pdf`,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    base64: bytes.toString('base64'),
  };
  store.transaction(() => {
    store.outbox.enqueue({
      target: 'national',
      kind: 'dossier.upsert',
      dossierCode: code,
      idempotencyKey: `${code}:upsert`,
      payload: { dossier, isUpdating: false },
      now,
    });
    store.outbox.enqueue({
      target: 'provincial',
      kind: 'dossier.handoff',
      dossierCode: code,
      idempotencyKey: `${code}:handoff`,
      payload: { dossier, files: [file] },
      now,
    });
    for (let k = 1; k <= STEPS_PER_DOSSIER; k++) {
      const step = toWireProgressStep({
        dossierCode: code,
        handler: 'Trần Văn Bình',
        handlerTitle: 'Công chức một cửa',
        at: `2025-07-16T09:${String(k).padStart(2, '0')}`,
        department: 'Bộ phận một cửa',
        content: stepText(n, k),
        status: 4,
        startedAt: '2025-07-16T08:00',
        dueAt: null,
      });
      store.outbox.enqueue({
        target: 'national',
        kind: 'dossier.progress',
        dossierCode: code,
        idempotencyKey: `${code}:step:${k}`,
        payload: { steps: [step] },
        now,
      });
    }
  });
}

export function clients(
  nationalUrl: string,
  provincialUrl: string,
  timeoutMs = 300,
): { national: NationalPortal; provincial: ProvincialSystem } {
  return {
    national: createNationalPortalClient({
      baseUrl: nationalUrl,
      ...TRAINING_NATIONAL_USER,
      dstcode: TRAINING_DSTCODE,
      agencyCode: AGENCY,
      timeoutMs,
    }),
    provincial: createProvincialClient({ baseUrl: provincialUrl, ...TRAINING_PROVINCIAL_CLIENT, timeoutMs }),
  };
}

export interface DeliveryReport {
  /** Problems found; empty = every dossier and step arrived exactly once, in order. */
  problems: string[];
  /** Re-deliveries the remotes recognised (after faults that hid the first answer). */
  redeliveries: { national: number; provincial: number };
}

/**
 * What the simulators received, checked for dossiers 1..count:
 * - portal: created once (later DongBoHoSoMC only as updates), steps stored once each and in
 *   order, and the dossier created before its first step arrived;
 * - province: one dossier per MaHoSo, handed off once under one idempotency key; repeats only as
 *   recognised duplicates of that key.
 */
export function checkDelivery(
  national: NationalPortalState,
  provincial: ProvincialState,
  count: number,
): DeliveryReport {
  const problems: string[] = [];
  let nationalRepeats = 0;
  let provincialRepeats = 0;
  for (let n = 1; n <= count; n++) {
    const code = dossierCode(n);
    const record = national.dossiers.get(code);
    if (!record) problems.push(`${code}: never reached the portal`);
    else if (record.createCount !== 1) problems.push(`${code}: created ${record.createCount} times on the portal`);
    const expected = Array.from({ length: STEPS_PER_DOSSIER }, (_, i) => stepText(n, i + 1));
    const stored = (national.progress.get(code) ?? []).map((s) => s.NoiDungXuLy);
    if (JSON.stringify(stored) !== JSON.stringify(expected))
      problems.push(`${code}: portal steps ${JSON.stringify(stored)}, expected ${JSON.stringify(expected)}`);
    const arrivals = national.received.filter((r) => r.maHoSo === code);
    const firstStep = arrivals.findIndex((r) => r.service === 'CapNhatTienDoHoSoMC');
    const created = arrivals.findIndex((r) => r.outcome === 'created');
    if (firstStep >= 0 && (created < 0 || created > firstStep))
      problems.push(`${code}: a step arrived before the dossier`);
    if (arrivals.filter((r) => r.outcome === 'created').length !== 1)
      problems.push(`${code}: ${arrivals.filter((r) => r.outcome === 'created').length} creations`);
    const firstArrivals = arrivals.filter((r) => r.outcome === 'stored').map((r) => r.step);
    if (JSON.stringify(firstArrivals) !== JSON.stringify(expected))
      problems.push(`${code}: steps first arrived as ${JSON.stringify(firstArrivals)}`);
    nationalRepeats += arrivals.filter((r) => r.outcome === 'updated' || r.outcome === 'duplicate').length;

    const handed = provincial.dossiers.get(code);
    if (!handed) problems.push(`${code}: never reached the province`);
    else if (handed.receiveCount !== 1 || handed.idempotencyKeys.length !== 1)
      problems.push(`${code}: handed off ${handed.receiveCount} times (${handed.idempotencyKeys.join(', ')})`);
    const handoffs = provincial.received.filter((r) => r.maHoSo === code);
    if (handoffs.filter((r) => r.outcome !== 'duplicate').length !== 1)
      problems.push(`${code}: ${handoffs.length} hand-offs not recognised as duplicates`);
    provincialRepeats += handoffs.filter((r) => r.outcome === 'duplicate').length;
  }
  const extra = [...national.dossiers.keys()].filter(
    (c) => !Array.from({ length: count }, (_, i) => dossierCode(i + 1)).includes(c),
  );
  if (extra.length > 0) problems.push(`unexpected dossiers on the portal: ${extra.join(', ')}`);
  return { problems, redeliveries: { national: nationalRepeats, provincial: provincialRepeats } };
}

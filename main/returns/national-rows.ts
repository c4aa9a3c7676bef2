import type { z } from 'zod';
import type { Dossier, Procedure } from '../../common/contract';
import {
  toWireDateTime,
  toWireDossier,
  toWireProgressStep,
  type ProgressStep,
} from '../remotes/national-portal/wire-format';
import type { WireDossier } from '../remotes/national-portal/wire-schemas';
import type { DossierReturnedPayload } from '../remotes/centre/wire-replication';
import type { DossierReturn, ResultsRepository } from '../store/results.repository';
import type { Store } from '../store/store';

export interface DeskUnit {
  agencyId: string;
  agencyName: string;
}

/** ThongTinTra: how and to whom the result went (a name and a tracking number; no personal ID). */
export function returnInfo(r: DossierReturn): string {
  if (r.delivery === 'post') return `Gửi qua dịch vụ bưu chính công ích, mã bưu gửi ${r.trackingNumber ?? ''}`.trim();
  return r.collectorKind === 'authorised'
    ? `Trả tại Bộ phận Một cửa cho người được ủy quyền ${r.collectorName} (${r.authorisation ?? ''})`
    : `Trả tại Bộ phận Một cửa cho người nộp hồ sơ ${r.collectorName}`;
}

/**
 * The dossier as the national portal should see it once results are involved (docs/domain.md §4, §9):
 * - DanhSachGiayToKetQua: each result the desk holds, with its national code (MaGiayToKetQua,
 *   the procedure's result code when the remote gave none) and the link the remote gave;
 * - NgayKetThucXuLy: when processing finished (status 9), set by `toWireDossier`;
 * - NgayTra / ThongTinTra / HinhThuc: the hand-over as it happened (desk "0" or post "1");
 * - NgayHenTra: the appointment of the receipt. A form 4 letter moves the date the citizen is
 *   promised, not the deadline the portal measures "on time" against, so the original is sent.
 */
export function resultWireDossier(
  d: Dossier,
  p: Procedure | null,
  desk: DeskUnit,
  results: ResultsRepository,
): WireDossier {
  const stored = results.forDossier(d.code).filter((r) => r.state === 'stored');
  const base = toWireDossier(d, {
    agencyId: desk.agencyId,
    receivingUnit: desk.agencyName,
    ...(p ? { sectorCode: p.sectorCode, sectorName: p.sectorName } : {}),
    results: stored.map((r) => ({
      name: r.documentName,
      documentId: r.remoteId,
      url: r.url,
      resultCode: r.documentCode === '' ? null : r.documentCode,
    })),
    resultCode: p?.resultCode ?? null,
  });
  const handOver = results.returnOf(d.code);
  const firstLetter = results.delayLetters(d.code)[0];
  return {
    ...base,
    ...(handOver ? { HinhThuc: handOver.delivery === 'post' ? '1' : '0', ThongTinTra: returnInfo(handOver) } : {}),
    ...(firstLetter ? { NgayHenTra: toWireDateTime(firstLetter.previousAppointmentAt) } : {}),
  };
}

/**
 * Writes the national portal's outbox rows for a change (inside the caller's transaction): the
 * dossier update (DongBoHoSoMC, isUpdating) and, when given, one progress step
 * (CapNhatTienDoHoSoMC). `key` makes the rows idempotent (a repeated change writes nothing new).
 */
export function enqueueNational(
  store: Pick<Store, 'outbox' | 'catalogue'>,
  results: ResultsRepository,
  desk: DeskUnit,
  d: Dossier,
  key: string,
  step: ProgressStep | null,
  now: number,
): void {
  const p = store.catalogue.get(d.procedureCode);
  const wire = resultWireDossier(d, p, desk, results);
  store.outbox.enqueue({
    target: 'national',
    kind: 'dossier.upsert',
    dossierCode: d.code,
    idempotencyKey: `${d.code}/upsert/${key}`,
    payload: { dossier: wire, isUpdating: true },
    now,
  });
  if (step) {
    store.outbox.enqueue({
      target: 'national',
      kind: 'dossier.progress',
      dossierCode: d.code,
      idempotencyKey: `${d.code}/progress/${key}`,
      payload: { steps: [toWireProgressStep(step)] },
      now,
    });
  }
}

/**
 * The centre's copy of a hand-over (docs/architecture.md, "Centre"), written in the hand-over's
 * transaction; nothing on a desk that is not enrolled at a centre. No collector's name or number:
 * only who took it (the applicant, an authorised person, the post).
 */
export function enqueueCentreReturned(
  store: Pick<Store, 'outbox'>,
  r: Pick<DossierReturn, 'dossierCode' | 'returnedAt' | 'delivery' | 'collectorKind'>,
  officer: string,
  now: number,
): void {
  const payload: z.input<typeof DossierReturnedPayload> = {
    code: r.dossierCode,
    at: r.returnedAt,
    officer: officer.slice(0, 60),
    outcome: r.delivery === 'post' ? 'post' : r.collectorKind === 'authorised' ? 'authorised' : 'applicant',
  };
  store.outbox.enqueueCentre({ kind: 'dossier.returned', at: now, payload }, r.dossierCode, now);
}

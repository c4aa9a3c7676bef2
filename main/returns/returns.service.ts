import type { z } from 'zod';
import {
  AppError,
  HandOverParams,
  type DelayLetterInfo,
  type Dossier,
  type ReadyItem,
  type ReturnView,
} from '../../common/contract';
import {
  canTransition,
  checkPersonalId,
  computeAppointment,
  foldVietnamese,
  personalIdProblemVi,
  statusName,
} from '../../common/domain';
import { toWireDateTime } from '../remotes/national-portal/wire-format';
import { isDeviceError, type DocumentPrinter } from '../../drivers';
import type { Clock } from '../kernel/clock';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';
import type { SessionUser } from '../../common/contract';
import { renderApology } from '../forms/render';
import { formCommon, type DeskIdentity } from '../intake/dossier-forms';
import type { WorkingTimeProvider } from '../intake/working-time';
import { maskIdNumber } from '../kernel/mask';
import type { DelayLetter, DossierResult, DossierReturn, ResultsRepository } from '../store/results.repository';
import type { Store } from '../store/store';
import { enqueueCentreReturned, enqueueNational } from './national-rows';
import type { ResultIntake } from './result-intake';

const PROCESSED = 9;
const RETURNED = 10;
/** Not yet processed: the statuses in which a missed appointment calls for form 4. */
const IN_PROGRESS = new Set([2, 4, 5, 6]);

type HandOverInput = z.output<typeof HandOverParams>;
type Pdf = { fileName: string; base64: string; sha256: string };

export interface ReturnsDeps {
  store: Store;
  results: ResultsRepository;
  intake: Pick<ResultIntake, 'retryPending'>;
  clock: Clock;
  log: Logger;
  workingTime: WorkingTimeProvider;
  desk: DeskIdentity;
  /** After a commit that wrote outbox rows (wakes the sender). */
  onOutbox: () => void;
  /** `dossier.changed` after each committed change of a dossier. */
  events: EventPublisher;
  /** The desk's document printer (form 4). */
  printer?: DocumentPrinter;
}

/**
 * The desk's side of the return of results: the list of dossiers ready to return, the hand-over
 * (status 10, audited, national portal told through the outbox) and form 4 for late dossiers.
 * Results themselves arrive through `ResultIntake` (the status pull).
 */
export class ReturnsService {
  constructor(private readonly deps: ReturnsDeps) {}

  /** Processed dossiers (status 9), oldest processing end first, optionally filtered by code, name or ID. */
  listReady(query = ''): ReadyItem[] {
    const q = fold(query);
    const items: ReadyItem[] = [];
    for (const code of this.deps.results.processedCodes()) {
      const d = this.deps.store.dossiers.getByCode(code);
      if (!d) continue;
      if (q !== '' && !fold(`${d.code} ${d.applicantName} ${d.applicantIdNumber} ${d.procedureName}`).includes(q))
        continue;
      const processedAt = lastAt(d, PROCESSED);
      items.push({
        code: d.code,
        applicantName: d.applicantName,
        applicantIdNumber: d.applicantIdNumber,
        procedureName: d.procedureName,
        receivedAt: d.receivedAt,
        appointmentAt: d.appointmentAt,
        processedAt,
        late: isLate(this.originalAppointment(d), processedAt),
        delivery: d.delivery,
        resultState: resultState(this.deps.results.forDossier(d.code)),
      });
    }
    return items;
  }

  get(code: string): ReturnView {
    const d = this.dossier(code);
    const results = this.deps.results.forDossier(d.code);
    const processedAt = lastAt(d, PROCESSED);
    const handOver = this.deps.results.returnOf(d.code);
    const state = resultState(results);
    const now = this.deps.clock.localNow();
    return {
      dossier: d,
      processedAt,
      results: results.map((r) => ({
        id: r.id,
        fileName: r.fileName,
        documentName: r.documentName,
        documentCode: r.documentCode,
        state: r.state,
        attempts: r.attempts,
        lastErrorCode: r.lastErrorCode,
        documentId: r.documentId === null ? null : `L:${r.documentId}`,
        sizeBytes: r.sizeBytes,
      })),
      resultState: state,
      ready: d.status === PROCESSED && state !== 'pending',
      late: isLate(
        this.originalAppointment(d),
        processedAt ?? (d.status === PROCESSED || d.status === RETURNED ? null : now),
      ),
      canApologise: IN_PROGRESS.has(d.status) && d.appointmentAt !== null && d.appointmentAt < now,
      handOver: handOver ? toHandOver(handOver) : null,
      delayLetters: this.deps.results.delayLetters(d.code).map(toLetterInfo),
    };
  }

  /**
   * Hands the result over. Checks, in order: status 9 (10 → RESULT_ALREADY_RETURNED), every
   * announced file held (RESULT_FILE_MISSING), by post a tracking number, at the desk the
   * collector: the applicant's own ID number, or an authorised person's name, valid personal ID
   * and authorisation. Then one transaction: status 10, hand-over row, national rows, audit.
   */
  handOver(params: HandOverInput, user: SessionUser): ReturnView {
    const { store, results, clock } = this.deps;
    const at = clock.localNow();
    const done = store.transaction(() => {
      const d = this.dossier(params.code);
      if (d.status === RETURNED)
        throw new AppError(
          'RESULT_ALREADY_RETURNED',
          `Kết quả hồ sơ ${d.code} đã được trả lúc ${results.returnOf(d.code)?.returnedAt ?? lastAt(d, RETURNED) ?? ''}.`,
        );
      if (d.status !== PROCESSED || !canTransition(d.status, RETURNED)) {
        throw new AppError(
          'RESULT_NOT_READY',
          `Hồ sơ đang ở trạng thái "${statusName(d.status)}", chưa thể trả kết quả.`,
        );
      }
      if (resultState(results.forDossier(d.code)) === 'pending') {
        throw new AppError(
          'RESULT_FILE_MISSING',
          `Chưa nhận được tệp kết quả của hồ sơ ${d.code} từ hệ thống của tỉnh.`,
        );
      }
      const record = this.checkCollector(d, params, at, user);
      results.addReturn(record);
      const updated = store.dossiers.setStatus(
        d.code,
        RETURNED,
        user.displayName,
        `Trả kết quả: ${record.delivery === 'post' ? `qua bưu chính (${record.trackingNumber ?? ''})` : `cho ${record.collectorName}`}`,
        at,
      );
      enqueueNational(
        store,
        results,
        this.deps.desk,
        updated,
        `returned-${updated.history.length}`,
        {
          dossierCode: updated.code,
          handler: user.displayName,
          handlerTitle: 'Cán bộ trả kết quả',
          at,
          department: 'Bộ phận Một cửa',
          content: 'Trả kết quả giải quyết hồ sơ',
          status: RETURNED,
          startedAt: at,
          dueAt: updated.appointmentAt,
        },
        clock.now(),
      );
      enqueueCentreReturned(store, record, user.displayName, clock.now());
      store.audit.append({
        at,
        actor: user.username,
        action: 'dossier.return',
        entity: 'dossier',
        entityId: d.code,
        details: {
          from: d.status,
          to: RETURNED,
          delivery: record.delivery,
          collector: record.collectorKind,
          collectorId: record.collectorIdNumber === null ? null : maskIdNumber(record.collectorIdNumber),
          trackingNumber: record.trackingNumber,
        },
      });
      return updated;
    });
    this.deps.log.log('info', 'dossier.returned', { code: done.code });
    this.deps.onOutbox();
    this.deps.events.publish('dossier.changed', { code: done.code, status: done.status });
    return this.get(done.code);
  }

  async refetch(code: string): Promise<ReturnView> {
    const d = this.dossier(code);
    const stored = await this.deps.intake.retryPending(d.code);
    if (stored > 0) {
      this.deps.onOutbox();
      this.deps.events.publish('dossier.changed', { code: d.code, status: d.status });
    }
    return this.get(d.code);
  }

  async resultPdf(code: string, resultId: number): Promise<Pdf> {
    const d = this.dossier(code);
    const r = this.deps.results.forDossier(d.code).find((x) => x.id === resultId);
    if (!r) throw new AppError('NOT_FOUND', `Hồ sơ ${d.code} không có kết quả số ${resultId}.`);
    if (r.state !== 'stored' || r.blobSha256 === null)
      throw new AppError('RESULT_FILE_MISSING', `Chưa nhận được tệp kết quả ${r.fileName}.`);
    const bytes = await this.deps.store.blobs.get(r.blobSha256, { verify: true });
    return { fileName: r.fileName, base64: Buffer.from(bytes).toString('base64'), sha256: r.blobSha256 };
  }

  /** The new date form 4 would set: `extensionDays` working days counted from now by the calendar rules. */
  apologyQuote(
    code: string,
    extensionDays: number,
  ): { previousAppointmentAt: string; newAppointmentAt: string; notes: string[] } {
    const d = this.lateDossier(code);
    const now = this.deps.clock.localNow();
    const due = computeAppointment({
      receivedAt: now,
      duration: extensionDays,
      unit: 'working-days',
      cutoff: null,
      workingTime: this.deps.workingTime.get(),
    });
    if (due.due === null) throw new AppError('INTERNAL', 'Không tính được ngày hẹn mới.');
    return { previousAppointmentAt: d.appointmentAt!, newAppointmentAt: due.due, notes: due.notes };
  }

  /**
   * Form 4 for a dossier past its appointment and not yet processed: the new date is computed,
   * the PDF rendered and kept, then one transaction records the letter and the new appointment
   * (keeping the one it replaces), writes the national progress step and the audit entry.
   */
  async issueApology(
    code: string,
    extensionDays: number,
    reason: string,
    user: SessionUser,
  ): Promise<{ letter: z.output<typeof DelayLetterInfo>; pdf: Pdf }> {
    const { store, results, clock } = this.deps;
    const d = this.lateDossier(code);
    const quote = this.apologyQuote(d.code, extensionDays);
    const at = clock.localNow();
    const bytes = await renderApology({
      ...formCommon(d, this.deps.desk),
      receivedAt: d.receivedAt,
      previousAppointmentAt: quote.previousAppointmentAt,
      newAppointmentAt: quote.newAppointmentAt,
      reason,
      issuedAt: at,
      officerName: user.displayName,
    });
    const { sha256 } = await store.blobs.put(bytes);
    const letter = store.transaction(() => {
      const current = this.lateDossier(d.code);
      if (current.appointmentAt !== quote.previousAppointmentAt)
        throw new AppError('CONFLICT', 'Ngày hẹn của hồ sơ vừa thay đổi. Mở lại hồ sơ rồi lập phiếu.');
      const saved = results.addDelayLetter({
        dossierCode: d.code,
        issuedAt: at,
        previousAppointmentAt: quote.previousAppointmentAt,
        newAppointmentAt: quote.newAppointmentAt,
        extensionDays,
        reason,
        officer: user.displayName,
        blobSha256: sha256,
      });
      const updated = store.dossiers.setAppointment(d.code, quote.newAppointmentAt, quote.previousAppointmentAt);
      store.outbox.enqueue({
        target: 'national',
        kind: 'dossier.progress',
        dossierCode: d.code,
        idempotencyKey: `${d.code}/progress/apology-${saved.id}`,
        now: clock.now(),
        payload: {
          steps: [
            {
              MaHoSo: d.code,
              NguoiXuLy: user.displayName,
              ChucDanh: 'Cán bộ tiếp nhận',
              ThoiDiemXuLy: wire(at),
              PhongBanXuLy: 'Bộ phận Một cửa',
              NoiDungXuLy: `Xin lỗi và hẹn lại ngày trả kết quả: ${reason}`.slice(0, 500),
              TrangThai: String(updated.status),
              NgayBatDau: wire(at),
              NgayKetThucTheoQuyDinh: wire(quote.newAppointmentAt),
            },
          ],
        },
      });
      store.audit.append({
        at,
        actor: user.username,
        action: 'dossier.apology',
        entity: 'dossier',
        entityId: d.code,
        details: {
          previousAppointmentAt: quote.previousAppointmentAt,
          newAppointmentAt: quote.newAppointmentAt,
          extensionDays,
          letter: saved.id,
          sha256,
        },
      });
      return saved;
    });
    this.deps.log.log('info', 'dossier.apology', { code: d.code, newAppointmentAt: quote.newAppointmentAt });
    this.deps.onOutbox();
    this.deps.events.publish('dossier.changed', { code: d.code, status: d.status });
    return {
      letter: toLetterInfo(letter),
      pdf: {
        fileName: `${d.code}-phieu-xin-loi-${letter.id}.pdf`,
        base64: Buffer.from(bytes).toString('base64'),
        sha256,
      },
    };
  }

  async apologyPdf(code: string, letterId: number): Promise<Pdf> {
    const d = this.dossier(code);
    const l = this.deps.results.delayLetters(d.code).find((x) => x.id === letterId);
    if (!l) throw new AppError('NOT_FOUND', `Hồ sơ ${d.code} không có phiếu xin lỗi số ${letterId}.`);
    const bytes = await this.deps.store.blobs.get(l.blobSha256, { verify: true });
    return {
      fileName: `${d.code}-phieu-xin-loi-${l.id}.pdf`,
      base64: Buffer.from(bytes).toString('base64'),
      sha256: l.blobSha256,
    };
  }

  async printApology(code: string, letterId: number, user: SessionUser): Promise<{ printer: string; jobId: string }> {
    const printer = this.deps.printer;
    if (!printer) throw new AppError('DEVICE_UNAVAILABLE', 'Máy trạm chưa có máy in văn bản.');
    const pdf = await this.apologyPdf(code, letterId);
    try {
      const { jobId } = await printer.print(Buffer.from(pdf.base64, 'base64'), {
        title: `${code} - Phiếu xin lỗi và hẹn lại ngày trả kết quả`,
      });
      this.deps.store.audit.append({
        at: this.deps.clock.localNow(),
        actor: user.username,
        action: 'dossier.print-apology',
        entity: 'dossier',
        entityId: code.trim(),
        details: { letter: letterId, printer: printer.name, jobId },
      });
      return { printer: printer.name, jobId };
    } catch (err) {
      if (isDeviceError(err)) throw new AppError(err.code, err.message);
      throw err;
    }
  }

  private checkCollector(d: Dossier, p: HandOverInput, at: string, user: SessionUser): DossierReturn {
    const base = { dossierCode: d.code, returnedAt: at, officer: user.displayName, note: p.note };
    if (p.delivery === 'post') {
      if (p.trackingNumber === '')
        throw new AppError('TRACKING_NUMBER_REQUIRED', 'Cần nhập mã bưu gửi khi trả kết quả qua bưu chính.', {
          field: 'trackingNumber',
        });
      return {
        ...base,
        delivery: 'post',
        trackingNumber: p.trackingNumber,
        collectorKind: 'applicant',
        collectorName: d.applicantName,
        collectorIdNumber: null,
        authorisation: null,
      };
    }
    const c = p.collector;
    if (c.kind === 'applicant') {
      if (c.idNumber.replace(/\s+/g, '') !== d.applicantIdNumber) {
        throw new AppError('COLLECTOR_MISMATCH', 'Số định danh người nhận không trùng với người nộp hồ sơ.', {
          field: 'collector.idNumber',
        });
      }
      return {
        ...base,
        delivery: 'desk',
        trackingNumber: null,
        collectorKind: 'applicant',
        collectorName: d.applicantName,
        collectorIdNumber: d.applicantIdNumber,
        authorisation: null,
      };
    }
    if (c.fullName === '' || c.authorisation === '' || c.idNumber === '') {
      throw new AppError(
        'AUTHORISATION_REQUIRED',
        'Người được ủy quyền cần có họ tên, số định danh và văn bản ủy quyền.',
        {
          field:
            c.fullName === ''
              ? 'collector.fullName'
              : c.idNumber === ''
                ? 'collector.idNumber'
                : 'collector.authorisation',
        },
      );
    }
    const id = checkPersonalId(c.idNumber);
    if (!id.ok)
      throw new AppError(
        'COLLECTOR_ID_INVALID',
        `Số định danh người được ủy quyền không hợp lệ: ${personalIdProblemVi(id.problem)}`,
        { field: 'collector.idNumber', problem: id.problem },
      );
    return {
      ...base,
      delivery: 'desk',
      trackingNumber: null,
      collectorKind: 'authorised',
      collectorName: c.fullName,
      collectorIdNumber: id.id,
      authorisation: c.authorisation,
    };
  }

  private dossier(code: string): Dossier {
    const d = this.deps.store.dossiers.getByCode(code.trim());
    if (!d) throw new AppError('NOT_FOUND', `Không tìm thấy hồ sơ ${code.slice(0, 40)}.`);
    return d;
  }

  private lateDossier(code: string): Dossier {
    const d = this.dossier(code);
    const now = this.deps.clock.localNow();
    if (!IN_PROGRESS.has(d.status) || d.appointmentAt === null || d.appointmentAt >= now) {
      throw new AppError(
        'DOSSIER_NOT_LATE',
        d.appointmentAt === null
          ? `Hồ sơ ${d.code} không có ngày hẹn trả.`
          : `Hồ sơ ${d.code} (${statusName(d.status)}, hẹn trả ${d.appointmentAt.replace('T', ' ')}) không cần phiếu xin lỗi.`,
      );
    }
    return d;
  }

  /** The appointment of the receipt: before any form 4 moved it. */
  private originalAppointment(d: Dossier): string | null {
    return this.deps.results.delayLetters(d.code)[0]?.previousAppointmentAt ?? d.appointmentAt;
  }
}

function lastAt(d: Dossier, status: number): string | null {
  for (let i = d.history.length - 1; i >= 0; i--) if (d.history[i]!.status === status) return d.history[i]!.at;
  return null;
}

function isLate(appointmentAt: string | null, finishedAt: string | null): boolean {
  return appointmentAt !== null && finishedAt !== null && finishedAt > appointmentAt;
}

function resultState(results: DossierResult[]): 'stored' | 'pending' | 'none' {
  if (results.length === 0) return 'none';
  return results.some((r) => r.state === 'pending') ? 'pending' : 'stored';
}

function toHandOver(r: DossierReturn) {
  return {
    returnedAt: r.returnedAt,
    officer: r.officer,
    collectorKind: r.collectorKind,
    collectorName: r.collectorName,
    collectorIdNumber: r.collectorIdNumber === null ? null : maskIdNumber(r.collectorIdNumber),
    authorisation: r.authorisation,
    delivery: r.delivery,
    trackingNumber: r.trackingNumber,
  };
}

function toLetterInfo(l: DelayLetter): z.output<typeof DelayLetterInfo> {
  return {
    id: l.id,
    issuedAt: l.issuedAt,
    previousAppointmentAt: l.previousAppointmentAt,
    newAppointmentAt: l.newAppointmentAt,
    extensionDays: l.extensionDays,
    reason: l.reason,
    officer: l.officer,
  };
}

const wire = toWireDateTime;

function fold(text: string): string {
  return foldVietnamese(text).trim();
}

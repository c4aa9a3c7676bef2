import type { z } from 'zod';
import {
  AppError,
  type AppointmentQuote,
  type Channel,
  type Dossier,
  type DossierComponent,
  type DossierDocumentKind,
  type Procedure,
  type ReceiveParams,
} from '../../common/contract';
import { canTransition, computeAppointment, statusName } from '../../common/domain';
import type { DocumentPrinter } from '../../drivers';
import { isDeviceError } from '../../drivers';
import type { Store } from '../store/store';
import type { Clock } from '../kernel/clock';
import type { EventPublisher } from '../kernel/events';
import type { Logger } from '../kernel/logger';
import type { SessionUser } from '../../common/contract';
import type { ApplicantService } from './applicant.service';
import type { DossierCodeAllocator } from './dossier-code.allocator';
import type { DossierForms } from './dossier-forms';
import type { WorkingTimeProvider } from './working-time';
import { enqueueDossierSync, receivedAudit, statusAudit } from './dossier-trail';
import { effectiveProcedure } from '../store/reference-data.repository';

type Receive = z.output<typeof ReceiveParams>;

const STATUS_RECEIVED = 2;
const STATUS_REFUSED = 3;
const STATUS_SUPPLEMENT = 5;

export interface IntakeDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  applicants: ApplicantService;
  codes: DossierCodeAllocator;
  forms: DossierForms;
  workingTime: WorkingTimeProvider;
  printer: DocumentPrinter;
  agencyId: string;
  agencyName: string;
  /** Called after a change was committed with outbox rows (wakes the sender loop). */
  onOutbox: () => void;
  /** `dossier.changed` after each committed change of a dossier. */
  events: EventPublisher;
  /** Finishes the queue ticket a dossier was received for, inside the receiving transaction (never throws). */
  /**
   * The queue the desk calls from: its own (SQLite) or the centre's. `ticket` finds a ticket of the
   * counter (a centre ticket is not in this store: docs/architecture.md, "Centre").
   */
  tickets?: {
    finishForDossier(ticketId: number, dossierCode: string, actor: string): void;
    ticket(ticketId: number): { id: number; number: string } | null;
  };
}

/**
 * The walk-in intake: quote, receive (code + appointment + outbox + audit in one transaction),
 * the printed forms, supplement request and refusal.
 */
export class IntakeService {
  constructor(private readonly deps: IntakeDeps) {}

  procedure(code: string): Procedure {
    // The version in force today: a pulled change waits for its effective date (docs/domain.md §11).
    const p = effectiveProcedure(this.deps.store, code.trim(), this.deps.clock.today());
    if (!p)
      throw new AppError('PROCEDURE_UNKNOWN', `Không có thủ tục mã ${code.slice(0, 40)} trong danh mục.`, {
        field: 'procedureCode',
      });
    return p;
  }

  quote(procedureCode: string, channel: Channel): z.output<typeof AppointmentQuote> {
    const p = this.procedure(procedureCode);
    const terms = this.terms(p, channel);
    const receivedAt = this.deps.clock.localNow();
    const appointment = computeAppointment({
      receivedAt,
      duration: terms.duration,
      unit: terms.unit,
      cutoff: p.cutoff,
      workingTime: this.deps.workingTime.get(),
    });
    return {
      receivedAt,
      appointmentAt: appointment.due,
      duration: terms.duration,
      unit: terms.unit,
      fees: terms.fees,
      totalFee: terms.fees.reduce((s, f) => s + f.amount, 0),
      notes: appointment.notes,
    };
  }

  async receive(params: Receive, user: SessionUser): Promise<Dossier> {
    const { store, clock } = this.deps;
    const earlier = store.dossiers.findByRequestId(params.requestId);
    if (earlier) return earlier;

    const p = this.procedure(params.procedureCode);
    const terms = this.terms(p, params.channel);
    const idNumber = this.deps.applicants.checkIdentifier(params.applicant.kind, params.applicant.idNumber);
    const receivedAt = clock.localNow();
    const components = this.components(p, params, idNumber, receivedAt);
    const appointment = computeAppointment({
      receivedAt,
      duration: terms.duration,
      unit: terms.unit,
      cutoff: p.cutoff,
      workingTime: this.deps.workingTime.get(),
    });
    const ticketId = params.ticketId;
    const ticket =
      ticketId === null ? null : this.deps.tickets ? this.deps.tickets.ticket(ticketId) : store.queue.get(ticketId);
    if (params.ticketId !== null && !ticket)
      throw new AppError('TICKET_UNKNOWN', 'Không tìm thấy số thứ tự đang phục vụ.', { field: 'ticketId' });

    const dossier = store.transaction(() => {
      const raced = store.dossiers.findByRequestId(params.requestId);
      if (raced) return { dossier: raced, created: false };
      const person = this.deps.applicants.save(
        { ...params.applicant, idNumber },
        user.username,
        params.applicantChanges,
      );
      const code = this.deps.codes.allocate(clock.today());
      const d = store.dossiers.insert({
        code,
        requestId: params.requestId,
        status: STATUS_RECEIVED,
        channel: params.channel,
        applicant: person,
        procedureCode: p.code,
        procedureName: p.name,
        receivedAt,
        appointmentAt: appointment.due,
        summary: params.summary || p.name,
        contactPhone: params.contactPhone,
        contactEmail: params.contactEmail,
        delivery: params.delivery,
        components,
        fees: terms.fees,
        officer: user.displayName,
        ticketNumber: ticket?.number ?? null,
        note: 'Tiếp nhận hồ sơ tại Bộ phận Một cửa',
      });
      this.enqueueSync(d, p, 'Tiếp nhận hồ sơ', true, receivedAt, params.ticketId);
      store.audit.append(receivedAudit(d, user.username));
      if (ticket) this.deps.tickets?.finishForDossier(ticket.id, code, user.username);
      return { dossier: d, created: true };
    });
    if (!dossier.created) return dossier.dossier;

    const d = dossier.dossier;
    this.deps.log.log('info', 'dossier.received', { code: d.code, procedure: d.procedureCode });
    try {
      await this.deps.forms.load(d, 'receipt', receivedAt);
    } catch (err) {
      // The dossier is received either way; the receipt is rendered again when asked for.
      this.deps.log.log('error', 'receipt.render-failed', {
        code: d.code,
        error: err instanceof Error ? err.message : String(err),
      });
    }
    this.deps.onOutbox();
    this.deps.events.publish('dossier.changed', { code: d.code, status: d.status });
    void this.deps.codes.refill(clock.today());
    return this.get(d.code);
  }

  get(code: string): Dossier {
    const d = this.deps.store.dossiers.getByCode(code.trim());
    if (!d) throw new AppError('NOT_FOUND', `Không tìm thấy hồ sơ ${code.slice(0, 40)}.`);
    return d;
  }

  async document(
    code: string,
    kind: DossierDocumentKind,
  ): Promise<{ fileName: string; base64: string; sha256: string }> {
    const d = this.get(code);
    const { bytes, sha256 } = await this.deps.forms.load(d, kind, this.deps.clock.localNow());
    return { fileName: `${d.code}-${kind}.pdf`, base64: Buffer.from(bytes).toString('base64'), sha256 };
  }

  async printReceipt(code: string, user: SessionUser): Promise<{ printer: string; jobId: string }> {
    const d = this.get(code);
    const { bytes } = await this.deps.forms.load(d, 'receipt', this.deps.clock.localNow());
    try {
      const { jobId } = await this.deps.printer.print(bytes, { title: `${d.code} - Giấy tiếp nhận` });
      this.deps.store.audit.append({
        at: this.deps.clock.localNow(),
        actor: user.username,
        action: 'dossier.print-receipt',
        entity: 'dossier',
        entityId: d.code,
        details: { printer: this.deps.printer.name, jobId },
      });
      return { printer: this.deps.printer.name, jobId };
    } catch (err) {
      if (isDeviceError(err)) throw new AppError(err.code, err.message);
      throw err;
    }
  }

  async requestSupplement(code: string, missing: string[], reason: string, user: SessionUser): Promise<Dossier> {
    const at = this.deps.clock.localNow();
    const d = this.transition(
      code,
      STATUS_SUPPLEMENT,
      user,
      at,
      `Yêu cầu bổ sung: ${reason}`,
      'Yêu cầu bổ sung, hoàn thiện hồ sơ',
      { missing: missing.length },
    );
    await this.deps.forms.keep(
      d.code,
      'supplement',
      await this.deps.forms.supplement(d, missing, reason, at, user.displayName),
      at,
    );
    return this.get(d.code);
  }

  async refuse(code: string, reasons: string[], user: SessionUser): Promise<Dossier> {
    const at = this.deps.clock.localNow();
    const d = this.transition(
      code,
      STATUS_REFUSED,
      user,
      at,
      `Từ chối tiếp nhận: ${reasons.join('; ')}`,
      'Từ chối tiếp nhận hồ sơ',
      { reasons: reasons.length },
    );
    await this.deps.forms.keep(d.code, 'refusal', await this.deps.forms.refusal(d, reasons, at, user.displayName), at);
    return this.get(d.code);
  }

  private transition(
    code: string,
    to: number,
    user: SessionUser,
    at: string,
    note: string,
    step: string,
    details: Record<string, unknown>,
  ): Dossier {
    const { store } = this.deps;
    const d = store.transaction(() => {
      const current = this.get(code);
      if (!canTransition(current.status, to)) {
        throw new AppError(
          'DOSSIER_STATE_INVALID',
          `Hồ sơ đang ở trạng thái "${statusName(current.status)}", không thể chuyển sang "${statusName(to)}".`,
        );
      }
      const updated = store.dossiers.setStatus(current.code, to, user.displayName, note, at);
      const p = store.catalogue.get(updated.procedureCode);
      this.enqueueSync(updated, p, step, false, at);
      store.audit.append(statusAudit(updated, current.status, user.username, at, details));
      return updated;
    });
    this.deps.onOutbox();
    this.deps.events.publish('dossier.changed', { code: d.code, status: d.status });
    return d;
  }

  /** Outbox rows for a change, written inside the caller's transaction. */
  private enqueueSync(
    d: Dossier,
    p: Procedure | null,
    stepName: string,
    first: boolean,
    at: string,
    ticketId: number | null = null,
  ): void {
    const { agencyId, agencyName } = this.deps;
    enqueueDossierSync(this.deps.store.outbox, d, p, {
      agencyId,
      agencyName,
      stepName,
      first,
      at,
      now: this.deps.clock.now(),
      ticketId,
    });
  }

  private terms(p: Procedure, channel: Channel) {
    const terms = p.channels.find((c) => c.channel === channel);
    if (!terms)
      throw new AppError('CHANNEL_NOT_OFFERED', `Thủ tục ${p.code} không thực hiện qua kênh này.`, {
        field: 'channel',
      });
    return terms;
  }

  private components(p: Procedure, params: Receive, ownerId: string, at: string): DossierComponent[] {
    const byCode = new Map(p.components.map((c) => [c.code, c]));
    const seen = new Set<string>();
    const out: DossierComponent[] = [];
    for (const choice of params.components) {
      const def = byCode.get(choice.componentCode);
      if (!def)
        throw new AppError(
          'COMPONENT_UNKNOWN',
          `Thành phần ${choice.componentCode.slice(0, 40)} không thuộc thủ tục ${p.code}.`,
          { field: 'components' },
        );
      if (seen.has(def.code))
        throw new AppError('VALIDATION_FAILED', `Thành phần "${def.name}" được chọn hai lần.`, { field: 'components' });
      seen.add(def.code);
      let reusedDocumentId: string | null = null;
      let consentAt: string | null = null;
      if (choice.source === 'reused') {
        if (!choice.reusedDocumentId)
          throw new AppError('VALIDATION_FAILED', `Chưa chọn giấy tờ tái sử dụng cho "${def.name}".`, {
            field: 'components',
          });
        if (!choice.consent)
          throw new AppError(
            'CONSENT_REQUIRED',
            `Cần sự đồng ý của người nộp để dùng giấy tờ trong kho dữ liệu cho "${def.name}".`,
            { field: 'components' },
          );
        const doc = this.deps.store.documents.get(choice.reusedDocumentId);
        if (!doc || doc.ownerIdNumber !== ownerId)
          throw new AppError(
            'DOCUMENT_UNKNOWN',
            `Giấy tờ chọn cho "${def.name}" không có trong kho dữ liệu của người nộp.`,
            { field: 'components' },
          );
        if (doc.validUntil !== null && doc.validUntil < at.slice(0, 10))
          throw new AppError(
            'VALIDATION_FAILED',
            `Giấy tờ "${doc.documentName}" đã hết hiệu lực từ ${doc.validUntil}.`,
            { field: 'components' },
          );
        reusedDocumentId = doc.id;
        consentAt = at;
      }
      if (choice.source === 'paper' && choice.originals + choice.copies === 0 && def.required) {
        throw new AppError('COMPONENT_MISSING', `Thành phần bắt buộc "${def.name}" chưa có bản chính hoặc bản sao.`, {
          field: 'components',
        });
      }
      out.push({
        componentCode: def.code,
        name: def.name,
        documentCode: def.documentCode,
        originals: choice.originals,
        copies: choice.copies,
        source: choice.source,
        reusedDocumentId,
        consentAt,
        digitisedDocumentId: null,
      });
    }
    const missing = p.components.filter((c) => c.required && !seen.has(c.code)).map((c) => c.name);
    if (missing.length)
      throw new AppError('COMPONENT_MISSING', `Còn thiếu thành phần bắt buộc: ${missing.join('; ')}.`, {
        field: 'components',
        missing,
      });
    return out;
  }
}

import { AppError, type Dossier, type DossierDocumentKind } from '../../common/contract';
import { channelName } from '../../common/domain';
import { renderReceipt, renderRefusal, renderSupplementRequest } from '../forms/render';
import type { FormCommon } from '../forms/form-data';
import type { Store } from '../store/store';

const SOURCE_LABELS: Record<Dossier['components'][number]['source'], string> = {
  paper: 'Giấy',
  reused: 'Tái sử dụng (Kho dữ liệu)',
  'to-digitise': 'Số hóa tại bộ phận một cửa',
};

export interface DeskIdentity {
  agencyId: string;
  agencyName: string;
  counterName: string;
  training: boolean;
}

/**
 * The printed forms of a dossier (1 receipt, 2 supplement request, 3 refusal): rendered from the
 * stored dossier, kept as blobs, referenced from the dossier. A form is rendered once; asking
 * again returns the stored bytes, so a reprint is the same document.
 */
export class DossierForms {
  /** Receipts being rendered, so the receive path and the sync hand-off never render one twice. */
  private readonly rendering = new Map<string, Promise<{ bytes: Uint8Array; sha256: string }>>();

  constructor(
    private readonly store: Store,
    private readonly desk: DeskIdentity,
  ) {}

  async receipt(d: Dossier): Promise<Uint8Array> {
    return renderReceipt({
      ...formCommon(d, this.desk),
      channelName: channelName(d.channel),
      components: d.components.map((c) => ({
        name: c.name,
        originals: c.originals,
        copies: c.copies,
        sourceLabel: SOURCE_LABELS[c.source],
      })),
      fees: d.fees.map((f) => ({ name: f.name, amount: f.amount })),
      totalFee: d.totalFee,
      receivedAt: d.receivedAt,
      appointmentAt: d.appointmentAt,
      collectAt:
        d.delivery === 'post'
          ? `Gửi qua dịch vụ bưu chính công ích tới địa chỉ của người nộp`
          : `${this.desk.counterName}, Bộ phận Một cửa – ${this.desk.agencyName}`,
      officerName: d.officer,
      lookupUrl: d.code,
    });
  }

  async supplement(
    d: Dossier,
    missing: string[],
    reason: string,
    at: string,
    officerName: string,
  ): Promise<Uint8Array> {
    return renderSupplementRequest({
      ...formCommon(d, this.desk),
      missing,
      reason,
      requestedAt: at,
      officerName,
      contact: `${this.desk.counterName}, Bộ phận Một cửa – ${this.desk.agencyName}`,
    });
  }

  async refusal(d: Dossier, reasons: string[], at: string, officerName: string): Promise<Uint8Array> {
    return renderRefusal({ ...formCommon(d, this.desk), reasons, refusedAt: at, officerName });
  }

  /** Stores the form and references it from the dossier (once: the same bytes are not listed twice). */
  async keep(code: string, kind: DossierDocumentKind, bytes: Uint8Array, at: string): Promise<string> {
    const { sha256 } = await this.store.blobs.put(bytes);
    if (this.store.dossiers.latestDocument(code, kind)?.sha256 !== sha256)
      this.store.dossiers.addDocument(code, kind, sha256, at);
    return sha256;
  }

  /** The stored form, re-rendering a receipt that is missing (e.g. the core stopped right after receiving). */
  async load(d: Dossier, kind: DossierDocumentKind, at: string): Promise<{ bytes: Uint8Array; sha256: string }> {
    const latest = this.store.dossiers.latestDocument(d.code, kind);
    if (latest && (await this.store.blobs.has(latest.sha256))) {
      return { bytes: await this.store.blobs.get(latest.sha256, { verify: true }), sha256: latest.sha256 };
    }
    if (kind !== 'receipt') throw new AppError('NOT_FOUND', `Hồ sơ ${d.code} chưa có phiếu loại ${kind}.`);
    let pending = this.rendering.get(d.code);
    if (!pending) {
      pending = (async () => {
        const bytes = await this.receipt(d);
        return { bytes, sha256: await this.keep(d.code, 'receipt', bytes, at) };
      })().finally(() => this.rendering.delete(d.code));
      this.rendering.set(d.code, pending);
    }
    return pending;
  }
}

/** What every form of a dossier prints at its head: the agency, the dossier, the applicant, the procedure. */
export function formCommon(d: Dossier, desk: DeskIdentity): FormCommon {
  return {
    agencyName: desk.agencyName,
    agencyId: desk.agencyId,
    dossierCode: d.code,
    applicant: {
      fullName: d.applicant.fullName,
      idNumber: d.applicant.idNumber,
      address: d.applicant.address,
      phone: d.contactPhone ?? d.applicant.phone,
      email: d.contactEmail ?? d.applicant.email,
    },
    procedure: { code: d.procedureCode, name: d.procedureName },
    training: desk.training,
  };
}

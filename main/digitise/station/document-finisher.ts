import type { z } from 'zod';
import {
  AppError,
  type DigitisedMetadata,
  type Dossier,
  type FinishResult,
  type SessionUser,
} from '../../../common/contract';
import type { Clock } from '../../kernel/clock';
import type { Logger } from '../../kernel/logger';
import { toWireDossier } from '../../remotes/national-portal/wire-format';
import type { BatchPageRecord, BatchWithPages } from '../../store/batches.repository';
import { maskIdNumber } from '../../kernel/mask';
import type { Store } from '../../store/store';
import { centreOrderKey } from '../../store/outbox-centre';
import type { PageState } from '../types';
import { quarterTurn, rebuildPageState, storedPages } from './page-codec';
import { storedProfile, type DocumentMeta, type PipelineFactory } from './pipeline-port';
import { errorMessage } from '../../kernel/error-message';

export interface DocumentFinisherDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  agency: { id: string; name: string };
  pipeline: PipelineFactory;
}

interface DossierLink {
  dossierCode: string;
  /** null when the document is filed under the dossier without a component to mark. */
  componentCode: string | null;
  procedureCode: string;
  sectorCode: string | null;
}

/**
 * Turns one group of a batch into a digitised document: checks the pages, has the pipeline make
 * the searchable PDF (its signing slot included), keeps the PDF in the blob store, and then in ONE
 * transaction writes the document row with every mandatory field and its page rows, links the
 * pages, marks the dossier component digitised, queues the dossier update for the national portal
 * (DuocSoHoa / HoSoCoThanhPhanSoHoa) and appends the audit entry.
 */
export class DocumentFinisher {
  constructor(private readonly deps: DocumentFinisherDeps) {}

  async finish(
    got: BatchWithPages,
    group: number,
    metadata: DigitisedMetadata,
    componentCode: string | null,
    user: SessionUser,
  ): Promise<{ result: z.output<typeof FinishResult>; dossier: Dossier | null }> {
    const { store, clock } = this.deps;
    const { batch } = got;
    const pages = this.checkedPages(got, group);
    const link = this.dossierLink(metadata, componentCode);

    const digitisedAt = clock.localNow();
    const meta: DocumentMeta = {
      ...metadata,
      digitisedAt,
      digitiser: user.displayName,
      agencyName: this.deps.agency.name,
    };
    let pdf: Uint8Array;
    let text: string;
    try {
      const pipeline = this.deps.pipeline(storedProfile(batch.profile));
      const read = (sha: string): Promise<Uint8Array> => store.blobs.get(sha);
      let output;
      if (pipeline.finishPages !== undefined) {
        // The pages stay in the blob store (where processing put them) and are read one at a time.
        output = await pipeline.finishPages(storedPages(pages, read), meta);
      } else {
        const states: PageState[] = [];
        for (const p of pages) states.push(await rebuildPageState(p, read));
        output = await pipeline.finishDocument(states, meta);
      }
      pdf = output.pdf;
      text = output.text;
    } catch (err) {
      this.deps.log.log('error', 'digitise.finish-failed', { batchId: batch.id, group, error: errorMessage(err) });
      throw new AppError('DIGITISE_FAILED', `Không tạo được tệp PDF: ${errorMessage(err)}`);
    }
    const blob = await store.blobs.put(pdf);

    const done = store.transaction(() => {
      // Checked again inside the transaction: a second Finish of the same group (double click) loses here.
      const now = store.batches.get(batch.id)!;
      this.checkedPages(now, group);
      if (link?.componentCode) this.checkComponentFree(link.dossierCode, link.componentCode);
      const doc = store.documents.addDigitised({
        ownerIdNumber: metadata.ownerIdNumber,
        ownerName: metadata.ownerName,
        documentCode: metadata.documentCode,
        documentName: metadata.documentName,
        number: metadata.number,
        issuer: metadata.issuer,
        issuedOn: metadata.issuedOn,
        validUntil: metadata.validUntil,
        permanent: metadata.permanent,
        kind: metadata.kind,
        dossierCode: metadata.dossierCode,
        digitisedAt,
        digitiser: user.displayName,
        summary: metadata.summary,
        procedureCode: metadata.procedureCode ?? link?.procedureCode ?? null,
        sectorCode: metadata.sectorCode ?? link?.sectorCode ?? null,
        pageCount: pages.length,
        sizeBytes: blob.size,
        ocrText: text,
        pdfSha256: blob.sha256,
        pages: pages.map((p, i) => ({
          pageIndex: i,
          originalSha256: p.originalSha256,
          blank: p.blank,
          skewAngle: p.skewAngle,
          rotation: quarterTurn(p.rotation + p.rotationOverride),
        })),
      });
      store.batches.markFinished(
        batch.id,
        pages.map((p) => p.index),
        doc.rowId,
      );
      const dossier = link?.componentCode ? this.markComponent(link.dossierCode, link.componentCode, doc.rowId) : null;
      // The centre's copy (docs/architecture.md, "Centre"), only on a desk enrolled at a centre.
      store.outbox.enqueueCentre(
        {
          kind: 'document.digitised',
          at: clock.now(),
          payload: {
            dossierCode: metadata.dossierCode,
            documentCode: metadata.documentCode.slice(0, 40),
            pages: pages.length,
            officer: user.displayName.slice(0, 60),
            at: digitisedAt,
          },
        },
        centreOrderKey(metadata.dossierCode, doc.id),
        clock.now(),
      );
      store.audit.append({
        at: digitisedAt,
        actor: user.username,
        action: 'document.digitise',
        entity: 'document',
        entityId: doc.id,
        details: {
          batch: batch.id,
          group,
          documentCode: metadata.documentCode,
          owner: maskIdNumber(metadata.ownerIdNumber),
          pages: pages.length,
          sha256: blob.sha256,
          dossier: metadata.dossierCode,
          component: link?.componentCode ?? null,
        },
      });
      const open = store.batches.get(batch.id)!.pages.some((p) => !p.deleted && p.documentId === null);
      const closed = !open && now.batch.state !== 'capturing';
      if (closed) store.batches.close(batch.id, digitisedAt);
      return { doc, closed, dossier };
    });

    this.deps.log.log('info', 'digitise.finished', {
      batchId: batch.id,
      group,
      document: done.doc.id,
      pages: pages.length,
      bytes: blob.size,
    });
    return {
      result: {
        documentId: done.doc.id,
        sha256: blob.sha256,
        pageCount: pages.length,
        sizeBytes: blob.size,
        textChars: text.length,
        blankPages: pages.filter((p) => p.blank).length,
        dossierCode: metadata.dossierCode,
        componentCode: link?.componentCode ?? null,
        batchClosed: done.closed,
      },
      dossier: done.dossier,
    };
  }

  /** The group's pages in order, when every one is processed and none is in a document yet. */
  private checkedPages({ batch, pages: all }: BatchWithPages, group: number): BatchPageRecord[] {
    const pages = all.filter((p) => p.groupIndex === group && !p.deleted);
    if (pages.length === 0)
      throw new AppError('DIGITISE_GROUP_EMPTY', `Phần ${group + 1} của lô quét không có trang nào.`);
    if (pages.some((p) => p.documentId !== null))
      throw new AppError(
        'DIGITISE_ALREADY_FINISHED',
        `Phần ${group + 1} của lô quét đã được tạo thành văn bản số hóa.`,
      );
    const lastGroup = Math.max(...all.map((p) => p.groupIndex));
    if (pages.some((p) => p.status === 'pending') || (batch.state === 'capturing' && group === lastGroup)) {
      throw new AppError('DIGITISE_PAGES_PENDING', 'Lô quét vẫn đang quét hoặc xử lý trang; chờ xong rồi hoàn tất.');
    }
    const failed = pages.filter((p) => p.status === 'error');
    if (failed.length > 0) {
      throw new AppError(
        'DIGITISE_PAGE_FAILED',
        `Trang ${failed.map((p) => p.index).join(', ')} xử lý không thành công: quét lại hoặc xóa trang.`,
        { pages: failed.map((p) => p.index) },
      );
    }
    return pages;
  }

  /** The dossier (and component) a document is for, checked before any work is done. */
  private dossierLink(metadata: DigitisedMetadata, componentCode: string | null): DossierLink | null {
    if (metadata.dossierCode === null) {
      if (componentCode !== null)
        throw new AppError('VALIDATION_FAILED', 'Chọn thành phần hồ sơ cần có mã hồ sơ.', {
          field: 'metadata.dossierCode',
        });
      return null;
    }
    const d = this.deps.store.dossiers.getByCode(metadata.dossierCode);
    if (!d)
      throw new AppError('NOT_FOUND', `Không tìm thấy hồ sơ ${metadata.dossierCode.slice(0, 40)}.`, {
        field: 'metadata.dossierCode',
      });
    const sectorCode = this.deps.store.catalogue.get(d.procedureCode)?.sectorCode ?? null;
    let component = componentCode;
    if (component !== null) {
      this.checkComponentFree(d.code, component);
    } else {
      // Left out: the one component waiting for this kind of document, if there is exactly one.
      const candidates = d.components.filter(
        (c) => c.source === 'to-digitise' && c.digitisedDocumentId === null && c.documentCode === metadata.documentCode,
      );
      component = candidates.length === 1 ? candidates[0]!.componentCode : null;
    }
    return { dossierCode: d.code, componentCode: component, procedureCode: d.procedureCode, sectorCode };
  }

  private checkComponentFree(dossierCode: string, componentCode: string): void {
    const d = this.deps.store.dossiers.getByCode(dossierCode)!;
    const c = d.components.find((x) => x.componentCode === componentCode);
    if (!c)
      throw new AppError('COMPONENT_UNKNOWN', `Hồ sơ ${d.code} không có thành phần ${componentCode.slice(0, 40)}.`, {
        field: 'componentCode',
      });
    if (c.digitisedDocumentId !== null) {
      throw new AppError(
        'CONFLICT',
        `Thành phần "${c.name}" của hồ sơ ${d.code} đã có bản số hóa L:${c.digitisedDocumentId}.`,
        { field: 'componentCode' },
      );
    }
  }

  /** Inside the finishing transaction: the component link and the national portal update. */
  private markComponent(dossierCode: string, componentCode: string, documentRowId: number): Dossier {
    const { store } = this.deps;
    store.dossiers.setComponentDigitised(dossierCode, componentCode, documentRowId);
    const d = store.dossiers.getByCode(dossierCode)!;
    const p = store.catalogue.get(d.procedureCode);
    const wire = toWireDossier(d, {
      agencyId: this.deps.agency.id,
      receivingUnit: this.deps.agency.name,
      sectorCode: p?.sectorCode,
      sectorName: p?.sectorName,
    });
    store.outbox.enqueue({
      target: 'national',
      kind: 'dossier.upsert',
      dossierCode,
      idempotencyKey: `${dossierCode}/digitised/${componentCode}/${documentRowId}`,
      payload: { dossier: wire, isUpdating: true },
      now: this.deps.clock.now(),
    });
    return d;
  }
}

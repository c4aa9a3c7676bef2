import type { BatchView } from '../../../common/contract';
import type { BatchPageRecord, BatchWithPages } from '../../store/batches.repository';
import type { Store } from '../../store/store';
import { orientationUnsureOf, thumbnailOfCapture } from './page-codec';

/** What the officer sees of a batch: pages in order with small pictures, status, OCR text and groups. */
export class BatchViews {
  /** Thumbnails made from captures still processing, by capture hash (a batch view is asked for often). */
  private readonly captureThumbnails = new Map<string, string>();

  constructor(private readonly store: Store) {}

  async view({ batch, pages }: BatchWithPages): Promise<BatchView> {
    const groups = new Map<number, { pages: number; documentId: string | null }>();
    for (const p of pages) {
      if (p.deleted) continue;
      const g = groups.get(p.groupIndex) ?? { pages: 0, documentId: null };
      g.pages++;
      if (p.documentId !== null) g.documentId = `L:${p.documentId}`;
      groups.set(p.groupIndex, g);
    }
    return {
      batchId: batch.id,
      state: batch.state,
      source: batch.source,
      scannerId: batch.scannerId,
      createdAt: batch.createdAt,
      officer: batch.officer,
      lastError: batch.lastError,
      pages: await Promise.all(
        pages.map(async (p) => ({
          index: p.index,
          side: p.side,
          position: p.position,
          group: p.groupIndex,
          status: p.status,
          error:
            p.status === 'error' ? { code: p.errorCode ?? 'DIGITISE_FAILED', message: p.errorMessage ?? '' } : null,
          blank: p.blank,
          deleted: p.deleted,
          rotation: p.rotation,
          rotationOverride: p.rotationOverride,
          skewAngle: p.skewAngle,
          // Turning the page (R / Shift+R) is the officer's answer: the flag goes.
          orientationCheck: p.status === 'ok' && p.rotationOverride === 0 && orientationUnsureOf(p.processedJson),
          ocrText: p.ocrText,
          ocrConfidence: p.ocrConfidence,
          thumbnail: await this.thumbnail(p),
          documentId: p.documentId === null ? null : `L:${p.documentId}`,
        })),
      ),
      groups: [...groups]
        .sort(([a], [b]) => a - b)
        .map(([group, g]) => ({ group, pages: g.pages, documentId: g.documentId })),
    };
  }

  private async thumbnail(p: BatchPageRecord): Promise<string | null> {
    try {
      if (p.thumbnailSha256 !== null)
        return Buffer.from(await this.store.blobs.get(p.thumbnailSha256)).toString('base64');
      const cached = this.captureThumbnails.get(p.originalSha256);
      if (cached !== undefined) return cached;
      const made = Buffer.from(await thumbnailOfCapture(await this.store.blobs.get(p.originalSha256))).toString(
        'base64',
      );
      if (this.captureThumbnails.size >= 200)
        this.captureThumbnails.delete(this.captureThumbnails.keys().next().value!);
      this.captureThumbnails.set(p.originalSha256, made);
      return made;
    } catch {
      return null;
    }
  }
}

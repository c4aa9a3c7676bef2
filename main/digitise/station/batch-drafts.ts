import { AppError, type BatchDrafts, type MetadataDraft } from '../../../common/contract';
import type { Clock } from '../../kernel/clock';
import type { Store } from '../../store/store';

/** Where a batch's drafts are kept: the settings table, one row per open batch, gone when it closes. */
const keyOf = (batchId: string): string => `digitise.drafts:${batchId}`;

interface StoredDrafts {
  savedAt: string;
  drafts: BatchDrafts;
}

function isStoredDrafts(value: unknown): value is StoredDrafts {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<StoredDrafts>;
  return typeof v.savedAt === 'string' && typeof v.drafts === 'object' && v.drafts !== null;
}

/** The fields that differ between two drafts of one group (names only: values may be personal data). */
function changedFields(before: MetadataDraft | undefined, after: MetadataDraft | undefined): string[] {
  if (!before || !after) return ['*'];
  return (Object.keys(after) as (keyof MetadataDraft)[]).filter((k) => before[k] !== after[k]);
}

/**
 * The metadata the digitiser types for the documents of an open batch, saved as typed (the screen
 * sends the whole set after a short pause) so it survives a restart of the app or of the machine.
 * A save that changes something is one transaction with a `digitise.draft` audit entry naming the
 * groups and fields changed, never their values; a save that changes nothing writes nothing.
 * A closed batch keeps no drafts: finishing its last document or closing it removes the row.
 */
export class BatchDraftsKeeper {
  constructor(private readonly deps: { store: Store; clock: Clock }) {}

  load(batchId: string): { drafts: BatchDrafts; savedAt: string | null } {
    if (!this.isOpen(batchId)) return { drafts: {}, savedAt: null };
    const stored = this.read(batchId);
    return stored ? { drafts: stored.drafts, savedAt: stored.savedAt } : { drafts: {}, savedAt: null };
  }

  save(batchId: string, drafts: BatchDrafts, actor: string): { savedAt: string } {
    const { store, clock } = this.deps;
    return store.transaction(() => {
      if (!this.isOpen(batchId))
        throw new AppError('DIGITISE_ALREADY_FINISHED', 'Lô quét đã đóng: không lưu nháp thông tin được nữa.');
      const before = this.read(batchId)?.drafts ?? {};
      const groups = [...new Set([...Object.keys(before), ...Object.keys(drafts)])].sort(
        (a, b) => Number(a) - Number(b),
      );
      const changes: Record<string, string[]> = {};
      for (const group of groups) {
        const fields = changedFields(before[group], drafts[group]);
        if (fields.length > 0) changes[group] = drafts[group] ? fields : ['(bỏ)'];
      }
      const savedAt = clock.localNow();
      if (Object.keys(changes).length === 0) return { savedAt: this.read(batchId)?.savedAt ?? savedAt };
      store.settings.setJson(keyOf(batchId), { savedAt, drafts } satisfies StoredDrafts);
      store.audit.append({
        at: savedAt,
        actor,
        action: 'digitise.draft',
        entity: 'batch',
        entityId: batchId,
        details: { changes },
      });
      return { savedAt };
    });
  }

  /** Drops one finished document's draft (the rest of the batch keeps theirs). */
  dropGroup(batchId: string, group: number): void {
    const stored = this.read(batchId);
    if (!stored || !(String(group) in stored.drafts)) return;
    const rest: BatchDrafts = { ...stored.drafts };
    delete rest[String(group)];
    if (Object.keys(rest).length === 0) this.deps.store.settings.delete(keyOf(batchId));
    else
      this.deps.store.settings.setJson(keyOf(batchId), {
        savedAt: stored.savedAt,
        drafts: rest,
      } satisfies StoredDrafts);
  }

  /** Forgets every draft of a batch (it closed). */
  drop(batchId: string): void {
    this.deps.store.settings.delete(keyOf(batchId));
  }

  /** Open (capturing or ready); NOT_FOUND for an unknown batch. Reads the batch row only, not its pages. */
  private isOpen(batchId: string): boolean {
    const { batches } = this.deps.store;
    if (batches.listOpen().some((b) => b.id === batchId)) return true;
    if (!batches.get(batchId)) throw new AppError('NOT_FOUND', `Không tìm thấy lô quét ${batchId.slice(0, 64)}.`);
    return false;
  }

  private read(batchId: string): StoredDrafts | null {
    let value: unknown;
    try {
      value = this.deps.store.settings.getJson(keyOf(batchId));
    } catch {
      return null;
    }
    return isStoredDrafts(value) ? value : null;
  }
}
